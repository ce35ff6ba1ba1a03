package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	neturl "net/url"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/replica"
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// benchReplica measures a replica of the loaded world: the time to load it
// from a snapshot, single checks from it against the same pairs through
// PostgreSQL, replication lag under a steady rate of writes, and what a
// consistency token adds to a check when the replica is current.
func benchReplica(ctx context.Context, pool *pgxpool.Pool, dbURL, schema string, w *world, pairs [][2]int64, workers, writeRate int, writeFor time.Duration) error {
	u, err := neturl.Parse(dbURL)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()

	var mu sync.Mutex
	var lags []time.Duration
	measuring := false
	start := time.Now()
	rep, err := replica.Open(ctx, replica.Config{
		ConnString: u.String(), Name: "dmbench", Publication: "dmbench_replica",
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		OnApply: func(a replica.Applied) {
			applied := time.Now()
			mu.Lock()
			if measuring {
				lags = append(lags, applied.Sub(a.CommitTime))
			}
			mu.Unlock()
		},
	})
	if err != nil {
		return err
	}
	defer rep.Close()
	st := rep.Status()
	fmt.Printf("replica: loaded %d users from a snapshot in %v (Open: %v)\n", rep.Store().Len(), st.LoadTime.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))

	pg := postgres.New(pool)
	opts := &privacy.Options{Now: func() time.Time { return now }}
	c, err := replica.NewChecker(rep, pg, replica.CheckerConfig{Options: opts, MaxWait: time.Second})
	if err != nil {
		return err
	}
	e, _, _ := c.Engine(ctx, postgres.Token{})

	// Single checks from the replica, the same pairs as above, repeated
	// so that the run lasts long enough to time.
	for _, wk := range []int{1, workers} {
		rounds := 50
		n := rounds * len(pairs)
		lat, elapsed, err := timed(wk, n, func(i int) error {
			p := pairs[i%len(pairs)]
			_, err := e.Check(ctx, privacy.Request[int64]{Sender: p[0], Recipient: p[1]})
			return err
		})
		if err != nil {
			return err
		}
		fmt.Printf("replica single checks: %d decisions, %d workers: %.0f decisions/s; latency p50 %v, p99 %v\n",
			n, wk, float64(n)/elapsed.Seconds(), qns(lat, 0.50), qns(lat, 0.99))
	}

	// A token of the current position, nothing written since: what the
	// wait adds to a check of a current replica (the replica asks the
	// server where it stands when it cannot tell by itself).
	var waits []time.Duration
	r := rand.New(rand.NewPCG(3, 3))
	for range 2000 {
		tok, err := pg.Token(ctx)
		if err != nil {
			return err
		}
		t := time.Now()
		eng, src, err := c.Engine(ctx, tok)
		waits = append(waits, time.Since(t))
		if err != nil || !src.FromReplica() {
			return fmt.Errorf("a check with a current token went to %v: %v", src, err)
		}
		p := pairs[r.IntN(len(pairs))]
		if _, err := eng.Check(ctx, privacy.Request[int64]{Sender: p[0], Recipient: p[1]}); err != nil {
			return err
		}
	}
	slices.Sort(waits)
	fmt.Printf("token wait, replica current (token = the position now): p50 %v, p99 %v, max %v\n",
		qns(waits, 0.5), qns(waits, 0.99), qns(waits, 1))

	// Replication lag at writeRate writes a second: follows added and
	// removed by a few writers at a steady pace; lag is the time from a
	// transaction's commit (the server's clock) to the replica applying
	// it. Read-your-writes is the time from a write's return to a check
	// carrying its token being answered by the replica.
	mu.Lock()
	measuring = true
	mu.Unlock()
	n := int64(len(w.users))
	total := int(float64(writeRate) * writeFor.Seconds())
	interval := time.Second / time.Duration(writeRate)
	var rywMu sync.Mutex
	var ryw []time.Duration
	var wg sync.WaitGroup
	next := make(chan int)
	writers := 8
	var werr error
	var werrOnce sync.Once
	for k := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(k), 11))
			for i := range next {
				a, b := 1+r.Int64N(n), 1+r.Int64N(n)
				if a == b {
					b = 1 + a%n
				}
				tok, err := pg.SetEdge(ctx, graph.Follow, a, b, i%2 == 0)
				if err != nil {
					werrOnce.Do(func() { werr = err })
					continue
				}
				t := time.Now()
				if _, src, err := c.Engine(ctx, tok); err == nil && src.FromReplica() {
					rywMu.Lock()
					ryw = append(ryw, time.Since(t))
					rywMu.Unlock()
				}
			}
		}()
	}
	begin := time.Now()
	for i := range total {
		if d := time.Until(begin.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		next <- i
	}
	close(next)
	wg.Wait()
	wrote := time.Since(begin)
	if werr != nil {
		return werr
	}
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	measuring = false
	got := slices.Clone(lags)
	mu.Unlock()
	slices.Sort(got)
	slices.Sort(ryw)
	fmt.Printf("replication lag at %.0f writes/s (%d writes, %d transactions applied): p50 %v, p99 %v, max %v\n",
		float64(total)/wrote.Seconds(), total, len(got), qns(got, 0.5), qns(got, 0.99), qns(got, 1))
	fmt.Printf("read-your-writes (a write's return to its token answered by the replica): p50 %v, p99 %v (%d of %d from the replica)\n",
		qns(ryw, 0.5), qns(ryw, 0.99), len(ryw), total)
	return nil
}

// qns is q with a finer rounding, for microsecond latencies.
func qns(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	d := sorted[int(p*float64(len(sorted)-1))]
	if d < 10*time.Microsecond {
		return d.Round(10 * time.Nanosecond)
	}
	return d.Round(time.Microsecond)
}
