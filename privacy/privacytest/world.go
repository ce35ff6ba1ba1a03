package privacytest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/graph/graphtest"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/inbox/inboxtest"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/scenario"
)

// World is a small platform at one moment: named users with their
// accounts and settings, the relations between them, their conversations,
// the policy they live under and the time of the decisions. It holds only
// what a scenario file can say, so [World.DM] prints every World as a
// .dm file that the scenario runner rebuilds exactly.
//
// A World is a value: the generators return a fresh one, and the kits copy
// it ([World.Clone]) before they change a fact.
type World struct {
	// Policy is the policy the users live under: it names the modes in
	// the .dm file and decides which settings the users may hold.
	Policy *privacy.Policy

	// At is the time of the decisions, to the minute.
	At time.Time

	// Users are the users, in order; user i is written to a host's store
	// under the ID the caller's id function gives i.
	Users []User

	// Edges are the relations: follow, block, restrict (From is the
	// actor), contact (From has To's number) and facebook (one edge per
	// pair, symmetric).
	Edges []Edge

	// Conversations are the threads, one per pair at most.
	Conversations []Conversation
}

// User is one user of a World: a name (a scenario-file name), the account
// and the inbox settings. Every user's own contact key is
// scenario.ContactKey of their name.
type User struct {
	Name     string
	Account  graph.User
	Settings inbox.Settings
}

// Edge is one relation of a World.
type Edge struct {
	Kind     graph.Edge
	From, To string
}

// Conversation is the thread between From, who started it at Started, and
// To.
type Conversation struct {
	From, To string
	State    inbox.State
	Started  time.Time
}

// Writer is the write path a World is written through: the write methods
// of the embedded store, as the conformance kits drive them
// ([graphtest.Writer] and [inboxtest.Writer]). *memory.Store implements
// it; a host adapter whose writes take a context wraps them in a small
// type with these methods.
type Writer[ID comparable] interface {
	graphtest.Writer[ID]
	inboxtest.Writer[ID]
}

// Clone returns a deep copy of w (the policy is shared: it is read only).
func (w *World) Clone() *World {
	c := *w
	c.Users = slices.Clone(w.Users)
	c.Edges = slices.Clone(w.Edges)
	c.Conversations = slices.Clone(w.Conversations)
	return &c
}

// Name returns the name of user i. With it a World is written under its
// own names: Apply(store, w, w.Name).
func (w *World) Name(i int) string { return w.Users[i].Name }

// Names returns the users' names, in order.
func (w *World) Names() []string {
	names := make([]string, len(w.Users))
	for i, u := range w.Users {
		names[i] = u.Name
	}
	return names
}

// index returns the index of the user named n, or -1.
func (w *World) index(n string) int {
	for i, u := range w.Users {
		if u.Name == n {
			return i
		}
	}
	return -1
}

// user returns the user named n.
func (w *World) user(n string) *User {
	if i := w.index(n); i >= 0 {
		return &w.Users[i]
	}
	return nil
}

// Has reports whether the relation kind holds from one user to another
// (Facebook either way).
func (w *World) Has(kind graph.Edge, from, to string) bool {
	for _, e := range w.Edges {
		if e.Kind == kind && ((e.From == from && e.To == to) || (kind == graph.Facebook && e.From == to && e.To == from)) {
			return true
		}
	}
	return false
}

// SetEdge adds (on) or removes the relation kind from → to, as the
// embedded store's SetEdge does; contacts are edges here.
func (w *World) SetEdge(kind graph.Edge, from, to string, on bool) {
	w.Edges = slices.DeleteFunc(w.Edges, func(e Edge) bool {
		return e.Kind == kind && ((e.From == from && e.To == to) || (kind == graph.Facebook && e.From == to && e.To == from))
	})
	if on {
		w.Edges = append(w.Edges, Edge{Kind: kind, From: from, To: to})
	}
}

// Conversation returns the thread between a and b, in either order.
func (w *World) Conversation(a, b string) (Conversation, bool) {
	for _, c := range w.Conversations {
		if (c.From == a && c.To == b) || (c.From == b && c.To == a) {
			return c, true
		}
	}
	return Conversation{}, false
}

// SetConversation replaces the thread between c.From and c.To; a NoThread
// state removes it.
func (w *World) SetConversation(c Conversation) {
	w.Conversations = slices.DeleteFunc(w.Conversations, func(x Conversation) bool {
		return (x.From == c.From && x.To == c.To) || (x.From == c.To && x.To == c.From)
	})
	if c.State != inbox.NoThread {
		w.Conversations = append(w.Conversations, c)
	}
}

// removeUser drops user n and everything that names them.
func (w *World) removeUser(n string) {
	w.Users = slices.DeleteFunc(w.Users, func(u User) bool { return u.Name == n })
	w.Edges = slices.DeleteFunc(w.Edges, func(e Edge) bool { return e.From == n || e.To == n })
	w.Conversations = slices.DeleteFunc(w.Conversations, func(c Conversation) bool { return c.From == n || c.To == n })
}

// Apply writes w through dst, naming user i id(i): every account and its
// contact key, the relations (contacts as each user's synced contacts),
// the settings and the conversations. It stops at the first write that
// fails and returns its error, naming the write.
func Apply[ID comparable](dst Writer[ID], w *World, id func(i int) ID) error {
	return apply(dst, w, id, nil)
}

// apply is Apply, with the order of the edges and conversations permuted
// by perm when it is not nil (the determinism rule's other write order).
func apply[ID comparable](dst Writer[ID], w *World, id func(i int) ID, perm func(n int) []int) error {
	ids := make(map[string]ID, len(w.Users))
	for i, u := range w.Users {
		ids[u.Name] = id(i)
	}
	order := func(n int) []int {
		if perm != nil {
			return perm(n)
		}
		o := make([]int, n)
		for i := range o {
			o[i] = i
		}
		return o
	}
	for _, i := range order(len(w.Users)) {
		u := w.Users[i]
		if err := dst.SetUser(ids[u.Name], u.Account); err != nil {
			return fmt.Errorf("SetUser(%s): %w", u.Name, err)
		}
		if err := dst.SetContactKey(ids[u.Name], scenario.ContactKey(u.Name)); err != nil {
			return fmt.Errorf("SetContactKey(%s): %w", u.Name, err)
		}
	}
	contacts := map[string][]graph.ContactKey{}
	for _, i := range order(len(w.Edges)) {
		e := w.Edges[i]
		if e.Kind == graph.Contact {
			contacts[e.From] = append(contacts[e.From], scenario.ContactKey(e.To))
			continue
		}
		if err := dst.SetEdge(e.Kind, ids[e.From], ids[e.To], true); err != nil {
			return fmt.Errorf("SetEdge(%v, %s, %s, true): %w", e.Kind, e.From, e.To, err)
		}
	}
	for _, u := range w.Users {
		if keys := contacts[u.Name]; len(keys) > 0 {
			if err := dst.SyncContacts(ids[u.Name], keys); err != nil {
				return fmt.Errorf("SyncContacts(%s): %w", u.Name, err)
			}
		}
	}
	for _, i := range order(len(w.Users)) {
		u := w.Users[i]
		if u.Settings == (inbox.Settings{}) {
			continue
		}
		if err := dst.SetSettings(ids[u.Name], u.Settings); err != nil {
			return fmt.Errorf("SetSettings(%s): %w", u.Name, err)
		}
	}
	for _, i := range order(len(w.Conversations)) {
		c := w.Conversations[i]
		if err := dst.SetConversation(ids[c.From], ids[c.To], c.State, c.Started); err != nil {
			return fmt.Errorf("SetConversation(%s, %s, %v): %w", c.From, c.To, c.State, err)
		}
	}
	return nil
}

// String returns w as a scenario file: [World.DM].
func (w *World) String() string { return w.DM() }

// GoString returns w as a scenario file too, so that rapid's log of a
// drawn world (its %#v) reads as one.
func (w *World) GoString() string { return "\n" + w.DM() }

// DM returns w as a scenario file (.dm) that the scenario runner
// (package scenario, examples/dmcheck) builds into exactly this world:
// the policy line (the policy's Name), a now line early enough for the
// oldest conversation, each user with their birth date, status and
// switches, the relations, the conversations at their start times
// (advance lines move the clock between them), and, at At, each user's
// settings in set lines, so they are validated as of the decisions' time.
// It ends at At with no checks: append expect, view or group lines.
//
// A policy that is not a preset must be given to the runner under its
// name (scenario.Options.Policies).
func (w *World) DM() string {
	var b strings.Builder
	p := w.Policy
	if p == nil {
		p = privacy.TikTok()
	}
	convs := slices.Clone(w.Conversations)
	slices.SortStableFunc(convs, func(a, b Conversation) int { return a.Started.Compare(b.Started) })
	start := w.At
	if len(convs) > 0 && convs[0].Started.Before(start) {
		start = convs[0].Started
	}
	fmt.Fprintf(&b, "policy %s\n", PolicyName(p))
	fmt.Fprintf(&b, "now %s\n", start.Format(time.RFC3339))
	for _, u := range w.Users {
		fmt.Fprintf(&b, "user %s%s\n", u.Name, accountKeys(u.Account))
	}
	for _, kind := range []graph.Edge{graph.Follow, graph.Block, graph.Restrict, graph.Contact, graph.Facebook} {
		for _, e := range w.Edges {
			if e.Kind == kind {
				fmt.Fprintf(&b, "%v %s %s\n", kind, e.From, e.To)
			}
		}
	}
	clock := start
	for _, c := range convs {
		clock = advance(&b, clock, c.Started)
		fmt.Fprintf(&b, "conversation %s %s %v\n", c.From, c.To, c.State)
	}
	advance(&b, clock, w.At)
	for _, u := range w.Users {
		if keys := settingsKeys(p, u.Settings); keys != "" {
			fmt.Fprintf(&b, "set %s%s\n", u.Name, keys)
		}
	}
	return b.String()
}

// PolicyName returns the name a scenario file's policy line gives p: its
// Name, if it is a valid scenario name, else "custom".
func PolicyName(p *privacy.Policy) string {
	n := p.Name
	if n == "" || len(n) > scenario.MaxNameLen {
		return "custom"
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return "custom"
		}
	}
	return n
}

// advance writes the advance line that moves the clock from to to, if it
// moves, and returns to.
func advance(b *strings.Builder, from, to time.Time) time.Time {
	d := to.Sub(from)
	if d <= 0 {
		return from
	}
	switch {
	case d%(24*time.Hour) == 0:
		fmt.Fprintf(b, "advance %dd\n", d/(24*time.Hour))
	case d%time.Hour == 0:
		fmt.Fprintf(b, "advance %dh\n", d/time.Hour)
	default:
		fmt.Fprintf(b, "advance %dm\n", d/time.Minute)
	}
	return to
}

func accountKeys(u graph.User) string {
	var b strings.Builder
	if !u.Birth.IsZero() {
		fmt.Fprintf(&b, " birth=%s", u.Birth.UTC().Format(time.DateOnly))
	}
	if u.Status != graph.Active {
		fmt.Fprintf(&b, " status=%v", u.Status)
	}
	if u.Verified {
		b.WriteString(" verified=on")
	}
	if u.HideFromContacts {
		b.WriteString(" suggest-to-contacts=off")
	}
	if u.HideFromFacebook {
		b.WriteString(" suggest-to-facebook=off")
	}
	return b.String()
}

func settingsKeys(p *privacy.Policy, s inbox.Settings) string {
	var b strings.Builder
	if s.Mode != inbox.ModeDefault {
		fmt.Fprintf(&b, " mode=%s", p.ModeName(s.Mode))
	}
	for _, a := range s.Routes.Audiences().List() {
		r, _ := s.Routes.Get(a)
		fmt.Fprintf(&b, " route.%v=%v", a, r)
	}
	return b.String()
}
