package camera

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the api package; nothing else
// should need to know about statuses.
const (
	EINVALID      = "invalid"      // bad input: a field, a row, a parameter
	ENOTFOUND     = "not_found"    // no such camera, token, incident, ...
	ECONFLICT     = "conflict"     // the thing already exists
	EUNAUTHORIZED = "unauthorized" // no token, or an unknown one
	EFORBIDDEN    = "forbidden"    // the token's role may not do this
	ETOOLARGE     = "too_large"    // a body or upload over its limit
	EUNAVAILABLE  = "unavailable"  // a dependency (a camera, the store) cannot serve now
	ETOOMANY      = "too_many"     // too many failed attempts from one client: wait and try again
	ETIMEOUT      = "timeout"      // a request body that arrived too slowly
	EINTERNAL     = "internal"     // a bug or an I/O failure
)

// Error is the domain error: a code, the field (or row, or parameter) at
// fault when there is one, and a message meant for the person who sent the
// input. Messages are lowercase, without final punctuation.
type Error struct {
	Code    string
	Field   string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an *Error with the given code and field and a formatted
// message.
func Errorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorField returns the field named by the first *Error in err's chain.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorMessage returns the human message of the first *Error in err's chain,
// or a generic text for internal errors, whose details belong in the log and
// not in a response.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}
