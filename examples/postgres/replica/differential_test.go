package replica

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/scenario"
	"github.com/dmprivacy/dmprivacy/privacy/scenario/scenariotest"
)

// TestReplicaScenarioDifferential runs the repository's scenario files
// with their writes going to PostgreSQL and their checks answered by a
// replica that waits for the last write's token. Before each check that
// follows a write, it compares, for every ordered pair of the file's users
// (and an unknown one), the decision of an engine over the replica with
// that of an engine over the PostgreSQL adapter: they must be equal after
// every sequence of writes the files make. The files' own expectations
// then hold on the replica too.
func TestReplicaScenarioDifferential(t *testing.T) {
	var mu sync.Mutex
	compared := 0
	scenariotest.RunWith(t, &scenario.Options{
		NewEnv: func(p *privacy.Policy, now func() time.Time) (*scenario.Env, error) {
			e := newEnv(t)
			r := e.open(e.config())
			n := &names{ids: map[string]int64{}}
			opts := &privacy.Options{Policy: p, Now: now}
			pe, err := privacy.New[string](namedReader{n, e.pg}, namedReader{n, e.pg}, opts)
			if err != nil {
				return nil, err
			}
			re, err := privacy.New[string](namedReader{n, r}, namedReader{n, r}, opts)
			if err != nil {
				return nil, err
			}
			d := &diffEngine{t: t, names: n, rep: r, primary: pe, replica: re}
			w := &namedWriter{names: n, pg: e.pg, ctx: context.Background(), d: d}
			return &scenario.Env{World: w, Engine: d, Close: func() error {
				mu.Lock()
				compared += d.pairs
				mu.Unlock()
				return nil
			}}, nil
		},
	}, "../../../privacy/testdata/*.dm")
	t.Logf("%d pair decisions compared between the replica and PostgreSQL", compared)
	if compared == 0 && !t.Failed() {
		t.Error("no decision compared")
	}
}

// names gives the scenario files' user names int64 IDs, in order of first
// write; unknown names are 0, which no user has.
type names struct {
	mu    sync.Mutex
	ids   map[string]int64
	order []string
}

func (n *names) id(name string, add bool) int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	if id, ok := n.ids[name]; ok || !add {
		return id
	}
	n.order = append(n.order, name)
	n.ids[name] = int64(len(n.order))
	return n.ids[name]
}

func (n *names) name(id int64) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if id < 1 || int(id) > len(n.order) {
		return ""
	}
	return n.order[id-1]
}

func (n *names) all() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.order)
}

// int64Reader is what both the PostgreSQL Store and a Replica read.
type int64Reader interface {
	graph.Reader[int64]
	graph.MutualReader[int64]
	inbox.Reader[int64]
	inbox.FactReader[int64]
}

// namedReader reads an int64 store by the files' names, with the one-call
// fact reader, so each engine reads as it would over the store itself.
type namedReader struct {
	n *names
	r int64Reader
}

func (x namedReader) User(ctx context.Context, id string) (graph.User, error) {
	return x.r.User(ctx, x.n.id(id, false))
}
func (x namedReader) HasEdge(ctx context.Context, k graph.Edge, a, b string) (bool, error) {
	return x.r.HasEdge(ctx, k, x.n.id(a, false), x.n.id(b, false))
}
func (x namedReader) HasFriendInCommon(ctx context.Context, a, b string) (bool, error) {
	return x.r.HasFriendInCommon(ctx, x.n.id(a, false), x.n.id(b, false))
}
func (x namedReader) Settings(ctx context.Context, id string) (inbox.Settings, error) {
	return x.r.Settings(ctx, x.n.id(id, false))
}
func (x namedReader) conv(c inbox.Conversation[int64]) inbox.Conversation[string] {
	return inbox.Conversation[string]{Starter: x.n.name(c.Starter), State: c.State, Started: c.Started}
}
func (x namedReader) Conversation(ctx context.Context, a, b string) (inbox.Conversation[string], error) {
	c, err := x.r.Conversation(ctx, x.n.id(a, false), x.n.id(b, false))
	return x.conv(c), err
}
func (x namedReader) PendingRequests(ctx context.Context, s string, after, upTo time.Time) (int, error) {
	return x.r.PendingRequests(ctx, x.n.id(s, false), after, upTo)
}
func (x namedReader) Facts(ctx context.Context, q inbox.Query[string]) (inbox.Facts[string], error) {
	f, err := x.r.Facts(ctx, inbox.Query[int64]{Sender: x.n.id(q.Sender, false), Recipient: x.n.id(q.Recipient, false), At: q.At, Window: q.Window})
	return inbox.Facts[string]{Pair: f.Pair, Settings: f.Settings, Conversation: x.conv(f.Conversation), PendingRequests: f.PendingRequests}, err
}

// namedWriter is the files' World over the PostgreSQL Store: it keeps
// the token of the last write, and tells the engine the world changed.
type namedWriter struct {
	names *names
	pg    *postgres.Store
	ctx   context.Context
	d     *diffEngine
}

func (w *namedWriter) wrote(tok postgres.Token, err error) error {
	if err == nil {
		w.d.wrote(tok)
	}
	return err
}
func (w *namedWriter) id(name string) int64 { return w.names.id(name, false) }
func (w *namedWriter) SetUser(id string, u graph.User) error {
	return w.wrote(w.pg.SetUser(w.ctx, w.names.id(id, true), u))
}
func (w *namedWriter) SetContactKey(id string, k graph.ContactKey) error {
	return w.wrote(w.pg.SetContactKey(w.ctx, w.id(id), k))
}
func (w *namedWriter) AddContact(id string, k graph.ContactKey) error {
	return w.wrote(w.pg.AddContact(w.ctx, w.id(id), k))
}
func (w *namedWriter) RemoveContact(id string, k graph.ContactKey) error {
	return w.wrote(w.pg.RemoveContact(w.ctx, w.id(id), k))
}
func (w *namedWriter) SetEdge(kind graph.Edge, from, to string, on bool) error {
	return w.wrote(w.pg.SetEdge(w.ctx, kind, w.id(from), w.id(to), on))
}
func (w *namedWriter) SetSettings(id string, st inbox.Settings) error {
	return w.wrote(w.pg.SetSettings(w.ctx, w.id(id), st))
}
func (w *namedWriter) SetConversation(from, to string, st inbox.State, at time.Time) error {
	return w.wrote(w.pg.SetConversation(w.ctx, w.id(from), w.id(to), st, at))
}

// diffEngine answers the files' checks from the replica, after comparing
// it with PostgreSQL over every pair whenever the world changed.
type diffEngine struct {
	t                testing.TB
	names            *names
	rep              *Replica
	primary, replica *privacy.Engine[string]

	mu    sync.Mutex
	last  postgres.Token
	dirty bool
	pairs int
}

func (d *diffEngine) wrote(tok postgres.Token) {
	d.mu.Lock()
	d.last, d.dirty = d.last.Max(tok), true
	d.mu.Unlock()
}

// sync waits for the replica to apply the last write and, if the world
// changed since the last comparison, compares every pair at time at.
func (d *diffEngine) sync(ctx context.Context, at time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := d.rep.WaitFor(wctx, d.last); err != nil {
		return fmt.Errorf("the replica did not apply %v (it is at %v): %w", d.last, d.rep.Position(), err)
	}
	if !d.dirty {
		return nil
	}
	d.dirty = false
	users := append(d.names.all(), "nobody")
	for _, s := range users {
		q := privacy.BatchRequest[string]{Sender: s, Recipients: users, At: at}
		want, err := d.primary.CheckMany(ctx, q, nil)
		if err != nil {
			return err
		}
		got, err := d.replica.CheckMany(ctx, q, nil)
		if err != nil {
			return err
		}
		for i, r := range users {
			if diff := cmp.Diff(want[i], got[i]); diff != "" {
				d.t.Errorf("%s → %s at %v: the replica decides otherwise than PostgreSQL (-postgres +replica):\n%s", s, r, at, diff)
			}
		}
		d.pairs += len(users)
	}
	return nil
}

func (d *diffEngine) Check(ctx context.Context, q privacy.Request[string]) (privacy.Decision, error) {
	if err := d.sync(ctx, q.At); err != nil {
		return privacy.Decision{}, err
	}
	want, err := d.primary.Check(ctx, q)
	if err != nil {
		return privacy.Decision{}, err
	}
	got, err := d.replica.Check(ctx, q)
	if diff := cmp.Diff(want, got); err == nil && diff != "" {
		d.t.Errorf("check %s → %s: (-postgres +replica):\n%s", q.Sender, q.Recipient, diff)
	}
	return got, err
}

func (d *diffEngine) Explain(ctx context.Context, q privacy.Request[string]) (*privacy.Explanation, error) {
	if err := d.sync(ctx, q.At); err != nil {
		return nil, err
	}
	return d.replica.Explain(ctx, q)
}

func (d *diffEngine) CanAddToGroup(ctx context.Context, inviter, invitee string, members []string) (privacy.GroupDecision, error) {
	if err := d.sync(ctx, time.Time{}); err != nil {
		return privacy.GroupDecision{}, err
	}
	want, err := d.primary.CanAddToGroup(ctx, inviter, invitee, members)
	if err != nil {
		return want, err
	}
	got, err := d.replica.CanAddToGroup(ctx, inviter, invitee, members)
	if diff := cmp.Diff(want, got); err == nil && diff != "" {
		d.t.Errorf("group %s adds %s: (-postgres +replica):\n%s", inviter, invitee, diff)
	}
	return got, err
}
