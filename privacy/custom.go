package privacy

import (
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// Tags are host-defined attributes of one request, such as "this message
// is paid for" or "sent from a share sheet", one bit each, for the host's
// own gates and audiences to read. The engine gives them no meaning.
type Tags uint64

// Has reports whether every bit of t is set.
func (tags Tags) Has(t Tags) bool { return tags&t == t }

// RuleFacts is what the host's own gates and audiences see of a decision:
// the two accounts and the relations between them, never the other users of
// the platform. Gates and audiences get a copy: passing it costs no
// allocation. (The facts a store reads for the engine are inbox.Facts.)
type RuleFacts struct {
	Sender, Recipient graph.User
	Edges             graph.Edges // A is the sender, B the recipient
	Conversation      inbox.State // the pair's thread, NoThread if none
	StartedBySender   bool        // whether the sender started it
	Mode              inbox.Mode  // the recipient's effective mode
	Tags              Tags
	At                time.Time
}

// Gate is a check of the host's own, run after the rules every policy
// keeps: a verified-only inbox, a paid-message wall, a new-account filter.
// It can only deny.
type Gate struct {
	// Name identifies the gate in Decision.Rule, traces and audits.
	Name string

	// Deny reports whether the gate refuses the message. It must be fast,
	// safe for concurrent use, and read nothing but f.
	Deny func(f RuleFacts) bool
}

// maxCustomAudiences bounds Policy.Audiences, so their matches fit in a
// fixed array on the hot path.
const maxCustomAudiences = 8

// CustomAudience is an audience of the host's own (subscribers, paid
// messages, a school's staff), routed per mode like the built-in ones.
type CustomAudience struct {
	// Name identifies the audience in Decision.Rule, traces and audits.
	Name string

	// Match reports whether the sender is in the audience. It must be
	// fast, safe for concurrent use, and read nothing but f.
	Match func(f RuleFacts) bool

	// Routes is the route of the audience under each mode (index by
	// inbox.Mode), for messages and for the group-invite setting of the
	// same number. Under a mode whose entry is Unset the audience is not
	// routed, and a matching sender is decided by their other audiences
	// (or the table's anyone row); a Deny entry refuses a matching sender
	// unless another of their audiences routes them better.
	Routes [inbox.NumModes]inbox.Route
}
