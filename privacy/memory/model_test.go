package memory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// model is a naive store: maps of users, edges, keys, settings and
// threads, recomputed from scratch on every read. The state machine below
// checks Store against it after every step, with tiny promote and demote
// lengths so that sets move between the block and the big form all the
// time, and with IDs that land both at their own value and in the hash
// index.
type model struct {
	users    map[string]graph.User
	edges    map[[3]string]bool
	keyOf    map[string]graph.ContactKey
	books    map[string]map[graph.ContactKey]bool
	settings map[string]inbox.Settings
	threads  map[[2]string]inbox.Conversation[string]
}

func newModel() *model {
	return &model{users: map[string]graph.User{}, edges: map[[3]string]bool{}, keyOf: map[string]graph.ContactKey{},
		books: map[string]map[graph.ContactKey]bool{}, settings: map[string]inbox.Settings{},
		threads: map[[2]string]inbox.Conversation[string]{}}
}

func pairKey(a, b string) [2]string {
	if b < a {
		a, b = b, a
	}
	return [2]string{a, b}
}

func (m *model) known(x string) bool { return m.users[x].Status != graph.StatusUnknown }

func (m *model) has(k graph.Edge, a, b string) bool {
	if k == graph.Contact {
		key := m.keyOf[b]
		return key != "" && m.books[a][key]
	}
	if k == graph.Facebook && b < a {
		a, b = b, a
	}
	return m.edges[[3]string{k.String(), a, b}]
}

func (m *model) pair(a, b string) graph.Pair {
	p := graph.Pair{A: m.users[a], B: m.users[b]}
	if !m.known(a) || !m.known(b) {
		return p
	}
	for k := graph.Follow; k <= graph.Facebook; k++ {
		if m.has(k, a, b) {
			p.Edges |= graph.EdgeBit(k, true)
		}
		if k != graph.Facebook && m.has(k, b, a) {
			p.Edges |= graph.EdgeBit(k, false)
		}
	}
	return p
}

func (m *model) pending(s string, after, upTo time.Time) int {
	n := 0
	for _, c := range m.threads {
		if c.Starter == s && c.State == inbox.Pending && c.Started.After(after) && !c.Started.After(upTo) {
			n++
		}
	}
	return n
}

func (m *model) facts(q inbox.Query[string]) inbox.Facts[string] {
	f := inbox.Facts[string]{Pair: m.pair(q.Sender, q.Recipient), Settings: m.settings[q.Recipient]}
	if q.Sender != q.Recipient {
		f.Conversation = m.threads[pairKey(q.Sender, q.Recipient)]
	}
	if q.Window > 0 {
		f.PendingRequests = m.pending(q.Sender, q.At.Add(-q.Window), q.At)
	}
	return f
}

func (m *model) related(a string, rel graph.Relation, all []string) []string {
	var out []string
	if !m.known(a) {
		return nil
	}
	for _, b := range all {
		if !m.known(b) || (a == b && rel != graph.RelationContacts) {
			continue // a user's own number may be in their contacts
		}
		var in bool
		switch rel {
		case graph.RelationFollowing:
			in = m.has(graph.Follow, a, b)
		case graph.RelationFollowers:
			in = m.has(graph.Follow, b, a)
		case graph.RelationBlocked:
			in = m.has(graph.Block, a, b)
		case graph.RelationRestricted:
			in = m.has(graph.Restrict, a, b)
		case graph.RelationContacts:
			in = m.has(graph.Contact, a, b)
		case graph.RelationFacebookFriends:
			in = m.has(graph.Facebook, a, b)
		case graph.RelationFriends:
			in = m.has(graph.Follow, a, b) && m.has(graph.Follow, b, a)
		}
		if in {
			out = append(out, b)
		}
	}
	slices.Sort(out)
	return out
}

// recommend is RecommendAt written from its documentation; order gives
// the tie-break (the store's record order).
func (m *model) recommend(me string, n int, t time.Time, all []string, order func(string) uint32) []graph.Suggestion[string] {
	u := m.users[me]
	if !u.Available() || n <= 0 {
		return nil
	}
	friends := func(x string) []string { return m.related(x, graph.RelationFriends, all) }
	var out []graph.Suggestion[string]
	uYoung, uOld := u.AgeRange(t)
	for _, c := range all {
		cu := m.users[c]
		if c == me || !cu.Available() || m.has(graph.Follow, me, c) || m.has(graph.Block, me, c) || m.has(graph.Block, c, me) {
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
		s := graph.Suggestion[string]{ID: c, Mutuals: mutuals, Score: min(mutuals, recommendMutualCap), Reason: graph.SuggestFriendOfFriend}
		if m.has(graph.Facebook, me, c) && !cu.HideFromFacebook {
			s.Score, s.Reason = s.Score+scoreFacebook, graph.SuggestFacebook
		}
		if m.has(graph.Contact, me, c) && !cu.HideFromContacts {
			s.Score, s.Reason = s.Score+scoreContact, graph.SuggestContact
		}
		if s.Score > 0 {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b graph.Suggestion[string]) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return cmp.Compare(order(a.ID), order(b.ID))
	})
	return out[:min(n, len(out))]
}

var modelNow = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// utcDay is t's UTC calendar day at midnight: what the store keeps of a
// date.
func utcDay(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, mo, d := t.UTC().Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

func genUser() *rapid.Generator[graph.User] {
	return rapid.Custom(func(t *rapid.T) graph.User {
		u := graph.User{Status: rapid.SampledFrom([]graph.Status{graph.Active, graph.Active, graph.Active, graph.Deactivated, graph.Suspended, graph.Deleted}).Draw(t, "status")}
		switch rapid.IntRange(0, 3).Draw(t, "age") {
		case 0:
			u.Birth = graph.BirthForAge(modelNow, rapid.IntRange(10, 40).Draw(t, "years"))
		case 1:
			u.Band = rapid.SampledFrom([]graph.AgeBand{graph.Age13to15, graph.Age16to17, graph.Age18Plus}).Draw(t, "band")
			u.BandAsOf = modelNow.AddDate(0, -rapid.IntRange(0, 30).Draw(t, "months"), 0)
		case 2:
			// A time of day, another location: the store keeps the UTC day.
			u.Birth = graph.BirthForAge(modelNow, rapid.IntRange(10, 40).Draw(t, "years")).Add(time.Duration(rapid.IntRange(1, 86399).Draw(t, "secs")) * time.Second)
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

// genSettings draws whole settings, now and then undefined ones, which
// the store must refuse, keeping what it had.
func genSettings() *rapid.Generator[inbox.Settings] {
	return rapid.Custom(func(t *rapid.T) inbox.Settings {
		s := inbox.Settings{
			Mode:   inbox.Mode(rapid.IntRange(0, inbox.NumModes).Draw(t, "mode")),
			Groups: inbox.Mode(rapid.IntRange(0, inbox.NumModes).Draw(t, "groups")),
		}
		for range rapid.IntRange(0, 3).Draw(t, "overrides") {
			a := inbox.Audience(rapid.IntRange(0, inbox.NumAudiences-1).Draw(t, "audience"))
			s.Routes = s.Routes.Set(a, inbox.Route(rapid.IntRange(1, 4).Draw(t, "route")))
		}
		return s
	})
}

func definedSettings(s inbox.Settings) bool {
	ok := s.Mode.Valid() && s.Groups.Valid()
	for _, a := range s.Routes.Audiences().List() {
		r, _ := s.Routes.Get(a)
		ok = ok && r != inbox.Unset && r.Valid()
	}
	return ok
}

// The IDs the state machine uses, by name: strings, and int64s of which
// some are kept at their own value and some are hashed (negative, huge,
// or beyond the direct range when first added).
var (
	names     = []string{"a", "b", "c", "d", "e", "f"}
	intIDs    = map[string]int64{"a": 0, "b": 3, "c": -7, "d": 1 << 40, "e": directFloor + 5, "f": 42, "zz": 99}
	stringIDs = map[string]string{"a": "a", "b": "b", "c": "c", "d": "d", "e": "e", "f": "f", "zz": "zz"}
)

func TestStoreAgainstModel(t *testing.T) {
	t.Parallel()
	t.Run("string", func(t *testing.T) { runModel(t, stringIDs) })
	t.Run("int64", func(t *testing.T) { runModel(t, intIDs) })
}

func runModel[ID comparable](t *testing.T, idOf map[string]ID) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		mem := New[ID]()
		mem.promote = rapid.IntRange(0, 3).Draw(t, "promote")
		mem.demote = rapid.IntRange(0, mem.promote).Draw(t, "demote")
		mod := newModel()
		name := rapid.SampledFrom(names)
		all := append(slices.Clone(names), "zz")
		nameOf := map[ID]string{}
		for n, id := range idOf {
			nameOf[id] = n
		}
		keys := []graph.ContactKey{"k0", "k1", "k2", "k3", "k4", "k5", "k6"}
		key := rapid.SampledFrom(keys)
		at := rapid.Custom(func(t *rapid.T) time.Time {
			return modelNow.Add(time.Duration(rapid.IntRange(-40, 10).Draw(t, "hours")) * time.Hour)
		})
		var loader *Loader[ID]
		var pending []func() // the model's side of edges buffered in loader
		edge := func(k graph.Edge, a, b string, on bool) {
			if k == graph.Facebook && b < a {
				a, b = b, a
			}
			mod.edges[[3]string{k.String(), a, b}] = on
		}
		check := func(err error, want bool, what string) {
			if (err == nil) != want {
				t.Fatalf("%s: err = %v, want success %v", what, err, want)
			}
		}
		t.Repeat(map[string]func(*rapid.T){
			"SetUser": func(t *rapid.T) {
				x, u := name.Draw(t, "id"), genUser().Draw(t, "user")
				check(mem.SetUser(idOf[x], u), true, "SetUser")
				u.Birth, u.BandAsOf = utcDay(u.Birth), utcDay(u.BandAsOf)
				mod.users[x] = u
			},
			"SetEdge": func(t *rapid.T) {
				k := rapid.SampledFrom([]graph.Edge{graph.Follow, graph.Follow, graph.Block, graph.Restrict, graph.Facebook}).Draw(t, "kind")
				a, b, on := name.Draw(t, "a"), name.Draw(t, "b"), rapid.Float64Range(0, 1).Draw(t, "p") < 0.7
				ok := a != b && mod.known(a) && mod.known(b)
				check(mem.SetEdge(k, idOf[a], idOf[b], on), ok, fmt.Sprintf("SetEdge(%v, %s, %s, %v)", k, a, b, on))
				if ok {
					edge(k, a, b, on)
				}
			},
			"Load": func(t *rapid.T) {
				if loader == nil {
					loader = mem.Loader()
				}
				k := rapid.SampledFrom([]graph.Edge{graph.Follow, graph.Block, graph.Restrict, graph.Facebook}).Draw(t, "kind")
				a := name.Draw(t, "a")
				bs := rapid.SliceOfN(name, 0, 4).Draw(t, "bs")
				ok := mod.known(a)
				var ids []ID
				for _, b := range bs {
					ok = ok && mod.known(b) && b != a
					ids = append(ids, idOf[b])
				}
				check(loader.AddAll(k, idOf[a], ids), ok, "AddAll")
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
				x, k := name.Draw(t, "id"), key.Draw(t, "key")
				if rapid.IntRange(0, 4).Draw(t, "clear") == 0 {
					k = ""
				}
				check(mem.SetContactKey(idOf[x], k), mod.known(x), "SetContactKey")
				if !mod.known(x) {
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
				x, ks := name.Draw(t, "id"), rapid.SliceOfN(key, 0, 5).Draw(t, "keys")
				check(mem.SyncContacts(idOf[x], ks), mod.known(x), "SyncContacts")
				if mod.known(x) {
					mod.books[x] = map[graph.ContactKey]bool{}
					for _, k := range ks {
						mod.books[x][k] = true
					}
				}
			},
			"EditContact": func(t *rapid.T) {
				x, k, on := name.Draw(t, "id"), key.Draw(t, "key"), rapid.Bool().Draw(t, "on")
				var err error
				if on {
					err = mem.AddContact(idOf[x], k)
				} else {
					err = mem.RemoveContact(idOf[x], k)
				}
				check(err, mod.known(x), "EditContact")
				if mod.known(x) {
					if mod.books[x] == nil {
						mod.books[x] = map[graph.ContactKey]bool{}
					}
					mod.books[x][k] = on
				}
			},
			"SetSettings": func(t *rapid.T) {
				x, s := name.Draw(t, "id"), genSettings().Draw(t, "settings")
				err := mem.SetSettings(idOf[x], s)
				if definedSettings(s) != (err == nil) {
					t.Fatalf("SetSettings(%s, %+v) = %v", x, s, err)
				}
				if err != nil {
					if !errors.Is(err, inbox.ErrInvalidMode) && !errors.Is(err, inbox.ErrInvalidRoute) {
						t.Fatalf("SetSettings(%s, %+v) = %v, want ErrInvalidMode or ErrInvalidRoute", x, s, err)
					}
					return
				}
				mod.settings[x] = s
			},
			"SetConversation": func(t *rapid.T) {
				a, b := name.Draw(t, "a"), name.Draw(t, "b")
				s := inbox.State(rapid.IntRange(1, 4).Draw(t, "state"))
				when := at.Draw(t, "at")
				err := mem.SetConversation(idOf[a], idOf[b], s, when)
				if (err == nil) != (a != b) {
					t.Fatalf("SetConversation(%s, %s) = %v", a, b, err)
				}
				if a != b {
					mod.threads[pairKey(a, b)] = inbox.Conversation[string]{Starter: a, State: s, Started: when}
				}
			},
			"Deliver": func(t *rapid.T) {
				a, b := name.Draw(t, "a"), name.Draw(t, "b")
				d := inbox.Delivery(rapid.IntRange(0, 3).Draw(t, "delivery"))
				when := at.Draw(t, "at")
				got, err := mem.Deliver(idOf[a], idOf[b], d, when)
				if a == b {
					if !errors.Is(err, inbox.ErrSelf) {
						t.Fatalf("Deliver to oneself: %v", err)
					}
					return
				}
				want := inbox.Next(mod.threads[pairKey(a, b)], a, d, when)
				if err != nil || nameConv(got, nameOf) != want {
					t.Fatalf("Deliver(%s, %s, %v) = %v, %v; want %v", a, b, d, got, err, want)
				}
				if want.Exists() {
					mod.threads[pairKey(a, b)] = want
				}
			},
			"Answer": func(t *rapid.T) {
				r, s, accept := name.Draw(t, "recipient"), name.Draw(t, "sender"), rapid.Bool().Draw(t, "accept")
				var err error
				if accept {
					err = mem.Accept(idOf[r], idOf[s])
				} else {
					err = mem.Decline(idOf[r], idOf[s])
				}
				c, ok := mod.threads[pairKey(r, s)]
				can := ok && r != s && c.Starter == s && (c.State == inbox.Pending || c.State == inbox.Held)
				if (err == nil) != can {
					t.Fatalf("answer(%s, %s) = %v, want success %v", r, s, err, can)
				}
				if can {
					c.State = inbox.Declined
					if accept {
						c.State = inbox.Accepted
					}
					mod.threads[pairKey(r, s)] = c
				}
			},
			"Related": func(t *rapid.T) {
				x := name.Draw(t, "id")
				rel := graph.Relation(rapid.IntRange(int(graph.RelationFollowing), int(graph.RelationFriends)).Draw(t, "rel"))
				page := rapid.IntRange(1, 4).Draw(t, "page")
				var got []ID
				var cur graph.Cursor
				for pages := 0; ; pages++ {
					before := len(got)
					var err error
					got, cur, err = mem.Related(ctx, idOf[x], rel, cur, page, got)
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
				var gotNames []string
				for _, id := range got {
					gotNames = append(gotNames, nameOf[id])
				}
				slices.Sort(gotNames)
				if diff := gocmp.Diff(mod.related(x, rel, all), gotNames); diff != "" {
					t.Fatalf("Related(%s, %v) mismatch (-want +got):\n%s", x, rel, diff)
				}
			},
			"Recommend": func(t *rapid.T) {
				x, n := name.Draw(t, "id"), rapid.IntRange(0, 6).Draw(t, "n")
				got, err := mem.RecommendAt(ctx, idOf[x], n, modelNow)
				if err != nil {
					t.Fatal(err)
				}
				order := func(y string) uint32 { i, _ := mem.find(idOf[y]); return i }
				var gotNames []graph.Suggestion[string]
				for _, s := range got {
					gotNames = append(gotNames, graph.Suggestion[string]{ID: nameOf[s.ID], Reason: s.Reason, Mutuals: s.Mutuals, Score: s.Score})
				}
				if diff := gocmp.Diff(mod.recommend(x, n, modelNow, all, order), gotNames); diff != "" {
					t.Fatalf("RecommendAt(%s, %d) mismatch (-want +got):\n%s", x, n, diff)
				}
			},
			"": func(t *rapid.T) {
				users := 0
				for _, x := range names {
					if mod.known(x) {
						users++
					}
				}
				if mem.Len() != users {
					t.Fatalf("Len = %d, want %d", mem.Len(), users)
				}
				now := at.Draw(t, "now")
				window := time.Duration(rapid.IntRange(0, 30).Draw(t, "window")) * time.Hour
				pairs := make([]graph.Pair, len(all))
				facts := make([]inbox.Facts[ID], len(all))
				ids := make([]ID, len(all))
				for i, b := range all {
					ids[i] = idOf[b]
				}
				for _, a := range all {
					u, _ := mem.User(ctx, idOf[a])
					if u != mod.users[a] {
						t.Fatalf("User(%s) = %+v, want %+v", a, u, mod.users[a])
					}
					if got, _ := mem.Settings(ctx, idOf[a]); got != mod.settings[a] {
						t.Fatalf("Settings(%s) = %v, want %v", a, got, mod.settings[a])
					}
					if got, want := must(mem.PendingRequests(ctx, idOf[a], now.Add(-window), now)), mod.pending(a, now.Add(-window), now); got != want {
						t.Fatalf("PendingRequests(%s, %v) = %d, want %d", a, window, got, want)
					}
					checkThreads(t, mem, a, idOf, nameOf, mod, all)
					if err := mem.PairBatch(ctx, idOf[a], ids, pairs); err != nil {
						t.Fatal(err)
					}
					bq := inbox.BatchQuery[ID]{Sender: idOf[a], Recipients: ids, At: now, Window: window}
					if err := mem.FactsBatch(ctx, bq, facts); err != nil {
						t.Fatal(err)
					}
					for j, b := range all {
						want := mod.pair(a, b)
						// == first (it also tells times in other locations
						// apart), the diff only to explain a failure.
						if got, _ := mem.Pair(ctx, idOf[a], idOf[b]); got != want {
							t.Fatalf("Pair(%s, %s) mismatch (-want +got):\n%s", a, b, gocmp.Diff(want, got))
						}
						if pairs[j] != want {
							t.Fatalf("PairBatch(%s)[%s] mismatch (-want +got):\n%s", a, b, gocmp.Diff(want, pairs[j]))
						}
						for k := graph.Follow; k <= graph.Facebook; k++ {
							if got, _ := mem.HasEdge(ctx, k, idOf[a], idOf[b]); got != want.Edges.Has(graph.EdgeBit(k, true)) {
								t.Fatalf("HasEdge(%v, %s, %s) = %v", k, a, b, got)
							}
						}
						q := inbox.Query[string]{Sender: a, Recipient: b, At: now, Window: window}
						wantF := mod.facts(q)
						gotF := must(mem.Facts(ctx, inbox.Query[ID]{Sender: idOf[a], Recipient: idOf[b], At: now, Window: window}))
						if nameFacts(gotF, nameOf) != wantF {
							t.Fatalf("Facts(%s, %s) mismatch (-want +got):\n%s", a, b, gocmp.Diff(wantF, nameFacts(gotF, nameOf)))
						}
						if nameFacts(facts[j], nameOf) != wantF {
							t.Fatalf("FactsBatch(%s)[%s] mismatch (-want +got):\n%s", a, b, gocmp.Diff(wantF, nameFacts(facts[j], nameOf)))
						}
						if c := must(mem.Conversation(ctx, idOf[a], idOf[b])); nameConv(c, nameOf) != wantF.Conversation {
							t.Fatalf("Conversation(%s, %s) = %v, want %v", a, b, c, wantF.Conversation)
						}
					}
				}
			},
		})
	})
}

func checkThreads[ID comparable](t *rapid.T, mem *Store[ID], a string, idOf map[string]ID, nameOf map[ID]string, mod *model, all []string) {
	var threads []inbox.Thread[ID]
	var cur graph.Cursor
	for {
		var err error
		threads, cur, err = mem.Threads(context.Background(), idOf[a], cur, 2, threads)
		if err != nil {
			t.Fatal(err)
		}
		if cur == "" {
			break
		}
	}
	var got []inbox.Thread[string]
	for _, th := range threads {
		got = append(got, inbox.Thread[string]{With: nameOf[th.With], Conversation: nameConv(th.Conversation, nameOf)})
	}
	var want []inbox.Thread[string]
	for _, r := range all {
		if c, ok := mod.threads[pairKey(a, r)]; ok && r != a {
			want = append(want, inbox.Thread[string]{With: r, Conversation: c})
		}
	}
	slices.SortFunc(got, func(x, y inbox.Thread[string]) int { return cmp.Compare(x.With, y.With) })
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Fatalf("Threads(%s) mismatch (-want +got):\n%s", a, diff)
	}
}

func nameConv[ID comparable](c inbox.Conversation[ID], nameOf map[ID]string) inbox.Conversation[string] {
	if !c.Exists() {
		return inbox.Conversation[string]{}
	}
	return inbox.Conversation[string]{Starter: nameOf[c.Starter], State: c.State, Started: c.Started}
}

func nameFacts[ID comparable](f inbox.Facts[ID], nameOf map[ID]string) inbox.Facts[string] {
	return inbox.Facts[string]{Pair: f.Pair, Settings: f.Settings, Conversation: nameConv(f.Conversation, nameOf), PendingRequests: f.PendingRequests}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
