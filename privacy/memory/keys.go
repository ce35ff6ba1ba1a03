package memory

import (
	"sync/atomic"

	"github.com/dmprivacy/dmprivacy/graph"
)

// keyTable interns contact keys to dense indexes, with the user who holds
// each number. Keys are stored as bytes in large chunks and the index holds
// hash tags and indexes, so the table has no pointers for the garbage
// collector to scan. Keys are never removed (a number may come back);
// writers are serialized by the store's mutex, readers take no lock.
type keyTable struct {
	index atomic.Pointer[table]
	recs  atomic.Pointer[[]*[keyChunkSize]keyRec]
	bytes atomic.Pointer[[][]byte]
	n     atomic.Uint32

	// The writer's state.
	cur, off int // the byte chunk being filled, and where
}

const (
	keyChunkBits  = 12
	keyChunkSize  = 1 << keyChunkBits
	byteChunkSize = 1 << 20
)

type keyRec struct {
	owner atomic.Uint32 // the index + 1 of the user whose number this is; 0 if nobody's
	at    uint32        // byte chunk << 20 | offset
	n     uint32
}

func (t *keyTable) rec(i uint32) *keyRec {
	p := t.recs.Load()
	if p == nil {
		return nil
	}
	d := *p
	if c := int(i >> keyChunkBits); c < len(d) {
		return &d[c][i&(keyChunkSize-1)]
	}
	return nil
}

func (t *keyTable) text(r *keyRec) string {
	b := (*t.bytes.Load())[r.at>>20]
	off := int(r.at & (1<<20 - 1))
	return string(b[off : off+int(r.n)])
}

func (t *keyTable) matches(r *keyRec, k graph.ContactKey) bool {
	if int(r.n) != len(k) {
		return false
	}
	b := (*t.bytes.Load())[r.at>>20]
	off := int(r.at & (1<<20 - 1))
	return string(b[off:off+int(r.n)]) == string(k)
}

// find returns the index of k, or false.
func (t *keyTable) find(k graph.ContactKey) (uint32, bool) {
	ix := t.index.Load()
	if ix == nil {
		return 0, false
	}
	h := hashOf(string(k))
	n := len(ix.slots)
	tag := h >> 32 << 32
	for p := position(h, n); ; {
		w := ix.slots[p].Load()
		if w == 0 {
			return 0, false
		}
		if w&^0xffffffff == tag {
			i := uint32(w) - 1
			if r := t.rec(i); r != nil && t.matches(r, k) {
				return i, true
			}
		}
		if p++; p == n {
			p = 0
		}
	}
}

// add returns the index of k, adding it if it is new. The caller holds the
// store's mutex and has checked k (see checkKey).
func (t *keyTable) add(k graph.ContactKey) uint32 {
	if i, ok := t.find(k); ok {
		return i
	}
	i := t.n.Load()
	// The key's bytes.
	var bs [][]byte
	if p := t.bytes.Load(); p != nil {
		bs = *p
	}
	if len(bs) == 0 || t.off+len(k) > byteChunkSize {
		nb := make([][]byte, len(bs)+1)
		copy(nb, bs)
		nb[len(bs)] = make([]byte, byteChunkSize)
		t.bytes.Store(&nb)
		bs, t.cur, t.off = nb, len(bs), 0
	}
	copy(bs[t.cur][t.off:], k)
	// The key's record.
	var d []*[keyChunkSize]keyRec
	if p := t.recs.Load(); p != nil {
		d = *p
	}
	if c := int(i >> keyChunkBits); c >= len(d) {
		nd := make([]*[keyChunkSize]keyRec, c+1)
		copy(nd, d)
		nd[c] = new([keyChunkSize]keyRec)
		t.recs.Store(&nd)
		d = nd
	}
	r := &d[i>>keyChunkBits][i&(keyChunkSize-1)]
	r.at, r.n = uint32(t.cur)<<20|uint32(t.off), uint32(len(k))
	t.off += len(k)
	// The index, then the count, so readers find only whole keys.
	ix := t.index.Load()
	if ix == nil || int(i+1) > len(ix.slots)*3/4 {
		nix := &table{slots: make([]atomic.Uint64, max(16, 2*int(i+1)))}
		for j := range i {
			insert(nix, hashOf(t.text(t.rec(j))), j)
		}
		t.index.Store(nix)
		ix = nix
	}
	insert(ix, hashOf(string(k)), i)
	t.n.Store(i + 1)
	return i
}
