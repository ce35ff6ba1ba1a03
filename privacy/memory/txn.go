package memory

import (
	"errors"
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// Txn is a group of writes that readers see all at once: none of them
// until [Store.Update] returns, then every one. A replica applying a
// database's transactions in commit order uses it, so that no decision
// reads half a transaction (a block without the unfollow that came with
// it, a new user without their settings).
//
// Its methods are the store's write methods; a Txn is valid only inside
// the function given to Update.
type Txn[ID comparable] struct {
	s    *Store[ID]
	held map[*record[ID]]bool // records made odd, to be made even at the end
	done bool
}

// ErrTxnDone is returned by a Txn's method called after its Update
// returned.
var ErrTxnDone = errors.New("memory: the transaction is over")

// Update runs f with a transaction, under the writers' lock: the writes f
// makes through it become visible to readers together, when f returns.
// Readers of a record f wrote wait until then (a reader of the records f
// left alone does not). If f returns an error, Update returns it, and the
// writes f made before it stay, visible like the rest: the store keeps no
// undo log, so a caller whose transaction fails halfway (a replica whose
// stream names a user it never saw) should treat the store as needing a
// reload.
func (s *Store[ID]) Update(f func(tx *Txn[ID]) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := &Txn[ID]{s: s, held: map[*record[ID]]bool{}}
	s.txn = tx
	defer func() {
		s.txn = nil
		tx.done = true
		for r := range tx.held {
			r.seq.End()
		}
	}()
	return f(tx)
}

// begin makes r's counter odd for a write: for the write alone, or, in a
// transaction, until it ends. The caller holds s.mu.
func (s *Store[ID]) begin(r *record[ID]) {
	if tx := s.txn; tx != nil {
		if !tx.held[r] {
			tx.held[r] = true
			r.seq.Begin()
		}
		return
	}
	r.seq.Begin()
}

// end makes r's counter even after a write, unless a transaction holds it.
func (s *Store[ID]) end(r *record[ID]) {
	if s.txn == nil {
		r.seq.End()
	}
}

func (tx *Txn[ID]) ok() error {
	if tx.done {
		return ErrTxnDone
	}
	return nil
}

// SetUser is [Store.SetUser] in the transaction.
func (tx *Txn[ID]) SetUser(id ID, u graph.User) error {
	if err := tx.ok(); err != nil {
		return err
	}
	w, err := checkUser(u)
	if err != nil {
		return err
	}
	return tx.s.setUser(id, w)
}

// SetEdge is [Store.SetEdge] in the transaction.
func (tx *Txn[ID]) SetEdge(kind graph.Edge, from, to ID, on bool) error {
	if err := tx.ok(); err != nil {
		return err
	}
	if kind == graph.Contact || !kind.Valid() {
		return fmt.Errorf("%w: %v (contacts are set with SetContactKey and SyncContacts)", graph.ErrInvalidEdge, kind)
	}
	if from == to {
		return fmt.Errorf("%w: %v %v", graph.ErrSelfEdge, kind, from)
	}
	return tx.s.setEdgeLocked(kind, from, to, on)
}

// SetContactKey is [Store.SetContactKey] in the transaction.
func (tx *Txn[ID]) SetContactKey(id ID, key graph.ContactKey) error {
	if err := tx.ok(); err != nil {
		return err
	}
	if key != "" {
		if err := graph.CheckContactKey(key); err != nil {
			return err
		}
	}
	return tx.s.setContactKey(id, key)
}

// SyncContacts is [Store.SyncContacts] in the transaction.
func (tx *Txn[ID]) SyncContacts(id ID, keys []graph.ContactKey) error {
	if err := tx.ok(); err != nil {
		return err
	}
	for _, k := range keys {
		if err := graph.CheckContactKey(k); err != nil {
			return err
		}
	}
	return tx.s.syncContacts(id, keys)
}

// AddContact is [Store.AddContact] in the transaction.
func (tx *Txn[ID]) AddContact(id ID, key graph.ContactKey) error {
	return tx.editContact(id, key, true)
}

// RemoveContact is [Store.RemoveContact] in the transaction.
func (tx *Txn[ID]) RemoveContact(id ID, key graph.ContactKey) error {
	return tx.editContact(id, key, false)
}

func (tx *Txn[ID]) editContact(id ID, key graph.ContactKey, on bool) error {
	if err := tx.ok(); err != nil {
		return err
	}
	if err := graph.CheckContactKey(key); err != nil {
		return err
	}
	return tx.s.editContactLocked(id, key, on)
}

// SetSettings is [Store.SetSettings] in the transaction.
func (tx *Txn[ID]) SetSettings(id ID, st inbox.Settings) error {
	if err := tx.ok(); err != nil {
		return err
	}
	if err := st.Defined(); err != nil {
		return err
	}
	return tx.s.setSettings(id, st)
}

// SetConversation is [Store.SetConversation] in the transaction.
func (tx *Txn[ID]) SetConversation(from, to ID, st inbox.State, at time.Time) error {
	if err := tx.ok(); err != nil {
		return err
	}
	started, err := checkConversation(from, to, st, at)
	if err != nil {
		return err
	}
	return tx.s.setConversation(from, to, st, started)
}

// Accept is [Store.Accept] in the transaction.
func (tx *Txn[ID]) Accept(recipient, sender ID) error {
	if err := tx.ok(); err != nil {
		return err
	}
	return tx.s.answerLocked(recipient, sender, inbox.Accepted)
}

// Decline is [Store.Decline] in the transaction.
func (tx *Txn[ID]) Decline(recipient, sender ID) error {
	if err := tx.ok(); err != nil {
		return err
	}
	return tx.s.answerLocked(recipient, sender, inbox.Declined)
}
