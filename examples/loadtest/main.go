// Command loadtest builds a synthetic world in the embedded stores and runs
// CanMessage decisions against it on every core, reporting what sizing a
// deployment needs: how long the world took to load, the heap it takes per
// follow edge, decisions per second, and latency quantiles. With -writes it
// runs a writer alongside the readers, following users at a steady rate,
// and reports the readers' latencies under writes.
//
//	go run ./examples/loadtest -users 1000000 -decisions 20000000
//	go run ./examples/loadtest -users 1000000 -decisions 20000000 -writes 10000
//	go run ./examples/loadtest -users 1000000 -lean   # users, follows and blocks only
//
// The decisions mix the paths of the benchmarks: friends (allowed to
// Primary), strangers to users in Everyone (message requests), strangers to
// everyone else (mostly denied by mode), and blocked pairs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/exp/stats"

	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/internal/synth"
	"github.com/dmprivacy/dmprivacy/privacy"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type config struct {
	users, decisions, workers, writes int
	seed                              uint64
	follows                           float64
	lean, quiet                       bool
	cpuprofile, memprofile            string
	pauseCheck                        time.Duration
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.IntVar(&c.users, "users", 1_000_000, "users in the synthetic world")
	fs.Float64Var(&c.follows, "follows", 20, "mean follows per user")
	fs.Uint64Var(&c.seed, "seed", 1, "the world's seed")
	fs.IntVar(&c.decisions, "decisions", 10_000_000, "decisions to run")
	fs.IntVar(&c.workers, "workers", runtime.GOMAXPROCS(0), "goroutines deciding")
	fs.IntVar(&c.writes, "writes", 0, "follows per second written by one more goroutine while deciding")
	fs.BoolVar(&c.lean, "lean", false, "users, follows and blocks only: no contacts, Facebook, restrictions, chosen modes or conversations (the inbox store stays empty, so the heap is the graph's)")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress bar")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the decisions to this file")
	fs.StringVar(&c.memprofile, "memprofile", "", "write a heap profile of the built world to this file")
	fs.DurationVar(&c.pauseCheck, "pausecheck", time.Second, "how long to count the machine's own pauses before deciding")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.users < 100 || c.decisions < 1 || c.workers < 1 || c.writes < 0 || c.pauseCheck <= 0 {
		return errors.New("want -users >= 100, -decisions >= 1, -workers >= 1, -writes >= 0, -pausecheck > 0")
	}

	cfg := synth.Default(c.users, c.seed)
	cfg.Follows = c.follows
	if c.lean {
		cfg.KeyShare, cfg.ContactShare, cfg.FacebookShare, cfg.Restricts, cfg.Conversations = 0, 0, 0, 0, 0
		cfg.Modes = false
	}
	bar := &progressBar{w: stderr, quiet: c.quiet}
	w, err := synth.Build(cfg, bar.update)
	bar.done()
	if err != nil {
		return err
	}
	st := w.Store.Stats()

	// Keep what drawing pairs needs, drop the rest of the samples, and
	// measure the heap: the stores, plus these arrays (subtracted).
	// (Copies of exactly their length, so that their size is known.)
	s := samples{n: c.users, friends: slices.Clone(w.Friends), blocked: slices.Clone(w.Blocked), everyone: slices.Clone(w.ByMode[inbox.Everyone])}
	w.DropSamples()
	// Collect, and return the build's garbage to the OS now: the
	// scavenger would otherwise do it during the timed run, and its
	// TLB shootdowns show in the tail latencies.
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap := int64(ms.HeapInuse) - s.bytes()
	if c.memprofile != "" {
		f, err := os.Create(c.memprofile)
		if err != nil {
			return err
		}
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			return err
		}
		f.Close()
	}

	fmt.Fprintf(stdout, "world     %d users, %d follow edges, %d blocks, %d restrictions, %d Facebook links, %d synced contacts, %d conversations (seed %d)\n",
		st.Users, st.Follows, st.Blocks, st.Restricts, st.FacebookLinks, st.ContactEntries, w.Threads, c.seed)
	fmt.Fprintf(stdout, "load      %.2f s\n", w.Load.Seconds())
	fmt.Fprintf(stdout, "heap      %.1f MiB in use by the stores, %.2f bytes per follow edge\n", float64(heap)/(1<<20), float64(heap)/float64(st.Follows))
	mark, wall := forcedGC()
	fmt.Fprintf(stdout, "gc        a forced collection with the world loaded: %.1f ms of mark CPU, %.1f ms wall\n", mark.Seconds()*1000, wall.Seconds()*1000)
	if huge, ok := hugePages(); ok {
		fmt.Fprintf(stdout, "pages     %.0f MiB of the process on transparent huge pages\n", float64(huge)/(1<<20))
	}

	e, err := privacy.New(w.Store, w.Store, &privacy.Options{Now: func() time.Time { return cfg.Now }})
	if err != nil {
		return err
	}
	pairs := s.draw(c.decisions, c.seed)

	if c.cpuprofile != "" {
		f, err := os.Create(c.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	// What the machine itself does to a latency: a second of reading the
	// clock in a loop, counting the pauses (interrupts, the hypervisor,
	// other processes) that a decision in flight would absorb.
	pauses, paused := machinePauses(c.pauseCheck, 10*time.Microsecond)
	pauses = int(float64(pauses) / c.pauseCheck.Seconds())
	fmt.Fprintf(stdout, "machine   %d pauses over 10 µs per second in a bare clock loop, %.0f µs on average (they set the floor of the tail)\n",
		pauses, paused.Seconds()*1e6/float64(max(pauses, 1)))

	// The writer, if any: follows between random users at a steady rate,
	// paced in 1 ms steps.
	stop := make(chan struct{})
	var written atomic.Int64
	var wwg sync.WaitGroup
	if c.writes > 0 {
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			r := rand.New(rand.NewPCG(c.seed, 99))
			start := time.Now()
			for {
				select {
				case <-stop:
					return
				default:
				}
				due := int64(time.Since(start).Seconds() * float64(c.writes))
				for written.Load() < due {
					a, b := synth.ID(r.IntN(c.users)), synth.ID(r.IntN(c.users))
					if a != b {
						w.Store.Follow(a, b)
					}
					written.Add(1)
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}

	// The readers: each decides its share of the pairs, timing each one.
	lat := make([]float64, len(pairs))
	for i := range lat {
		lat[i] = -1 // fault every page in now, not during the timed calls
	}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, c.workers)
	start := time.Now()
	for k := range c.workers {
		lo, hi := k*len(pairs)/c.workers, (k+1)*len(pairs)/c.workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			n := 0
			for i := lo; i < hi; i++ {
				t0 := time.Now()
				d, err := e.CanMessage(ctx, pairs[i][0], pairs[i][1])
				lat[i] = float64(time.Since(t0).Nanoseconds())
				if err != nil {
					errs[k] = err
					return
				}
				if d.Allowed {
					n++
				}
			}
			allowed.Add(int64(n))
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	wwg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}

	q := stats.Quantiles(lat, 0.5, 0.99, 0.999)
	fmt.Fprintf(stdout, "decisions %d on %d goroutines (GOMAXPROCS %d) in %.2f s: %.0f per second, %.0f%% allowed\n",
		len(pairs), c.workers, runtime.GOMAXPROCS(0), elapsed.Seconds(), float64(len(pairs))/elapsed.Seconds(),
		100*float64(allowed.Load())/float64(len(pairs)))
	fmt.Fprintf(stdout, "latency   p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns (each timed with time.Now)\n", q[0], q[1], q[2])
	if c.writes > 0 {
		fmt.Fprintf(stdout, "writes    %d follows, %.0f per second, during the decisions\n", written.Load(), float64(written.Load())/elapsed.Seconds())
	}
	return nil
}

// machinePauses reads the clock in a loop for d and returns how many gaps
// between readings exceeded min, and their total.
func machinePauses(d, min time.Duration) (int, time.Duration) {
	start := time.Now()
	last, n, total := start, 0, time.Duration(0)
	for last.Sub(start) < d {
		now := time.Now()
		if g := now.Sub(last); g > min {
			n++
			total += g
		}
		last = now
	}
	return n, total
}

// samples is what drawing pairs needs from the world.
type samples struct {
	n                int
	friends, blocked [][2]int32
	everyone         []int32
}

func (s *samples) bytes() int64 {
	return int64(len(s.friends)+len(s.blocked))*8 + int64(len(s.everyone))*4
}

// draw returns n pairs: 30% friends, 30% strangers to users in Everyone
// (requests), 20% strangers to anyone (mostly denied by their mode), 20%
// blocked pairs (either way), in random order.
func (s *samples) draw(n int, seed uint64) [][2]int64 {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([][2]int64, n)
	for i := range out {
		var a, b int
		switch x := r.IntN(10); {
		case x < 3 && len(s.friends) > 0:
			p := s.friends[r.IntN(len(s.friends))]
			a, b = int(p[0]), int(p[1])
		case x < 6 && len(s.everyone) > 0:
			a, b = r.IntN(s.n), int(s.everyone[r.IntN(len(s.everyone))])
		case x < 8 || len(s.blocked) == 0:
			a, b = r.IntN(s.n), r.IntN(s.n)
		default:
			p := s.blocked[r.IntN(len(s.blocked))]
			a, b = int(p[0]), int(p[1])
		}
		if r.IntN(2) == 0 { // friends and blocks, either way round
			a, b = b, a
		}
		out[i] = [2]int64{synth.ID(a), synth.ID(b)}
	}
	return out
}

// progressBar draws the build's progress on one line of stderr.
type progressBar struct {
	w     io.Writer
	quiet bool
	stage string
	last  time.Time
	start time.Time
}

func (p *progressBar) update(stage string, done, total int) {
	if p.quiet {
		return
	}
	now := time.Now()
	if p.start.IsZero() {
		p.start = now
	}
	if stage == p.stage && now.Sub(p.last) < 100*time.Millisecond && done < total {
		return
	}
	p.stage, p.last = stage, now
	const width = 30
	filled := 0
	if total > 0 {
		filled = min(width, done*width/total)
	}
	fmt.Fprintf(p.w, "\rbuilding %-13s [%s%s] %3d%%  %5.1fs", stage, strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		filled*100/width, now.Sub(p.start).Seconds())
}

func (p *progressBar) done() {
	if !p.quiet && !p.start.IsZero() {
		fmt.Fprintln(p.w)
	}
}

// gcMarkMetrics are the runtime's counters of CPU time spent marking.
var gcMarkMetrics = []string{
	"/cpu/classes/gc/mark/assist:cpu-seconds",
	"/cpu/classes/gc/mark/dedicated:cpu-seconds",
	"/cpu/classes/gc/mark/idle:cpu-seconds",
}

// forcedGC runs one garbage collection and returns the CPU time its marking
// took (what a collection costs the service with the world loaded: the
// stores hold no pointers per user or per edge, so there is little to
// mark) and its wall time.
func forcedGC() (mark, wall time.Duration) {
	read := func() float64 {
		samples := make([]metrics.Sample, len(gcMarkMetrics))
		for i, name := range gcMarkMetrics {
			samples[i].Name = name
		}
		metrics.Read(samples)
		sum := 0.0
		for _, s := range samples {
			if s.Value.Kind() == metrics.KindFloat64 {
				sum += s.Value.Float64()
			}
		}
		return sum
	}
	before := read()
	start := time.Now()
	runtime.GC()
	wall = time.Since(start)
	return time.Duration((read() - before) * float64(time.Second)), wall
}

// hugePages returns how much of the process's memory is on transparent
// huge pages, where the kernel says (Linux's /proc/self/smaps_rollup).
func hugePages() (int64, bool) {
	b, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(line, "AnonHugePages: %d kB", &kb); err == nil {
			return kb << 10, true
		}
	}
	return 0, false
}
