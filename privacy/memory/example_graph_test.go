package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

func ExampleStore() {
	g := memory.New[int64]()
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
func ExampleStore_SyncContacts() {
	g := memory.New[string]()
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

func ExampleStore_RecommendAt() {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	g := memory.New[string]()
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
