package memory

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/internal/seqlock"
)

// TestPairSnapshots runs readers while a writer cycles two users through a
// fixed sequence of states that touches both users' sets: every Pair a
// reader sees must be one of those states, never a mix of two (run with
// -race). The writer also churns their other sets, through the big form
// and back, so blocks are rebuilt and reused under the readers.
func TestPairSnapshots(t *testing.T) {
	t.Parallel()
	m := New[int]()
	m.promote, m.demote = 3, 1
	for i := range 8 {
		if err := m.SetUser(i, graph.User{Status: graph.Active}); err != nil {
			t.Fatal(err)
		}
	}
	steps := []func() error{
		func() error { return m.Follow(0, 1) },
		func() error { return m.Block(1, 0) },
		func() error { return m.Follow(1, 0) },
		func() error { return m.Unfollow(0, 1) },
		func() error { return m.Unblock(1, 0) },
		func() error { return m.Unfollow(1, 0) },
	}
	valid := map[graph.Edges]bool{
		0:                              true,
		graph.FollowAB:                 true,
		graph.FollowAB | graph.BlockBA: true,
		graph.FollowAB | graph.BlockBA | graph.FollowBA: true,
		graph.BlockBA | graph.FollowBA:                  true,
		graph.FollowBA:                                  true,
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for round := 0; ; round++ {
			select {
			case <-stop:
				return
			default:
			}
			for _, s := range steps {
				if err := s(); err != nil {
					t.Error(err)
					return
				}
			}
			for x := 2; x < 8; x++ {
				m.SetEdge(graph.Follow, x, round%2, round%3 != 0)
				m.SetEdge(graph.Follow, round%2, x, round%3 == 0)
			}
		}
	}()
	ctx := context.Background()
	for range 20000 {
		p, _ := m.Pair(ctx, 0, 1)
		if !valid[p.Edges] {
			close(stop)
			wg.Wait()
			t.Fatalf("Pair(0, 1) = %v: no state of the sequence", p.Edges)
		}
	}
	close(stop)
	wg.Wait()
}

// TestBlockIsLinearizable: once Block returns, every read sees it.
func TestBlockIsLinearizable(t *testing.T) {
	t.Parallel()
	m := New[int]()
	const n = 200
	for i := range n {
		m.SetUser(i, graph.User{Status: graph.Active})
	}
	done := make(chan int, n)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i < n; i++ {
			m.Block(0, i)
			done <- i
		}
		close(done)
	}()
	ctx := context.Background()
	for i := range done {
		if ok, _ := m.HasEdge(ctx, graph.Block, 0, i); !ok {
			t.Fatalf("block 0→%d not seen after Block returned", i)
		}
		if f, _ := m.Facts(ctx, inbox.Query[int]{Sender: i, Recipient: 0}); !f.Pair.Edges.Has(graph.BlockBA) {
			t.Fatalf("Facts(%d, 0) = %v after Block returned", i, f.Pair.Edges)
		}
	}
	wg.Wait()
}

// TestConversationSnapshots runs readers while a writer moves one pair
// through a request's lifecycle: a reader must never see the pending count
// and the thread disagree (the count includes the thread exactly when it
// is pending). Run with -race.
func TestConversationSnapshots(t *testing.T) {
	t.Parallel()
	m := New[string]()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m.SetUser("s", graph.User{Status: graph.Active})
	m.SetUser("r", graph.User{Status: graph.Active})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			m.Deliver("s", "r", inbox.AsRequest, t0)
			m.Accept("r", "s")
			m.SetConversation("s", "r", inbox.Declined, t0)
			m.SetSettings("r", inbox.Settings{Mode: inbox.Mode(1 + i%4)})
			m.SetConversation(fmt.Sprint("x", i%3), "s", inbox.Pending, t0) // churn s's lists
		}
	}()
	q := inbox.Query[string]{Sender: "s", Recipient: "r", At: t0, Window: time.Hour}
	recipients := []string{"r", "x0", "r"}
	facts := make([]inbox.Facts[string], len(recipients))
	for i := range 100000 {
		f, err := m.Facts(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if (f.Conversation.State == inbox.Pending) != (f.PendingRequests == 1) {
			close(stop)
			wg.Wait()
			t.Fatalf("thread %v with %d pending", f.Conversation.State, f.PendingRequests)
		}
		if i%10 == 0 {
			m.FactsBatch(context.Background(), inbox.BatchQuery[string]{Sender: "s", Recipients: recipients, At: t0, Window: time.Hour}, facts)
			if (facts[0].Conversation.State == inbox.Pending) != (facts[0].PendingRequests == 1) {
				close(stop)
				wg.Wait()
				t.Fatalf("batch: thread %v with %d pending", facts[0].Conversation.State, facts[0].PendingRequests)
			}
		}
	}
	close(stop)
	wg.Wait()
}

// TestBigSetUnderReaders grows and shrinks a celebrity's followers across
// the big form while readers check one follower who never changes.
func TestBigSetUnderReaders(t *testing.T) {
	t.Parallel()
	m := New[int]()
	m.promote, m.demote = 8, 2
	const n = 600
	for i := range n {
		m.SetUser(i, graph.User{Status: graph.Active})
	}
	m.Follow(1, 0) // the follower who stays
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for round := 0; ; round++ {
			for i := 2; i < n; i++ {
				select {
				case <-stop:
					return
				default:
				}
				m.SetEdge(graph.Follow, i, 0, round%2 == 0)
			}
		}
	}()
	_, star := m.find(0)
	i1, _ := m.find(1)
	for i := range 50000 {
		// The star's own follower set, read as the store's readers do
		// (a pair check would search the steady follower's small side).
		var in bool
		var rd seqlock.Reader
		for ok := rd.Begin(&m.mu, &star.seq, &star.seq); ok; ok = rd.Retry() {
			var l layout
			l.decode(star.lens.Load())
			in = m.arena.has(star.rel.Load(), &l, setIn, permOf(i1))
		}
		if !in {
			close(stop)
			wg.Wait()
			t.Fatalf("read %d: the steady follower is missing", i)
		}
	}
	close(stop)
	wg.Wait()
}
