package memory

import (
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/internal/seqlock"
)

// ErrFull is returned by a write that would add a record past the most a
// store holds (2³¹ IDs outside the range kept at their own value). Other
// writes return graph's errors ([graph.ErrUnknownUser],
// [graph.ErrSelfEdge], …) and inbox's ([inbox.ErrInvalidMode],
// [inbox.ErrSelf], …), as a host's write path does.
var ErrFull = errors.New("memory: the store is full")

// Store is the embedded store: every graph and inbox fact of a platform's
// users, in memory, behind one ID table. It is the default the engine runs
// on, and the reference the conformance kits compare host adapters with.
//
// A Store is safe for concurrent use. Reads take no lock and allocate
// nothing; writes are serialized by a mutex and linearizable: once a write
// method returns, every later read sees it. The zero Store is not usable;
// call [New].
type Store[ID comparable] struct {
	mu sync.Mutex // serializes writers

	kind      idKind        // how IDs read as integers, if they do
	directMax atomic.Uint32 // integer IDs below it, when added, are records at their own value
	direct    atomic.Pointer[[]*recChunk[ID]]
	hashed    atomic.Pointer[[]*recChunk[ID]]
	nHashed   atomic.Uint32 // records addressed through the hash index
	index     atomic.Pointer[table]
	users     atomic.Int64 // records that are users (SetUser was called)

	records int      // records in use (users and inbox-only IDs), under mu
	txn     *Txn[ID] // the transaction Update is running, under mu

	arena arena
	keys  keyTable
	none  record[ID] // an unknown user's facts: none

	promote, demote int // set lengths at which a set becomes big, and small again
}

// Records. Each user — each ID the store knows — has one fixed-size record
// where a lookup lands: the account facts, the settings, and where the
// user's relations and conversations are in the arena, with their lengths,
// so that a decision reads its two records and then, at once, the few
// lines of their sets it searches. A record never moves.
type record[ID comparable] struct {
	seq      seqlock.Seq
	key      atomic.Uint32 // the user's own contact key's index + 1; 0 if none
	user     atomic.Uint64 // the account facts (see packUser), and inUse
	settings atomic.Uint64 // the inbox settings (see packSettings)
	lens     atomic.Uint64 // the lengths of the relation sets (see lensOf)
	rel      atomic.Uint32 // the relation block; 0 if every set is empty
	box      atomic.Uint32 // the conversation lists; 0 if none
	rare     atomic.Uint64 // a one-word filter of the blocks, restrictions and Facebook links (see filterBit)
	book     atomic.Uint64 // a one-word filter of the synced contacts
	id       ID            // set before the record is in use, then fixed
}

const (
	recChunkBits = 12
	recChunkSize = 1 << recChunkBits
	hashedBase   = 1 << 31 // indexes of records reached through the hash index start here
)

type recChunk[ID comparable] [recChunkSize]record[ID]

// inUse marks a record that holds an ID, in its user word.
const inUse = 1 << 63

var seed = maphash.MakeSeed()

func hashOf[ID comparable](id ID) uint64 { return maphash.Comparable(seed, id) }

// New returns an empty store.
func New[ID comparable]() *Store[ID] {
	s := &Store[ID]{kind: intKindOf[ID](), promote: promoteLen, demote: demoteLen}
	s.directMax.Store(directFloor)
	return s
}

// directFloor is the smallest range of integer IDs kept at their own
// value; the range grows with the number of users (see grow).
const directFloor = 1 << 16

// rec returns the record of index i, or nil if there is none.
func (s *Store[ID]) rec(i uint32) *record[ID] {
	p := s.direct.Load()
	if i >= hashedBase {
		p, i = s.hashed.Load(), i-hashedBase
	}
	if p == nil {
		return nil
	}
	d := *p
	c := i >> recChunkBits
	if int(c) >= len(d) || d[c] == nil {
		return nil
	}
	return &d[c][i&(recChunkSize-1)]
}

// find returns the index and record of id, or a nil record.
func (s *Store[ID]) find(id ID) (uint32, *record[ID]) {
	if v, ok := intBits(s.kind, &id); ok && v < uint64(s.directMax.Load()) {
		if r := s.rec(uint32(v)); r != nil && r.user.Load()&inUse != 0 {
			return uint32(v), r
		}
	}
	if s.nHashed.Load() == 0 {
		return 0, nil
	}
	return s.findHashed(id, hashOf(id))
}

func (s *Store[ID]) findHashed(id ID, h uint64) (uint32, *record[ID]) {
	t := s.index.Load()
	if t == nil {
		return 0, nil
	}
	n := len(t.slots)
	tag := h >> 32 << 32
	for p := position(h, n); ; {
		w := t.slots[p].Load()
		if w == 0 {
			return 0, nil
		}
		if w&^0xffffffff == tag {
			i := uint32(w) - 1 + hashedBase
			if r := s.rec(i); r != nil && r.id == id {
				return i, r
			}
		}
		if p++; p == n {
			p = 0
		}
	}
}

// table is the hash index of the records not kept at their own value: 64-bit
// slots of a 32-bit hash tag and the record's index (from hashedBase) + 1.
type table struct{ slots []atomic.Uint64 }

// position maps the low 32 bits of a hash onto [0, n) without a division.
func position(h uint64, n int) int { return int((h & 0xffffffff) * uint64(n) >> 32) }

// add returns the index and record of id, adding a record if there is
// none, and reports whether it added one. The caller holds s.mu.
func (s *Store[ID]) add(id ID) (uint32, *record[ID], bool, error) {
	if i, r := s.find(id); r != nil {
		return i, r, false, nil
	}
	s.records++
	s.widenDirect(s.records)
	if v, ok := intBits(s.kind, &id); ok && v < uint64(s.directMax.Load()) {
		i := uint32(v)
		r := s.ensureDirect(i)
		r.id = id
		r.user.Store(inUse) // publishes id
		return i, r, true, nil
	}
	n := s.nHashed.Load()
	if n >= 1<<31-2 {
		return 0, nil, false, ErrFull
	}
	r := s.ensureHashed(n)
	r.id = id
	r.user.Store(inUse)
	s.growIndex(int(n) + 1)
	insert(s.index.Load(), hashOf(id), n)
	s.nHashed.Store(n + 1)
	return hashedBase + n, r, true, nil
}

func (s *Store[ID]) ensureDirect(i uint32) *record[ID] {
	return ensure(&s.direct, i)
}

func (s *Store[ID]) ensureHashed(i uint32) *record[ID] {
	return ensure(&s.hashed, i)
}

// ensure returns the record at i of the chunks at p, allocating its chunk
// (and growing the directory) if need be. The caller holds s.mu.
func ensure[ID comparable](p *atomic.Pointer[[]*recChunk[ID]], i uint32) *record[ID] {
	var d []*recChunk[ID]
	if q := p.Load(); q != nil {
		d = *q
	}
	c := int(i >> recChunkBits)
	if c >= len(d) || d[c] == nil {
		nd := make([]*recChunk[ID], max(len(d), c+1, (c|(recGroup-1))+1))
		copy(nd, d)
		if c < recGroup {
			nd[c] = new(recChunk[ID])
		} else {
			// Past the first chunks, records come in groups of chunks
			// allocated together, large enough for huge pages (see
			// adviseHuge); every chunk of a group is allocated with it,
			// so none of them is here yet.
			g := new([recGroup]recChunk[ID])
			adviseHuge(addressOf(g), recGroup*recChunkSize*recordSize[ID]())
			for k := range g {
				nd[c&^(recGroup-1)+k] = &g[k]
			}
		}
		p.Store(&nd)
		d = nd
	}
	return &d[c][i&(recChunkSize-1)]
}

// recGroup is the number of record chunks allocated together once a store
// holds more than that many chunks' worth of records: 4 MiB and more
// (for 64-byte records), which holds at least one whole huge page.
const recGroup = 16

func insert(t *table, h uint64, i uint32) {
	n := len(t.slots)
	p := position(h, n)
	for t.slots[p].Load() != 0 {
		if p++; p == n {
			p = 0
		}
	}
	t.slots[p].Store(h>>32<<32 | uint64(i+1))
}

// growIndex makes room for n hashed records, rebuilding the index at half
// load when it passes three quarters. Readers on the old index still find
// every record added before it was replaced.
func (s *Store[ID]) growIndex(n int) {
	t := s.index.Load()
	if t != nil && n <= len(t.slots)*3/4 {
		return
	}
	nt := &table{slots: make([]atomic.Uint64, max(16, 2*n))}
	for i := range uint32(n - 1) {
		insert(nt, hashOf(s.rec(hashedBase+i).id), i)
	}
	s.index.Store(nt)
}

// Grow makes room for n users in all, so that adding them allocates less:
// for bulk loading. Integer IDs below about twice n are then kept at their
// own value, which spares their lookups a hash.
func (s *Store[ID]) Grow(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.widenDirect(n)
}

// widenDirect lets integer IDs up to about twice n users be kept at their
// own value. The caller holds s.mu.
func (s *Store[ID]) widenDirect(n int) {
	if s.kind == notInt {
		return
	}
	want := min(uint64(2*n)+directFloor, hashedBase-1)
	if uint64(s.directMax.Load()) < want {
		s.directMax.Store(uint32(want))
	}
}

// Len returns the number of users (IDs set with SetUser).
func (s *Store[ID]) Len() int { return int(s.users.Load()) }

// each calls f with every record in use, in index order, until f returns
// false.
func (s *Store[ID]) each(f func(i uint32, r *record[ID]) bool) {
	for _, base := range [2]uint32{0, hashedBase} {
		p := s.direct.Load()
		if base != 0 {
			p = s.hashed.Load()
		}
		if p == nil {
			continue
		}
		for c, ch := range *p {
			if ch == nil {
				continue
			}
			for j := range ch {
				r := &ch[j]
				if r.user.Load()&inUse == 0 {
					continue
				}
				if !f(base+uint32(c)<<recChunkBits+uint32(j), r) {
					return
				}
			}
		}
	}
}

// Packed account facts: status, band and flags in the low bits, then the
// birth date and the band's date as days since the Unix epoch (biased), and
// inUse in the top bit.
const (
	statusMask = 0x7
	bandShift  = 3
	verifiedF  = 1 << 6
	hideCF     = 1 << 7
	hideFF     = 1 << 8
	birthF     = 1 << 9
	asOfF      = 1 << 10
	birthShift = 11
	asOfShift  = 37
	dayBits    = 26
	dayBias    = 1 << (dayBits - 1)
)

// dayNumber is t's UTC calendar day, counted from the Unix epoch.
func dayNumber(t time.Time) int64 {
	sec := t.Unix()
	d := sec / 86400
	if sec%86400 < 0 {
		d--
	}
	return d
}

func dayOf(t time.Time) (uint64, error) {
	d := dayNumber(t) + dayBias
	if d < 0 || d >= 1<<dayBits {
		return 0, fmt.Errorf("%w: date %v out of range", graph.ErrInvalidUser, t)
	}
	return uint64(d), nil
}

func dayTime(w uint64, shift uint) time.Time {
	d := int64(w>>shift&(1<<dayBits-1)) - dayBias
	return time.Unix(d*86400, 0).UTC()
}

// packUser returns u's packed form. Dates keep their UTC calendar day (the
// rules use nothing finer): a Birth at noon in Tokyo reads back as that
// day's midnight UTC.
func packUser(u graph.User) (uint64, error) {
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
	if !u.Birth.IsZero() {
		d, err := dayOf(u.Birth)
		if err != nil {
			return 0, err
		}
		w |= birthF | d<<birthShift
	}
	if !u.BandAsOf.IsZero() {
		d, err := dayOf(u.BandAsOf)
		if err != nil {
			return 0, err
		}
		w |= asOfF | d<<asOfShift
	}
	return w | inUse, nil
}

// unpackUser writes the account facts of w into u.
func unpackUser(u *graph.User, w uint64) {
	u.Status = graph.Status(w & statusMask)
	u.Band = graph.AgeBand(w >> bandShift & 0x7)
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

// packSettings packs s into one word: the overrides' wire form
// (inbox.Overrides.Bits, 48 bits), then the mode and the group mode, 8 bits
// each. The zero Settings packs to 0.
func packSettings(s inbox.Settings) uint64 {
	return s.Routes.Bits() | uint64(s.Mode)<<48 | uint64(s.Groups)<<56
}

func unpackSettings(w uint64) inbox.Settings {
	if w == 0 {
		return inbox.Settings{}
	}
	s := inbox.Settings{Mode: inbox.Mode(w >> 48 & 0xff), Groups: inbox.Mode(w >> 56)}
	if r := w & (1<<48 - 1); r != 0 {
		s.Routes, _ = inbox.OverridesFromBits(r) // valid: packSettings wrote it
	}
	return s
}
