package privacy

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dmprivacy/dmprivacy/inbox"
)

// BatchRequest asks, for a share sheet, whether one sender may message each
// of many recipients at one time. The struct may gain fields; their zero
// values will keep today's meaning.
type BatchRequest[ID comparable] struct {
	Sender     ID
	Recipients []ID

	// At is the time of every decision; zero means the engine's clock.
	At time.Time

	// Tags are the message's host-defined attributes, as in [Request].
	Tags Tags
}

// CanMessageMany decides, now, whether sender may message each of the
// recipients: the decision for recipients[i] is at index i, and is what
// CanMessage(ctx, sender, recipients[i]) answers at the same time. It is
// CheckMany with the engine's clock and a new slice.
func (e *Engine[ID]) CanMessageMany(ctx context.Context, sender ID, recipients []ID) ([]Decision, error) {
	return e.CheckMany(ctx, BatchRequest[ID]{Sender: sender, Recipients: recipients}, nil)
}

// CheckMany decides q for each recipient and appends the decisions to dst,
// in the order of q.Recipients; each is what [Engine.Check] answers for
// that recipient at q.At. Pass a dst with room for them to allocate
// nothing on the embedded store.
//
// The facts of the whole batch are read in one call when a reader
// implements [inbox.BatchFactReader] (the embedded store does, when it is
// both the graph and the inbox reader), so a database answers a share sheet in one round
// trip; otherwise they are read one recipient at a time. A deny is a value;
// on an error (a store failed, ctx ended) every decision of the batch is
// the zero Decision, a deny, and the error says which read failed.
func (e *Engine[ID]) CheckMany(ctx context.Context, q BatchRequest[ID], dst []Decision) ([]Decision, error) {
	if e.obs == nil {
		return e.checkMany(ctx, &q, dst)
	}
	start := time.Now()
	from := len(dst)
	dst, err := e.checkMany(ctx, &q, dst)
	took := time.Since(start)
	for i, d := range dst[from:] {
		r := Request[ID]{Sender: q.Sender, Recipient: q.Recipients[i], At: q.At, Tags: q.Tags}
		e.obs.Observe(Observation[ID]{Op: OpBatch, Request: r, Decision: d, Duration: took, Batch: len(q.Recipients), Err: err})
	}
	return dst, err
}

func (e *Engine[ID]) checkMany(ctx context.Context, q *BatchRequest[ID], dst []Decision) ([]Decision, error) {
	n := len(q.Recipients)
	start := len(dst)
	dst = slices.Grow(dst, n)[:start+n]
	out := dst[start:]
	fail := func(err error) ([]Decision, error) {
		clear(out)
		return dst, err
	}
	if err := ctx.Err(); err != nil {
		return fail(fmt.Errorf("privacy: %w", err))
	}
	if n == 0 {
		return dst, nil
	}
	if q.At.IsZero() {
		q.At = e.now()
	}
	buf := factsBuffer[ID](n)
	defer releaseFacts(buf)
	facts := (*buf)[:n]
	window := time.Duration(0)
	if e.c.capN > 0 {
		window = e.policy.RequestWindow
	}
	if e.batch != nil {
		bq := inbox.BatchQuery[ID]{Sender: q.Sender, Recipients: q.Recipients, At: q.At, Window: window}
		if err := e.batch.FactsBatch(ctx, bq, facts); err != nil {
			return fail(fmt.Errorf("privacy: reading facts: %w", err))
		}
	} else {
		for i, r := range q.Recipients {
			var err error
			if e.facts != nil {
				facts[i], err = e.facts.Facts(ctx, inbox.Query[ID]{Sender: q.Sender, Recipient: r, At: q.At, Window: window})
				if err != nil {
					err = fmt.Errorf("privacy: reading facts: %w", err)
				}
			} else {
				err = e.readFacts(ctx, q.Sender, r, &facts[i])
			}
			if err != nil {
				return fail(err)
			}
		}
	}
	// The sender's pending count is the same for every recipient: read
	// with the facts, or once, the first time a decision needs it.
	cnt := counter{n: -1}
	if window > 0 && (e.batch != nil || e.facts != nil) {
		cnt.n = facts[0].PendingRequests
	}
	for i := range out {
		r := Request[ID]{Sender: q.Sender, Recipient: q.Recipients[i], At: q.At, Tags: q.Tags}
		in := &facts[i]
		if err := e.friendOfFriend(ctx, r.Sender, r.Recipient, &in.Pair); err != nil {
			return fail(err)
		}
		d, err := e.decideFacts(ctx, &r, in, &cnt, nil)
		if err != nil {
			return fail(err)
		}
		out[i] = d
	}
	if err := ctx.Err(); err != nil {
		return fail(fmt.Errorf("privacy: %w", err))
	}
	return dst, nil
}

// factPools holds one sync.Pool of fact buffers per ID type, keyed by a nil
// *ID: a batch reuses the buffer of an earlier one.
var factPools sync.Map

// maxPooled is the largest buffer kept for reuse, in facts.
const maxPooled = 4096

func factsBuffer[ID comparable](n int) *[]inbox.Facts[ID] {
	pool, ok := factPools.Load((*ID)(nil))
	if !ok {
		pool, _ = factPools.LoadOrStore((*ID)(nil), new(sync.Pool))
	}
	b, _ := pool.(*sync.Pool).Get().(*[]inbox.Facts[ID])
	if b == nil {
		b = new([]inbox.Facts[ID])
	}
	if cap(*b) < n {
		*b = make([]inbox.Facts[ID], n)
	}
	return b
}

func releaseFacts[ID comparable](b *[]inbox.Facts[ID]) {
	if cap(*b) > maxPooled {
		return
	}
	if pool, ok := factPools.Load((*ID)(nil)); ok {
		pool.(*sync.Pool).Put(b)
	}
}
