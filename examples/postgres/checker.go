package postgres

import (
	"context"
	"time"

	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// Checker is the privacy engine over a Store: one round trip per decision
// and one per batch. It is safe for concurrent use.
type Checker struct {
	store  *Store
	engine *privacy.Engine[int64]
}

// NewChecker returns a Checker over s; opts are the engine's (nil: the
// TikTok policy and the wall clock).
func NewChecker(s *Store, opts *privacy.Options) (*Checker, error) {
	var o privacy.Options
	if opts != nil {
		o = *opts
	}
	e, err := privacy.New[int64](s, s, &o)
	if err != nil {
		return nil, err
	}
	return &Checker{store: s, engine: e}, nil
}

// Engine returns the engine, for the calls the Checker does not wrap
// (Explain, ValidateSettings, EffectiveMode).
func (c *Checker) Engine() *privacy.Engine[int64] { return c.engine }

// Store returns the Store the Checker reads.
func (c *Checker) Store() *Store { return c.store }

// Check decides whether sender may message recipient at time at (zero: the
// engine's clock), reading every fact in one statement. An unknown user is a
// deny, not an error; an error (the database failed) comes with the zero
// Decision, a deny.
func (c *Checker) Check(ctx context.Context, sender, recipient int64, at time.Time) (privacy.Decision, error) {
	return c.engine.Check(ctx, privacy.Request[int64]{Sender: sender, Recipient: recipient, At: at})
}

// CheckMany decides for one sender and many recipients (a share sheet),
// reading the facts of all of them in one statement (the engine's
// CheckMany over the Store's inbox.BatchFactReader); decision i is what
// Check would return for recipients[i]. On error every decision is the
// zero Decision, a deny.
func (c *Checker) CheckMany(ctx context.Context, sender int64, recipients []int64, at time.Time) ([]privacy.Decision, error) {
	out := make([]privacy.Decision, 0, len(recipients))
	return c.engine.CheckMany(ctx, privacy.BatchRequest[int64]{Sender: sender, Recipients: recipients, At: at}, out)
}

// Send decides whether sender may message recipient at time at (zero: the
// engine's clock) and, if allowed, records the delivery in the
// conversation's lifecycle: the engine's Send over [Store.Send], one
// transaction that locks both users' rows in a fixed order, so concurrent
// sends cannot overrun the request cap, race a block, or deadlock. It
// returns the decision, the conversation afterwards and the consistency
// token of the send (see [Store.Token]); on error, the zero Decision (a
// deny) and nothing recorded.
func (c *Checker) Send(ctx context.Context, sender, recipient int64, at time.Time) (privacy.Decision, inbox.Conversation[int64], Token, error) {
	d, conv, err := c.engine.Send(ctx, privacy.Request[int64]{Sender: sender, Recipient: recipient, At: at})
	if err != nil {
		return d, conv, Token{}, err
	}
	tok, err := c.store.committed(ctx, nil)
	return d, conv, tok, err
}
