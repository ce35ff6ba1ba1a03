package privacytest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
	"github.com/dmprivacy/dmprivacy/privacy/privacytest"
	"github.com/dmprivacy/dmprivacy/privacy/scenario"
)

// TestWorldDMRebuildsTheWorld: every generated world, under every preset,
// prints as a scenario file the parser accepts, and the runner builds
// from it exactly the stores Apply writes: every decision agrees.
func TestWorldDMRebuildsTheWorld(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		p, _ := privacy.PolicyByName(rapid.SampledFrom(privacy.PresetNames()).Draw(t, "policy"))
		if rapid.Bool().Draw(t, "custom") {
			p = privacytest.CustomPolicy(p).Draw(t, "custom policy")
		}
		w := privacytest.Worlds(p).Draw(t, "world")
		var b strings.Builder
		b.WriteString(w.DM())
		// One check per ordered pair, expecting what the directly written
		// stores decide.
		st := memory.New[string]()
		if err := privacytest.Apply(st, w, w.Name); err != nil {
			t.Fatal(err)
		}
		e, err := privacy.New[string](st, st, &privacy.Options{Policy: p, Now: func() time.Time { return w.At }})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range w.Names() {
			for _, r := range w.Names() {
				d, err := e.Check(context.Background(), privacy.Request[string]{Sender: s, Recipient: r, At: w.At})
				if err != nil {
					t.Fatal(err)
				}
				want := "deny " + d.Reason.String()
				if d.Allowed {
					want = "allow " + d.Folder.String() + " " + d.Reason.String()
				}
				b.WriteString("expect " + s + " " + r + " " + want + "\n")
				b.WriteString("view " + s + " " + r + " " + d.View.String() + "\n")
			}
		}
		opts := &scenario.Options{Policies: func(string) (*privacy.Policy, error) { return p, nil }}
		f, err := scenario.Parse("world.dm", strings.NewReader(b.String()), opts)
		if err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		if got := f.Start.Add(0); f.Stmts[len(f.Stmts)-1].Src().At.Equal(w.At) == false {
			t.Fatalf("the file's checks run at %v, want %v (start %v)\n%s", f.Stmts[len(f.Stmts)-1].Src().At, w.At, got, b.String())
		}
		results, err := f.Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if !r.Pass {
				t.Fatalf("%s\n%s", r.String(), b.String())
			}
		}
		if diff := cmp.Diff(w.Names(), f.Users); diff != "" {
			t.Fatalf("users (-world +file):\n%s", diff)
		}
	})
}
