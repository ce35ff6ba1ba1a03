package privacy_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// blockStore is a graph with the two writes the race test makes.
type blockStore interface {
	graph.Reader[string]
	Block(from, to string) error
	Unblock(from, to string) error
}

// raceResult is what one run of raceBlock saw.
type raceResult struct {
	violations int // allows seen by checks that started after Block returned
	during     int // checks that ran wholly while a block was in effect
	concurrent int // of which by the other goroutines, racing the writes
}

// raceBlock races Block and Unblock between two friends against
// CanMessage in both directions, from several goroutines and from the
// blocking goroutine itself right after Block returns. A check that
// started after Block returned and ended before Unblock began must deny:
// linearizability as the package documentation states it: once Block
// returns, no later CanMessage from the blocked user is allowed (and
// blocks deny both ways).
//
// epoch orders the two: odd while a block is in effect (set after Block
// returns), even from just before Unblock is called. A check that reads the
// same odd epoch before and after it ran overlapped only the blocked time.
func raceBlock(t *testing.T, g blockStore, setup func(st *memory.Store[string]) error, rounds, checkers int) raceResult {
	t.Helper()
	in := memory.New[string]()
	if err := setup(in); err != nil {
		t.Fatal(err)
	}
	e, err := privacy.New(g, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var (
		epoch      atomic.Int64
		violations atomic.Int64
		during     atomic.Int64
		concurrent atomic.Int64
		stop       atomic.Bool
		wg         sync.WaitGroup
	)
	check := func(from, to string, racing bool) {
		e1 := epoch.Load()
		d, err := e.CanMessage(ctx, from, to)
		if err != nil {
			t.Errorf("CanMessage(%s, %s): %v", from, to, err)
			return
		}
		if e1%2 == 1 && epoch.Load() == e1 {
			during.Add(1)
			if racing {
				concurrent.Add(1)
			}
			if d.Allowed {
				violations.Add(1)
			}
		}
	}
	for i := range checkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				if i%2 == 0 {
					check("sam", "rae", true)
				} else {
					check("rae", "sam", true)
				}
				runtime.Gosched() // let the writer in: a check is short, a time slice is not
			}
		}()
	}
	for k := range rounds {
		from, to := "rae", "sam" // the recipient blocks the sender…
		if k%2 == 1 {
			from, to = to, from // …or the sender blocks the recipient
		}
		before := concurrent.Load()
		if err := g.Block(from, to); err != nil {
			t.Fatal(err)
		}
		epoch.Add(1) // odd: the block has returned
		check("sam", "rae", false)
		check("rae", "sam", false)
		// Hold the block until the other goroutines have checked under it,
		// or a moment has passed on a busy machine.
		for deadline := time.Now().Add(20 * time.Millisecond); concurrent.Load() < before+int64(checkers) && time.Now().Before(deadline); {
			runtime.Gosched()
		}
		epoch.Add(1) // even: the block is about to go
		if err := g.Unblock(from, to); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	return raceResult{violations: int(violations.Load()), during: int(during.Load()), concurrent: int(concurrent.Load())}
}

// friendsGraph returns a graph of two adult friends, sam and rae.
func friendsGraph[G interface {
	SetUser(string, graph.User) error
	Follow(string, string) error
}](t *testing.T, g G) G {
	t.Helper()
	adult := graph.User{Status: graph.Active, Birth: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, err := range []error{
		g.SetUser("sam", adult), g.SetUser("rae", adult),
		g.Follow("sam", "rae"), g.Follow("rae", "sam"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return g
}

// raceSetups are the inbox states the race runs over: friends with no
// thread, and an accepted thread under Everyone (a different allow path).
var raceSetups = map[string]func(*memory.Store[string]) error{
	"friends": func(*memory.Store[string]) error { return nil },
	"conversation": func(in *memory.Store[string]) error {
		return errors.Join(
			in.SetSettings("rae", inbox.Settings{Mode: inbox.Everyone}),
			in.SetSettings("sam", inbox.Settings{Mode: inbox.Everyone}),
			in.SetConversation("sam", "rae", inbox.Accepted, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)),
		)
	},
}

// TestBlockRacesCanMessage: on the embedded store, once Block returns no
// check that starts afterwards allows a message either way, however the
// checks interleave with the writes. Run it under -race.
func TestBlockRacesCanMessage(t *testing.T) {
	t.Parallel()
	for name, setup := range raceSetups {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := friendsGraph(t, memory.New[string]())
			// The allow path is really open between the blocks.
			e, _ := privacy.New(g, memory.New[string](), nil)
			if d, err := e.CanMessage(context.Background(), "sam", "rae"); err != nil || !d.Allowed {
				t.Fatalf("before any block: %v, %v; want allowed", d, err)
			}
			res := raceBlock(t, g, setup, 1000, 3)
			if res.violations != 0 {
				t.Errorf("%d of %d checks after Block returned were allowed", res.violations, res.during)
			}
			if res.concurrent < 250 {
				t.Errorf("only %d checks raced the 1000 blocks; the race did not happen", res.concurrent)
			}
			t.Logf("%d checks under a block, %d of them racing the writes", res.during, res.concurrent)
		})
	}
}

// lateBlocks is a broken store for TestBlockRaceCatchesLateBlocks: its
// Block returns at once but takes effect only after a few more reads, like
// a cache or a replica that publishes writes late.
type lateBlocks struct {
	*memory.Store[string]
	mu      sync.Mutex
	pending func() error // the block not yet published
	reads   int          // reads left before it is
}

func (l *lateBlocks) tick() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == nil {
		return
	}
	if l.reads--; l.reads <= 0 {
		_ = l.pending()
		l.pending = nil
	}
}

func (l *lateBlocks) Block(from, to string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = func() error { return l.Store.Block(from, to) }
	l.reads = 5
	return nil
}

func (l *lateBlocks) Unblock(from, to string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = nil
	return l.Store.Unblock(from, to)
}

func (l *lateBlocks) Pair(ctx context.Context, a, b string) (graph.Pair, error) {
	l.tick()
	return l.Store.Pair(ctx, a, b)
}

func (l *lateBlocks) User(ctx context.Context, id string) (graph.User, error) {
	l.tick()
	return l.Store.User(ctx, id)
}

func (l *lateBlocks) HasEdge(ctx context.Context, k graph.Edge, from, to string) (bool, error) {
	l.tick()
	return l.Store.HasEdge(ctx, k, from, to)
}

// TestBlockRaceCatchesLateBlocks shows that raceBlock can fail: over a
// store that publishes blocks a few reads late it sees allows after Block
// returned.
func TestBlockRaceCatchesLateBlocks(t *testing.T) {
	t.Parallel()
	g := &lateBlocks{Store: friendsGraph(t, memory.New[string]())}
	res := raceBlock(t, g, raceSetups["friends"], 20, 2)
	if res.violations == 0 {
		t.Errorf("raceBlock saw no allow after Block returned over a store that publishes blocks late (%d checks under a block)", res.during)
	}
}
