package memory

import (
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/dmprivacy/dmprivacy/inbox"
)

// A user's conversations are one arena block, [threads, pending, thread
// entries…, pending entries…]: every thread the user is in, sorted by the
// other user's key, as the user keeps it (whether they started it), and the
// user's own Pending requests, sorted by when they started, for the request
// cap's count. Each conversation is in both users' lists.

const (
	threadWords  = 4 // other user's key, state | mine<<8, started (2 words)
	pendingWords = 3 // started (2 words), other user's key
	boxHeader    = 2
)

// thread is one conversation as one of its users keeps it.
type thread struct {
	with    uint32 // the other user's key (permOf of their index)
	state   inbox.State
	mine    bool  // this user started it
	started int64 // Unix nanoseconds, noTime for the zero time
}

// pending is one of a user's Pending requests.
type pending struct {
	started int64
	with    uint32
}

const noTime = math.MinInt64

func nanos(t time.Time) (int64, error) {
	if t.IsZero() {
		return noTime, nil
	}
	if t.Year() < 1678 || t.Year() > 2261 {
		return 0, fmt.Errorf("memory: time %v out of range", t)
	}
	return t.UnixNano(), nil
}

func timeOf(n int64) time.Time {
	if n == noTime {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func split(n int64) (uint32, uint32) { return uint32(uint64(n)), uint32(uint64(n) >> 32) }

func join(lo, hi uint32) int64 { return int64(uint64(hi)<<32 | uint64(lo)) }

// boxView is a user's conversation lists as a reader loaded them.
type boxView struct {
	threads []uint32 // threadWords per entry
	pending []uint32 // pendingWords per entry
}

func (a *arena) box(ref uint32) boxView { return chunks(a.dir()).box(ref) }

// box is arena.box over a loaded directory: one slice of the chunk, cut
// in two (a torn read gets short lists, and its validation fails).
func (c chunks) box(ref uint32) boxView {
	ci := ref >> chunkBits
	if ref == 0 || int(ci) >= len(c) {
		return boxView{}
	}
	ch := c[ci]
	lo := ref & (chunkWords - 1)
	if lo+boxHeader > uint32(len(ch)) {
		return boxView{}
	}
	t := uint64(lo) + boxHeader
	p := t + uint64(atomic.LoadUint32(&ch[lo]))*threadWords
	e := p + uint64(atomic.LoadUint32(&ch[lo+1]))*pendingWords
	if e > uint64(len(ch)) {
		return boxView{}
	}
	return boxView{threads: ch[t:p:p], pending: ch[p:e:e]}
}

// find returns the thread with the other user's key, if any.
func (v *boxView) find(key uint32) (thread, bool) {
	s := v.threads
	lo, hi := 0, len(s)/threadWords
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if load(s, m*threadWords) < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if j := lo * threadWords; j+threadWords <= len(s) && load(s, j) == key {
		sm := load(s, j+1)
		return thread{with: key, state: inbox.State(sm & 0xff), mine: sm>>8 != 0,
			started: join(load(s, j+2), load(s, j+3))}, true
	}
	return thread{}, false
}

// count returns how many pending requests started in (after, upTo].
func (v *boxView) count(after, upTo int64) int {
	if upTo <= after {
		return 0
	}
	return v.firstAfter(upTo) - v.firstAfter(after)
}

func (v *boxView) firstAfter(t int64) int {
	s := v.pending
	lo, hi := 0, len(s)/pendingWords
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if join(load(s, m*pendingWords), load(s, m*pendingWords+1)) <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Writers, under the store's mutex.

// lists returns a user's lists as plain values, for a writer.
func (s *Store[ID]) lists(r *record[ID]) ([]thread, []pending) {
	v := s.arena.box(r.box.Load())
	ts := make([]thread, len(v.threads)/threadWords)
	for i := range ts {
		w := v.threads[i*threadWords:]
		ts[i] = thread{with: w[0], state: inbox.State(w[1] & 0xff), mine: w[1]>>8 != 0, started: join(w[2], w[3])}
	}
	ps := make([]pending, len(v.pending)/pendingWords)
	for i := range ps {
		w := v.pending[i*pendingWords:]
		ps[i] = pending{started: join(w[0], w[1]), with: w[2]}
	}
	return ts, ps
}

// setLists publishes a user's lists; the caller has made the record's
// counter odd.
func (s *Store[ID]) setLists(r *record[ID], ts []thread, ps []pending) {
	a := &s.arena
	old := r.box.Load()
	oldN := 0
	if old != 0 {
		h := a.words(old, boxHeader)
		oldN = boxHeader + int(h[0])*threadWords + int(h[1])*pendingWords
	}
	var ref uint32
	if len(ts) > 0 || len(ps) > 0 {
		n := boxHeader + len(ts)*threadWords + len(ps)*pendingWords
		buf := make([]uint32, 0, n)
		buf = append(buf, uint32(len(ts)), uint32(len(ps)))
		for _, t := range ts {
			lo, hi := split(t.started)
			sm := uint32(t.state)
			if t.mine {
				sm |= 1 << 8
			}
			buf = append(buf, t.with, sm, lo, hi)
		}
		for _, p := range ps {
			lo, hi := split(p.started)
			buf = append(buf, lo, hi, p.with)
		}
		ref = a.alloc(n)
		storeWords(a.words(ref, n), buf)
	}
	r.box.Store(ref)
	a.free(old, oldN, false)
}

// putThread sets the conversation between a (index ia) and b (index ib)
// to t, as a keeps it (t.mine: a started it), in both users' lists, and
// keeps the starter's pending list right. The caller holds the mutex and
// has made both counters odd.
func (s *Store[ID]) putThread(ia, ib uint32, a, b *record[ID], t thread) {
	ka, kb := permOf(ia), permOf(ib)
	ta, pa := s.lists(a)
	tb, pb := s.lists(b)
	old, had := findThread(ta, kb)
	// Drop the old thread's pending entry from its starter's list.
	if had && old.state == inbox.Pending {
		if old.mine {
			pa = dropPending(pa, old.started, kb)
		} else {
			pb = dropPending(pb, old.started, ka)
		}
	}
	t.with = kb
	ta = withThread(ta, t)
	tb = withThread(tb, thread{with: ka, state: t.state, mine: !t.mine, started: t.started})
	if t.state == inbox.Pending {
		if t.mine {
			pa = addPending(pa, pending{t.started, kb})
		} else {
			pb = addPending(pb, pending{t.started, ka})
		}
	}
	s.setLists(a, ta, pa)
	if b != a {
		s.setLists(b, tb, pb)
	}
}

func findThread(ts []thread, key uint32) (thread, bool) {
	j, ok := slices.BinarySearchFunc(ts, key, func(t thread, k uint32) int { return cmpU32(t.with, k) })
	if ok {
		return ts[j], true
	}
	return thread{}, false
}

func withThread(ts []thread, t thread) []thread {
	j, ok := slices.BinarySearchFunc(ts, t.with, func(x thread, k uint32) int { return cmpU32(x.with, k) })
	if ok {
		ts[j] = t
		return ts
	}
	return slices.Insert(ts, j, t)
}

func addPending(ps []pending, p pending) []pending {
	j, _ := slices.BinarySearchFunc(ps, p, cmpPending)
	return slices.Insert(ps, j, p)
}

func dropPending(ps []pending, started int64, with uint32) []pending {
	j, ok := slices.BinarySearchFunc(ps, pending{started, with}, cmpPending)
	if ok {
		return slices.Delete(ps, j, j+1)
	}
	return ps
}

func cmpPending(x, y pending) int {
	switch {
	case x.started < y.started:
		return -1
	case x.started > y.started:
		return 1
	}
	return cmpU32(x.with, y.with)
}

func cmpU32(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
