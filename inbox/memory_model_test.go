package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// inboxModel is a naive inbox: a map of settings and a map of threads by
// unordered pair, scanned in full on every read.
type inboxModel struct {
	settings map[string]inbox.Settings
	threads  map[[2]string]inbox.Conversation[string]
}

func pairKey(a, b string) [2]string {
	if b < a {
		a, b = b, a
	}
	return [2]string{a, b}
}

func (m *inboxModel) pending(s string, after, upTo time.Time) int {
	n := 0
	for _, c := range m.threads {
		if c.Starter == s && c.State == inbox.Pending && c.Started.After(after) && !c.Started.After(upTo) {
			n++
		}
	}
	return n
}

var mt0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestMemoryAgainstModel(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		m := inbox.NewMemory[string]()
		mod := &inboxModel{settings: map[string]inbox.Settings{}, threads: map[[2]string]inbox.Conversation[string]{}}
		ids := []string{"a", "b", "c", "d", "e"}
		id := rapid.SampledFrom(ids)
		at := rapid.Custom(func(t *rapid.T) time.Time {
			return mt0.Add(time.Duration(rapid.IntRange(-40, 10).Draw(t, "hours")) * time.Hour)
		})
		// The graph side of the joined reader: a fixed stand-in, so that
		// its facts show where they come from.
		g := graph.ReaderFuncs[string]{
			UserFunc: func(_ context.Context, id string) (graph.User, error) {
				return graph.User{Status: graph.Active, Verified: id == "a"}, nil
			},
			HasEdgeFunc: func(_ context.Context, k graph.Edge, a, b string) (bool, error) {
				return k == graph.Follow && a < b, nil
			},
		}
		joined := m.Join(g)
		// And over the embedded graph, whose joined read is arranged
		// differently.
		gm := graph.NewMemory[string]()
		for _, x := range ids {
			gm.SetUser(x, graph.User{Status: graph.Active, Verified: x == "b"})
		}
		gm.Follow("a", "b")
		gm.Block("c", "a")
		joinedMem := m.Join(gm)
		t.Repeat(map[string]func(*rapid.T){
			"SetSettings": func(t *rapid.T) {
				x := id.Draw(t, "id")
				// Whole settings, now and then with an undefined mode,
				// group mode or route, which must be refused with the
				// stored settings kept.
				s := inbox.Settings{
					Mode:   inbox.Mode(rapid.IntRange(0, inbox.NumModes).Draw(t, "mode")),
					Groups: inbox.Mode(rapid.IntRange(0, inbox.NumModes).Draw(t, "groups")),
				}
				for range rapid.IntRange(0, 3).Draw(t, "overrides") {
					a := inbox.Audience(rapid.IntRange(0, inbox.NumAudiences-1).Draw(t, "audience"))
					s.Routes = s.Routes.Set(a, inbox.Route(rapid.IntRange(0, 3).Draw(t, "route")))
				}
				valid := s.Mode.Valid() && s.Groups.Valid()
				for _, a := range s.Routes.Audiences().List() {
					r, _ := s.Routes.Get(a)
					valid = valid && r <= inbox.RoutePrimary
				}
				err := m.SetSettings(x, s)
				if valid != (err == nil) {
					t.Fatalf("SetSettings(%s, %+v) = %v", x, s, err)
				}
				if err != nil {
					if !errors.Is(err, inbox.ErrInvalidMode) && !errors.Is(err, inbox.ErrInvalidRoute) {
						t.Fatalf("SetSettings(%s, %+v) = %v, want ErrInvalidMode or ErrInvalidRoute", x, s, err)
					}
					return
				}
				mod.settings[x] = s
			},
			"SetConversation": func(t *rapid.T) {
				a, b := id.Draw(t, "a"), id.Draw(t, "b")
				s := inbox.State(rapid.IntRange(1, 4).Draw(t, "state"))
				when := at.Draw(t, "at")
				err := m.SetConversation(a, b, s, when)
				if (err == nil) != (a != b) {
					t.Fatalf("SetConversation(%s, %s) = %v", a, b, err)
				}
				if a != b {
					mod.threads[pairKey(a, b)] = inbox.Conversation[string]{Starter: a, State: s, Started: when}
				}
			},
			"Deliver": func(t *rapid.T) {
				a, b := id.Draw(t, "a"), id.Draw(t, "b")
				d := inbox.Delivery(rapid.IntRange(0, 3).Draw(t, "delivery"))
				when := at.Draw(t, "at")
				got, err := m.Deliver(a, b, d, when)
				if a == b {
					if err == nil {
						t.Fatalf("Deliver to oneself")
					}
					return
				}
				want := inbox.Next(mod.threads[pairKey(a, b)], a, d, when)
				if err != nil || got != want {
					t.Fatalf("Deliver(%s, %s, %v) = %v, %v; want %v", a, b, d, got, err, want)
				}
				if want.Exists() {
					mod.threads[pairKey(a, b)] = want
				}
			},
			"Answer": func(t *rapid.T) {
				r, s, accept := id.Draw(t, "recipient"), id.Draw(t, "sender"), rapid.Bool().Draw(t, "accept")
				var err error
				if accept {
					err = m.Accept(r, s)
				} else {
					err = m.Decline(r, s)
				}
				c, ok := mod.threads[pairKey(r, s)]
				can := ok && r != s && c.Starter == s && (c.State == inbox.Pending || c.State == inbox.Held)
				if (err == nil) != can {
					t.Fatalf("answer(%s, %s) = %v, want success %v", r, s, err, can)
				}
				if can {
					c.State = inbox.Declined
					if accept {
						c.State = inbox.Accepted
					}
					mod.threads[pairKey(r, s)] = c
				}
			},
			"": func(t *rapid.T) {
				ctx := context.Background()
				all := append(slices.Clone(ids), "zz")
				now := at.Draw(t, "now")
				window := time.Duration(rapid.IntRange(0, 30).Draw(t, "window")) * time.Hour
				facts := make([]inbox.Facts[string], len(all))
				for _, s := range all {
					if got, _ := m.Settings(ctx, s); got != mod.settings[s] {
						t.Fatalf("Settings(%s) = %v, want %v", s, got, mod.settings[s])
					}
					if got, want := must(m.PendingRequests(ctx, s, now.Add(-window), now)), mod.pending(s, now.Add(-window), now); got != want {
						t.Fatalf("PendingRequests(%s, %v) = %d, want %d", s, window, got, want)
					}
					var threads []inbox.Thread[string]
					var cur graph.Cursor
					for {
						var err error
						threads, cur, err = m.Threads(ctx, s, cur, 2, threads)
						if err != nil {
							t.Fatal(err)
						}
						if cur == "" {
							break
						}
					}
					var want []inbox.Thread[string]
					for _, r := range all {
						if c, ok := mod.threads[pairKey(s, r)]; ok && r != s {
							want = append(want, inbox.Thread[string]{With: r, Conversation: c})
						}
					}
					slices.SortFunc(threads, func(x, y inbox.Thread[string]) int { return cmpString(x.With, y.With) })
					if diff := cmp.Diff(want, threads); diff != "" {
						t.Fatalf("Threads(%s) mismatch (-want +got):\n%s", s, diff)
					}
					bq := inbox.BatchQuery[string]{Sender: s, Recipients: all, At: now, Window: window}
					if err := joined.(inbox.BatchFactReader[string]).FactsBatch(ctx, bq, facts); err != nil {
						t.Fatal(err)
					}
					for j, r := range all {
						c := must(m.Conversation(ctx, s, r))
						if want := mod.threads[pairKey(s, r)]; c != want && s != r {
							t.Fatalf("Conversation(%s, %s) = %v, want %v", s, r, c, want)
						}
						q := inbox.Query[string]{Sender: s, Recipient: r, At: now, Window: window}
						want := must(inbox.ReadFacts(ctx, g, m, q))
						got := must(joined.Facts(ctx, q))
						if got != want {
							t.Fatalf("joined Facts(%s, %s) mismatch (-ReadFacts +joined):\n%s", s, r, cmp.Diff(want, got))
						}
						if facts[j] != want {
							t.Fatalf("FactsBatch(%s)[%s] mismatch (-ReadFacts +batch):\n%s", s, r, cmp.Diff(want, facts[j]))
						}
						wantMem := must(inbox.ReadFacts(ctx, gm, m, q))
						if got := must(joinedMem.Facts(ctx, q)); got != wantMem {
							t.Fatalf("joined Facts over graph.Memory (%s, %s) mismatch (-ReadFacts +joined):\n%s", s, r, cmp.Diff(wantMem, got))
						}
					}
				}
			},
		})
	})
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestConversationSnapshots runs readers while a writer moves one pair
// through a request's lifecycle: a reader must never see the pending count
// and the thread disagree (the count includes the thread exactly when it is
// pending). Run with -race.
func TestConversationSnapshots(t *testing.T) {
	t.Parallel()
	m := inbox.NewMemory[string]()
	g := graph.NewMemory[string]()
	g.SetUser("s", graph.User{Status: graph.Active})
	g.SetUser("r", graph.User{Status: graph.Active})
	readers := []inbox.FactReader[string]{m.Join(graph.ReaderFuncs[string]{}), m.Join(g)}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			m.Deliver("s", "r", inbox.AsRequest, mt0)
			m.Accept("r", "s")
			m.SetConversation("s", "r", inbox.Declined, mt0)
			m.SetSettings("r", inbox.Settings{Mode: inbox.Mode(1 + i%4)})
			m.SetConversation(fmt.Sprint("x", i%3), "s", inbox.Pending, mt0) // churn s's lists
		}
	}()
	q := inbox.Query[string]{Sender: "s", Recipient: "r", At: mt0, Window: time.Hour}
	for i := range 300000 {
		f, err := readers[i%2].Facts(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if (f.Conversation.State == inbox.Pending) != (f.PendingRequests == 1) {
			close(stop)
			wg.Wait()
			t.Fatalf("thread %v with %d pending", f.Conversation.State, f.PendingRequests)
		}
	}
	close(stop)
	wg.Wait()
}
