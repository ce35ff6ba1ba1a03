package postgres

import (
	"context"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// KitStore is a Store whose writes have the in-memory stores' signatures
// (no context, no token): the write interfaces the conformance kits
// (graph/graphtest, inbox/inboxtest) and scenario runners drive. Its writes
// run with Ctx; its reads are the Store's.
type KitStore struct {
	*Store
	Ctx context.Context
}

// drop returns a write's error without its token.
func drop(_ Token, err error) error { return err }

// SetUser calls [Store.SetUser].
func (k KitStore) SetUser(id int64, u graph.User) error { return drop(k.Store.SetUser(k.Ctx, id, u)) }

// SetEdge calls [Store.SetEdge].
func (k KitStore) SetEdge(kind graph.Edge, from, to int64, on bool) error {
	return drop(k.Store.SetEdge(k.Ctx, kind, from, to, on))
}

// SetContactKey calls [Store.SetContactKey].
func (k KitStore) SetContactKey(id int64, key graph.ContactKey) error {
	return drop(k.Store.SetContactKey(k.Ctx, id, key))
}

// SyncContacts calls [Store.SyncContacts].
func (k KitStore) SyncContacts(id int64, keys []graph.ContactKey) error {
	return drop(k.Store.SyncContacts(k.Ctx, id, keys))
}

// SetSettings calls [Store.SetSettings].
func (k KitStore) SetSettings(id int64, s inbox.Settings) error {
	return drop(k.Store.SetSettings(k.Ctx, id, s))
}

// SetConversation calls [Store.SetConversation].
func (k KitStore) SetConversation(from, to int64, s inbox.State, at time.Time) error {
	return drop(k.Store.SetConversation(k.Ctx, from, to, s, at))
}
