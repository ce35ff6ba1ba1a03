// This test runs the repository's scenario files (../../privacy/testdata/*.dm)
// with the engine on this adapter.

package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/scenario"
	"github.com/dmprivacy/dmprivacy/privacy/scenario/scenariotest"
)

func TestScenarioFiles(t *testing.T) {
	scenariotest.RunWith(t, &scenario.Options{
		NewEnv: func(p *privacy.Policy, now func() time.Time) (*scenario.Env, error) {
			n := &named{s: postgres.New(pgtest.Open(t, &pgtest.Options{MaxConns: 2})), ctx: context.Background(), ids: map[string]int64{}}
			e, err := privacy.New[string](n, n, &privacy.Options{Policy: p, Now: now})
			if err != nil {
				return nil, err
			}
			return &scenario.Env{World: n, Engine: e}, nil
		},
	}, "../../privacy/testdata/*.dm")
}

// named is the Store with the scenario files' user names as IDs: each name
// gets the next int64 when it is first written. It implements the
// scenario's World, the graph and inbox readers, and the one-call fact
// reader, so each decision is still one round trip.
type named struct {
	s     *postgres.Store
	ctx   context.Context
	mu    sync.Mutex
	ids   map[string]int64
	names []string
}

// id returns name's ID, assigning one if add; unknown names get 0, which no
// user has.
func (n *named) id(name string, add bool) int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	if id, ok := n.ids[name]; ok || !add {
		return id
	}
	n.names = append(n.names, name)
	n.ids[name] = int64(len(n.names))
	return n.ids[name]
}

func (n *named) name(id int64) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if id < 1 || int(id) > len(n.names) {
		return ""
	}
	return n.names[id-1]
}

func (n *named) SetUser(id string, u graph.User) error {
	return errOf(n.s.SetUser(n.ctx, n.id(id, true), u))
}
func (n *named) SetContactKey(id string, k graph.ContactKey) error {
	return errOf(n.s.SetContactKey(n.ctx, n.id(id, false), k))
}
func (n *named) AddContact(id string, k graph.ContactKey) error {
	return errOf(n.s.AddContact(n.ctx, n.id(id, false), k))
}
func (n *named) RemoveContact(id string, k graph.ContactKey) error {
	return errOf(n.s.RemoveContact(n.ctx, n.id(id, false), k))
}
func (n *named) SetEdge(kind graph.Edge, from, to string, on bool) error {
	return errOf(n.s.SetEdge(n.ctx, kind, n.id(from, false), n.id(to, false), on))
}
func (n *named) SetSettings(id string, st inbox.Settings) error {
	return errOf(n.s.SetSettings(n.ctx, n.id(id, false), st))
}
func (n *named) SetConversation(from, to string, st inbox.State, at time.Time) error {
	return errOf(n.s.SetConversation(n.ctx, n.id(from, false), n.id(to, false), st, at))
}

func (n *named) User(ctx context.Context, id string) (graph.User, error) {
	return n.s.User(ctx, n.id(id, false))
}
func (n *named) HasEdge(ctx context.Context, kind graph.Edge, from, to string) (bool, error) {
	return n.s.HasEdge(ctx, kind, n.id(from, false), n.id(to, false))
}
func (n *named) HasFriendInCommon(ctx context.Context, a, b string) (bool, error) {
	return n.s.HasFriendInCommon(ctx, n.id(a, false), n.id(b, false))
}

func (n *named) Settings(ctx context.Context, id string) (inbox.Settings, error) {
	return n.s.Settings(ctx, n.id(id, false))
}
func (n *named) conv(c inbox.Conversation[int64]) inbox.Conversation[string] {
	return inbox.Conversation[string]{Starter: n.name(c.Starter), State: c.State, Started: c.Started}
}
func (n *named) Conversation(ctx context.Context, a, b string) (inbox.Conversation[string], error) {
	c, err := n.s.Conversation(ctx, n.id(a, false), n.id(b, false))
	return n.conv(c), err
}
func (n *named) PendingRequests(ctx context.Context, sender string, after, upTo time.Time) (int, error) {
	return n.s.PendingRequests(ctx, n.id(sender, false), after, upTo)
}
func (n *named) Facts(ctx context.Context, q inbox.Query[string]) (inbox.Facts[string], error) {
	f, err := n.s.Facts(ctx, inbox.Query[int64]{Sender: n.id(q.Sender, false), Recipient: n.id(q.Recipient, false), At: q.At, Window: q.Window})
	return inbox.Facts[string]{Pair: f.Pair, Settings: f.Settings, Conversation: n.conv(f.Conversation), PendingRequests: f.PendingRequests}, err
}
