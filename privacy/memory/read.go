package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/internal/seqlock"
)

// Compile-time checks of the capabilities the store implements.
var (
	_ graph.Reader[string]             = (*Store[string])(nil)
	_ graph.PairReader[string]         = (*Store[string])(nil)
	_ graph.PairBatchReader[string]    = (*Store[string])(nil)
	_ graph.Lister[string]             = (*Store[string])(nil)
	_ graph.MutualReader[string]       = (*Store[string])(nil)
	_ inbox.Reader[string]             = (*Store[string])(nil)
	_ inbox.FactReader[string]         = (*Store[string])(nil)
	_ inbox.BatchFactReader[string]    = (*Store[string])(nil)
	_ inbox.ConversationLister[string] = (*Store[string])(nil)
	_ inbox.Sender[string]             = (*Store[string])(nil)
)

// side is one user of a pair as one read saw them.
type side struct {
	perm     uint32 // the user's key in sets (permOf of their index)
	user     uint64
	key      uint32
	ref      uint32
	box      uint32
	settings uint64
	l        layout
}

func loadSide[ID comparable](sd *side, r *record[ID]) {
	sd.user = r.user.Load()
	sd.key = r.key.Load()
	sd.l.decode(r.lens.Load())
	sd.ref = r.rel.Load()
	sd.box = r.box.Load()
	sd.settings = r.settings.Load()
}

// noRecord stands for an unknown user: no facts, and a counter that never
// moves.
func (s *Store[ID]) noRecord() *record[ID] { return &s.none }

// lookup returns the record of id, or the empty record.
func (s *Store[ID]) lookup(id ID) (uint32, *record[ID], bool) {
	i, r := s.find(id)
	if r == nil {
		return 0, &s.none, false
	}
	return i, r, true
}

// edges returns the relations of the pair (a, b) from what one read saw.
func (ar *arena) edges(a, b *side) graph.Edges {
	var e graph.Edges
	// A follow is in the follower's out-set and the followed's in-set:
	// search the smaller.
	if a.l.sizeHint(setOut) <= b.l.sizeHint(setIn) {
		if a.l.nonEmpty(setOut) && ar.has(a.ref, &a.l, setOut, b.perm) {
			e |= graph.FollowAB
		}
	} else if ar.has(b.ref, &b.l, setIn, a.perm) {
		e |= graph.FollowAB
	}
	if b.l.sizeHint(setOut) <= a.l.sizeHint(setIn) {
		if b.l.nonEmpty(setOut) && ar.has(b.ref, &b.l, setOut, a.perm) {
			e |= graph.FollowBA
		}
	} else if ar.has(a.ref, &a.l, setIn, b.perm) {
		e |= graph.FollowBA
	}
	// The rare sets are usually empty, which the record says.
	if a.l.nonEmpty(setBlocks) && ar.has(a.ref, &a.l, setBlocks, b.perm) {
		e |= graph.BlockAB
	}
	if b.l.nonEmpty(setBlocks) && ar.has(b.ref, &b.l, setBlocks, a.perm) {
		e |= graph.BlockBA
	}
	if a.l.nonEmpty(setRestricts) && ar.has(a.ref, &a.l, setRestricts, b.perm) {
		e |= graph.RestrictAB
	}
	if b.l.nonEmpty(setRestricts) && ar.has(b.ref, &b.l, setRestricts, a.perm) {
		e |= graph.RestrictBA
	}
	if b.key != 0 && a.l.nonEmpty(setBook) && ar.has(a.ref, &a.l, setBook, permOf(b.key-1)) {
		e |= graph.ContactAB
	}
	if a.key != 0 && b.l.nonEmpty(setBook) && ar.has(b.ref, &b.l, setBook, permOf(a.key-1)) {
		e |= graph.ContactBA
	}
	if a.l.nonEmpty(setFacebook) && b.l.nonEmpty(setFacebook) {
		if a.l.sizeHint(setFacebook) <= b.l.sizeHint(setFacebook) {
			if ar.has(a.ref, &a.l, setFacebook, b.perm) {
				e |= graph.FacebookAB
			}
		} else if ar.has(b.ref, &b.l, setFacebook, a.perm) {
			e |= graph.FacebookAB
		}
	}
	return e
}

// User returns the account facts of id, or the zero User if id is unknown.
func (s *Store[ID]) User(_ context.Context, id ID) (graph.User, error) {
	var u graph.User
	if _, r, ok := s.lookup(id); ok {
		unpackUser(&u, r.user.Load())
	}
	return u, nil
}

// HasEdge reports whether the relation kind holds from one user to another;
// false for unknown users and invalid kinds.
func (s *Store[ID]) HasEdge(ctx context.Context, kind graph.Edge, from, to ID) (bool, error) {
	if !kind.Valid() {
		return false, nil
	}
	p, _ := s.Pair(ctx, from, to)
	return p.Edges.Has(graph.EdgeBit(kind, true)), nil
}

// Pair returns every graph fact about a and b, as one consistent snapshot.
func (s *Store[ID]) Pair(_ context.Context, a, b ID) (graph.Pair, error) {
	var f inbox.Facts[ID]
	s.read(&f, inbox.Query[ID]{Sender: a, Recipient: b}, &s.mu, false)
	return f.Pair, nil
}

// Facts returns every fact of the decision q asks about — both users, the
// relations between them, the recipient's settings, their conversation and
// the sender's pending requests in q's window — as one consistent
// snapshot of both users, in one call: the one-call capability
// ([inbox.FactReader]) the engine uses when the store is both its graph
// and its inbox reader.
func (s *Store[ID]) Facts(_ context.Context, q inbox.Query[ID]) (inbox.Facts[ID], error) {
	var f inbox.Facts[ID]
	s.read(&f, q, &s.mu, true)
	return f, nil
}

// noLater asks read to count pending requests started after the query's
// time too: a send counts those its clock has not reached yet (another
// send, whose clock ran ahead, got the lock first).
const noLater = 1<<63 - 1

// read fills f with the facts of q (only the graph's unless inboxToo), as
// one snapshot of both users' records. mu is the writers' mutex, or nil
// when the caller holds it: then pending requests are counted from the
// window's start on, past q.At (see noLater).
func (s *Store[ID]) read(f *inbox.Facts[ID], q inbox.Query[ID], mu *sync.Mutex, inboxToo bool) {
	ia, ra, okA := s.lookup(q.Sender)
	ib, rb, okB := s.lookup(q.Recipient)
	var a, b side
	a.perm, b.perm = permOf(ia), permOf(ib)
	var e graph.Edges
	var t thread
	var hasThread bool
	pendingN := 0
	after, upTo := int64(0), int64(0)
	if inboxToo && q.Window > 0 && okA {
		after, upTo = nanosOr(q.At.Add(-q.Window)), nanosOr(q.At)
		if mu == nil {
			upTo = noLater
		}
	}
	var rd seqlock.Reader
	for ok := rd.Begin(mu, &ra.seq, &rb.seq); ok; ok = rd.Retry() {
		loadSide(&a, ra)
		loadSide(&b, rb)
		e = 0
		if okA && okB {
			e = s.arena.edges(&a, &b) // a user's own number may be in their contacts
		}
		if !inboxToo {
			continue
		}
		hasThread, pendingN = false, 0
		if a.box != 0 {
			v := s.arena.box(a.box)
			if okB && ra != rb {
				t, hasThread = v.find(b.perm)
			}
			if upTo != 0 {
				pendingN = v.count(after, upTo)
			}
		}
	}
	unpackUser(&f.Pair.A, a.user)
	unpackUser(&f.Pair.B, b.user)
	f.Pair.Edges = e
	if !inboxToo {
		return
	}
	f.Settings = unpackSettings(b.settings)
	f.Conversation = inbox.Conversation[ID]{}
	if hasThread {
		f.Conversation = conversationOf(t, q.Sender, q.Recipient)
	}
	f.PendingRequests = pendingN
}

// nanosOr returns t in Unix nanoseconds, clamped to what a conversation's
// start can be.
func nanosOr(t time.Time) int64 {
	n, err := nanos(t)
	if err != nil {
		if t.Year() < 1678 {
			return noTime + 1
		}
		return 1<<63 - 1
	}
	return n
}

// conversationOf is the conversation t as a (its keeper) keeps it with b.
func conversationOf[ID comparable](t thread, a, b ID) inbox.Conversation[ID] {
	c := inbox.Conversation[ID]{Starter: b, State: t.state, Started: timeOf(t.started)}
	if t.mine {
		c.Starter = a
	}
	return c
}

// Settings returns id's settings, or the zero Settings.
func (s *Store[ID]) Settings(_ context.Context, id ID) (inbox.Settings, error) {
	_, r, _ := s.lookup(id)
	return unpackSettings(r.settings.Load()), nil
}

// Conversation returns the thread between a and b, or the zero
// Conversation.
func (s *Store[ID]) Conversation(_ context.Context, a, b ID) (inbox.Conversation[ID], error) {
	var f inbox.Facts[ID]
	s.read(&f, inbox.Query[ID]{Sender: a, Recipient: b}, &s.mu, true)
	return f.Conversation, nil
}

// PendingRequests counts sender's Pending threads started in (after, upTo].
func (s *Store[ID]) PendingRequests(_ context.Context, sender ID, after, upTo time.Time) (int, error) {
	_, r, ok := s.lookup(sender)
	if !ok {
		return 0, nil
	}
	n := 0
	var rd seqlock.Reader
	for ok := rd.Begin(&s.mu, &r.seq, &r.seq); ok; ok = rd.Retry() {
		v := s.arena.box(r.box.Load())
		n = v.count(nanosOr(after), nanosOr(upTo))
	}
	return n, nil
}

// PairBatch fills dst[i] with Pair(a, bs[i]): the facts of one user with
// many, for a share sheet, each pair a consistent snapshot.
func (s *Store[ID]) PairBatch(ctx context.Context, a ID, bs []ID, dst []graph.Pair) error {
	if len(dst) != len(bs) {
		return fmt.Errorf("memory: PairBatch: %d users but %d results", len(bs), len(dst))
	}
	var f inbox.Facts[ID]
	for i, b := range bs {
		s.read(&f, inbox.Query[ID]{Sender: a, Recipient: b}, &s.mu, false)
		dst[i] = f.Pair
	}
	return nil
}

// FactsBatch fills dst[i] with Facts for q.Recipients[i]: a share sheet's
// facts in one call ([inbox.BatchFactReader]).
func (s *Store[ID]) FactsBatch(ctx context.Context, q inbox.BatchQuery[ID], dst []inbox.Facts[ID]) error {
	if len(dst) != len(q.Recipients) {
		return fmt.Errorf("memory: FactsBatch: %d recipients but %d results", len(q.Recipients), len(dst))
	}
	for i, r := range q.Recipients {
		s.read(&dst[i], inbox.Query[ID]{Sender: q.Sender, Recipient: r, At: q.At, Window: q.Window}, &s.mu, true)
	}
	return nil
}
