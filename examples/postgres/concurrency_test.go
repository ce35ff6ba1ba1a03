package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// workers is how many goroutines each phase of TestConcurrentWrites runs
// at once, released together.
const workers = 64

// together runs f(0) … f(n-1) on n goroutines released at the same moment
// and returns the errors they returned, in order.
func together(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			errs[i] = f(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return errs
}

func noErrors(t *testing.T, phase string, errs []error) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s: goroutine %d: %v", phase, i, err)
		}
	}
}

// deadlocks returns the server's count of deadlocks detected in the
// current database.
func deadlocks(t *testing.T, db postgres.DB) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(t.Context(), `SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConcurrentWrites runs the races that used to deadlock or fail, each
// with 64 goroutines released at once over a pool smaller than that:
// mutual first messages, one sender over the request cap, sends racing
// blocks, contact-key swaps and many users taking one key, and all of them
// mixed with edge writes on the same users. None may fail, and the server
// must detect no deadlock.
func TestConcurrentWrites(t *testing.T) {
	pool := pgtest.Open(t, &pgtest.Options{MaxConns: 16})
	s := postgres.New(pool)
	ctx := t.Context()
	p := privacy.TikTok()
	p.RequestCap = 20
	ch, err := postgres.NewChecker(s, &privacy.Options{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	adult := graph.User{Status: graph.Active, Birth: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
	// Users 1000…1000+2*workers, all adults open to everyone.
	const base = 1000
	for id := int64(base); id < base+2*workers+1; id++ {
		if _, err := s.SetUser(ctx, id, adult); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetSettings(ctx, id, inbox.Settings{Mode: inbox.Everyone}); err != nil {
			t.Fatal(err)
		}
	}
	admin := adminConn(t)
	before := deadlocks(t, admin)

	t.Run("mutual first messages", func(t *testing.T) {
		// Pairs (base+2k, base+2k+1) message each other at the same moment.
		decisions := make([]privacy.Decision, workers)
		errs := together(workers, func(i int) error {
			a, b := int64(base+i), int64(base+i^1)
			d, _, _, err := ch.Send(ctx, a, b, time.Time{})
			decisions[i] = d
			return err
		})
		noErrors(t, "mutual sends", errs)
		for i, d := range decisions {
			if !d.Allowed {
				t.Errorf("send %d→%d denied: %v", base+i, base+i^1, d)
			}
		}
		// Each pair has one thread: one of the two landed first as a
		// request, and the other's reply accepted it.
		for i := 0; i < workers; i += 2 {
			c, err := s.Conversation(ctx, int64(base+i), int64(base+i+1))
			if err != nil {
				t.Fatal(err)
			}
			if c.State != inbox.Accepted {
				t.Errorf("pair %d,%d: thread %v, want accepted", base+i, base+i+1, c.State)
			}
		}
	})

	t.Run("one sender over the cap", func(t *testing.T) {
		sender := int64(base + 2*workers) // has sent nothing yet
		decisions := make([]privacy.Decision, workers)
		errs := together(workers, func(i int) error {
			d, _, _, err := ch.Send(ctx, sender, int64(base+i), time.Time{})
			decisions[i] = d
			return err
		})
		noErrors(t, "sends over the cap", errs)
		got := map[string]int{}
		for _, d := range decisions {
			got[d.String()]++
		}
		want := map[string]int{"allow requests message_request": p.RequestCap, "deny request_limit": workers - p.RequestCap}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("decisions of %d simultaneous requests with a cap of %d (-want +got):\n%s", workers, p.RequestCap, d)
		}
		n, err := s.PendingRequests(ctx, sender, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil || n != p.RequestCap {
			t.Errorf("the sender holds %d pending requests (%v), want the cap, %d", n, err, p.RequestCap)
		}
	})

	t.Run("sends racing blocks", func(t *testing.T) {
		// Half the goroutines send to a recipient over and over; the other
		// half block those senders, one recipient each. Every send that
		// started after its block returned must be denied.
		const pairs = workers / 2
		var blocked [pairs]time.Time
		var mu sync.Mutex
		errs := together(workers, func(i int) error {
			k := i / 2
			sender, recipient := int64(base+64+k%32), int64(base+k) // fresh pairs: no thread yet
			if i%2 == 1 {
				time.Sleep(time.Duration(k%8) * time.Millisecond)
				_, err := s.SetEdge(ctx, graph.Block, recipient, sender, true)
				mu.Lock()
				blocked[k] = time.Now()
				mu.Unlock()
				return err
			}
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
				started := time.Now()
				d, _, _, err := ch.Send(ctx, sender, recipient, time.Time{})
				if err != nil {
					return err
				}
				mu.Lock()
				b := blocked[k]
				mu.Unlock()
				if !b.IsZero() && started.After(b) {
					if d.Allowed {
						return fmt.Errorf("a send started %v after the block returned was allowed: %v", started.Sub(b), d)
					}
					return nil
				}
			}
			return errors.New("the block never returned")
		})
		noErrors(t, "sends racing blocks", errs)
	})

	t.Run("contact keys", func(t *testing.T) {
		// Pairs swap their keys while 16 users take one new key and the
		// swapping pairs follow and block each other.
		const swappers = 32
		key := func(id int64) graph.ContactKey { return graph.ContactKey(fmt.Sprintf("k:%x", id)) }
		for id := int64(base); id < base+swappers; id++ {
			if _, err := s.SetContactKey(ctx, id, key(id)); err != nil {
				t.Fatal(err)
			}
		}
		errs := together(workers, func(i int) error {
			switch {
			case i < swappers: // i takes its partner's key
				return errOf(s.SetContactKey(ctx, int64(base+i), key(int64(base+i^1))))
			case i < swappers+16: // sixteen users take one new key
				return errOf(s.SetContactKey(ctx, int64(base+i), "k:shared"))
			default: // edge writes between the swapping users, both ways
				k := int64(base + (i-swappers-16)*2)
				a, b := k, k+1
				if i%2 == 1 {
					a, b = b, a
				}
				if _, err := s.SetEdge(ctx, graph.Follow, a, b, true); err != nil {
					return err
				}
				return errOf(s.SetEdge(ctx, graph.Restrict, a, b, true))
			}
		})
		noErrors(t, "contact keys", errs)
		for id := int64(base); id < base+swappers; id++ {
			var got *string
			if err := pool.QueryRow(ctx, `SELECT contact_key FROM users WHERE id = $1`, id).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if want := string(key(id ^ 1)); got == nil || *got != want {
				t.Errorf("user %d after the swap holds %v, want %s", id, got, want)
			}
		}
		var holders int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE contact_key = 'k:shared'`).Scan(&holders); err != nil || holders != 1 {
			t.Errorf("%d users hold the shared key (%v), want 1", holders, err)
		}
	})

	// Server-side statistics are flushed when a backend goes idle or
	// exits: close the pool's connections before reading them.
	pool.Close()
	time.Sleep(500 * time.Millisecond)
	if n := deadlocks(t, admin) - before; n != 0 {
		t.Errorf("the server detected %d deadlocks during the test, want none", n)
	}
}

// adminConn is a pool of one connection to the server's database, apart
// from the test's own pool.
func adminConn(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
