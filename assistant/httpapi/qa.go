package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/assistant"
)

type turnInput struct {
	Speaker string `json:"speaker"`
	Text    string `json:"text"`
	At      string `json:"at"`
}

type transcriptInput struct {
	CaseID       string      `json:"case_id"`
	Channel      string      `json:"channel"`
	Jurisdiction string      `json:"jurisdiction"`
	Direction    string      `json:"direction"`
	StartedAt    string      `json:"started_at"`
	Turns        []turnInput `json:"turns"`
}

// transcriptResponse is the review as the contract shows it: per-turn results,
// findings, score, and the flag (null when the call was not flagged).
type transcriptResponse struct {
	ID           string              `json:"id"`
	CaseID       string              `json:"case_id"`
	Channel      string              `json:"channel"`
	Jurisdiction string              `json:"jurisdiction"`
	Direction    string              `json:"direction"`
	StartedAt    time.Time           `json:"started_at,omitzero"`
	Turns        []transcriptTurn    `json:"turns"`
	Findings     []assistant.Finding `json:"findings"`
	Score        int                 `json:"score"`
	ScoreFormula string              `json:"score_formula"`
	Notes        []string            `json:"notes,omitempty"`
	Flag         *assistant.Flag     `json:"flag"`
	CreatedAt    time.Time           `json:"created_at"`
}

// transcriptTurn is one turn's result with the words it judged: the spans of the
// findings and the flag are rune offsets into Text, so a reviewer (the QA console)
// can show them in place.
type transcriptTurn struct {
	assistant.TurnResult
	Text string    `json:"text"`
	At   time.Time `json:"at,omitzero"`
}

func newTranscriptResponse(t *assistant.Transcript, f *assistant.Flag) transcriptResponse {
	turns := make([]transcriptTurn, len(t.Result.Turns))
	for i, r := range t.Result.Turns {
		turns[i].TurnResult = r
		if i < len(t.Turns) {
			turns[i].Text, turns[i].At = t.Turns[i].Text, t.Turns[i].At
		}
	}
	return transcriptResponse{
		ID: t.ID, CaseID: t.CaseID, Channel: t.Channel, Jurisdiction: t.Jurisdiction, Direction: t.Direction,
		StartedAt: t.StartedAt, Turns: turns, Findings: t.Result.Findings, Score: t.Result.Score,
		ScoreFormula: assistant.ScoreFormula, Notes: t.Result.Notes, Flag: f, CreatedAt: t.CreatedAt,
	}
}

func (s *Server) reviewTranscript(c *gin.Context) {
	var in transcriptInput
	if err := decode(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	started, err := parseTime("started_at", in.StartedAt)
	if err != nil {
		s.writeError(c, err)
		return
	}
	// Counted before parsing times, so a huge list is refused without the work.
	if len(in.Turns) > assistant.MaxTranscriptTurns {
		s.writeError(c, assistant.Invalid("turns", "a transcript has at most %d turns; split longer ones", assistant.MaxTranscriptTurns))
		return
	}
	req := assistant.TranscriptInput{
		CaseID: in.CaseID, Channel: in.Channel, Jurisdiction: in.Jurisdiction, Direction: in.Direction,
		StartedAt: started, Turns: make([]assistant.Turn, len(in.Turns)),
	}
	for i, t := range in.Turns {
		at, err := parseTime(fmt.Sprintf("turns[%d].at", i), t.At)
		if err != nil {
			s.writeError(c, err)
			return
		}
		req.Turns[i] = assistant.Turn{Speaker: t.Speaker, Text: t.Text, At: at}
	}
	tr, flag, err := s.svc.ReviewTranscript(c.Request.Context(), req)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, newTranscriptResponse(tr, flag))
}

func (s *Server) getTranscript(c *gin.Context) {
	ctx := c.Request.Context()
	tr, err := s.svc.GetTranscript(ctx, c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	var flag *assistant.Flag
	if tr.FlagID != "" {
		if flag, err = s.svc.GetFlag(ctx, tr.FlagID); err != nil {
			s.writeError(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, newTranscriptResponse(tr, flag))
}

func (s *Server) listFlags(c *gin.Context) {
	limit, err := queryInt(c, "limit", 50)
	if err != nil {
		s.writeError(c, err)
		return
	}
	page, err := s.svc.ListFlags(c.Request.Context(), assistant.FlagFilter{Status: c.Query("status"), Cursor: c.Query("cursor"), Limit: limit})
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

type resolveInput struct {
	Decision string `json:"decision"`
	Note     string `json:"note"`
}

func (s *Server) resolveFlag(c *gin.Context) {
	var in resolveInput
	if err := decode(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	f, err := s.svc.ResolveFlag(c.Request.Context(), c.Param("id"), in.Decision, in.Note)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, f)
}
