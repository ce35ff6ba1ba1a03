package replica

import (
	"context"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// A Replica is every read interface of the embedded store, answered by its
// current store: an engine over it (privacy.New(r, r, …)) uses the
// one-call capabilities. It is not an inbox.Sender: sends decide and record
// in PostgreSQL.
var (
	_ graph.Reader[int64]             = (*Replica)(nil)
	_ graph.PairReader[int64]         = (*Replica)(nil)
	_ graph.PairBatchReader[int64]    = (*Replica)(nil)
	_ graph.Lister[int64]             = (*Replica)(nil)
	_ graph.MutualReader[int64]       = (*Replica)(nil)
	_ inbox.Reader[int64]             = (*Replica)(nil)
	_ inbox.FactReader[int64]         = (*Replica)(nil)
	_ inbox.BatchFactReader[int64]    = (*Replica)(nil)
	_ inbox.ConversationLister[int64] = (*Replica)(nil)
)

// User is graph.Reader's.
func (r *Replica) User(ctx context.Context, id int64) (graph.User, error) {
	return r.store.Load().User(ctx, id)
}

// HasEdge is graph.Reader's.
func (r *Replica) HasEdge(ctx context.Context, kind graph.Edge, from, to int64) (bool, error) {
	return r.store.Load().HasEdge(ctx, kind, from, to)
}

// Pair is graph.PairReader's.
func (r *Replica) Pair(ctx context.Context, a, b int64) (graph.Pair, error) {
	return r.store.Load().Pair(ctx, a, b)
}

// PairBatch is graph.PairBatchReader's.
func (r *Replica) PairBatch(ctx context.Context, a int64, bs []int64, dst []graph.Pair) error {
	return r.store.Load().PairBatch(ctx, a, bs, dst)
}

// Related is graph.Lister's. A cursor is good in the store that issued it:
// after a reload, an old cursor may skip or repeat users.
func (r *Replica) Related(ctx context.Context, id int64, rel graph.Relation, after graph.Cursor, limit int, dst []int64) ([]int64, graph.Cursor, error) {
	return r.store.Load().Related(ctx, id, rel, after, limit, dst)
}

// CountUsers is graph.Lister's.
func (r *Replica) CountUsers(ctx context.Context) (int, error) {
	return r.store.Load().CountUsers(ctx)
}

// HasFriendInCommon is graph.MutualReader's.
func (r *Replica) HasFriendInCommon(ctx context.Context, a, b int64) (bool, error) {
	return r.store.Load().HasFriendInCommon(ctx, a, b)
}

// Settings is inbox.Reader's.
func (r *Replica) Settings(ctx context.Context, id int64) (inbox.Settings, error) {
	return r.store.Load().Settings(ctx, id)
}

// Conversation is inbox.Reader's.
func (r *Replica) Conversation(ctx context.Context, a, b int64) (inbox.Conversation[int64], error) {
	return r.store.Load().Conversation(ctx, a, b)
}

// PendingRequests is inbox.Reader's.
func (r *Replica) PendingRequests(ctx context.Context, sender int64, after, upTo time.Time) (int, error) {
	return r.store.Load().PendingRequests(ctx, sender, after, upTo)
}

// Facts is inbox.FactReader's: every fact of one decision, in one call.
func (r *Replica) Facts(ctx context.Context, q inbox.Query[int64]) (inbox.Facts[int64], error) {
	return r.store.Load().Facts(ctx, q)
}

// FactsBatch is inbox.BatchFactReader's.
func (r *Replica) FactsBatch(ctx context.Context, q inbox.BatchQuery[int64], dst []inbox.Facts[int64]) error {
	return r.store.Load().FactsBatch(ctx, q, dst)
}

// Threads is inbox.ConversationLister's.
func (r *Replica) Threads(ctx context.Context, id int64, after graph.Cursor, limit int, dst []inbox.Thread[int64]) ([]inbox.Thread[int64], graph.Cursor, error) {
	return r.store.Load().Threads(ctx, id, after, limit, dst)
}
