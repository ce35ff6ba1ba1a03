package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// Checker is the privacy engine over a Store: one round trip per decision
// and one per batch. It is safe for concurrent use.
type Checker struct {
	store  *Store
	engine *privacy.Engine[int64]
	opts   privacy.Options
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
	o.Policy = e.Policy()
	return &Checker{store: s, engine: e, opts: o}, nil
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

func (c *Checker) now() time.Time {
	if c.opts.Now != nil {
		return c.opts.Now()
	}
	return time.Now()
}

// Send decides whether sender may message recipient at time at (zero: the
// engine's clock) and, if allowed, records the delivery in the
// conversation's lifecycle, in one transaction that holds the sender's row,
// so concurrent sends by one sender cannot overrun the request cap. It
// returns the decision and the conversation afterwards.
func (c *Checker) Send(ctx context.Context, sender, recipient int64, at time.Time) (privacy.Decision, inbox.Conversation[int64], error) {
	if at.IsZero() {
		at = c.now()
	}
	var d privacy.Decision
	var conv inbox.Conversation[int64]
	err := pgx.BeginFunc(ctx, c.store.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT FROM users WHERE id = $1 FOR UPDATE`, sender); err != nil {
			return err
		}
		ts := New(tx)
		opts := c.opts
		e, err := privacy.New[int64](ts, ts, &opts)
		if err != nil {
			return err
		}
		if d, err = e.Check(ctx, privacy.Request[int64]{Sender: sender, Recipient: recipient, At: at}); err != nil {
			return err
		}
		if !d.Allowed {
			conv, err = ts.Conversation(ctx, sender, recipient)
			return err
		}
		conv, err = ts.Deliver(ctx, sender, recipient, d.Delivery(), at)
		return err
	})
	if err != nil {
		return privacy.Decision{}, inbox.Conversation[int64]{}, fmt.Errorf("postgres: sending: %w", err)
	}
	return d, conv, nil
}
