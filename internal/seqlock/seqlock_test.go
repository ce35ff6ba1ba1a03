package seqlock

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// pair is two records a writer keeps equal: a reader that ever sees them
// differ read across a write.
type pair struct {
	seqA, seqB Seq
	a, b       atomic.Uint64
}

func (p *pair) write(mu *sync.Mutex, v uint64) {
	mu.Lock()
	defer mu.Unlock()
	p.seqA.Begin()
	p.seqB.Begin()
	p.a.Store(v)
	runtime.Gosched() // widen the window a reader can fall into
	p.b.Store(v)
	p.seqA.End()
	p.seqB.End()
}

func TestReaderSeesSnapshots(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var p pair
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := uint64(1); ; v++ {
			select {
			case <-stop:
				return
			default:
				p.write(&mu, v)
			}
		}
	}()
	var last uint64
	for range 20000 {
		var a, b uint64
		var r Reader
		for ok := r.Begin(&mu, &p.seqA, &p.seqB); ok; ok = r.Retry() {
			a, b = p.a.Load(), p.b.Load()
		}
		if a != b {
			t.Fatalf("read a torn pair: %d and %d", a, b)
		}
		if a < last {
			t.Fatalf("read went back in time: %d after %d", a, last)
		}
		last = a
	}
	close(stop)
	wg.Wait()
}

func TestReaderFallsBackToTheLock(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var s Seq
	s.Begin() // a writer that never finishes, as far as readers can tell
	runs := 0
	var r Reader
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ok := r.Begin(&mu, &s, &s); ok; ok = r.Retry() {
			runs++
		}
	}()
	// The reader spins, then waits for the mutex; the writer finishes
	// and lets it in.
	mu.Lock()
	s.End()
	mu.Unlock()
	<-done
	if runs < 1 || runs > spins+1 {
		t.Errorf("the body ran %d times, want 1 to %d", runs, spins+1)
	}
	// The version is the counter the snapshot was read at, even after the
	// lock: a later read of the record validates against it.
	if v := r.Version(); v != 2 || !s.Valid(v) {
		t.Errorf("Version() = %d after the write ended, want 2, valid", v)
	}
	if !mu.TryLock() {
		t.Fatal("the reader left the mutex locked")
	}
	mu.Unlock()
}

func TestReaderUnderTheWritersLock(t *testing.T) {
	t.Parallel()
	var s Seq
	runs := 0
	var r Reader
	for ok := r.Begin(nil, &s, &s); ok; ok = r.Retry() {
		runs++
	}
	if runs != 1 {
		t.Errorf("the body ran %d times, want 1", runs)
	}
}

// TestVersion: the version a loop ends with validates later reads of the
// record until a write moves its counter.
func TestVersion(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var s Seq
	s.Begin()
	s.End()
	var r Reader
	for ok := r.Begin(&mu, &s, &s); ok; ok = r.Retry() {
	}
	v := r.Version()
	if v != s.Load() || !s.Valid(v) {
		t.Errorf("Version() = %d, counter %d: want the counter, valid", v, s.Load())
	}
	s.Begin()
	s.End()
	if s.Valid(v) {
		t.Error("a version from before a write still validates")
	}
}

func TestValid(t *testing.T) {
	t.Parallel()
	var s Seq
	v := s.Load()
	if !s.Valid(v) {
		t.Error("a stable counter is not valid")
	}
	s.Begin()
	if s.Valid(v) || s.Valid(s.Load()) {
		t.Error("a counter mid-write is valid")
	}
	s.End()
	if s.Valid(v) {
		t.Error("a counter that moved is valid")
	}
}

func BenchmarkReader(b *testing.B) {
	var mu sync.Mutex
	var p pair
	b.ReportAllocs()
	var sum uint64
	for b.Loop() {
		var r Reader
		for ok := r.Begin(&mu, &p.seqA, &p.seqB); ok; ok = r.Retry() {
			sum += p.a.Load() + p.b.Load()
		}
	}
	_ = sum
}
