package privacy_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// hostDB stands for a host's own storage (a database, a cache, a service):
// here plain maps, plus a count of the reads the engine makes, each of
// which would be a round trip to a real store. It implements graph.Reader
// and inbox.Reader, the five methods the engine requires.
type hostDB struct {
	users    map[string]graph.User
	edges    map[hostEdge]bool
	settings map[string]inbox.Settings
	threads  map[[2]string]inbox.Conversation[string] // by the pair, in name order

	mu    sync.Mutex
	reads map[string]int // reads by method
}

type hostEdge struct {
	kind     graph.Edge
	from, to string
}

func (db *hostDB) count(method string) {
	db.mu.Lock()
	db.reads[method]++
	db.mu.Unlock()
}

// User returns the zero User for an unknown id: not an error.
func (db *hostDB) User(_ context.Context, id string) (graph.User, error) {
	db.count("User")
	return db.users[id], nil
}

func (db *hostDB) HasEdge(_ context.Context, kind graph.Edge, from, to string) (bool, error) {
	db.count("HasEdge")
	return db.hasEdge(kind, from, to), nil
}

func (db *hostDB) hasEdge(kind graph.Edge, from, to string) bool {
	if kind == graph.Facebook && db.edges[hostEdge{kind, to, from}] {
		return true // Facebook friendship is symmetric
	}
	return db.edges[hostEdge{kind, from, to}]
}

func (db *hostDB) Settings(_ context.Context, id string) (inbox.Settings, error) {
	db.count("Settings")
	return db.settings[id], nil
}

func (db *hostDB) Conversation(_ context.Context, a, b string) (inbox.Conversation[string], error) {
	db.count("Conversation")
	return db.thread(a, b), nil
}

func (db *hostDB) thread(a, b string) inbox.Conversation[string] {
	if b < a {
		a, b = b, a
	}
	return db.threads[[2]string{a, b}]
}

func (db *hostDB) PendingRequests(_ context.Context, sender string, after, upTo time.Time) (int, error) {
	db.count("PendingRequests")
	return db.pending(sender, after, upTo), nil
}

func (db *hostDB) pending(sender string, after, upTo time.Time) int {
	n := 0
	for _, c := range db.threads {
		if c.Starter == sender && c.State == inbox.Pending && c.Started.After(after) && !c.Started.After(upTo) {
			n++
		}
	}
	return n
}

// oneCallDB is the same storage answering every fact of a decision in one
// call: the inbox.FactReader capability, what a database host implements
// with one query. It stays a graph.Reader and an inbox.Reader (through the
// embedded *hostDB), and is passed to privacy.New as both.
type oneCallDB struct{ *hostDB }

func (db oneCallDB) Facts(_ context.Context, q inbox.Query[string]) (inbox.Facts[string], error) {
	db.count("Facts")
	s, r := q.Sender, q.Recipient
	f := inbox.Facts[string]{
		Pair:         graph.Pair{A: db.users[s], B: db.users[r]},
		Settings:     db.settings[r],
		Conversation: db.thread(s, r),
	}
	for _, k := range []graph.Edge{graph.Follow, graph.Block, graph.Restrict, graph.Contact, graph.Facebook} {
		if db.hasEdge(k, s, r) {
			f.Pair.Edges |= graph.EdgeBit(k, true)
		}
		if db.hasEdge(k, r, s) {
			f.Pair.Edges |= graph.EdgeBit(k, false)
		}
	}
	if q.Window > 0 { // the engine asks for the count when its policy caps requests
		f.PendingRequests = db.pending(s, q.At.Add(-q.Window), q.At)
	}
	return f, nil
}

// A host plugs in its own storage by implementing graph.Reader and
// inbox.Reader; the embedded store is not needed. With only those
// five methods, one decision makes a dozen reads or more — each a round trip
// to a database. Implementing the optional inbox.FactReader on one value
// that is both readers, and passing that value as both, turns every
// decision into one call.
func Example_hostReader() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	adult := graph.User{Status: graph.Active, Birth: graph.BirthForAge(now, 30)}
	db := &hostDB{
		users: map[string]graph.User{"ana": adult, "ben": adult, "eve": adult},
		edges: map[hostEdge]bool{
			{graph.Follow, "ana", "ben"}: true,
			{graph.Follow, "ben", "ana"}: true, // ana and ben are friends
		},
		settings: map[string]inbox.Settings{"ana": {Mode: inbox.Everyone}},
		threads:  map[[2]string]inbox.Conversation[string]{},
		reads:    map[string]int{},
	}
	clock := &privacy.Options{Now: func() time.Time { return now }}
	ctx := context.Background()
	decide := func(e *privacy.Engine[string], sender, recipient string) {
		clear(db.reads)
		d, err := e.CanMessage(ctx, sender, recipient)
		if err != nil {
			panic(err)
		}
		fmt.Printf("  %s → %s: %v; %s\n", sender, recipient, d, readsOf(db.reads))
	}

	fmt.Println("graph.Reader and inbox.Reader only:")
	e, err := privacy.New[string](db, db, clock)
	if err != nil {
		panic(err)
	}
	decide(e, "ben", "ana") // a friend: no request, so no count of pending requests
	decide(e, "eve", "ana") // a stranger's request: the cap is counted too

	fmt.Println("the same value as both readers, with inbox.FactReader:")
	one := oneCallDB{db}
	e, err = privacy.New[string](one, one, clock)
	if err != nil {
		panic(err)
	}
	decide(e, "ben", "ana")
	decide(e, "eve", "ana")
	// Output:
	// graph.Reader and inbox.Reader only:
	//   ben → ana: allow primary friend; 13 reads (Conversation 1, HasEdge 9, Settings 1, User 2)
	//   eve → ana: allow requests message_request; 14 reads (Conversation 1, HasEdge 9, PendingRequests 1, Settings 1, User 2)
	// the same value as both readers, with inbox.FactReader:
	//   ben → ana: allow primary friend; 1 read (Facts 1)
	//   eve → ana: allow requests message_request; 1 read (Facts 1)
}

// readsOf formats read counts in a fixed order, so the output is
// deterministic.
func readsOf(reads map[string]int) string {
	names := make([]string, 0, len(reads))
	total := 0
	for n, c := range reads {
		names = append(names, fmt.Sprintf("%s %d", n, c))
		total += c
	}
	sort.Strings(names)
	unit := "reads"
	if total == 1 {
		unit = "read"
	}
	return fmt.Sprintf("%d %s (%s)", total, unit, strings.Join(names, ", "))
}
