// Package seqlock is the concurrency protocol of the embedded store: a
// sequence lock per record, read without locks and validated after the
// read, with writers serialized by one mutex.
//
// A writer holds the store's mutex, calls [Seq.Begin] on every record it
// is about to change (the counter turns odd), changes them, and calls
// [Seq.End] on each (even again). A reader loads the counters, reads, and
// checks that the counters are still what it loaded and even: if so, what
// it read is a snapshot of those records, taken at a moment between two
// writes; if not, it reads again. A reader that keeps overlapping writes
// (a writer descheduled mid-write, a record written in a tight loop) takes
// the writers' mutex and reads once more, where nothing changes: a read
// finishes in bounded time.
//
// Everything a reader reads between the loads must be safe to read while
// it changes: atomics, or words of memory that stay allocated and are only
// ever written with atomic stores (the store's arena). The values may be
// torn across fields, which validation then rejects; a reader must clamp
// any index it derives from them before using it.
package seqlock

import (
	"sync"
	"sync/atomic"
)

// Seq is a sequence counter: even while what it guards is stable, odd while
// a writer changes it. The zero Seq is stable.
type Seq struct{ v atomic.Uint32 }

// Begin marks the start of a write: the counter turns odd. The caller
// holds the writers' mutex.
func (s *Seq) Begin() { s.v.Add(1) }

// End marks the end of a write: the counter turns even.
func (s *Seq) End() { s.v.Add(1) }

// Load returns the counter.
func (s *Seq) Load() uint32 { return s.v.Load() }

// spins is how many optimistic reads a Reader tries before it takes the
// writers' mutex.
const spins = 16

// Reader reads what one or two Seqs guard as one snapshot. Use it as the
// header of a loop whose body only reads, into locals:
//
//	var r seqlock.Reader
//	for ok := r.Begin(&mu, &a.seq, &b.seq); ok; ok = r.Retry() {
//		x, y = a.x.Load(), b.y.Load()
//	}
//
// When the loop ends, the body's last run read a snapshot. With a nil
// mutex the caller holds the writers' mutex already: the body runs once.
type Reader struct {
	mu     *sync.Mutex
	a, b   *Seq
	va, vb uint32
	tries  int32
	locked bool
}

// Begin starts a read of what a and b guard (b may be a) with mu, the
// writers' mutex (nil: the caller holds it), and returns true: the body
// must run.
func (r *Reader) Begin(mu *sync.Mutex, a, b *Seq) bool {
	r.mu, r.a, r.b, r.tries, r.locked = mu, a, b, 0, false
	r.va, r.vb = a.v.Load(), b.v.Load()
	return true
}

// Retry reports whether the body must run again: after a run that
// overlapped a write. It returns false once the last run read a snapshot.
func (r *Reader) Retry() bool {
	if r.mu != nil && !r.locked && (r.va|r.vb)&1 == 0 && r.a.v.Load() == r.va && r.b.v.Load() == r.vb {
		return false
	}
	return r.retry()
}

func (r *Reader) retry() bool {
	switch {
	case r.locked:
		r.mu.Unlock()
		r.locked = false
		return false
	case r.mu == nil:
		return false
	}
	r.tries++
	if r.tries > spins {
		r.mu.Lock()
		r.locked = true
		r.va, r.vb = r.a.v.Load(), r.b.v.Load() // stable while the lock is held
		return true
	}
	r.va, r.vb = r.a.v.Load(), r.b.v.Load()
	return true
}

// Version returns the counter of the first Seq (a, of Begin) that the
// loop's last run read a snapshot at, once the loop has ended. A reader
// that goes on to read more of what a guards, piece by piece (a batch:
// one user against many), validates each piece against it with
// [Seq.Valid], and so knows each piece belongs to the same snapshot.
func (r *Reader) Version() uint32 { return r.va }

// Valid reports whether a read of one record, begun when its counter was
// v, saw a snapshot: v is even and the counter has not moved since. It is
// for readers that validate many records at once (a batch), each against
// its own counter.
func (s *Seq) Valid(v uint32) bool { return v&1 == 0 && s.v.Load() == v }
