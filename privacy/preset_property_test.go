package privacy_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
	"github.com/dmprivacy/dmprivacy/privacy/privacytest"
)

// presetWorld is a small random world, kept as plain facts so a property
// can rebuild it with one fact changed.
type presetWorld struct {
	names    []string
	ages     map[string]int // 0: unknown age
	status   map[string]graph.Status
	verified map[string]bool
	hide     map[string]bool
	rels     map[[3]string]bool // {kind, from, to}
	settings map[string]inbox.Settings
	threads  map[[2]string]inbox.State // {starter, other}
}

var presetAges = []int{0, 12, 13, 15, 16, 17, 18, 19, 30, 45}

// genPresetWorld draws a world of 2 to 5 users whose ages are drawn from
// ages.
func genPresetWorld(t *rapid.T, p *privacy.Policy, ages []int) *presetWorld {
	n := rapid.IntRange(2, 5).Draw(t, "users")
	w := &presetWorld{ages: map[string]int{}, status: map[string]graph.Status{}, verified: map[string]bool{},
		hide: map[string]bool{}, rels: map[[3]string]bool{}, settings: map[string]inbox.Settings{}, threads: map[[2]string]inbox.State{}}
	var modes []inbox.Mode
	for m := inbox.Mode(1); m < inbox.NumModes; m++ {
		if p.Modes[m].Name != "" {
			modes = append(modes, m)
		}
	}
	modes = append(modes, inbox.ModeDefault)
	for i := range n {
		u := fmt.Sprint("u", i)
		w.names = append(w.names, u)
		w.ages[u] = rapid.SampledFrom(ages).Draw(t, u+".age")
		w.status[u] = graph.Active
		if rapid.IntRange(0, 9).Draw(t, u+".inactive") == 0 {
			w.status[u] = graph.Suspended
		}
		w.verified[u] = rapid.Bool().Draw(t, u+".verified")
		w.hide[u] = rapid.IntRange(0, 4).Draw(t, u+".hide") == 0
		s := inbox.Settings{Mode: rapid.SampledFrom(modes).Draw(t, u+".mode")}
		if p.Availability.PerAudience {
			for k := rapid.IntRange(0, 2).Draw(t, u+".routes"); k > 0; k-- {
				a := inbox.Audience(rapid.IntRange(0, inbox.NumAudiences-1).Draw(t, u+".route.audience"))
				s.Routes = s.Routes.Set(a, inbox.Route(rapid.IntRange(0, 3).Draw(t, u+".route")))
			}
		}
		w.settings[u] = s
	}
	kinds := []string{"follow", "block", "restrict", "contact", "facebook"}
	odds := map[string]int{"follow": 2, "block": 8, "restrict": 8, "contact": 4, "facebook": 5}
	for _, a := range w.names {
		for _, b := range w.names {
			if a == b {
				continue
			}
			for _, k := range kinds {
				if rapid.IntRange(0, odds[k]).Draw(t, k+":"+a+">"+b) == 0 {
					w.rels[[3]string{k, a, b}] = true
				}
			}
			if a < b && rapid.IntRange(0, 4).Draw(t, "thread:"+a+">"+b) == 0 {
				starter, other := a, b
				if rapid.Bool().Draw(t, "starter:"+a+">"+b) {
					starter, other = b, a
				}
				w.threads[[2]string{starter, other}] = inbox.State(rapid.IntRange(1, 4).Draw(t, "state:"+a+">"+b))
			}
		}
	}
	return w
}

// build loads the world into the embedded stores.
func (pw *presetWorld) build(t rapid.TB) (*memory.Store[string], *memory.Store[string]) {
	g := memory.New[string]()
	ib := g
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range pw.names {
		usr := graph.User{Status: pw.status[u], Verified: pw.verified[u], HideFromContacts: pw.hide[u], HideFromFacebook: pw.hide[u]}
		if a := pw.ages[u]; a > 0 {
			usr.Birth = graph.BirthForAge(clock, a)
		}
		must(g.SetUser(u, usr))
		must(g.SetContactKey(u, graph.ContactKey("key-"+u)))
		must(ib.SetSettings(u, pw.settings[u]))
	}
	for r := range pw.rels {
		k, a, b := r[0], r[1], r[2]
		switch k {
		case "follow":
			must(g.Follow(a, b))
		case "block":
			must(g.Block(a, b))
		case "restrict":
			must(g.Restrict(a, b))
		case "contact":
			must(g.AddContact(a, graph.ContactKey("key-"+b)))
		case "facebook":
			must(g.LinkFacebook(a, b))
		}
	}
	for k, s := range pw.threads {
		must(ib.SetConversation(k[0], k[1], s, clock.Add(-time.Hour)))
	}
	return g, ib
}

// The rules every policy keeps — blocks deny, the minimum age, the minor
// rule, the sender view and the no-leak rule, fail closed, determinism, the
// mode ladder, one decision function — are checked by the policy kit,
// package privacytest: the same kit hosts run over their own policies,
// so the kit is what the engine's own tests trust. See its package
// documentation for how each rule is checked.

// TestPresetsKeepTheRules runs the policy kit over every preset.
func TestPresetsKeepTheRules(t *testing.T) {
	t.Parallel()
	for _, name := range privacy.PresetNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, _ := privacy.PolicyByName(name)
			privacytest.CheckPolicy(t, p, nil)
		})
	}
}

// TestCustomPoliciesKeepTheRules runs the policy kit over custom policies
// derived from each preset the way a host derives one (privacytest's
// CustomPolicy): other ages and flags, gates, and audiences routed to the
// chats, to requests or refused. Nothing a policy adds lets a blocked
// sender through, reaches an age the policy forbids, or shows what the
// recipient hides.
func TestCustomPoliciesKeepTheRules(t *testing.T) {
	t.Parallel()
	for i, name := range privacy.PresetNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base, _ := privacy.PolicyByName(name)
			privacytest.CheckPolicy(t, privacytest.CustomPolicy(base).Example(i), nil)
		})
	}
}

// audiences returns the audiences s is in relative to r in the world,
// anyone aside, computed from the world's facts alone (the package
// documentation's list, "Audiences and routing"), not by the engine.
func (pw *presetWorld) audiences(s, r string) inbox.Audiences {
	rel := func(k, a, b string) bool { return pw.rels[[3]string{k, a, b}] }
	friends := func(a, b string) bool { return rel("follow", a, b) && rel("follow", b, a) }
	var a inbox.Audiences
	add := func(x inbox.Audience, on bool) {
		if on {
			a |= inbox.AudiencesOf(x)
		}
	}
	byS, byR := pw.threads[[2]string{s, r}], pw.threads[[2]string{r, s}]
	add(inbox.AudienceConversation, byS == inbox.Accepted || byR == inbox.Accepted || byR == inbox.Pending || byR == inbox.Held)
	add(inbox.AudienceFriend, friends(s, r))
	add(inbox.AudienceRecommendedContact, rel("contact", r, s) && !pw.hide[s])
	add(inbox.AudienceRecommendedFacebook, (rel("facebook", r, s) || rel("facebook", s, r)) && !pw.hide[s])
	add(inbox.AudienceFollowed, rel("follow", r, s))
	add(inbox.AudienceFollower, rel("follow", s, r))
	add(inbox.AudienceContact, rel("contact", r, s))
	add(inbox.AudienceReverseContact, rel("contact", s, r))
	add(inbox.AudienceFacebookFriend, rel("facebook", r, s) || rel("facebook", s, r))
	common := false
	for _, f := range pw.names {
		if f != s && f != r && friends(s, f) && friends(f, r) {
			common = true
		}
	}
	add(inbox.AudienceFriendOfFriend, common && !friends(s, r))
	add(inbox.AudienceVerified, pw.verified[s])
	return a
}

// precedenceOrder is the order in which audiences name a decision's
// reason, as the package documentation lists them.
var precedenceOrder = []inbox.Audience{
	inbox.AudienceConversation, inbox.AudienceFriend, inbox.AudienceRecommendedContact,
	inbox.AudienceRecommendedFacebook, inbox.AudienceFollowed, inbox.AudienceFollower,
	inbox.AudienceContact, inbox.AudienceReverseContact, inbox.AudienceFacebookFriend,
	inbox.AudienceFriendOfFriend, inbox.AudienceVerified, inbox.AudienceAnyone,
}

// oldRoute is the routing rule before "everyone else", written
// independently and naively: every sender is in anyone; the most
// permissive route among all of the sender's audiences wins, an unset
// route counting as a deny; the first audience in precedence order with
// that route names the reason.
func oldRoute(t inbox.Table, auds inbox.Audiences) (inbox.Route, inbox.Audience) {
	rank := func(r inbox.Route) int {
		switch r {
		case inbox.RoutePrimary:
			return 2
		case inbox.RouteRequests:
			return 1
		}
		return 0
	}
	best, who := inbox.Deny, inbox.AudienceAnyone
	for _, a := range precedenceOrder {
		in := a == inbox.AudienceAnyone || auds.Has(a)
		if in && rank(t[a]) > rank(best) {
			best, who = t[a], a
		}
	}
	return best, who
}

// oldTikTok is TikTok's routing as it was before "everyone else": the
// package documentation's table, with every audience it does not route
// left unset (a deny under the old rule). The mode's deny reason follows.
func oldTikTok(m inbox.Mode) (inbox.Table, privacy.Reason) {
	var t inbox.Table
	P, R := inbox.RoutePrimary, inbox.RouteRequests
	switch m {
	case inbox.Everyone:
		t[inbox.AudienceConversation], t[inbox.AudienceFriend] = P, P
		t[inbox.AudienceRecommendedContact], t[inbox.AudienceRecommendedFacebook] = P, P
		t[inbox.AudienceFollowed], t[inbox.AudienceAnyone] = P, R
		return t, privacy.ReasonInboxClosed
	case inbox.SuggestedFriends:
		t[inbox.AudienceConversation], t[inbox.AudienceFriend] = P, P
		t[inbox.AudienceRecommendedContact], t[inbox.AudienceRecommendedFacebook] = P, P
		return t, privacy.ReasonNotSuggested
	case inbox.Friends:
		t[inbox.AudienceConversation], t[inbox.AudienceFriend] = P, P
		return t, privacy.ReasonNotFriend
	}
	return t, privacy.ReasonInboxClosed
}

// oldReason is the reason an audience gives when it decides.
var oldReason = map[inbox.Audience]privacy.Reason{
	inbox.AudienceConversation:        privacy.ReasonExistingConversation,
	inbox.AudienceFriend:              privacy.ReasonFriend,
	inbox.AudienceRecommendedContact:  privacy.ReasonRecommendedContact,
	inbox.AudienceRecommendedFacebook: privacy.ReasonRecommendedFacebook,
	inbox.AudienceFollowed:            privacy.ReasonFollowedByRecipient,
	inbox.AudienceAnyone:              privacy.ReasonMessageRequest,
}

var tiktokModes = []inbox.Mode{inbox.Everyone, inbox.SuggestedFriends, inbox.Friends, inbox.NoOne}

// TestTikTokRoutingUnchangedExhaustive: for every set of audiences a
// sender may be in and each of TikTok's four modes, the new rule ("anyone"
// is everyone else) over the preset's tables routes exactly as the old
// rule over the old tables, and names the same audience for an allow.
func TestTikTokRoutingUnchangedExhaustive(t *testing.T) {
	t.Parallel()
	p := privacy.TikTok()
	for _, m := range tiktokModes {
		old, _ := oldTikTok(m)
		for s := inbox.Audiences(0); s < 1<<inbox.NumAudiences; s++ {
			wantR, wantA := oldRoute(old, s)
			gotR, gotA := p.Modes[m].Table.Route(s)
			if gotR != wantR || (gotR != inbox.Deny && gotA != wantA) {
				t.Fatalf("%s, audiences %v: new rule %v by %v, old rule %v by %v", p.ModeName(m), s.List(), gotR, gotA, wantR, wantA)
			}
		}
	}
}

// TestPropertyTikTokRoutingUnchanged: on random worlds, every decision
// the TikTok engine routes (no gate decided first) is the old rule's,
// applied to the sender's audiences computed from the world and the old
// tables, then step 11 (restrict). Explain's audiences must be the
// world's too (the friends-in-common audience aside: TikTok never reads
// it), and Check must agree with Explain.
func TestPropertyTikTokRoutingUnchanged(t *testing.T) {
	t.Parallel()
	routed, allowed := 0, 0
	rapid.Check(t, func(t *rapid.T) {
		p := privacy.TikTok()
		pw := genPresetWorld(t, p, presetAges)
		for _, u := range pw.names { // mostly users TikTok's gates let through
			pw.ages[u] = rapid.SampledFrom([]int{15, 16, 17, 18, 30, 45}).Draw(t, u+".tiktok age")
		}
		g, ib := pw.build(t)
		e, err := privacy.New[string](g, ib, &privacy.Options{Policy: p, Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, r := range pw.names {
			// Each of the four modes in turn, set without validation: the
			// fail-safe maps a mode r's band may not hold to its default,
			// and Explain reports the mode that applied.
			for _, m := range tiktokModes {
				if err := ib.SetSettings(r, inbox.Settings{Mode: m}); err != nil {
					t.Fatal(err)
				}
				for _, s := range pw.names {
					q := privacy.Request[string]{Sender: s, Recipient: r, At: clock}
					x, err := e.Explain(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if d, _ := e.Check(ctx, q); d != x.Decision {
						t.Fatalf("%s→%s: Check %v, Explain %v", s, r, d, x.Decision)
					}
					if x.Audiences == nil {
						continue // a gate (steps 1–4b) decided
					}
					routed++
					auds := pw.audiences(s, r) &^ inbox.AudiencesOf(inbox.AudienceFriendOfFriend)
					var seen inbox.Audiences
					for _, a := range x.Audiences {
						if a != inbox.AudienceAnyone {
							seen |= inbox.AudiencesOf(a)
						}
					}
					if seen != auds {
						t.Fatalf("%s→%s: Explain's audiences %v, the world's %v", s, r, seen.List(), auds.List())
					}
					table, deny := oldTikTok(x.Mode)
					route, who := oldRoute(table, auds)
					want := privacy.Decision{Reason: deny, View: privacy.ViewNotAllowed}
					if route != inbox.Deny {
						want = privacy.Decision{Allowed: true, Folder: route.Folder(), Reason: oldReason[who], View: privacy.ViewAllowed}
					}
					if want.Folder == inbox.Primary && pw.rels[[3]string{"restrict", r, s}] {
						want.Folder, want.Reason = inbox.Requests, privacy.ReasonRestricted
					}
					if x.Decision != want {
						t.Fatalf("%s→%s in %s, audiences %v: engine %v, old rule %v", s, r, p.ModeName(x.Mode), auds.List(), x.Decision, want)
					}
					if want.Allowed {
						allowed++
					}
				}
			}
		}
	})
	// Not vacuous: the worlds reach the routing, and it allows some.
	if routed < 50 || allowed < 10 {
		t.Errorf("only %d decisions routed, %d allowed: the worlds hardly reach the routing", routed, allowed)
	}
	t.Logf("%d decisions routed, %d allowed", routed, allowed)
}

// presetLadders is each preset's modes, tightest first: each looser mode
// routes every sender at least as well as the one before it.
var presetLadders = map[string][]inbox.Mode{
	"tiktok":    {inbox.NoOne, inbox.Friends, inbox.SuggestedFriends, inbox.Everyone},
	"instagram": {inbox.Following, inbox.Everyone},                 // connected ⊆ standard
	"messenger": {inbox.Friends, inbox.Everyone},                   // connected ⊆ standard
	"x":         {inbox.Following, inbox.Verified, inbox.Everyone}, // none ⊆ verified ⊆ everyone
	"bluesky":   {inbox.NoOne, inbox.Following, inbox.Everyone},    // none ⊆ following ⊆ all
	"snapchat":  {inbox.Friends, inbox.FriendsAndContacts, inbox.Everyone},
}

// TestPropertyPresetLadders: under every preset, on random worlds, with
// each recipient's own per-audience routes kept, a sender allowed under a
// tighter mode is allowed under every looser mode the recipient's band may
// hold, and a sender in Primary stays in Primary. (A mode the band may
// not hold is skipped: the fail-safe maps it to the band's default.)
func TestPropertyPresetLadders(t *testing.T) {
	t.Parallel()
	for _, name := range privacy.PresetNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			carried := 0 // allowed senders carried up a rung
			rapid.Check(t, func(t *rapid.T) { carried += checkLadder(t, name) })
			if carried < 20 {
				t.Errorf("only %d allowed senders carried up a rung: the worlds hardly test the ladder", carried)
			}
			t.Logf("%d allowed senders carried up a rung", carried)
		})
	}
}

// checkLadder checks the ladder of one preset on one random world and
// returns how many allowed senders it carried up a rung.
func checkLadder(t *rapid.T, name string) int {
	p, _ := privacy.PolicyByName(name)
	ladder := presetLadders[name]
	pw := genPresetWorld(t, p, presetAges)
	for _, u := range pw.names { // mostly users the age gates let through
		pw.ages[u] = rapid.SampledFrom([]int{12, 13, 15, 16, 17, 18, 30}).Draw(t, u+".ladder age")
	}
	g, ib := pw.build(t)
	e, err := privacy.New[string](g, ib, &privacy.Options{Policy: p, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	carried := 0
	for _, r := range pw.names {
		var prev map[string]privacy.Decision
		var prevMode inbox.Mode
		for _, m := range ladder {
			err := e.ValidateSettingsAt(ctx, r, inbox.Settings{Mode: m}, clock)
			if errors.Is(err, inbox.ErrModeUnavailable) {
				continue
			} else if err != nil {
				t.Fatal(err)
			}
			if err := ib.SetSettings(r, inbox.Settings{Mode: m, Routes: pw.settings[r].Routes}); err != nil {
				t.Fatal(err)
			}
			cur := map[string]privacy.Decision{}
			for _, s := range pw.names {
				d, err := e.CanMessage(ctx, s, r)
				if err != nil {
					t.Fatal(err)
				}
				cur[s] = d
				if prev == nil {
					continue
				}
				was := prev[s]
				if was.Allowed {
					carried++
				}
				if was.Allowed && !d.Allowed {
					t.Fatalf("%s: %s→%s (routes %v) allowed under %s (%v) but not under %s (%v)",
						name, s, r, pw.settings[r].Routes, p.ModeName(prevMode), was, p.ModeName(m), d)
				}
				if was.Folder == inbox.Primary && d.Folder != inbox.Primary {
					t.Fatalf("%s: %s→%s (routes %v) in Primary under %s (%v) but not under %s (%v)",
						name, s, r, pw.settings[r].Routes, p.ModeName(prevMode), was, p.ModeName(m), d)
				}
			}
			prev, prevMode = cur, m
		}
	}
	return carried
}
