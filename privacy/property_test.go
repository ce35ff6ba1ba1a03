package privacy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/internal/model"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// The properties below run rapid's default 100 random worlds each, which
// keeps `go test -race ./privacy` well under a minute on two cores. To look
// harder, raise the count:
//
//	go test ./privacy -run 'Property|StateMachine' -rapid.checks=5000
//	go test ./privacy -run StateMachine -rapid.checks=1000 -rapid.steps=200
//
// A failure is saved under testdata/rapid/<test>/ and replayed by every
// later run: keep those files as regressions.

// TestPropertyMatchesModel: on every random world the engine's decision for
// every ordered pair equals the naive model's, in all four fields.
func TestPropertyMatchesModel(t *testing.T) {
	t.Parallel()
	rapid.Check(t, matchesModel)
}

// FuzzPropertyMatchesModel is the same property as a native fuzz target,
// for long unattended runs: go test ./privacy -run '^$' -fuzz FuzzPropertyMatchesModel
func FuzzPropertyMatchesModel(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(matchesModel))
}

func matchesModel(t *rapid.T) {
	sc := genScene().Draw(t, "scene")
	_, e := build(t, sc.W)
	for _, p := range pairs(sc.ids()) {
		want := model.Decide(sc.W, p[0], p[1], sc.At)
		got := asModel(decide(t, e, p[0], p[1], sc.At))
		if got != want { // cmp.Diff only to explain: it is slow on the hot path of the test
			t.Fatalf("%s → %s: engine differs from the model (-model +engine):\n%s\n%s", p[0], p[1], cmp.Diff(want, got), sc)
		}
	}
}

// modeLadder is TikTok's modes, tightest first.
var modeLadder = []inbox.Mode{inbox.NoOne, inbox.Friends, inbox.SuggestedFriends, inbox.Everyone}

// TestPropertyLadder: with R's mode set explicitly, the senders allowed
// under NoOne ⊆ Friends ⊆ SuggestedFriends ⊆ Everyone, and a sender in
// Primary under a tighter mode is in Primary under every looser one. Each
// rung is also checked against the model. R's ladder holds the modes R's
// age band may hold: a mode it may not counts as the band's default (the
// fail-safe), which the model checks.
func TestPropertyLadder(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		sc := genScene().Draw(t, "scene")
		st, e := build(t, sc.W)
		ids := sc.ids()
		for _, r := range ids {
			var prev map[string]privacy.Decision
			for _, m := range modeLadder {
				if err := e.ValidateSettingsAt(context.Background(), r, inbox.Settings{Mode: m}, sc.At); errors.Is(err, inbox.ErrModeUnavailable) {
					continue
				}
				if err := st.Store.SetSettings(r, inbox.Settings{Mode: m}); err != nil {
					t.Fatal(err)
				}
				w := sc.W.Clone()
				w.Modes[r] = m.String()
				cur := map[string]privacy.Decision{}
				for _, s := range ids {
					d := decide(t, e, s, r, sc.At)
					cur[s] = d
					if want, got := model.Decide(w, s, r, sc.At), asModel(d); got != want {
						t.Fatalf("%s → %s in mode %v: engine differs from the model (-model +engine):\n%s\n%s", s, r, m, cmp.Diff(want, got), sc)
					}
					if prev == nil {
						continue
					}
					if p := prev[s]; p.Allowed && !d.Allowed {
						t.Fatalf("%s → %s: allowed under a tighter mode (%v) but not under %v (%v)\n%s", s, r, p, m, d, sc)
					}
					if p := prev[s]; p.Folder == inbox.Primary && d.Folder != inbox.Primary {
						t.Fatalf("%s → %s: Primary under a tighter mode (%v) but %v under %v\n%s", s, r, p, d, m, sc)
					}
				}
				prev = cur
			}
			mode := inbox.ModeDefault
			if name, ok := sc.W.Modes[r]; ok {
				mode, _ = inbox.ParseMode(name)
			}
			if err := st.Store.SetSettings(r, inbox.Settings{Mode: mode}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestPropertyBlocksDeny: a block denies in both directions whatever else
// holds, and a message against one's own block is never shown as allowed.
func TestPropertyBlocksDeny(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		sc := genScene().Draw(t, "scene")
		names := sc.W.Names()
		a := rapid.SampledFrom(names).Draw(t, "blocker")
		b := rapid.SampledFrom(names).Filter(func(b string) bool { return b != a }).Draw(t, "blocked")
		sc.W.Blocks[[2]string{a, b}] = true
		if percent(t, 50, "everything else allows") {
			// Friends in an accepted thread, both open to everyone: every
			// allow path but the block is open.
			sc.W.Follows[[2]string{a, b}], sc.W.Follows[[2]string{b, a}] = true, true
			sc.W.Conversations[model.PairKey(a, b)] = model.Conversation{Starter: a, State: "accepted", Started: sc.At}
			sc.W.Modes[a], sc.W.Modes[b] = "everyone", "everyone"
		}
		_, e := build(t, sc.W)
		blocks := 0
		for _, p := range pairs(names) {
			if !sc.W.Blocks[p] && !sc.W.Blocks[[2]string{p[1], p[0]}] {
				continue
			}
			blocks++
			if d := decide(t, e, p[0], p[1], sc.At); d.Allowed || d.View == privacy.ViewAllowed {
				t.Fatalf("%s → %s: %v (view %v) despite a block\n%s", p[0], p[1], d, d.View, sc)
			}
		}
		if blocks < 2 {
			t.Fatalf("checked %d directions, want at least the drawn block's two", blocks)
		}
	})
}

// TestPropertyDeterministic: the same world gives the same decisions,
// asked twice, and when the stores were filled in another order.
func TestPropertyDeterministic(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		sc := genScene().Draw(t, "scene")
		_, e1 := build(t, sc.W)
		users, rest := sc.W.Ops()
		users = rapid.Permutation(users).Draw(t, "user order")
		rest = rapid.Permutation(rest).Draw(t, "write order")
		st2, err := model.Load(users, rest)
		if err != nil {
			t.Fatal(err)
		}
		e2 := newEngine(t, st2.Store, st2.Store)
		for _, p := range pairs(sc.ids()) {
			first := decide(t, e1, p[0], p[1], sc.At)
			again := decide(t, e1, p[0], p[1], sc.At)
			other := decide(t, e2, p[0], p[1], sc.At)
			if first != again || first != other {
				t.Fatalf("%s → %s: %v, then %v, and %v from the stores filled in another order\n%s", p[0], p[1], first, again, other, sc)
			}
		}
	})
}

var errInjected = errors.New("injected store failure")

// faults decides which reads fail: the calls whose number (from 0, per
// decision) is in fail.
type faults struct {
	fail     map[int]bool
	calls    int
	injected bool
}

func (f *faults) next() error {
	n := f.calls
	f.calls++
	if f.fail[n] {
		f.injected = true
		return errInjected
	}
	return nil
}

// faultyReaders wraps the embedded stores in readers that fail at the
// calls f says, through the required interfaces only (no PairReader, no
// FactReader).
func faultyReaders(st model.Stores, f *faults) (graph.Reader[string], inbox.Reader[string]) {
	g := graph.ReaderFuncs[string]{
		UserFunc: func(ctx context.Context, id string) (graph.User, error) {
			if err := f.next(); err != nil {
				return graph.User{Status: graph.Active}, err // a failed read's value must not count
			}
			return st.Store.User(ctx, id)
		},
		HasEdgeFunc: func(ctx context.Context, k graph.Edge, from, to string) (bool, error) {
			if err := f.next(); err != nil {
				return true, err
			}
			return st.Store.HasEdge(ctx, k, from, to)
		},
	}
	return g, faultyInbox(st, f)
}

func faultyInbox(st model.Stores, f *faults) inbox.ReaderFuncs[string] {
	return inbox.ReaderFuncs[string]{
		SettingsFunc: func(ctx context.Context, id string) (inbox.Settings, error) {
			if err := f.next(); err != nil {
				return inbox.Settings{Mode: inbox.Everyone}, err
			}
			return st.Store.Settings(ctx, id)
		},
		ConversationFunc: func(ctx context.Context, a, b string) (inbox.Conversation[string], error) {
			if err := f.next(); err != nil {
				return inbox.Conversation[string]{Starter: b, State: inbox.Accepted}, err
			}
			return st.Store.Conversation(ctx, a, b)
		},
		PendingRequestsFunc: func(ctx context.Context, sender string, after, upTo time.Time) (int, error) {
			if err := f.next(); err != nil {
				return 0, err
			}
			return st.Store.PendingRequests(ctx, sender, after, upTo)
		},
	}
}

// factReader is a store, both readers, with the one-call capability,
// whose Facts fails at the calls f says (counted with the required reads,
// which the engine may still use).
type factReader struct {
	inbox.ReaderFuncs[string]
	st    model.Stores
	f     *faults
	facts int // calls of Facts
}

func (r *factReader) User(ctx context.Context, id string) (graph.User, error) {
	return r.st.Store.User(ctx, id)
}

func (r *factReader) HasEdge(ctx context.Context, k graph.Edge, from, to string) (bool, error) {
	return r.st.Store.HasEdge(ctx, k, from, to)
}

func (r *factReader) Facts(ctx context.Context, q inbox.Query[string]) (inbox.Facts[string], error) {
	r.facts++
	if err := r.f.next(); err != nil {
		return inbox.Facts[string]{Settings: inbox.Settings{Mode: inbox.Everyone}}, err
	}
	return inbox.ReadFacts(ctx, r.st.Store, r.st.Store, q)
}

// TestPropertyFailClosed: with readers that fail at random calls, a check
// that meets an error returns it (wrapped) with the zero Decision, a deny;
// a check that meets none equals the fault-free one. It runs over the
// required reads and over the one-call FactReader path.
func TestPropertyFailClosed(t *testing.T) {
	t.Parallel()
	for _, oneCall := range []bool{false, true} {
		name := "required reads"
		if oneCall {
			name = "fact reader"
		}
		t.Run(name, rapid.MakeCheck(func(t *rapid.T) {
			sc := genScene().Draw(t, "scene")
			st, clean := build(t, sc.W)
			f := &faults{}
			var e *privacy.Engine[string]
			var fr *factReader
			if oneCall {
				fr = &factReader{ReaderFuncs: faultyInbox(st, f), st: st, f: f}
				e = newEngine(t, fr, fr)
			} else {
				g, in := faultyReaders(st, f)
				e = newEngine(t, g, in)
			}
			seen := 0
			for _, p := range pairs(sc.ids()) {
				f.fail = map[int]bool{}
				for _, n := range rapid.SliceOfN(rapid.IntRange(0, 15), 0, 2).Draw(t, "failing calls") {
					f.fail[n] = true
				}
				f.calls, f.injected = 0, false
				d, err := e.Check(context.Background(), privacy.Request[string]{Sender: p[0], Recipient: p[1], At: sc.At})
				want := decide(t, clean, p[0], p[1], sc.At)
				switch {
				case f.injected:
					seen++
					if !errors.Is(err, errInjected) || d != (privacy.Decision{}) {
						t.Fatalf("%s → %s: a read failed, got %v, %v; want the zero Decision and the error\n%s", p[0], p[1], d, err, sc)
					}
				case err != nil || d != want:
					t.Fatalf("%s → %s: no read failed, got %v, %v; want %v\n%s", p[0], p[1], d, err, want, sc)
				}
			}
			if oneCall && fr.facts == 0 {
				t.Fatalf("the engine never called Facts")
			}
			t.Logf("%d of %d checks met a failure", seen, len(pairs(sc.ids())))
		}))
	}
}

// TestPropertyCancelled: a context cancelled before or during a check
// gives an error and the zero Decision.
func TestPropertyCancelled(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		sc := genScene().Draw(t, "scene")
		st, _ := build(t, sc.W)
		s := rapid.SampledFrom(sc.ids()).Draw(t, "sender")
		r := rapid.SampledFrom(sc.ids()).Draw(t, "recipient")
		// Cancel at the k-th read; the reads themselves answer correctly.
		k := rapid.IntRange(-1, 15).Draw(t, "cancel at")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls := 0
		tick := func() {
			if calls == k {
				cancel()
			}
			calls++
		}
		if k < 0 {
			cancel()
		}
		g := graph.ReaderFuncs[string]{
			UserFunc: func(ctx context.Context, id string) (graph.User, error) {
				tick()
				return st.Store.User(ctx, id)
			},
			HasEdgeFunc: func(ctx context.Context, kind graph.Edge, from, to string) (bool, error) {
				tick()
				return st.Store.HasEdge(ctx, kind, from, to)
			},
		}
		in := inbox.ReaderFuncs[string]{
			SettingsFunc: func(ctx context.Context, id string) (inbox.Settings, error) {
				tick()
				return st.Store.Settings(ctx, id)
			},
			ConversationFunc: func(ctx context.Context, a, b string) (inbox.Conversation[string], error) {
				tick()
				return st.Store.Conversation(ctx, a, b)
			},
			PendingRequestsFunc: func(ctx context.Context, sender string, after, upTo time.Time) (int, error) {
				tick()
				return st.Store.PendingRequests(ctx, sender, after, upTo)
			},
		}
		e := newEngine(t, g, in)
		d, err := e.Check(ctx, privacy.Request[string]{Sender: s, Recipient: r, At: sc.At})
		if ctx.Err() == nil {
			if err != nil {
				t.Fatalf("%s → %s: %v with a live context", s, r, err)
			}
			return // the check made fewer than k+1 reads
		}
		if !errors.Is(err, context.Canceled) || d != (privacy.Decision{}) {
			t.Fatalf("%s → %s: context cancelled at read %d, got %v, %v; want the zero Decision and context.Canceled", s, r, k, d, err)
		}
	})
}

// TestPropertyNoLeak checks the no-leak rule of the package documentation
// as before/after pairs of worlds that differ only in what R hides,
// comparing the sender view of S → R alone.
func TestPropertyNoLeak(t *testing.T) {
	t.Parallel()
	view := func(t *rapid.T, w *model.World, s, r string, at time.Time) privacy.View {
		_, e := build(t, w)
		return decide(t, e, s, r, at).View
	}
	draw := func(t *rapid.T) (scene, string, string) {
		sc := genScene().Draw(t, "scene")
		names := sc.W.Names()
		s := rapid.SampledFrom(names).Draw(t, "sender")
		r := rapid.SampledFrom(names).Filter(func(r string) bool { return r != s }).Draw(t, "recipient")
		return sc, s, r
	}
	same := func(t *rapid.T, sc scene, s, r string, what string, a, b *model.World) {
		va, vb := view(t, a, s, r, sc.At), view(t, b, s, r, sc.At)
		if va != vb {
			t.Fatalf("%s → %s: the sender sees %v when %s, but %v otherwise\nworld with it:\n%s\nworld without:\n%s", s, r, va, what, vb, a, b)
		}
	}
	t.Run("block is noone", rapid.MakeCheck(func(t *rapid.T) {
		sc, s, r := draw(t)
		blocked := sc.W.Clone()
		blocked.Blocks[[2]string{r, s}] = true
		closed := sc.W.Clone()
		delete(closed.Blocks, [2]string{r, s})
		closed.Modes[r] = "noone"
		same(t, sc, s, r, "R blocked S (vs R in noone)", blocked, closed)
	}))
	t.Run("restrict is nothing", rapid.MakeCheck(func(t *rapid.T) {
		sc, s, r := draw(t)
		restricted := sc.W.Clone()
		restricted.Restricts[[2]string{r, s}] = true
		free := sc.W.Clone()
		delete(free.Restricts, [2]string{r, s})
		same(t, sc, s, r, "R restricted S", restricted, free)
	}))
	t.Run("under 16 is noone", rapid.MakeCheck(func(t *rapid.T) {
		sc, s, r := draw(t)
		young := sc.W.Clone()
		u := young.Users[r]
		u.Birth, u.Band, u.BandAsOf = time.Time{}, "", time.Time{}
		switch rapid.IntRange(0, 2).Draw(t, "how young") {
		case 0:
			u.Birth = genBirth(t, sc.At, []int{12, 13, 14, 15, 16})
		case 1:
			u.Band = rapid.SampledFrom([]string{"under13", "13-15"}).Draw(t, "band")
			u.BandAsOf = sc.At.AddDate(0, 0, -rapid.IntRange(0, 300).Draw(t, "band days"))
		case 2: // an unknown age counts as the youngest
		}
		if y, _ := u.Ages(sc.At); y >= model.MinAge {
			t.Skip("not under 16")
		}
		young.Users[r] = u
		closed := sc.W.Clone()
		closed.Modes[r] = "noone"
		same(t, sc, s, r, "R is under 16 (vs R in noone)", young, closed)
	}))
	t.Run("minor and adult stranger is noone", rapid.MakeCheck(func(t *rapid.T) {
		sc, s, r := draw(t)
		w := sc.W.Clone()
		ru, su := w.Users[r], w.Users[s]
		ru.Birth, ru.Band = genBirth(t, sc.At, []int{16, 17}), ""
		su.Birth, su.Band = genBirth(t, sc.At, []int{18, 19, 25}), ""
		if y, _ := ru.Ages(sc.At); y < model.MinAge || y >= model.AdultAge {
			t.Skip("recipient not 16–17")
		}
		if y, _ := su.Ages(sc.At); y < model.AdultAge {
			t.Skip("sender not an adult")
		}
		w.Users[r], w.Users[s] = ru, su
		delete(w.Follows, [2]string{s, r}) // strangers: not friends
		closed := w.Clone()
		closed.Modes[r] = "noone"
		same(t, sc, s, r, "R is 16–17 and S an adult stranger (vs R in noone)", w, closed)
	}))
}
