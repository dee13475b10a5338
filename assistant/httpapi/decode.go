package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/parley-dev/parley/assistant"
)

// maxBodyBytes bounds every request body; larger bodies are refused with 413.
const maxBodyBytes = 1 << 20

// decode reads one JSON object from the body into v, turning every failure into an
// error that names what was wrong.
func decode(c *gin.Context, v any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	if err != nil {
		return decodeError(err)
	}
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD; refuse it instead,
	// so what is screened and stored is exactly what was sent.
	if !utf8.Valid(raw) {
		return &assistant.Error{Code: "invalid_utf8", Field: "body", Message: "request body is not valid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return decodeError(err)
		}
		return assistant.Invalid("body", "request body must hold a single JSON object")
	}
	return nil
}

// decodeOptional is decode for endpoints whose body may be absent.
func decodeOptional(c *gin.Context, v any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	if err != nil {
		return decodeError(err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(raw))
	return decode(c, v)
}

func decodeError(err error) error {
	var (
		tooLarge  *http.MaxBytesError
		typeErr   *json.UnmarshalTypeError
		syntaxErr *json.SyntaxError
	)
	switch {
	case errors.As(err, &tooLarge):
		return &assistant.Error{Code: assistant.ETOOLARGE, Message: fmt.Sprintf("request body is larger than %d bytes", maxBodyBytes)}
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return assistant.Invalid(field, "%s must be a %s, not a JSON %s", field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return assistant.Invalid("body", "request body is not valid JSON: %v", err)
	case errors.Is(err, io.EOF):
		return assistant.Invalid("body", "request body is empty; a JSON object is required")
	}
	// Errors from custom unmarshalers (money, dates) carry their own explanation.
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	return assistant.Invalid("body", "%s", msg)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	}
	return "number"
}
