package replica

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/graph/graphtest"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/inbox/inboxtest"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// TestReplicaRandomDifferential makes random writes of every kind through
// the adapter (users, edges on and off, contact keys moving between users,
// address books, settings, conversations set, delivered, accepted and
// declined) and compares every fact of every pair on the replica with
// PostgreSQL's after each batch of them, once the replica has applied the
// last write's token. A second replica, opened halfway, loads the world
// from a snapshot and must agree too.
func TestReplicaRandomDifferential(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			e := newEnv(t)
			ctx := t.Context()
			w := newWorld(e.pg, seed)
			if _, err := w.seed(ctx); err != nil {
				t.Fatal(err)
			}
			r := e.open(e.config())
			var late *Replica
			var last postgres.Token
			for i := 1; i <= 300; i++ {
				tok, err := w.step(ctx)
				if err != nil {
					t.Fatal(err)
				}
				last = last.Max(tok)
				if i%30 == 0 {
					wait(t, r, last)
					compare(t, w, e.pg, r, "after write "+strconv.Itoa(i))
					if late != nil {
						wait(t, late, last)
						compare(t, w, e.pg, late, "late replica, after write "+strconv.Itoa(i))
					}
				}
				if i == 150 {
					late = e.open(e.config())
				}
			}
			if t.Failed() {
				return
			}
			if s := r.Status(); s.Loads != 1 || s.Applied == 0 {
				t.Errorf("status %+v: want one load and transactions applied", s)
			}
		})
	}
}

// TestReplicaTokenBlockOnEveryReplica: once Block returns its token, a
// check carrying it is denied on every replica, however far behind it
// started: one that is current, one slowed to a crawl behind a backlog of
// writes, one still loading, and one opened after the block.
func TestReplicaTokenBlockOnEveryReplica(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	adult := graph.User{Status: graph.Active, Birth: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
	const ana, ben = 1, 2
	for id := int64(1); id <= 40; id++ {
		if _, err := e.pg.SetUser(ctx, id, adult); err != nil {
			t.Fatal(err)
		}
		if _, err := e.pg.SetSettings(ctx, id, inbox.Settings{Mode: inbox.Everyone}); err != nil {
			t.Fatal(err)
		}
	}
	current := e.open(e.config())

	// A replica that applies one transaction every 2 ms: the backlog
	// below keeps it about a second behind.
	slowCfg := e.config()
	slowCfg.OnApply = func(Applied) { time.Sleep(2 * time.Millisecond) }
	slow := e.open(slowCfg)

	// A replica that never loads (its schema has no tables, so its
	// publication cannot be made): reads go to PostgreSQL.
	loadingCfg := e.config()
	loadingCfg.ConnString = pgtest.SchemaURL(t)
	loadingCfg.Publication += "_none"
	loadingCfg.Log = slog.New(slog.DiscardHandler)
	loading, err := Start(loadingCfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { loading.Close() })

	// The backlog: 400 transactions, each a follow added or removed.
	for i := range 400 {
		a, b := int64(3+(i/2)%38), int64(3+(i/2+1)%38)
		if _, err := e.pg.SetEdge(ctx, graph.Follow, a, b, i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []*Replica{current, slow} {
		d, _, err := mustChecker(t, r, e.pg, time.Second).Check(ctx, privacy.Request[int64]{Sender: ben, Recipient: ana}, postgres.Token{})
		if err != nil || !d.Allowed {
			t.Fatalf("before the block: %+v, %v; want allowed", d, err)
		}
	}
	tok, err := e.pg.SetEdge(ctx, graph.Block, ana, ben, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("block at %v; slow replica at %v, applied %d", tok, slow.Position(), slow.Status().Applied)
	after := e.open(e.config())

	for _, c := range []struct {
		name    string
		r       *Replica
		maxWait time.Duration
		sources []Source
	}{
		{"current", current, time.Second, []Source{Current, Waited}},
		{"slow, waiting 1 ms", slow, time.Millisecond, []Source{Timeout}},
		{"slow, waiting long", slow, 10 * time.Second, []Source{Waited}},
		{"never loaded", loading, time.Second, []Source{NotReady}},
		{"opened after the block", after, time.Millisecond, []Source{Current}},
	} {
		ch := mustChecker(t, c.r, e.pg, c.maxWait)
		d, src, err := ch.Check(ctx, privacy.Request[int64]{Sender: ben, Recipient: ana}, tok)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d.Allowed || d.Reason != privacy.ReasonBlockedByRecipient {
			t.Errorf("%s: a check carrying the block's token got %v (%v, from %v); want blocked_by_recipient", c.name, d.Reason, d.Allowed, src)
		}
		ds, _, err := ch.CheckMany(ctx, privacy.BatchRequest[int64]{Sender: ben, Recipients: []int64{ana, 3}}, tok, nil)
		if err != nil || ds[0].Allowed {
			t.Errorf("%s: a batch carrying the block's token allowed %d → %d (%v)", c.name, ben, ana, err)
		}
		ok := false
		for _, s := range c.sources {
			ok = ok || s == src
		}
		if !ok {
			t.Errorf("%s: answered from %v; want one of %v", c.name, src, c.sources)
		}
		t.Logf("%s: %v from %v", c.name, d.Reason, src)
	}
	// The slow replica answers from itself once it has caught up.
	wait(t, slow, tok)
	if ok, _ := slow.HasEdge(ctx, graph.Block, ana, ben); !ok {
		t.Error("the slow replica never applied the block")
	}
}

func mustChecker(t testing.TB, r *Replica, pg *postgres.Store, maxWait time.Duration) *Checker {
	t.Helper()
	c, err := NewChecker(r, pg, CheckerConfig{MaxWait: maxWait})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// writer makes random writes until stop is closed, and returns the token
// of the last one.
func writer(t testing.TB, w *world, stop <-chan struct{}) (wait func() postgres.Token) {
	var last postgres.Token
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx := context.Background()
		for {
			select {
			case <-stop:
				return
			default:
			}
			tok, err := w.step(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			last = last.Max(tok)
		}
	}()
	return func() postgres.Token { <-done; return last }
}

// TestReplicaKilledAndRestarted kills replicas mid-stream while writes
// run: one loses its stream connection (its walsender is terminated) and
// must resume from its slot with nothing lost or applied twice, without a
// new snapshot; another dies as a crashed process would (its slot left
// behind) and is started again under the same name, which takes over the
// slot and loads a new snapshot. Both end in the same state as a replica
// that never stopped, and as PostgreSQL.
func TestReplicaKilledAndRestarted(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	w := newWorld(e.pg, 42)
	if _, err := w.seed(ctx); err != nil {
		t.Fatal(err)
	}
	steady := e.open(e.config())

	// The resuming replica records every transaction it applies.
	var mu sync.Mutex
	var applied []uint64
	resCfg := e.config()
	resCfg.OnApply = func(a Applied) {
		mu.Lock()
		applied = append(applied, a.Token.LSN())
		mu.Unlock()
	}
	resuming := e.open(resCfg)
	crashCfg := e.config()
	crashed := e.open(crashCfg)

	stop := make(chan struct{})
	done := writer(t, w, stop)
	time.Sleep(300 * time.Millisecond)

	// Kill the resuming replica's stream, twice.
	for range 2 {
		n := terminateWalsender(t, e, resuming.slot)
		if n != 1 {
			t.Fatalf("terminated %d walsenders of %s; want 1", n, resuming.slot)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Crash the other, and start it again under the same name.
	crashed.abandon()
	if !slotExists(t, e, crashed.slot) {
		t.Fatal("a crashed replica's slot should stay")
	}
	time.Sleep(100 * time.Millisecond)
	restarted := e.open(crashCfg)
	time.Sleep(200 * time.Millisecond)
	close(stop)
	last := done()
	if t.Failed() {
		return
	}
	for name, r := range map[string]*Replica{"steady": steady, "resuming": resuming, "restarted": restarted} {
		wait(t, r, last)
		compare(t, w, e.pg, r, name)
	}
	// The same records, however they were laid out in memory.
	stats := func(r *Replica) memory.Stats { s := r.Store().Stats(); s.ArenaWords = 0; return s }
	if a, b := stats(steady), stats(resuming); a != b {
		t.Errorf("resumed replica holds %+v; the steady one %+v", b, a)
	}
	if a, b := stats(steady), stats(restarted); a != b {
		t.Errorf("restarted replica holds %+v; the steady one %+v", b, a)
	}
	if s := resuming.Status(); s.Loads != 1 {
		t.Errorf("the resuming replica loaded %d snapshots; want 1 (it resumes from its slot)", s.Loads)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(applied); i++ {
		if applied[i] <= applied[i-1] {
			t.Fatalf("the resuming replica applied the transaction ending at %x after the one ending at %x: applied twice or out of order", applied[i], applied[i-1])
		}
	}
	if len(applied) < 10 {
		t.Errorf("the resuming replica applied only %d transactions", len(applied))
	}
	t.Logf("resuming replica applied %d transactions; status %+v", len(applied), resuming.Status())
}

// TestReplicaDroppedSlot drops a streaming replica's slot from under it
// (its walsender terminated first, as pg_drop_replication_slot requires):
// the replica must notice and load a new snapshot, not drift.
func TestReplicaDroppedSlot(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	w := newWorld(e.pg, 7)
	if _, err := w.seed(ctx); err != nil {
		t.Fatal(err)
	}
	r := e.open(e.config())
	stop := make(chan struct{})
	done := writer(t, w, stop)
	time.Sleep(200 * time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for {
		terminateWalsender(t, e, r.slot)
		c := e.admin(t)
		_, err := c.Exec(ctx, `SELECT pg_drop_replication_slot($1)`, r.slot)
		c.Close(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("could not drop the slot: %v", err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	last := done()
	wait(t, r, last)
	compare(t, w, e.pg, r, "after the slot was dropped")
	if s := r.Status(); s.Loads < 2 {
		t.Errorf("status %+v: the replica should have loaded a new snapshot", s)
	}
}

// TestReplicaUnsupportedChanges makes changes the adapter never makes and
// the embedded store has no write for (a conversation deleted, a table
// truncated, by hand in SQL): the replica loads a new snapshot rather than
// keep what PostgreSQL no longer has.
func TestReplicaUnsupportedChanges(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	w := newWorld(e.pg, 9)
	if _, err := w.seed(ctx); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if _, err := w.step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.pg.SetConversation(ctx, 1, 2, inbox.Pending, t0); err != nil {
		t.Fatal(err)
	}
	r := e.open(e.config())
	loads := int64(1)
	for _, sql := range []string{
		`DELETE FROM conversations WHERE user_lo = 1 AND user_hi = 2`,
		`TRUNCATE follows`,
	} {
		if _, err := e.pg.DB().Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
		tok, err := e.pg.Token(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wait(t, r, tok)
		compare(t, w, e.pg, r, sql)
		loads++
		if s := r.Status(); s.Loads != loads {
			t.Errorf("after %s: %d loads; want %d", sql, s.Loads, loads)
		}
	}
}

// TestReplicaCloseDropsSlot: Close removes the slot, so that the server
// keeps no WAL for a replica that is gone.
func TestReplicaCloseDropsSlot(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	r, err := Open(ctx, e.config())
	if err != nil {
		t.Fatal(err)
	}
	if !slotExists(t, e, r.slot) {
		t.Fatal("no slot while streaming")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if slotExists(t, e, r.slot) {
		t.Error("the slot outlived Close")
	}
	if err := r.WaitFor(ctx, postgres.TokenAt(1<<62)); err != ErrClosed {
		t.Errorf("WaitFor on a closed replica: %v", err)
	}
}

// kitStore writes to PostgreSQL and reads from the replica, waiting after
// each write for the replica to apply it: the conformance kits then check
// the replica's every read against the embedded store's.
type kitStore struct {
	*Replica
	pg *postgres.Store
	t  testing.TB
}

func (k kitStore) done(tok postgres.Token, err error) error {
	if err == nil {
		wait(k.t, k.Replica, tok)
	}
	return err
}
func (k kitStore) SetUser(id int64, u graph.User) error {
	return k.done(k.pg.SetUser(context.Background(), id, u))
}
func (k kitStore) SetEdge(kind graph.Edge, from, to int64, on bool) error {
	return k.done(k.pg.SetEdge(context.Background(), kind, from, to, on))
}
func (k kitStore) SetContactKey(id int64, key graph.ContactKey) error {
	return k.done(k.pg.SetContactKey(context.Background(), id, key))
}
func (k kitStore) SyncContacts(id int64, keys []graph.ContactKey) error {
	return k.done(k.pg.SyncContacts(context.Background(), id, keys))
}
func (k kitStore) SetSettings(id int64, s inbox.Settings) error {
	return k.done(k.pg.SetSettings(context.Background(), id, s))
}
func (k kitStore) SetConversation(from, to int64, s inbox.State, at time.Time) error {
	return k.done(k.pg.SetConversation(context.Background(), from, to, s, at))
}

func kitID(i int) int64 { return int64(i)*7919 + 1_000_000_007 }

func newKitStore(t *testing.T) kitStore {
	e := newEnv(t)
	return kitStore{Replica: e.open(e.config()), pg: e.pg, t: t}
}

func TestReplicaGraphConformance(t *testing.T) {
	graphtest.Run(t, func(t *testing.T) graphtest.Store[int64] { return newKitStore(t) }, kitID)
}

func TestReplicaInboxConformance(t *testing.T) {
	inboxtest.Run(t, func(t *testing.T) inboxtest.Store[int64] { return newKitStore(t) }, kitID)
}
