package replica

import "testing"

// TestReplicaCoversPageBoundary: a token that points just past a WAL page
// header is covered by a position at the page's boundary (nothing can end
// in between), and nothing further is.
func TestReplicaCoversPageBoundary(t *testing.T) {
	const page = 8192
	for _, c := range []struct {
		pos, want uint64
		ok        bool
	}{
		{100, 100, true},
		{100, 99, true},
		{100, 101, false},
		{3 * page, 3*page + 24, true}, // a short page header
		{3 * page, 3*page + 40, true}, // a segment's long header
		{3 * page, 3*page + 48, false},
		{3*page + 8, 3*page + 24, false}, // not a boundary
		{0, 24, true},
	} {
		if got := covers(c.pos, c.want); got != c.ok {
			t.Errorf("covers(%#x, %#x) = %v; want %v", c.pos, c.want, got, c.ok)
		}
	}
}
