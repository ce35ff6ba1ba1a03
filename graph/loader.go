package graph

import (
	"fmt"
	"sync"

	"github.com/dmprivacy/dmprivacy/internal/intern"
	"github.com/dmprivacy/dmprivacy/internal/sortedset"
)

// Loader adds many edges to a [Memory] at once, for building a large world
// (a synthetic one for benchmarks, or a snapshot of a host's graph): it
// buffers edges, and [Loader.Flush] merges them into every user's sets in
// one pass, sorting each set once and packing the blocks into one
// allocation, where one Follow per edge would copy a user's block every
// time. A million users and twenty million follows load in seconds.
//
// Add and AddAll may be called concurrently (their lookups then run in
// parallel), but not with Flush. The Memory stays safe for readers and
// writers throughout, and buffered edges show in reads only once Flush
// returns.
type Loader[ID comparable] struct {
	m     *Memory[ID]
	mu    sync.Mutex
	edges [Facebook + 1][]uint64 // from<<32 | to, dense indexes, by kind
}

// Loader returns a new, empty Loader for m.
func (m *Memory[ID]) Loader() *Loader[ID] { return &Loader[ID]{m: m} }

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
func (l *Loader[ID]) Add(kind Edge, from, to ID) error {
	return l.AddAll(kind, from, []ID{to})
}

// AddAll buffers the edges kind from → to for every to in tos: a user's
// follows in one call, whose lookups overlap. On an error it buffers
// nothing of the call.
func (l *Loader[ID]) AddAll(kind Edge, from ID, tos []ID) error {
	if kind == Contact || !kind.Valid() {
		return fmt.Errorf("%w: %v (contacts are set with SetContactKey and SyncContacts)", ErrInvalidEdge, kind)
	}
	a, _, ok := l.m.users.Get(from)
	if !ok {
		return fmt.Errorf("%w: %v", ErrUnknownUser, from)
	}
	var idxBuf [64]uint32
	var entBuf [64]*intern.Entry[ID, node]
	idx, ents := idxBuf[:0], entBuf[:0]
	if len(tos) > len(idxBuf) {
		idx, ents = make([]uint32, 0, len(tos)), make([]*intern.Entry[ID, node], 0, len(tos))
	}
	idx, ents = idx[:len(tos)], ents[:len(tos)]
	l.m.users.FindAll(tos, idx, ents)
	for j, e := range ents {
		switch {
		case e == nil:
			return fmt.Errorf("%w: %v", ErrUnknownUser, tos[j])
		case idx[j] == a:
			return fmt.Errorf("%w: %v %v", ErrSelfEdge, kind, from)
		}
	}
	l.mu.Lock()
	for _, b := range idx {
		l.edges[kind] = append(l.edges[kind], uint64(a)<<32|uint64(b))
	}
	l.mu.Unlock()
	return nil
}

// Flush adds every buffered edge to the store, as the write methods would
// one by one (edges already present are kept once), and empties the
// Loader. Each user's sets change at once: a reader sees all of a user's
// new edges or none.
func (l *Loader[ID]) Flush() error {
	if l.Len() == 0 {
		return nil
	}
	m := l.m
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.users.Len()
	// Count the keys each (user, set) gains, then lay them out user by
	// user, set by set: starts[u*numSets+s] is where they begin.
	starts := make([]uint32, n*numSets+1)
	for kind, es := range l.edges {
		sets := edgeSets[kind]
		for _, e := range es {
			starts[(e>>32)*numSets+uint64(sets[0])]++
			if sets[1] >= 0 {
				starts[uint64(uint32(e))*numSets+uint64(sets[1])]++
			}
		}
	}
	total := uint32(0)
	for i, c := range starts {
		total += c
		starts[i] = total // the end, for now; filling moves it to the start
	}
	added := make([]uint32, total)
	for kind, es := range l.edges {
		sets := edgeSets[kind]
		for _, e := range es {
			a, b := uint32(e>>32), uint32(e)
			p := &starts[uint64(a)*numSets+uint64(sets[0])]
			*p--
			added[*p] = sortedset.Perm(b)
			if sets[1] >= 0 {
				p := &starts[uint64(b)*numSets+uint64(sets[1])]
				*p--
				added[*p] = sortedset.Perm(a)
			}
		}
		l.edges[kind] = nil
	}

	// One slab for every new block, sized for the worst case (no key was
	// already there).
	words := 0
	for u := range n {
		lo, hi := starts[u*numSets], starts[(u+1)*numSets]
		if lo == hi {
			continue
		}
		v := m.users.At(uint32(u)).Val.view()
		words += sortedset.MaxSets/2 + int(hi-lo)
		for s := range numSets {
			words += len(v.set(s))
		}
	}
	slab := make([]uint32, words)
	var merged [numSets][]uint32
	for u := range n {
		lo, hi := starts[u*numSets], starts[(u+1)*numSets]
		if lo == hi {
			continue
		}
		nd := &m.users.At(uint32(u)).Val
		v := nd.view()
		var next sortedset.View
		bigs := [numSets]*sortedset.Big{}
		if v.x != nil {
			bigs = v.x.big
		}
		var lens [sortedset.MaxSets]int
		for s := range numSets {
			add := sortUnique(added[starts[u*numSets+s]:starts[u*numSets+s+1]])
			next[s] = v.set(s) // and bigs[s] as it was, if nothing is added
			if len(add) > 0 {
				next[s] = mergeUnique(merged[s][:0], v.all(s, nil), add)
				merged[s] = next[s]
				bigs[s] = nil
				if len(next[s]) > m.promote {
					bigs[s] = sortedset.NewBig(next[s])
					next[s] = nil
				}
			}
			lens[s] = len(next[s])
		}
		w := sortedset.Words(numSets, &lens)
		block := sortedset.Write(slab[:w:w], numSets, &next)
		slab = slab[w:]
		// Sets only grow here, so a set only ever leaves the block: ext
		// first, then the block (see view).
		nd.ver.Add(1)
		if bigs != [numSets]*sortedset.Big{} || v.x != nil {
			nd.ext.Store(v.x.with(func(c *ext) { c.big = bigs }))
		}
		nd.sets.Store(block)
		nd.ver.Add(1)
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
