package scenario

import (
	"errors"
	"fmt"
	"time"
)

// Limits bound what one file may cost, so that a file from anywhere (a web
// form, a pull request) is refused quickly instead of running for minutes:
// [Parse] refuses a file over Bytes, Users, Statements or Decisions with an
// [*Error] at the line that crossed the limit, before anything runs, and
// [File.Run] stops a run that outlasts Time. The zero Limits means the
// defaults below; a negative field (Bytes aside) means no limit of that
// kind, for trusted files of one's own.
//
// Reading a file costs memory in proportion to its size, and running it
// time in proportion to its statements and its decisions: a reach line
// decides once for every user declared before it, so a file of many users
// and many reach lines asks for users × lines decisions, which Decisions
// bounds.
type Limits struct {
	// Bytes is the largest file, in bytes; zero, a negative value or more
	// than MaxFileSize mean MaxFileSize, which no file may exceed.
	Bytes int64

	// Users is the most users a file may declare; zero means
	// DefaultMaxUsers.
	Users int

	// Statements is the most statements a file may have (every line but
	// blank and comment lines); zero means DefaultMaxStatements.
	Statements int

	// Decisions is the most decisions the checks of a file may ask the
	// engine for in all, as [File.Decisions] counts them; zero means
	// DefaultMaxDecisions.
	Decisions int

	// Time is the longest one run of a file may take; zero means
	// DefaultRunTime.
	Time time.Duration
}

// Defaults of [Limits]: at most about a second of work on the in-memory
// stores, and memory in proportion to the file.
const (
	DefaultMaxUsers      = 10_000
	DefaultMaxStatements = 200_000
	DefaultMaxDecisions  = 1_000_000
	DefaultRunTime       = time.Minute
)

// Errors a bad file's [*Error] wraps when the file is over one of its
// [Limits]. Each wraps [ErrLimit], so one errors.Is(err, ErrLimit) tells a
// file that is too big or too costly from one that is wrong.
var (
	// ErrLimit is wrapped by every error about a limit.
	ErrLimit = errors.New("scenario: over a limit")

	// ErrTooLarge is wrapped when a file is larger than [MaxFileSize] or
	// [Limits].Bytes.
	ErrTooLarge = fmt.Errorf("scenario: file too large: %w", ErrLimit)

	// ErrLineTooLong is wrapped when a line is longer than [MaxLineLen].
	ErrLineTooLong = fmt.Errorf("scenario: line too long: %w", ErrLimit)

	// ErrTooManyUsers is wrapped when a file declares more users than
	// [Limits].Users.
	ErrTooManyUsers = fmt.Errorf("scenario: too many users: %w", ErrLimit)

	// ErrTooManyStatements is wrapped when a file has more statements
	// than [Limits].Statements.
	ErrTooManyStatements = fmt.Errorf("scenario: too many statements: %w", ErrLimit)

	// ErrTooManyDecisions is wrapped when the checks of a file ask for
	// more decisions than [Limits].Decisions.
	ErrTooManyDecisions = fmt.Errorf("scenario: too many decisions: %w", ErrLimit)

	// ErrTimeLimit is wrapped, with context.DeadlineExceeded, by the error
	// of a run stopped after [Limits].Time.
	ErrTimeLimit = fmt.Errorf("scenario: time limit: %w", ErrLimit)
)

// limits are the Limits in force: defaults filled in, no limit as the
// largest value.
type limits struct {
	bytes                        int64
	users, statements, decisions int
	time                         time.Duration
}

func (o *Options) limits() limits {
	var l Limits
	if o != nil {
		l = o.Limits
	}
	pick := func(v, def int) int {
		switch {
		case v == 0:
			return def
		case v < 0:
			return int(^uint(0) >> 1)
		}
		return v
	}
	out := limits{
		bytes:      l.Bytes,
		users:      pick(l.Users, DefaultMaxUsers),
		statements: pick(l.Statements, DefaultMaxStatements),
		decisions:  pick(l.Decisions, DefaultMaxDecisions),
		time:       l.Time,
	}
	if out.bytes <= 0 || out.bytes > MaxFileSize {
		out.bytes = MaxFileSize
	}
	if out.time == 0 {
		out.time = DefaultRunTime
	}
	return out
}

// Decisions returns how many decisions the checks of f ask the engine for:
// one per expect or view line, one per member and one more per group line
// (a group add reads every member), and, per reach line, one for each user
// declared before it but the recipient. [Limits].Decisions bounds it.
func (f *File) Decisions() int {
	n := 0
	for _, s := range f.Stmts {
		n += cost(s)
	}
	return n
}

// cost is the number of decisions a check asks for; 0 for a statement that
// changes the world.
func cost(s Stmt) int {
	switch s := s.(type) {
	case *ExpectStmt, *ViewStmt:
		return 1
	case *ReachStmt:
		return s.Declared - 1
	case *GroupStmt:
		return len(s.Members) + 1
	}
	return 0
}
