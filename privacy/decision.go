package privacy

import (
	"time"

	"github.com/dmprivacy/dmprivacy/inbox"
)

// Request is one question for [Engine.Check]: may Sender message Recipient
// at time At? The struct may gain fields; their zero values will keep
// today's meaning.
type Request[ID comparable] struct {
	Sender, Recipient ID

	// At is the time of the decision: ages, the mode default and the
	// request cap's window are computed at At. Zero means the engine's
	// clock (Options.Now).
	At time.Time

	// Tags are host-defined attributes of this message (paid, forwarded,
	// …) for the policy's own gates and audiences; see [Tags].
	Tags Tags
}

// Decision is the engine's answer. The zero Decision denies, with
// [ReasonError]: it is what a failed check returns.
type Decision struct {
	// Allowed reports whether the message is delivered.
	Allowed bool `json:"allowed"`

	// Folder is where an allowed message lands; NoFolder when denied.
	Folder inbox.Folder `json:"folder"`

	// Reason is the audit reason, for the host's back end only.
	Reason Reason `json:"reason"`

	// View is what the sender may be shown; the only field meant for the
	// sender's screen.
	View View `json:"view"`

	// Rule names the host's gate or audience that decided, with
	// ReasonPolicyGate or ReasonCustomAudience; empty otherwise.
	Rule string `json:"rule,omitempty"`
}

// Delivery returns how the message lands, for the conversation lifecycle
// ([inbox.Next], and the embedded store's Deliver): a restricted delivery is held, a
// stranger's message to Requests is a request.
func (d Decision) Delivery() inbox.Delivery {
	switch {
	case !d.Allowed:
		return inbox.Undelivered
	case d.Folder == inbox.Primary:
		return inbox.ToPrimary
	case d.Reason == ReasonRestricted:
		return inbox.AsHeld
	default:
		return inbox.AsRequest
	}
}

// String returns the decision as scenario files write it: "allow primary
// friend" or "deny blocked_by_recipient".
func (d Decision) String() string {
	r := d.Reason.String()
	if d.Rule != "" {
		r += "(" + d.Rule + ")"
	}
	if !d.Allowed {
		return "deny " + r
	}
	return "allow " + d.Folder.String() + " " + r
}

func deny(r Reason) Decision {
	return Decision{Reason: r, View: viewOf(false, r)}
}

func allow(f inbox.Folder, r Reason) Decision {
	return Decision{Allowed: true, Folder: f, Reason: r, View: ViewAllowed}
}
