// Parley chat widget: plain script, no build step, no dependencies.
// Embed: an element with the data-parley-widget attribute, then this script
// (HOST/widget/widget.js, deferred).
// The widget token comes from the page URL's fragment (#t=...), which browsers never
// send to a server; it is kept in sessionStorage and removed from the address bar.
// Optional attributes on the container: data-api (base URL of Parley; another origin must be listed in PARLEY_WIDGET_ORIGINS), data-token.
(function () {
  "use strict";

  var TEXT = {
    en: {
      label: "Your message", send: "Send", placeholder: "Type your message…", you: "You",
      bot: "Automated reply", handoff: "A member of our team will follow up with you personally.",
      sending: "Sending…", noToken: "This page needs the link you were sent (it ends in #t=…).",
      expired: "This link has expired or is not valid. Please ask for a new link.",
      gone: "This conversation is no longer available.", tooMany: "You are sending messages quickly; please wait a moment and try again.",
      failed: "Your message could not be sent. Please try again.", options: "Suggested next steps",
      empty: "Your message has been passed to our team."
    },
    zh: {
      label: "您的留言", send: "发送", placeholder: "请输入您的消息…", you: "我",
      bot: "自动回复", handoff: "已转交工作人员，我们会安排专人与您联系。",
      sending: "发送中…", noToken: "请通过我们发给您的链接打开本页（链接以 #t=… 结尾）。",
      expired: "链接已过期或无效，请联系我们获取新链接。",
      gone: "该会话已不可用。", tooMany: "消息发送过于频繁，请稍候再试。",
      failed: "消息发送失败，请重试。", options: "可选的下一步",
      empty: "您的消息已转交工作人员。"
    }
  };

  function pickLang(l) { return /^zh/i.test(l || "") ? "zh" : "en"; }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text; // text only, never markup: replies and options are data
    return e;
  }

  function token(root) {
    var m = /(?:^|[#&])t=([^&]+)/.exec(location.hash);
    if (m) {
      var v = "";
      // A bad % escape (a link cut or mangled in transit) throws: the page then asks
      // for the link instead of breaking.
      try { v = decodeURIComponent(m[1]); } catch (e) { v = ""; }
      if (v) { try { sessionStorage.setItem("parley-widget-token", v); } catch (e) {} }
      history.replaceState(null, "", location.pathname + location.search);
      return v;
    }
    try { return root.getAttribute("data-token") || sessionStorage.getItem("parley-widget-token") || ""; } catch (e) { return ""; }
  }

  function mount(root) {
    var api = (root.getAttribute("data-api") || "").replace(/\/+$/, "");
    var tok = token(root);
    var lang = pickLang(document.documentElement.lang === "en" ? navigator.language : document.documentElement.lang);
    var t = function (k) { return TEXT[lang][k]; };

    var box = el("section", "pw");
    box.setAttribute("aria-label", "Chat");
    var log = el("div", "pw-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    var status = el("p", "pw-status");
    status.setAttribute("role", "status");
    var opts = el("div", "pw-options");
    opts.setAttribute("role", "group");
    var form = el("form", "pw-form");
    var id = "pw-input-" + Math.random().toString(36).slice(2);
    var label = el("label", "", t("label"));
    label.htmlFor = id;
    var input = el("textarea");
    input.id = id;
    input.rows = 2;
    input.maxLength = 4000;
    input.placeholder = t("placeholder");
    var send = el("button", "", t("send"));
    send.type = "submit";
    form.append(label, input, send);
    box.append(log, status, opts, form);
    root.append(box);

    function relabel() {
      label.textContent = t("label"); send.textContent = t("send"); input.placeholder = t("placeholder");
      opts.setAttribute("aria-label", t("options"));
    }
    relabel();

    function say(kind, msg) {
      status.className = "pw-status" + (kind ? " pw-" + kind : "");
      status.textContent = msg || "";
    }

    function bubble(mine, text, l) {
      var b = el("div", "pw-msg " + (mine ? "pw-me" : "pw-bot"));
      b.append(el("span", "pw-who", mine ? t("you") : t("bot")));
      var body = el("span", "", text);
      if (l) b.lang = l;
      b.append(body);
      log.append(b);
      log.scrollTop = log.scrollHeight;
      return body;
    }

    function showOptions(list) {
      opts.replaceChildren();
      (list || []).forEach(function (o) {
        var b = el("button", "", o.label);
        b.type = "button";
        b.addEventListener("click", function () { submit(o.message); });
        opts.append(b);
      });
    }

    function finish(r, body) {
      if (r.language) { lang = pickLang(r.language); relabel(); }
      if (r.text) body.textContent = r.text; else body.parentNode.remove();
      if (r.language) body.parentNode.lang = r.language;
      showOptions(r.options);
      say(r.handoff ? "handoff" : "", r.handoff ? (r.text ? t("handoff") : t("empty")) : "");
    }

    function failure(status) {
      if (status === 401) return t("expired");
      if (status === 404) return t("gone");
      if (status === 429) return t("tooMany");
      return t("failed");
    }

    // readEvents parses a server-sent event stream from a fetch response.
    async function readEvents(res, on) {
      var reader = res.body.getReader(), dec = new TextDecoder(), buf = "";
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) break;
        buf += dec.decode(chunk.value, { stream: true });
        var i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          var block = buf.slice(0, i), ev = "message", data = "";
          buf = buf.slice(i + 2);
          block.split("\n").forEach(function (line) {
            if (line.indexOf("event: ") === 0) ev = line.slice(7);
            else if (line.indexOf("data: ") === 0) data += line.slice(6);
          });
          if (data) on(ev, JSON.parse(data));
        }
      }
    }

    var busy = false;
    async function submit(text) {
      text = (text || "").trim();
      if (!text || busy) return;
      if (!tok) { say("error", t("noToken")); return; }
      busy = true; send.disabled = true; showOptions([]);
      bubble(true, text);
      say("", t("sending"));
      var body = bubble(false, "", lang);
      try {
        var res = await fetch(api + "/v1/widget/messages", {
          method: "POST",
          headers: { "Content-Type": "application/json", "Accept": "text/event-stream", "Authorization": "Bearer " + tok },
          body: JSON.stringify({ text: text })
        });
        if (!res.ok || (res.headers.get("Content-Type") || "").indexOf("text/event-stream") < 0) {
          body.parentNode.remove();
          say("error", failure(res.status));
          return;
        }
        var done = false;
        await readEvents(res, function (ev, v) {
          if (ev === "delta") body.textContent += v.text;
          else if (ev === "reset") body.textContent = "";
          else if (ev === "reply") { done = true; finish(v, body); }
          else if (ev === "error") { body.parentNode.remove(); say("error", t("failed")); done = true; }
        });
        if (!done) say("error", t("failed"));
      } catch (e) {
        if (body.parentNode) body.parentNode.remove();
        say("error", t("failed"));
      } finally {
        busy = false; send.disabled = false; input.focus();
      }
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var v = input.value;
      input.value = "";
      submit(v);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });
    if (!tok) say("error", t("noToken"));
  }

  function start() {
    document.querySelectorAll("[data-parley-widget]").forEach(mount);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
