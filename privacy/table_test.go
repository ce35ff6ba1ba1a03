package privacy_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

var clock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// world is a small world on the embedded stores, for table tests.
type world struct {
	t  testing.TB
	g  *memory.Store[string]
	ib *memory.Store[string]
}

func newWorld(t testing.TB) *world {
	s := memory.New[string]()
	return &world{t: t, g: s, ib: s}
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// user adds an active user of the given age (0: unknown age) with a contact key.
func (w *world) user(name string, age int, edit ...func(*graph.User)) {
	w.t.Helper()
	u := graph.User{Status: graph.Active}
	if age > 0 {
		u.Birth = graph.BirthForAge(clock, age)
	}
	for _, f := range edit {
		f(&u)
	}
	w.must(w.g.SetUser(name, u))
	w.must(w.g.SetContactKey(name, graph.ContactKey("key-"+name)))
}

func (w *world) mode(name string, m inbox.Mode) {
	w.must(w.ib.SetSettings(name, inbox.Settings{Mode: m}))
}
func (w *world) follow(a, b string)   { w.must(w.g.Follow(a, b)) }
func (w *world) friends(a, b string)  { w.follow(a, b); w.follow(b, a) }
func (w *world) block(a, b string)    { w.must(w.g.Block(a, b)) }
func (w *world) restrict(a, b string) { w.must(w.g.Restrict(a, b)) }
func (w *world) facebook(a, b string) { w.must(w.g.LinkFacebook(a, b)) }

// contact records that a has b's number.
func (w *world) contact(a, b string) { w.must(w.g.AddContact(a, graph.ContactKey("key-"+b))) }

func (w *world) thread(from, to string, s inbox.State, at time.Time) {
	w.must(w.ib.SetConversation(from, to, s, at))
}

// pending gives sender n pending requests to strangers, started at at.
func (w *world) pending(sender string, n int, at time.Time) {
	for i := range n {
		w.thread(sender, fmt.Sprintf("%s-req-%d", sender, i), inbox.Pending, at)
	}
}

func (w *world) engine() *privacy.Engine[string] {
	w.t.Helper()
	e, err := privacy.New[string](w.g, w.ib, &privacy.Options{Now: func() time.Time { return clock }})
	w.must(err)
	return e
}

func hidden(f func(*graph.User)) func(*graph.User) { return f }

var (
	hideContacts = hidden(func(u *graph.User) { u.HideFromContacts = true })
	hideFacebook = hidden(func(u *graph.User) { u.HideFromFacebook = true })
	status       = func(s graph.Status) func(*graph.User) { return func(u *graph.User) { u.Status = s } }
)

func allowD(f inbox.Folder, r privacy.Reason) privacy.Decision {
	return privacy.Decision{Allowed: true, Folder: f, Reason: r, View: privacy.ViewAllowed}
}

func denyD(r privacy.Reason, v privacy.View) privacy.Decision {
	return privacy.Decision{Reason: r, View: v}
}

// TestDecisionTable has one case (or more) per row of the decision table in
// the package documentation, under the TikTok preset. S is the sender, R the recipient; both
// are adults with R in mode Everyone unless the case says otherwise.
func TestDecisionTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(w *world)
		s, r  string
		want  privacy.Decision
	}{
		{name: "1 self", s: "R", r: "R", setup: func(w *world) { w.friends("S", "R") },
			want: denyD(privacy.ReasonSelf, privacy.ViewNotAllowed)},
		{name: "2 sender unknown", s: "nobody", r: "R",
			want: denyD(privacy.ReasonSenderUnavailable, privacy.ViewUnavailable)},
		{name: "2 sender deactivated", s: "S", r: "R", setup: func(w *world) { w.user("S", 30, status(graph.Deactivated)); w.friends("S", "R") },
			want: denyD(privacy.ReasonSenderUnavailable, privacy.ViewUnavailable)},
		{name: "2 sender suspended", s: "S", r: "R", setup: func(w *world) { w.user("S", 30, status(graph.Suspended)) },
			want: denyD(privacy.ReasonSenderUnavailable, privacy.ViewUnavailable)},
		{name: "2 sender deleted, even to a blocked recipient", s: "S", r: "R", setup: func(w *world) { w.user("S", 30, status(graph.Deleted)); w.block("R", "S") },
			want: denyD(privacy.ReasonSenderUnavailable, privacy.ViewUnavailable)},
		{name: "2b sender 15", s: "S", r: "R", setup: func(w *world) { w.user("S", 15); w.friends("S", "R") },
			want: denyD(privacy.ReasonSenderAge, privacy.ViewAgeRestricted)},
		{name: "2b sender of unknown age", s: "S", r: "R", setup: func(w *world) { w.user("S", 0); w.friends("S", "R") },
			want: denyD(privacy.ReasonSenderAge, privacy.ViewAgeRestricted)},
		{name: "2b sender turns 16 tomorrow", s: "S", r: "R", setup: func(w *world) {
			w.user("S", 0, func(u *graph.User) { u.Birth = graph.BirthForAge(clock.AddDate(0, 0, 1), 16) })
			w.friends("S", "R")
		}, want: denyD(privacy.ReasonSenderAge, privacy.ViewAgeRestricted)},
		{name: "2b sender turned 16 today", s: "S", r: "R", setup: func(w *world) { w.user("S", 16); w.friends("S", "R") },
			want: allowD(inbox.Primary, privacy.ReasonFriend)},
		{name: "3 sender blocked recipient, even a friend", s: "S", r: "R", setup: func(w *world) { w.friends("S", "R"); w.block("S", "R") },
			want: denyD(privacy.ReasonSenderBlockedRecipient, privacy.ViewYouBlocked)},
		{name: "3 before 3b: sender blocked a suspended recipient", s: "S", r: "R", setup: func(w *world) { w.user("R", 30, status(graph.Suspended)); w.block("S", "R") },
			want: denyD(privacy.ReasonSenderBlockedRecipient, privacy.ViewYouBlocked)},
		{name: "3b recipient unknown", s: "S", r: "nobody",
			want: denyD(privacy.ReasonRecipientUnavailable, privacy.ViewUnavailable)},
		{name: "3b recipient suspended", s: "S", r: "R", setup: func(w *world) { w.user("R", 30, status(graph.Suspended)); w.friends("S", "R") },
			want: denyD(privacy.ReasonRecipientUnavailable, privacy.ViewUnavailable)},
		{name: "3b before 3c: deactivated recipient who blocked the sender", s: "S", r: "R", setup: func(w *world) { w.user("R", 30, status(graph.Deactivated)); w.block("R", "S") },
			want: denyD(privacy.ReasonRecipientUnavailable, privacy.ViewUnavailable)},
		{name: "3c recipient blocked sender, despite friendship and a thread", s: "S", r: "R", setup: func(w *world) {
			w.friends("S", "R")
			w.thread("S", "R", inbox.Accepted, clock.AddDate(0, -1, 0))
			w.block("R", "S")
		}, want: denyD(privacy.ReasonBlockedByRecipient, privacy.ViewNotAllowed)},
		{name: "4 recipient 15", s: "S", r: "R", setup: func(w *world) { w.user("R", 15); w.friends("S", "R") },
			want: denyD(privacy.ReasonRecipientAge, privacy.ViewNotAllowed)},
		{name: "4 recipient of unknown age", s: "S", r: "R", setup: func(w *world) { w.user("R", 0); w.mode("R", inbox.Everyone) },
			want: denyD(privacy.ReasonRecipientAge, privacy.ViewNotAllowed)},
		{name: "4b adult to a 17-year-old who has their number", s: "S", r: "R", setup: func(w *world) {
			w.user("R", 17)
			w.mode("R", inbox.SuggestedFriends)
			w.contact("R", "S")
			w.follow("R", "S")
		}, want: denyD(privacy.ReasonMinorProtection, privacy.ViewNotAllowed)},
		{name: "4b adult with an accepted thread to a 17-year-old", s: "S", r: "R", setup: func(w *world) {
			w.user("R", 17)
			w.mode("R", inbox.Friends)
			w.thread("R", "S", inbox.Accepted, clock.AddDate(0, -1, 0))
		}, want: denyD(privacy.ReasonMinorProtection, privacy.ViewNotAllowed)},
		{name: "4b not when they are friends", s: "S", r: "R", setup: func(w *world) { w.user("R", 17); w.mode("R", inbox.Friends); w.friends("S", "R") },
			want: allowD(inbox.Primary, privacy.ReasonFriend)},
		{name: "4b not between minors", s: "S", r: "R", setup: func(w *world) {
			w.user("S", 16)
			w.user("R", 17)
			w.mode("R", inbox.SuggestedFriends)
			w.contact("R", "S")
		}, want: allowD(inbox.Primary, privacy.ReasonRecommendedContact)},
		{name: "4b a verified 16-17 band counts as a possible adult sender", s: "S", r: "R", setup: func(w *world) {
			w.user("S", 0, func(u *graph.User) { u.Band, u.BandAsOf = graph.Age16to17, clock.AddDate(-1, 0, 0) })
			w.user("R", 17)
			w.mode("R", inbox.SuggestedFriends)
			w.contact("R", "S")
		}, want: denyD(privacy.ReasonMinorProtection, privacy.ViewNotAllowed)},
		{name: "5 no one, even a friend", s: "S", r: "R", setup: func(w *world) { w.mode("R", inbox.NoOne); w.friends("S", "R") },
			want: denyD(privacy.ReasonInboxClosed, privacy.ViewNotAllowed)},
		{name: "5 no one stops an accepted thread", s: "S", r: "R", setup: func(w *world) {
			w.mode("R", inbox.NoOne)
			w.thread("S", "R", inbox.Accepted, clock.AddDate(0, -1, 0))
		}, want: denyD(privacy.ReasonInboxClosed, privacy.ViewNotAllowed)},
		{name: "5 a minor's never-set mode is no one", s: "S", r: "R", setup: func(w *world) {
			w.user("S", 17)
			w.user("R", 17)
			w.mode("R", inbox.ModeDefault)
			w.friends("S", "R")
		},
			want: denyD(privacy.ReasonInboxClosed, privacy.ViewNotAllowed)},
		{name: "6 accepted thread beats friends-only", s: "S", r: "R", setup: func(w *world) {
			w.mode("R", inbox.Friends)
			w.thread("S", "R", inbox.Accepted, clock.AddDate(0, -1, 0))
		}, want: allowD(inbox.Primary, privacy.ReasonExistingConversation)},
		{name: "6 before 7: an accepted thread between friends", s: "S", r: "R", setup: func(w *world) {
			w.friends("S", "R")
			w.thread("S", "R", inbox.Accepted, clock.AddDate(0, -1, 0))
		}, want: allowD(inbox.Primary, privacy.ReasonExistingConversation)},
		{name: "6 the recipient's own pending request", s: "S", r: "R", setup: func(w *world) {
			w.mode("R", inbox.Friends)
			w.thread("R", "S", inbox.Pending, clock.Add(-time.Hour))
		}, want: allowD(inbox.Primary, privacy.ReasonExistingConversation)},
		{name: "6 the recipient's held delivery", s: "S", r: "R", setup: func(w *world) {
			w.mode("R", inbox.Friends)
			w.thread("R", "S", inbox.Held, clock.Add(-time.Hour))
		}, want: allowD(inbox.Primary, privacy.ReasonExistingConversation)},
		{name: "6 not the recipient's declined thread", s: "S", r: "R", setup: func(w *world) {
			w.mode("R", inbox.Friends)
			w.thread("R", "S", inbox.Declined, clock.Add(-time.Hour))
		}, want: denyD(privacy.ReasonNotFriend, privacy.ViewNotAllowed)},
		{name: "6 not the sender's own pending request", s: "S", r: "R", setup: func(w *world) {
			w.mode("R", inbox.Friends)
			w.thread("S", "R", inbox.Pending, clock.Add(-time.Hour))
		}, want: denyD(privacy.ReasonNotFriend, privacy.ViewNotAllowed)},
		{name: "7 friends", s: "S", r: "R", setup: func(w *world) { w.mode("R", inbox.Friends); w.friends("S", "R") },
			want: allowD(inbox.Primary, privacy.ReasonFriend)},
		{name: "7 an adult's never-set mode is friends", s: "S", r: "R", setup: func(w *world) { w.user("R", 18); w.mode("R", inbox.ModeDefault); w.friends("S", "R") },
			want: allowD(inbox.Primary, privacy.ReasonFriend)},
		{name: "8 friends mode: followed by the recipient is not enough", s: "S", r: "R", setup: func(w *world) { w.mode("R", inbox.Friends); w.follow("R", "S") },
			want: denyD(privacy.ReasonNotFriend, privacy.ViewNotAllowed)},
		{name: "8 friends mode: a contact is not enough", s: "S", r: "R", setup: func(w *world) { w.mode("R", inbox.Friends); w.contact("R", "S") },
			want: denyD(privacy.ReasonNotFriend, privacy.ViewNotAllowed)},
		{name: "8 an adult's never-set mode denies a stranger", s: "S", r: "R", setup: func(w *world) { w.mode("R", inbox.ModeDefault) },
			want: denyD(privacy.ReasonNotFriend, privacy.ViewNotAllowed)},
		{name: "9 suggested: the recipient has the sender's number", s: "S", r: "R", setup: func(w *world) { w.mode("R", inbox.SuggestedFriends); w.contact("R", "S") },
			want: allowD(inbox.Primary, privacy.ReasonRecommendedContact)},
		{name: "9 suggested: Facebook friends", s: "S", r: "R", setup: func(w *world) { w.mode("R", inbox.SuggestedFriends); w.facebook("R", "S") },
			want: allowD(inbox.Primary, privacy.ReasonRecommendedFacebook)},
		{name: "9 contact is the reason when both hold", s: "S", r: "R", setup: func(w *world) {
			w.mode("R", inbox.SuggestedFriends)
			w.facebook("R", "S")
			w.contact("R", "S")
		}, want: allowD(inbox.Primary, privacy.ReasonRecommendedContact)},
		{name: "9 a sender hidden from contacts is suggested through Facebook", s: "S", r: "R", setup: func(w *world) {
			w.user("S", 30, hideContacts)
			w.mode("R", inbox.SuggestedFriends)
			w.facebook("R", "S")
			w.contact("R", "S")
		}, want: allowD(inbox.Primary, privacy.ReasonRecommendedFacebook)},
		{name: "9 everyone: recommended comes before followed", s: "S", r: "R", setup: func(w *world) {
			w.contact("R", "S")
			w.follow("R", "S")
		}, want: allowD(inbox.Primary, privacy.ReasonRecommendedContact)},
		{name: "9b suggested: a stranger", s: "S", r: "R", setup: func(w *world) { w.mode("R", inbox.SuggestedFriends) },
			want: denyD(privacy.ReasonNotSuggested, privacy.ViewNotAllowed)},
		{name: "9b suggested: the sender has the recipient's number (wrong direction)", s: "S", r: "R", setup: func(w *world) {
			w.mode("R", inbox.SuggestedFriends)
			w.contact("S", "R")
		}, want: denyD(privacy.ReasonNotSuggested, privacy.ViewNotAllowed)},
		{name: "9b suggested: a contact who hides from contacts", s: "S", r: "R", setup: func(w *world) {
			w.user("S", 30, hideContacts)
			w.mode("R", inbox.SuggestedFriends)
			w.contact("R", "S")
		}, want: denyD(privacy.ReasonNotSuggested, privacy.ViewNotAllowed)},
		{name: "9b suggested: a Facebook friend who hides from Facebook", s: "S", r: "R", setup: func(w *world) {
			w.user("S", 30, hideFacebook)
			w.mode("R", inbox.SuggestedFriends)
			w.facebook("R", "S")
		}, want: denyD(privacy.ReasonNotSuggested, privacy.ViewNotAllowed)},
		{name: "9b suggested: followed by the recipient", s: "S", r: "R", setup: func(w *world) { w.mode("R", inbox.SuggestedFriends); w.follow("R", "S") },
			want: denyD(privacy.ReasonNotSuggested, privacy.ViewNotAllowed)},
		{name: "10 everyone: the recipient follows the sender", s: "S", r: "R", setup: func(w *world) { w.follow("R", "S") },
			want: allowD(inbox.Primary, privacy.ReasonFollowedByRecipient)},
		{name: "10b everyone: a stranger", s: "S", r: "R",
			want: allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{name: "10b everyone: a follower is a stranger", s: "S", r: "R", setup: func(w *world) { w.follow("S", "R") },
			want: allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{name: "11 restricted friend goes to requests", s: "S", r: "R", setup: func(w *world) { w.friends("S", "R"); w.restrict("R", "S") },
			want: allowD(inbox.Requests, privacy.ReasonRestricted)},
		{name: "11 restricted, in an accepted thread", s: "S", r: "R", setup: func(w *world) {
			w.mode("R", inbox.Friends)
			w.thread("S", "R", inbox.Accepted, clock.AddDate(0, -1, 0))
			w.restrict("R", "S")
		}, want: allowD(inbox.Requests, privacy.ReasonRestricted)},
		{name: "11 a restricted stranger stays a message request", s: "S", r: "R", setup: func(w *world) { w.restrict("R", "S") },
			want: allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{name: "11 the sender's own restriction changes nothing", s: "S", r: "R", setup: func(w *world) { w.friends("S", "R"); w.restrict("S", "R") },
			want: allowD(inbox.Primary, privacy.ReasonFriend)},
		{name: "11 restriction does not open a closed inbox", s: "S", r: "R", setup: func(w *world) { w.mode("R", inbox.Friends); w.restrict("R", "S") },
			want: denyD(privacy.ReasonNotFriend, privacy.ViewNotAllowed)},
		{name: "12 at the cap", s: "S", r: "R", setup: func(w *world) { w.pending("S", 20, clock.Add(-time.Hour)) },
			want: denyD(privacy.ReasonRequestLimit, privacy.ViewRequestLimit)},
		{name: "12 one below the cap", s: "S", r: "R", setup: func(w *world) { w.pending("S", 19, clock.Add(-time.Hour)) },
			want: allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{name: "12 requests started exactly 24h ago are outside the window", s: "S", r: "R", setup: func(w *world) { w.pending("S", 20, clock.Add(-24*time.Hour)) },
			want: allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{name: "12 requests started 24h minus a second ago count", s: "S", r: "R", setup: func(w *world) { w.pending("S", 20, clock.Add(-24*time.Hour+time.Second)) },
			want: denyD(privacy.ReasonRequestLimit, privacy.ViewRequestLimit)},
		{name: "12 requests started now count", s: "S", r: "R", setup: func(w *world) { w.pending("S", 20, clock) },
			want: denyD(privacy.ReasonRequestLimit, privacy.ViewRequestLimit)},
		{name: "12 held deliveries never count", s: "S", r: "R", setup: func(w *world) {
			for i := range 25 {
				w.thread("S", fmt.Sprint("held-", i), inbox.Held, clock.Add(-time.Hour))
			}
		}, want: allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{name: "12 accepted and declined requests never count", s: "S", r: "R", setup: func(w *world) {
			for i := range 25 {
				w.thread("S", fmt.Sprint("a-", i), inbox.Accepted, clock.Add(-time.Hour))
				w.thread("S", fmt.Sprint("d-", i), inbox.Declined, clock.Add(-time.Hour))
			}
		}, want: allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{name: "12 a follow-up in the sender's own pending thread takes no slot", s: "S", r: "R", setup: func(w *world) {
			w.pending("S", 20, clock.Add(-time.Hour))
			w.thread("S", "R", inbox.Pending, clock.AddDate(0, 0, -5))
		}, want: allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{name: "12 a follow-up in the sender's own held thread takes no slot", s: "S", r: "R", setup: func(w *world) {
			w.pending("S", 20, clock.Add(-time.Hour))
			w.thread("S", "R", inbox.Held, clock.Add(-time.Hour))
		}, want: allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{name: "12 after a declined request the sender needs a new slot", s: "S", r: "R", setup: func(w *world) {
			w.pending("S", 20, clock.Add(-time.Hour))
			w.thread("S", "R", inbox.Declined, clock.Add(-time.Hour))
		}, want: denyD(privacy.ReasonRequestLimit, privacy.ViewRequestLimit)},
		{name: "12 the cap does not touch primary deliveries", s: "S", r: "R", setup: func(w *world) { w.pending("S", 30, clock); w.follow("R", "S") },
			want: allowD(inbox.Primary, privacy.ReasonFollowedByRecipient)},
		{name: "12 the cap does not touch restricted deliveries", s: "S", r: "R", setup: func(w *world) {
			w.pending("S", 30, clock)
			w.friends("S", "R")
			w.restrict("R", "S")
		}, want: allowD(inbox.Requests, privacy.ReasonRestricted)},
		{name: "12 a restricted stranger at the cap sees the same limit", s: "S", r: "R", setup: func(w *world) { w.pending("S", 20, clock); w.restrict("R", "S") },
			want: denyD(privacy.ReasonRequestLimit, privacy.ViewRequestLimit)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.user("S", 30)
			w.user("R", 30)
			w.mode("R", inbox.Everyone)
			if tc.setup != nil {
				tc.setup(w)
			}
			got, err := w.engine().CanMessage(context.Background(), tc.s, tc.r)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CanMessage(%s, %s) mismatch (-want +got):\n%s", tc.s, tc.r, diff)
			}
		})
	}
}

// TestRoutingTable checks every mode × audience cell of TikTok's routing
// tables in the package documentation, each audience alone.
func TestRoutingTable(t *testing.T) {
	t.Parallel()
	audiences := []struct {
		name  string
		setup func(w *world)
	}{
		{"friend", func(w *world) { w.friends("S", "R") }},
		{"followed", func(w *world) { w.follow("R", "S") }},
		{"recommended contact", func(w *world) { w.contact("R", "S") }},
		{"recommended facebook", func(w *world) { w.facebook("R", "S") }},
		{"conversation", func(w *world) { w.thread("S", "R", inbox.Accepted, clock.AddDate(0, -1, 0)) }},
		{"anyone", func(w *world) {}},
	}
	P, Q := inbox.Primary, inbox.Requests
	reasons := []privacy.Reason{privacy.ReasonFriend, privacy.ReasonFollowedByRecipient, privacy.ReasonRecommendedContact,
		privacy.ReasonRecommendedFacebook, privacy.ReasonExistingConversation, privacy.ReasonMessageRequest}
	table := []struct {
		mode    inbox.Mode
		folders []inbox.Folder // per audience above; NoFolder = deny
		deny    privacy.Reason
	}{
		{inbox.Everyone, []inbox.Folder{P, P, P, P, P, Q}, 0},
		{inbox.SuggestedFriends, []inbox.Folder{P, 0, P, P, P, 0}, privacy.ReasonNotSuggested},
		{inbox.Friends, []inbox.Folder{P, 0, 0, 0, P, 0}, privacy.ReasonNotFriend},
		{inbox.NoOne, []inbox.Folder{0, 0, 0, 0, 0, 0}, privacy.ReasonInboxClosed},
	}
	for _, row := range table {
		for i, aud := range audiences {
			t.Run(row.mode.String()+"/"+aud.name, func(t *testing.T) {
				t.Parallel()
				w := newWorld(t)
				w.user("S", 30)
				w.user("R", 30)
				w.mode("R", row.mode)
				aud.setup(w)
				want := denyD(row.deny, privacy.ViewNotAllowed)
				if f := row.folders[i]; f != inbox.NoFolder {
					want = allowD(f, reasons[i])
				}
				got, err := w.engine().CanMessage(context.Background(), "S", "R")
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("mode %v, audience %s: mismatch (-want +got):\n%s", row.mode, aud.name, diff)
				}
			})
		}
	}
}
