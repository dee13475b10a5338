package httpapi

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/assistant"
)

const requestIDHeader = "X-Request-ID"

func requestID(c *gin.Context) string { return c.GetString("request_id") }

// withRequestID takes a sane client-supplied id or makes one, for logs and replies.
func withRequestID(c *gin.Context) {
	id := c.GetHeader(requestIDHeader)
	if id == "" || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set("request_id", id)
	c.Header(requestIDHeader, id)
	c.Next()
}

// logRequests writes one structured line per request: never bodies, never keys.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.logger.InfoContext(c.Request.Context(), "request",
		"request_id", requestID(c), "method", c.Request.Method, "route", route,
		"status", c.Writer.Status(), "duration_ms", float64(time.Since(start).Microseconds())/1000,
		"role", c.GetString("role"))
}

// measure records request counts and latencies by route template (never raw paths,
// which would explode label cardinality with ids).
func (s *Server) measure(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := strconv.Itoa(c.Writer.Status())
	s.metrics.requests.WithLabelValues(c.Request.Method, route, status).Inc()
	s.metrics.latency.WithLabelValues(c.Request.Method, route, status).Observe(time.Since(start).Seconds())
}

// recoverPanics turns a panic into a 500 with the usual error body and no stack.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.ErrorContext(c.Request.Context(), "panic recovered", "request_id", requestID(c), "route", c.FullPath(), "panic", v)
			s.writeError(c, assistant.Errorf(assistant.EINTERNAL, "internal error"))
		}
	}()
	c.Next()
}

// Role is what an API key may do.
type Role string

// Roles: agents draft and screen; QA reviews transcripts and flags and reads cases;
// admin may do everything.
const (
	RoleAgent Role = "agent"
	RoleQA    Role = "qa"
	RoleAdmin Role = "admin"
	// RoleWidget is a debtor holding a widget token; no API key has it.
	RoleWidget Role = "widget"
)

// APIKey pairs a secret with its role.
type APIKey struct {
	Role Role
	Key  string
}

// authorize checks the bearer key against the configured keys and the route's roles.
// With no keys configured the server runs open, for local development only.
// A widget route takes only a widget token, and a widget token opens nothing else,
// open mode included.
func (s *Server) authorize(roles []Role) gin.HandlerFunc {
	if slices.Equal(roles, widgetOnly) {
		return s.authorizeWidget
	}
	return func(c *gin.Context) {
		if key, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer "); ok && roles != nil && strings.HasPrefix(key, widgetTokenPrefix) {
			s.writeError(c, assistant.Errorf(assistant.EUNAUTHORIZED, "a widget token opens only POST /v1/widget/messages"))
			return
		}
		if len(s.keys) == 0 || roles == nil {
			c.Next()
			return
		}
		key, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if !ok || key == "" {
			s.writeError(c, assistant.Errorf(assistant.EUNAUTHORIZED, "missing bearer API key"))
			return
		}
		role, found := Role(""), false
		for _, k := range s.keys {
			// Compare every key in constant time so timing says nothing about keys.
			if subtle.ConstantTimeCompare([]byte(k.Key), []byte(key)) == 1 {
				role, found = k.Role, true
			}
		}
		if !found {
			s.writeError(c, assistant.Errorf(assistant.EUNAUTHORIZED, "unknown API key"))
			return
		}
		c.Set("role", string(role))
		if role != RoleAdmin && !slices.Contains(roles, role) {
			s.writeError(c, assistant.Errorf(assistant.EFORBIDDEN, "the %s role may not %s %s", role, c.Request.Method, c.FullPath()))
			return
		}
		c.Next()
	}
}
