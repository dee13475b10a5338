package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func str(enum ...string) obj {
	if len(enum) == 0 {
		return obj{"type": "string"}
	}
	return obj{"type": "string", "enum": enum}
}

func object(props obj, required ...string) obj {
	o := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func list(item string) obj {
	return object(obj{"items": obj{"type": "array", "items": ref(item)}, "next_cursor": str()}, "items", "next_cursor")
}

var (
	channelEnum      = []string{"sms", "email", "chat", "call", "letter", "wechat"}
	segmentEnum      = []string{"willing", "wait_and_see", "resistant", "high_risk"}
	jurisdictionEnum = []string{"US", "CN"}
)

// schemas describes the bodies the API takes and returns.
var schemas = obj{
	"Error":  object(obj{"error": object(obj{"code": str(), "message": str(), "field": str()}, "code", "message")}, "error"),
	"Status": object(obj{"status": str(), "engine": str()}),
	"Money":  object(obj{"amount": obj{"type": "string", "pattern": `^-?\d+(\.\d{1,2})?$`}, "currency": str()}, "amount", "currency"),
	"Debtor": object(obj{
		"name": str(), "language": str("zh", "en", "mixed"), "timezone": str(), "kind": str("individual", "business"),
		"contact_points": obj{"type": "array", "items": object(obj{"channel": str(channelEnum...), "value": str(), "opted_out": obj{"type": "boolean"}})},
	}, "name"),
	"Flags": object(obj{
		"cease_contact": obj{"type": "boolean"}, "attorney_represented": obj{"type": "boolean"}, "disputed": obj{"type": "boolean"},
		"legal_action_approved": obj{"type": "boolean"}, "bankruptcy": obj{"type": "boolean"},
	}),
	"CaseInput": object(obj{
		"external_id": str(), "debtor": ref("Debtor"), "jurisdiction": str(jurisdictionEnum...), "creditor": str(),
		"balance": ref("Money"), "due_date": str(), "days_past_due": obj{"type": "integer"}, "flags": ref("Flags"),
	}, "external_id", "debtor", "jurisdiction", "balance"),
	"Case": object(obj{
		"id": str(), "external_id": str(), "debtor": ref("Debtor"), "jurisdiction": str(jurisdictionEnum...), "creditor": str(),
		"balance": ref("Money"), "due_date": str(), "days_past_due": obj{"type": "integer"}, "flags": ref("Flags"),
		"segment": str(segmentEnum...), "risk_tier": str("low", "medium", "high"), "segment_reasons": obj{"type": "array", "items": str()},
		"promises":   obj{"type": "array", "items": object(obj{"amount": ref("Money"), "due": str(), "event_id": str(), "status": str("open", "kept", "broken")})},
		"plan":       object(obj{"status": str(), "installments": obj{"type": "array", "items": object(obj{"due": str(), "amount": ref("Money")})}}),
		"created_at": str(), "updated_at": str(),
	}, "id", "external_id"),
	"CaseList": list("Case"),
	"EventInput": object(obj{
		"kind": str("message", "call", "note", "payment", "promise"), "direction": str("inbound", "outbound"),
		"channel": str(channelEnum...), "text": str(), "amount": ref("Money"), "at": str(),
	}, "kind"),
	"Event": object(obj{
		"id": str(), "case_id": str(), "seq": obj{"type": "integer"}, "kind": str(), "direction": str(), "channel": str(),
		"text": str(), "amount": ref("Money"), "at": str(), "created_at": str(), "analysis": ref("Analysis"),
	}, "id", "case_id", "kind", "at"),
	"EventList":      list("Event"),
	"HistoryList":    list("ScoredEvent"),
	"ScoredEvent":    object(obj{"event": ref("Event"), "similarity": obj{"type": "number"}, "score": obj{"type": "number"}}),
	"AnalyzeRequest": object(obj{"text": str(), "language": str("auto", "zh", "en", "mixed"), "timezone": str()}, "text"),
	"Analysis": object(obj{
		"language":    str("zh", "en", "mixed"),
		"sentiment":   object(obj{"label": str("negative", "neutral", "positive"), "score": obj{"type": "number", "minimum": -1, "maximum": 1}}),
		"willingness": object(obj{"segment": str(segmentEnum...), "score": obj{"type": "number", "minimum": 0, "maximum": 1}}),
		"intents":     obj{"type": "array", "items": object(obj{"name": str(), "confidence": obj{"type": "number"}})},
		"entities":    object(obj{"dates": obj{"type": "array", "items": str()}, "amounts": obj{"type": "array", "items": str()}}),
		"engine":      str(),
	}),
}

// extraSchemas describe drafting and screening.
var extraSchemas = obj{
	"CheckRequest": object(obj{
		"text": str(), "jurisdiction": str(jurisdictionEnum...), "channel": str(channelEnum...),
		"context": object(obj{"legal_action_approved": obj{"type": "boolean"}, "case_id": str(), "send_at": str()}),
	}, "text", "jurisdiction", "channel"),
	"Violation": object(obj{
		"rule": str(), "category": str(), "severity": str("block", "warn"), "start": obj{"type": "integer"}, "end": obj{"type": "integer"},
		"excerpt": str(), "explanation": str(), "citation": str(),
	}, "rule", "category", "severity", "start", "end"),
	"Verdict":      object(obj{"allowed": obj{"type": "boolean"}, "violations": obj{"type": "array", "items": ref("Violation")}, "safe_text": str()}, "allowed", "violations"),
	"DraftRequest": object(obj{"message": str(), "channel": str(channelEnum...), "goal": str("reply", "reminder", "plan_offer", "follow_up", "promise_confirmation", "settlement_thanks")}),
	"Suggestion":   object(obj{"action": str(), "detail": str(), "when": str(), "why": str(), "handoff": obj{"type": "boolean"}}, "action", "detail", "why"),
	"Draft": object(obj{
		"id": str(), "case_id": str(), "status": str("pending_review", "approved", "rejected"), "text": str(), "language": str(), "channel": str(),
		"analysis": ref("Analysis"), "suggestions": obj{"type": "array", "items": ref("Suggestion")}, "citations": obj{"type": "array", "items": str()},
		"verdict": ref("Verdict"), "engine": str("builtin", "openai"),
	}, "id", "status", "text", "verdict"),
	"ApproveRequest": object(obj{"text": str(), "send_at": str()}),
	"Approval":       object(obj{"id": str(), "status": str(), "text": str(), "verdict": ref("Verdict"), "outbox_id": str(), "draft": ref("Draft")}),
	"RejectRequest":  object(obj{"reason": str()}, "reason"),
	"OutboxItem":     object(obj{"id": str(), "case_id": str(), "draft_id": str(), "channel": str(), "jurisdiction": str(), "text": str(), "created_at": str()}),
	"OutboxList":     list("OutboxItem"),
	"SimilarCase": object(obj{"case_id": str(), "event_id": str(), "similarity": obj{"type": "number"}, "segment": str(segmentEnum...),
		"payments": obj{"type": "integer"}, "resolved": obj{"type": "boolean"}}),
	"SimilarList": list("SimilarCase"),

	"TranscriptRequest": object(obj{
		"case_id": str(), "channel": str(channelEnum...), "jurisdiction": str(jurisdictionEnum...),
		"direction": str("outbound", "inbound"), "started_at": str(),
		"turns": obj{"type": "array", "maxItems": 500, "minItems": 1, "items": object(obj{"speaker": str("agent", "debtor"), "text": str(), "at": str()}, "speaker", "text")},
	}, "channel", "turns"),
	"TurnResult": object(obj{"index": obj{"type": "integer"}, "speaker": str("agent", "debtor"), "text": str(), "at": str(), "analysis": ref("Analysis"), "verdict": ref("Verdict")}, "index", "speaker", "text"),
	"Finding": object(obj{
		"rule": str(), "category": str(), "severity": str("block", "warn", "review"), "turn": obj{"type": "integer", "nullable": true},
		"start": obj{"type": "integer"}, "end": obj{"type": "integer"}, "excerpt": str(), "explanation": str(), "citation": str(),
		"penalty": obj{"type": "integer"},
	}, "rule", "category", "severity", "turn", "penalty"),
	"TranscriptReview": object(obj{
		"id": str(), "case_id": str(), "channel": str(channelEnum...), "jurisdiction": str(jurisdictionEnum...), "direction": str(), "started_at": str(),
		"turns": obj{"type": "array", "items": ref("TurnResult")}, "findings": obj{"type": "array", "items": ref("Finding")},
		"score": obj{"type": "integer", "minimum": 0, "maximum": 100}, "score_formula": str(), "notes": obj{"type": "array", "items": str()},
		"flag": obj{"allOf": []obj{ref("Flag")}, "nullable": true}, "created_at": str(),
	}, "id", "turns", "findings", "score", "flag"),
	"Flag": object(obj{
		"id": str(), "transcript_id": str(), "case_id": str(), "status": str("open", "confirmed", "dismissed"),
		"reasons":    obj{"type": "array", "items": object(obj{"rule": str(), "category": str(), "severity": str(), "turn": obj{"type": "integer", "nullable": true}, "explanation": str()})},
		"spans":      obj{"type": "array", "items": object(obj{"turn": obj{"type": "integer"}, "start": obj{"type": "integer"}, "end": obj{"type": "integer"}, "excerpt": str()})},
		"created_at": str(), "decision": str("", "confirmed", "dismissed"), "note": str(), "resolved_at": obj{"type": "string", "nullable": true},
	}, "id", "transcript_id", "status", "reasons", "spans"),
	"FlagList": list("Flag"),

	"WidgetLinkRequest": object(obj{"ttl": obj{"type": "string", "description": "Go duration or whole days: 5m..7d, default 24h", "example": "24h"}}),
	"WidgetLink": object(obj{"token": str(), "url": obj{"type": "string", "description": "the widget page with the token in the fragment (#t=...)"},
		"expires_at": str(), "case_id": str()}, "token", "url", "expires_at"),
	"WidgetRevocation":     object(obj{"case_id": str(), "revoked_at": str()}, "case_id", "revoked_at"),
	"WidgetMessageRequest": object(obj{"text": str()}, "text"),
	"WidgetOption": object(obj{
		"action": str("pay_now", "plan", "pay_by", "reminder", "callback", "talk_to_person"), "label": str(), "message": str(),
		"when": str(), "amount": ref("Money"),
		"plan": object(obj{"status": str(), "installments": obj{"type": "array", "items": object(obj{"due": str(), "amount": ref("Money")})}}),
	}, "action", "label", "message"),
	"WidgetReply": object(obj{
		"text": str(), "handoff": obj{"type": "boolean"}, "handoff_reasons": obj{"type": "array", "items": str()},
		"analysis": ref("Analysis"), "options": obj{"type": "array", "items": ref("WidgetOption")},
		"language": str("zh", "en"), "message_id": str(), "reply_id": str(),
	}, "text", "handoff", "analysis", "options"),
	"ResolveRequest": object(obj{"decision": str("confirmed", "dismissed"), "note": str()}, "decision"),
}

// openAPIDocument builds the OpenAPI 3 description from the route table, so a route
// cannot exist without its entry.
func (s *Server) openAPIDocument() obj {
	paths := obj{}
	for _, rt := range s.routes {
		path := openAPIPath(rt.Path)
		item, _ := paths[path].(obj)
		if item == nil {
			item = obj{}
			paths[path] = item
		}
		op := obj{"summary": rt.Summary, "responses": responses(rt)}
		var params []obj
		for _, seg := range strings.Split(rt.Path, "/") {
			if name, ok := strings.CutPrefix(seg, ":"); ok {
				params = append(params, obj{"name": name, "in": "path", "required": true, "schema": str()})
			}
		}
		for _, q := range rt.Query {
			params = append(params, obj{"name": q, "in": "query", "schema": str()})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Request != "" {
			op["requestBody"] = obj{"required": true, "content": obj{"application/json": obj{"schema": ref(rt.Request)}}}
		}
		switch {
		case slices.Equal(rt.Roles, widgetOnly):
			op["security"] = []obj{{"widgetToken": []string{}}}
		case rt.Roles != nil:
			op["security"] = []obj{{"bearer": []string{}}}
		}
		item[strings.ToLower(rt.Method)] = op
	}
	all := obj{}
	for k, v := range schemas {
		all[k] = v
	}
	for k, v := range extraSchemas {
		all[k] = v
	}
	return obj{
		"openapi": "3.0.3",
		"info":    obj{"title": "Parley API", "version": "1", "description": "Compliant debt-collection assistant: analysis, history, drafting, screening, QA, debtor chat widget."},
		"paths":   paths,
		"components": obj{
			"schemas": all,
			"securitySchemes": obj{
				"bearer":      obj{"type": "http", "scheme": "bearer", "description": "an API key (PARLEY_API_KEYS)"},
				"widgetToken": obj{"type": "http", "scheme": "bearer", "description": "a widget token from POST /v1/cases/{id}/widget-links; it opens this route only"},
			},
		},
	}
}

func responses(rt route) obj {
	ok := obj{"description": "OK"}
	if rt.Response != "" {
		ok["content"] = obj{"application/json": obj{"schema": ref(rt.Response)}}
	}
	status := "200"
	if rt.Method == http.MethodPost && (strings.HasSuffix(rt.Path, "/events") || strings.HasSuffix(rt.Path, "/drafts") || strings.HasSuffix(rt.Path, "/widget-links") || rt.Path == "/v1/cases" || rt.Path == "/v1/transcripts") {
		status = "201"
	}
	errResp := obj{"description": "Error", "content": obj{"application/json": obj{"schema": ref("Error")}}}
	return obj{status: ok, "default": errResp}
}

// openAPIPath turns gin's /v1/cases/:id into OpenAPI's /v1/cases/{id}.
func openAPIPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + name + "}"
		}
	}
	return strings.Join(segs, "/")
}

func (s *Server) openAPI(c *gin.Context) {
	c.JSON(http.StatusOK, s.openAPIDocument())
}
