package gate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// Error is a refusal the caller can act on: an HTTP status, a stable code,
// a message, and the field of the request at fault, if one is. Handlers
// return it (or an SDK or store error, which [classify] maps) and one
// place writes it.
type Error struct {
	Status  int
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string { return e.Message }

func badInput(field, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "bad_input", Message: msg, Field: field}
}

func forbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: msg}
}

// fieldError marks the field an SDK or store error is about.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

func inField(field string, err error) error {
	if err == nil {
		return nil
	}
	return &fieldError{field, err}
}

// Statuses beyond net/http's names: a client that went away.
const statusClientClosed = 499

// classify is the one mapping from an error to what the caller is told:
// the caller's mistakes are 4xx naming the field, conflicts 409, and only
// an unavailable database 503. Anything else is a bug or corrupt data,
// 500.
func classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	field := ""
	var fe *fieldError
	if errors.As(err, &fe) {
		field = fe.field
	}
	out := func(status int, code, msg string) *Error {
		return &Error{Status: status, Code: code, Message: msg, Field: field}
	}
	switch {
	case errors.Is(err, ErrUnauthenticated):
		return out(http.StatusUnauthorized, "unauthenticated", err.Error())
	case errors.Is(err, graph.ErrUnknownUser), errors.Is(err, privacy.ErrUnknownUser):
		return out(http.StatusNotFound, "unknown_user", "unknown user")
	case errors.Is(err, inbox.ErrModeUnavailable):
		return out(http.StatusUnprocessableEntity, "mode_unavailable", err.Error())
	case errors.Is(err, graph.ErrSelfEdge), errors.Is(err, inbox.ErrSelf):
		return out(http.StatusUnprocessableEntity, "self", "a relation of a user with themselves")
	case errors.Is(err, graph.ErrInvalidUser):
		return out(http.StatusUnprocessableEntity, "invalid_user", err.Error())
	case errors.Is(err, graph.ErrRawNumber):
		return out(http.StatusUnprocessableEntity, "raw_number", "a contact key must be a hash, not a phone number")
	case errors.Is(err, inbox.ErrInvalidMode), errors.Is(err, inbox.ErrInvalidRoute):
		return out(http.StatusUnprocessableEntity, "invalid_mode", err.Error())
	case errors.Is(err, graph.ErrBadCursor):
		return out(http.StatusBadRequest, "bad_input", "the cursor is not one this service issued")
	case errors.Is(err, postgres.ErrInvalidInput):
		return out(http.StatusBadRequest, "bad_input", err.Error())
	case errors.Is(err, inbox.ErrNoRequest):
		return out(http.StatusConflict, "no_request", "no pending or held request from that sender")
	case errors.Is(err, postgres.ErrConflict):
		return out(http.StatusConflict, "conflict", "the write collided with another; try again")
	case errors.Is(err, context.Canceled):
		return out(statusClientClosed, "canceled", "the request was canceled")
	case errors.Is(err, postgres.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return out(http.StatusServiceUnavailable, "unavailable", "the database is unavailable; try again later")
	}
	return out(http.StatusInternalServerError, "internal", "internal error")
}

// errorJSON is an error on the wire.
type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) json() errorJSON {
	msg := e.Message
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return errorJSON{Code: e.Code, Message: msg, Field: e.Field}
}

// limiter bounds how many lines of one kind a log gets: at most burst per
// interval, and the next line it lets through says how many it held back.
// During an outage the log says "the database is unavailable" a few times
// a minute, with counts, rather than once per request.
type limiter struct {
	mu         sync.Mutex
	interval   time.Duration
	burst      int
	start      time.Time
	n          int
	suppressed int
}

// allow reports whether a line may be logged at now, and how many were
// suppressed since the last one that was.
func (l *limiter) allow(now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) >= l.interval {
		l.start, l.n = now, 0
	}
	if l.n >= l.burst {
		l.suppressed++
		return false, 0
	}
	l.n++
	s := l.suppressed
	l.suppressed = 0
	return true, s
}

// logError logs a failure the operator must see (an outage, a bug) at
// ERROR, rate-limited; caller mistakes are logged at DEBUG.
func (g *Gate) logError(r *http.Request, e *Error, err error) {
	ctx := r.Context()
	switch {
	case e.Status >= 500:
		ok, suppressed := g.errLimit.allow(time.Now())
		if !ok {
			return
		}
		attrs := []any{"route", r.Pattern, "status", e.Status, "err", err}
		if suppressed > 0 {
			attrs = append(attrs, "suppressed", suppressed)
		}
		g.log.ErrorContext(ctx, "request failed", attrs...)
	case e.Status == http.StatusForbidden:
		g.log.InfoContext(ctx, "refused", "route", r.Pattern, "status", e.Status, "err", err)
	default:
		g.log.DebugContext(ctx, "caller error", "route", r.Pattern, "status", e.Status, "err", err)
	}
}

var _ = slog.LevelDebug
var _ = fmt.Sprint
