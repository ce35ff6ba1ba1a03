package graphtest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
)

// A world is a sequence of writes and checkpoints over users numbered
// 0 … users−1; users and users+1 are never written, so they stay unknown.
type world struct {
	name  string
	users int
	steps []op
}

type opKind uint8

const (
	opUser opKind = iota
	opEdge
	opKey
	opSync
	opCheck
)

// op is one step of a world, in user numbers rather than IDs.
type op struct {
	kind opKind
	a, b int
	user graph.User
	edge graph.Edge
	on   bool
	key  graph.ContactKey
	keys []graph.ContactKey
	why  string // a checkpoint's description of what the steps before it tested
}

func apply[ID comparable](o op, w Writer[ID], id func(int) ID) error {
	switch o.kind {
	case opUser:
		return w.SetUser(id(o.a), o.user)
	case opEdge:
		return w.SetEdge(o.edge, id(o.a), id(o.b), o.on)
	case opKey:
		return w.SetContactKey(id(o.a), o.key)
	case opSync:
		return w.SyncContacts(id(o.a), o.keys)
	}
	return nil
}

func format[ID comparable](o op, id func(int) ID) string {
	switch o.kind {
	case opUser:
		u := o.user
		return fmt.Sprintf("SetUser(%v, {Status: %v, Birth: %s, Band: %v, BandAsOf: %s, Verified: %v, HideFromContacts: %v, HideFromFacebook: %v})",
			id(o.a), u.Status, day(u.Birth), u.Band, day(u.BandAsOf), u.Verified, u.HideFromContacts, u.HideFromFacebook)
	case opEdge:
		return fmt.Sprintf("SetEdge(%v, %v, %v, %v)", o.edge, id(o.a), id(o.b), o.on)
	case opKey:
		return fmt.Sprintf("SetContactKey(%v, %q)", id(o.a), o.key)
	case opSync:
		return fmt.Sprintf("SyncContacts(%v, %q)", id(o.a), o.keys)
	}
	return "check: " + o.why
}

func day(t time.Time) string {
	if t.IsZero() {
		return "zero"
	}
	return t.Format(time.DateOnly)
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func setUser(a int, u graph.User) op { return op{kind: opUser, a: a, user: u} }
func edge(k graph.Edge, a, b int, on bool) op {
	return op{kind: opEdge, edge: k, a: a, b: b, on: on}
}
func setKey(a int, k graph.ContactKey) op { return op{kind: opKey, a: a, key: k} }
func syncContacts(a int, ks ...graph.ContactKey) op {
	return op{kind: opSync, a: a, keys: ks}
}
func check(why string) op { return op{kind: opCheck, why: why} }

// worlds returns the kit's worlds, built afresh so that no run can change
// another's.
func worlds() []*world {
	ws := []*world{{name: "empty", users: 0, steps: []op{check("no users: every read is of unknown users")}}, rules()}
	for seed := uint64(1); seed <= 3; seed++ {
		ws = append(ws, random(seed, 10, 300))
	}
	return ws
}

// rules is the hand-written world: each rule of the write contract, then
// the reads that show it held.
func rules() *world {
	const u0, u1, u2, u3, unknown, unknown2 = 0, 1, 2, 3, 4, 5
	adult := graph.User{Status: graph.Active, Birth: date(1990, time.March, 14)}
	teen := graph.User{Status: graph.Active, Band: graph.Age16to17, BandAsOf: date(2025, time.June, 1)}
	hidden := graph.User{Status: graph.Active, Birth: date(2001, time.February, 28), Verified: true, HideFromContacts: true, HideFromFacebook: true}
	var steps []op
	add := func(o ...op) { steps = append(steps, o...) }

	add(setUser(u0, adult), setUser(u1, adult), setUser(u2, hidden), setUser(u3, teen),
		check("users, no edges: every edge read is false"))
	add(edge(graph.Follow, u0, u1, true), edge(graph.Follow, u0, u1, true),
		check("a duplicate follow is idempotent"))
	add(edge(graph.Follow, u0, u1, false),
		check("one unfollow removes a follow added twice"))
	add(edge(graph.Follow, u0, u1, false), edge(graph.Block, u2, u3, false),
		check("removing an absent edge is not an error"))
	add(edge(graph.Follow, u0, u1, true), edge(graph.Follow, u1, u0, true),
		edge(graph.Block, u2, u0, true), edge(graph.Restrict, u1, u3, true),
		edge(graph.Facebook, u0, u2, true), edge(graph.Facebook, u2, u0, true),
		check("edges are directed, Facebook is symmetric"))
	add(edge(graph.Facebook, u2, u0, false),
		check("a Facebook link removed from the other side is gone both ways"))
	for k := graph.Follow; k <= graph.Facebook; k++ {
		if k != graph.Contact {
			add(edge(k, u1, u1, true))
		}
	}
	add(edge(graph.Follow, u0, u0, false),
		check("self edges are refused with graph.ErrSelfEdge"))
	add(edge(graph.Follow, u0, unknown, true), edge(graph.Block, unknown, u1, true),
		edge(graph.Facebook, unknown, unknown2, true), edge(graph.Follow, u1, unknown, false),
		setKey(unknown, "k-unknown"), syncContacts(unknown2, "k-a"),
		check("writes naming unknown users are refused with graph.ErrUnknownUser and change nothing"))
	add(edge(graph.Contact, u0, u1, true), edge(0, u0, u1, true), edge(graph.Facebook+1, u0, u1, true),
		check("contacts are not edges; invalid kinds are refused with graph.ErrInvalidEdge"))
	add(setUser(u3, graph.User{}), setUser(u3, graph.User{Status: graph.Deleted + 1}),
		setUser(u3, graph.User{Status: graph.Active, Band: graph.Age13to15}),
		setUser(u3, graph.User{Status: graph.Active, Band: graph.Age18Plus + 1, BandAsOf: date(2025, 1, 1)}),
		setUser(unknown, graph.User{}),
		check("invalid users are refused with graph.ErrInvalidUser and change nothing"))
	add(setUser(u1, graph.User{Status: graph.Suspended, Band: graph.Age18Plus, BandAsOf: date(2024, time.December, 31)}),
		setUser(u3, graph.User{Status: graph.Deactivated}),
		check("replacing a user keeps their edges"))
	add(setKey(u1, "k-one"), syncContacts(u0, "k-one", "k-nobody"),
		check("a synced key matches the user who holds it"))
	add(setKey(u3, "k-nobody"),
		check("a key synced before anyone held it matches the user who sets it later"))
	add(setKey(u2, "k-one"),
		check("setting a key another user holds moves it (a recycled number)"))
	add(setKey(u2, ""), setKey(u2, ""),
		check("an empty key removes the user's key"))
	add(syncContacts(u0, "k-nobody"), syncContacts(u1, "k-nobody", "k-nobody"), syncContacts(u3, "k-one"),
		check("a sync replaces the synced contacts; a key listed twice counts once"))
	add(syncContacts(u0), syncContacts(u0, []graph.ContactKey{}...),
		check("an empty sync clears the synced contacts"))
	add(setKey(u0, "+1 (555) 010-9999"), syncContacts(u1, "k-ok", "5550109999"), setKey(unknown, "k-zzz"),
		check("raw phone numbers are refused with graph.ErrRawNumber and change nothing"))
	add(edge(graph.Block, u0, u2, true), edge(graph.Restrict, u2, u1, true), edge(graph.Block, u2, u0, false),
		edge(graph.Restrict, u1, u3, false), edge(graph.Follow, u3, u2, true), edge(graph.Facebook, u3, u1, true),
		check("blocks and restricts both ways, then removed"))
	return &world{name: "rules", users: 4, steps: steps}
}

// random is a seeded random world of n users and m writes, with four
// checkpoints. Some writes are refused (self edges, unknown users, invalid
// users); a pool of n+3 keys makes keys move between users and match
// nobody.
func random(seed uint64, n, m int) *world {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	w := &world{name: fmt.Sprintf("random_seed%d", seed), users: n}
	for i := range n {
		w.steps = append(w.steps, setUser(i, randomUser(r)))
	}
	key := func() graph.ContactKey { return graph.ContactKey(fmt.Sprintf("k-%x", r.IntN(n+3)*2654435761%1000003)) }
	kinds := [...]graph.Edge{graph.Follow, graph.Follow, graph.Follow, graph.Block, graph.Restrict, graph.Facebook}
	for i := range m {
		a, b := r.IntN(n), r.IntN(n)
		switch x := r.IntN(100); {
		case x < 3:
			w.steps = append(w.steps, edge(kinds[r.IntN(len(kinds))], a, a, r.IntN(2) == 0))
		case x < 6:
			w.steps = append(w.steps, edge(kinds[r.IntN(len(kinds))], a, n+r.IntN(2), true))
		case x < 9:
			u := randomUser(r)
			if r.IntN(3) == 0 {
				u.Status = graph.StatusUnknown
			}
			w.steps = append(w.steps, setUser(a, u))
		case x < 19:
			k := key()
			if r.IntN(8) == 0 {
				k = ""
			}
			w.steps = append(w.steps, setKey(a, k))
		case x < 27:
			keys := make([]graph.ContactKey, r.IntN(5))
			for j := range keys {
				keys[j] = key()
			}
			w.steps = append(w.steps, syncContacts(a, keys...))
		default:
			if a == b {
				b = (b + 1) % n
			}
			w.steps = append(w.steps, edge(kinds[r.IntN(len(kinds))], a, b, r.IntN(4) != 0))
		}
		if (i+1)%(m/4) == 0 {
			w.steps = append(w.steps, check(fmt.Sprintf("%d random writes", i+1)))
		}
	}
	return w
}

func randomUser(r *rand.Rand) graph.User {
	u := graph.User{Status: graph.Active}
	switch r.IntN(10) {
	case 0:
		u.Status = graph.Deactivated
	case 1:
		u.Status = graph.Suspended
	case 2:
		u.Status = graph.Deleted
	}
	birth := func() time.Time { return date(1950+r.IntN(70), time.Month(1+r.IntN(12)), 1+r.IntN(28)) }
	switch r.IntN(4) {
	case 0:
		u.Birth = birth()
	case 1:
		u.Band, u.BandAsOf = graph.AgeBand(1+r.IntN(4)), date(2020+r.IntN(6), time.Month(1+r.IntN(12)), 1+r.IntN(28))
	case 2:
		u.Birth = birth()
		u.Band, u.BandAsOf = graph.Age18Plus, date(2024, time.May, 5)
	}
	u.Verified = r.IntN(5) == 0
	u.HideFromContacts = r.IntN(5) == 0
	u.HideFromFacebook = r.IntN(5) == 0
	return u
}
