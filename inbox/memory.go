package inbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/internal/intern"
	"github.com/dmprivacy/dmprivacy/internal/sortedset"
)

// Errors of the in-memory store's write methods, for [errors.Is].
var (
	ErrNoRequest    = errors.New("inbox: no pending or held request from that sender")
	ErrSelf         = errors.New("inbox: a conversation with oneself")
	ErrInvalidState = errors.New("inbox: invalid conversation state")
	ErrInvalidMode  = errors.New("inbox: invalid mode")
	ErrInvalidRoute = errors.New("inbox: invalid route")
)

// Memory is the embedded, in-memory inbox store: settings and conversations.
// It does not know which users exist (the graph does), so it accepts any
// ID. The zero Memory is not usable; call [NewMemory].
//
// A Memory is safe for concurrent use, and reads take no lock: IDs are
// interned to dense integers, each user's threads are an immutable sorted
// list published through an atomic pointer, and a read of a pair checks
// both users' version counters and retries if a write overlapped it.
// Writes (serialized by a mutex) are linearizable: once a write returns,
// every later read sees it.
//
// [Memory.Join] combines it with a graph reader into an [FactReader] and
// [BatchFactReader], which privacy.New uses on its own: a decision then
// looks each user up once.
type Memory[ID comparable] struct {
	mu    sync.Mutex // serializes writers
	users intern.Map[ID, box]
}

// box is one user's inbox. Every field is read without a lock; writers
// change them with ver odd.
type box struct {
	ver      atomic.Uint32
	settings atomic.Uint64          // packSettings of the settings; 0 is the zero Settings
	threads  atomic.Pointer[thread] // a list (see list); nil: no threads
	pending  atomic.Pointer[thread] // a list of this user's Pending requests, by start time
}

// thread is one conversation as one of its two users keeps it. A list of
// threads is an immutable []thread whose first element is a header (with
// holds the count), referenced by a pointer to that header, so that a list
// is one allocation behind one atomic pointer.
type thread struct {
	started time.Time
	with    uint32 // sortedset.Perm of the other user's index
	state   State
	mine    bool // this user started it
}

func list(p *thread) []thread {
	if p == nil {
		return nil
	}
	return unsafe.Slice(p, p.with+1)[1:]
}

func newList(n int) []thread {
	s := make([]thread, n+1)
	s[0].with = uint32(n)
	return s
}

func head(s []thread) *thread {
	if len(s) == 1 {
		return nil
	}
	return &s[0]
}

// find returns the index of the thread with key in the list sorted by with.
func find(s []thread, key uint32) (int, bool) {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m].with < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(s) && s[lo].with == key
}

var _ Reader[string] = (*Memory[string])(nil)

// NewMemory returns an empty in-memory inbox store.
func NewMemory[ID comparable]() *Memory[ID] {
	return &Memory[ID]{}
}

// Settings returns id's settings, or the zero Settings.
func (m *Memory[ID]) Settings(_ context.Context, id ID) (Settings, error) {
	if _, e, ok := m.users.Get(id); ok {
		return unpackSettings(e.Val.settings.Load()), nil
	}
	return Settings{}, nil
}

// SetSettings stores id's settings as they are. It refuses undefined
// settings ([Settings.Defined]), keeping the stored ones; whether the user
// may choose them is the policy's question: validate first (privacy's
// Engine.ValidateSettings, or [Availability.Validate]).
func (m *Memory[ID]) SetSettings(id ID, s Settings) error {
	if err := s.Defined(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	_, e, _ := m.users.Add(id, nil)
	b := &e.Val
	b.ver.Add(1)
	b.settings.Store(packSettings(s))
	b.ver.Add(1)
	return nil
}

// packSettings packs s into one word, so that a box holds its settings
// inline and a decision reads them with the box, not one pointer further:
// the overrides' 40 bits (Overrides.Bits), then the mode and the group
// mode, 8 bits each. The zero Settings packs to 0.
func packSettings(s Settings) uint64 {
	return s.Routes.Bits() | uint64(s.Mode)<<40 | uint64(s.Groups)<<48
}

// unpackSettings is the inverse of packSettings.
func unpackSettings(w uint64) Settings {
	if w == 0 {
		return Settings{}
	}
	s := Settings{Mode: Mode(w >> 40 & 0xff), Groups: Mode(w >> 48 & 0xff)}
	if r := w & (1<<40 - 1); r != 0 {
		s.Routes, _ = OverridesFromBits(r) // valid: packSettings wrote it
	}
	return s
}

// spins is how many times a read retries after overlapping a write before
// it waits for writers instead.
const spins = 16

// read runs f while neither a nor b changes, so that what f reads is a
// snapshot of both (either may be nil: an unknown user). f must only read.
func (m *Memory[ID]) read(a, b *box, f func()) {
	var zero box
	if a == nil {
		a = &zero
	}
	if b == nil {
		b = &zero
	}
	for range spins {
		va, vb := a.ver.Load(), b.ver.Load()
		if (va|vb)&1 == 0 {
			f()
			if a.ver.Load() == va && b.ver.Load() == vb {
				return
			}
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	f()
}

// Conversation returns the thread between a and b, or the zero Conversation.
func (m *Memory[ID]) Conversation(_ context.Context, a, b ID) (Conversation[ID], error) {
	ia, ea, okA := m.users.Get(a)
	ib, eb, okB := m.users.Get(b)
	if !okA || !okB {
		return Conversation[ID]{}, nil
	}
	var c Conversation[ID]
	m.read(&ea.Val, &eb.Val, func() { c = conversation(ea, eb, ia, ib) })
	return c, nil
}

// conversation reads the pair's thread from the shorter of their lists.
func conversation[ID comparable](ea, eb *intern.Entry[ID, box], ia, ib uint32) Conversation[ID] {
	return conversationOf(ea, eb, ia, ib, list(ea.Val.threads.Load()), list(eb.Val.threads.Load()))
}

// conversationOf is conversation from the lists la and lb of ea and eb.
func conversationOf[ID comparable](ea, eb *intern.Entry[ID, box], ia, ib uint32, la, lb []thread) Conversation[ID] {
	if len(la) == 0 || len(lb) == 0 {
		return Conversation[ID]{}
	}
	me, other, l, key := ea, eb, la, sortedset.Perm(ib)
	if len(lb) < len(la) {
		me, other, l, key = eb, ea, lb, sortedset.Perm(ia)
	}
	j, ok := find(l, key)
	if !ok {
		return Conversation[ID]{}
	}
	t := &l[j]
	c := Conversation[ID]{Starter: other.Key, State: t.state, Started: t.started}
	if t.mine {
		c.Starter = me.Key
	}
	return c
}

// PendingRequests counts sender's Pending threads started in (after, upTo].
func (m *Memory[ID]) PendingRequests(_ context.Context, sender ID, after, upTo time.Time) (int, error) {
	_, e, ok := m.users.Get(sender)
	if !ok {
		return 0, nil
	}
	return countPending(list(e.Val.pending.Load()), after, upTo), nil
}

func countPending(p []thread, after, upTo time.Time) int {
	if len(p) == 0 || !upTo.After(after) {
		return 0
	}
	return firstAfter(p, upTo) - firstAfter(p, after)
}

// firstAfter returns the index of the first thread started after t.
func firstAfter(p []thread, t time.Time) int {
	lo, hi := 0, len(p)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !p[m].started.After(t) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// SetConversation sets the thread between from and to, started by from at
// time at, in the given state, replacing any thread the pair had: for
// loading existing data, tests and scenario files. Use [Memory.Deliver],
// [Memory.Accept] and [Memory.Decline] to follow the lifecycle.
func (m *Memory[ID]) SetConversation(from, to ID, s State, at time.Time) error {
	if from == to {
		return ErrSelf
	}
	if s == NoThread || s > Declined {
		return fmt.Errorf("%w: %v", ErrInvalidState, s)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ia, ea, _ := m.users.Add(from, nil)
	ib, eb, _ := m.users.Add(to, nil)
	m.put(ia, ib, &ea.Val, &eb.Val, thread{started: at, state: s, mine: true})
	return nil
}

// current returns the pair's thread as a keeps it, and whether there is one.
func current(a *box, ib uint32) (thread, bool) {
	l := list(a.threads.Load())
	if j, ok := find(l, sortedset.Perm(ib)); ok {
		return l[j], true
	}
	return thread{}, false
}

// put replaces the pair's thread with t, as a keeps it (t.mine: a started
// it), keeping both lists and the pending lists right. The caller holds
// m.mu.
func (m *Memory[ID]) put(ia, ib uint32, a, b *box, t thread) {
	old, had := current(a, ib)
	a.ver.Add(1)
	b.ver.Add(1)
	defer a.ver.Add(1)
	defer b.ver.Add(1)
	t.with = sortedset.Perm(ib)
	a.threads.Store(withThread(a.threads.Load(), t))
	tb := t
	tb.with, tb.mine = sortedset.Perm(ia), !t.mine
	b.threads.Store(withThread(b.threads.Load(), tb))
	if had && old.state == Pending {
		starter, other := a, ib
		if !old.mine {
			starter, other = b, ia
		}
		starter.pending.Store(withoutPending(starter.pending.Load(), sortedset.Perm(other), old.started))
	}
	if t.state == Pending {
		starter, p := a, t
		if !t.mine {
			starter, p = b, tb
		}
		starter.pending.Store(withPending(starter.pending.Load(), p))
	}
}

// withThread returns a copy of the list with t in place of the thread with
// the same partner, or added.
func withThread(p *thread, t thread) *thread {
	l := list(p)
	j, ok := find(l, t.with)
	n := len(l)
	if !ok {
		n++
	}
	s := newList(n)
	copy(s[1:], l[:j])
	s[1+j] = t
	if ok {
		copy(s[2+j:], l[j+1:])
	} else {
		copy(s[2+j:], l[j:])
	}
	return head(s)
}

// withPending returns a copy of the pending list with t inserted after
// every thread started no later.
func withPending(p *thread, t thread) *thread {
	l := list(p)
	j := firstAfter(l, t.started)
	s := newList(len(l) + 1)
	copy(s[1:], l[:j])
	s[1+j] = t
	copy(s[2+j:], l[j:])
	return head(s)
}

// withoutPending returns a copy of the pending list without the thread
// with key started at started.
func withoutPending(p *thread, key uint32, started time.Time) *thread {
	l := list(p)
	for j := range l {
		if l[j].with == key && l[j].started.Equal(started) {
			s := newList(len(l) - 1)
			copy(s[1:], l[:j])
			copy(s[1+j:], l[j+1:])
			return head(s)
		}
	}
	return p
}

// Deliver records that from sent to a message that landed as d at time at,
// and returns the conversation afterwards; see [Next] for the lifecycle. An
// Undelivered message changes nothing.
func (m *Memory[ID]) Deliver(from, to ID, d Delivery, at time.Time) (Conversation[ID], error) {
	if from == to {
		return Conversation[ID]{}, ErrSelf
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ia, ea, _ := m.users.Add(from, nil)
	ib, eb, _ := m.users.Add(to, nil)
	cur := conversation(ea, eb, ia, ib)
	next := Next(cur, from, d, at)
	if next == cur {
		return cur, nil
	}
	m.put(ia, ib, &ea.Val, &eb.Val, thread{started: next.Started, state: next.State, mine: next.Starter == from})
	return next, nil
}

// Accept accepts sender's pending or held request to recipient.
func (m *Memory[ID]) Accept(recipient, sender ID) error {
	return m.answer(recipient, sender, Accepted)
}

// Decline declines sender's pending or held request to recipient.
func (m *Memory[ID]) Decline(recipient, sender ID) error {
	return m.answer(recipient, sender, Declined)
}

func (m *Memory[ID]) answer(recipient, sender ID, s State) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ir, er, okR := m.users.Get(recipient)
	is, es, okS := m.users.Get(sender)
	if !okR || !okS {
		return ErrNoRequest
	}
	t, ok := current(&es.Val, ir)
	if !ok || !t.mine || (t.state != Pending && t.state != Held) {
		return ErrNoRequest
	}
	t.state = s
	m.put(is, ir, &es.Val, &er.Val, t)
	return nil
}

// Join returns a reader of every fact of a decision, graph and inbox, in
// one call, over the graph reader g and this store: what privacy.New uses
// when neither reader implements [FactReader] itself. A decision then
// looks each user up in this store once (where [ReadFacts] would for each
// of Settings, Conversation and PendingRequests), reads the pair's inbox
// as one snapshot, and reads the graph facts in one call when g is a
// [graph.PairReader]. The reader also implements [BatchFactReader],
// reading a batch's graph facts in one call when g is a
// [graph.PairBatchReader].
//
// A wrapper that embeds *Memory to change one read also promotes Join, and
// the engine would then read through the store past the wrapper: hold the
// store in a named field instead (examples/rollout does).
func (m *Memory[ID]) Join(g graph.Reader[ID]) FactReader[ID] {
	j := &joined[ID]{m: m, g: g}
	j.pr, _ = g.(graph.PairReader[ID])
	j.gm, _ = g.(*graph.Memory[ID])
	return j
}

type joined[ID comparable] struct {
	m     *Memory[ID]
	g     graph.Reader[ID]
	pr    graph.PairReader[ID] // nil unless g is one
	gm    *graph.Memory[ID]    // nil unless g is the embedded graph
	pairs sync.Pool            // *[]graph.Pair scratch for batches
}

var _ BatchFactReader[string] = (*joined[string])(nil)

// Facts reads the facts of q.
func (j *joined[ID]) Facts(ctx context.Context, q Query[ID]) (Facts[ID], error) {
	var f Facts[ID]
	if j.gm != nil {
		j.embedded(&f, q)
		return f, nil
	}
	// The inbox lookups come first and their results are used last, so
	// that their cache misses overlap the graph's.
	is, es, _ := j.m.users.Get(q.Sender)
	ir, er, _ := j.m.users.Get(q.Recipient)
	var err error
	if j.pr != nil {
		f.Pair, err = j.pr.Pair(ctx, q.Sender, q.Recipient)
	} else {
		f.Pair, err = graph.ReadPair(ctx, j.g, q.Sender, q.Recipient)
	}
	if err != nil {
		return Facts[ID]{}, err
	}
	j.m.readFacts(&f, q, es, er, is, ir)
	return f, nil
}

// embedded reads the facts of q over the embedded graph, arranged for
// fresh pairs, whose every read is a cache miss: it starts all four
// lookups (both users, both stores) before waiting for any, then loads
// what the inbox needs before the graph reads its sets, so that the
// misses overlap and a decision waits for a few in turn rather than a
// dozen.
func (j *joined[ID]) embedded(f *Facts[ID], q Query[ID]) {
	// Step 1: the four index words. Step 2: the four entries, the graph's
	// and the inbox's together (finishing one store's lookups before
	// starting the other's would wait for their misses in turn).
	gs, gr := j.gm.Probe(q.Sender), j.gm.Probe(q.Recipient)
	ps, pr := j.m.users.Start(gs.Hash()), j.m.users.Start(gr.Hash())
	fs, fr := j.gm.Finish(q.Sender, gs), j.gm.Finish(q.Recipient, gr)
	is, es, _ := j.m.users.Finish(q.Sender, ps)
	ir, er, _ := j.m.users.Finish(q.Recipient, pr)
	bs, br := boxOf(es), boxOf(er)
	vs, vr := version(bs), version(br)
	// The inbox's own loads, started now and used after the graph's.
	var ld loaded
	ld.load(bs, br)
	// Step 3: the graph's blocks of sets, while the inbox's lists load.
	j.gm.PairFound(fs, fr, &f.Pair)
	if es == nil && er == nil {
		return
	}
	fillFacts(&ld, f, q, es, er, is, ir)
	if (vs|vr)&1 != 0 || version(bs) != vs || version(br) != vr {
		j.m.readFacts(f, q, es, er, is, ir) // a write overlapped: again, carefully
	}
}

// loaded is the inbox's part of a pair, loaded ahead of use.
type loaded struct {
	settings          uint64 // packed
	sThreads, rThread *thread
	pending           *thread
	nS, nR            uint32
}

func (l *loaded) load(bs, br *box) {
	if br != nil {
		l.settings = br.settings.Load()
		if l.rThread = br.threads.Load(); l.rThread != nil {
			l.nR = l.rThread.with // touch the list now
		}
	}
	if bs != nil {
		if l.sThreads = bs.threads.Load(); l.sThreads != nil {
			l.nS = l.sThreads.with
		}
		l.pending = bs.pending.Load()
	}
}

// fillFacts sets f's inbox facts from what l loaded.
func fillFacts[ID comparable](l *loaded, f *Facts[ID], q Query[ID], es, er *intern.Entry[ID, box], is, ir uint32) {
	f.Settings = unpackSettings(l.settings)
	f.Conversation = Conversation[ID]{}
	if es != nil && er != nil && es != er {
		f.Conversation = conversationOf(es, er, is, ir, list(l.sThreads), list(l.rThread))
	}
	f.PendingRequests = 0
	if es != nil && q.Window > 0 {
		f.PendingRequests = countPending(list(l.pending), q.At.Add(-q.Window), q.At)
	}
}

// readFacts fills f's inbox facts as one snapshot of both users' entries
// (nil when unknown).
func (m *Memory[ID]) readFacts(f *Facts[ID], q Query[ID], es, er *intern.Entry[ID, box], is, ir uint32) {
	if es == nil && er == nil {
		return
	}
	bs, br := boxOf(es), boxOf(er)
	for range spins {
		vs, vr := version(bs), version(br)
		if (vs|vr)&1 == 0 {
			inboxFacts(f, q, es, er, is, ir)
			if version(bs) == vs && version(br) == vr {
				return
			}
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	inboxFacts(f, q, es, er, is, ir)
}

func version(b *box) uint32 {
	if b == nil {
		return 0
	}
	return b.ver.Load()
}

// inboxFacts fills f's inbox facts from the sender's and the recipient's
// entries (nil when unknown).
func inboxFacts[ID comparable](f *Facts[ID], q Query[ID], es, er *intern.Entry[ID, box], is, ir uint32) {
	f.Settings = Settings{}
	if er != nil {
		f.Settings = unpackSettings(er.Val.settings.Load())
	}
	f.Conversation = Conversation[ID]{}
	if es != nil && er != nil && es != er {
		f.Conversation = conversation(es, er, is, ir)
	}
	f.PendingRequests = 0
	if es != nil && q.Window > 0 {
		f.PendingRequests = countPending(list(es.Val.pending.Load()), q.At.Add(-q.Window), q.At)
	}
}

// FactsBatch reads the facts of every recipient of q.
func (j *joined[ID]) FactsBatch(ctx context.Context, q BatchQuery[ID], dst []Facts[ID]) error {
	n := len(q.Recipients)
	if len(dst) != n {
		return fmt.Errorf("inbox: FactsBatch: %d recipients but %d results", n, len(dst))
	}
	// The graph facts, in one call.
	sp, _ := j.pairs.Get().(*[]graph.Pair)
	if sp == nil {
		sp = new([]graph.Pair)
	}
	if cap(*sp) < n {
		*sp = make([]graph.Pair, n)
	}
	pairs := (*sp)[:n]
	defer j.pairs.Put(sp)
	if err := graph.ReadPairs(ctx, j.g, q.Sender, q.Recipients, pairs); err != nil {
		return err
	}

	// The inbox facts: the sender's once, the recipients' in phases so
	// that their cache misses overlap.
	is, es, _ := j.m.users.Get(q.Sender) // es is nil for an unknown sender
	bs := boxOf(es)
	const step = 64
	var idx [step]uint32
	var ents [step]*intern.Entry[ID, box]
	var vers [step]uint32
	var settings [step]uint64 // packed
	for lo := 0; lo < n; lo += step {
		hi := min(lo+step, n)
		j.m.users.FindAll(q.Recipients[lo:hi], idx[:hi-lo], ents[:hi-lo])
		// The sender's state, read once per step, and checked after.
		vs := version(bs)
		var ld loaded
		ld.load(bs, nil)
		pending := 0
		if es != nil && q.Window > 0 {
			pending = countPending(list(ld.pending), q.At.Add(-q.Window), q.At)
		}
		// A tight loop of the recipients' settings: their misses overlap.
		for k := range hi - lo {
			settings[k] = 0
			if e := ents[k]; e != nil {
				vers[k] = e.Val.ver.Load()
				settings[k] = e.Val.settings.Load()
			}
		}
		for k := range hi - lo {
			f := &dst[lo+k]
			f.Pair = pairs[lo+k]
			f.Settings = unpackSettings(settings[k])
			f.Conversation = Conversation[ID]{}
			f.PendingRequests = pending
			er := ents[k]
			if es != nil && er != nil && es != er {
				// From the sender's list, in cache: every thread is in both.
				if l := list(ld.sThreads); len(l) > 0 {
					if t, ok := find(l, sortedset.Perm(idx[k])); ok {
						f.Conversation = Conversation[ID]{Starter: er.Key, State: l[t].state, Started: l[t].started}
						if l[t].mine {
							f.Conversation.Starter = es.Key
						}
					}
				}
			}
			if (vs|vers[k])&1 != 0 || version(bs) != vs || (er != nil && er.Val.ver.Load() != vers[k]) {
				// A write overlapped: read this one again, carefully.
				qk := Query[ID]{Sender: q.Sender, Recipient: q.Recipients[lo+k], At: q.At, Window: q.Window}
				j.m.readFacts(f, qk, es, er, is, idx[k])
			}
		}
	}
	return nil
}

func boxOf[ID comparable](e *intern.Entry[ID, box]) *box {
	if e == nil {
		return nil
	}
	return &e.Val
}

// Threads lists id's conversations page by page, in a fixed order (see
// [ConversationLister]).
func (m *Memory[ID]) Threads(_ context.Context, id ID, after graph.Cursor, limit int, dst []Thread[ID]) ([]Thread[ID], graph.Cursor, error) {
	from := uint64(0)
	if after != "" {
		var err error
		if from, err = strconv.ParseUint(string(after), 36, 64); err != nil || from > 1<<32 {
			return dst, "", fmt.Errorf("%w: %q", graph.ErrBadCursor, after)
		}
	}
	_, e, ok := m.users.Get(id)
	if !ok || limit <= 0 || from >= 1<<32 {
		return dst, "", nil
	}
	l := list(e.Val.threads.Load())
	j := 0
	if from > 0 {
		j, _ = find(l, uint32(from))
	}
	end := min(len(l), j+limit)
	for _, t := range l[j:end] {
		other := m.users.At(sortedset.Unperm(t.with)).Key
		c := Conversation[ID]{Starter: other, State: t.state, Started: t.started}
		if t.mine {
			c.Starter = e.Key
		}
		dst = append(dst, Thread[ID]{With: other, Conversation: c})
	}
	if end == len(l) {
		return dst, "", nil
	}
	return dst, graph.Cursor(strconv.FormatUint(uint64(l[end-1].with)+1, 36)), nil
}
