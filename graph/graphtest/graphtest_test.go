package graphtest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/graph/graphtest"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

func stringID(i int) string { return fmt.Sprintf("user-%d", i) }

func TestMemoryConforms(t *testing.T) {
	t.Run("string", func(t *testing.T) {
		graphtest.Run(t, func(*testing.T) graphtest.Store[string] { return memory.New[string]() }, stringID)
	})
	t.Run("int64", func(t *testing.T) {
		graphtest.Run(t, func(*testing.T) graphtest.Store[int64] { return memory.New[int64]() },
			func(i int) int64 { return int64(i)*1000 - 7 })
	})
}

// requiredOnly hides the memory store's PairReader, so that the kit checks
// an adapter with the required reads alone.
type requiredOnly struct{ m *memory.Store[string] }

func (s requiredOnly) User(ctx context.Context, id string) (graph.User, error) {
	return s.m.User(ctx, id)
}
func (s requiredOnly) HasEdge(ctx context.Context, k graph.Edge, a, b string) (bool, error) {
	return s.m.HasEdge(ctx, k, a, b)
}
func (s requiredOnly) SetUser(id string, u graph.User) error { return s.m.SetUser(id, u) }
func (s requiredOnly) SetEdge(k graph.Edge, a, b string, on bool) error {
	return s.m.SetEdge(k, a, b, on)
}
func (s requiredOnly) SetContactKey(id string, k graph.ContactKey) error {
	return s.m.SetContactKey(id, k)
}
func (s requiredOnly) SyncContacts(id string, ks []graph.ContactKey) error {
	return s.m.SyncContacts(id, ks)
}

func TestStoreWithoutPairReader(t *testing.T) {
	err := graphtest.TestStore(func() (graphtest.Store[string], error) {
		return requiredOnly{memory.New[string]()}, nil
	}, stringID)
	if err != nil {
		t.Fatal(err)
	}
}

// Broken adapters: each is the memory store with one deliberate fault, and
// the kit must find it.

// asymmetricFacebook answers a Facebook link only in the direction it was
// written.
type asymmetricFacebook struct {
	*memory.Store[string]
	links map[[2]string]bool
}

func (s *asymmetricFacebook) SetEdge(k graph.Edge, a, b string, on bool) error {
	if err := s.Store.SetEdge(k, a, b, on); err != nil || k != graph.Facebook {
		return err
	}
	if on {
		s.links[[2]string{a, b}] = true
	} else {
		delete(s.links, [2]string{a, b})
	}
	return nil
}

func (s *asymmetricFacebook) HasEdge(ctx context.Context, k graph.Edge, a, b string) (bool, error) {
	if k == graph.Facebook {
		return s.links[[2]string{a, b}], nil
	}
	return s.Store.HasEdge(ctx, k, a, b)
}

// selfEdges accepts self edges silently.
type selfEdges struct{ *memory.Store[string] }

func (s selfEdges) SetEdge(k graph.Edge, a, b string, on bool) error {
	if a == b {
		return nil
	}
	return s.Store.SetEdge(k, a, b, on)
}

// toggling treats a second follow as an unfollow.
type toggling struct{ *memory.Store[string] }

func (s toggling) SetEdge(k graph.Edge, a, b string, on bool) error {
	if on && a != b {
		if has, _ := s.Store.HasEdge(context.Background(), k, a, b); has {
			on = false
		}
	}
	return s.Store.SetEdge(k, a, b, on)
}

// unknownIsError fails reads of unknown users instead of answering zero.
type unknownIsError struct{ *memory.Store[string] }

func (s unknownIsError) User(ctx context.Context, id string) (graph.User, error) {
	u, err := s.Store.User(ctx, id)
	if err == nil && u.Status == graph.StatusUnknown {
		return u, errors.New("no rows in result set")
	}
	return u, err
}

// pairDropsContact's one-call read forgets that B has A's number.
type pairDropsContact struct{ *memory.Store[string] }

func (s pairDropsContact) Pair(ctx context.Context, a, b string) (graph.Pair, error) {
	p, err := s.Store.Pair(ctx, a, b)
	p.Edges &^= graph.ContactBA
	return p, err
}

// unknownWrites swallows writes naming unknown users.
type unknownWrites struct{ *memory.Store[string] }

func (s unknownWrites) SetEdge(k graph.Edge, a, b string, on bool) error {
	if err := s.Store.SetEdge(k, a, b, on); !errors.Is(err, graph.ErrUnknownUser) {
		return err
	}
	return nil
}

// firstWriteWins ignores replacements of a user's account facts.
type firstWriteWins struct {
	*memory.Store[string]
	seen map[string]bool
}

func (s *firstWriteWins) SetUser(id string, u graph.User) error {
	if s.seen[id] {
		return memory.New[string]().SetUser(id, u) // validated, then dropped
	}
	err := s.Store.SetUser(id, u)
	if err == nil {
		s.seen[id] = true
	}
	return err
}

// lastPageLost is a Lister that ends every listing after its first page.
type lastPageLost struct{ *memory.Store[string] }

func (s lastPageLost) Related(ctx context.Context, id string, rel graph.Relation, after graph.Cursor, limit int, dst []string) ([]string, graph.Cursor, error) {
	dst, _, err := s.Store.Related(ctx, id, rel, after, limit, dst)
	return dst, "", err
}

func TestBrokenStoresFail(t *testing.T) {
	tests := []struct {
		name     string
		newStore func() graphtest.Store[string]
		want     []string // in the error
	}{
		{"facebook not symmetric", func() graphtest.Store[string] {
			return &asymmetricFacebook{memory.New[string](), map[[2]string]bool{}}
		}, []string{"HasEdge (-want +got)", "facebook user-2→user-0", "Pair disagrees with User and HasEdge"}},
		{"self edges accepted", func() graphtest.Store[string] { return selfEdges{memory.New[string]()} },
			[]string{"world rules", "SetEdge(follow, user-1, user-1, true): error (-want +got)", graph.ErrSelfEdge.Error()}},
		{"duplicate edge toggles", func() graphtest.Store[string] { return toggling{memory.New[string]()} },
			[]string{"a duplicate follow is idempotent", "HasEdge (-want +got)", "follow user-0→user-1"}},
		{"unknown user is an error", func() graphtest.Store[string] { return unknownIsError{memory.New[string]()} },
			[]string{"world empty", "User(user-0): no rows in result set"}},
		{"pair drops a contact", func() graphtest.Store[string] { return pairDropsContact{memory.New[string]()} },
			[]string{"Pair (-want +got)", "contact B→A", "Pair disagrees with User and HasEdge"}},
		{"writes to unknown users accepted", func() graphtest.Store[string] { return unknownWrites{memory.New[string]()} },
			[]string{"SetEdge(follow, user-0, user-4, true): error (-want +got)", graph.ErrUnknownUser.Error()}},
		{"listing loses its later pages", func() graphtest.Store[string] { return lastPageLost{memory.New[string]()} },
			[]string{"Related (-want +got)", "following"}},
		{"replacements ignored", func() graphtest.Store[string] {
			return &firstWriteWins{memory.New[string](), map[string]bool{}}
		}, []string{"replacing a user keeps their edges", "User (-want +got)", "Status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := graphtest.TestStore(func() (graphtest.Store[string], error) { return tt.newStore(), nil }, stringID)
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

func TestStoreReportsNewStoreErrors(t *testing.T) {
	err := graphtest.TestStore(func() (graphtest.Store[string], error) { return nil, errors.New("no database") }, stringID)
	if err == nil || !strings.Contains(err.Error(), "world rules: new store: no database") {
		t.Fatalf("got %v, want every world to report the new store's error", err)
	}
}

func TestIDsMustBeDistinct(t *testing.T) {
	err := graphtest.TestStore(func() (graphtest.Store[int], error) { return memory.New[int](), nil },
		func(i int) int { return i % 5 })
	if err == nil || !strings.Contains(err.Error(), "id(0) and id(5) are both 0") {
		t.Fatalf("got %v, want an error about the id function", err)
	}
}

// TestRunFailsBrokenStore runs the kit's Run in a child test process over a
// broken store, and checks that the child test fails, in the world and
// subtest where the fault shows.
func TestRunFailsBrokenStore(t *testing.T) {
	if os.Getenv("GRAPHTEST_BROKEN_CHILD") == "1" {
		graphtest.Run(t, func(*testing.T) graphtest.Store[string] {
			return &asymmetricFacebook{memory.New[string](), map[[2]string]bool{}}
		}, stringID)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunFailsBrokenStore$", "-test.v")
	cmd.Env = append(os.Environ(), "GRAPHTEST_BROKEN_CHILD=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the child test over a broken store did not fail (err %v):\n%s", err, out)
	}
	for _, w := range []string{"--- FAIL: TestRunFailsBrokenStore/rules", "--- PASS: TestRunFailsBrokenStore/empty", "facebook user-0→user-2"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("the child's output lacks %q:\n%s", w, out)
		}
	}
}
