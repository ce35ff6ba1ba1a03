package privacytest_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
	"github.com/dmprivacy/dmprivacy/privacy/privacytest"
	"github.com/dmprivacy/dmprivacy/privacy/scenario"
)

// quietRapid keeps rapid from saving the failures these tests provoke
// under testdata/rapid/ (they would replay in every later run) and bounds
// its shrinking. Tests that call it do not run in parallel: the flags are
// global.
func quietRapid(t *testing.T) {
	for name, v := range map[string]string{"rapid.nofailfile": "true", "rapid.shrinktime": "1s"} {
		f := flag.Lookup(name)
		old := f.Value.String()
		if err := f.Value.Set(v); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Value.Set(old) })
	}
}

// counterexample cuts the scenario file out of a kit's failure message.
func counterexample(t *testing.T, msg string) string {
	t.Helper()
	i := strings.LastIndex(msg, privacytest.BeginDM)
	j := strings.LastIndex(msg, privacytest.EndDM)
	if i < 0 || j < i {
		t.Fatalf("no counterexample in the failure:\n%s", msg)
	}
	return msg[i+len(privacytest.BeginDM)+1 : j]
}

// replay writes the counterexample to a file and runs it with the
// scenario runner under p: every check but the last passes, and the last
// fails, on the file's last line.
func replay(t *testing.T, p *privacy.Policy, dm string) []scenario.Result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "counterexample.dm")
	if err := os.WriteFile(path, []byte(dm), 0o644); err != nil {
		t.Fatal(err)
	}
	results, err := scenario.RunFile(context.Background(), path, &scenario.Options{
		Policies: func(name string) (*privacy.Policy, error) {
			if name == privacytest.PolicyName(p) {
				return p, nil
			}
			return privacy.PolicyByName(name)
		},
	})
	if err != nil {
		t.Fatalf("running the counterexample: %v\n%s", err, dm)
	}
	lines := strings.Count(strings.TrimRight(dm, "\n"), "\n") + 1
	for i, r := range results {
		last := i == len(results)-1
		switch {
		case last && r.Pass:
			t.Errorf("the counterexample's last check passes: %s\n%s", r.String(), dm)
		case last && r.Line != lines:
			t.Errorf("the failing check is on line %d, want the last line, %d\n%s", r.Line, lines, dm)
		case !last && !r.Pass:
			t.Errorf("a check before the last fails: %s\n%s", r.String(), dm)
		}
	}
	if len(results) == 0 {
		t.Errorf("the counterexample has no check\n%s", dm)
	}
	return results
}

// TestKitCatchesBrokenPolicies: policies a host can build that break a
// rule are caught, and each counterexample, run by the scenario runner
// under the same policy, fails at its last line.
func TestKitCatchesBrokenPolicies(t *testing.T) {
	quietRapid(t)

	// A gate that turns away senders the recipient restricted: the
	// restriction now shows in the sender view.
	restricted := privacy.TikTok()
	restricted.Name = "tiktok-restricted"
	restricted.Gates = []privacy.Gate{{Name: "no-restricted-senders", Deny: func(f privacy.RuleFacts) bool {
		return f.Edges.Has(graph.RestrictBA)
	}}}

	// The minor rule turned off, which the kit does not accept unless told.
	minorsOff := privacy.TikTok()
	minorsOff.Name = "tiktok-minors-off"
	minorsOff.Minors.Off = true

	// An audience routed to the chats under Friends and refused under
	// Everyone: a looser mode now admits fewer senders.
	ladder := privacy.TikTok()
	ladder.Name = "tiktok-followers"
	var routes [inbox.NumModes]inbox.Route
	routes[inbox.Friends], routes[inbox.Everyone] = inbox.RoutePrimary, inbox.Deny
	ladder.Audiences = []privacy.CustomAudience{{Name: "followers", Routes: routes, Match: func(f privacy.RuleFacts) bool {
		return f.Edges.Has(graph.FollowAB)
	}}}

	for _, tc := range []struct {
		name string
		p    *privacy.Policy
		rule string
		want []string
	}{
		{"gate reads a restriction", restricted, privacytest.RuleRestrictSilent, []string{"once", "restricts", "a restriction must not show"}},
		{"minor rule off", minorsOff, privacytest.RuleMinorRule, []string{"an adult", "a minor", "Options.AllowMinorsOff"}},
		{"audience breaks the ladder", ladder, privacytest.RuleModeLadder, []string{"is in friends", "a looser mode"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			failures, err := privacytest.PolicyFailures(tc.p, nil, tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			msg := failures[tc.rule]
			if msg == "" {
				t.Fatalf("the kit passed a policy that breaks %q", tc.rule)
			}
			for _, w := range append(tc.want, `policy `+tc.p.Name+` breaks the rule "`+tc.rule+`"`) {
				if !strings.Contains(msg, w) {
					t.Errorf("the failure does not say %q:\n%s", w, msg)
				}
			}
			dm := counterexample(t, msg)
			replay(t, tc.p, dm)
			t.Logf("counterexample:\n%s", dm)
		})
	}
}

// TestKitCatchesBrokenEngines: the rules no policy can break still fail
// when the engine goes wrong, here by being handed readers that lie.
func TestKitCatchesBrokenEngines(t *testing.T) {
	quietRapid(t)
	hideBlocks := func(st *memory.Store[string]) (graph.Reader[string], inbox.Reader[string]) {
		return graph.ReaderFuncs[string]{UserFunc: st.User, HasEdgeFunc: func(ctx context.Context, k graph.Edge, a, b string) (bool, error) {
			if k == graph.Block {
				return false, nil
			}
			return st.HasEdge(ctx, k, a, b)
		}}, st
	}
	allAdults := func(st *memory.Store[string]) (graph.Reader[string], inbox.Reader[string]) {
		return graph.ReaderFuncs[string]{HasEdgeFunc: st.HasEdge, UserFunc: func(ctx context.Context, id string) (graph.User, error) {
			u, err := st.User(ctx, id)
			u.Birth = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
			return u, err
		}}, st
	}
	var calls atomic.Int64
	flipFlop := func(st *memory.Store[string]) (graph.Reader[string], inbox.Reader[string]) {
		return graph.ReaderFuncs[string]{UserFunc: st.User, HasEdgeFunc: st.HasEdge}, inbox.ReaderFuncs[string]{
			ConversationFunc: st.Conversation, PendingRequestsFunc: st.PendingRequests,
			SettingsFunc: func(ctx context.Context, id string) (inbox.Settings, error) {
				if calls.Add(1)%2 == 0 {
					return inbox.Settings{Mode: inbox.Everyone}, nil
				}
				return st.Settings(ctx, id)
			}}
	}
	for _, tc := range []struct {
		name    string
		readers func(*memory.Store[string]) (graph.Reader[string], inbox.Reader[string])
		swallow bool
		rules   []string
	}{
		{"blocks hidden", hideBlocks, false, []string{privacytest.RuleBlocksDeny, privacytest.RuleBlockLooksClosed, privacytest.RuleSenderView}},
		{"everyone an adult", allAdults, false, []string{privacytest.RuleMinimumAge, privacytest.RuleMinorRule}},
		{"answers flip", flipFlop, false, []string{privacytest.RuleDeterministic, privacytest.RuleOneDecision}},
		{"failures swallowed", nil, true, []string{privacytest.RuleFailClosed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.readers != nil {
				defer privacytest.BreakReaders(tc.readers)()
			}
			if tc.swallow {
				defer privacytest.SwallowFaults()()
			}
			failures, err := privacytest.PolicyFailures(privacy.TikTok(), nil, tc.rules...)
			if err != nil {
				t.Fatal(err)
			}
			for _, rule := range tc.rules {
				msg := failures[rule]
				if msg == "" {
					t.Errorf("the kit passed %q with %s", rule, tc.name)
					continue
				}
				if !strings.Contains(msg, `breaks the rule "`+rule+`"`) {
					t.Errorf("the failure of %q does not name it:\n%s", rule, msg)
				}
				counterexample(t, msg)
			}
		})
	}
}
