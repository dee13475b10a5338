package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/compliance"
)

type checkInput struct {
	Text         string             `json:"text"`
	Jurisdiction string             `json:"jurisdiction"`
	Channel      string             `json:"channel"`
	Context      compliance.Context `json:"context"`
}

// maxCheckBytes is the screen's own limit: larger texts are 413, never truncated.
const maxCheckBytes = 64 * 1024

func (s *Server) checkCompliance(c *gin.Context) {
	var in checkInput
	if err := decode(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	if s.svc.Gate == nil {
		s.writeError(c, assistant.Errorf(assistant.EUNAVAILABLE, "the compliance gate is not configured"))
		return
	}
	v, err := s.svc.Gate.Check(compliance.Request{Text: in.Text, Jurisdiction: strings.ToUpper(in.Jurisdiction), Channel: in.Channel, Context: in.Context})
	var inputErr *compliance.InputError
	if errors.As(err, &inputErr) {
		status, code := http.StatusBadRequest, inputErr.Code
		if len(in.Text) > maxCheckBytes {
			status = http.StatusRequestEntityTooLarge
		}
		c.AbortWithStatusJSON(status, ErrorBody{Error: ErrorDetail{Code: code, Message: inputErr.Message, Field: inputField(code)}})
		return
	}
	if err != nil {
		s.writeError(c, assistant.Internal("httpapi.checkCompliance", err))
		return
	}
	c.JSON(http.StatusOK, v)
}

func inputField(code string) string {
	switch {
	case strings.Contains(code, "jurisdiction"):
		return "jurisdiction"
	case strings.Contains(code, "channel"):
		return "channel"
	}
	return "text"
}
