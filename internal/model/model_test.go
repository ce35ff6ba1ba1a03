package model

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2025, time.June, 15, 12, 0, 0, 0, time.UTC)

func born(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// base is a world of two active adults, s and r, where r chose mode.
func base(mode string) *World {
	w := NewWorld()
	w.SetUser("s", User{Status: "active", Birth: born(1990, 1, 1)})
	w.SetUser("r", User{Status: "active", Birth: born(1991, 1, 1)})
	if mode != "" {
		w.Modes["r"] = mode
	}
	return w
}

// TestDecideRows has one case per row of the decision table, so the model
// itself is checked against the text, not only against the engine.
func TestDecideRows(t *testing.T) {
	t.Parallel()
	follow := func(w *World, a, b string) { w.Follows[[2]string{a, b}] = true }
	tests := []struct {
		name   string
		mode   string
		s      string
		change func(w *World)
		want   string
	}{
		{"1 self", "everyone", "r", nil, "deny self (not_allowed)"},
		{"2 unknown sender", "everyone", "ghost", nil, "deny sender_unavailable (unavailable)"},
		{"2 suspended sender", "everyone", "s", func(w *World) { w.Users["s"] = User{Status: "suspended", Birth: born(1990, 1, 1)} }, "deny sender_unavailable (unavailable)"},
		{"2b sender 15", "everyone", "s", func(w *World) { w.Users["s"] = User{Status: "active", Birth: born(2009, 6, 16)} }, "deny sender_age (age_restricted)"},
		{"2b sender of unknown age", "everyone", "s", func(w *World) { w.Users["s"] = User{Status: "active"} }, "deny sender_age (age_restricted)"},
		{"3 sender blocked recipient", "everyone", "s", func(w *World) { w.Blocks[[2]string{"s", "r"}] = true }, "deny sender_blocked_recipient (you_blocked)"},
		{"3 before 3b", "everyone", "s", func(w *World) {
			w.Blocks[[2]string{"s", "r"}] = true
			w.Users["r"] = User{Status: "deleted", Birth: born(1991, 1, 1)}
		}, "deny sender_blocked_recipient (you_blocked)"},
		{"3b recipient deactivated", "everyone", "s", func(w *World) { w.Users["r"] = User{Status: "deactivated", Birth: born(1991, 1, 1)} }, "deny recipient_unavailable (unavailable)"},
		{"3c recipient blocked sender", "everyone", "s", func(w *World) { w.Blocks[[2]string{"r", "s"}] = true }, "deny blocked_by_recipient (not_allowed)"},
		{"4 recipient 15", "everyone", "s", func(w *World) { w.Users["r"] = User{Status: "active", Birth: born(2009, 6, 16)} }, "deny recipient_age (not_allowed)"},
		{"4 recipient turns 16 today", "suggested", "s", func(w *World) {
			w.Users["s"] = User{Status: "active", Birth: born(2008, 1, 1)}
			w.Users["r"] = User{Status: "active", Birth: born(2009, 6, 15)}
		}, "deny not_suggested (not_allowed)"},
		{"4b adult stranger to 17", "everyone", "s", func(w *World) { w.Users["r"] = User{Status: "active", Birth: born(2008, 1, 1)} }, "deny minor_protection (not_allowed)"},
		{"4b adult friend of 17", "friends", "s", func(w *World) {
			w.Users["r"] = User{Status: "active", Birth: born(2008, 1, 1)}
			follow(w, "s", "r")
			follow(w, "r", "s")
		}, "allow primary friend (allowed)"},
		{"fail-safe: a 17-year-old's everyone counts as no one", "everyone", "s", func(w *World) {
			w.Users["r"] = User{Status: "active", Birth: born(2008, 1, 1)}
			follow(w, "s", "r")
			follow(w, "r", "s")
		}, "deny inbox_closed (not_allowed)"},
		{"fail-safe: a chosen suggested survives the 18th birthday", "suggested", "s", func(w *World) {
			w.Users["r"] = User{Status: "active", Birth: born(2007, 6, 15)}
			follow(w, "r", "s")
		}, "deny not_suggested (not_allowed)"},
		{"4b verified 16-17 a year ago may be 18", "everyone", "s", func(w *World) {
			w.Users["s"] = User{Status: "active", Band: "16-17", BandAsOf: now.AddDate(-1, 0, 0)}
			w.Users["r"] = User{Status: "active", Birth: born(2008, 1, 1)}
		}, "deny minor_protection (not_allowed)"},
		{"5 noone", "noone", "s", func(w *World) { follow(w, "s", "r"); follow(w, "r", "s") }, "deny inbox_closed (not_allowed)"},
		{"5 default under 18 is noone", "", "s", func(w *World) {
			w.Users["s"] = User{Status: "active", Birth: born(2008, 1, 1)}
			w.Users["r"] = User{Status: "active", Birth: born(2008, 1, 1)}
		}, "deny inbox_closed (not_allowed)"},
		{"6 accepted", "friends", "s", func(w *World) { w.Conversations[PairKey("s", "r")] = Conversation{"s", "accepted", now} }, "allow primary existing_conversation (allowed)"},
		{"6 recipient's pending", "friends", "s", func(w *World) { w.Conversations[PairKey("s", "r")] = Conversation{"r", "pending", now} }, "allow primary existing_conversation (allowed)"},
		{"6 not the sender's own pending", "friends", "s", func(w *World) { w.Conversations[PairKey("s", "r")] = Conversation{"s", "pending", now} }, "deny not_friend (not_allowed)"},
		{"6 not a declined one", "friends", "s", func(w *World) { w.Conversations[PairKey("s", "r")] = Conversation{"r", "declined", now} }, "deny not_friend (not_allowed)"},
		{"7 friend", "friends", "s", func(w *World) { follow(w, "s", "r"); follow(w, "r", "s") }, "allow primary friend (allowed)"},
		{"7 default 18+ is friends", "", "s", func(w *World) { follow(w, "s", "r"); follow(w, "r", "s") }, "allow primary friend (allowed)"},
		{"8 follower only", "friends", "s", func(w *World) { follow(w, "s", "r") }, "deny not_friend (not_allowed)"},
		{"9 contact", "suggested", "s", func(w *World) {
			w.Keys["s"] = "ks"
			w.Contacts["r"] = map[string]bool{"ks": true}
		}, "allow primary recommended_contact (allowed)"},
		{"9 contact beats facebook", "everyone", "s", func(w *World) {
			w.Keys["s"] = "ks"
			w.Contacts["r"] = map[string]bool{"ks": true}
			w.Facebook[[2]string{"s", "r"}], w.Facebook[[2]string{"r", "s"}] = true, true
		}, "allow primary recommended_contact (allowed)"},
		{"9 hidden contact, facebook", "suggested", "s", func(w *World) {
			w.Users["s"] = User{Status: "active", Birth: born(1990, 1, 1), HideFromContacts: true}
			w.Keys["s"] = "ks"
			w.Contacts["r"] = map[string]bool{"ks": true}
			w.Facebook[[2]string{"s", "r"}], w.Facebook[[2]string{"r", "s"}] = true, true
		}, "allow primary recommended_facebook (allowed)"},
		{"9b the sender has the recipient's number", "suggested", "s", func(w *World) {
			w.Keys["r"] = "kr"
			w.Contacts["s"] = map[string]bool{"kr": true}
		}, "deny not_suggested (not_allowed)"},
		{"9b hidden from facebook", "suggested", "s", func(w *World) {
			w.Users["s"] = User{Status: "active", Birth: born(1990, 1, 1), HideFromFacebook: true}
			w.Facebook[[2]string{"s", "r"}], w.Facebook[[2]string{"r", "s"}] = true, true
		}, "deny not_suggested (not_allowed)"},
		{"10 followed", "everyone", "s", func(w *World) { follow(w, "r", "s") }, "allow primary followed_by_recipient (allowed)"},
		{"10b stranger", "everyone", "s", nil, "allow requests message_request (allowed)"},
		{"11 restricted friend", "friends", "s", func(w *World) {
			follow(w, "s", "r")
			follow(w, "r", "s")
			w.Restricts[[2]string{"r", "s"}] = true
		}, "allow requests restricted (allowed)"},
		{"11 a restricted stranger is a request", "everyone", "s", func(w *World) { w.Restricts[[2]string{"r", "s"}] = true }, "allow requests message_request (allowed)"},
		{"12 at the cap", "everyone", "s", func(w *World) { w.OtherRequests["s"] = times(20, now.Add(-time.Hour)) }, "deny request_limit (request_limit)"},
		{"12 one under the cap", "everyone", "s", func(w *World) { w.OtherRequests["s"] = times(19, now.Add(-time.Hour)) }, "allow requests message_request (allowed)"},
		{"12 the window is open at now-24h", "everyone", "s", func(w *World) {
			w.OtherRequests["s"] = append(times(19, now), now.Add(-24*time.Hour))
		}, "allow requests message_request (allowed)"},
		{"12 the window is closed at now", "everyone", "s", func(w *World) {
			w.OtherRequests["s"] = append(times(19, now.Add(-time.Hour)), now)
		}, "deny request_limit (request_limit)"},
		{"12 a follow-up takes no slot", "everyone", "s", func(w *World) {
			w.OtherRequests["s"] = times(20, now.Add(-time.Hour))
			w.Conversations[PairKey("s", "r")] = Conversation{"s", "held", now.AddDate(0, -1, 0)}
		}, "allow requests message_request (allowed)"},
		{"12 held ones never count", "everyone", "s", func(w *World) {
			w.OtherRequests["s"] = times(19, now.Add(-time.Hour))
			w.SetUser("x", User{Status: "active", Birth: born(1990, 1, 1)})
			w.Conversations[PairKey("s", "x")] = Conversation{"s", "held", now}
		}, "allow requests message_request (allowed)"},
		{"12 in-world pending ones count", "everyone", "s", func(w *World) {
			w.OtherRequests["s"] = times(19, now.Add(-time.Hour))
			w.SetUser("x", User{Status: "active", Birth: born(1990, 1, 1)})
			w.Conversations[PairKey("s", "x")] = Conversation{"s", "pending", now}
		}, "deny request_limit (request_limit)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := base(tt.mode)
			if tt.change != nil {
				tt.change(w)
			}
			if diff := cmp.Diff(tt.want, Decide(w, tt.s, "r", now).String()); diff != "" {
				t.Errorf("Decide(%s, r) (-want +got):\n%s\nworld:\n%s", tt.s, diff, w)
			}
		})
	}
}

func times(n int, t time.Time) []time.Time {
	ts := make([]time.Time, n)
	for i := range ts {
		ts[i] = t
	}
	return ts
}

// TestAges checks the age arithmetic against hand-computed cases: turning a
// year older on the birthday, 29 February, and verified bands.
func TestAges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		u        User
		at       time.Time
		young    int
		old      int
		wantBand string
	}{
		{"day before 16th birthday", User{Birth: born(2009, 6, 16)}, now, 15, 15, ""},
		{"16th birthday", User{Birth: born(2009, 6, 15)}, now, 16, 16, ""},
		{"birthday in another zone", User{Birth: born(2009, 6, 16)}, time.Date(2025, 6, 16, 1, 0, 0, 0, time.FixedZone("+3", 3*3600)), 15, 15, ""},
		{"leapling on 28 Feb", User{Birth: born(2008, 2, 29)}, born(2025, 2, 28), 16, 16, ""},
		{"leapling on 1 Mar", User{Birth: born(2008, 2, 29)}, born(2025, 3, 1), 17, 17, ""},
		{"unknown", User{}, now, 0, math.MaxInt, ""},
		{"band without date", User{Band: "18+"}, now, 0, math.MaxInt, ""},
		{"band 16-17 today", User{Band: "16-17", BandAsOf: now}, now, 16, 17, ""},
		{"band 16-17 a year ago", User{Band: "16-17", BandAsOf: now.AddDate(-1, 0, 0)}, now, 17, 18, ""},
		{"band 16-17 a year and a day ago", User{Band: "16-17", BandAsOf: now.AddDate(-1, 0, -1)}, now, 17, 19, ""},
		{"band 18+", User{Band: "18+", BandAsOf: now.AddDate(-2, 0, 0)}, now, 20, math.MaxInt, ""},
	}
	for _, tt := range tests {
		y, o := tt.u.Ages(tt.at)
		if y != tt.young || o != tt.old {
			t.Errorf("%s: Ages = %d, %d; want %d, %d", tt.name, y, o, tt.young, tt.old)
		}
		// The graph package computes the same range: the model's arithmetic
		// is its own, so this checks both.
		gu := graph.User{Birth: tt.u.Birth, BandAsOf: tt.u.BandAsOf}
		if tt.u.Band != "" {
			gu.Band, _ = graph.ParseAgeBand(tt.u.Band)
		}
		if gy, gold := gu.AgeRange(tt.at); gy != y || gold != o {
			t.Errorf("%s: graph.User.AgeRange = %d, %d; model %d, %d", tt.name, gy, gold, y, o)
		}
	}
}

// TestBuild checks that a built world answers the graph and inbox reads as
// the model's maps say.
func TestBuild(t *testing.T) {
	t.Parallel()
	w := base("suggested")
	w.SetUser("x", User{Status: "deleted", Band: "13-15", BandAsOf: now})
	w.Follows[[2]string{"s", "r"}] = true
	w.Blocks[[2]string{"x", "s"}] = true
	w.Restricts[[2]string{"r", "x"}] = true
	if err := w.LinkFacebook("r", "x", true); err != nil {
		t.Fatal(err)
	}
	w.Keys["s"], w.Keys["r"] = "ks", "kr"
	w.Contacts["r"] = map[string]bool{"ks": true, "nobody": true}
	w.Conversations[PairKey("s", "x")] = Conversation{"x", "held", now}
	w.OtherRequests["s"] = []time.Time{now, now.Add(-25 * time.Hour)}
	st, err := w.Build()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, a := range w.Names() {
		for _, b := range w.Names() {
			if a == b {
				continue
			}
			p, err := st.Store.Pair(ctx, a, b)
			if err != nil {
				t.Fatal(err)
			}
			var want graph.Edges
			for _, e := range []struct {
				on  bool
				bit graph.Edges
			}{
				{w.Follows[[2]string{a, b}], graph.FollowAB}, {w.Follows[[2]string{b, a}], graph.FollowBA},
				{w.Blocks[[2]string{a, b}], graph.BlockAB}, {w.Blocks[[2]string{b, a}], graph.BlockBA},
				{w.Restricts[[2]string{a, b}], graph.RestrictAB}, {w.Restricts[[2]string{b, a}], graph.RestrictBA},
				{w.HasNumber(a, b), graph.ContactAB}, {w.HasNumber(b, a), graph.ContactBA},
				{w.Facebook[[2]string{a, b}], graph.FacebookAB},
			} {
				if e.on {
					want |= e.bit
				}
			}
			if p.Edges != want {
				t.Errorf("Pair(%s, %s).Edges = %v; want %v", a, b, p.Edges, want)
			}
			c, _ := st.Store.Conversation(ctx, a, b)
			mc := w.Conversations[PairKey(a, b)]
			if c.Starter != mc.Starter || c.State.String() != stateOr(mc.State) || !c.Started.Equal(mc.Started) {
				t.Errorf("Conversation(%s, %s) = %+v; want %+v", a, b, c, mc)
			}
		}
		n, _ := st.Store.PendingRequests(ctx, a, now.Add(-RequestWindow), now)
		if n != w.PendingCount(a, now) {
			t.Errorf("PendingRequests(%s) = %d; model %d", a, n, w.PendingCount(a, now))
		}
	}
	if s, _ := st.Store.Settings(ctx, "r"); s.Mode != inbox.SuggestedFriends {
		t.Errorf("Settings(r) = %v; want suggested", s.Mode)
	}
	if u, _ := st.Store.User(ctx, "x"); u.Status != graph.Deleted || u.Band != graph.Age13to15 {
		t.Errorf("User(x) = %+v", u)
	}
	if w.PendingCount("s", now) != 1 {
		t.Errorf("PendingCount(s) = %d; want 1 (one of two in the window)", w.PendingCount("s", now))
	}
}

func stateOr(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// TestLifecycle follows one request through the model's write methods.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	w := base("everyone")
	steps := []struct {
		name string
		do   func() (string, error)
		want string
	}{
		{"stranger's request", func() (string, error) { d, err := w.Deliver("s", "r", now); return d.String(), err }, "allow requests message_request (allowed)"},
		{"follow-up", func() (string, error) { d, err := w.Deliver("s", "r", now); return d.String(), err }, "allow requests message_request (allowed)"},
		{"reply accepts", func() (string, error) { d, err := w.Deliver("r", "s", now); return d.String(), err }, "allow primary existing_conversation (allowed)"},
		{"now existing", func() (string, error) { d, err := w.Deliver("s", "r", now); return d.String(), err }, "allow primary existing_conversation (allowed)"},
		{"accept without a request", func() (string, error) { return "", w.Accept("r", "s") }, "error"},
		{"self", func() (string, error) { d, err := w.Deliver("s", "s", now); return d.String(), err }, "error"},
		{"everyone for a minor", func() (string, error) {
			w.SetUser("kid", User{Status: "active", Birth: born(2007, 6, 16)})
			return "", w.SetMode("kid", "everyone", now)
		}, "error"},
		{"everyone on the 18th birthday", func() (string, error) { return "", w.SetMode("kid", "everyone", now.AddDate(0, 0, 1)) }, ""},
		{"an unknown mode", func() (string, error) { return "", w.SetMode("r", "Mode(7)", now) }, "error"},
	}
	for _, st := range steps {
		got, err := st.do()
		if err != nil {
			got = "error"
		}
		if got != st.want {
			t.Fatalf("%s: got %q; want %q\nworld:\n%s", st.name, got, st.want, w)
		}
	}
	if c := w.Conversations[PairKey("s", "r")]; c.State != "accepted" || c.Starter != "s" {
		t.Errorf("conversation = %+v; want accepted, started by s", c)
	}
}

// TestFailSafe is privacy/testdata/fail_safe.dm in the model: the model
// reaches the decisions the scenario file expects of the engine, so the two
// agree on the minors' fail-safe.
func TestFailSafe(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	aged := func(years int) User { return User{Status: "active", Birth: birthday(at, years)} }
	w := NewWorld()
	for name, age := range map[string]int{"kim": 30, "ted": 16, "pal": 25, "sam": 16, "con": 30, "str": 30} {
		w.SetUser(name, aged(age))
	}
	w.SetUser("lea", User{Status: "active", Birth: born(2008, 3, 10)})
	for _, name := range []string{"sam", "con"} {
		if err := w.SetKey(name, "key-"+name); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.SyncContacts("lea", []string{"key-sam", "key-con"}); err != nil {
		t.Fatal(err)
	}
	w.Follows[[2]string{"kim", "pal"}] = true
	w.Follows[[2]string{"pal", "kim"}] = true
	for user, mode := range map[string]string{"kim": "everyone", "lea": "suggested"} {
		if err := w.SetMode(user, mode, at); err != nil {
			t.Fatalf("%s chooses %s: %v", user, mode, err)
		}
	}
	check := func(when string, at time.Time, want map[[2]string]string) {
		t.Helper()
		got := map[[2]string]string{}
		for p := range want {
			got[p] = Decide(w, p[0], p[1], at).String()
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", when, diff)
		}
	}
	check("kim at 30, in Everyone", at, map[[2]string]string{
		{"ted", "kim"}: "allow requests message_request (allowed)",
		{"pal", "kim"}: "allow primary friend (allowed)",
	})
	w.SetUser("kim", aged(17)) // the birth date corrected
	check("kim at 17, Everyone stored", at, map[[2]string]string{
		{"ted", "kim"}: "deny inbox_closed (not_allowed)",
		{"pal", "kim"}: "deny inbox_closed (not_allowed)",
	})
	check("lea at 17, in Suggested", at, map[[2]string]string{
		{"sam", "lea"}: "allow primary recommended_contact (allowed)",
		{"con", "lea"}: "deny minor_protection (not_allowed)",
		{"str", "lea"}: "deny minor_protection (not_allowed)",
	})
	check("lea at 18, still in Suggested", at.AddDate(0, 0, 9), map[[2]string]string{
		{"con", "lea"}: "allow primary recommended_contact (allowed)",
		{"sam", "lea"}: "allow primary recommended_contact (allowed)",
		{"str", "lea"}: "deny not_suggested (not_allowed)",
	})
}
