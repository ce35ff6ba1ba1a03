package memory

import (
	"fmt"
	"slices"
	"sync"

	"github.com/dmprivacy/dmprivacy/graph"
)

// Loader adds many edges to a [Store] at once, for building a large world
// (a snapshot of a host's graph, or a synthetic one): it buffers edges, and
// [Loader.Flush] merges them into every user's sets in one pass, sorting
// each set once and laying the blocks out one after the other, where one
// Follow per edge would copy a user's block every time. A million users and
// twenty million follows load in seconds.
//
// Add and AddAll may be called concurrently, but not with Flush. The Store
// stays safe for readers and writers throughout, and buffered edges show in
// reads only once Flush returns.
type Loader[ID comparable] struct {
	s     *Store[ID]
	mu    sync.Mutex
	edges [graph.Facebook + 1][]uint64 // from<<32 | to, record indexes, by kind
}

// Loader returns a new, empty Loader for s.
func (s *Store[ID]) Loader() *Loader[ID] { return &Loader[ID]{s: s} }

// Len returns the number of edges buffered.
func (l *Loader[ID]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, es := range l.edges {
		n += len(es)
	}
	return n
}

// Add buffers the edge kind from → to (Follow, Block, Restrict or
// Facebook). It refuses what the write methods refuse: contacts, which are
// keys rather than edges, self edges and unknown users.
func (l *Loader[ID]) Add(kind graph.Edge, from, to ID) error {
	return l.AddAll(kind, from, []ID{to})
}

// AddAll buffers the edges kind from → to for every to in tos: a user's
// follows in one call. On an error it buffers nothing of the call.
func (l *Loader[ID]) AddAll(kind graph.Edge, from ID, tos []ID) error {
	if kind == graph.Contact || !kind.Valid() {
		return fmt.Errorf("%w: %v (contacts are set with SetContactKey and SyncContacts)", graph.ErrInvalidEdge, kind)
	}
	a, ok := l.s.known(from)
	if !ok {
		return fmt.Errorf("%w: %v", graph.ErrUnknownUser, from)
	}
	var buf [64]uint64
	es := buf[:0]
	for _, to := range tos {
		b, ok := l.s.known(to)
		switch {
		case !ok:
			return fmt.Errorf("%w: %v", graph.ErrUnknownUser, to)
		case b == a:
			return fmt.Errorf("%w: %v %v", graph.ErrSelfEdge, kind, from)
		}
		es = append(es, uint64(a)<<32|uint64(b))
	}
	l.mu.Lock()
	l.edges[kind] = append(l.edges[kind], es...)
	l.mu.Unlock()
	return nil
}

// known returns the index of a user of the graph.
func (s *Store[ID]) known(id ID) (uint32, bool) {
	i, r := s.find(id)
	if r == nil || r.user.Load()&statusMask == 0 {
		return 0, false
	}
	return i, true
}

// Flush adds every buffered edge to the store, as the write methods would
// one by one (edges already present are kept once), and empties the
// Loader. Each user's sets change at once: a reader sees all of a user's
// new edges or none.
func (l *Loader[ID]) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.s
	s.mu.Lock()
	defer s.mu.Unlock()
	// Dense positions of records: direct indexes first, then hashed ones.
	nd := uint64(s.directMax.Load())
	n := int(nd) + int(s.nHashed.Load())
	pos := func(i uint32) uint64 {
		if i >= hashedBase {
			return nd + uint64(i-hashedBase)
		}
		return uint64(i)
	}
	idx := func(p int) uint32 {
		if uint64(p) >= nd {
			return hashedBase + uint32(uint64(p)-nd)
		}
		return uint32(p)
	}
	// Count the keys each (user, set) gains, then lay them out user by
	// user, set by set: starts[u*numSets+s] is where they begin.
	starts := make([]uint32, n*numSets+1)
	total := 0
	for kind, es := range l.edges {
		if len(es) == 0 {
			continue
		}
		sets := edgeSets[kind]
		for _, e := range es {
			starts[pos(uint32(e>>32))*numSets+uint64(sets[0])]++
			if sets[1] >= 0 {
				starts[pos(uint32(e))*numSets+uint64(sets[1])]++
			}
		}
		total += len(es)
	}
	if total == 0 {
		return nil
	}
	sum := uint32(0)
	for i, c := range starts {
		sum += c
		starts[i] = sum // the end, for now; filling moves it to the start
	}
	added := make([]uint32, sum)
	for kind, es := range l.edges {
		sets := edgeSets[kind]
		for _, e := range es {
			a, b := uint32(e>>32), uint32(e)
			p := &starts[pos(a)*numSets+uint64(sets[0])]
			*p--
			added[*p] = permOf(b)
			if sets[1] >= 0 {
				p := &starts[pos(b)*numSets+uint64(sets[1])]
				*p--
				added[*p] = permOf(a)
			}
		}
		l.edges[kind] = nil
	}
	var merged [numSets][]uint32
	var old []uint32
	for u := range n {
		lo, hi := starts[u*numSets], starts[(u+1)*numSets]
		if lo == hi {
			continue
		}
		r := s.rec(idx(u))
		var ol layout
		w := r.lens.Load()
		ol.decode(w)
		ref := r.rel.Load()
		var nl [numSets]uint32
		var bigs uint8
		var dirs [numSets]uint32
		for set := range numSets {
			add := added[starts[u*numSets+set]:starts[u*numSets+set+1]]
			slices.Sort(add)
			add = slices.Compact(add)
			old = s.arena.appendSet(old[:0], ref, &ol, set, 0, -1)
			merged[set] = mergeUnique(merged[set][:0], old, add)
			if ol.big&(1<<set) != 0 {
				s.freeBig(s.arena.words(ref, ol.words())[ol.off[set]])
			}
			if len(merged[set]) > s.promote {
				dirs[set] = s.newBig(merged[set])
				bigs |= 1 << set
			} else {
				nl[set] = uint32(len(merged[set]))
			}
		}
		var lay layout
		lw := lensOf(&nl, bigs)
		lay.decode(lw)
		words := lay.words()
		var nref uint32
		if words > 0 {
			nref = s.arena.allocExact(words)
			dst := s.arena.words(nref, words)
			for set := range numSets {
				if bigs&(1<<set) != 0 {
					storeWord(&dst[lay.off[set]], dirs[set])
				} else {
					storeWords(dst[lay.off[set]:], merged[set])
				}
			}
		}
		var dst []uint32
		if words > 0 {
			dst = s.arena.words(nref, words)
		}
		rare, book := filters(dst, &lay)
		s.begin(r)
		r.rel.Store(nref)
		r.lens.Store(lw | exactF)
		r.rare.Store(rare)
		r.book.Store(book)
		s.end(r)
		s.arena.free(ref, ol.words(), w&exactF != 0)
	}
	return nil
}

// mergeUnique appends to dst the union of the sorted sets a and b.
func mergeUnique(dst, a, b []uint32) []uint32 {
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			dst, a = append(dst, a[0]), a[1:]
		case a[0] > b[0]:
			dst, b = append(dst, b[0]), b[1:]
		default:
			dst, a, b = append(dst, a[0]), a[1:], b[1:]
		}
	}
	dst = append(dst, a...)
	return append(dst, b...)
}
