package model

import (
	"fmt"
	"slices"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// Stores is the embedded store a World is loaded into.
type Stores struct {
	Store *memory.Store[string]
}

// Op is one write that loads part of a World into [Stores].
type Op struct {
	Name  string // for failure messages: "follow ann bob"
	Apply func(Stores) error
}

// Ops returns the writes that load w into empty stores: users first (every
// other write needs them), then the rest. Within each slice the order does
// not matter, so a test may shuffle both to check that the stores' answers
// do not depend on insertion order.
func (w *World) Ops() (users, rest []Op) {
	for _, name := range w.Names() {
		u := w.Users[name]
		gu, err := u.GraphUser()
		users = append(users, Op{"user " + name, func(s Stores) error {
			if err != nil {
				return err
			}
			return s.Store.SetUser(name, gu)
		}})
	}
	edges := []struct {
		kind  graph.Edge
		edges map[[2]string]bool
	}{{graph.Follow, w.Follows}, {graph.Block, w.Blocks}, {graph.Restrict, w.Restricts}, {graph.Facebook, w.Facebook}}
	for _, e := range edges {
		for _, p := range sortedPairs(e.edges) {
			if e.kind == graph.Facebook && p[1] < p[0] {
				continue // one link stands for both orders
			}
			kind := e.kind
			rest = append(rest, Op{fmt.Sprintf("%v %s %s", kind, p[0], p[1]), func(s Stores) error {
				return s.Store.SetEdge(kind, p[0], p[1], true)
			}})
		}
	}
	for _, name := range w.Names() {
		if k := w.Keys[name]; k != "" {
			rest = append(rest, Op{"key " + name, func(s Stores) error {
				return s.Store.SetContactKey(name, graph.ContactKey(k))
			}})
		}
		if book := w.Contacts[name]; len(book) > 0 {
			var keys []graph.ContactKey
			for k := range book {
				keys = append(keys, graph.ContactKey(k))
			}
			slices.Sort(keys)
			rest = append(rest, Op{"contacts " + name, func(s Stores) error {
				return s.Store.SyncContacts(name, keys)
			}})
		}
		if m, ok := w.Modes[name]; ok {
			rest = append(rest, Op{"mode " + name, func(s Stores) error {
				mode, err := inbox.ParseMode(m)
				if err != nil {
					return err
				}
				return s.Store.SetSettings(name, inbox.Settings{Mode: mode})
			}})
		}
		for i, t := range w.OtherRequests[name] {
			rest = append(rest, Op{fmt.Sprintf("request %s %d", name, i), func(s Stores) error {
				return s.Store.SetConversation(name, OtherName(name, i), inbox.Pending, t)
			}})
		}
	}
	for _, p := range sortedPairs(w.Conversations) {
		c := w.Conversations[p]
		other := p[0]
		if other == c.Starter {
			other = p[1]
		}
		rest = append(rest, Op{fmt.Sprintf("conversation %s %s", c.Starter, other), func(s Stores) error {
			st, err := inbox.ParseState(c.State)
			if err != nil {
				return err
			}
			return s.Store.SetConversation(c.Starter, other, st, c.Started)
		}})
	}
	return users, rest
}

// OtherName is the recipient of sender's i-th request in OtherRequests: an
// ID outside every world (it starts with "~").
func OtherName(sender string, i int) string { return fmt.Sprintf("~%s-%d", sender, i) }

// Load applies ops to fresh stores.
func Load(ops ...[]Op) (Stores, error) {
	s := Stores{Store: memory.New[string]()}
	for _, list := range ops {
		for _, op := range list {
			if err := op.Apply(s); err != nil {
				return Stores{}, fmt.Errorf("model: loading %s: %w", op.Name, err)
			}
		}
	}
	return s, nil
}

// Build loads w into fresh embedded stores.
func (w *World) Build() (Stores, error) {
	users, rest := w.Ops()
	return Load(users, rest)
}

// GraphUser returns u as the graph stores it.
func (u User) GraphUser() (graph.User, error) {
	st, err := graph.ParseStatus(u.Status)
	if err != nil {
		return graph.User{}, err
	}
	g := graph.User{
		Status:           st,
		Birth:            u.Birth,
		Verified:         u.Verified,
		HideFromContacts: u.HideFromContacts,
		HideFromFacebook: u.HideFromFacebook,
	}
	if u.Band != "" {
		if g.Band, err = graph.ParseAgeBand(u.Band); err != nil {
			return graph.User{}, err
		}
		g.BandAsOf = u.BandAsOf
	}
	return g, nil
}

func sortedPairs[V any](m map[[2]string]V) [][2]string {
	keys := make([][2]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int {
		if a[0] != b[0] {
			if a[0] < b[0] {
				return -1
			}
			return 1
		}
		if a[1] < b[1] {
			return -1
		}
		if a[1] > b[1] {
			return 1
		}
		return 0
	})
	return keys
}

// String describes w in a stable text form, for failure messages.
func (w *World) String() string {
	var b []byte
	add := func(format string, args ...any) { b = fmt.Appendf(b, format, args...) }
	for _, n := range w.Names() {
		u := w.Users[n]
		add("user %s %s", n, u.Status)
		if !u.Birth.IsZero() {
			add(" born %s", u.Birth.Format(time.DateOnly))
		} else if u.Band != "" {
			add(" band %s as of %s", u.Band, u.BandAsOf.Format(time.DateOnly))
		} else {
			add(" age unknown")
		}
		if u.Verified {
			add(" verified")
		}
		if u.HideFromContacts {
			add(" hide-contacts")
		}
		if u.HideFromFacebook {
			add(" hide-facebook")
		}
		if m, ok := w.Modes[n]; ok {
			add(" mode %s", m)
		}
		if k := w.Keys[n]; k != "" {
			add(" key %s", k)
		}
		if book := w.Contacts[n]; len(book) > 0 {
			keys := make([]string, 0, len(book))
			for k := range book {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			add(" contacts %v", keys)
		}
		if ts := w.OtherRequests[n]; len(ts) > 0 {
			add(" other-requests %d", len(ts))
			for _, t := range ts {
				add(" %s", t.UTC().Format(time.RFC3339Nano))
			}
		}
		add("\n")
	}
	for _, e := range []struct {
		name  string
		edges map[[2]string]bool
	}{{"follow", w.Follows}, {"block", w.Blocks}, {"restrict", w.Restricts}, {"facebook", w.Facebook}} {
		for _, p := range sortedPairs(e.edges) {
			if e.name == "facebook" && p[1] < p[0] {
				continue
			}
			add("%s %s %s\n", e.name, p[0], p[1])
		}
	}
	for _, p := range sortedPairs(w.Conversations) {
		c := w.Conversations[p]
		add("conversation %v started by %s %s at %s\n", p, c.Starter, c.State, c.Started.UTC().Format(time.RFC3339Nano))
	}
	return string(b)
}
