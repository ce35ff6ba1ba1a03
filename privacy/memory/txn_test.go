package memory

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// TestUpdateIsAtomic: a reader never sees half of a transaction. The
// writer turns a friendship on and off, together with the recipient's mode
// and the sender's status, in one Update; every read of the pair must see
// all four or none. The same writes without a transaction let readers see
// halves, which shows the test can fail.
func TestUpdateIsAtomic(t *testing.T) {
	t.Parallel()
	for _, atomic := range []bool{true, false} {
		torn := readWhileToggling(t, atomic)
		switch {
		case atomic && torn > 0:
			t.Errorf("with Update: %d reads saw half a transaction", torn)
		case !atomic && torn == 0:
			t.Logf("without Update no read saw half the writes this time (a race the scheduler may hide)")
		}
	}
}

func readWhileToggling(t *testing.T, atomic bool) int {
	m := New[int]()
	for i := range 2 {
		if err := m.SetUser(i, graph.User{Status: graph.Active}); err != nil {
			t.Fatal(err)
		}
	}
	apply := func(w interface {
		SetEdge(graph.Edge, int, int, bool) error
		SetSettings(int, inbox.Settings) error
		SetUser(int, graph.User) error
	}, on bool) {
		mode, status := inbox.Friends, graph.Active
		if on {
			mode, status = inbox.Everyone, graph.Suspended
		}
		w.SetEdge(graph.Follow, 0, 1, on)
		w.SetSettings(1, inbox.Settings{Mode: mode})
		w.SetUser(0, graph.User{Status: status})
		w.SetEdge(graph.Follow, 1, 0, on)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for on := true; ; on = !on {
			select {
			case <-stop:
				return
			default:
			}
			if atomic {
				m.Update(func(tx *Txn[int]) error { apply(tx, on); return nil })
			} else {
				apply(m, on)
			}
		}
	}()
	torn := 0
	for range 30000 {
		f, _ := m.Facts(context.Background(), inbox.Query[int]{Sender: 0, Recipient: 1})
		on := f.Pair.Edges.Has(graph.FollowAB)
		whole := f.Pair.Edges.Has(graph.FollowBA) == on && (f.Settings.Mode == inbox.Everyone) == on &&
			(f.Pair.A.Status == graph.Suspended) == on
		if !whole {
			torn++
		}
	}
	close(stop)
	wg.Wait()
	return torn
}

func TestTxnAfterUpdate(t *testing.T) {
	t.Parallel()
	m := New[string]()
	var kept *Txn[string]
	if err := m.Update(func(tx *Txn[string]) error {
		kept = tx
		return tx.SetUser("a", graph.User{Status: graph.Active})
	}); err != nil {
		t.Fatal(err)
	}
	if err := kept.SetUser("b", graph.User{Status: graph.Active}); !errors.Is(err, ErrTxnDone) {
		t.Errorf("a write after Update returned: %v, want ErrTxnDone", err)
	}
	boom := errors.New("boom")
	if err := m.Update(func(tx *Txn[string]) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Update returned %v, want f's error", err)
	}
	if err := m.Update(func(tx *Txn[string]) error { return tx.SetEdge(graph.Follow, "a", "ghost", true) }); !errors.Is(err, graph.ErrUnknownUser) {
		t.Errorf("Update with an unknown user: %v", err)
	}
}
