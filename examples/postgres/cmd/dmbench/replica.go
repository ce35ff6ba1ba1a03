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
	"sync/atomic"
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
	query := u.Query()
	query.Set("search_path", schema)
	u.RawQuery = query.Encode()

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

	// PostgreSQL with one worker too, the same pairs.
	pgc, err := postgres.NewChecker(pg, opts)
	if err != nil {
		return err
	}
	m := min(len(pairs), 10_000)
	lat, elapsed, err := timed(1, m, func(i int) error {
		_, err := pgc.Check(ctx, pairs[i][0], pairs[i][1], time.Time{})
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("single checks: %d decisions, 1 worker: %.0f decisions/s; latency p50 %v, p99 %v\n",
		m, float64(m)/elapsed.Seconds(), qns(lat, 0.50), qns(lat, 0.99))

	// Single checks from the replica, the same pairs, repeated so that
	// the run lasts long enough to time.
	for _, wk := range []int{1, workers} {
		rounds := 50
		n := rounds * len(pairs)
		lat, elapsed, err := timedFast(wk, n, func(i int) error {
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
			var a, b int64
			on := false
			for range next {
				// A follow of a random pair, then its unfollow: every
				// write changes a row.
				if on = !on; on {
					a, b = 1+r.Int64N(n), 1+r.Int64N(n)
					if a == b {
						b = 1 + a%n
					}
				}
				tok, err := pg.SetEdge(ctx, graph.Follow, a, b, on)
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

// timedFast is timed for calls of a microsecond: workers take indexes in
// chunks from an atomic counter and time one call in 16, so that the
// harness costs the calls little.
func timedFast(workers, n int, f func(i int) error) ([]time.Duration, time.Duration, error) {
	const chunk = 1024
	var next atomic.Int64
	lats := make([][]time.Duration, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Locals, not the shared slices: a write per call to memory
			// another core also writes would cost more than the call.
			var lat []time.Duration
			var err error
			defer func() { lats[k], errs[k] = lat, err }()
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					if i%16 == 0 {
						t := time.Now()
						err = f(i)
						lat = append(lat, time.Since(t))
					} else {
						err = f(i)
					}
					if err != nil {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for k := range workers {
		if errs[k] != nil {
			return nil, elapsed, errs[k]
		}
		all = append(all, lats[k]...)
	}
	slices.Sort(all)
	return all, elapsed, nil
}
