package replica

import (
	"context"
	"time"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// Source says where a read was answered, and why.
type Source uint8

// Sources of a read.
const (
	Current  Source = iota + 1 // the replica, which already covered the read's token (or it had none)
	Waited                     // the replica, after waiting for it to apply the token's write
	Timeout                    // the primary: the replica did not apply the token's write within MaxWait
	NotReady                   // the primary: the replica has not loaded yet, or lags past MaxLag
	Primary                    // the primary: the token asks for it (postgres.TokenPrimary)
)

func (s Source) String() string {
	switch s {
	case Current:
		return "current"
	case Waited:
		return "waited"
	case Timeout:
		return "timeout"
	case NotReady:
		return "not_ready"
	case Primary:
		return "primary"
	}
	return "unknown"
}

// FromReplica reports whether the replica answered.
func (s Source) FromReplica() bool { return s == Current || s == Waited }

// CheckerConfig configures a [Checker].
type CheckerConfig struct {
	// Options are both engines' (policy, clock, observer); nil means the
	// engine's defaults.
	Options *privacy.Options

	// MaxWait bounds how long a read carrying a token waits for the
	// replica to apply the token's write before it reads from
	// PostgreSQL instead: 50 ms by default. A replica that is current
	// applies a write within milliseconds of its commit.
	MaxWait time.Duration

	// MaxLag, if positive, sends every read to PostgreSQL while the
	// replica's Lag exceeds it (its stream broken, a reload running).
	MaxLag time.Duration
}

// Checker decides from a replica, and from PostgreSQL when the replica
// cannot answer as fresh as asked: a read without a token is answered at
// once from what the replica has; a read with a token once the replica
// has applied the token's write, waiting at most MaxWait, and otherwise
// by PostgreSQL directly. Sends always decide and record in PostgreSQL (in
// one transaction that locks both users' rows, see postgres.Store.Send),
// so the request cap and blocks stay exact whatever the replica knows.
// It is safe for concurrent use.
type Checker struct {
	rep              *Replica
	pg               *postgres.Store
	replica, primary *privacy.Engine[int64]
	maxWait, maxLag  time.Duration
}

// NewChecker returns a Checker over the replica and the PostgreSQL store
// the replica follows.
func NewChecker(rep *Replica, pg *postgres.Store, cfg CheckerConfig) (*Checker, error) {
	var o privacy.Options
	if cfg.Options != nil {
		o = *cfg.Options
	}
	re, err := privacy.New[int64](rep, rep, &o)
	if err != nil {
		return nil, err
	}
	pe, err := privacy.New[int64](pg, pg, &o)
	if err != nil {
		return nil, err
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 50 * time.Millisecond
	}
	return &Checker{rep: rep, pg: pg, replica: re, primary: pe, maxWait: cfg.MaxWait, maxLag: cfg.MaxLag}, nil
}

// Replica returns the replica the Checker reads.
func (c *Checker) Replica() *Replica { return c.rep }

// Primary returns the engine over PostgreSQL, which sends and writes use.
func (c *Checker) Primary() *privacy.Engine[int64] { return c.primary }

// Engine returns the engine to answer a read carrying tok with: the
// replica's, once it covers tok (waiting at most MaxWait), or
// PostgreSQL's; and where the read goes. It fails only when ctx ends
// while it waits.
func (c *Checker) Engine(ctx context.Context, tok postgres.Token) (*privacy.Engine[int64], Source, error) {
	switch {
	case tok.Primary():
		return c.primary, Primary, nil
	case !c.rep.IsLoaded() || c.maxLag > 0 && c.rep.Lag() > c.maxLag:
		return c.primary, NotReady, nil
	case c.rep.Covers(tok):
		return c.replica, Current, nil
	}
	wctx, cancel := context.WithTimeout(ctx, c.maxWait)
	err := c.rep.WaitFor(wctx, tok)
	cancel()
	switch {
	case err == nil:
		return c.replica, Waited, nil
	case ctx.Err() != nil:
		return c.primary, Timeout, ctx.Err()
	}
	return c.primary, Timeout, nil // MaxWait passed, or the replica closed
}

// Check decides q, at least as fresh as tok (the zero Token: whatever the
// replica has), and says where it was answered.
func (c *Checker) Check(ctx context.Context, q privacy.Request[int64], tok postgres.Token) (privacy.Decision, Source, error) {
	e, src, err := c.Engine(ctx, tok)
	if err != nil {
		return privacy.Decision{}, src, err
	}
	d, err := e.Check(ctx, q)
	return d, src, err
}

// CheckMany decides a batch (a share sheet) as Check does, appending to
// dst.
func (c *Checker) CheckMany(ctx context.Context, q privacy.BatchRequest[int64], tok postgres.Token, dst []privacy.Decision) ([]privacy.Decision, Source, error) {
	e, src, err := c.Engine(ctx, tok)
	if err != nil {
		return dst, src, err
	}
	out, err := e.CheckMany(ctx, q, dst)
	return out, src, err
}

// Send decides and records a delivery in PostgreSQL, whatever the
// replica knows, and returns the send's token.
func (c *Checker) Send(ctx context.Context, q privacy.Request[int64]) (privacy.Decision, inbox.Conversation[int64], postgres.Token, error) {
	d, conv, err := c.primary.Send(ctx, q)
	if err != nil {
		return d, conv, postgres.Token{}, err
	}
	tok, err := c.pg.Token(ctx)
	if err != nil {
		tok = postgres.TokenPrimary
	}
	return d, conv, tok, nil
}
