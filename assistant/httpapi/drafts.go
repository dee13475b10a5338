package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/assistant"
)

type draftInput struct {
	Message string `json:"message"`
	Channel string `json:"channel"`
	Goal    string `json:"goal"`
}

func wantsStream(c *gin.Context) bool {
	return strings.Contains(c.GetHeader("Accept"), "text/event-stream")
}

func (s *Server) createDraft(c *gin.Context) {
	var in draftInput
	if err := decode(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	req := assistant.DraftInput{CaseID: c.Param("id"), Message: in.Message, Channel: in.Channel, Goal: in.Goal}
	if wantsStream(c) {
		s.streamDraft(c, req)
		return
	}
	d, err := s.svc.Draft(c.Request.Context(), req)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

// streamDraft sends server-sent events: "delta" events carry screened text as it
// grows, "reset" tells the client to discard what it has (a fallback draft follows),
// and a final "draft" event carries the stored draft; "error" ends a failed stream.
func (s *Server) streamDraft(c *gin.Context, req assistant.DraftInput) {
	ev := newEventStream(c)
	d, err := s.svc.DraftStream(c.Request.Context(), req,
		func(delta string) error { return ev.send("delta", gin.H{"text": delta}) },
		func() error { return ev.send("reset", gin.H{}) })
	ev.finish(s, "draft", d, err)
}

// eventStream writes server-sent events; the 200 response starts with the first.
type eventStream struct {
	c       *gin.Context
	started bool
}

func newEventStream(c *gin.Context) *eventStream { return &eventStream{c: c} }

func (e *eventStream) send(event string, v any) error {
	w := e.c.Writer
	if !e.started {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		e.started = true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
		return err
	}
	w.Flush()
	return nil
}

// finish ends the stream with the final event carrying v, or with err: the usual
// JSON error when nothing was streamed yet, else an "error" event.
func (e *eventStream) finish(s *Server, final string, v any, err error) {
	if err != nil {
		if !e.started {
			s.writeError(e.c, err)
			return
		}
		_ = e.send("error", ErrorBody{Error: ErrorDetail{Code: assistant.ErrorCode(err), Message: assistant.ErrorMessage(err)}})
		return
	}
	_ = e.send(final, v)
}

type approveInput struct {
	Text   *string `json:"text"`
	SendAt string  `json:"send_at"`
}

func (s *Server) approveDraft(c *gin.Context) {
	var in approveInput
	if err := decodeOptional(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	req := assistant.ApproveInput{DraftID: c.Param("id"), Text: in.Text}
	if in.SendAt != "" {
		t, err := parseTime("send_at", in.SendAt)
		if err != nil {
			s.writeError(c, err)
			return
		}
		req.SendAt = &t
	}
	d, item, err := s.svc.Approve(c.Request.Context(), req)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": d.ID, "status": d.Status, "text": d.FinalText, "verdict": d.Verdict, "outbox_id": item.ID, "draft": d})
}

type rejectInput struct {
	Reason string `json:"reason"`
}

func (s *Server) rejectDraft(c *gin.Context) {
	var in rejectInput
	if err := decode(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	d, err := s.svc.Reject(c.Request.Context(), c.Param("id"), in.Reason)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *Server) getDraft(c *gin.Context) {
	d, err := s.svc.GetDraft(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *Server) listOutbox(c *gin.Context) {
	limit, err := queryInt(c, "limit", 50)
	if err != nil {
		s.writeError(c, err)
		return
	}
	page, err := s.svc.Outbox(c.Request.Context(), c.Query("cursor"), limit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}
