package privacy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/inbox"
)

// ErrNoSender is returned by [Engine.Send] when the engine's store cannot
// decide and record in one step: its graph and inbox readers are not one
// value that implements [inbox.Sender]. It wraps [errors.ErrUnsupported].
var ErrNoSender = fmt.Errorf("privacy: Send needs one store that is both readers and an inbox.Sender: %w", errors.ErrUnsupported)

// Send decides whether q.Sender may message q.Recipient and, when allowed,
// records the delivery (the conversation's next state, per [inbox.Next])
// in the same atomic step, so that sending changes the facts the next
// decision reads before any other send or write involving the pair can
// slip in between. It returns the decision and the conversation afterwards.
//
// On the embedded store and the PostgreSQL adapter of examples/, and on any
// store that is both the engine's graph and inbox reader and implements
// [inbox.Sender]:
//   - however many sends run at once, a sender never holds more pending
//     requests in the window than the policy's cap;
//   - a send that starts after a Block returned is denied;
//   - a denied send records nothing; a failed one records nothing and
//     returns the zero Decision (a deny) with the error;
//   - two users sending each other a first message at the same moment both
//     get an answer: one lands first and the other sees its thread.
//
// Without the capability Send returns [ErrNoSender] and a deny. Such a host
// keeps the guarantees by serializing each sender's sends and the writes
// that change their facts (a per-sender lock, or a database row lock) around
// [Engine.Check] and its own record of the delivery ([Decision.Delivery]
// says how it lands); without that lock, concurrent sends by one sender can
// overrun the cap and a send can race a block.
func (e *Engine[ID]) Send(ctx context.Context, q Request[ID]) (Decision, inbox.Conversation[ID], error) {
	var start time.Time
	if e.obs != nil {
		start = time.Now()
	}
	d, c, err := e.send(ctx, &q)
	if e.obs != nil {
		e.obs.Observe(Observation[ID]{Op: OpSend, Request: q, Decision: d, Duration: time.Since(start), Err: err})
	}
	return d, c, err
}

func (e *Engine[ID]) send(ctx context.Context, q *Request[ID]) (Decision, inbox.Conversation[ID], error) {
	var none inbox.Conversation[ID]
	if err := ctx.Err(); err != nil {
		return Decision{}, none, fmt.Errorf("privacy: %w", err)
	}
	if e.sender == nil {
		return Decision{}, none, ErrNoSender
	}
	if q.At.IsZero() {
		q.At = e.now()
	}
	fq := inbox.Query[ID]{Sender: q.Sender, Recipient: q.Recipient, At: q.At}
	pending := -1
	if e.c.capN > 0 {
		fq.Window, pending = e.policy.RequestWindow, 0
	}
	var d Decision
	c, err := e.sender.Send(ctx, fq, func(f *inbox.Facts[ID]) (inbox.Delivery, error) {
		if err := e.friendOfFriend(ctx, q.Sender, q.Recipient, &f.Pair); err != nil {
			return inbox.Undelivered, err
		}
		if pending >= 0 {
			pending = f.PendingRequests
		}
		var err error
		d, err = e.decideFacts(ctx, q, f, &counter{n: pending}, nil)
		return d.Delivery(), err
	})
	if err != nil {
		return Decision{}, none, fmt.Errorf("privacy: sending: %w", err)
	}
	return d, c, nil
}
