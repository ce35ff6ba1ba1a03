package graph

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/dmprivacy/dmprivacy/internal/sortedset"
)

// ContactKey identifies a phone number without being one: an opaque,
// already-hashed key that the host derives from a normalised number (for
// example an HMAC with a secret the host keeps). The SDK only compares keys;
// it never sees, stores or needs a raw number.
type ContactKey string

// Memory is the embedded, in-memory graph: the default store, the reference
// every host adapter is compared with (see graph/graphtest), and the store
// behind the examples and benchmarks.
//
// IDs are interned to dense integers on first use, and each user's edges are
// sorted integer sets, so a check costs a few cache lines whatever the
// degree: a follow check searches the smaller side.
//
// A Memory is safe for concurrent use. Writes are linearizable: once a write
// method returns, every later read sees it. The zero Memory is not usable;
// call [NewMemory].
type Memory[ID comparable] struct {
	mu    sync.RWMutex
	index map[ID]uint32
	nodes []node[ID]

	keys       map[ContactKey]uint32 // interned contact keys; 0 is "no key"
	keyOwner   []uint32              // key → node index + 1, or 0
	keyHolders [][]uint32            // key → nodes whose synced contacts hold it
}

type node[ID comparable] struct {
	id        ID
	user      User
	following []uint32 // users this one follows
	followers []uint32
	blocks    []uint32 // users this one blocked
	restricts []uint32 // users this one restricted
	facebook  []uint32
	book      []uint32 // synced contact keys
	key       uint32   // this user's own contact key, 0 if none
}

// Compile-time checks that Memory implements the read interfaces.
var (
	_ Reader[string]     = (*Memory[string])(nil)
	_ PairReader[string] = (*Memory[string])(nil)
)

// NewMemory returns an empty in-memory graph.
func NewMemory[ID comparable]() *Memory[ID] {
	return &Memory[ID]{
		index:    make(map[ID]uint32),
		keys:     make(map[ContactKey]uint32),
		keyOwner: []uint32{0},
		// keyHolders[0] is unused: key 0 means "no key".
		keyHolders: [][]uint32{nil},
	}
}

// Len returns the number of users the store knows.
func (m *Memory[ID]) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.nodes)
}

// SetUser adds the user id, or replaces its account facts. The status must be
// set: the zero status means "no such user", so it is refused with
// [ErrInvalidUser]; to close an account, set Deactivated, Suspended or
// Deleted. Edges are kept when a user is replaced.
func (m *Memory[ID]) SetUser(id ID, u User) error {
	if u.Status == StatusUnknown || u.Status > Deleted {
		return fmt.Errorf("%w: status %v (set Active, Deactivated, Suspended or Deleted)", ErrInvalidUser, u.Status)
	}
	if u.Band > Age18Plus {
		return fmt.Errorf("%w: age band %v", ErrInvalidUser, u.Band)
	}
	if u.Birth.IsZero() && u.Band != AgeUnknown && u.BandAsOf.IsZero() {
		return fmt.Errorf("%w: age band %v without the date it was verified", ErrInvalidUser, u.Band)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if i, ok := m.index[id]; ok {
		m.nodes[i].user = u
		return nil
	}
	m.index[id] = uint32(len(m.nodes))
	m.nodes = append(m.nodes, node[ID]{id: id, user: u})
	return nil
}

// User returns the account facts of id, or the zero User if id is unknown.
func (m *Memory[ID]) User(_ context.Context, id ID) (User, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if i, ok := m.index[id]; ok {
		return m.nodes[i].user, nil
	}
	return User{}, nil
}

// HasEdge reports whether the relation kind holds from one user to another;
// false for unknown users and invalid kinds.
func (m *Memory[ID]) HasEdge(_ context.Context, kind Edge, from, to ID) (bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, okA := m.index[from]
	b, okB := m.index[to]
	if !okA || !okB {
		return false, nil
	}
	return m.has(kind, a, b), nil
}

// Pair returns every graph fact about a and b under one read lock, so the
// facts are a consistent snapshot.
func (m *Memory[ID]) Pair(_ context.Context, a, b ID) (Pair, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var p Pair
	ia, okA := m.index[a]
	ib, okB := m.index[b]
	if okA {
		p.A = m.nodes[ia].user
	}
	if okB {
		p.B = m.nodes[ib].user
	}
	if !okA || !okB {
		return p, nil
	}
	na, nb := &m.nodes[ia], &m.nodes[ib]
	if follows(na, nb, ib, ia) {
		p.Edges |= FollowAB
	}
	if follows(nb, na, ia, ib) {
		p.Edges |= FollowBA
	}
	if sortedset.Contains(na.blocks, ib) {
		p.Edges |= BlockAB
	}
	if sortedset.Contains(nb.blocks, ia) {
		p.Edges |= BlockBA
	}
	if sortedset.Contains(na.restricts, ib) {
		p.Edges |= RestrictAB
	}
	if sortedset.Contains(nb.restricts, ia) {
		p.Edges |= RestrictBA
	}
	if nb.key != 0 && sortedset.Contains(na.book, nb.key) {
		p.Edges |= ContactAB
	}
	if na.key != 0 && sortedset.Contains(nb.book, na.key) {
		p.Edges |= ContactBA
	}
	if sortedset.Contains(na.facebook, ib) {
		p.Edges |= FacebookAB
	}
	return p, nil
}

// follows reports whether x follows y, searching the smaller of x's
// following and y's followers.
func follows[ID comparable](x, y *node[ID], yi, xi uint32) bool {
	if len(x.following) <= len(y.followers) {
		return sortedset.Contains(x.following, yi)
	}
	return sortedset.Contains(y.followers, xi)
}

func (m *Memory[ID]) has(kind Edge, a, b uint32) bool {
	na, nb := &m.nodes[a], &m.nodes[b]
	switch kind {
	case Follow:
		return follows(na, nb, b, a)
	case Block:
		return sortedset.Contains(na.blocks, b)
	case Restrict:
		return sortedset.Contains(na.restricts, b)
	case Contact:
		return nb.key != 0 && sortedset.Contains(na.book, nb.key)
	case Facebook:
		return sortedset.Contains(na.facebook, b)
	}
	return false
}

// Follow records that from follows to. It is idempotent; it fails with
// [ErrUnknownUser] or [ErrSelfEdge].
func (m *Memory[ID]) Follow(from, to ID) error { return m.setEdge(Follow, from, to, true) }

// Unfollow removes the follow from → to, if any.
func (m *Memory[ID]) Unfollow(from, to ID) error { return m.setEdge(Follow, from, to, false) }

// Block records that from blocked to. Follows are kept: a block denies
// messages whatever else holds, and unblocking restores the rest.
func (m *Memory[ID]) Block(from, to ID) error { return m.setEdge(Block, from, to, true) }

// Unblock removes the block from → to, if any.
func (m *Memory[ID]) Unblock(from, to ID) error { return m.setEdge(Block, from, to, false) }

// Restrict records that from restricted to: to's messages reach from's
// requests, and to is not told.
func (m *Memory[ID]) Restrict(from, to ID) error { return m.setEdge(Restrict, from, to, true) }

// Unrestrict removes the restriction from → to, if any.
func (m *Memory[ID]) Unrestrict(from, to ID) error { return m.setEdge(Restrict, from, to, false) }

// LinkFacebook records that a and b are Facebook friends (symmetric).
func (m *Memory[ID]) LinkFacebook(a, b ID) error { return m.setEdge(Facebook, a, b, true) }

// UnlinkFacebook removes the Facebook link between a and b, if any.
func (m *Memory[ID]) UnlinkFacebook(a, b ID) error { return m.setEdge(Facebook, a, b, false) }

// SetEdge adds (on is true) or removes the relation kind from → to: the
// general form of Follow, Block, Restrict and LinkFacebook. Contacts are
// keys, not edges: see [Memory.SetContactKey] and [Memory.SyncContacts].
func (m *Memory[ID]) SetEdge(kind Edge, from, to ID, on bool) error {
	if kind == Contact || !kind.Valid() {
		return fmt.Errorf("%w: %v (contacts are set with SetContactKey and SyncContacts)", ErrInvalidEdge, kind)
	}
	return m.setEdge(kind, from, to, on)
}

func (m *Memory[ID]) setEdge(kind Edge, from, to ID, on bool) error {
	if from == to {
		return fmt.Errorf("%w: %v %v", ErrSelfEdge, kind, from)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, b, err := m.pair(from, to)
	if err != nil {
		return err
	}
	na, nb := &m.nodes[a], &m.nodes[b]
	set := insertOrRemove(on)
	switch kind {
	case Follow:
		na.following = set(na.following, b)
		nb.followers = set(nb.followers, a)
	case Block:
		na.blocks = set(na.blocks, b)
	case Restrict:
		na.restricts = set(na.restricts, b)
	case Facebook:
		na.facebook = set(na.facebook, b)
		nb.facebook = set(nb.facebook, a)
	}
	return nil
}

func insertOrRemove(on bool) func([]uint32, uint32) []uint32 {
	if on {
		return func(s []uint32, x uint32) []uint32 { s, _ = sortedset.Insert(s, x); return s }
	}
	return func(s []uint32, x uint32) []uint32 { s, _ = sortedset.Remove(s, x); return s }
}

func (m *Memory[ID]) pair(from, to ID) (uint32, uint32, error) {
	a, ok := m.index[from]
	if !ok {
		return 0, 0, fmt.Errorf("%w: %v", ErrUnknownUser, from)
	}
	b, ok := m.index[to]
	if !ok {
		return 0, 0, fmt.Errorf("%w: %v", ErrUnknownUser, to)
	}
	return a, b, nil
}

// CheckContactKey returns [ErrRawNumber] if k looks like a phone number
// (only digits and + - ( ) . and spaces, with at least 7 digits) rather than
// a hash, and an error for an empty key. Hosts must hash numbers before they
// reach the SDK; this catches the mistake of passing them raw.
func CheckContactKey(k ContactKey) error {
	if k == "" {
		return fmt.Errorf("graph: empty contact key")
	}
	digits := 0
	for _, r := range string(k) {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-(). ", r):
		default:
			return nil
		}
	}
	if digits >= 7 {
		return ErrRawNumber
	}
	return nil
}

// SetContactKey sets the key of id's own phone number, so that users whose
// synced contacts hold the key have id's number. An empty key removes it. A
// number belongs to one account: setting a key another user holds moves it
// (numbers are recycled).
func (m *Memory[ID]) SetContactKey(id ID, key ContactKey) error {
	if key != "" {
		if err := CheckContactKey(key); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.index[id]
	if !ok {
		return fmt.Errorf("%w: %v", ErrUnknownUser, id)
	}
	n := &m.nodes[i]
	if n.key != 0 {
		m.keyOwner[n.key] = 0
		n.key = 0
	}
	if key == "" {
		return nil
	}
	k := m.intern(key)
	if prev := m.keyOwner[k]; prev != 0 {
		m.nodes[prev-1].key = 0
	}
	m.keyOwner[k] = i + 1
	n.key = k
	return nil
}

// SyncContacts replaces id's synced contacts (their uploaded address book)
// with keys. Keys no account holds are kept: they match an account that
// sets that key later.
func (m *Memory[ID]) SyncContacts(id ID, keys []ContactKey) error {
	for _, k := range keys {
		if err := CheckContactKey(k); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.index[id]
	if !ok {
		return fmt.Errorf("%w: %v", ErrUnknownUser, id)
	}
	n := &m.nodes[i]
	for _, k := range n.book {
		m.keyHolders[k], _ = sortedset.Remove(m.keyHolders[k], i)
	}
	n.book = n.book[:0]
	for _, key := range keys {
		k := m.intern(key)
		n.book, _ = sortedset.Insert(n.book, k)
		m.keyHolders[k], _ = sortedset.Insert(m.keyHolders[k], i)
	}
	return nil
}

// AddContact adds one key to id's synced contacts.
func (m *Memory[ID]) AddContact(id ID, key ContactKey) error {
	return m.editContact(id, key, true)
}

// RemoveContact removes one key from id's synced contacts, if present.
func (m *Memory[ID]) RemoveContact(id ID, key ContactKey) error {
	return m.editContact(id, key, false)
}

func (m *Memory[ID]) editContact(id ID, key ContactKey, on bool) error {
	if err := CheckContactKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.index[id]
	if !ok {
		return fmt.Errorf("%w: %v", ErrUnknownUser, id)
	}
	n := &m.nodes[i]
	if on {
		k := m.intern(key)
		n.book, _ = sortedset.Insert(n.book, k)
		m.keyHolders[k], _ = sortedset.Insert(m.keyHolders[k], i)
		return nil
	}
	if k, ok := m.keys[key]; ok {
		n.book, _ = sortedset.Remove(n.book, k)
		m.keyHolders[k], _ = sortedset.Remove(m.keyHolders[k], i)
	}
	return nil
}

func (m *Memory[ID]) intern(key ContactKey) uint32 {
	if k, ok := m.keys[key]; ok {
		return k
	}
	k := uint32(len(m.keyOwner))
	m.keys[key] = k
	m.keyOwner = append(m.keyOwner, 0)
	m.keyHolders = append(m.keyHolders, nil)
	return k
}
