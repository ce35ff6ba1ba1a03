package privacy

import (
	"fmt"
	"time"
)

// Op names the engine call an [Observation] reports.
type Op uint8

// Engine calls that make decisions.
const (
	OpCheck   Op = iota + 1 // Check and CanMessage
	OpExplain               // Explain
	OpBatch                 // one recipient of CheckMany or CanMessageMany
	OpSend                  // Send
	OpGroup                 // CheckGroup, CanAddToGroup and ExplainGroup
)

var opNames = [...]string{"", "check", "explain", "batch", "send", "group"}

// String returns check, explain, batch, send or group.
func (o Op) String() string {
	if o != 0 && int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// Observation is what an [Observer] is told of one decision.
type Observation[ID comparable] struct {
	Op Op

	// Request is the question: for a batch, the sender and one recipient;
	// for a group add, the inviter as Sender and the invitee as Recipient.
	Request Request[ID]

	// Decision is the answer (for a group add, see Group). On an error it
	// is the zero Decision, a deny.
	Decision Decision

	// Group is the answer to a group add (Op == OpGroup).
	Group GroupDecision

	// Duration is how long the call took, reads included. The decisions
	// of one batch share the batch's duration, and Batch is its size.
	Duration time.Duration
	Batch    int

	// Err is the store's error, if one failed (the decision then denies).
	Err error
}

// Observer is told of every decision an engine makes, once per decision,
// after it is made: for metrics, audit logs and traces. Observe is called
// on the deciding goroutine, with the Observation by value (so observing
// allocates nothing of its own), and must be fast and safe for concurrent
// use.
type Observer[ID comparable] interface {
	Observe(o Observation[ID])
}

// ObserverFunc adapts a function to an [Observer].
type ObserverFunc[ID comparable] func(o Observation[ID])

// Observe calls f(o).
func (f ObserverFunc[ID]) Observe(o Observation[ID]) { f(o) }

// observerOf returns the engine's observer from Options.Observer, which
// must be nil or an Observer for the engine's ID type.
func observerOf[ID comparable](v any) (Observer[ID], error) {
	if v == nil {
		return nil, nil
	}
	o, ok := v.(Observer[ID])
	if !ok {
		var id ID
		return nil, fmt.Errorf("privacy: Options.Observer is a %T, not a privacy.Observer[%T] for this engine's IDs", v, id)
	}
	return o, nil
}
