package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/assistant"
)

// caseInput is what a client may send for a case; derived fields are Parley's.
type caseInput struct {
	ExternalID   string           `json:"external_id"`
	Debtor       assistant.Debtor `json:"debtor"`
	Jurisdiction string           `json:"jurisdiction"`
	Creditor     string           `json:"creditor"`
	Balance      *assistant.Money `json:"balance"`
	DueDate      string           `json:"due_date"`
	DaysPastDue  int              `json:"days_past_due"`
	Flags        assistant.Flags  `json:"flags"`
}

// parseTime accepts RFC 3339 times and plain dates (2026-12-10, taken as UTC midnight).
func parseTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, assistant.Invalid(field, "%s must be an RFC 3339 time or a YYYY-MM-DD date", field)
}

func (s *Server) upsertCase(c *gin.Context) {
	var in caseInput
	if err := decode(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	if in.Balance == nil {
		s.writeError(c, assistant.Invalid("balance", `balance is required, e.g. {"amount": "1234.50", "currency": "CNY"}`))
		return
	}
	due, err := parseTime("due_date", in.DueDate)
	if err != nil {
		s.writeError(c, err)
		return
	}
	kase := &assistant.Case{
		ExternalID: in.ExternalID, Debtor: in.Debtor, Jurisdiction: strings.ToUpper(in.Jurisdiction),
		Creditor: in.Creditor, Balance: *in.Balance, DueDate: due, DaysPastDue: in.DaysPastDue, Flags: in.Flags,
	}
	stored, created, err := s.svc.UpsertCase(c.Request.Context(), kase)
	if err != nil {
		s.writeError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, stored)
}

func (s *Server) getCase(c *gin.Context) {
	kase, err := s.svc.GetCase(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, kase)
}

func queryInt(c *gin.Context, name string, def int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, assistant.Invalid(name, "%s must be a non-negative integer", name)
	}
	return n, nil
}

func (s *Server) listCases(c *gin.Context) {
	limit, err := queryInt(c, "limit", 50)
	if err != nil {
		s.writeError(c, err)
		return
	}
	page, err := s.svc.ListCases(c.Request.Context(), assistant.CaseFilter{
		Segment: assistant.Segment(c.Query("segment")), Jurisdiction: c.Query("jurisdiction"),
		Cursor: c.Query("cursor"), Limit: limit,
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

type eventInput struct {
	Kind      string           `json:"kind"`
	Direction string           `json:"direction"`
	Channel   string           `json:"channel"`
	Text      string           `json:"text"`
	Amount    *assistant.Money `json:"amount"`
	At        string           `json:"at"`
}

func (s *Server) appendEvent(c *gin.Context) {
	var in eventInput
	if err := decode(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	at, err := parseTime("at", in.At)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ev, err := s.svc.AppendEvent(c.Request.Context(), &assistant.Event{
		CaseID: c.Param("id"), Kind: assistant.EventKind(in.Kind), Direction: in.Direction,
		Channel: in.Channel, Text: in.Text, Amount: in.Amount, At: at,
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, ev)
}

func (s *Server) listEvents(c *gin.Context) {
	limit, err := queryInt(c, "limit", 50)
	if err != nil {
		s.writeError(c, err)
		return
	}
	page, err := s.svc.ListEvents(c.Request.Context(), c.Param("id"), c.Query("cursor"), limit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

func (s *Server) searchHistory(c *gin.Context) {
	k, err := queryInt(c, "k", 5)
	if err != nil {
		s.writeError(c, err)
		return
	}
	hits, err := s.svc.SearchHistory(c.Request.Context(), c.Param("id"), c.Query("q"), k)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": hits, "next_cursor": ""})
}

type analyzeInput struct {
	Text     string `json:"text"`
	Language string `json:"language"`
	Timezone string `json:"timezone"`
}

func (s *Server) analyze(c *gin.Context) {
	var in analyzeInput
	if err := decode(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	if in.Timezone != "" {
		if _, err := time.LoadLocation(in.Timezone); err != nil {
			s.writeError(c, assistant.Invalid("timezone", "timezone %q is not an IANA time zone", in.Timezone))
			return
		}
	}
	a, err := s.svc.Analyze(c.Request.Context(), assistant.AnalyzeRequest{Text: in.Text, Language: in.Language, Timezone: in.Timezone})
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (s *Server) similarCases(c *gin.Context) {
	k, err := queryInt(c, "k", 5)
	if err != nil {
		s.writeError(c, err)
		return
	}
	hits, err := s.svc.SimilarCases(c.Request.Context(), c.Param("id"), c.Query("q"), k)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": hits, "next_cursor": ""})
}
