package memory

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/graph"
)

// TestRecordGroups: integer IDs far apart land in record chunks allocated
// one at a time (the first recGroup) and in groups (the rest); every
// record keeps its own facts, whichever chunk of a group it is in, and
// allocating a group leaves the records of the others alone.
func TestRecordGroups(t *testing.T) {
	s := New[int64]()
	s.Grow(40 * recChunkSize) // integer IDs up to here are records at their own value
	var ids []int64
	for c := range int64(3 * recGroup) {
		ids = append(ids, c*recChunkSize, c*recChunkSize+recChunkSize-1)
	}
	for i, id := range ids {
		if err := s.SetUser(id, userN(i)); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			if err := s.Follow(id, ids[i-1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx := context.Background()
	for i, id := range ids {
		u, _ := s.User(ctx, id)
		if diff := cmp.Diff(userN(i), u); diff != "" {
			t.Errorf("user %d (-want +got):\n%s", id, diff)
		}
		if i > 0 {
			p, _ := s.Pair(ctx, id, ids[i-1])
			if p.Edges != graph.FollowAB {
				t.Errorf("pair %d, %d: %v, want follow A→B", id, ids[i-1], p.Edges)
			}
		}
		if _, r := s.find(id); r == nil || uint64(id) >= hashedBase {
			t.Errorf("user %d is not a record at its own value", id)
		}
	}
	if got := s.Len(); got != len(ids) {
		t.Errorf("Len %d, want %d", got, len(ids))
	}
}

func userN(i int) graph.User {
	return graph.User{Status: graph.Active, Verified: i%2 == 0, HideFromContacts: i%3 == 0}
}
