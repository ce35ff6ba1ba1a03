package memory

import (
	"context"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"int64", "string"} {
		t.Run(name, func(t *testing.T) {
			s := New[int64]()
			adult := graph.User{Status: graph.Active, Birth: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
			ids := []int64{1, 2, 3, 1 << 40}
			for _, id := range ids {
				if err := s.SetUser(id, adult); err != nil {
					t.Fatal(err)
				}
			}
			must(t, s.Follow(1, 2))
			must(t, s.Follow(2, 1))
			must(t, s.Block(3, 1))
			must(t, s.Follow(1<<40, 1))
			must(t, s.SetContactKey(2, "k2"))
			must(t, s.SyncContacts(1, []graph.ContactKey{"k2", "kx"}))
			p, _ := s.Pair(ctx, 1, 2)
			if want := graph.FollowAB | graph.FollowBA | graph.ContactAB; p.Edges != want {
				t.Errorf("pair 1,2 = %v, want %v", p.Edges, want)
			}
			p, _ = s.Pair(ctx, 1, 3)
			if p.Edges != graph.BlockBA {
				t.Errorf("pair 1,3 = %v", p.Edges)
			}
			p, _ = s.Pair(ctx, 1<<40, 1)
			if p.Edges != graph.FollowAB || p.A != adult {
				t.Errorf("pair big,1 = %+v", p)
			}
			must(t, s.SetSettings(2, inbox.Settings{Mode: inbox.Everyone}))
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			if _, err := s.Deliver(1, 2, inbox.AsRequest, at); err != nil {
				t.Fatal(err)
			}
			f, _ := s.Facts(ctx, inbox.Query[int64]{Sender: 1, Recipient: 2, At: at.Add(time.Hour), Window: 24 * time.Hour})
			if f.Settings.Mode != inbox.Everyone || f.Conversation.State != inbox.Pending || f.Conversation.Starter != 1 || f.PendingRequests != 1 {
				t.Errorf("facts = %+v", f)
			}
			ids2, _, _ := s.Related(ctx, 1, graph.Friends, "", 10, nil)
			if len(ids2) != 1 || ids2[0] != 2 {
				t.Errorf("friends of 1 = %v", ids2)
			}
			// Many followers: the star's in-set goes big.
			for i := int64(100); i < 3100; i++ {
				must(t, s.SetUser(i, adult))
				must(t, s.Follow(i, 1))
			}
			for i := int64(100); i < 3100; i += 7 {
				p, _ := s.Pair(ctx, 1, i)
				if p.Edges != graph.FollowBA {
					t.Fatalf("pair 1,%d = %v", i, p.Edges)
				}
			}
			n, _, _ := s.Related(ctx, 1, graph.Followers, "", 10000, nil)
			if len(n) != 3002 {
				t.Errorf("1 has %d followers", len(n))
			}
			st := s.Stats()
			t.Logf("%+v", st)
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
