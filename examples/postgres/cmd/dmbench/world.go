package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// world is a seeded synthetic social graph, as rows ready for COPY. Users
// are 1 … n; popularity follows a power law (a few accounts have a large
// share of the follows), a third of follows are returned, and every user
// has a handful of blocks, restricts, Facebook links, synced contacts,
// settings and conversations.
type world struct {
	users     [][]any
	follows   [][]any
	blocks    [][]any
	restricts [][]any
	facebook  [][]any
	contacts  [][]any
	settings  [][]any
	convs     [][]any
	following [][]int64 // by user-1: whom each user follows (for the batch workload)
}

// now is the world's clock: ages and conversations are relative to it.
var now = time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)

func contactKey(id int64) string { return fmt.Sprintf("h:%016x", uint64(id)*0x9e3779b97f4a7c15) }

func generate(n, perUser int, seed uint64) *world {
	r := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	w := &world{following: make([][]int64, n)}
	id := func() int64 { return 1 + r.Int64N(int64(n)) }
	// popular maps a Zipf rank to a user, scattered over the ID space.
	zipf := rand.NewZipf(r, 1.1, 8, uint64(n-1))
	popular := func() int64 { return 1 + int64((zipf.Uint64()*2654435761)%uint64(n)) }

	minors := make([]bool, n+1)
	for u := int64(1); u <= int64(n); u++ {
		status := graph.Active
		switch x := r.IntN(100); {
		case x == 0:
			status = graph.Deactivated
		case x == 1:
			status = graph.Suspended
		case x == 2:
			status = graph.Deleted
		}
		age := 18 + r.IntN(53)
		switch x := r.IntN(100); {
		case x < 8:
			age = 13 + r.IntN(3)
		case x < 15:
			age = 16 + r.IntN(2)
		}
		minors[u] = age < 18
		birth := any(graph.BirthForAge(now, age).AddDate(0, 0, -r.IntN(365)))
		var band int16
		var asOf any
		if r.IntN(10) == 0 { // a verified band instead of a birth date
			birth, band, asOf = nil, int16(graph.BandOf(age)), now.AddDate(0, -r.IntN(12), 0)
		}
		var key any
		if r.IntN(5) != 0 {
			key = contactKey(u)
		}
		w.users = append(w.users, []any{u, int16(status), birth, band, asOf, r.IntN(50) == 0, r.IntN(10) == 0, r.IntN(10) == 0, key})
	}

	type edge struct{ a, b int64 }
	dedupe := func(es []edge) []edge {
		slices.SortFunc(es, func(x, y edge) int {
			if x.a != y.a {
				return int(x.a - y.a)
			}
			return int(x.b - y.b)
		})
		return slices.Compact(es)
	}
	var follows []edge
	for u := int64(1); u <= int64(n); u++ {
		for range r.IntN(2*perUser + 1) {
			v := id()
			if r.IntN(10) < 7 {
				v = popular()
			}
			if v == u {
				continue
			}
			follows = append(follows, edge{u, v})
			if r.IntN(3) == 0 {
				follows = append(follows, edge{v, u})
			}
		}
	}
	for _, e := range dedupe(follows) {
		w.follows = append(w.follows, []any{e.a, e.b})
		w.following[e.a-1] = append(w.following[e.a-1], e.b)
	}
	pairs := func(perUser10 int, symmetric bool) [][]any {
		var es []edge
		for range n * perUser10 / 10 {
			a, b := id(), id()
			if a == b {
				continue
			}
			if symmetric && b < a {
				a, b = b, a
			}
			es = append(es, edge{a, b})
		}
		var rows [][]any
		for _, e := range dedupe(es) {
			rows = append(rows, []any{e.a, e.b})
		}
		return rows
	}
	w.blocks = pairs(3, false)
	w.restricts = pairs(1, false)
	w.facebook = pairs(10, true)

	var contacts []struct {
		owner int64
		key   string
	}
	for u := int64(1); u <= int64(n); u++ {
		if r.IntN(3) == 0 {
			continue // never synced
		}
		f := w.following[u-1]
		for range 8 {
			var key string
			switch x := r.IntN(10); {
			case x < 5 && len(f) > 0:
				key = contactKey(f[r.IntN(len(f))])
			case x < 8:
				key = contactKey(id())
			default:
				key = fmt.Sprintf("h:unknown-%d", r.IntN(n))
			}
			contacts = append(contacts, struct {
				owner int64
				key   string
			}{u, key})
		}
	}
	slices.SortFunc(contacts, func(x, y struct {
		owner int64
		key   string
	}) int {
		if x.owner != y.owner {
			return int(x.owner - y.owner)
		}
		if x.key < y.key {
			return -1
		}
		if x.key > y.key {
			return 1
		}
		return 0
	})
	contacts = slices.Compact(contacts)
	for _, c := range contacts {
		w.contacts = append(w.contacts, []any{c.owner, c.key})
	}

	for u := int64(1); u <= int64(n); u++ {
		if r.IntN(10) >= 4 {
			continue // never chose
		}
		mode := [...]inbox.Mode{inbox.Everyone, inbox.Everyone, inbox.Everyone, inbox.SuggestedFriends, inbox.SuggestedFriends,
			inbox.Friends, inbox.Friends, inbox.Friends, inbox.Friends, inbox.NoOne}[r.IntN(10)]
		if mode == inbox.Everyone && minors[u] {
			mode = inbox.Friends
		}
		w.settings = append(w.settings, []any{u, int16(mode)})
	}

	seen := map[[2]int64]bool{}
	for range 2 * n {
		a, b := id(), id()
		lo, hi := min(a, b), max(a, b)
		if a == b || seen[[2]int64{lo, hi}] {
			continue
		}
		seen[[2]int64{lo, hi}] = true
		state := [...]inbox.State{inbox.Pending, inbox.Pending, inbox.Pending, inbox.Pending, inbox.Accepted,
			inbox.Accepted, inbox.Accepted, inbox.Accepted, inbox.Held, inbox.Declined}[r.IntN(10)]
		started := now.Add(-time.Duration(r.Int64N(int64(48 * time.Hour))))
		w.convs = append(w.convs, []any{lo, hi, a, int16(state), started})
	}
	return w
}
