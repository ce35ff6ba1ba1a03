package memory

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
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
	key      uint32
	ref      uint32
	box      uint32
	lens     uint64
	user     uint64
	settings uint64
	rare     uint64
	book     uint64
}

func loadSide[ID comparable](sd *side, r *record[ID]) {
	sd.user = r.user.Load()
	sd.key = r.key.Load()
	sd.lens = r.lens.Load()
	sd.ref = r.rel.Load()
	sd.box = r.box.Load()
	sd.settings = r.settings.Load()
	sd.rare = r.rare.Load()
	sd.book = r.book.Load()
}

// lookup returns the record of id, or the empty record.
func (s *Store[ID]) lookup(id ID) (uint32, *record[ID], bool) {
	i, r := s.find(id)
	if r == nil {
		return 0, &s.none, false
	}
	return i, r, true
}

// chunks is the arena's chunk directory as one read loaded it (after the
// records' counters: every chunk a record it then reads refers to was
// published before the record was written).
type chunks [][]uint32

// has reports whether key is in set i of sd.
func (c chunks) has(ar *arena, sd *side, i int, key uint32) bool {
	n := setLen(sd.lens, i)
	if n == 0 {
		return false
	}
	return c.search(ar, sd.ref, setOff(sd.lens, i), n, key)
}

// search reports whether key is in the set of n keys (bigLen: a big set)
// at word off of the block at ref. A torn read (a block reused under the
// reader) may answer anything: the reader's validation throws it away.
func (c chunks) search(ar *arena, ref, off, n, key uint32) bool {
	ci := ref >> chunkBits
	if int(ci) >= len(c) {
		return false
	}
	ch := c[ci]
	lo := ref&(chunkWords-1) + off
	if n == bigLen {
		if lo >= uint32(len(ch)) {
			return false
		}
		return ar.bigHas(atomic.LoadUint32(&ch[lo]), key)
	}
	hi := lo + n
	if hi > uint32(len(ch)) || n == 0 {
		return false
	}
	return contains(ch[lo:hi:hi], key)
}

// touch loads, all at once, the first word each search of a decision
// reads — the middle of the two follow sets edges searches, and the
// sender's conversation lists — so that their cache misses overlap instead
// of following one another (each search's later words are on the line its
// first one brought in, or next to it).
func (c chunks) touch(a, b *side) {
	aOut, aIn := setLen(a.lens, setOut), setLen(a.lens, setIn)
	bOut, bIn := setLen(b.lens, setOut), setLen(b.lens, setIn)
	if aOut <= bIn {
		c.touchAt(a.ref, middle(aOut))
	} else {
		c.touchAt(b.ref, width(bOut)+middle(bIn))
	}
	if bOut <= aIn {
		c.touchAt(b.ref, middle(bOut))
	} else {
		c.touchAt(a.ref, width(aOut)+middle(aIn))
	}
	c.touchAt(a.box, 0)
}

// middle is the offset of a set's first search probe: the middle of a
// small set, the directory word of a big one.
func middle(n uint32) uint32 {
	if n == bigLen {
		return 0
	}
	return n / 2
}

// touchAt loads word off of the block at ref, if it is in the directory.
func (c chunks) touchAt(ref, off uint32) {
	ci := ref >> chunkBits
	if ref == 0 || int(ci) >= len(c) {
		return
	}
	ch := c[ci]
	if i := ref&(chunkWords-1) + off; i < uint32(len(ch)) {
		atomic.LoadUint32(&ch[i])
	}
}

// width is the words a set whose length field is n takes in the block.
func width(n uint32) uint32 {
	if n == bigLen {
		return 1
	}
	return n
}

// edges returns the relations of the pair (a, b) from what one read saw.
// A follow is in the follower's out-set and the followed's in-set: it
// searches the smaller (a big set's length field, bigLen, is the largest).
func (c chunks) edges(ar *arena, a, b *side) graph.Edges {
	var e graph.Edges
	aOut, aIn := setLen(a.lens, setOut), setLen(a.lens, setIn)
	bOut, bIn := setLen(b.lens, setOut), setLen(b.lens, setIn)
	// out-sets start the block; in-sets follow them.
	if aOut <= bIn {
		if aOut != 0 && c.search(ar, a.ref, 0, aOut, b.perm) {
			e |= graph.FollowAB
		}
	} else if c.search(ar, b.ref, width(bOut), bIn, a.perm) {
		e |= graph.FollowAB
	}
	if bOut <= aIn {
		if bOut != 0 && c.search(ar, b.ref, 0, bOut, a.perm) {
			e |= graph.FollowBA
		}
	} else if c.search(ar, a.ref, width(aOut), aIn, b.perm) {
		e |= graph.FollowBA
	}
	// The other sets are searched only when the records' filters say the
	// other user may be in them: usually not.
	if (a.rare | b.rare | a.book | b.book) == 0 {
		return e
	}
	return e | c.rareEdges(ar, a, b, false)
}

// rareEdges returns the blocks, restrictions, contacts and Facebook link
// of the pair (a, b), searching only the sets whose record filter says the
// other user may be in them. The Facebook link is one edge kept in both
// users' sets: with fromA it is looked up in a's (a share sheet's sender,
// whose sets are in cache), otherwise in the smaller of the two.
func (c chunks) rareEdges(ar *arena, a, b *side, fromA bool) graph.Edges {
	var e graph.Edges
	if a.rare&filterBit(setBlocks, b.perm) != 0 && c.has(ar, a, setBlocks, b.perm) {
		e |= graph.BlockAB
	}
	if b.rare&filterBit(setBlocks, a.perm) != 0 && c.has(ar, b, setBlocks, a.perm) {
		e |= graph.BlockBA
	}
	if a.rare&filterBit(setRestricts, b.perm) != 0 && c.has(ar, a, setRestricts, b.perm) {
		e |= graph.RestrictAB
	}
	if b.rare&filterBit(setRestricts, a.perm) != 0 && c.has(ar, b, setRestricts, a.perm) {
		e |= graph.RestrictBA
	}
	if b.key != 0 {
		if k := permOf(b.key - 1); a.book&filterBit(setBook, k) != 0 && c.has(ar, a, setBook, k) {
			e |= graph.ContactAB
		}
	}
	if a.key != 0 {
		if k := permOf(a.key - 1); b.book&filterBit(setBook, k) != 0 && c.has(ar, b, setBook, k) {
			e |= graph.ContactBA
		}
	}
	if a.rare&filterBit(setFacebook, b.perm) == 0 || !fromA && b.rare&filterBit(setFacebook, a.perm) == 0 {
		return e
	}
	if fromA || setLen(a.lens, setFacebook) <= setLen(b.lens, setFacebook) {
		if c.has(ar, a, setFacebook, b.perm) {
			e |= graph.FacebookAB
		}
	} else if c.has(ar, b, setFacebook, a.perm) {
		e |= graph.FacebookAB
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
func (s *Store[ID]) Facts(_ context.Context, q inbox.Query[ID]) (f inbox.Facts[ID], err error) {
	s.read(&f, q, &s.mu, true)
	return
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
		upTo = unixNano(q.At)
		after = upTo - int64(q.Window)
		if mu == nil {
			upTo = noLater
		}
	}
	var rd seqlock.Reader
	for ok := rd.Begin(mu, &ra.seq, &rb.seq); ok; ok = rd.Retry() {
		c := chunks(s.arena.dir())
		loadSide(&a, ra)
		loadSide(&b, rb)
		e = 0
		if okA && okB {
			if inboxToo {
				c.touch(&a, &b)
			}
			e = c.edges(&s.arena, &a, &b) // a user's own number may be in their contacts
		}
		if !inboxToo {
			continue
		}
		hasThread, pendingN = false, 0
		if a.box != 0 {
			v := c.box(a.box)
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

// unixNano returns t in Unix nanoseconds, clamped to what a conversation's
// start can be (a time outside int64 nanoseconds reads as the nearest
// end), without the calendar: on every decision with a request cap.
func unixNano(t time.Time) int64 {
	const maxSec int64 = (1<<63 - 1) / 1_000_000_000
	switch sec := t.Unix(); {
	case sec >= maxSec:
		return 1<<63 - 1
	case sec <= -maxSec:
		return noTime + 1
	}
	return t.UnixNano()
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
		n = v.count(unixNano(after), unixNano(upTo))
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
// facts in one call ([inbox.BatchFactReader]). It reads the sender once
// and the recipients a step at a time, so that their records' cache misses
// overlap, and answers what it can from the sender's own sets (in cache
// after the first recipient); each pair is still a snapshot of both users.
func (s *Store[ID]) FactsBatch(ctx context.Context, q inbox.BatchQuery[ID], dst []inbox.Facts[ID]) error {
	n := len(q.Recipients)
	if len(dst) != n {
		return fmt.Errorf("memory: FactsBatch: %d recipients but %d results", n, len(dst))
	}
	ia, ra, okA := s.lookup(q.Sender)
	after, upTo := int64(0), int64(0)
	if q.Window > 0 {
		upTo = unixNano(q.At)
		after = upTo - int64(q.Window)
	}
	var sender graph.User
	const step = 64
	var (
		idx   [step]uint32
		recs  [step]*record[ID]
		known [step]bool
		sides [step]side
		vers  [step]uint32
	)
	for lo := 0; lo < n; lo += step {
		hi := min(lo+step, n)
		m := hi - lo
		for j := range m {
			idx[j], recs[j], known[j] = s.lookup(q.Recipients[lo+j])
		}
		// The sender, once a step, as one snapshot (validated with each
		// pair below).
		var a side
		var av uint32
		var v boxView
		pending := 0
		var rd seqlock.Reader
		for ok := rd.Begin(&s.mu, &ra.seq, &ra.seq); ok; ok = rd.Retry() {
			c := chunks(s.arena.dir())
			loadSide(&a, ra)
			v = c.box(a.box)
			pending = 0
			if upTo != 0 && okA {
				pending = v.count(after, upTo)
			}
		}
		av = rd.Version()
		a.perm = permOf(ia)
		unpackUser(&sender, a.user)
		// Every recipient's record: independent loads, whose misses the
		// CPU overlaps.
		for j := range m {
			r := recs[j]
			vers[j] = r.seq.Load()
			loadSide(&sides[j], r)
		}
		c := chunks(s.arena.dir())
		for j := range m {
			f := &dst[lo+j]
			b := &sides[j]
			b.perm = permOf(idx[j])
			r := recs[j]
			if !known[j] || !okA || r == ra {
				s.read(f, inbox.Query[ID]{Sender: q.Sender, Recipient: q.Recipients[lo+j], At: q.At, Window: q.Window}, &s.mu, true)
				continue
			}
			e := c.senderEdges(&s.arena, &a, b)
			t, hasThread := v.find(b.perm)
			if !ra.seq.Valid(av) || !r.seq.Valid(vers[j]) {
				// A write overlapped: this pair again, carefully.
				s.read(f, inbox.Query[ID]{Sender: q.Sender, Recipient: q.Recipients[lo+j], At: q.At, Window: q.Window}, &s.mu, true)
				continue
			}
			f.Pair.A = sender
			unpackUser(&f.Pair.B, b.user)
			f.Pair.Edges = e
			f.Settings = unpackSettings(b.settings)
			f.Conversation = inbox.Conversation[ID]{}
			if hasThread {
				f.Conversation = conversationOf(t, q.Sender, q.Recipients[lo+j])
			}
			f.PendingRequests = pending
		}
	}
	return nil
}

// senderEdges is edges for one sender a with many recipients: it searches
// a's own sets (in cache after the first recipient) wherever they hold the
// answer, and a recipient's block only where only it does (their blocks,
// restrictions and contacts), which their record's filters usually rule
// out.
func (c chunks) senderEdges(ar *arena, a, b *side) graph.Edges {
	var e graph.Edges
	aOut, aIn := setLen(a.lens, setOut), setLen(a.lens, setIn)
	if aOut != 0 && c.search(ar, a.ref, 0, aOut, b.perm) {
		e |= graph.FollowAB
	}
	if aIn != 0 && c.search(ar, a.ref, width(aOut), aIn, b.perm) {
		e |= graph.FollowBA
	}
	return e | c.rareEdges(ar, a, b, true)
}
