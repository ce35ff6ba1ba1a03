package synth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// Config describes a world. [Default] gives every field a sensible value;
// change what a test needs.
type Config struct {
	Users int
	Seed  uint64

	// Now is the time ages and conversations are relative to.
	Now time.Time

	// Follows is the mean number of users each user follows. Popular is
	// the share of follows that go to users by popularity (a Zipf law of
	// exponent 1 over a random ranking: the celebrities); the rest go to
	// users drawn uniformly (acquaintances), who follow back with
	// probability Mutual (celebrities follow back one fan in a hundred).
	Follows float64
	Popular float64
	Mutual  float64

	// StarFollowers is how many users follow user 0, the star: the
	// celebrity the write benchmarks follow and block.
	StarFollowers int

	// KeyShare is the share of users with a contact key (a phone number),
	// ContactShare the share who synced their address book, of about
	// Contacts entries (a tenth of them numbers nobody on the app has).
	KeyShare     float64
	ContactShare float64
	Contacts     float64

	// FacebookShare is the share of users with a linked Facebook account,
	// each linked to about FacebookFriends others.
	FacebookShare   float64
	FacebookFriends float64

	// Blocks and Restricts are the mean numbers per user.
	Blocks    float64
	Restricts float64

	// Conversations is the mean number of conversations a user started.
	Conversations float64

	// Modes, when true, has about half the users choose an inbox mode
	// (one their age allows); the rest keep their age band's default.
	Modes bool
}

// Default returns the default configuration for a world of n users: about
// 20 follows each, 2 blocks each, contacts for a third of users.
func Default(n int, seed uint64) Config {
	return Config{
		Users:           n,
		Seed:            seed,
		Now:             time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC),
		Follows:         20,
		Popular:         0.5,
		Mutual:          0.5,
		KeyShare:        0.7,
		ContactShare:    0.3,
		Contacts:        40,
		FacebookShare:   0.2,
		FacebookFriends: 8,
		Blocks:          2,
		Restricts:       0.2,
		Conversations:   0.5,
		Modes:           true,
	}
}

// ID returns the ID of user i.
func ID(i int) int64 { return int64(i) + 1 }

// Index returns the user index of id.
func Index(id int64) int { return int(id - 1) }

// Key returns the contact key of user i's number.
func Key(i int) graph.ContactKey { return graph.ContactKey("k:" + strconv.FormatInt(int64(i), 36)) }

// World is a built world: its stores, what it holds, and samples for
// drawing pairs of each kind.
type World struct {
	Config
	Store *memory.Store[int64]

	// What was loaded: follow edges (each direction of a friendship
	// counts), blocks, restrictions, Facebook links, synced contact
	// entries, conversations.
	FollowEdges, BlockEdges, RestrictEdges, FacebookLinks, ContactEntries, Threads int

	// Friends holds every pair of mutual followers once, Blocked every
	// (blocker, blocked) pair, by user index; ByMode the users who chose
	// each mode, and Adults the users aged 18 and over. Benchmarks draw
	// pairs from them; [World.DropSamples] frees them.
	Friends [][2]int32
	Blocked [][2]int32
	ByMode  [inbox.NumModes][]int32
	Adults  []int32

	// Accounts holds every user's account facts, by index.
	Accounts []graph.User

	// Load is how long Build took.
	Load time.Duration
}

// DropSamples frees the samples, so that the heap holds only the stores.
func (w *World) DropSamples() {
	w.Friends, w.Blocked, w.ByMode, w.Adults, w.Accounts = nil, nil, [inbox.NumModes][]int32{}, nil, nil
}

// Progress reports how far a build is: a stage name, and done out of total
// steps of it. Build makes one call at a time, not always from the same
// goroutine.
type Progress func(stage string, done, total int)

// Build generates the world of cfg into new stores. progress, if not nil,
// is called now and then.
func Build(cfg Config, progress Progress) (*World, error) {
	start := time.Now()
	if progress == nil {
		progress = func(string, int, int) {}
	}
	var pmu sync.Mutex // progress is called one call at a time
	report := progress
	progress = func(stage string, done, total int) {
		pmu.Lock()
		defer pmu.Unlock()
		report(stage, done, total)
	}
	n := cfg.Users
	if n < 2 {
		return nil, fmt.Errorf("synth: a world needs at least 2 users, not %d", n)
	}
	w := &World{Config: cfg, Store: memory.New[int64]()}
	r := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed))
	g := w.Store
	g.Grow(n)

	// Users.
	w.Accounts = make([]graph.User, n)
	for i := range n {
		u := user(r, cfg.Now)
		w.Accounts[i] = u
		if err := g.SetUser(ID(i), u); err != nil {
			return nil, err
		}
		if young, _ := u.AgeRange(cfg.Now); young >= 18 && u.Status == graph.Active {
			w.Adults = append(w.Adults, int32(i))
		}
		if i%(1<<16) == 0 {
			progress("users", i, n)
		}
	}
	progress("users", n, n)

	// Contact keys and address books.
	// (Before the edges: a user's first block is then a small one of its
	// own, which the loader's flush replaces, rather than a copy out of
	// the flush's slab that would keep the slab's old part alive.)
	keys := make([]graph.ContactKey, n)
	for i := range n {
		keys[i] = Key(i)
		if r.Float64() < cfg.KeyShare {
			if err := g.SetContactKey(ID(i), keys[i]); err != nil {
				return nil, err
			}
		}
	}
	const chunk = 1 << 14
	entries := make([]int, (n+chunk-1)/chunk)
	cerrs := make([]error, len(entries))
	parallel(len(entries), func(c int) {
		rc := rand.New(rand.NewPCG(cfg.Seed, uint64(c)+2<<32))
		var book []graph.ContactKey
		for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
			if rc.Float64() >= cfg.ContactShare {
				continue
			}
			book = book[:0]
			for range lognormal(rc, cfg.Contacts, 0.8) {
				if rc.IntN(10) == 0 {
					book = append(book, graph.ContactKey("x:"+strconv.FormatUint(rc.Uint64()%(1<<40), 36)))
				} else {
					book = append(book, keys[rc.IntN(n)])
				}
			}
			if cerrs[c] = g.SyncContacts(ID(i), book); cerrs[c] != nil {
				return
			}
			entries[c] += len(book)
		}
		progress("contacts", min(n, (c+1)*chunk), n)
	}, func(c int) error { return cerrs[c] })
	if err := errors.Join(cerrs...); err != nil {
		return nil, err
	}
	for _, e := range entries {
		w.ContactEntries += e
	}
	progress("contacts", n, n)

	// Follows, blocks and restrictions, generated in parallel by chunks of
	// users, each chunk with its own random stream, so the world does not
	// depend on the number of cores. Popularity follows a random ranking,
	// so celebrities are spread over the ID space.
	rank := r.Perm(n)
	l := g.Loader()
	outs := make([]chunkOut, (n+chunk-1)/chunk)
	var done atomic.Int64
	parallel(len(outs), func(c int) {
		rc := rand.New(rand.NewPCG(cfg.Seed, uint64(c)+1<<32))
		o := &outs[c]
		o.err = follows(rc, &cfg, l, rank, c*chunk, min(n, (c+1)*chunk), o)
		if d := done.Add(1); o.err == nil {
			progress("follows", min(n, int(d)*chunk), n)
		}
	}, func(c int) error { return outs[c].err })
	for _, o := range outs {
		if o.err != nil {
			return nil, o.err
		}
	}
	for k := 1; k <= min(cfg.StarFollowers, n-1); k++ {
		if err := l.Add(graph.Follow, ID(k), ID(0)); err != nil {
			return nil, err
		}
	}
	// Follow-backs, grouped by who follows back.
	var back [][2]int32
	for c := range outs {
		back = append(back, outs[c].back...)
		w.Blocked = append(w.Blocked, outs[c].blocked...)
		outs[c] = chunkOut{}
	}
	slices.SortFunc(back, func(a, b [2]int32) int { return int(a[0]) - int(b[0]) })
	var groups [][2]int // [lo, hi) of back with one source
	for k := 0; k < len(back); {
		lo := k
		for k < len(back) && back[k][0] == back[lo][0] {
			k++
		}
		groups = append(groups, [2]int{lo, k})
	}
	errs := make([]error, len(groups))
	parallel(len(groups), func(gi int) {
		lo, hi := groups[gi][0], groups[gi][1]
		to := make([]int64, 0, hi-lo)
		for _, b := range back[lo:hi] {
			to = append(to, ID(int(b[1])))
		}
		errs[gi] = l.AddAll(graph.Follow, ID(int(back[lo][0])), to)
	}, func(gi int) error { return errs[gi] })
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	back = nil
	w.Blocked = sortUniquePairs(w.Blocked)
	progress("follows", n, n)

	// Facebook: links among the users who linked an account.
	var linked []int
	for i := range n {
		if r.Float64() < cfg.FacebookShare {
			linked = append(linked, i)
		}
	}
	if len(linked) > 1 {
		for _, i := range linked {
			// Each link has two ends, so draw half the friends.
			for range poisson(r, cfg.FacebookFriends/2) {
				if j := linked[r.IntN(len(linked))]; j != i {
					if err := l.Add(graph.Facebook, ID(i), ID(j)); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	progress("flush", 0, 1)
	if err := l.Flush(); err != nil {
		return nil, err
	}
	progress("flush", 1, 1)

	// Friends: read back from the graph, as it is the truth.
	ctx := context.Background()
	friends := make([][][2]int32, (n+chunk-1)/chunk)
	parallel(len(friends), func(c int) {
		var fs []int64
		for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
			fs, _, _ = g.Related(ctx, ID(i), graph.RelationFriends, "", n, fs[:0])
			for _, f := range fs {
				if j := Index(f); j > i {
					friends[c] = append(friends[c], [2]int32{int32(i), int32(j)})
				}
			}
		}
		progress("friends", min(n, (c+1)*chunk), n)
	}, func(int) error { return nil })
	for _, f := range friends {
		w.Friends = append(w.Friends, f...)
	}
	st := g.Stats()
	w.FollowEdges, w.BlockEdges, w.RestrictEdges, w.FacebookLinks = st.Follows, st.Blocks, st.Restricts, st.FacebookLinks

	progress("modes", 0, n)
	// Modes, valid for each user's age.
	for i := range n {
		m := inbox.ModeDefault
		if cfg.Modes {
			m = mode(r, w.Accounts[i].BandAt(cfg.Now))
		}
		if m != inbox.ModeDefault {
			if err := w.Store.SetSettings(ID(i), inbox.Settings{Mode: m}); err != nil {
				return nil, err
			}
		}
		w.ByMode[m] = append(w.ByMode[m], int32(i))
	}

	progress("conversations", 0, n)
	// Conversations: with an acquaintance or a stranger, in every state;
	// requests are recent, so that request caps matter.
	for i := range n {
		for range poisson(r, cfg.Conversations) {
			j := r.IntN(n)
			if j == i {
				continue
			}
			var s inbox.State
			var ago time.Duration
			switch x := r.IntN(100); {
			case x < 65:
				s, ago = inbox.Accepted, time.Duration(r.IntN(90*24))*time.Hour
			case x < 85:
				s, ago = inbox.Pending, time.Duration(r.IntN(48*60))*time.Minute
			case x < 92:
				s, ago = inbox.Held, time.Duration(r.IntN(48*60))*time.Minute
			default:
				s, ago = inbox.Declined, time.Duration(r.IntN(30*24))*time.Hour
			}
			if err := w.Store.SetConversation(ID(i), ID(j), s, cfg.Now.Add(-ago)); err != nil {
				return nil, err
			}
			w.Threads++
		}
	}
	progress("inbox", n, n)
	w.Load = time.Since(start)
	return w, nil
}

type chunkOut struct {
	back, blocked [][2]int32
	err           error
}

// follows generates the follows, blocks and restrictions of users [lo, hi)
// into the loader, and the follow-backs and blocks into o.
func follows(r *rand.Rand, cfg *Config, l *memory.Loader[int64], rank []int, lo, hi int, o *chunkOut) error {
	n := cfg.Users
	lnN := math.Log(float64(n))
	// Follows counts follow-backs too: draw fewer; and a few draws repeat
	// (a celebrity twice), which the store keeps once: draw 4.5% more.
	drawn := 1.045 * cfg.Follows / (1 + (1-cfg.Popular)*cfg.Mutual + cfg.Popular*cfg.Mutual/100)
	out := make([]int, 0, 64)
	ids := make([]int64, 0, 64)
	for i := lo; i < hi; i++ {
		out = out[:0]
		for range min(lognormal(r, drawn, 1), n-1, 5000) {
			var j int
			popular := r.Float64() < cfg.Popular
			if popular {
				j = rank[min(n-1, int(math.Exp(r.Float64()*lnN))-1)]
			} else {
				j = r.IntN(n)
			}
			if j == i {
				continue
			}
			out = append(out, j)
			p := cfg.Mutual
			if popular {
				p /= 100
			}
			if r.Float64() < p {
				o.back = append(o.back, [2]int32{int32(j), int32(i)})
			}
		}
		if err := addAll(l, graph.Follow, i, out, &ids); err != nil {
			return err
		}
		out = out[:0]
		for range poisson(r, cfg.Blocks) {
			if j := r.IntN(n); j != i {
				out = append(out, j)
				o.blocked = append(o.blocked, [2]int32{int32(i), int32(j)})
			}
		}
		if err := addAll(l, graph.Block, i, out, &ids); err != nil {
			return err
		}
		out = out[:0]
		for range poisson(r, cfg.Restricts) {
			if j := r.IntN(n); j != i {
				out = append(out, j)
			}
		}
		if err := addAll(l, graph.Restrict, i, out, &ids); err != nil {
			return err
		}
	}
	return nil
}

// parallel runs f(0), …, f(n-1) on every core, stopping early once failed
// reports an error for a finished call.
func parallel(n int, f func(int), failed func(int) error) {
	var next atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
				if failed(i) != nil {
					stop.Store(true)
				}
			}
		}()
	}
	wg.Wait()
}

func addAll(l *memory.Loader[int64], k graph.Edge, from int, to []int, ids *[]int64) error {
	*ids = (*ids)[:0]
	for _, j := range to {
		*ids = append(*ids, ID(j))
	}
	return l.AddAll(k, ID(from), *ids)
}

func sortUniquePairs(s [][2]int32) [][2]int32 {
	slices.SortFunc(s, func(a, b [2]int32) int {
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		return int(a[1]) - int(b[1])
	})
	return slices.Compact(s)
}

// user draws one account: mostly active adults with a birth date; some
// minors, some verified age bands, a few unknown ages and closed accounts.
func user(r *rand.Rand, now time.Time) graph.User {
	u := graph.User{Status: graph.Active}
	switch x := r.IntN(100); {
	case x == 0:
		u.Status = graph.Deactivated
	case x == 1:
		u.Status = graph.Suspended
	case x == 2:
		u.Status = graph.Deleted
	}
	var age int
	switch x := r.IntN(100); {
	case x < 4:
		age = 13 + r.IntN(3)
	case x < 14:
		age = 16 + r.IntN(2)
	default:
		age = 18 + r.IntN(50)
	}
	switch x := r.IntN(100); {
	case x < 2: // no age known
	case x < 12:
		asOf := now.AddDate(0, -r.IntN(24), 0).Truncate(24 * time.Hour)
		u.Band, u.BandAsOf = graph.BandOf(age), time.Unix(asOf.Unix(), 0).UTC()
	default:
		u.Birth = graph.BirthForAge(now, age).AddDate(0, 0, -r.IntN(365))
	}
	u.Verified = r.IntN(50) == 0
	u.HideFromContacts = r.IntN(10) == 0
	u.HideFromFacebook = r.IntN(10) == 0
	return u
}

// mode draws a mode the TikTok preset lets a user of the band choose, or
// the default.
func mode(r *rand.Rand, band graph.AgeBand) inbox.Mode {
	x := r.IntN(100)
	if band == graph.Age18Plus {
		switch {
		case x < 50:
			return inbox.ModeDefault
		case x < 70:
			return inbox.Everyone
		case x < 80:
			return inbox.SuggestedFriends
		case x < 95:
			return inbox.Friends
		}
		return inbox.NoOne
	}
	switch {
	case x < 60:
		return inbox.ModeDefault
	case x < 80:
		return inbox.Friends
	case x < 95:
		return inbox.SuggestedFriends
	}
	return inbox.NoOne
}

// lognormal draws a count with the given mean and spread sigma: most users
// near the median, a long tail above.
func lognormal(r *rand.Rand, mean, sigma float64) int {
	if mean <= 0 {
		return 0
	}
	mu := math.Log(mean) - sigma*sigma/2
	return int(math.Exp(mu + sigma*r.NormFloat64()))
}

// poisson draws a count with the given mean (Knuth's method; means here are
// small).
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	limit, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= limit {
			return k
		}
		k++
	}
}
