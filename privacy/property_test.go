package privacy_test

import (
	"context"
	"errors"
	"testing"
	"time"

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

// TestPropertyNoLeak checks the age clauses of the no-leak rule of the
// package documentation as before/after pairs of worlds that differ only
// in R's age, comparing the sender view of S → R alone. It stays next to
// the policy kit (privacytest, run over every preset in
// preset_property_test.go), which checks the block and restrict clauses,
// because its worlds hold verified age bands and unknown ages, which the
// kit's worlds (those a scenario file can say) do not.
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
