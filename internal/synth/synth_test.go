package synth

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

func TestBuildIsDeterministic(t *testing.T) {
	t.Parallel()
	cfg := Default(3000, 7)
	cfg.StarFollowers = 2000
	a, err := Build(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a.Store.Stats(), b.Store.Stats()); diff != "" {
		t.Errorf("two builds differ (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(a.Friends, b.Friends); diff != "" {
		t.Errorf("friends differ (-first +second):\n%s", diff)
	}
	ctx := context.Background()
	for i := 0; i < cfg.Users; i += 97 {
		pa, _ := a.Store.Pair(ctx, ID(i), ID(i+1))
		pb, _ := b.Store.Pair(ctx, ID(i), ID(i+1))
		sa, _ := a.Store.Settings(ctx, ID(i))
		sb, _ := b.Store.Settings(ctx, ID(i))
		if pa != pb || sa != sb {
			t.Fatalf("user %d differs: %v %v / %v %v", i, pa, sa, pb, sb)
		}
	}
	other, _ := Build(Default(3000, 8), nil)
	if other.Store.Stats() == a.Store.Stats() {
		t.Errorf("another seed built the same world")
	}
}

// TestWorldShape checks the world has what benchmarks rely on: about the
// configured degrees, celebrities, friends, blocks, every mode, minors.
func TestWorldShape(t *testing.T) {
	t.Parallel()
	cfg := Default(20000, 1)
	cfg.StarFollowers = 15000
	w, err := Build(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := w.Store.Stats()
	n := float64(cfg.Users)
	check := func(what string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %.2f, want within [%.2f, %.2f]", what, got, lo, hi)
		}
	}
	check("follows per user", float64(st.Follows)/n, 18, 22) // 20, plus the star's
	check("blocks per user", float64(st.Blocks)/n, 1.8, 2.1)
	check("friend pairs per user", float64(len(w.Friends))/n, 3, 8)
	check("contacts per user", float64(st.ContactEntries)/n, 8, 16)
	ctx := context.Background()
	star, _, _ := w.Store.Related(ctx, ID(0), graph.RelationFollowers, "", cfg.Users, nil)
	if len(star) < cfg.StarFollowers {
		t.Errorf("the star has %d followers, want %d", len(star), cfg.StarFollowers)
	}
	// A celebrity by popularity: someone else with a thousand followers.
	most := 0
	for i := 1; i < cfg.Users; i++ {
		f, _, _ := w.Store.Related(ctx, ID(i), graph.RelationFollowers, "", cfg.Users, nil)
		most = max(most, len(f))
	}
	if most < 1000 {
		t.Errorf("the most followed user after the star has %d followers", most)
	}
	for m := inbox.Everyone; m <= inbox.NoOne; m++ {
		if len(w.ByMode[m]) < cfg.Users/50 {
			t.Errorf("%d users chose %v", len(w.ByMode[m]), m)
		}
	}
	minors := 0
	for _, u := range w.Accounts {
		if u.BandAt(cfg.Now) < graph.Age18Plus {
			minors++
		}
	}
	check("share of minors", float64(minors)/n, 0.1, 0.25)
}
