package pos

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// RequestError is an error with an HTTP status and a stable code for the API's error body
// {"error":{"code","message"}}. Line is the offending line's index where there is one.
type RequestError struct {
	Status  int
	Code    string
	Message string
	Line    *int
	// Name is the product of the offending line, when the agent knows it (an inactive item, one
	// sold by weight), so a screen can say which item without parsing Message.
	Name string
}

func (e *RequestError) Error() string { return e.Message }

func reqErr(status int, code, format string, args ...any) *RequestError {
	return &RequestError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func unprocessable(code, format string, args ...any) *RequestError {
	return reqErr(http.StatusUnprocessableEntity, code, format, args...)
}

func badRequest(format string, args ...any) *RequestError {
	return reqErr(http.StatusBadRequest, "bad_request", format, args...)
}

func lineErr(i int, code, format string, args ...any) *RequestError {
	e := unprocessable(code, "lines[%d]: "+format, append([]any{i}, args...)...)
	e.Line = &i
	return e
}

// named sets the offending line's product name.
func (e *RequestError) named(name string) *RequestError {
	e.Name = name
	return e
}

// ErrConflict is returned when an id is reused with a different body.
var errConflict = reqErr(http.StatusConflict, "conflict", "this id was already used with a different body")

// asRequestError maps an error to what the API answers: request errors as they are, a full disk as
// 503 storage_full, anything else as 500.
func asRequestError(err error) *RequestError {
	var re *RequestError
	if errors.As(err, &re) {
		return re
	}
	if errors.Is(err, outbox.ErrTooLarge) {
		return unprocessable("too_large", "nothing was stored: %v", err)
	}
	if db.IsStorageFull(err) {
		return reqErr(http.StatusServiceUnavailable, "storage_full", "the store PC's disk is full: nothing was stored; free space and retry")
	}
	// The cause (often SQL text) goes to the log, never to the client.
	slog.Default().Error("internal error answered 500", "err", err)
	return reqErr(http.StatusInternalServerError, "internal", "internal error; the agent's log has the details")
}
