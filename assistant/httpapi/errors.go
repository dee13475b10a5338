package httpapi

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/assistant"
)

// statusByCode is the one table mapping application error codes to HTTP statuses.
var statusByCode = map[string]int{
	assistant.EINVALID:      http.StatusBadRequest,
	assistant.EUNAUTHORIZED: http.StatusUnauthorized,
	assistant.EFORBIDDEN:    http.StatusForbidden,
	assistant.ENOTFOUND:     http.StatusNotFound,
	assistant.ECONFLICT:     http.StatusConflict,
	assistant.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	assistant.EBLOCKED:      http.StatusUnprocessableEntity,
	assistant.EUNAVAILABLE:  http.StatusServiceUnavailable,
	assistant.ERATELIMITED:  http.StatusTooManyRequests,
	assistant.EINTERNAL:     http.StatusInternalServerError,
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail carries a stable snake_case code and a human message.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeError renders err; internal errors are logged with their cause and shown to
// the client only as "internal error".
func (s *Server) writeError(c *gin.Context, err error) {
	// A refusal by the screen carries the verdict, so the agent sees every violation.
	var blocked *assistant.BlockedError
	if errors.As(err, &blocked) {
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{
			"error":   ErrorDetail{Code: assistant.EBLOCKED, Message: "the text was refused by the compliance screen; see verdict"},
			"verdict": blocked.Verdict,
		})
		return
	}
	code := assistant.ErrorCode(err)
	status, ok := statusByCode[code]
	if !ok {
		status = http.StatusBadRequest
	}
	detail := ErrorDetail{Code: code, Message: assistant.ErrorMessage(err)}
	var e *assistant.Error
	if errors.As(err, &e) {
		detail.Field = e.Field
	}
	if status >= 500 {
		s.logger.ErrorContext(c.Request.Context(), "request failed", "request_id", requestID(c), "code", code, "err", err)
	}
	c.AbortWithStatusJSON(status, ErrorBody{Error: detail})
}
