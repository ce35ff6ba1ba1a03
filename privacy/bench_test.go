package privacy_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/internal/synth"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// The benchmarks at scale: synthetic worlds of 10k, 100k and 1M users with
// about 20 follows each (power-law), built once per process outside the
// timer (go test without -bench builds none of them).
//
// Each decision benchmark takes a path of the decision table — friend
// (allowed to Primary), request (a stranger to a user in Everyone),
// deny_mode (refused by the recipient's mode), deny_block (a block either
// way) — and one of two workloads: fresh pairs, a stream drawn from a
// seeded generator and checked to take the path, stored outside the timer
// in an array of at least 64 MiB (more than the last-level cache) and
// consumed in order, each pair once (a run longer than the array starts it
// again); and repeated pairs, cycling 1024 of them, which stay in cache.
//
//	go test ./privacy -run '^$' -bench 'CanMessage/users=1M' -count 5

// benchSizes are the worlds' sizes, by name.
var benchSizes = []struct {
	name string
	n    int
}{{"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}}

// freshPairs is how many pairs a fresh stream holds: 4M pairs of two int64
// IDs are 64 MiB.
const freshPairs = 4 << 20

const repeatedPairs = 1024

// benchAt is the time of every benchmark decision (the worlds' Now).
var benchAt = synth.Default(0, 0).Now

type benchWorld struct {
	w *synth.World
	e *privacy.Engine[int64]

	mu    sync.Mutex
	pairs map[string][][2]int64 // fresh streams by path
	ref   *reference            // BenchmarkReference's arrays, built on first use
}

var (
	benchMu     sync.Mutex
	benchWorlds = map[int]*benchWorld{}
)

// benchConfig is the benchmark world of n users: the default world, with
// user 0 followed by everyone (the write benchmarks' star), 19 follows
// each besides, so about 20n follow edges in all, and 2.5 blocks each, so
// the 1M world has more than 4M blocked pairs for a fresh stream.
func benchConfig(n int) synth.Config {
	cfg := synth.Default(n, 1)
	cfg.Follows = 19
	cfg.StarFollowers = n - 1
	cfg.Blocks = 2.5
	return cfg
}

// benchWorldOf returns the benchmark world of n users, building it the first time.
func benchWorldOf(b testing.TB, n int) *benchWorld {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if bw := benchWorlds[n]; bw != nil {
		return bw
	}
	start := time.Now()
	w, err := synth.Build(benchConfig(n), nil)
	if err != nil {
		b.Fatal(err)
	}
	e, err := privacy.New(w.Store, w.Store, &privacy.Options{Now: func() time.Time { return benchAt }})
	if err != nil {
		b.Fatal(err)
	}
	st := w.Store.Stats()
	b.Logf("built a world of %d users, %d follow edges, %d blocks in %.1fs", st.Users, st.Follows, st.Blocks, time.Since(start).Seconds())
	bw := &benchWorld{w: w, e: e, pairs: map[string][][2]int64{}}
	benchWorlds[n] = bw
	return bw
}

// benchPaths are the decision paths, each with a source of candidate pairs
// (by user index) and the reasons that mean the pair took the path.
var benchPaths = []struct {
	name    string
	reasons []privacy.Reason
	// pool returns the candidates to shuffle, or nil to draw random pairs
	// with draw.
	pool func(w *synth.World) [][2]int32
	draw func(r *rand.Rand, w *synth.World) [2]int32
}{
	{
		name:    "friend",
		reasons: []privacy.Reason{privacy.ReasonFriend},
		pool:    func(w *synth.World) [][2]int32 { return w.Friends },
	},
	{
		name:    "request",
		reasons: []privacy.Reason{privacy.ReasonMessageRequest},
		draw: func(r *rand.Rand, w *synth.World) [2]int32 {
			every := w.ByMode[1]
			return [2]int32{int32(r.IntN(w.Users)), every[r.IntN(len(every))]}
		},
	},
	{
		name:    "deny_mode",
		reasons: []privacy.Reason{privacy.ReasonInboxClosed, privacy.ReasonNotFriend, privacy.ReasonNotSuggested},
		draw: func(r *rand.Rand, w *synth.World) [2]int32 {
			return [2]int32{int32(r.IntN(w.Users)), int32(r.IntN(w.Users))}
		},
	},
	{
		name:    "deny_block",
		reasons: []privacy.Reason{privacy.ReasonSenderBlockedRecipient, privacy.ReasonBlockedByRecipient},
		pool:    func(w *synth.World) [][2]int32 { return w.Blocked },
	},
}

// stream returns the fresh stream of pairs of path p: pairs in random
// order, each checked to take the path; from a pool, every pair of the
// pool (both ways round) once before any repeats.
func (bw *benchWorld) stream(b *testing.B, p int) [][2]int64 {
	bw.mu.Lock()
	defer bw.mu.Unlock()
	path := benchPaths[p]
	if s := bw.pairs[path.name]; s != nil {
		return s
	}
	start := time.Now()
	w := bw.w
	r := rand.New(rand.NewPCG(uint64(p), 42))
	// Candidates, more than needed, in random order.
	var cands [][2]int32
	if path.pool != nil {
		pool := path.pool(w)
		cands = make([][2]int32, 0, 2*len(pool))
		for _, x := range pool {
			cands = append(cands, x, [2]int32{x[1], x[0]})
		}
		r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	} else {
		cands = make([][2]int32, freshPairs*2)
		for i := range cands {
			cands[i] = path.draw(r, w)
		}
	}
	// Keep those that take the path: checked in parallel, kept in order.
	ok := make([]bool, len(cands))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for i := k; i < len(cands); i += workers {
				d, err := bw.e.CanMessage(ctx, synth.ID(int(cands[i][0])), synth.ID(int(cands[i][1])))
				if err != nil {
					panic(err)
				}
				for _, want := range path.reasons {
					ok[i] = ok[i] || d.Reason == want
				}
			}
		}()
	}
	wg.Wait()
	var valid [][2]int64
	for i, c := range cands {
		if ok[i] {
			valid = append(valid, [2]int64{synth.ID(int(c[0])), synth.ID(int(c[1]))})
		}
	}
	if len(valid) == 0 {
		b.Fatalf("no pair of the world takes path %s", path.name)
	}
	distinct := min(len(valid), freshPairs)
	s := make([][2]int64, freshPairs)
	for i := range s {
		s[i] = valid[i%len(valid)] // a small world's pool repeats
	}
	bw.pairs[path.name] = s
	b.Logf("%s: %d distinct pairs of %d drawn take the path, in %.1fs", path.name, distinct, len(cands), time.Since(start).Seconds())
	return s
}

func BenchmarkCanMessage(b *testing.B) {
	for _, size := range benchSizes {
		b.Run("users="+size.name, func(b *testing.B) {
			for p, path := range benchPaths {
				b.Run("path="+path.name, func(b *testing.B) {
					for _, fresh := range []bool{true, false} {
						kind := "repeated"
						if fresh {
							kind = "fresh"
						}
						b.Run("pairs="+kind, func(b *testing.B) {
							bw := benchWorldOf(b, size.n)
							pairs := bw.stream(b, p)
							if !fresh {
								pairs = pairs[:repeatedPairs]
							}
							benchDecisions(b, bw.e, pairs)
						})
					}
				})
			}
		})
	}
}

func benchDecisions(b *testing.B, e *privacy.Engine[int64], pairs [][2]int64) {
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := &pairs[i]
		if _, err := e.CanMessage(ctx, p[0], p[1]); err != nil {
			b.Fatal(err)
		}
		if i++; i == len(pairs) {
			i = 0
		}
	}
}

// BenchmarkCanMessageMany checks share sheets of n recipients, half the
// sender's followers and half strangers, shuffled: 1024 different senders
// in turn, so the recipients are not in cache.
func BenchmarkCanMessageMany(b *testing.B) {
	for _, n := range []int{500} {
		b.Run(fmt.Sprintf("users=1M/n=%d", n), func(b *testing.B) {
			bw := benchWorldOf(b, 1_000_000)
			benchSheets(b, bw.e, shareSheets(b, bw, 1024, n))
		})
	}
}

// BenchmarkCanMessageManyCPU is BenchmarkCanMessageMany on a world small
// enough to stay in cache, sheets of 100: the instructions a share sheet
// costs per recipient, for profiling (callgrind counts them exactly).
func BenchmarkCanMessageManyCPU(b *testing.B) {
	bw := benchWorldOf(b, 10_000)
	benchSheets(b, bw.e, shareSheets(b, bw, 64, 100))
}

// benchSheets checks the sheets in turn.
func benchSheets(b *testing.B, e *privacy.Engine[int64], sheets []shareSheet) {
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s := &sheets[i%len(sheets)]
		if _, err := e.CanMessageMany(ctx, s.sender, s.recipients); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

type shareSheet struct {
	sender     int64
	recipients []int64
}

// shareSheets returns k sheets of n recipients: a sender with at least n/2
// followers, n/2 of them, and n/2 random users.
func shareSheets(b *testing.B, bw *benchWorld, k, n int) []shareSheet {
	r := rand.New(rand.NewPCG(7, 7))
	ctx := context.Background()
	var out []shareSheet
	for len(out) < k {
		s := synth.ID(r.IntN(bw.w.Users))
		followers, _, err := bw.w.Store.Related(ctx, s, graph.RelationFollowers, "", n/2, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(followers) < n/2 || s == synth.ID(0) {
			continue
		}
		rs := followers
		for len(rs) < n {
			rs = append(rs, synth.ID(r.IntN(bw.w.Users)))
		}
		r.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
		out = append(out, shareSheet{s, rs})
	}
	return out
}

// BenchmarkRecommend ranks suggestions for users with 500 synced contacts
// and 300 follows (a third of them followed back), 64 of them in turn.
func BenchmarkRecommend(b *testing.B) {
	b.Run("users=1M", func(b *testing.B) {
		bw := benchWorldOf(b, 1_000_000)
		users := recommendUsers(b, bw, 64)
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := bw.w.Store.RecommendAt(ctx, users[i%len(users)], 20, benchAt); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

var (
	recOnce  sync.Once
	recUsers []int64
)

// recommendUsers gives k adult users 500 synced contacts and 300 follows,
// once per process.
func recommendUsers(b *testing.B, bw *benchWorld, k int) []int64 {
	recOnce.Do(func() {
		g := bw.w.Store
		r := rand.New(rand.NewPCG(3, 3))
		adults := bw.w.Adults
		for len(recUsers) < k {
			u := synth.ID(int(adults[r.IntN(len(adults))]))
			book := make([]graph.ContactKey, 500)
			for i := range book {
				book[i] = synth.Key(r.IntN(bw.w.Users))
			}
			if err := g.SyncContacts(u, book); err != nil {
				b.Fatal(err)
			}
			for i := range 300 {
				v := synth.ID(int(adults[r.IntN(len(adults))]))
				if v == u {
					continue
				}
				g.Follow(u, v)
				if i%3 == 0 {
					g.Follow(v, u)
				}
			}
			recUsers = append(recUsers, u)
		}
	})
	return recUsers
}

// fixedFacts is a store, both readers, that answers every decision with
// the same facts at no cost: BenchmarkCheckOverhead measures what a check
// costs beyond the store and the decision function.
type fixedFacts struct{ f inbox.Facts[int64] }

func (c *fixedFacts) Facts(context.Context, inbox.Query[int64]) (inbox.Facts[int64], error) {
	return c.f, nil
}
func (c *fixedFacts) User(context.Context, int64) (graph.User, error) { return graph.User{}, nil }
func (c *fixedFacts) HasEdge(context.Context, graph.Edge, int64, int64) (bool, error) {
	return false, nil
}
func (c *fixedFacts) Settings(context.Context, int64) (inbox.Settings, error) {
	return inbox.Settings{}, nil
}
func (c *fixedFacts) Conversation(context.Context, int64, int64) (inbox.Conversation[int64], error) {
	return inbox.Conversation[int64]{}, nil
}
func (c *fixedFacts) PendingRequests(context.Context, int64, time.Time, time.Time) (int, error) {
	return 0, nil
}

// BenchmarkCheckOverhead decides for two adult friends through CanMessage
// over fixedFacts: the engine's whole call (clock, context, the one-call
// read through its interface, the decision) without any store work.
func BenchmarkCheckOverhead(b *testing.B) {
	adult := graph.BirthForAge(benchAt, 30).AddDate(0, 0, -100)
	c := &fixedFacts{f: inbox.Facts[int64]{Pair: graph.Pair{
		A:     graph.User{Status: graph.Active, Birth: adult},
		B:     graph.User{Status: graph.Active, Birth: adult},
		Edges: graph.FollowAB | graph.FollowBA,
	}}}
	e, err := privacy.New[int64](c, c, &privacy.Options{Now: func() time.Time { return benchAt }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.CanMessage(ctx, 1, 2); err != nil {
			b.Fatal(err)
		}
	}
}

// reference is the yardstick, on the same world: plain sorted
// adjacency arrays indexed by dense integer user numbers (no ID index, no
// inbox, no ages, no conversations), answering a simplified rule: a block
// either way denies, mutual follows allow, a recipient in Everyone gets a
// request, anyone else denies. It is what the machine's memory allows a
// decision that reads the same edges, so the ratio of BenchmarkCanMessage
// to it says how much the full policy and the stores add.
type reference struct {
	start, blockStart []uint32 // CSR offsets, by user index
	out, blocks       []int32  // sorted user indexes
	everyone          []bool
}

func buildReference(b *testing.B, w *synth.World) *reference {
	b.Helper()
	ctx := context.Background()
	n := w.Users
	ref := &reference{start: make([]uint32, n+1), blockStart: make([]uint32, n+1), everyone: make([]bool, n)}
	ref.out = make([]int32, 0, w.FollowEdges)
	var page []int64
	list := func(i int, rel graph.Relation, dst []int32) []int32 {
		lo := len(dst)
		var cur graph.Cursor
		for {
			var err error
			page, cur, err = w.Store.Related(ctx, synth.ID(i), rel, cur, 4096, page[:0])
			if err != nil {
				b.Fatal(err)
			}
			for _, id := range page {
				dst = append(dst, int32(synth.Index(id)))
			}
			if cur == "" {
				break
			}
		}
		slices.Sort(dst[lo:])
		return dst
	}
	for i := range n {
		ref.out = list(i, graph.RelationFollowing, ref.out)
		ref.start[i+1] = uint32(len(ref.out))
		ref.blocks = list(i, graph.RelationBlocked, ref.blocks)
		ref.blockStart[i+1] = uint32(len(ref.blocks))
	}
	for _, i := range w.ByMode[inbox.Everyone] {
		ref.everyone[i] = true
	}
	return ref
}

func has(s []int32, x int32) bool {
	_, ok := slices.BinarySearch(s, x)
	return ok
}

// decide is the simplified rule: 0 deny, 1 primary, 2 request.
func (r *reference) decide(s, t int32) int {
	if has(r.blocks[r.blockStart[s]:r.blockStart[s+1]], t) || has(r.blocks[r.blockStart[t]:r.blockStart[t+1]], s) {
		return 0
	}
	if has(r.out[r.start[s]:r.start[s+1]], t) && has(r.out[r.start[t]:r.start[t+1]], s) {
		return 1
	}
	if r.everyone[t] {
		return 2
	}
	return 0
}

// BenchmarkReference is the reference rule (see reference) over random
// pairs of the 1M world: fresh, the deny_mode stream of
// BenchmarkCanMessage (64 MiB, each pair once), and repeated, its first
// 1024 pairs cycled.
func BenchmarkReference(b *testing.B) {
	b.Run("users=1M", func(b *testing.B) {
		bw := benchWorldOf(b, 1_000_000)
		bw.mu.Lock()
		if bw.ref == nil {
			start := time.Now()
			bw.ref = buildReference(b, bw.w)
			b.Logf("reference arrays built in %.1fs", time.Since(start).Seconds())
		}
		ref := bw.ref
		bw.mu.Unlock()
		stream := bw.stream(b, 2) // deny_mode: random pairs
		for _, fresh := range []bool{true, false} {
			kind, pairs := "fresh", stream
			if !fresh {
				kind, pairs = "repeated", stream[:repeatedPairs]
			}
			b.Run("pairs="+kind, func(b *testing.B) {
				b.ReportAllocs()
				i, sum := 0, 0
				for b.Loop() {
					p := &pairs[i]
					sum += ref.decide(int32(synth.Index(p[0])), int32(synth.Index(p[1])))
					if i++; i == len(pairs) {
						i = 0
					}
				}
				sink = sum
			})
		}
	})
}

var sink int

// BenchmarkMemoryLatency is the machine's own yardstick for fresh pairs: a
// chain of dependent random reads (each address is the value the previous
// read returned) over 512 MiB, ns per read, so a decision's fresh-pair time
// can be read as a number of misses waited for in turn. The issue's
// machine and this one differ mostly here.
func BenchmarkMemoryLatency(b *testing.B) {
	const n = 64 << 20 // 8-byte words: 512 MiB
	next := make([]uint64, n)
	for i := range next {
		next[i] = uint64(i)
	}
	// Sattolo's shuffle: one cycle through every word.
	r := rand.New(rand.NewPCG(7, 7))
	for i := n - 1; i > 0; i-- {
		j := r.IntN(i)
		next[i], next[j] = next[j], next[i]
	}
	b.ReportAllocs()
	p := uint64(0)
	for b.Loop() {
		p = next[p]
	}
	sink = int(p)
}

// BenchmarkFreshParts splits a fresh-pair decision of the 1M world into
// its reads, on BenchmarkCanMessage's deny_mode stream (random pairs): the
// graph's pair alone (Store.Pair), the inbox's alone (the recipient's
// settings and the pair's conversation), and both in the one call the
// engine uses (Store.Facts), without the policy. With BenchmarkEngine (the
// policy without reads) and BenchmarkMemoryLatency they say where a
// decision's time goes.
func BenchmarkFreshParts(b *testing.B) {
	bw := benchWorldOf(b, 1_000_000)
	pairs := bw.stream(b, 2)
	w := bw.w
	fr := w.Store
	parts := []struct {
		name string
		read func(ctx context.Context, s, r int64) error
	}{
		{"graph", func(ctx context.Context, s, r int64) error {
			_, err := w.Store.Pair(ctx, s, r)
			return err
		}},
		{"inbox", func(ctx context.Context, s, r int64) error {
			if _, err := w.Store.Settings(ctx, r); err != nil {
				return err
			}
			_, err := w.Store.Conversation(ctx, s, r)
			return err
		}},
		{"joined", func(ctx context.Context, s, r int64) error {
			_, err := fr.Facts(ctx, inbox.Query[int64]{Sender: s, Recipient: r, At: benchAt, Window: 24 * time.Hour})
			return err
		}},
	}
	for _, part := range parts {
		b.Run("users=1M/part="+part.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := &pairs[i]
				if err := part.read(ctx, p[0], p[1]); err != nil {
					b.Fatal(err)
				}
				if i++; i == len(pairs) {
					i = 0
				}
			}
		})
	}
}

// BenchmarkDecisionCPU is the whole CanMessage on the 10k world, in cache:
// 1024 pairs of every path, cycled, without building the fresh streams.
// It measures the instructions a decision costs (run it under
// valgrind --tool=callgrind for a count the machine's load cannot skew).
func BenchmarkDecisionCPU(b *testing.B) {
	bw := benchWorldOf(b, 10_000)
	r := rand.New(rand.NewPCG(9, 9))
	pairs := make([][2]int64, 4096)
	for i := range pairs {
		switch i % 4 {
		case 0: // friends
			f := bw.w.Friends[r.IntN(len(bw.w.Friends))]
			pairs[i] = [2]int64{synth.ID(int(f[0])), synth.ID(int(f[1]))}
		case 1: // a stranger to someone in Everyone
			every := bw.w.ByMode[inbox.Everyone]
			pairs[i] = [2]int64{synth.ID(r.IntN(bw.w.Users)), synth.ID(int(every[r.IntN(len(every))]))}
		case 2: // random
			pairs[i] = [2]int64{synth.ID(r.IntN(bw.w.Users)), synth.ID(r.IntN(bw.w.Users))}
		case 3: // blocked
			p := bw.w.Blocked[r.IntN(len(bw.w.Blocked))]
			pairs[i] = [2]int64{synth.ID(int(p[0])), synth.ID(int(p[1]))}
		}
	}
	benchDecisions(b, bw.e, pairs)
}
