package privacy_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// TestPreviewEqualsCanMessage: in a world where no sender has blocks,
// ages, statuses or caps of their own, the preview of u0 counts, under
// each mode, exactly the senders CanMessage lets through with u0 in that
// mode, by folder; and the listing names each related one once, with the
// decision CanMessage gives.
func TestPreviewEqualsCanMessage(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t, genOptions{users: rapid.IntRange(2, 8).Draw(t, "users"), senderNeutral: true})
		r := w.ids[0]
		ctx := context.Background()
		e, err := privacy.New(w.g, w.ib, &privacy.Options{Now: func() time.Time { return genAt }})
		if err != nil {
			t.Fatal(err)
		}
		pv, err := e.PreviewAudience(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if !pv.Conversations {
			t.Fatalf("the embedded inbox lists conversations, but the preview says it did not count them")
		}
		was, _ := w.ib.Settings(ctx, r)
		defer w.ib.SetSettings(r, was)
		for _, mr := range pv.Modes {
			if err := w.ib.SetSettings(r, inbox.Settings{Mode: mr.Mode}); err != nil {
				t.Fatal(err)
			}
			want := privacy.ModeReach{Mode: mr.Mode, Name: mr.Name, Available: mr.Available}
			decided := map[string]privacy.Decision{}
			for _, s := range w.ids {
				d, err := e.CanMessage(ctx, s, r)
				if err != nil {
					t.Fatal(err)
				}
				decided[s] = d
				switch {
				case !d.Allowed:
				case d.Folder == inbox.Primary:
					want.Primary++
				default:
					want.Requests++
				}
			}
			if diff := cmp.Diff(want, mr); diff != "" {
				t.Fatalf("preview of %s under %s mismatch (-CanMessage +preview):\n%s", r, mr.Name, diff)
			}

			// The listing: every related sender who may message r, once,
			// as CanMessage decides; no one else.
			limit := rapid.IntRange(1, 4).Draw(t, "limit")
			listed := map[string]privacy.Reach[string]{}
			var cur graph.Cursor
			for pages := 0; ; pages++ {
				page, next, err := e.ListAudience(ctx, privacy.AudienceQuery[string]{Recipient: r, Mode: mr.Mode, After: cur, Limit: limit}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > limit || pages > 100 {
					t.Fatalf("page of %d for a limit of %d (page %d)", len(page), limit, pages)
				}
				for _, x := range page {
					if _, dup := listed[x.ID]; dup {
						t.Fatalf("%s listed twice", x.ID)
					}
					listed[x.ID] = x
				}
				if cur = next; cur == "" {
					break
				}
			}
			for _, s := range w.ids {
				d := decided[s]
				x, ok := listed[s]
				if ok && (!d.Allowed || d.Folder != x.Folder || d.Reason != x.Reason) {
					t.Fatalf("under %s, %s is listed as %v %v but CanMessage says %v", mr.Name, s, x.Folder, x.Reason, d)
				}
				if !ok && d.Allowed && related(t, w, s, r) {
					t.Fatalf("under %s, %s may message %s (%v) and is related, but is not listed", mr.Name, s, r, d)
				}
			}
		}
	})
}

// related reports whether s is in one of r's own lists, or has a
// conversation with r.
func related(t *rapid.T, w *genWorld, s, r string) bool {
	ctx := context.Background()
	p, _ := w.g.Pair(ctx, s, r)
	c, _ := w.ib.Conversation(ctx, s, r)
	const own = graph.FollowAB | graph.FollowBA | graph.BlockBA | graph.RestrictBA | graph.ContactBA | graph.FacebookAB
	return s != r && (p.Edges&own != 0 || c.Exists())
}

// TestPreviewIgnoresSendersOwnFacts: what a sender has of their own — a
// block of the recipient, their age, a closed account, a full request cap,
// the recipient's number — changes their decision but not the preview.
func TestPreviewIgnoresSendersOwnFacts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	build := func(own bool) privacy.Preview {
		g := memory.New[string]()
		ib := g
		adult := graph.BirthForAge(genAt, 30)
		g.SetUser("r", graph.User{Status: graph.Active, Birth: adult})
		for i := range 5 {
			s := fmt.Sprint("s", i)
			u := graph.User{Status: graph.Active, Birth: adult}
			if own {
				switch i {
				case 0:
					u.Birth = graph.BirthForAge(genAt, 14)
				case 1:
					u.Status = graph.Suspended
				}
			}
			g.SetUser(s, u)
			g.Follow("r", s) // r follows everyone: followed_by_recipient in Everyone
		}
		g.SetContactKey("r", "key-r")
		if own {
			g.Block("s2", "r")
			g.AddContact("s3", "key-r")
			for i := range 25 {
				ib.SetConversation("s4", fmt.Sprint("x", i), inbox.Pending, genAt)
			}
		}
		ib.SetSettings("r", inbox.Settings{Mode: inbox.Everyone})
		e, _ := privacy.New[string](g, ib, &privacy.Options{Now: func() time.Time { return genAt }})
		pv, err := e.PreviewAudience(ctx, "r")
		if err != nil {
			t.Fatal(err)
		}
		return pv
	}
	if diff := cmp.Diff(build(false), build(true)); diff != "" {
		t.Errorf("senders' own facts changed the preview (-without +with):\n%s", diff)
	}
}

func TestPreviewGainAndErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := memory.New[int64]()
	ib := g
	adult := graph.BirthForAge(genAt, 30)
	for i := range int64(10) {
		g.SetUser(i, graph.User{Status: graph.Active, Birth: adult})
	}
	g.Follow(0, 1)
	g.Follow(1, 0) // a friend
	g.Follow(0, 2) // followed
	g.Block(0, 3)  // blocked: never
	e, _ := privacy.New[int64](g, ib, &privacy.Options{Now: func() time.Time { return genAt }})
	pv, err := e.PreviewAudience(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Friends (the adult default): the friend. Everyone: the friend and
	// the followed in Primary, the six strangers as requests.
	if pv.Mode != inbox.Friends || pv.ModeSet {
		t.Errorf("mode %v (set %v), want the default Friends", pv.Mode, pv.ModeSet)
	}
	every, _ := pv.Reach(inbox.Everyone)
	if every.Primary != 2 || every.Requests != 6 || !every.Available {
		t.Errorf("Everyone: %+v", every)
	}
	if got := pv.Gain(inbox.Everyone); got != 7 {
		t.Errorf("Gain(Everyone) = %d, want 7", got)
	}
	if got := pv.Gain(inbox.NoOne); got != -1 {
		t.Errorf("Gain(NoOne) = %d, want -1", got)
	}

	// A host whose graph cannot list relations.
	plain := graph.ReaderFuncs[int64]{UserFunc: g.User, HasEdgeFunc: g.HasEdge}
	e2, _ := privacy.New[int64](plain, ib, nil)
	if _, err := e2.PreviewAudience(ctx, 0); !errors.Is(err, errors.ErrUnsupported) || !errors.Is(err, privacy.ErrNoLister) {
		t.Errorf("without a Lister: %v", err)
	}
	if _, _, err := e.ListAudience(ctx, privacy.AudienceQuery[int64]{Recipient: 0, After: "nonsense"}, nil); !errors.Is(err, graph.ErrBadCursor) {
		t.Errorf("bad cursor: %v", err)
	}
}

// What ana's settings screen can tell her: who could message her under
// each mode, and who they are.
func ExampleEngine_PreviewAudience() {
	g := memory.New[string]()
	ib := g
	adult := graph.User{Status: graph.Active, Birth: time.Date(1995, 6, 1, 0, 0, 0, 0, time.UTC)}
	for _, id := range []string{"ana", "ben", "cy", "dee", "eve", "fay"} {
		g.SetUser(id, adult)
		g.SetContactKey(id, graph.ContactKey("key-"+id))
	}
	g.Follow("ana", "ben")
	g.Follow("ben", "ana")         // a friend
	g.Follow("ana", "cy")          // someone she follows
	g.AddContact("ana", "key-dee") // someone whose number she has
	e, _ := privacy.New[string](g, ib, nil)
	ctx := context.Background()
	pv, _ := e.PreviewAudience(ctx, "ana")
	fmt.Println("now:", pv.Mode)
	for _, m := range pv.Modes {
		fmt.Printf("%-9s %d in chats, %d as requests\n", m.Name, m.Primary, m.Requests)
	}
	fmt.Println("switch to everyone:", pv.Gain(inbox.Everyone), "more")
	who, _, _ := e.ListAudience(ctx, privacy.AudienceQuery[string]{Recipient: "ana", Mode: inbox.SuggestedFriends}, nil)
	for _, r := range who {
		fmt.Println(r.ID, r.Reason)
	}
	// Unordered output:
	// now: friends
	// everyone  3 in chats, 2 as requests
	// suggested 2 in chats, 0 as requests
	// friends   1 in chats, 0 as requests
	// noone     0 in chats, 0 as requests
	// switch to everyone: 4 more
	// ben friend
	// dee recommended_contact
}
