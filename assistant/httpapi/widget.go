package httpapi

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/assistant"
)

// Widget links: an agent issues a signed, expiring token scoped to one case; the
// debtor's browser holds it (in the URL fragment, which never reaches a server log)
// and sends it as the bearer of POST /v1/widget/messages, the one route it opens.

const (
	// WidgetTokenPrefix marks widget tokens, so a token sent to any other route is
	// refused without being mistaken for an API key, and secret scanners find them.
	// An API key may not start with it: it could never authenticate.
	WidgetTokenPrefix = "pw1."
	widgetTokenPrefix = WidgetTokenPrefix
	// widgetTokenMAC is the domain separator of the signature.
	widgetTokenMAC = "parley widget token v1\x00"

	widgetDefaultTTL = 24 * time.Hour
	widgetMinTTL     = 5 * time.Minute
	widgetMaxTTL     = 7 * 24 * time.Hour

	// widgetMessagesPerMinute bounds what one token may send: a person types far
	// less, and every message costs an analysis, a draft and two screenings.
	widgetMessagesPerMinute = 20
	// WidgetKeyMinBytes is the shortest accepted signing key.
	WidgetKeyMinBytes = 32
)

// widgetClaims is what a widget token says: the case it opens, until when, a random
// id that names the token (rate limits, logs, the case's audit) without revealing it,
// and the case's widget epoch when it was issued: revoking a case's links advances
// the epoch, and a token from an earlier epoch no longer opens the chat. The epoch is
// omitted while it is 0, so a token issued before links could be revoked (it has no
// epoch claim) reads as epoch 0: it works until its expiry unless its case's links
// are revoked.
type widgetClaims struct {
	CaseID string `json:"c"`
	Exp    int64  `json:"e"`
	ID     string `json:"n"`
	Epoch  int64  `json:"v,omitempty"`
}

// widgetTokens signs and verifies widget tokens with HMAC-SHA256.
type widgetTokens struct {
	key []byte
}

// NewWidgetKey returns a random signing key, for when none is configured (tokens
// then do not survive a restart).
func NewWidgetKey() []byte {
	key := make([]byte, WidgetKeyMinBytes)
	if _, err := rand.Read(key); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported systems
	}
	return key
}

func (w *widgetTokens) mac(payload string) []byte {
	m := hmac.New(sha256.New, w.key)
	m.Write([]byte(widgetTokenMAC))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// newWidgetTokenID returns the random id of a new token.
func newWidgetTokenID() (string, error) {
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(nonce[:]), nil
}

// sign issues a token with claims.
func (w *widgetTokens) sign(claims widgetClaims) (string, error) {
	raw, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(raw)
	return widgetTokenPrefix + payload + "." + base64.RawURLEncoding.EncodeToString(w.mac(payload)), nil
}

// verify checks the signature first, then the expiry; every failure is EUNAUTHORIZED.
func (w *widgetTokens) verify(token string, now time.Time) (widgetClaims, error) {
	invalid := assistant.Errorf(assistant.EUNAUTHORIZED, "invalid widget token")
	rest, ok := strings.CutPrefix(token, widgetTokenPrefix)
	if !ok {
		return widgetClaims{}, invalid
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return widgetClaims{}, invalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, w.mac(payload)) {
		return widgetClaims{}, invalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return widgetClaims{}, invalid
	}
	var claims widgetClaims
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&claims); err != nil || claims.CaseID == "" || claims.ID == "" || claims.Epoch < 0 {
		return widgetClaims{}, invalid
	}
	if !now.Before(time.Unix(claims.Exp, 0)) {
		return widgetClaims{}, assistant.Errorf(assistant.EUNAUTHORIZED, "widget token expired; ask for a new link")
	}
	return claims, nil
}

// rateLimiter allows limit events per window and key (a sliding log: at most limit
// timestamps per key). It lives in the process: with several replicas each allows
// the limit, which still bounds a token to a small multiple of it.
type rateLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	hits   map[string][]time.Time
	calls  int
}

func newRateLimiter(limit int, window time.Duration) *rateLimiter {
	return &rateLimiter{limit: limit, window: window, hits: map[string][]time.Time{}}
}

// allow records an event for key at now, or says how long to wait.
func (l *rateLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := now.Add(-l.window)
	ts := l.hits[key]
	i := 0
	for i < len(ts) && !ts[i].After(cut) {
		i++
	}
	ts = ts[i:]
	if len(ts) >= l.limit {
		l.hits[key] = ts
		return false, ts[0].Add(l.window).Sub(now)
	}
	l.hits[key] = append(ts, now)
	if l.calls++; l.calls%1024 == 0 {
		for k, v := range l.hits { // forget idle keys so the map stays small
			if len(v) == 0 || !v[len(v)-1].After(cut) {
				delete(l.hits, k)
			}
		}
	}
	return true, 0
}

// authorizeWidget admits only a valid widget token whose case's links were not
// revoked since it was issued: an API key, even an admin's, does not open the widget
// route.
func (s *Server) authorizeWidget(c *gin.Context) {
	s.widgetCORS(c) // before any answer, so a page on an allowed origin can read errors too
	key, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok || key == "" {
		s.writeError(c, assistant.Errorf(assistant.EUNAUTHORIZED, "missing bearer widget token"))
		return
	}
	if !strings.HasPrefix(key, widgetTokenPrefix) {
		s.writeError(c, assistant.Errorf(assistant.EUNAUTHORIZED, "this route takes a widget token, not an API key"))
		return
	}
	claims, err := s.widget.verify(key, s.now())
	if err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.svc.CheckWidgetLink(c.Request.Context(), claims.CaseID, claims.Epoch); err != nil {
		s.writeError(c, err)
		return
	}
	c.Set("role", string(RoleWidget))
	c.Set("widget_case", claims.CaseID)
	c.Set("widget_token", claims.ID)
	c.Next()
}

// widgetCORS lets a page on an allowed origin (PARLEY_WIDGET_ORIGINS, exact match)
// read the widget route's answers. Only the origin asked about is echoed, never a
// wildcard, and no credentials are allowed: the widget token travels in
// Authorization, never in a cookie.
func (s *Server) widgetCORS(c *gin.Context) bool {
	h := c.Writer.Header()
	h.Add("Vary", "Origin")
	origin := c.GetHeader("Origin")
	if origin == "" || !s.widgetOrigins[origin] {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "Retry-After, X-Request-ID")
	return true
}

// widgetPreflight answers a browser's CORS preflight for the widget route: 204 with
// the allowed method and headers for an allowed origin, 403 otherwise.
func (s *Server) widgetPreflight(c *gin.Context) {
	if !s.widgetCORS(c) {
		s.writeError(c, assistant.Errorf(assistant.EFORBIDDEN, "origin not allowed to call the widget route (PARLEY_WIDGET_ORIGINS)"))
		return
	}
	h := c.Writer.Header()
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept")
	h.Set("Access-Control-Max-Age", "600")
	c.Status(http.StatusNoContent)
}

type widgetLinkInput struct {
	TTL string `json:"ttl"`
}

// parseTTL reads a Go duration ("30m", "24h") or whole days ("7d").
func parseTTL(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return widgetDefaultTTL, nil
	}
	bad := assistant.Invalid("ttl", "ttl must be a duration such as 30m, 24h or 7d")
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 366 {
			return 0, bad
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, bad
		}
	}
	if d < widgetMinTTL || d > widgetMaxTTL {
		return 0, assistant.Invalid("ttl", "ttl must be between 5m and 7d (168h)")
	}
	return d, nil
}

// createWidgetLink issues a widget link for one case.
func (s *Server) createWidgetLink(c *gin.Context) {
	var in widgetLinkInput
	if err := decodeOptional(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	ttl, err := parseTTL(in.TTL)
	if err != nil {
		s.writeError(c, err)
		return
	}
	exp := s.now().Add(ttl).UTC().Truncate(time.Second)
	tokenID, err := newWidgetTokenID()
	if err != nil {
		s.writeError(c, assistant.Internal("httpapi.createWidgetLink", err))
		return
	}
	cs, err := s.svc.WidgetLink(c.Request.Context(), c.Param("id"), tokenID, exp)
	if err != nil {
		s.writeError(c, err)
		return
	}
	claims := widgetClaims{CaseID: cs.ID, Exp: exp.Unix(), ID: tokenID, Epoch: cs.WidgetEpoch}
	token, err := s.widget.sign(claims)
	if err != nil {
		s.writeError(c, assistant.Internal("httpapi.createWidgetLink", err))
		return
	}
	// The token id names the link in logs; the token itself is never logged.
	s.logger.InfoContext(c.Request.Context(), "widget link issued", "request_id", requestID(c), "case_id", cs.ID, "token_id", claims.ID, "expires_at", exp)
	c.JSON(http.StatusCreated, gin.H{
		"token": token, "url": s.publicURL + "/widget/#t=" + token,
		"expires_at": exp, "case_id": cs.ID,
	})
}

// revokeWidgetLinks revokes every widget link issued for one case so far.
func (s *Server) revokeWidgetLinks(c *gin.Context) {
	cs, err := s.svc.RevokeWidgetLinks(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.logger.InfoContext(c.Request.Context(), "widget links revoked", "request_id", requestID(c), "case_id", cs.ID)
	c.JSON(http.StatusOK, gin.H{"case_id": cs.ID, "revoked_at": s.now().UTC().Truncate(time.Second)})
}

type widgetMessageInput struct {
	Text string `json:"text"`
}

// widgetMessage answers a debtor's message on the token's case.
func (s *Server) widgetMessage(c *gin.Context) {
	if ok, wait := s.limiter.allow(c.GetString("widget_token"), s.now()); !ok {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.writeError(c, assistant.Errorf(assistant.ERATELIMITED, "too many messages: at most %d a minute; please wait a moment", widgetMessagesPerMinute))
		return
	}
	var in widgetMessageInput
	if err := decode(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	req := assistant.WidgetInput{CaseID: c.GetString("widget_case"), Text: in.Text}
	if wantsStream(c) {
		ev := newEventStream(c)
		r, err := s.svc.WidgetMessageStream(c.Request.Context(), req,
			func(delta string) error { return ev.send("delta", gin.H{"text": delta}) },
			func() error { return ev.send("reset", gin.H{}) })
		ev.finish(s, "reply", r, err)
		return
	}
	r, err := s.svc.WidgetMessage(c.Request.Context(), req)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

//go:embed widget
var widgetAssets embed.FS

// widgetCSP keeps the page to its own script, style sheet and API: no inline script
// or style, no CDN.
const widgetCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (s *Server) widgetAsset(name, contentType string) gin.HandlerFunc {
	body, err := widgetAssets.ReadFile("widget/" + name)
	if err != nil {
		panic(fmt.Sprintf("httpapi: embedded widget asset %s: %v", name, err))
	}
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", widgetCSP)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		c.Data(http.StatusOK, contentType, body)
	}
}
