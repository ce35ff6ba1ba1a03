package scenario

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is a bad file, or a run stopped by a limit: where the problem is
// and what to do about it. Every error [Parse] returns for the file's
// content is an *Error; an error of the underlying reader is wrapped in
// one, with Line 0. A file over one of its [Limits] is an *Error wrapping
// [ErrLimit] and the limit's own sentinel.
type Error struct {
	// File is the file's name as given to Parse.
	File string

	// Line is the 1-based line of the problem, or 0 when it concerns the
	// whole file (its size, a read error).
	Line int

	// Column is the 1-based byte column of Token, or of the end of the
	// line when something is missing; 0 when there is no line.
	Column int

	// Token is the offending token as written ("" when something is
	// missing).
	Token string

	// Msg says what is wrong, in words a scenario author can act on.
	Msg string

	// Err is the underlying error, if any: a policy's mode parser, the
	// settings validation ([inbox.ErrModeUnavailable]), a limit's
	// sentinel ([ErrTooLarge], [ErrTooManyDecisions], ...) or the reader's
	// error.
	Err error
}

// Error returns "file:line:column: message", with the token quoted when
// the message does not already show it.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if q := quote(e.Token); e.Token != "" && !strings.Contains(e.Msg, q) {
		fmt.Fprintf(&b, " (at %s)", q)
	}
	return b.String()
}

// quote returns s quoted for a message, cut to its first 40 bytes: a
// 4 KiB token helps nobody.
func quote(s string) string {
	const n = 40
	if len(s) > n {
		return strconv.Quote(s[:n]) + "…"
	}
	return strconv.Quote(s)
}

// Unwrap returns the underlying error, or nil.
func (e *Error) Unwrap() error { return e.Err }
