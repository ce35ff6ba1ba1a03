package privacytest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/internal/naive"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
	"github.com/dmprivacy/dmprivacy/privacy/privacytest"
)

func stringID(i int) string { return string(rune('a'+i)) + "-user" }

// TestStackMemory: the embedded store, as one value for both readers,
// decides as the embedded store, Send included.
func TestStackMemory(t *testing.T) {
	t.Parallel()
	privacytest.CheckStack(t, func(*testing.T) privacytest.Stack[string] {
		s := memory.New[string]()
		return privacytest.Stack[string]{Graph: s, Inbox: s, Writer: s}
	}, stringID, nil)
}

// TestStackMemoryInt64: the same with int64 IDs, read through the
// required reads only.
func TestStackMemoryInt64(t *testing.T) {
	t.Parallel()
	privacytest.CheckStack(t, func(*testing.T) privacytest.Stack[int64] {
		s := memory.New[int64]()
		return privacytest.Stack[int64]{Graph: graphOnly[int64]{s}, Inbox: inbox.ReaderFuncs[int64]{
			SettingsFunc: s.Settings, ConversationFunc: s.Conversation, PendingRequestsFunc: s.PendingRequests,
		}, Writer: s}
	}, func(i int) int64 { return int64(i)*7919 + 1_000_000_007 }, nil)
}

// graphOnly is the embedded store's graph through the required reads and
// friends in common: no pair reader, no listing.
type graphOnly[ID comparable] struct{ s *memory.Store[ID] }

func (g graphOnly[ID]) User(ctx context.Context, id ID) (graph.User, error) { return g.s.User(ctx, id) }
func (g graphOnly[ID]) HasEdge(ctx context.Context, k graph.Edge, a, b ID) (bool, error) {
	return g.s.HasEdge(ctx, k, a, b)
}
func (g graphOnly[ID]) HasFriendInCommon(ctx context.Context, a, b ID) (bool, error) {
	return g.s.HasFriendInCommon(ctx, a, b)
}

// naiveStore is internal/naive's independent, map-based inbox over the
// embedded store's graph, one value for both readers, with the pair reader and a listing,
// and one optional deliberate fault: the stacks the conformance kits'
// broken adapters make. Without a fault it must pass the stack kit.
type naiveStore struct {
	*naive.Inbox // the inbox part, and the fault
	g            *memory.Store[string]
	links        map[[2]string]bool // Facebook links as written, for "facebook one way"
	seen         map[string]bool    // users written, for "first write wins"
}

func newNaive(fault string) *naiveStore {
	return &naiveStore{Inbox: naive.NewInbox(fault), g: memory.New[string](), links: map[[2]string]bool{}, seen: map[string]bool{}}
}

func (s *naiveStore) User(ctx context.Context, id string) (graph.User, error) {
	u, err := s.g.User(ctx, id)
	if err == nil && u.Status == graph.StatusUnknown && s.Fault == "unknown user is an error" {
		return u, errors.New("no rows in result set")
	}
	return u, err
}

func (s *naiveStore) HasEdge(ctx context.Context, k graph.Edge, a, b string) (bool, error) {
	if k == graph.Facebook && s.Fault == "facebook one way" {
		return s.links[[2]string{a, b}], nil
	}
	return s.g.HasEdge(ctx, k, a, b)
}

func (s *naiveStore) HasFriendInCommon(ctx context.Context, a, b string) (bool, error) {
	return s.g.HasFriendInCommon(ctx, a, b)
}

func (s *naiveStore) Pair(ctx context.Context, a, b string) (graph.Pair, error) {
	p, err := graph.ReadPair(ctx, graph.ReaderFuncs[string]{UserFunc: s.User, HasEdgeFunc: s.HasEdge}, a, b)
	if s.Fault == "pair drops a contact" {
		p.Edges &^= graph.ContactBA
	}
	return p, err
}

func (s *naiveStore) Related(ctx context.Context, id string, rel graph.Relation, after graph.Cursor, limit int, dst []string) ([]string, graph.Cursor, error) {
	dst, next, err := s.g.Related(ctx, id, rel, after, limit, dst)
	if s.Fault == "listing loses its later pages" {
		next = ""
	}
	return dst, next, err
}

func (s *naiveStore) CountUsers(ctx context.Context) (int, error) { return s.g.CountUsers(ctx) }

func (s *naiveStore) SetUser(id string, u graph.User) error {
	if s.Fault == "replacements ignored" && s.seen[id] {
		return memory.New[string]().SetUser(id, u) // validated, then dropped
	}
	err := s.g.SetUser(id, u)
	if err == nil {
		s.seen[id] = true
	}
	return err
}

func (s *naiveStore) SetEdge(k graph.Edge, a, b string, on bool) error {
	switch {
	case a == b && s.Fault == "self edges accepted":
		return nil
	case on && s.Fault == "duplicate edge toggles":
		if has, _ := s.g.HasEdge(context.Background(), k, a, b); has {
			on = false
		}
	}
	err := s.g.SetEdge(k, a, b, on)
	if errors.Is(err, graph.ErrUnknownUser) && s.Fault == "writes to unknown users accepted" {
		return nil
	}
	if err == nil && k == graph.Facebook {
		s.links[[2]string{a, b}] = on
		if !on {
			s.links[[2]string{b, a}] = false
		}
	}
	return err
}

func (s *naiveStore) SetContactKey(id string, k graph.ContactKey) error {
	return s.g.SetContactKey(id, k)
}
func (s *naiveStore) SyncContacts(id string, ks []graph.ContactKey) error {
	return s.g.SyncContacts(id, ks)
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

// stackOf returns the stack of a naive store with the capabilities of
// kind: "required reads", "facts" or "batch".
func stackOf(kind, fault string) func() privacytest.Stack[string] {
	return func() privacytest.Stack[string] {
		n := newNaive(fault)
		var s interface {
			graph.Reader[string]
			inbox.Reader[string]
			privacytest.Writer[string]
		} = n
		switch kind {
		case "facts":
			s = naiveFacts{n}
		case "batch":
			s = naiveBatch{naiveFacts{n}}
		}
		return privacytest.Stack[string]{Graph: s, Inbox: s, Writer: s}
	}
}

// TestStackNaive: an independent implementation passes the stack kit,
// with each set of capabilities.
func TestStackNaive(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"required reads", "facts", "batch"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			newStack := stackOf(kind, "")
			privacytest.CheckStack(t, func(*testing.T) privacytest.Stack[string] { return newStack() }, stringID, nil)
		})
	}
}

// TestStackCatchesBrokenAdapters: every broken adapter the conformance
// kits (graph/graphtest, inbox/inboxtest) use, as a stack, fails the
// stack kit, and the failure says where.
func TestStackCatchesBrokenAdapters(t *testing.T) {
	quietRapid(t)
	for _, tc := range []struct {
		fault, kind string
		want        []string
	}{
		// graph/graphtest's broken adapters
		{"facebook one way", "required reads", nil},
		{"self edges accepted", "required reads", []string{"the host's accepts it"}},
		{"duplicate edge toggles", "required reads", nil},
		{"unknown user is an error", "required reads", []string{"no rows in result set"}},
		{"pair drops a contact", "required reads", nil},
		{"writes to unknown users accepted", "required reads", []string{"the host's accepts it"}},
		{"listing loses its later pages", "required reads", []string{"Audience"}},
		{"replacements ignored", "required reads", nil},
		// inbox/inboxtest's broken adapters
		{"counts held", "required reads", nil},
		{"closed window", "required reads", nil},
		{"one way", "required reads", nil},
		{"default not stored", "required reads", nil},
		{"facts swap pair", "facts", nil},
		{"facts ignore zero window", "facts", []string{"window 0s) differs", "PendingRequests"}},
		{"batch drops repeats", "batch", nil},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			t.Parallel()
			msg, err := privacytest.StackFailure(stackOf(tc.kind, tc.fault), stringID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if msg == "" {
				t.Fatalf("the stack kit passed a stack whose adapter has the fault %q", tc.fault)
			}
			for _, w := range append(tc.want, `the host's stack breaks the rule "same as the embedded store"`, privacytest.BeginDM) {
				if !strings.Contains(msg, w) {
					t.Errorf("the failure does not say %q:\n%s", w, msg)
				}
			}
		})
	}
}
