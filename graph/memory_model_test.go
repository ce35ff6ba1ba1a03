package graph

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// model is a naive graph: maps of edges, recomputed from scratch on every
// read. The state machine below checks Memory against it after every step,
// with tiny promote and demote lengths so that sets move between the block
// and the hashed form all the time.
type model struct {
	users map[string]User
	order []string // users in the order they were added
	edges map[[3]string]bool
	keyOf map[string]ContactKey
	books map[string]map[ContactKey]bool
}

func newModel() *model {
	return &model{users: map[string]User{}, edges: map[[3]string]bool{}, keyOf: map[string]ContactKey{}, books: map[string]map[ContactKey]bool{}}
}

func (m *model) pair(a, b string) Pair {
	p := Pair{A: m.users[a], B: m.users[b]}
	_, okA := m.users[a]
	_, okB := m.users[b]
	if !okA || !okB {
		return p
	}
	for k := Follow; k <= Facebook; k++ {
		if m.has(k, a, b) {
			p.Edges |= EdgeBit(k, true)
		}
		if k != Facebook && m.has(k, b, a) {
			p.Edges |= EdgeBit(k, false)
		}
	}
	return p
}

func (m *model) has(k Edge, a, b string) bool {
	if k == Contact {
		key := m.keyOf[b]
		return key != "" && m.books[a][key]
	}
	return m.edges[[3]string{k.String(), a, b}]
}

func (m *model) related(a string, rel Relation) []string {
	var out []string
	for _, b := range m.order {
		var in bool
		switch rel {
		case Following:
			in = m.has(Follow, a, b)
		case Followers:
			in = m.has(Follow, b, a)
		case Blocked:
			in = m.has(Block, a, b)
		case Restricted:
			in = m.has(Restrict, a, b)
		case Contacts:
			in = m.has(Contact, a, b)
		case FacebookFriends:
			in = m.has(Facebook, a, b)
		case Friends:
			in = m.has(Follow, a, b) && m.has(Follow, b, a)
		}
		if in {
			out = append(out, b)
		}
	}
	slices.Sort(out)
	return out
}

// recommend is RecommendAt written from its documentation.
func (m *model) recommend(me string, n int, t time.Time) []Suggestion[string] {
	u, ok := m.users[me]
	if !ok || !u.Available() || n <= 0 {
		return nil
	}
	friends := func(x string) []string {
		var out []string
		for _, y := range m.order {
			if m.has(Follow, x, y) && m.has(Follow, y, x) {
				out = append(out, y)
			}
		}
		return out
	}
	pos := map[string]int{}
	for i, id := range m.order {
		pos[id] = i
	}
	var out []Suggestion[string]
	uYoung, uOld := u.AgeRange(t)
	for _, c := range m.order {
		cu := m.users[c]
		if c == me || !cu.Available() || m.has(Follow, me, c) || m.has(Block, me, c) || m.has(Block, c, me) {
			continue
		}
		cYoung, cOld := cu.AgeRange(t)
		if (uYoung < 18 && cOld >= 18) || (uOld >= 18 && cYoung < 18) {
			continue
		}
		mutuals := 0
		for _, f := range friends(me) {
			if slices.Contains(friends(f), c) {
				mutuals++
			}
		}
		s := Suggestion[string]{ID: c, Mutuals: mutuals, Score: min(mutuals, recommendMutualCap), Reason: SuggestFriendOfFriend}
		if m.has(Facebook, me, c) && !cu.HideFromFacebook {
			s.Score, s.Reason = s.Score+scoreFacebook, SuggestFacebook
		}
		if m.has(Contact, me, c) && !cu.HideFromContacts {
			s.Score, s.Reason = s.Score+scoreContact, SuggestContact
		}
		if s.Score > 0 {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b Suggestion[string]) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return cmp.Compare(pos[a.ID], pos[b.ID])
	})
	return out[:min(n, len(out))]
}

var modelNow = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func genUser() *rapid.Generator[User] {
	return rapid.Custom(func(t *rapid.T) User {
		u := User{Status: rapid.SampledFrom([]Status{Active, Active, Active, Deactivated, Suspended, Deleted}).Draw(t, "status")}
		switch rapid.IntRange(0, 3).Draw(t, "age") {
		case 0:
			u.Birth = BirthForAge(modelNow, rapid.IntRange(10, 40).Draw(t, "years"))
		case 1:
			u.Band = rapid.SampledFrom([]AgeBand{Age13to15, Age16to17, Age18Plus}).Draw(t, "band")
			u.BandAsOf = modelNow.AddDate(0, -rapid.IntRange(0, 30).Draw(t, "months"), 0)
		case 2:
			// Times that do not pack: a time of day, another location.
			u.Birth = BirthForAge(modelNow, rapid.IntRange(10, 40).Draw(t, "years")).Add(time.Duration(rapid.IntRange(1, 86399).Draw(t, "secs")) * time.Second)
			if rapid.Bool().Draw(t, "local") {
				u.Birth = u.Birth.In(time.FixedZone("X", 3600))
			}
		}
		u.Verified = rapid.Bool().Draw(t, "verified")
		u.HideFromContacts = rapid.IntRange(0, 3).Draw(t, "hideC") == 0
		u.HideFromFacebook = rapid.IntRange(0, 3).Draw(t, "hideF") == 0
		return u
	})
}

func TestMemoryAgainstModel(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		mem := NewMemory[string]()
		mem.promote = rapid.IntRange(0, 3).Draw(t, "promote")
		mem.demote = rapid.IntRange(0, mem.promote).Draw(t, "demote")
		mem.pool = rapid.IntRange(0, 2).Draw(t, "pool") // so Recommend runs out of ranked candidates
		mod := newModel()
		ids := []string{"a", "b", "c", "d", "e", "f"}
		id := rapid.SampledFrom(ids)
		keys := []ContactKey{"k0", "k1", "k2", "k3", "k4", "k5", "k6"}
		key := rapid.SampledFrom(keys)
		var loader *Loader[string]
		var pending []func() // the model's side of edges buffered in loader
		edge := func(k Edge, a, b string, on bool) {
			if k == Facebook {
				mod.edges[[3]string{k.String(), b, a}] = on
			}
			mod.edges[[3]string{k.String(), a, b}] = on
		}
		known := func(x string) bool { _, ok := mod.users[x]; return ok }
		check := func(err error, want bool, what string) {
			if (err == nil) != want {
				t.Fatalf("%s: err = %v, want success %v", what, err, want)
			}
		}
		t.Repeat(map[string]func(*rapid.T){
			"SetUser": func(t *rapid.T) {
				x, u := id.Draw(t, "id"), genUser().Draw(t, "user")
				check(mem.SetUser(x, u), true, "SetUser")
				if !known(x) {
					mod.order = append(mod.order, x)
				}
				mod.users[x] = u
			},
			"SetEdge": func(t *rapid.T) {
				k := rapid.SampledFrom([]Edge{Follow, Follow, Block, Restrict, Facebook}).Draw(t, "kind")
				a, b, on := id.Draw(t, "a"), id.Draw(t, "b"), rapid.Float64Range(0, 1).Draw(t, "p") < 0.7
				ok := a != b && known(a) && known(b)
				check(mem.SetEdge(k, a, b, on), ok, fmt.Sprintf("SetEdge(%v, %s, %s, %v)", k, a, b, on))
				if ok {
					edge(k, a, b, on)
				}
			},
			"Load": func(t *rapid.T) {
				if loader == nil {
					loader = mem.Loader()
				}
				k := rapid.SampledFrom([]Edge{Follow, Block, Restrict, Facebook}).Draw(t, "kind")
				a := id.Draw(t, "a")
				bs := rapid.SliceOfN(id, 0, 4).Draw(t, "bs")
				ok := known(a)
				for _, b := range bs {
					ok = ok && known(b) && b != a
				}
				check(loader.AddAll(k, a, bs), ok, "AddAll")
				if ok {
					for _, b := range bs {
						pending = append(pending, func() { edge(k, a, b, true) })
					}
				}
			},
			"Flush": func(t *rapid.T) {
				if loader == nil {
					t.Skip("no loader")
				}
				check(loader.Flush(), true, "Flush")
				for _, f := range pending {
					f()
				}
				pending = nil
			},
			"SetContactKey": func(t *rapid.T) {
				x, k := id.Draw(t, "id"), key.Draw(t, "key")
				if rapid.IntRange(0, 4).Draw(t, "clear") == 0 {
					k = ""
				}
				check(mem.SetContactKey(x, k), known(x), "SetContactKey")
				if !known(x) {
					return
				}
				delete(mod.keyOf, x)
				if k != "" {
					for y, yk := range mod.keyOf {
						if yk == k {
							delete(mod.keyOf, y)
						}
					}
					mod.keyOf[x] = k
				}
			},
			"SyncContacts": func(t *rapid.T) {
				x, ks := id.Draw(t, "id"), rapid.SliceOfN(key, 0, 5).Draw(t, "keys")
				check(mem.SyncContacts(x, ks), known(x), "SyncContacts")
				if known(x) {
					mod.books[x] = map[ContactKey]bool{}
					for _, k := range ks {
						mod.books[x][k] = true
					}
				}
			},
			"EditContact": func(t *rapid.T) {
				x, k, on := id.Draw(t, "id"), key.Draw(t, "key"), rapid.Bool().Draw(t, "on")
				var err error
				if on {
					err = mem.AddContact(x, k)
				} else {
					err = mem.RemoveContact(x, k)
				}
				check(err, known(x), "EditContact")
				if known(x) {
					if mod.books[x] == nil {
						mod.books[x] = map[ContactKey]bool{}
					}
					mod.books[x][k] = on
				}
			},
			"Related": func(t *rapid.T) {
				x := id.Draw(t, "id")
				rel := Relation(rapid.IntRange(int(Following), int(Friends)).Draw(t, "rel"))
				page := rapid.IntRange(1, 4).Draw(t, "page")
				var got []string
				var cur Cursor
				for pages := 0; ; pages++ {
					before := len(got)
					var err error
					got, cur, err = mem.Related(context.Background(), x, rel, cur, page, got)
					if err != nil {
						t.Fatal(err)
					}
					if len(got)-before > page || pages > 10 {
						t.Fatalf("page of %d from a limit of %d", len(got)-before, page)
					}
					if cur == "" {
						break
					}
					if len(got)-before == 0 {
						t.Fatalf("an empty page with a cursor")
					}
				}
				slices.Sort(got)
				if diff := gocmp.Diff(mod.related(x, rel), got); diff != "" {
					t.Fatalf("Related(%s, %v) mismatch (-want +got):\n%s", x, rel, diff)
				}
			},
			"Recommend": func(t *rapid.T) {
				x, n := id.Draw(t, "id"), rapid.IntRange(0, 6).Draw(t, "n")
				got, err := mem.RecommendAt(context.Background(), x, n, modelNow)
				if err != nil {
					t.Fatal(err)
				}
				if diff := gocmp.Diff(mod.recommend(x, n, modelNow), got); diff != "" {
					t.Fatalf("RecommendAt(%s, %d) mismatch (-want +got):\n%s", x, n, diff)
				}
			},
			"": func(t *rapid.T) {
				if mem.Len() != len(mod.order) {
					t.Fatalf("Len = %d, want %d", mem.Len(), len(mod.order))
				}
				all := append(slices.Clone(ids), "zz")
				pairs := make([]Pair, len(all))
				for _, a := range all {
					u, _ := mem.User(context.Background(), a)
					if u != mod.users[a] {
						t.Fatalf("User(%s) = %+v, want %+v", a, u, mod.users[a])
					}
					if err := mem.PairBatch(context.Background(), a, all, pairs); err != nil {
						t.Fatal(err)
					}
					for j, b := range all {
						want := mod.pair(a, b)
						// == first (it also tells times in other locations
						// apart), the diff only to explain a failure.
						if got, _ := mem.Pair(context.Background(), a, b); got != want {
							t.Fatalf("Pair(%s, %s) mismatch (-want +got):\n%s", a, b, gocmp.Diff(want, got))
						}
						if pairs[j] != want {
							t.Fatalf("PairBatch(%s)[%s] mismatch (-want +got):\n%s", a, b, gocmp.Diff(want, pairs[j]))
						}
						for k := Follow; k <= Facebook; k++ {
							if got, _ := mem.HasEdge(context.Background(), k, a, b); got != mod.has(k, a, b) && known(a) && known(b) {
								t.Fatalf("HasEdge(%v, %s, %s) = %v", k, a, b, got)
							}
						}
					}
				}
			},
		})
	})
}

// TestPairSnapshots runs readers while a writer cycles two users through a
// fixed sequence of states that touches both users' sets: every Pair a
// reader sees must be one of those states, never a mix of two (run with
// -race).
func TestPairSnapshots(t *testing.T) {
	t.Parallel()
	m := NewMemory[int]()
	m.promote, m.demote = 3, 1 // the writer also moves sets to and from the hashed form
	for i := range 8 {
		if err := m.SetUser(i, User{Status: Active}); err != nil {
			t.Fatal(err)
		}
	}
	steps := []func() error{
		func() error { return m.Follow(0, 1) },
		func() error { return m.Block(1, 0) },
		func() error { return m.Follow(1, 0) },
		func() error { return m.Unfollow(0, 1) },
		func() error { return m.Unblock(1, 0) },
		func() error { return m.Unfollow(1, 0) },
	}
	valid := map[Edges]bool{
		0:                             true,
		FollowAB:                      true,
		FollowAB | BlockBA:            true,
		FollowAB | BlockBA | FollowBA: true,
		BlockBA | FollowBA:            true,
		FollowBA:                      true,
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for round := 0; ; round++ {
			select {
			case <-stop:
				return
			default:
			}
			for _, s := range steps {
				if err := s(); err != nil {
					t.Error(err)
					return
				}
			}
			// Churn other sets of both users, so blocks are rebuilt.
			for x := 2; x < 8; x++ {
				m.SetEdge(Follow, x, round%2, round%3 != 0)
				m.SetEdge(Follow, round%2, x, round%3 == 0)
			}
		}
	}()
	for range 20000 {
		p, _ := m.Pair(context.Background(), 0, 1)
		if !valid[p.Edges] {
			close(stop)
			wg.Wait()
			t.Fatalf("Pair(0, 1) = %v: no state of the sequence", p.Edges)
		}
	}
	close(stop)
	wg.Wait()
}

// TestBlockIsLinearizable: once Block returns, every read sees it.
func TestBlockIsLinearizable(t *testing.T) {
	t.Parallel()
	m := NewMemory[int]()
	const n = 200
	for i := range n {
		m.SetUser(i, User{Status: Active})
	}
	done := make(chan int, n)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i < n; i++ {
			m.Block(0, i)
			done <- i
		}
		close(done)
	}()
	for i := range done {
		if ok, _ := m.HasEdge(context.Background(), Block, 0, i); !ok {
			t.Fatalf("block 0→%d not seen after Block returned", i)
		}
		if p, _ := m.Pair(context.Background(), i, 0); !p.Edges.Has(BlockBA) {
			t.Fatalf("Pair(%d, 0) = %v after Block returned", i, p.Edges)
		}
	}
	wg.Wait()
}

// TestRecommendPastTheRankedFew: when filtering rejects every candidate
// RecommendAt ranked first, it goes on with the rest in rank order.
func TestRecommendPastTheRankedFew(t *testing.T) {
	t.Parallel()
	for pool := range 3 {
		m := NewMemory[string]()
		m.pool = pool
		adult := BirthForAge(modelNow, 30)
		ids := []string{"me", "c1", "c2", "c3", "c4", "c5", "c6"}
		var book []ContactKey
		for i, id := range ids {
			u := User{Status: Active, Birth: adult}
			if i > 0 && i <= 3 {
				u.Status = Suspended // the first three candidates are filtered out
			}
			m.SetUser(id, u)
			m.SetContactKey(id, ContactKey("k-"+id))
			book = append(book, ContactKey("k-"+id))
		}
		m.SyncContacts("me", book)
		got, err := m.RecommendAt(context.Background(), "me", 2, modelNow)
		if err != nil {
			t.Fatal(err)
		}
		want := []Suggestion[string]{{ID: "c4", Reason: SuggestContact, Score: 1000}, {ID: "c5", Reason: SuggestContact, Score: 1000}}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("pool %d: mismatch (-want +got):\n%s", pool, diff)
		}
	}
}
