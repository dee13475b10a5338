package assistant

import (
	"errors"
	"fmt"
)

// Error codes form a list that only grows; HTTP maps each to one status.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid_request"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOLARGE     = "payload_too_large"
	EUNAVAILABLE  = "unavailable"
	EBLOCKED      = "blocked_by_compliance"
	ERATELIMITED  = "rate_limited"
)

// Error is an application error with a stable code and a message safe to show users.
type Error struct {
	Code    string
	Message string
	// Field names the offending request field for validation errors.
	Field string
	// Op names the operation that failed, for logs ("retrieval/postgres.GetCase").
	Op  string
	Err error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports a validation failure on one request field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected error; its message never reaches users.
func Internal(op string, err error) *Error {
	return &Error{Code: EINTERNAL, Op: op, Message: "internal error", Err: err}
}

// ErrorCode returns the code of an application error, EINTERNAL for anything else.
func ErrorCode(err error) string {
	var (
		e *Error
		b *BlockedError
	)
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	} else if errors.As(err, &b) {
		return EBLOCKED
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message; unknown errors become "internal error".
func ErrorMessage(err error) string {
	var (
		e *Error
		b *BlockedError
	)
	if err == nil {
		return ""
	} else if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	} else if errors.As(err, &b) {
		return b.Error()
	}
	return "internal error"
}
