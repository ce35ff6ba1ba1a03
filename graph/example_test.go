package graph_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
)

func ExampleMemory() {
	g := graph.NewMemory[int64]()
	for id := int64(1); id <= 3; id++ {
		g.SetUser(id, graph.User{Status: graph.Active})
	}
	g.Follow(1, 2)
	g.Follow(2, 1)
	g.Block(3, 1)
	p, _ := g.Pair(context.Background(), 1, 2)
	fmt.Println(p.Edges)
	p, _ = g.Pair(context.Background(), 1, 3)
	fmt.Println(p.Edges)
	fmt.Println(g.Follow(1, 99))
	// Output:
	// follow A→B, follow B→A
	// block B→A
	// graph: unknown user: 99
}

// Contacts are hashed keys: a user sets the key of their own number, and
// another "has their number" when their synced contacts hold that key.
func ExampleMemory_SyncContacts() {
	g := graph.NewMemory[string]()
	g.SetUser("ana", graph.User{Status: graph.Active})
	g.SetUser("ben", graph.User{Status: graph.Active})
	g.SetContactKey("ben", "hmac:5f1c…") // the host hashes ben's number
	g.SyncContacts("ana", []graph.ContactKey{"hmac:5f1c…", "hmac:0000…"})
	ok, _ := g.HasEdge(context.Background(), graph.Contact, "ana", "ben")
	fmt.Println("ana has ben's number:", ok)
	fmt.Println(g.SetContactKey("ben", "+44 7700 900123"))
	// Output:
	// ana has ben's number: true
	// graph: contact key looks like a raw phone number, not a hash
}

func ExampleMemory_RecommendAt() {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	g := graph.NewMemory[string]()
	for _, n := range []string{"me", "ana", "ben", "kim"} {
		g.SetUser(n, graph.User{Status: graph.Active, Birth: graph.BirthForAge(now, 30)})
		g.SetContactKey(n, graph.ContactKey("key-"+n))
	}
	g.SyncContacts("me", []graph.ContactKey{"key-ana"})
	g.LinkFacebook("me", "ben")
	g.Follow("me", "ben")
	g.Follow("ben", "me")
	g.Follow("ben", "kim")
	g.Follow("kim", "ben")
	suggestions, _ := g.RecommendAt(context.Background(), "me", 10, now)
	for _, s := range suggestions {
		fmt.Println(s.ID, s.Reason)
	}
	// Output:
	// ana contact
	// kim friend_of_friend
}

// A verified age band bounds the age at later times; rules take the side
// that protects.
func ExampleUser_AgeRange() {
	u := graph.User{Status: graph.Active, Band: graph.Age16to17, BandAsOf: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, at := range []string{"2026-01-01", "2026-06-01", "2027-01-01", "2028-01-01"} {
		t, _ := time.Parse(time.DateOnly, at)
		young, old := u.AgeRange(t)
		fmt.Println(at, young, old, u.BandAt(t))
	}
	// Output:
	// 2026-01-01 16 17 16-17
	// 2026-06-01 16 18 16-17
	// 2027-01-01 17 18 16-17
	// 2028-01-01 18 19 18+
}
