package privacy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// TestAdultAgeBeyondForty is the regression of the age table that stopped
// at 40: with an adult age of 45, a 50-year-old stranger writing to a
// 44-year-old is refused by the minor rule, by Check and Explain alike.
func TestAdultAgeBeyondForty(t *testing.T) {
	t.Parallel()
	p := privacy.TikTok()
	p.AdultAge = 45
	w := newWorld(t)
	w.user("old", 50)
	w.user("young", 44)
	w.mode("young", inbox.Everyone)
	e, err := privacy.New[string](w.g, w.ib, &privacy.Options{Policy: p, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	q := privacy.Request[string]{Sender: "old", Recipient: "young"}
	d, err := e.Check(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.Explain(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	want := privacy.Decision{Reason: privacy.ReasonMinorProtection, View: privacy.ViewNotAllowed}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, x.Decision); diff != "" {
		t.Errorf("Explain (-want +got):\n%s", diff)
	}
}

// drawAgedPolicy draws a preset, or a custom policy built on one, with
// minimum and adult ages anywhere Validate accepts, gates and audiences of
// the host's own, and flags.
func drawAgedPolicy(t *rapid.T) *privacy.Policy {
	p, _ := privacy.PolicyByName(rapid.SampledFrom(privacy.PresetNames()).Draw(t, "preset"))
	if rapid.Bool().Draw(t, "preset ages") {
		return p
	}
	p.MinAge = rapid.IntRange(0, 150).Draw(t, "min age")
	min := p.MinAge
	if min == 0 {
		min = 13
	}
	p.AdultAge = rapid.IntRange(min, 150).Draw(t, "adult age")
	p.KeepConversations = rapid.Bool().Draw(t, "keep conversations")
	p.IgnoreRestrict = rapid.Bool().Draw(t, "ignore restrict")
	if rapid.Bool().Draw(t, "custom audience") {
		var routes [inbox.NumModes]inbox.Route
		for m := range routes {
			routes[m] = inbox.Route(rapid.IntRange(0, 3).Draw(t, "route"))
		}
		edge := graph.Edges(1) << rapid.IntRange(0, 9).Draw(t, "audience edge")
		p.Audiences = []privacy.CustomAudience{{Name: "host", Routes: routes,
			Match: func(f privacy.RuleFacts) bool { return f.Edges&edge != 0 }}}
	}
	if rapid.Bool().Draw(t, "gate") {
		edge := graph.Edges(1) << rapid.IntRange(0, 9).Draw(t, "gate edge")
		p.Gates = []privacy.Gate{{Name: "host-gate", Deny: func(f privacy.RuleFacts) bool { return f.Edges&edge != 0 }}}
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("a drawn policy is invalid: %v", err)
	}
	return p
}

var agedWorldAges = []int{0, 12, 13, 15, 16, 17, 18, 19, 30, 44, 45, 50, 90, 120, 149, 150}

// TestExplainEqualsCheck: Explain only observes the decision function:
// for every preset and random custom policies with ages anywhere Validate
// accepts, on random worlds, Explain's decision is Check's for every pair,
// and ExplainGroup's is CheckGroup's.
func TestExplainEqualsCheck(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		p := drawAgedPolicy(t)
		pw := genPresetWorld(t, p, agedWorldAges)
		g, ib := pw.build(t)
		e, err := privacy.New[string](g, ib, &privacy.Options{Policy: p, Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, s := range pw.names {
			for _, r := range pw.names {
				q := privacy.Request[string]{Sender: s, Recipient: r}
				d, err := e.Check(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				x, err := e.Explain(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if d != x.Decision {
					t.Fatalf("%s → %s under %q (min %d, adult %d): Check %v, Explain %v\n%s", s, r, p.Name, p.MinAge, p.AdultAge, d, x.Decision, x)
				}
				members := []string{}
				for _, m := range pw.names {
					if m != s && m != r {
						members = append(members, m)
					}
				}
				gq := privacy.GroupRequest[string]{Inviter: s, Invitee: r, Members: members}
				gd, err := e.CheckGroup(ctx, gq)
				if err != nil {
					t.Fatal(err)
				}
				gx, _, err := e.ExplainGroup(ctx, gq)
				if err != nil || gd != gx {
					t.Fatalf("group %s adds %s: CheckGroup %v, ExplainGroup %v, %v", s, r, gd, gx, err)
				}
			}
		}
	})
}

// TestGroupPairGatesAreTheSingleCheck's: a group add holds every pair it
// would connect to the single check's block and minor gates. In worlds
// where every user may send (active, of age, no threads to read), a group
// add is refused for a block exactly when some member's single check with
// the invitee, either way, is refused for a block, and for the minor rule
// exactly when some member's is refused for the minor rule and none for a
// block.
func TestGroupPairGatesAreTheSingleChecks(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		p, _ := privacy.PolicyByName(rapid.SampledFrom(privacy.PresetNames()).Draw(t, "preset"))
		pw := genPresetWorld(t, p, []int{16, 17, 18, 30})
		for _, u := range pw.names {
			pw.status[u] = graph.Active
		}
		clear(pw.threads)
		g, ib := pw.build(t)
		e, err := privacy.New[string](g, ib, &privacy.Options{Policy: p, Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(s, r string) privacy.Reason {
			d, err := e.Check(ctx, privacy.Request[string]{Sender: s, Recipient: r})
			if err != nil {
				t.Fatal(err)
			}
			return d.Reason
		}
		inviter, invitee := pw.names[0], pw.names[1]
		first := check(inviter, invitee)
		switch first {
		case privacy.ReasonSelf, privacy.ReasonSenderAge, privacy.ReasonSenderBlockedRecipient:
			return // the inviter's own gates decide, before any pair of the group
		}
		blocked, minor := false, false
		for _, x := range pw.names {
			if x == invitee {
				continue
			}
			for _, r := range []privacy.Reason{check(x, invitee), check(invitee, x)} {
				switch r {
				case privacy.ReasonBlockedByRecipient, privacy.ReasonSenderBlockedRecipient:
					blocked = true
				case privacy.ReasonMinorProtection:
					minor = true
				}
			}
		}
		d, err := e.CheckGroup(ctx, privacy.GroupRequest[string]{Inviter: inviter, Invitee: invitee, Members: pw.names[2:]})
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Reason == privacy.ReasonGroupBlocked; got != blocked {
			t.Fatalf("%s adds %s under %s: group says %v, the single checks say blocked=%v", inviter, invitee, p.Name, d, blocked)
		}
		if got := d.Reason == privacy.ReasonGroupMinorProtection; !blocked && got != minor {
			t.Fatalf("%s adds %s under %s: group says %v, the single checks say minor=%v", inviter, invitee, p.Name, d, minor)
		}
	})
}

// TestValidateNamesTheField: an invalid policy is refused with an error
// that names the field and says how to fix it.
func TestValidateNamesTheField(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		edit  func(p *privacy.Policy)
		field string
	}{
		{"undefined route", func(p *privacy.Policy) {
			m := p.Modes[inbox.Everyone]
			m.Table[inbox.AudienceFollower] = inbox.Route(7)
			p.Modes[inbox.Everyone] = m
		}, "Modes[everyone].Table[follower] is Route(7), not a route"},
		{"undefined route in a group table", func(p *privacy.Policy) {
			m := p.Groups.Modes[inbox.Friends]
			m.Table[inbox.AudienceFriend] = inbox.Route(9)
			p.Groups.Modes[inbox.Friends] = m
		}, "Groups.Modes[friends].Table[friend] is Route(9)"},
		{"undefined route limit", func(p *privacy.Policy) {
			p.Availability.RouteLimits[graph.Age18Plus][inbox.AudienceFollower] = inbox.Route(4)
		}, "Availability.RouteLimits[18+][follower]"},
		{"undefined custom route", func(p *privacy.Policy) {
			var r [inbox.NumModes]inbox.Route
			r[inbox.Everyone] = 5
			p.Audiences = []privacy.CustomAudience{{Name: "x", Routes: r, Match: func(privacy.RuleFacts) bool { return true }}}
		}, "Audiences[0].Routes[everyone]"},
		{"negative age", func(p *privacy.Policy) { p.MinAge = -1 }, "MinAge is -1"},
		{"age out of range", func(p *privacy.Policy) { p.AdultAge = 900 }, "AdultAge is 900"},
		{"minimum above adult", func(p *privacy.Policy) { p.MinAge, p.AdultAge = 30, 20 }, "MinAge 30 is above AdultAge 20"},
		{"group age out of range", func(p *privacy.Policy) { p.Groups.MinAge = 151 }, "Groups.MinAge is 151"},
		{"cap without a window", func(p *privacy.Policy) { p.RequestWindow = 0 }, "RequestWindow"},
		{"deny reason that leaks", func(p *privacy.Policy) {
			m := p.Modes[inbox.Friends]
			m.Deny = privacy.ReasonSenderBlockedRecipient
			p.Modes[inbox.Friends] = m
		}, "Modes[friends].Deny is sender_blocked_recipient, which would show the sender more than not_allowed"},
		{"default not offered", func(p *privacy.Policy) { p.Availability.Defaults[graph.Age18Plus] = inbox.Verified }, "Availability.Defaults[18+]"},
		{"table without a name", func(p *privacy.Policy) {
			p.Modes[inbox.Verified] = privacy.ModeRule{Table: inbox.Table{}.With(inbox.AudienceFriend, inbox.RoutePrimary)}
		}, "Modes[verified] has a table but no Name"},
		{"unknown minor reach", func(p *privacy.Policy) { p.Minors.Reach = 1 << 15 }, "Minors.Reach"},
		{"gate without a function", func(p *privacy.Policy) { p.Gates = []privacy.Gate{{Name: "g"}} }, "Gates[0]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := privacy.TikTok()
			c.edit(p)
			err := p.Validate()
			if !errors.Is(err, privacy.ErrInvalidPolicy) {
				t.Fatalf("Validate() = %v, want an invalid policy", err)
			}
			if !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), "privacy.TikTok()") {
				t.Errorf("Validate() = %q, want it to name %q and say where to start", err, c.field)
			}
			if _, err := privacy.New[string](newWorld(t).g, newWorld(t).ib, &privacy.Options{Policy: p}); !errors.Is(err, privacy.ErrInvalidPolicy) {
				t.Errorf("New accepted it: %v", err)
			}
		})
	}
	for _, name := range privacy.PresetNames() {
		p, _ := privacy.PolicyByName(name)
		if err := p.Validate(); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
	}
}

// TestExplainMarksTheDenyingRow: when a table's deny row refuses the
// sender, the explanation marks that row as the one that decided — the
// audience's row, or the anyone row for everyone else — and no other.
func TestExplainMarksTheDenyingRow(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.user("R", 30)
	w.user("P", 30)
	w.user("F", 30)
	w.user("X", 30)
	w.mode("R", inbox.Friends) // Messenger's "connected": friends of friends are refused
	w.friends("R", "P")
	w.friends("P", "F")
	e := w.engineWith(privacy.Messenger())
	for _, tc := range []struct {
		sender, row string
	}{
		{"F", "sender is in audience friend_of_friend"},
		{"X", "sender is in no routed audience: everyone else (anyone)"},
	} {
		x, err := e.Explain(context.Background(), privacy.Request[string]{Sender: tc.sender, Recipient: "R"})
		if err != nil {
			t.Fatal(err)
		}
		if x.Decision.Allowed {
			t.Fatalf("%s: allowed %v", tc.sender, x.Decision)
		}
		var marked []string
		for _, s := range x.Steps {
			if s.ID == "route" && s.Matched && s.Rule != "most permissive route" {
				marked = append(marked, s.Rule)
			}
		}
		if diff := cmp.Diff([]string{tc.row}, marked); diff != "" {
			t.Errorf("%s: rows marked as deciding (-want +got):\n%s", tc.sender, diff)
		}
	}
}
