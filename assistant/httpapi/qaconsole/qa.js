// Parley QA console: plain script, no build step, no dependencies.
// It reads GET /v1/qa/flags, GET /v1/transcripts/{id} and posts
// POST /v1/qa/flags/{id}/resolve with the reviewer's API key.
// Every piece of server data (transcript text above all) reaches the page as text
// nodes or attribute values, never as markup.
(function () {
  "use strict";

  // Relative to /qa/, so the console also works behind a path prefix.
  var API = "../v1";
  var KEY_ITEM = "parley-qa-key";
  var PAGE_SIZE = 20;

  var $ = function (id) { return document.getElementById(id); };
  var state = { status: "open", cursor: "", flags: {}, current: null, busy: false };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null && text !== "") e.textContent = String(text);
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function say(node, text, kind) {
    node.textContent = text || "";
    node.className = "msg" + (kind && text ? " " + kind : "");
  }

  function getKey() {
    try { return sessionStorage.getItem(KEY_ITEM) || ""; } catch (e) { return ""; }
  }

  function setKey(k) {
    try {
      if (k) sessionStorage.setItem(KEY_ITEM, k); else sessionStorage.removeItem(KEY_ITEM);
    } catch (e) { /* storage disabled: the key lasts until the page is left */ }
    memoryKey = k;
  }
  var memoryKey = getKey();

  // APIError carries the status and the server's {"error": {"code", "message"}}.
  function APIError(status, code, message) {
    this.status = status; this.code = code; this.message = message;
  }

  function describe(err) {
    if (!(err instanceof APIError)) return "The server could not be reached: " + (err && err.message ? err.message : String(err));
    var text = "Error " + err.status + (err.code ? " (" + err.code + ")" : "") + ": " + (err.message || "no message");
    if (err.status === 401) text += ". Paste a qa or admin API key above.";
    return text;
  }

  function call(method, path, body) {
    var headers = { "Accept": "application/json" };
    var key = memoryKey;
    if (key) headers["Authorization"] = "Bearer " + key;
    var init = { method: method, headers: headers, credentials: "omit", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(API + path, init).then(function (res) {
      return res.text().then(function (raw) {
        var data = null;
        try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
        if (!res.ok) {
          var e = data && data.error ? data.error : {};
          throw new APIError(res.status, e.code || "", e.message || res.statusText);
        }
        return data;
      });
    });
  }

  function when(t) {
    if (!t) return "";
    var d = new Date(t);
    return isNaN(d.getTime()) ? String(t) : d.toLocaleString();
  }

  // ----- the key -----

  function showKeyState() {
    say($("key-state"), memoryKey ? "A key is set for this tab." : "No key set.");
  }

  $("key-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var k = $("api-key").value.trim();
    $("api-key").value = "";
    setKey(k);
    showKeyState();
    loadFlags(false);
    $("flags-heading").focus();
  });

  $("forget-key").addEventListener("click", function () {
    setKey("");
    $("api-key").value = "";
    showKeyState();
    $("api-key").focus();
  });

  // ----- the list -----

  function firstReason(f) {
    var r = f.reasons && f.reasons[0];
    if (!r) return "flag";
    return (r.severity ? r.severity + ": " : "") + (r.category || r.rule || "");
  }

  function flagItem(f) {
    var li = el("li");
    var b = el("button");
    b.type = "button";
    b.setAttribute("data-flag", f.id);
    b.appendChild(document.createTextNode(firstReason(f)));
    var extra = (f.reasons && f.reasons.length > 1) ? " (+" + (f.reasons.length - 1) + " more)" : "";
    b.appendChild(el("span", "sub", f.status + extra + " · " + when(f.created_at)));
    b.appendChild(el("span", "sub", (f.case_id ? "case " + f.case_id + " · " : "") + f.id));
    if (state.current && state.current.flag && state.current.flag.id === f.id) b.setAttribute("aria-current", "true");
    b.addEventListener("click", function () { openFlag(f.id); });
    li.appendChild(b);
    return li;
  }

  function loadFlags(more) {
    var list = $("flag-list");
    var q = "?status=" + encodeURIComponent(state.status) + "&limit=" + PAGE_SIZE;
    if (more && state.cursor) q += "&cursor=" + encodeURIComponent(state.cursor);
    say($("list-status"), "Loading…");
    $("more").disabled = true;
    return call("GET", "/qa/flags" + q).then(function (page) {
      if (!more) { clear(list); state.flags = {}; }
      var items = (page && page.items) || [];
      var firstNew = null;
      items.forEach(function (f) {
        state.flags[f.id] = f;
        var li = flagItem(f);
        firstNew = firstNew || li.firstChild;
        list.appendChild(li);
      });
      state.cursor = (page && page.next_cursor) || "";
      $("more").hidden = !state.cursor;
      $("more").disabled = false;
      var n = list.children.length;
      say($("list-status"), n === 0 ? "No " + (state.status === "all" ? "" : state.status + " ") + "flags." :
        n + " " + (state.status === "all" ? "" : state.status + " ") + (n === 1 ? "flag" : "flags") + " shown" + (state.cursor ? "; more to load." : "."));
      if (more && firstNew) firstNew.focus();
    }).catch(function (err) {
      $("more").disabled = false;
      say($("list-status"), describe(err), "error");
    });
  }

  $("status").addEventListener("change", function () {
    state.status = $("status").value;
    state.cursor = "";
    loadFlags(false);
  });
  $("reload").addEventListener("click", function () { state.cursor = ""; loadFlags(false); });
  $("more").addEventListener("click", function () { loadFlags(true); });

  // ----- one transcript -----

  function metaRow(dl, name, value) {
    if (value === undefined || value === null || value === "") return;
    dl.appendChild(el("dt", "", name));
    dl.appendChild(el("dd", "", value));
  }

  // highlight returns the turn's text as nodes: plain text, and <mark> around the
  // flag's spans ("flagged") and other findings' spans ("noted"). Offsets are runes
  // (code points), as the API counts them, not UTF-16 units.
  function highlight(text, flagSpans, noted) {
    var runes = Array.from(text || "");
    var kind = new Array(runes.length).fill(0);
    function paint(spans, k) {
      spans.forEach(function (s) {
        var a = Math.max(0, s.start | 0), b = Math.min(runes.length, s.end | 0);
        for (var i = a; i < b; i++) kind[i] = Math.max(kind[i], k);
      });
    }
    paint(noted, 1);
    paint(flagSpans, 2);
    var frag = document.createDocumentFragment();
    var i = 0;
    while (i < runes.length) {
      var j = i;
      while (j < runes.length && kind[j] === kind[i]) j++;
      var chunk = document.createTextNode(runes.slice(i, j).join(""));
      if (kind[i] === 0) {
        frag.appendChild(chunk);
      } else {
        var m = el("mark", kind[i] === 2 ? "flagged" : "noted");
        m.appendChild(chunk);
        frag.appendChild(m);
      }
      i = j;
    }
    return frag;
  }

  function renderFindings(tr) {
    var ul = $("findings");
    clear(ul);
    var fs = tr.findings || [];
    if (fs.length === 0) { ul.appendChild(el("li", "", "No findings.")); return; }
    fs.forEach(function (f) {
      var li = el("li");
      li.appendChild(el("span", "sev sev-" + (f.severity || "review"), f.severity));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("strong", "", f.category));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("code", "", f.rule));
      if (f.turn !== null && f.turn !== undefined) {
        li.appendChild(document.createTextNode(" · "));
        var a = el("a", "", "turn " + f.turn);
        a.href = "#turn-" + f.turn;
        li.appendChild(a);
      } else {
        li.appendChild(document.createTextNode(" · whole contact"));
      }
      if (f.penalty) li.appendChild(document.createTextNode(" · −" + f.penalty + " points"));
      if (f.excerpt) li.appendChild(el("div", "", "“" + f.excerpt + "”"));
      li.appendChild(el("div", "", f.explanation));
      if (f.citation) li.appendChild(el("div", "help", "Citation: " + f.citation));
      ul.appendChild(li);
    });
  }

  function renderTurns(tr) {
    var ol = $("turns");
    clear(ol);
    var spans = (tr.flag && tr.flag.spans) || [];
    (tr.turns || []).forEach(function (t, i) {
      var idx = typeof t.index === "number" ? t.index : i;
      var li = el("li", t.speaker === "agent" ? "agent" : "debtor");
      li.id = "turn-" + idx;
      li.appendChild(el("span", "who", "Turn " + idx + " · " + (t.speaker || "") + (t.at ? " · " + when(t.at) : "")));
      var flagged = spans.filter(function (s) { return s.turn === idx; });
      var noted = (tr.findings || []).filter(function (f) { return f.turn === idx && f.end > f.start; });
      var p = el("p", "text");
      p.appendChild(highlight(t.text, flagged, noted));
      li.appendChild(p);
      ol.appendChild(li);
    });
  }

  function renderResolution(flag) {
    var form = $("resolve-form");
    var out = $("resolve-status");
    if (!flag) {
      form.hidden = true;
      say(out, "This transcript was not flagged.");
      return;
    }
    var open = flag.status === "open";
    form.hidden = !open;
    $("confirm").disabled = $("dismiss").disabled = !open;
    if (open) {
      say(out, "");
    } else {
      say(out, "Resolved: " + flag.decision + (flag.resolved_at ? " on " + when(flag.resolved_at) : "") +
        (flag.note ? ". Note: " + flag.note : "."), "ok");
    }
  }

  function render(tr) {
    state.current = tr;
    var dl = $("meta");
    clear(dl);
    metaRow(dl, "Score", tr.score + " / 100");
    metaRow(dl, "Formula", tr.score_formula);
    if (tr.flag) metaRow(dl, "Flag", tr.flag.id + " (" + tr.flag.status + ")");
    metaRow(dl, "Transcript", tr.id);
    metaRow(dl, "Case", tr.case_id);
    metaRow(dl, "Channel", [tr.channel, tr.jurisdiction, tr.direction].filter(Boolean).join(" · "));
    metaRow(dl, "Started", when(tr.started_at));
    metaRow(dl, "Reviewed", when(tr.created_at));
    (tr.notes || []).forEach(function (n) { metaRow(dl, "Note", n); });
    renderFindings(tr);
    renderTurns(tr);
    renderResolution(tr.flag);
    $("note").value = "";
    var buttons = $("flag-list").querySelectorAll("button[data-flag]");
    for (var i = 0; i < buttons.length; i++) {
      if (tr.flag && buttons[i].getAttribute("data-flag") === tr.flag.id) buttons[i].setAttribute("aria-current", "true");
      else buttons[i].removeAttribute("aria-current");
    }
  }

  function openFlag(id) {
    var f = state.flags[id];
    if (!f) return;
    $("detail").hidden = false;
    say($("detail-status"), "Loading transcript…");
    return call("GET", "/transcripts/" + encodeURIComponent(f.transcript_id)).then(function (tr) {
      say($("detail-status"), "");
      render(tr);
      $("detail-heading").focus();
    }).catch(function (err) {
      say($("detail-status"), describe(err), "error");
      $("detail-heading").focus();
    });
  }

  function updateListed(flag) {
    state.flags[flag.id] = flag;
    var buttons = $("flag-list").querySelectorAll("button[data-flag]");
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].getAttribute("data-flag") !== flag.id) continue;
      var li = buttons[i].parentNode;
      li.parentNode.replaceChild(flagItem(flag), li);
    }
  }

  function resolve(decision) {
    var tr = state.current;
    if (!tr || !tr.flag || state.busy) return;
    state.busy = true;
    $("confirm").disabled = $("dismiss").disabled = true;
    var out = $("resolve-status");
    say(out, decision === "confirmed" ? "Confirming…" : "Dismissing…");
    call("POST", "/qa/flags/" + encodeURIComponent(tr.flag.id) + "/resolve", { decision: decision, note: $("note").value })
      .then(function (flag) {
        tr.flag = flag;
        updateListed(flag);
        render(tr);
      })
      .catch(function (err) {
        if (!(err instanceof APIError) || err.status !== 409) {
          $("confirm").disabled = $("dismiss").disabled = false;
          say(out, describe(err), "error");
          return;
        }
        // Someone resolved it first: show their decision with the server's message.
        var conflict = "Already resolved: " + err.message + ".";
        return call("GET", "/transcripts/" + encodeURIComponent(tr.id)).then(function (fresh) {
          if (fresh.flag) updateListed(fresh.flag);
          render(fresh);
          say(out, conflict + " " + out.textContent, "error");
        }, function () {
          say(out, conflict + " Reload the list to see the decision.", "error");
        });
      })
      .then(function () {
        state.busy = false;
        out.focus(); // the outcome, success or error, is where the reviewer lands
      });
  }

  $("confirm").addEventListener("click", function () { resolve("confirmed"); });
  $("dismiss").addEventListener("click", function () { resolve("dismissed"); });

  showKeyState();
  loadFlags(false);
})();
