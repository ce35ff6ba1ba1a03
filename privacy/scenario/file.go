package scenario

import (
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// File is a parsed scenario file: its policy, its clock, the users it
// declares and its statements in order. A File is only ever returned
// whole: a file with any error yields no File at all.
type File struct {
	// Name is the file's name as given to [Parse], used in results.
	Name string

	// PolicyName is the preset the file names (tiktok by default), and
	// Policy the policy it resolved to.
	PolicyName string
	Policy     *privacy.Policy

	// Start is the clock before the first statement (the file's now line,
	// or 2026-01-01T00:00:00Z).
	Start time.Time

	// Users are the declared users, in the order of their user lines.
	Users []string

	// Stmts are the statements that change the world or check it, in
	// order; policy and now lines are in the fields above.
	Stmts []Stmt

	lines int // statements, policy and now lines included: what Limits.Statements bounds
}

// Checks returns the number of checks in f (expect, view, reach and group
// statements).
func (f *File) Checks() int {
	n := 0
	for _, s := range f.Stmts {
		if isCheck(s) {
			n++
		}
	}
	return n
}

func isCheck(s Stmt) bool {
	switch s.(type) {
	case *ExpectStmt, *ViewStmt, *ReachStmt, *GroupStmt:
		return true
	}
	return false
}

// Stmt is one statement of a file: *[UserStmt], *[EdgeStmt],
// *[ConversationStmt], *[AdvanceStmt] change the world; *[ExpectStmt],
// *[ViewStmt], *[ReachStmt] and *[GroupStmt] check it.
type Stmt interface {
	// Src returns where the statement comes from.
	Src() Source
	stmt()
}

// Source is where a statement comes from, and when it runs.
type Source struct {
	// Line is the 1-based line number.
	Line int

	// Text is the statement as written, without its comment, its tokens
	// joined by single spaces.
	Text string

	// At is the scenario clock when the statement runs.
	At time.Time
}

// Src returns s.
func (s Source) Src() Source { return s }
func (Source) stmt()         {}

// UserStmt is a user line (a declaration) or a set line (a change). User
// and Settings are the user's whole state after the line: the parser has
// applied the keys written to what the user had before, with ages turned
// into birth dates at the line's clock.
type UserStmt struct {
	Source
	Name     string
	Set      bool // a set line; false for the user line that declares Name
	User     graph.User
	Settings inbox.Settings
}

// EdgeStmt adds or removes a relation: follow, block, restrict, contact
// and facebook lines add (On), their un- forms remove. From is the actor;
// facebook is symmetric.
type EdgeStmt struct {
	Source
	Kind     graph.Edge
	On       bool
	From, To string
}

// ConversationStmt sets the thread between From and To, started by From at
// the line's clock, replacing any thread the pair had.
type ConversationStmt struct {
	Source
	From, To string
	State    inbox.State
}

// AdvanceStmt moves the clock forward by By. The statements after it carry
// the new clock in their Source.
type AdvanceStmt struct {
	Source
	By time.Duration
}

// ExpectStmt checks the decision for Sender to Recipient: whether it is
// allowed, the folder of an allowed message, and the audit reason if
// Reason is not empty.
type ExpectStmt struct {
	Source
	Sender, Recipient string
	Allowed           bool
	Folder            inbox.Folder // NoFolder for deny
	Reason            string       // "" when the line gives none
}

// Expected returns the expectation as the runner prints it: "allow
// primary friend", "allow requests" or "deny".
func (s *ExpectStmt) Expected() string {
	out := "deny"
	if s.Allowed {
		out = "allow " + s.Folder.String()
	}
	if s.Reason != "" {
		out += " " + s.Reason
	}
	return out
}

// ViewStmt checks the sender view for Sender to Recipient.
type ViewStmt struct {
	Source
	Sender, Recipient string
	View              privacy.View
}

// ReachStmt checks who may reach Recipient: among the users declared so
// far (the first Declared of [File.Users]), Recipient excluded, exactly
// Primary land in primary, exactly Requests in requests, and everyone else
// is denied.
type ReachStmt struct {
	Source
	Recipient         string
	Primary, Requests []string
	Declared          int
}

// GroupStmt checks a group add: may Inviter add Invitee to a group whose
// current members are Members. Outcome is allow, invite or deny; Reason
// is "" when the line gives none.
type GroupStmt struct {
	Source
	Inviter, Invitee string
	Members          []string
	Outcome          privacy.GroupOutcome
	Reason           string
}

// Expected returns the expectation as the runner prints it: "allow" or
// "deny group_blocked".
func (s *GroupStmt) Expected() string {
	if s.Reason == "" {
		return s.Outcome.String()
	}
	return s.Outcome.String() + " " + s.Reason
}
