// Package httpapi turns the assistant Service into a gin HTTP API: one routes file
// (routes.go) shows the whole API; handlers decode, validate, call the service and
// encode, and every error takes the {"error": {"code", "message"}} shape.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/parley-dev/parley/assistant"
)

// Deps is what the server needs.
type Deps struct {
	Service *assistant.Service
	Logger  *slog.Logger
	// Keys are the accepted API keys; empty runs the server open (development).
	Keys []APIKey
	// Ready reports extra readiness problems (e.g. the engine), beyond the store.
	Ready func(ctx context.Context) error
	// Engine names the analysis and drafting engine in use ("builtin", "openai").
	Engine string
	// WidgetKey signs chat-widget tokens (at least WidgetKeyMinBytes); empty: a
	// random key, so tokens do not survive a restart.
	WidgetKey []byte
	// PublicURL is the service's external base URL for widget links
	// ("https://parley.example.com"); empty: links are relative ("/widget/#t=...").
	PublicURL string
	// WidgetOrigins are the exact origins ("https://shop.example.com") whose pages
	// may call POST /v1/widget/messages cross-origin (CORS); empty: same origin only.
	WidgetOrigins []string
	// Now is the clock for widget tokens and rate limits (tests); nil: time.Now.
	Now func() time.Time
}

// Server is the HTTP API.
type Server struct {
	svc     *assistant.Service
	logger  *slog.Logger
	keys    []APIKey
	ready   func(context.Context) error
	engine  string
	router  *gin.Engine
	metrics serverMetrics
	routes  []route

	widget    *widgetTokens
	limiter   *rateLimiter
	publicURL string
	clock     func() time.Time
	// widgetOrigins is the CORS allow-list of the widget message route.
	widgetOrigins map[string]bool
}

func (s *Server) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

type serverMetrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics() serverMetrics {
	reg := prometheus.NewRegistry()
	m := serverMetrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_http_requests_total", Help: "HTTP requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "parley_http_request_duration_seconds", Help: "HTTP request latency by method, route template and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
	}
	reg.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// NewServer builds the HTTP API around the service.
func NewServer(d Deps) *Server {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{svc: d.Service, logger: d.Logger, keys: d.Keys, ready: d.Ready, engine: d.Engine, metrics: newMetrics()}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	key := d.WidgetKey
	if len(key) == 0 {
		key = NewWidgetKey()
	}
	s.widget = &widgetTokens{key: key}
	s.limiter = newRateLimiter(widgetMessagesPerMinute, time.Minute)
	s.publicURL = strings.TrimRight(d.PublicURL, "/")
	s.clock = d.Now
	s.widgetOrigins = map[string]bool{}
	for _, o := range d.WidgetOrigins {
		s.widgetOrigins[o] = true
	}
	r := gin.New()
	r.ContextWithFallback = true
	r.HandleMethodNotAllowed = true
	r.Use(withRequestID, s.logRequests, s.measure, s.recoverPanics)
	r.NoRoute(func(c *gin.Context) {
		s.writeError(c, assistant.Errorf(assistant.ENOTFOUND, "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, ErrorBody{Error: ErrorDetail{Code: "method_not_allowed", Message: "method " + c.Request.Method + " is not allowed here"}})
	})
	s.routes = s.apiRoutes()
	for _, rt := range s.routes {
		r.Handle(rt.Method, rt.Path, s.authorize(rt.Roles), rt.Handler)
	}
	s.router = r
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// Routes lists the registered routes as "METHOD /path", for tests and docs.
func (s *Server) Routes() []string {
	var out []string
	for _, ri := range s.router.Routes() {
		out = append(out, ri.Method+" "+ri.Path)
	}
	return out
}

func (s *Server) metricsHandler() gin.HandlerFunc {
	h := promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
	return gin.WrapH(h)
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) readyz(c *gin.Context) {
	ctx := c.Request.Context()
	if err := s.svc.Ready(ctx); err != nil {
		// The cause (hosts, users) goes to the log, not to an unauthenticated client.
		s.logger.WarnContext(ctx, "store not ready", "err", err)
		c.JSON(http.StatusServiceUnavailable, ErrorBody{Error: ErrorDetail{Code: assistant.EUNAVAILABLE, Message: "store not ready"}})
		return
	}
	if s.ready != nil {
		if err := s.ready(ctx); err != nil {
			c.JSON(http.StatusServiceUnavailable, ErrorBody{Error: ErrorDetail{Code: assistant.EUNAVAILABLE, Message: err.Error()}})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "engine": s.engine})
}
