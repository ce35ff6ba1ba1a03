// Command dmbench loads a seeded synthetic world into PostgreSQL with COPY
// and measures decisions per second through the adapter: single checks
// (one round trip each) and batch checks (one round trip per batch), from
// concurrent workers.
//
//	DATABASE_URL=postgres://… go run ./cmd/dmbench [-users 100000] [-follows 20] [-workers 8] [-replica]
//
// With -replica it then loads the world into a replica (package replica)
// from a snapshot and times the same checks from it, replication lag under
// a steady rate of writes, and what a consistency token adds to a check.
//
// It works in its own schema (-schema, default dmbench), which it drops and
// recreates unless -reuse is given.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/privacy"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dmbench:", err)
		os.Exit(1)
	}
}

func run() error {
	dbURL := flag.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	schema := flag.String("schema", "dmbench", "schema to work in")
	reuse := flag.Bool("reuse", false, "reuse the schema's world instead of loading a new one")
	users := flag.Int("users", 100_000, "users in the world")
	follows := flag.Int("follows", 20, "mean follows per user")
	seed := flag.Uint64("seed", 1, "the world's seed")
	workers := flag.Int("workers", 8, "concurrent clients (and pool connections)")
	decisions := flag.Int("decisions", 40_000, "single checks to time")
	batches := flag.Int("batches", 1_000, "batch checks to time")
	batchSize := flag.Int("batch", 100, "recipients per batch")
	explain := flag.Bool("explain", false, "print the plans of the one-call reads on the loaded world")
	replicaMode := flag.Bool("replica", false, "after the single checks through PostgreSQL, load a replica (package replica) from a snapshot and time the same checks from it, the lag under -write-rate writes a second, and token waits")
	writeRate := flag.Int("write-rate", 1000, "with -replica: writes a second while measuring replication lag")
	writeFor := flag.Duration("write-for", 10*time.Second, "with -replica: how long to write while measuring lag")
	flag.Parse()
	if *dbURL == "" {
		return fmt.Errorf("set DATABASE_URL or -database-url")
	}
	ctx := context.Background()

	cfg, err := pgxpool.ParseConfig(*dbURL)
	if err != nil {
		return err
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = *schema
	cfg.MaxConns = int32(*workers)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()

	w := generate(*users, *follows, *seed)
	if !*reuse {
		if err := load(ctx, pool, *schema, w); err != nil {
			return err
		}
	}
	store := postgres.New(pool)
	checker, err := postgres.NewChecker(store, &privacy.Options{Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	if *explain {
		if err := plans(ctx, pool, w); err != nil {
			return err
		}
	}

	// Pairs: half a random sender to someone they follow, half two
	// random users, pre-generated so the timing is of the checks alone.
	r := rand.New(rand.NewPCG(*seed, 99))
	n := int64(*users)
	pick := func() (int64, int64) {
		s := 1 + r.Int64N(n)
		if f := w.following[s-1]; len(f) > 0 && r.IntN(2) == 0 {
			return s, f[r.IntN(len(f))]
		}
		return s, 1 + r.Int64N(n)
	}
	pairs := make([][2]int64, *decisions)
	for i := range pairs {
		pairs[i][0], pairs[i][1] = pick()
	}
	reasons := map[privacy.Reason]int{}
	var mu sync.Mutex
	lat, elapsed, err := timed(*workers, len(pairs), func(i int) error {
		d, err := checker.Check(ctx, pairs[i][0], pairs[i][1], time.Time{})
		mu.Lock()
		reasons[d.Reason]++
		mu.Unlock()
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("single checks: %d decisions, %d workers: %.0f decisions/s; latency p50 %v, p99 %v\n",
		len(pairs), *workers, float64(len(pairs))/elapsed.Seconds(), q(lat, 0.50), q(lat, 0.99))
	printReasons(reasons)
	if *replicaMode {
		return benchReplica(ctx, pool, *dbURL, *schema, w, pairs, *workers, *writeRate, *writeFor)
	}

	// Batches: a sender's followees, topped up with random users.
	sheets := make([][]int64, *batches)
	senders := make([]int64, *batches)
	for i := range sheets {
		senders[i] = 1 + r.Int64N(n)
		f := w.following[senders[i]-1]
		sheet := slices.Clone(f[:min(len(f), *batchSize/2)])
		for len(sheet) < *batchSize {
			sheet = append(sheet, 1+r.Int64N(n))
		}
		sheets[i] = sheet
	}
	lat, elapsed, err = timed(*workers, len(sheets), func(i int) error {
		_, err := checker.CheckMany(ctx, senders[i], sheets[i], time.Time{})
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("batch checks: %d batches of %d, %d workers: %.0f batches/s, %.0f decisions/s; latency p50 %v, p99 %v\n",
		len(sheets), *batchSize, *workers, float64(len(sheets))/elapsed.Seconds(),
		float64(len(sheets)**batchSize)/elapsed.Seconds(), q(lat, 0.50), q(lat, 0.99))
	return nil
}

// timed runs f(0 … n-1) on workers goroutines and returns each call's
// latency and the wall time.
func timed(workers, n int, f func(i int) error) ([]time.Duration, time.Duration, error) {
	lat := make([]time.Duration, n)
	var next int
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				t := time.Now()
				err := f(i)
				lat[i] = time.Since(t)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					next = n
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	return lat, elapsed, firstErr
}

func q(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(p*float64(len(sorted)-1))].Round(time.Microsecond)
}

func printReasons(m map[privacy.Reason]int) {
	type kv struct {
		r privacy.Reason
		n int
	}
	var all []kv
	for r, n := range m {
		all = append(all, kv{r, n})
	}
	slices.SortFunc(all, func(a, b kv) int { return b.n - a.n })
	var parts []string
	for _, x := range all {
		parts = append(parts, fmt.Sprintf("%v %d", x.r, x.n))
	}
	fmt.Println("  reasons:", strings.Join(parts, ", "))
}

// load recreates the schema, migrates it, COPYs the world in, and vacuums
// so that the reads are index-only.
func load(ctx context.Context, pool *pgxpool.Pool, schema string, w *world) error {
	id := pgx.Identifier{schema}.Sanitize()
	if _, err := pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+id+" CASCADE; CREATE SCHEMA "+id, pgx.QueryExecModeSimpleProtocol); err != nil {
		return err
	}
	if err := postgres.Migrate(ctx, pool); err != nil {
		return err
	}
	start := time.Now()
	tables := []struct {
		name string
		cols []string
		rows [][]any
	}{
		{"users", []string{"id", "status", "birth", "band", "band_as_of", "verified", "hide_from_contacts", "hide_from_facebook", "contact_key"}, w.users},
		{"follows", []string{"follower", "followee"}, w.follows},
		{"blocks", []string{"blocker", "blocked"}, w.blocks},
		{"restricts", []string{"restrictor", "restricted"}, w.restricts},
		{"facebook_links", []string{"user_lo", "user_hi"}, w.facebook},
		{"synced_contacts", []string{"owner", "key"}, w.contacts},
		{"inbox_settings", []string{"user_id", "mode"}, w.settings},
		{"conversations", []string{"user_lo", "user_hi", "starter", "state", "started"}, w.convs},
	}
	total := 0
	for _, t := range tables {
		n, err := pool.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows))
		if err != nil {
			return fmt.Errorf("copying %s: %w", t.name, err)
		}
		total += int(n)
		fmt.Printf("  %-16s %9d rows\n", t.name, n)
	}
	copied := time.Since(start)
	if _, err := pool.Exec(ctx, "VACUUM ANALYZE", pgx.QueryExecModeSimpleProtocol); err != nil {
		return err
	}
	fmt.Printf("loaded %d rows with COPY in %v, vacuumed in %v\n", total, copied.Round(time.Millisecond), (time.Since(start) - copied).Round(time.Millisecond))
	return nil
}

// plans prints EXPLAIN ANALYZE of the one-call reads for a sample pair and
// share sheet.
func plans(ctx context.Context, pool *pgxpool.Pool, w *world) error {
	var s int64 = 1
	for len(w.following[s-1]) < 10 {
		s++
	}
	f := w.following[s-1]
	after := now.Add(-24 * time.Hour)
	for _, p := range []struct {
		name string
		args []any
	}{
		{"facts", []any{s, f[0], now, after, true}},
		{"facts_batch", []any{s, append(slices.Clone(f[:10]), 5, 6, 7), now, after, true}},
	} {
		rows, err := pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+postgres.Statements()[p.name], p.args...)
		if err != nil {
			return err
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		fmt.Printf("plan of %s:\n  %s\n", p.name, strings.Join(lines, "\n  "))
	}
	return nil
}
