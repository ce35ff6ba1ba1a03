package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dmprivacy/dmprivacy/internal/intern"
	"github.com/dmprivacy/dmprivacy/internal/sortedset"
)

// ContactKey identifies a phone number without being one: an opaque,
// already-hashed key that the host derives from a normalised number (for
// example an HMAC with a secret the host keeps). The SDK only compares keys;
// it never sees, stores or needs a raw number.
type ContactKey string

// Memory is the embedded, in-memory graph: the default store, the reference
// every host adapter is compared with (see graph/graphtest), and the store
// behind the examples and benchmarks. It is sized for millions of users:
// about 11 bytes of heap per follow edge with both directions kept.
//
// IDs are interned to dense integers on first use. Each user's relations
// (following, followers, blocks, restrictions, Facebook links, synced
// contacts) are sorted integer sets packed into one immutable block, so a
// pair check reads two blocks a cache line or two long whatever the
// degrees; a follow check searches the smaller side. A set that outgrows
// copying (a celebrity's followers) moves to a hashed set where a write
// copies one bucket of about 64 entries, so Follow costs the same on a user
// with a million followers as on anyone.
//
// A Memory is safe for concurrent use, and reads take no lock: writers
// (serialized by a mutex) publish new blocks through atomic pointers, and a
// read that spans two users checks their version counters and retries if a
// write overlapped it (a sequence lock). Writes are linearizable: once a
// write method returns, every later read sees it, and [Memory.Pair] is a
// consistent snapshot of both users. The zero Memory is not usable; call
// [NewMemory].
type Memory[ID comparable] struct {
	mu    sync.Mutex // serializes writers
	users intern.Map[ID, node]
	keys  intern.Map[ContactKey, keyInfo]

	promote, demote int // promoteLen and demoteLen
	pool            int // how many candidates beyond n RecommendAt ranks before filtering
}

// The sets in a user's block, in order: the small ones first, so that the
// block's first cache line usually holds them with the header, and a check
// that needs only them (the recipient's side of a share sheet) costs one
// miss.
const (
	setBlocks    = iota // users this one blocked
	setRestricts        // users this one restricted
	setFacebook         // Facebook friends
	setOut              // users this one follows
	setIn               // this user's followers
	setBook             // synced contacts: keys, not users
	numSets
)

// Sets hold sortedset.Perm of a user's dense index (of a key's, for the
// book), so every set has the same order, small or big.

// promoteLen is the length beyond which a set leaves the block for a
// sortedset.Big, and demoteLen the length below which it comes back. A
// block stays under a few pages, so a write copies at most that much.
// (Each Memory holds its own copy, so that tests can use small ones.)
const (
	promoteLen = 1024
	demoteLen  = 256
)

// node is one user. Every field is read without a lock; writers change
// them with ver odd.
type node struct {
	ver  atomic.Uint32          // even when stable; odd while a writer changes the node
	key  atomic.Uint32          // own contact key's index + 1; 0 if none
	user atomic.Uint64          // the account facts, packed (see pack)
	sets atomic.Pointer[uint32] // the block of numSets sets; nil when all are empty
	ext  atomic.Pointer[ext]    // the rare rest; nil for most users
}

// ext holds what most users never need. It is immutable once published.
type ext struct {
	user *User                   // the account facts when they do not pack
	big  [numSets]*sortedset.Big // sets too large for the block (then empty there)
}

type keyInfo struct {
	owner atomic.Uint32 // the index + 1 of the user whose number this is; 0 if nobody's
}

// Compile-time checks that Memory implements the read interfaces.
var (
	_ Reader[string]          = (*Memory[string])(nil)
	_ PairReader[string]      = (*Memory[string])(nil)
	_ PairBatchReader[string] = (*Memory[string])(nil)
	_ Lister[string]          = (*Memory[string])(nil)
)

// NewMemory returns an empty in-memory graph.
func NewMemory[ID comparable]() *Memory[ID] {
	return &Memory[ID]{promote: promoteLen, demote: demoteLen, pool: 32}
}

// Len returns the number of users the store knows.
func (m *Memory[ID]) Len() int { return m.users.Len() }

// Grow makes room for n users in all, so that adding them allocates less
// and the index is no larger than they need: for bulk loading.
func (m *Memory[ID]) Grow(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.users.Grow(n)
}

// Packed account facts: status, band and flags in the low bits, then the
// birth date and the band's date as days since the Unix epoch.
const (
	statusBits = 0x7
	bandShift  = 3
	verifiedF  = 1 << 6
	hideCF     = 1 << 7
	hideFF     = 1 << 8
	exoticF    = 1 << 9 // the facts did not pack: read ext.user
	birthF     = 1 << 10
	asOfF      = 1 << 11
	birthShift = 12
	asOfShift  = 38
	dayBits    = 26
	dayBias    = 1 << (dayBits - 1)
)

// dayOf returns t as days since the epoch if t is exactly what unpack
// would rebuild: midnight UTC, no monotonic reading, in range.
func dayOf(t time.Time) (uint64, bool) {
	s := t.Unix()
	if s%86400 != 0 {
		return 0, false
	}
	d := s/86400 + dayBias
	if d < 0 || d >= 1<<dayBits || time.Unix(s, 0).UTC() != t {
		return 0, false
	}
	return uint64(d), true
}

func dayTime(w uint64, shift uint) time.Time {
	d := int64(w>>shift&(1<<dayBits-1)) - dayBias
	return time.Unix(d*86400, 0).UTC()
}

// pack returns u's packed form and whether it packed; when not, the store
// keeps u whole in ext and the word carries exoticF.
func pack(u User) (uint64, bool) {
	w := uint64(u.Status) | uint64(u.Band)<<bandShift
	if u.Verified {
		w |= verifiedF
	}
	if u.HideFromContacts {
		w |= hideCF
	}
	if u.HideFromFacebook {
		w |= hideFF
	}
	ok := true
	if !u.Birth.IsZero() {
		d, fits := dayOf(u.Birth)
		w |= birthF | d<<birthShift
		ok = fits
	}
	if !u.BandAsOf.IsZero() {
		d, fits := dayOf(u.BandAsOf)
		w |= asOfF | d<<asOfShift
		ok = ok && fits
	}
	if !ok {
		w = w&(1<<birthShift-1) | exoticF
	}
	return w, ok
}

func unpack(w uint64, x *ext) User {
	var u User
	unpackInto(&u, w, x)
	return u
}

// unpackInto is unpack writing in place, which saves copying a User (a
// Pair is read field by field on every decision).
func unpackInto(u *User, w uint64, x *ext) {
	if w&exoticF != 0 && x != nil && x.user != nil {
		*u = *x.user
		return
	}
	u.Status = Status(w & statusBits)
	u.Band = AgeBand(w >> bandShift & 0x7)
	u.Verified = w&verifiedF != 0
	u.HideFromContacts = w&hideCF != 0
	u.HideFromFacebook = w&hideFF != 0
	u.Birth, u.BandAsOf = time.Time{}, time.Time{}
	if w&birthF != 0 {
		u.Birth = dayTime(w, birthShift)
	}
	if w&asOfF != 0 {
		u.BandAsOf = dayTime(w, asOfShift)
	}
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
	w, packed := pack(u)
	m.mu.Lock()
	defer m.mu.Unlock()
	_, e, added := m.users.Add(id, func(n *node) {
		if !packed {
			n.ext.Store(&ext{user: &u})
		}
		n.user.Store(w)
	})
	if added {
		return nil
	}
	n := &e.Val
	n.ver.Add(1)
	if !packed {
		// Publish the facts before the word that points at them. A stale
		// ext.user is left in place when a user stops being exotic: the
		// word no longer points at it.
		n.ext.Store(n.ext.Load().with(func(x *ext) { x.user = &u }))
	}
	n.user.Store(w)
	n.ver.Add(1)
	return nil
}

// with returns a copy of x (or of an empty ext) changed by f.
func (x *ext) with(f func(*ext)) *ext {
	var c ext
	if x != nil {
		c = *x
	}
	f(&c)
	if c == (ext{}) {
		return nil
	}
	return &c
}

// User returns the account facts of id, or the zero User if id is unknown.
func (m *Memory[ID]) User(_ context.Context, id ID) (User, error) {
	_, e, ok := m.users.Get(id)
	if !ok {
		return User{}, nil
	}
	n := &e.Val
	for range spins {
		v := n.ver.Load()
		u := unpack(n.user.Load(), n.ext.Load())
		if v&1 == 0 && n.ver.Load() == v {
			return u, nil
		}
	}
	return m.snapshot(n).user, nil
}

// view is a user's sets as one reader saw them: their block, where each
// set starts in it, and ext.
type view struct {
	b   *uint32
	off sortedset.Offsets
	x   *ext
}

func (n *node) view() view {
	var v view
	n.load(&v)
	return v
}

// load reads n into v (in place: see sortedset.Locate).
func (n *node) load(v *view) {
	// The block before ext: a writer moving a set out of the block
	// publishes ext first, and moving one in publishes the block first, so
	// this order never sees a set in neither place.
	v.b = n.sets.Load()
	sortedset.Locate(v.b, numSets, &v.off)
	v.x = n.ext.Load()
}

// set returns set i when it is in the block (else it is in v.x.big).
func (v *view) set(i int) []uint32 { return sortedset.At(v.b, &v.off, i) }

func (v *view) size(i int) int {
	if v.x != nil && v.x.big[i] != nil {
		return v.x.big[i].Len()
	}
	return int(v.off[i+1] - v.off[i])
}

func (v *view) has(i int, key uint32) bool {
	if v.x != nil && v.x.big[i] != nil {
		return v.x.big[i].Contains(key)
	}
	return sortedset.Contains(v.set(i), key)
}

// edges returns the relations of the pair (a, b) from their views: ia, ib
// are their indexes, ka, kb their own contact keys (index + 1, or 0).
func edges(a, b *view, ia, ib, ka, kb uint32) Edges {
	pa, pb := sortedset.Perm(ia), sortedset.Perm(ib)
	if a.x == nil && b.x == nil {
		return smallEdges(a, b, pa, pb, ka, kb)
	}
	var e Edges
	// A follow is in both the follower's out-set and the followed's
	// in-set: search the smaller.
	if a.size(setOut) <= b.size(setIn) {
		if a.has(setOut, pb) {
			e |= FollowAB
		}
	} else if b.has(setIn, pa) {
		e |= FollowAB
	}
	if b.size(setOut) <= a.size(setIn) {
		if b.has(setOut, pa) {
			e |= FollowBA
		}
	} else if a.has(setIn, pb) {
		e |= FollowBA
	}
	if a.has(setBlocks, pb) {
		e |= BlockAB
	}
	if b.has(setBlocks, pa) {
		e |= BlockBA
	}
	if a.has(setRestricts, pb) {
		e |= RestrictAB
	}
	if b.has(setRestricts, pa) {
		e |= RestrictBA
	}
	if kb != 0 && a.has(setBook, sortedset.Perm(kb-1)) {
		e |= ContactAB
	}
	if ka != 0 && b.has(setBook, sortedset.Perm(ka-1)) {
		e |= ContactBA
	}
	if a.size(setFacebook) <= b.size(setFacebook) {
		if a.has(setFacebook, pb) {
			e |= FacebookAB
		}
	} else if b.has(setFacebook, pa) {
		e |= FacebookAB
	}
	return e
}

// smallEdges is edges for two users whose sets are all in their blocks:
// the common case, without the checks for hashed sets.
func smallEdges(a, b *view, pa, pb, ka, kb uint32) Edges {
	var e Edges
	aOut, aIn, bOut, bIn := a.set(setOut), a.set(setIn), b.set(setOut), b.set(setIn)
	if len(aOut) <= len(bIn) {
		if sortedset.Contains(aOut, pb) {
			e |= FollowAB
		}
	} else if sortedset.Contains(bIn, pa) {
		e |= FollowAB
	}
	if len(bOut) <= len(aIn) {
		if sortedset.Contains(bOut, pa) {
			e |= FollowBA
		}
	} else if sortedset.Contains(aIn, pb) {
		e |= FollowBA
	}
	// The rare sets are usually empty: test the lengths from the header
	// before slicing.
	if a.off[setBlocks+1] != a.off[setBlocks] && sortedset.Contains(a.set(setBlocks), pb) {
		e |= BlockAB
	}
	if b.off[setBlocks+1] != b.off[setBlocks] && sortedset.Contains(b.set(setBlocks), pa) {
		e |= BlockBA
	}
	if a.off[setRestricts+1] != a.off[setRestricts] && sortedset.Contains(a.set(setRestricts), pb) {
		e |= RestrictAB
	}
	if b.off[setRestricts+1] != b.off[setRestricts] && sortedset.Contains(b.set(setRestricts), pa) {
		e |= RestrictBA
	}
	if kb != 0 && a.off[setBook+1] != a.off[setBook] && sortedset.Contains(a.set(setBook), sortedset.Perm(kb-1)) {
		e |= ContactAB
	}
	if ka != 0 && b.off[setBook+1] != b.off[setBook] && sortedset.Contains(b.set(setBook), sortedset.Perm(ka-1)) {
		e |= ContactBA
	}
	if a.off[setFacebook+1] != a.off[setFacebook] && b.off[setFacebook+1] != b.off[setFacebook] {
		if fa, fb := a.set(setFacebook), b.set(setFacebook); len(fa) <= len(fb) {
			if sortedset.Contains(fa, pb) {
				e |= FacebookAB
			}
		} else if sortedset.Contains(fb, pa) {
			e |= FacebookAB
		}
	}
	return e
}

// spins is how many times a read retries after overlapping a write before
// it waits for writers instead.
const spins = 16

// read runs f while neither a nor b changes (b may be a), so that what f
// reads is a snapshot of both. f must only read.
func (m *Memory[ID]) read(a, b *node, f func()) {
	for range spins {
		va, vb := a.ver.Load(), b.ver.Load()
		if (va|vb)&1 == 0 {
			f()
			if a.ver.Load() == va && b.ver.Load() == vb {
				return
			}
		}
	}
	// A writer keeps overlapping (or was descheduled mid-write): read
	// under the writers' lock, where nothing changes.
	m.mu.Lock()
	defer m.mu.Unlock()
	f()
}

// HasEdge reports whether the relation kind holds from one user to another;
// false for unknown users and invalid kinds.
func (m *Memory[ID]) HasEdge(_ context.Context, kind Edge, from, to ID) (bool, error) {
	ia, ea, okA := m.users.Get(from)
	ib, eb, okB := m.users.Get(to)
	if !okA || !okB || !kind.Valid() {
		return false, nil
	}
	var e Edges
	m.read(&ea.Val, &eb.Val, func() {
		a, b := ea.Val.view(), eb.Val.view()
		e = edges(&a, &b, ia, ib, ea.Val.key.Load(), eb.Val.key.Load())
	})
	return e.Has(EdgeBit(kind, true)), nil
}

// Pair returns every graph fact about a and b, as one consistent snapshot.
func (m *Memory[ID]) Pair(_ context.Context, a, b ID) (Pair, error) {
	var p Pair
	m.PairInto(a, b, &p)
	return p, nil
}

// PairInto is Pair writing into *p: for a caller that keeps the facts in a
// larger struct (the joined fact reader of inbox.Memory), it saves copying
// a Pair on a path of a few hundred nanoseconds.
func (m *Memory[ID]) PairInto(a, b ID, p *Pair) {
	// Both lookups' misses in flight at once, step by step.
	pa, pb := m.Probe(a), m.Probe(b)
	m.PairFound(m.Finish(a, pa), m.Finish(b, pb), p)
}

// Probe starts looking id up: it hashes id and loads the index word the
// lookup needs first, so that its cache miss overlaps what the caller does
// next. [Memory.Finish] and [Memory.PairFound] complete it. Together they
// are PairInto split in three, for a reader that looks the same users up
// in another store in between (the embedded inbox's joined reader,
// inbox.Memory.Join): each step's misses in both stores then overlap, and
// a decision waits for one miss per step rather than one per store. The
// probe's type is internal to this module; most callers want Pair.
func (m *Memory[ID]) Probe(id ID) intern.Probe { return m.users.Start(intern.Hash(id)) }

// Found is a user looked up by [Memory.Finish]; the zero Found is a user
// the store does not know.
type Found struct {
	i uint32
	n *node
}

// Finish completes the lookup of id begun by [Memory.Probe]: it loads the
// user's entry, the second miss of a lookup. A probe of another ID is not
// an error: id is then looked up afresh.
func (m *Memory[ID]) Finish(id ID, pr intern.Probe) Found {
	i, e, ok := m.users.Finish(id, pr)
	if !ok {
		i, e, ok = m.users.Get(id)
	}
	if !ok {
		return Found{}
	}
	return Found{i: i, n: &e.Val}
}

// PairFound is PairInto for users found by [Memory.Finish].
func (m *Memory[ID]) PairFound(a, b Found, p *Pair) {
	switch {
	case a.n != nil && b.n != nil:
		m.pairOf(p, a.i, b.i, a.n, b.n)
	case a.n != nil:
		*p = Pair{A: m.snapshot(a.n).user}
	case b.n != nil:
		*p = Pair{B: m.snapshot(b.n).user}
	default:
		*p = Pair{}
	}
}

func (m *Memory[ID]) pairOf(p *Pair, ia, ib uint32, na, nb *node) {
	for range spins {
		va, vb := na.ver.Load(), nb.ver.Load()
		if (va|vb)&1 == 0 {
			readPair(p, ia, ib, na, nb)
			if na.ver.Load() == va && nb.ver.Load() == vb {
				return
			}
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	readPair(p, ia, ib, na, nb)
}

func readPair(p *Pair, ia, ib uint32, na, nb *node) {
	var a, b view
	na.load(&a)
	nb.load(&b)
	unpackInto(&p.A, na.user.Load(), a.x)
	unpackInto(&p.B, nb.user.Load(), b.x)
	p.Edges = edges(&a, &b, ia, ib, na.key.Load(), nb.key.Load())
}

// PairBatch fills dst[i] with Pair(a, bs[i]): the facts of one user with
// many, for a share sheet. It reads a once and arranges the lookups of bs
// so that their cache misses overlap. len(dst) must equal len(bs).
func (m *Memory[ID]) PairBatch(_ context.Context, a ID, bs []ID, dst []Pair) error {
	if len(dst) != len(bs) {
		return fmt.Errorf("graph: PairBatch: %d users but %d results", len(bs), len(dst))
	}
	ia, ea, okA := m.users.Get(a)
	var sa snapshot
	if okA {
		sa = m.snapshot(&ea.Val)
	}
	const step = 64
	var idx [step]uint32
	var ents [step]*intern.Entry[ID, node]
	var vers [step]uint32
	var blocks [step]*uint32
	var heads [step]uint32
	var vb view
	for lo := 0; lo < len(bs); lo += step {
		hi := min(lo+step, len(bs))
		m.users.FindAll(bs[lo:hi], idx[:hi-lo], ents[:hi-lo])
		// Start every block's miss before using any: a tight loop of
		// independent loads, which the CPU keeps in flight together.
		for j := range hi - lo {
			if e := ents[j]; e != nil {
				vers[j] = e.Val.ver.Load()
				if blocks[j] = e.Val.sets.Load(); blocks[j] != nil {
					heads[j] = *blocks[j]
				}
			}
		}
		for j := range hi - lo {
			p := &dst[lo+j]
			e := ents[j]
			if e == nil {
				*p = Pair{A: sa.user}
				continue
			}
			nb := &e.Val
			if !okA {
				*p = Pair{B: m.snapshot(nb).user}
				continue
			}
			if vb.b = blocks[j]; vb.b != nil {
				sortedset.LocateFull(vb.b, heads[j], &vb.off)
			} else {
				vb.off = sortedset.Offsets{}
			}
			vb.x = nb.ext.Load()
			p.A = sa.user
			unpackInto(&p.B, nb.user.Load(), vb.x)
			p.Edges = fanEdges(&sa.view, &vb, ia, idx[j], sa.key, nb.key.Load())
			if (vers[j]|sa.ver)&1 != 0 || nb.ver.Load() != vers[j] || ea.Val.ver.Load() != sa.ver {
				// A write overlapped: read this pair again, and a afresh.
				m.pairOf(p, ia, idx[j], &ea.Val, nb)
				sa = m.snapshot(&ea.Val)
			}
		}
	}
	return nil
}

// fanEdges is edges for one user a with many: a's sets are in cache, each
// b's are a miss away, so it searches a's side wherever a's set is in its
// block (sorted) or b's is not (hashed on both sides: a's, which is as
// good), and reads from b only what only b has: b's blocks, restrictions
// and contacts, which its block header usually says are empty.
func fanEdges(a, b *view, ia, ib, ka, kb uint32) Edges {
	pa, pb := sortedset.Perm(ia), sortedset.Perm(ib)
	var e Edges
	if a.inBlock(setOut) || !b.inBlock(setIn) {
		if a.has(setOut, pb) {
			e |= FollowAB
		}
	} else if b.has(setIn, pa) {
		e |= FollowAB
	}
	if a.inBlock(setIn) || !b.inBlock(setOut) {
		if a.has(setIn, pb) {
			e |= FollowBA
		}
	} else if b.has(setOut, pa) {
		e |= FollowBA
	}
	if a.has(setBlocks, pb) {
		e |= BlockAB
	}
	if b.size(setBlocks) > 0 && b.has(setBlocks, pa) {
		e |= BlockBA
	}
	if a.has(setRestricts, pb) {
		e |= RestrictAB
	}
	if b.size(setRestricts) > 0 && b.has(setRestricts, pa) {
		e |= RestrictBA
	}
	if kb != 0 && a.has(setBook, sortedset.Perm(kb-1)) {
		e |= ContactAB
	}
	if ka != 0 && b.size(setBook) > 0 && b.has(setBook, sortedset.Perm(ka-1)) {
		e |= ContactBA
	}
	if a.has(setFacebook, pb) {
		e |= FacebookAB
	}
	return e
}

// inBlock reports whether set i is in the block (not hashed).
func (v *view) inBlock(i int) bool { return v.x == nil || v.x.big[i] == nil }

// snapshot is one user as a reader saw them at version ver.
type snapshot struct {
	ver  uint32
	view view
	user User
	key  uint32
}

func (m *Memory[ID]) snapshot(n *node) snapshot {
	var s snapshot
	read := func() {
		s.view = n.view()
		s.user = unpack(n.user.Load(), s.view.x)
		s.key = n.key.Load()
	}
	for range spins {
		if s.ver = n.ver.Load(); s.ver&1 == 0 {
			read()
			if n.ver.Load() == s.ver {
				return s
			}
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s.ver = n.ver.Load()
	read()
	return s
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

// edgeSets is the set an edge kind adds to on its actor and on its target
// (-1: none).
var edgeSets = [...][2]int{
	Follow:   {setOut, setIn},
	Block:    {setBlocks, -1},
	Restrict: {setRestricts, -1},
	Facebook: {setFacebook, setFacebook},
}

func (m *Memory[ID]) setEdge(kind Edge, from, to ID, on bool) error {
	if from == to {
		return fmt.Errorf("%w: %v %v", ErrSelfEdge, kind, from)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, na, err := m.user(from)
	if err != nil {
		return err
	}
	b, nb, err := m.user(to)
	if err != nil {
		return err
	}
	sets := edgeSets[kind]
	na.ver.Add(1)
	nb.ver.Add(1)
	m.change(na, sets[0], sortedset.Perm(b), on)
	if sets[1] >= 0 {
		m.change(nb, sets[1], sortedset.Perm(a), on)
	}
	na.ver.Add(1)
	nb.ver.Add(1)
	return nil
}

func (m *Memory[ID]) user(id ID) (uint32, *node, error) {
	i, e, ok := m.users.Get(id)
	if !ok {
		return 0, nil, fmt.Errorf("%w: %v", ErrUnknownUser, id)
	}
	return i, &e.Val, nil
}

// change adds key to set i of n, or removes it, and reports whether the set
// changed. The caller holds m.mu and has made n's version odd.
func (m *Memory[ID]) change(n *node, i int, key uint32, add bool) bool {
	x := n.ext.Load()
	if x != nil && x.big[i] != nil {
		big, changed := x.big[i].Set(key, add)
		switch {
		case !changed:
		case big.Len() < m.demote:
			m.replace(n, i, big.AppendFrom(nil, 0, -1))
		case big != x.big[i]:
			n.ext.Store(x.with(func(c *ext) { c.big[i] = big }))
		}
		return changed
	}
	b, changed := sortedset.With(n.sets.Load(), numSets, i, key, add)
	if !changed {
		return false
	}
	if s := sortedset.Open(b, numSets)[i]; len(s) > m.promote {
		m.replace(n, i, s)
		return true
	}
	n.sets.Store(b)
	return true
}

// replace sets set i of n to the sorted keys s, in the block or in a Big by
// its size. The caller holds m.mu and has made n's version odd.
func (m *Memory[ID]) replace(n *node, i int, s []uint32) {
	x := n.ext.Load()
	if len(s) > m.promote {
		// ext first, then the block: a reader loads the block first, so
		// it never finds the set in neither place.
		big := sortedset.NewBig(s)
		n.ext.Store(x.with(func(c *ext) { c.big[i] = big }))
		n.sets.Store(sortedset.Replace(n.sets.Load(), numSets, i, nil))
		return
	}
	n.sets.Store(sortedset.Replace(n.sets.Load(), numSets, i, s))
	if x != nil && x.big[i] != nil {
		n.ext.Store(x.with(func(c *ext) { c.big[i] = nil }))
	}
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
	i, n, err := m.user(id)
	if err != nil {
		return err
	}
	n.ver.Add(1)
	defer n.ver.Add(1)
	if old := n.key.Load(); old != 0 {
		m.keys.At(old - 1).Val.owner.Store(0)
		n.key.Store(0)
	}
	if key == "" {
		return nil
	}
	k, e, _ := m.keys.Add(key, nil)
	if prev := e.Val.owner.Load(); prev != 0 {
		p := &m.users.At(prev - 1).Val
		p.ver.Add(1)
		p.key.Store(0)
		p.ver.Add(1)
	}
	e.Val.owner.Store(i + 1)
	n.key.Store(k + 1)
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
	// Look the keys up together (their misses overlap) before taking the
	// lock (keys are never removed, so what is found stays), then add the
	// new ones.
	book := make([]uint32, len(keys))
	ents := make([]*intern.Entry[ContactKey, keyInfo], len(keys))
	m.keys.FindAll(keys, book, ents)
	m.mu.Lock()
	defer m.mu.Unlock()
	_, n, err := m.user(id)
	if err != nil {
		return err
	}
	for j, e := range ents {
		if e == nil {
			book[j], _, _ = m.keys.Add(keys[j], nil)
		}
		book[j] = sortedset.Perm(book[j])
	}
	book = sortUnique(book)
	n.ver.Add(1)
	m.replace(n, setBook, book)
	n.ver.Add(1)
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
	_, n, err := m.user(id)
	if err != nil {
		return err
	}
	var k uint32
	if on {
		k, _, _ = m.keys.Add(key, nil)
	} else {
		var ok bool
		if k, _, ok = m.keys.Get(key); !ok {
			return nil
		}
	}
	n.ver.Add(1)
	m.change(n, setBook, sortedset.Perm(k), on)
	n.ver.Add(1)
	return nil
}

// sortUnique sorts s and drops repeats, in place.
func sortUnique(s []uint32) []uint32 {
	slices.Sort(s)
	return slices.Compact(s)
}
