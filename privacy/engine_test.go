package privacy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// TestDefaultsFollowAge checks that a never-set mode follows the
// recipient's age band at decision time, flipping on the 18th birthday,
// while a chosen mode stays.
func TestDefaultsFollowAge(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	birthday := time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC) // R turns 18 in ten days
	w.user("S", 30)
	w.user("R", 0, func(u *graph.User) { u.Birth = graph.BirthForAge(birthday, 18) })
	w.user("C", 0, func(u *graph.User) { u.Birth = graph.BirthForAge(birthday, 18) })
	w.friends("S", "R")
	w.friends("S", "C")
	w.mode("C", inbox.Friends) // chosen at 17: stays at 18
	e := w.engine()
	steps := []struct {
		at    time.Time
		r     string
		want  privacy.Reason
		allow bool
	}{
		{birthday.Add(-time.Second), "R", privacy.ReasonInboxClosed, false},
		{birthday, "R", privacy.ReasonFriend, true},
		{birthday.Add(-time.Second), "C", privacy.ReasonFriend, true},
		{birthday.AddDate(1, 0, 0), "C", privacy.ReasonFriend, true},
	}
	for _, st := range steps {
		d, err := e.Check(context.Background(), privacy.Request[string]{Sender: "S", Recipient: st.r, At: st.at})
		if err != nil {
			t.Fatal(err)
		}
		if d.Reason != st.want || d.Allowed != st.allow {
			t.Errorf("S→%s at %v: got %v, want allowed=%v reason %v", st.r, st.at, d, st.allow, st.want)
		}
	}
}

// TestMinorProtectionFlipsOnBirthday: an adult stranger may not message a
// 17-year-old in Suggested friends who has their number, and may from the
// day they turn 18.
func TestMinorProtectionFlipsOnBirthday(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	birthday := clock.AddDate(0, 2, 0)
	w.user("S", 30)
	w.user("R", 0, func(u *graph.User) { u.Birth = graph.BirthForAge(birthday, 18) })
	w.mode("R", inbox.SuggestedFriends)
	w.contact("R", "S")
	e := w.engine()
	for _, tc := range []struct {
		at   time.Time
		want privacy.Decision
	}{
		{birthday.AddDate(0, 0, -1), denyD(privacy.ReasonMinorProtection, privacy.ViewNotAllowed)},
		{birthday, allowD(inbox.Primary, privacy.ReasonRecommendedContact)},
	} {
		got, err := e.Check(context.Background(), privacy.Request[string]{Sender: "S", Recipient: "R", At: tc.at})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("at %v: mismatch (-want +got):\n%s", tc.at, diff)
		}
	}
}

// failing returns readers over w's stores whose calls fail from the n-th on.
func failing(w *world, n int) (graph.Reader[string], inbox.Reader[string]) {
	calls := 0
	boom := errors.New("store down")
	fail := func() bool { calls++; return calls >= n }
	g := graph.ReaderFuncs[string]{
		UserFunc: func(ctx context.Context, id string) (graph.User, error) {
			if fail() {
				return graph.User{}, boom
			}
			return w.g.User(ctx, id)
		},
		HasEdgeFunc: func(ctx context.Context, k graph.Edge, a, b string) (bool, error) {
			if fail() {
				return false, boom
			}
			return w.g.HasEdge(ctx, k, a, b)
		},
	}
	ib := inbox.ReaderFuncs[string]{
		SettingsFunc: func(ctx context.Context, id string) (inbox.Settings, error) {
			if fail() {
				return inbox.Settings{}, boom
			}
			return w.ib.Settings(ctx, id)
		},
		ConversationFunc: func(ctx context.Context, a, b string) (inbox.Conversation[string], error) {
			if fail() {
				return inbox.Conversation[string]{}, boom
			}
			return w.ib.Conversation(ctx, a, b)
		},
		PendingRequestsFunc: func(ctx context.Context, s string, after, upTo time.Time) (int, error) {
			if fail() {
				return 0, boom
			}
			return w.ib.PendingRequests(ctx, s, after, upTo)
		},
	}
	return g, ib
}

// TestFailClosed makes each read of a decision fail in turn: every failure
// gives the zero Decision and an error that names the store's error.
func TestFailClosed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.user("S", 30)
	w.user("R", 30)
	w.mode("R", inbox.Everyone) // a stranger's request reads every fact, the pending count last
	for n := 1; ; n++ {
		g, ib := failing(w, n)
		e, err := privacy.New(g, ib, &privacy.Options{Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.CanMessage(context.Background(), "S", "R")
		if err == nil {
			if d != allowD(inbox.Requests, privacy.ReasonMessageRequest) {
				t.Fatalf("no failure, got %v", d)
			}
			if n < 14 {
				t.Fatalf("only %d reads: expected the fallback to read 2 users, 9 edges, settings, conversation and the count", n-1)
			}
			return
		}
		if diff := cmp.Diff(privacy.Decision{}, d); diff != "" {
			t.Errorf("read %d failed: decision not the zero deny (-want +got):\n%s", n, diff)
		}
		if err.Error() == "" || !errors.Is(err, err) {
			t.Errorf("read %d: bad error %v", n, err)
		}
	}
}

func TestCancelledContextDenies(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.user("S", 30)
	w.user("R", 30)
	w.friends("S", "R")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d, err := w.engine().CanMessage(ctx, "S", "R")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d != (privacy.Decision{}) {
		t.Errorf("decision = %v, want the zero deny", d)
	}
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if _, err := privacy.New[string](nil, w.ib, nil); !errors.Is(err, privacy.ErrNilReader) {
		t.Errorf("nil graph: err = %v", err)
	}
	p := privacy.TikTok()
	p.Availability.Defaults[graph.Age18Plus] = inbox.Mode(4)
	p.Modes[inbox.NoOne].Name = ""
	if _, err := privacy.New[string](w.g, w.ib, &privacy.Options{Policy: p}); !errors.Is(err, privacy.ErrInvalidPolicy) {
		t.Errorf("default mode not offered: err = %v", err)
	}
	p = privacy.TikTok()
	p.Modes[inbox.Friends].Deny = privacy.ReasonSenderBlockedRecipient
	if _, err := privacy.New[string](w.g, w.ib, &privacy.Options{Policy: p}); !errors.Is(err, privacy.ErrInvalidPolicy) {
		t.Errorf("a deny reason that leaks: err = %v", err)
	}
}

func TestValidateSettings(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.user("teen", 17)
	w.user("adult", 18)
	p := privacy.TikTok()
	p.Availability.Rollout = map[inbox.Mode]*inbox.Cohort{inbox.Everyone: {Allow: []string{"adult"}}}
	e, err := privacy.New[string](w.g, w.ib, &privacy.Options{Policy: p, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		user string
		mode inbox.Mode
		want string // "" for nil
	}{
		{"teen", inbox.SuggestedFriends, ""},
		{"teen", inbox.ModeDefault, ""},
		{"teen", inbox.Everyone, "inbox: mode everyone is not available: users whose age is 16-17 may not choose it"},
		{"adult", inbox.Everyone, ""},
		{"nobody", inbox.Friends, "privacy: validating settings: graph: unknown user: nobody"},
	}
	for _, tc := range tests {
		err := e.ValidateSettings(ctx, tc.user, inbox.Settings{Mode: tc.mode})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("ValidateSettings(%s, %v) = %q, want %q", tc.user, tc.mode, got, tc.want)
		}
	}
	w.user("other", 40)
	err = e.ValidateSettings(ctx, "other", inbox.Settings{Mode: inbox.Everyone})
	if !errors.Is(err, inbox.ErrModeUnavailable) {
		t.Fatalf("outside the cohort: err = %v", err)
	}
	var me *inbox.ModeError
	if !errors.As(err, &me) || me.Mode != inbox.Everyone {
		t.Errorf("err %v is not a *inbox.ModeError naming everyone", err)
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.user("S", 30)
	w.user("R", 30)
	w.mode("R", inbox.SuggestedFriends)
	w.contact("R", "S")
	w.follow("R", "S")
	x, err := w.engine().Explain(context.Background(), privacy.Request[string]{Sender: "S", Recipient: "R"})
	if err != nil {
		t.Fatal(err)
	}
	if x.Decision != allowD(inbox.Primary, privacy.ReasonRecommendedContact) {
		t.Errorf("decision %v", x.Decision)
	}
	// Anyone means everyone else: the sender is in routed audiences.
	want := []inbox.Audience{inbox.AudienceRecommendedContact, inbox.AudienceFollowed, inbox.AudienceContact}
	if diff := cmp.Diff(want, x.Audiences); diff != "" {
		t.Errorf("audiences (-want +got):\n%s", diff)
	}
	var ids []string
	for _, s := range x.Steps {
		ids = append(ids, s.ID)
	}
	wantIDs := []string{"1", "2", "2b", "3", "3b", "3c", "4", "4b", "mode", "route", "route", "route", "route", "11"}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if x.Mode != inbox.SuggestedFriends || !x.ModeSet {
		t.Errorf("mode %v set %v", x.Mode, x.ModeSet)
	}
	// The explained decision is the checked one.
	d, _ := w.engine().CanMessage(context.Background(), "S", "R")
	if d != x.Decision {
		t.Errorf("Explain %v != CanMessage %v", x.Decision, d)
	}
}

// TestCanMessageAllocatesNothing holds the hot path to zero allocations on
// the embedded stores, on every path: friend, request (with the cap's
// count), deny by mode and deny by block.
func TestCanMessageAllocatesNothing(t *testing.T) {
	w := newWorld(t)
	w.user("S", 30)
	w.user("F", 30)
	w.user("R", 30)
	w.user("N", 30)
	w.user("B", 30)
	w.mode("R", inbox.Everyone)
	w.mode("N", inbox.NoOne)
	w.friends("S", "F")
	w.block("B", "S")
	w.pending("S", 5, clock)
	e := w.engine()
	ctx := context.Background()
	for _, r := range []string{"F", "R", "N", "B"} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := e.CanMessage(ctx, "S", r); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("CanMessage(S, %s): %v allocs, want 0", r, allocs)
		}
	}
}

// BenchmarkCanMessageSmallWorld measures a decision on a tiny world, where
// everything is in cache: the engine's own cost. The benchmarks at scale
// are in bench_test.go.
func BenchmarkCanMessageSmallWorld(b *testing.B) {
	w := newWorld(b)
	w.user("S", 30)
	w.user("F", 30)
	w.user("R", 30)
	w.user("N", 30)
	w.user("B", 30)
	w.mode("R", inbox.Everyone)
	w.mode("N", inbox.NoOne)
	w.friends("S", "F")
	w.block("B", "S")
	e := w.engine()
	ctx := context.Background()
	for _, p := range []struct{ name, r string }{{"friend", "F"}, {"request", "R"}, {"deny_mode", "N"}, {"deny_block", "B"}} {
		b.Run("path="+p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.CanMessage(ctx, "S", p.r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
