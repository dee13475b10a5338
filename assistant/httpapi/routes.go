package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// route is one API endpoint: who may call it, what it takes and returns (for the
// OpenAPI document), and its handler.
type route struct {
	Method   string
	Path     string
	Roles    []Role // nil: public
	Summary  string
	Request  string // schema name of the JSON body, if any
	Response string // schema name of the 2xx body
	Query    []string
	Handler  gin.HandlerFunc
}

var (
	public  []Role
	agents  = []Role{RoleAgent}
	readers = []Role{RoleAgent, RoleQA}
	// Agents and QA submit transcripts; only QA (and admin) work the flag queue.
	reviewers = []Role{RoleAgent, RoleQA}
	qa        = []Role{RoleQA}
	// widgetOnly routes take a widget token as the bearer, never an API key.
	widgetOnly = []Role{RoleWidget}
)

// apiRoutes is the whole API in one place.
func (s *Server) apiRoutes() []route {
	return []route{
		{http.MethodGet, "/healthz", public, "Process is up", "", "Status", nil, s.healthz},
		{http.MethodGet, "/readyz", public, "Store and engine are usable (503 with the reason otherwise)", "", "Status", nil, s.readyz},
		{http.MethodGet, "/metrics", public, "Prometheus metrics", "", "", nil, s.metricsHandler()},
		{http.MethodGet, "/openapi.json", public, "This document", "", "", nil, s.openAPI},

		{http.MethodPost, "/v1/compliance/check", agents, "Screen a text before it can be sent", "CheckRequest", "Verdict", nil, s.checkCompliance},
		{http.MethodPost, "/v1/analyze", agents, "Analyse a debtor message", "AnalyzeRequest", "Analysis", nil, s.analyze},

		{http.MethodPost, "/v1/cases", agents, "Create or update a case by external_id", "CaseInput", "Case", nil, s.upsertCase},
		{http.MethodGet, "/v1/cases", readers, "List cases", "", "CaseList", []string{"segment", "jurisdiction", "cursor", "limit"}, s.listCases},
		{http.MethodGet, "/v1/cases/:id", readers, "A case with its segment, risk tier, promises and plan", "", "Case", nil, s.getCase},
		{http.MethodPost, "/v1/cases/:id/events", agents, "Append an immutable history event", "EventInput", "Event", nil, s.appendEvent},
		{http.MethodGet, "/v1/cases/:id/events", readers, "A case's history, oldest first", "", "EventList", []string{"cursor", "limit"}, s.listEvents},
		{http.MethodGet, "/v1/cases/:id/history", readers, "The events most relevant to a query", "", "HistoryList", []string{"q", "k"}, s.searchHistory},
		{http.MethodGet, "/v1/cases/:id/similar", readers, "Cases elsewhere in the portfolio with similar history: what worked before", "", "SimilarList", []string{"q", "k"}, s.similarCases},

		{http.MethodPost, "/v1/cases/:id/drafts", agents, "Draft a screened reply (SSE with Accept: text/event-stream)", "DraftRequest", "Draft", nil, s.createDraft},
		{http.MethodGet, "/v1/drafts/:id", readers, "A draft", "", "Draft", nil, s.getDraft},
		{http.MethodPost, "/v1/drafts/:id/approve", agents, "Screen the final text again and place it in the outbox (422 with the verdict when refused)", "ApproveRequest", "Approval", nil, s.approveDraft},
		{http.MethodPost, "/v1/drafts/:id/reject", agents, "Reject a draft with a reason", "RejectRequest", "Draft", nil, s.rejectDraft},
		{http.MethodGet, "/v1/outbox", agents, "Approved, screened messages for the sending system", "", "OutboxList", []string{"cursor", "limit"}, s.listOutbox},

		{http.MethodPost, "/v1/transcripts", reviewers, "Review a call or chat: per-turn analysis and verdicts, findings, QA score, flag", "TranscriptRequest", "TranscriptReview", nil, s.reviewTranscript},
		{http.MethodGet, "/v1/transcripts/:id", qa, "A reviewed transcript with its findings, score and flag", "", "TranscriptReview", nil, s.getTranscript},
		{http.MethodGet, "/v1/qa/flags", qa, "Flagged transcripts with the spans to highlight, oldest first (status open by default)", "", "FlagList", []string{"status", "cursor", "limit"}, s.listFlags},
		{http.MethodPost, "/v1/qa/flags/:id/resolve", qa, "Confirm or dismiss an open flag (409 when already resolved)", "ResolveRequest", "Flag", nil, s.resolveFlag},

		{http.MethodPost, "/v1/cases/:id/widget-links", agents, "Issue a signed, expiring chat-widget link for one case (ttl 5m..7d, default 24h)", "WidgetLinkRequest", "WidgetLink", nil, s.createWidgetLink},
		{http.MethodPost, "/v1/cases/:id/widget-links/revoke", agents, "Revoke every chat-widget link issued for the case so far (links issued later work)", "", "WidgetRevocation", nil, s.revokeWidgetLinks},
		{http.MethodPost, "/v1/widget/messages", widgetOnly, "A debtor's chat message on the widget token's case: a screened reply, handoff, options (SSE with Accept: text/event-stream; 429 over 20 a minute)", "WidgetMessageRequest", "WidgetReply", nil, s.widgetMessage},
		{http.MethodOptions, "/v1/widget/messages", public, "CORS preflight of the widget route: 204 for an origin in PARLEY_WIDGET_ORIGINS, 403 otherwise", "", "", nil, s.widgetPreflight},
		{http.MethodGet, "/widget/", public, "The chat widget demo page (token in the URL fragment: #t=...)", "", "", nil, s.widgetAsset("index.html", "text/html; charset=utf-8")},
		{http.MethodGet, "/widget/widget.js", public, "The embeddable chat widget script", "", "", nil, s.widgetAsset("widget.js", "text/javascript; charset=utf-8")},
		{http.MethodGet, "/widget/widget.css", public, "The chat widget demo page's style sheet", "", "", nil, s.widgetAsset("widget.css", "text/css; charset=utf-8")},
		{http.MethodGet, "/qa/", public, "The QA console page: flags, transcripts with flagged spans highlighted, confirm/dismiss (its calls need a qa or admin key)", "", "", nil, s.qaAsset("index.html", "text/html; charset=utf-8")},
		{http.MethodGet, "/qa/qa.js", public, "The QA console script", "", "", nil, s.qaAsset("qa.js", "text/javascript; charset=utf-8")},
		{http.MethodGet, "/qa/qa.css", public, "The QA console style sheet", "", "", nil, s.qaAsset("qa.css", "text/css; charset=utf-8")},
	}
}
