package inboxtest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/inbox/inboxtest"
	"github.com/dmprivacy/dmprivacy/internal/naive"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

func stringID(i int) string { return fmt.Sprintf("user-%d", i) }

func TestMemoryConforms(t *testing.T) {
	t.Run("whole store", func(t *testing.T) {
		inboxtest.Run(t, func(*testing.T) inboxtest.Store[string] { return memory.New[string]() }, stringID)
	})
	t.Run("inbox only", func(t *testing.T) {
		inboxtest.Run(t, func(*testing.T) inboxtest.Store[string] { return inboxSide[string]{memory.New[string]()} }, stringID)
	})
	t.Run("with graph and fact readers", func(t *testing.T) {
		inboxtest.Run(t, func(*testing.T) inboxtest.Store[int64] { return newCombined[int64]() },
			func(i int) int64 { return 1 << 40 * int64(i+1) })
	})
}

// combined is the repo's two in-memory stores as one adapter, with the
// fact readers a database host would implement: the shape of a host whose
// graph and inbox live in one database.
type combined[ID comparable] struct {
	graphSide[ID]
	in *memory.Store[ID]
}

func newCombined[ID comparable]() *combined[ID] {
	return &combined[ID]{graphSide[ID]{memory.New[ID]()}, memory.New[ID]()}
}

// graphSide is the embedded store's graph alone, for test adapters whose
// inbox is their own. (Embedding the whole store would also promote its
// inbox reads and one-call fact readers, past the adapter's own.)
type graphSide[ID comparable] struct{ s *memory.Store[ID] }

func (g graphSide[ID]) User(ctx context.Context, id ID) (graph.User, error) { return g.s.User(ctx, id) }
func (g graphSide[ID]) HasEdge(ctx context.Context, k graph.Edge, a, b ID) (bool, error) {
	return g.s.HasEdge(ctx, k, a, b)
}
func (g graphSide[ID]) Pair(ctx context.Context, a, b ID) (graph.Pair, error) {
	return g.s.Pair(ctx, a, b)
}
func (g graphSide[ID]) SetUser(id ID, u graph.User) error            { return g.s.SetUser(id, u) }
func (g graphSide[ID]) SetEdge(k graph.Edge, a, b ID, on bool) error { return g.s.SetEdge(k, a, b, on) }
func (g graphSide[ID]) SetContactKey(id ID, k graph.ContactKey) error {
	return g.s.SetContactKey(id, k)
}
func (g graphSide[ID]) SyncContacts(id ID, ks []graph.ContactKey) error {
	return g.s.SyncContacts(id, ks)
}

// inboxSide is the embedded store's inbox alone: the shape of a host that
// keeps its own graph.
type inboxSide[ID comparable] struct{ s *memory.Store[ID] }

func (x inboxSide[ID]) Settings(ctx context.Context, id ID) (inbox.Settings, error) {
	return x.s.Settings(ctx, id)
}
func (x inboxSide[ID]) Conversation(ctx context.Context, a, b ID) (inbox.Conversation[ID], error) {
	return x.s.Conversation(ctx, a, b)
}
func (x inboxSide[ID]) PendingRequests(ctx context.Context, s ID, after, upTo time.Time) (int, error) {
	return x.s.PendingRequests(ctx, s, after, upTo)
}
func (x inboxSide[ID]) SetSettings(id ID, s inbox.Settings) error { return x.s.SetSettings(id, s) }
func (x inboxSide[ID]) SetConversation(a, b ID, s inbox.State, at time.Time) error {
	return x.s.SetConversation(a, b, s, at)
}
func (x inboxSide[ID]) Threads(ctx context.Context, id ID, after graph.Cursor, limit int, dst []inbox.Thread[ID]) ([]inbox.Thread[ID], graph.Cursor, error) {
	return x.s.Threads(ctx, id, after, limit, dst)
}

func (c *combined[ID]) Settings(ctx context.Context, id ID) (inbox.Settings, error) {
	return c.in.Settings(ctx, id)
}
func (c *combined[ID]) Conversation(ctx context.Context, a, b ID) (inbox.Conversation[ID], error) {
	return c.in.Conversation(ctx, a, b)
}
func (c *combined[ID]) PendingRequests(ctx context.Context, s ID, after, upTo time.Time) (int, error) {
	return c.in.PendingRequests(ctx, s, after, upTo)
}
func (c *combined[ID]) SetSettings(id ID, s inbox.Settings) error { return c.in.SetSettings(id, s) }
func (c *combined[ID]) SetConversation(a, b ID, s inbox.State, at time.Time) error {
	return c.in.SetConversation(a, b, s, at)
}
func (c *combined[ID]) Facts(ctx context.Context, q inbox.Query[ID]) (inbox.Facts[ID], error) {
	return inbox.ReadFacts[ID](ctx, c.graphSide, c.in, q)
}
func (c *combined[ID]) FactsBatch(ctx context.Context, q inbox.BatchQuery[ID], dst []inbox.Facts[ID]) error {
	for i, r := range q.Recipients {
		f, err := c.Facts(ctx, inbox.Query[ID]{Sender: q.Sender, Recipient: r, At: q.At, Window: q.Window})
		if err != nil {
			return err
		}
		dst[i] = f
	}
	return nil
}

// naiveStore is the independent, map-based inbox of internal/naive over
// the in-memory graph, with one optional deliberate fault. Without a fault
// it must pass the kit; with each, it must fail.
type naiveStore struct {
	graphSide[string]
	*naive.Inbox
}

func newNaive(fault string) *naiveStore {
	return &naiveStore{graphSide[string]{memory.New[string]()}, naive.NewInbox(fault)}
}

// naiveFacts adds the one-call fact reader.
type naiveFacts struct{ *naiveStore }

func (s naiveFacts) Facts(ctx context.Context, q inbox.Query[string]) (inbox.Facts[string], error) {
	return s.ReadFacts(ctx, s.Pair, q)
}

// naiveBatch adds the batch fact reader.
type naiveBatch struct{ naiveFacts }

func (s naiveBatch) FactsBatch(ctx context.Context, q inbox.BatchQuery[string], dst []inbox.Facts[string]) error {
	return s.ReadBatch(ctx, s.Facts, q, dst)
}

func TestNaiveConforms(t *testing.T) {
	for name, newStore := range map[string]func() inboxtest.Store[string]{
		"required reads": func() inboxtest.Store[string] { return newNaive("") },
		"facts":          func() inboxtest.Store[string] { return naiveFacts{newNaive("")} },
		"batch":          func() inboxtest.Store[string] { return naiveBatch{naiveFacts{newNaive("")}} },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := inboxtest.TestStore(func() (inboxtest.Store[string], error) { return newStore(), nil }, stringID); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestBrokenStoresFail(t *testing.T) {
	tests := []struct {
		fault string
		want  []string
	}{
		{"counts held", []string{"PendingRequests (-want +got)", "held, accepted and declined never count", "user-2 (T0-24h0m0s, T0]"}},
		{"closed window", []string{"PendingRequests (-want +got)", "a pending one counts", "user-0 (T0-1h0m1s, T0-1h0m0s]"}},
		{"one way", []string{"Conversation (-want +got)", "a thread answers in either order", `"user-1,user-0"`}},
		{"default not stored", []string{"Settings (-want +got)", "ModeDefault resets a chosen mode", "user-2"}},
		{"facts swap pair", []string{"Facts (-want +got)", "Facts disagrees with the required reads", "FactsBatch (-want +got)"}},
		{"facts ignore zero window", []string{"Facts (-want +got)", "window 0s", "PendingRequests: 0"}},
		{"batch drops repeats", []string{"FactsBatch (-want +got)", "[0] user-0→user-7 at T0 window 0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			t.Parallel()
			err := inboxtest.TestStore(func() (inboxtest.Store[string], error) {
				return naiveBatch{naiveFacts{newNaive(tt.fault)}}, nil
			}, stringID)
			if err == nil {
				t.Fatal("the kit passed a broken store")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the kit's error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

// factsWithoutGraph has a fact reader but no graph the kit can write.
type factsWithoutGraph struct{ inboxSide[string] }

func (factsWithoutGraph) Facts(context.Context, inbox.Query[string]) (inbox.Facts[string], error) {
	return inbox.Facts[string]{}, nil
}

func TestFactReaderNeedsGraph(t *testing.T) {
	err := inboxtest.TestStore(func() (inboxtest.Store[string], error) {
		return factsWithoutGraph{inboxSide[string]{memory.New[string]()}}, nil
	}, stringID)
	if err == nil || !strings.Contains(err.Error(), "implements a fact reader but not graphtest.Store") {
		t.Fatalf("got %v, want an error saying the kit needs the graph", err)
	}
}

func TestIDsMustBeDistinct(t *testing.T) {
	err := inboxtest.TestStore(func() (inboxtest.Store[int], error) { return memory.New[int](), nil },
		func(i int) int { return i / 2 })
	if err == nil || !strings.Contains(err.Error(), "id(0) and id(1) are both 0") {
		t.Fatalf("got %v, want an error about the id function", err)
	}
}

func TestStoreReportsNewStoreErrors(t *testing.T) {
	err := inboxtest.TestStore(func() (inboxtest.Store[string], error) { return nil, errors.New("no database") }, stringID)
	if err == nil || !strings.Contains(err.Error(), "world rules: new store: no database") {
		t.Fatalf("got %v, want every world to report the new store's error", err)
	}
}

// TestRunFailsBrokenStore runs Run in a child test process over a store
// that counts held requests, and checks that the child fails where the
// fault shows.
func TestRunFailsBrokenStore(t *testing.T) {
	if os.Getenv("INBOXTEST_BROKEN_CHILD") == "1" {
		inboxtest.Run(t, func(*testing.T) inboxtest.Store[string] { return newNaive("counts held") }, stringID)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunFailsBrokenStore$", "-test.v")
	cmd.Env = append(os.Environ(), "INBOXTEST_BROKEN_CHILD=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the child test over a broken store did not fail (err %v):\n%s", err, out)
	}
	for _, w := range []string{"--- FAIL: TestRunFailsBrokenStore/rules", "--- PASS: TestRunFailsBrokenStore/empty", "PendingRequests (-want +got)"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("the child's output lacks %q:\n%s", w, out)
		}
	}
}
