package inboxtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// t0 is the anchor of every world's times: requests start around it, and
// the windows and fact queries are counted from it.
var t0 = time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)

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
	opSettings
	opConversation
	opCheck
)

// graph reports whether the step writes the graph.
func (k opKind) graph() bool { return k <= opSync }

type op struct {
	kind     opKind
	a, b     int
	user     graph.User
	edge     graph.Edge
	key      graph.ContactKey
	keys     []graph.ContactKey
	settings inbox.Settings
	state    inbox.State
	at       time.Time
	why      string
}

func format[ID comparable](o op, id func(int) ID) string {
	switch o.kind {
	case opUser:
		return fmt.Sprintf("SetUser(%v, %+v)", id(o.a), o.user)
	case opEdge:
		return fmt.Sprintf("SetEdge(%v, %v, %v, true)", o.edge, id(o.a), id(o.b))
	case opKey:
		return fmt.Sprintf("SetContactKey(%v, %q)", id(o.a), o.key)
	case opSync:
		return fmt.Sprintf("SyncContacts(%v, %q)", id(o.a), o.keys)
	case opSettings:
		return fmt.Sprintf("SetSettings(%v, {Mode: %v, Routes: %v, Groups: %v})", id(o.a), o.settings.Mode, o.settings.Routes, o.settings.Groups)
	case opConversation:
		return fmt.Sprintf("SetConversation(%v, %v, %v, %s)", id(o.a), id(o.b), o.state, rel(o.at))
	}
	return "check: " + o.why
}

func setSettings(a int, m inbox.Mode) op {
	return op{kind: opSettings, a: a, settings: inbox.Settings{Mode: m}}
}
func setWholeSettings(a int, s inbox.Settings) op {
	return op{kind: opSettings, a: a, settings: s}
}
func conversation(a, b int, s inbox.State, at time.Time) op {
	return op{kind: opConversation, a: a, b: b, state: s, at: at}
}
func check(why string) op { return op{kind: opCheck, why: why} }

func sec(n int) time.Duration { return time.Duration(n) * time.Second }

// worlds returns the kit's worlds, built afresh for each run.
func worlds() []*world {
	ws := []*world{{name: "empty", steps: []op{check("no users: every read is of unknown users")}}, rules()}
	for seed := uint64(1); seed <= 3; seed++ {
		ws = append(ws, random(seed, 8, 120))
	}
	return ws
}

// people writes n active users (varied ages) and a few edges of each kind,
// so that facts have a graph to include.
func people(n int, r *rand.Rand) []op {
	var steps []op
	for i := range n {
		u := graph.User{Status: graph.Active, Birth: time.Date(1980+r.IntN(30), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)}
		if i%5 == 4 {
			u.Status = graph.Suspended
		}
		u.HideFromContacts = i%3 == 2
		steps = append(steps, op{kind: opUser, a: i, user: u},
			op{kind: opKey, a: i, key: graph.ContactKey(fmt.Sprintf("k-%d", i))})
	}
	kinds := [...]graph.Edge{graph.Follow, graph.Follow, graph.Block, graph.Restrict, graph.Facebook}
	for range 3 * n {
		a, b := r.IntN(n), r.IntN(n)
		if a != b {
			steps = append(steps, op{kind: opEdge, edge: kinds[r.IntN(len(kinds))], a: a, b: b})
		}
	}
	for i := range n {
		steps = append(steps, op{kind: opSync, a: i, keys: []graph.ContactKey{
			graph.ContactKey(fmt.Sprintf("k-%d", r.IntN(n))), graph.ContactKey(fmt.Sprintf("k-%d", r.IntN(n)))}})
	}
	return steps
}

// rules is the hand-written world: each rule of the inbox reads, stage by
// stage.
func rules() *world {
	const n = 6
	steps := people(n, rand.New(rand.NewPCG(7, 7)))
	add := func(o ...op) { steps = append(steps, o...) }
	add(check("users, no settings, no conversations"))
	add(setSettings(0, inbox.Friends), setSettings(1, inbox.Everyone), setSettings(1, inbox.NoOne),
		setSettings(2, inbox.SuggestedFriends), setSettings(2, inbox.ModeDefault),
		check("settings are replaced; ModeDefault resets a chosen mode"))
	add(setSettings(3, inbox.Mode(inbox.NumModes)), setSettings(0, inbox.Mode(200)),
		check("an invalid mode is refused with inbox.ErrInvalidMode and changes nothing"))
	add(setWholeSettings(0, inbox.Settings{Mode: inbox.Friends, Groups: inbox.Mode(inbox.NumModes)}),
		setWholeSettings(0, inbox.Settings{Mode: inbox.Friends, Routes: inbox.Overrides{}.Set(inbox.AudienceFollower, inbox.RoutePrimary+1)}),
		check("an invalid group mode or route is refused with inbox.ErrInvalidMode or inbox.ErrInvalidRoute and changes nothing"))
	add(conversation(0, 1, inbox.Pending, t0.Add(-time.Hour)),
		check("a thread answers in either order, and a pending one counts"))
	add(conversation(1, 0, inbox.Accepted, t0.Add(-30*time.Minute)),
		check("a later thread replaces the pair's, from either side; the replaced request stops counting"))
	add(conversation(2, 0, inbox.Pending, t0.Add(-24*time.Hour)),
		conversation(2, 1, inbox.Pending, t0.Add(-24*time.Hour+time.Second)),
		conversation(2, 3, inbox.Pending, t0),
		conversation(2, 4, inbox.Pending, t0.Add(time.Second)),
		conversation(2, 5, inbox.Held, t0.Add(-time.Hour)),
		conversation(3, 4, inbox.Declined, t0.Add(-time.Hour)),
		conversation(4, 5, inbox.Accepted, t0.Add(-2*time.Hour)),
		conversation(5, 3, inbox.Held, t0),
		check("pending requests at the window's edges; held, accepted and declined never count"))
	add(conversation(2, 3, inbox.Held, t0), conversation(4, 2, inbox.Pending, t0.Add(-time.Minute)),
		check("a pending request replaced by a held one stops counting; the other side's new request counts for them"))
	add(conversation(0, 0, inbox.Pending, t0), conversation(0, 3, inbox.NoThread, t0),
		conversation(0, 3, inbox.Declined+1, t0),
		check("self threads (inbox.ErrSelf) and invalid states (inbox.ErrInvalidState) are refused and change nothing"))
	add(conversation(5, 0, inbox.Pending, t0.Add(-2*time.Hour)), conversation(5, 1, inbox.Pending, t0.Add(-2*time.Hour)),
		conversation(1, 2, inbox.Pending, t0.Add(-48*time.Hour)),
		check("requests started at the same instant all count; old ones fall out of the window"))
	add(conversation(3, 0, inbox.Pending, t0.Add(-3*time.Hour)), conversation(0, 3, inbox.Pending, t0.Add(-3*time.Hour)),
		check("two requests of a pair at the same instant: the later write wins"))
	return &world{name: "rules", users: n, steps: steps}
}

// instants are the start times random worlds draw from: the window's edges
// and their neighbours, and some ordinary times.
var instants = []time.Duration{
	-48 * time.Hour, -24*time.Hour - time.Second, -24 * time.Hour, -24*time.Hour + time.Second,
	-12 * time.Hour, -time.Hour, -time.Second, 0, time.Second, time.Hour,
}

func random(seed uint64, n, m int) *world {
	r := rand.New(rand.NewPCG(seed, 0x5851f42d4c957f2d))
	w := &world{name: fmt.Sprintf("random_seed%d", seed), users: n, steps: people(n, r)}
	states := [...]inbox.State{inbox.Pending, inbox.Pending, inbox.Pending, inbox.Held, inbox.Accepted, inbox.Declined}
	for i := range m {
		a, b := r.IntN(n), r.IntN(n)
		switch x := r.IntN(100); {
		case x < 15:
			w.steps = append(w.steps, setSettings(a, inbox.Mode(r.IntN(inbox.NumModes))))
		case x < 18:
			w.steps = append(w.steps, conversation(a, a, inbox.Pending, t0))
		default:
			if a == b {
				b = (b + 1) % n
			}
			at := t0.Add(instants[r.IntN(len(instants))])
			if r.IntN(3) == 0 {
				at = t0.Add(sec(r.IntN(60*60*50) - 60*60*49))
			}
			w.steps = append(w.steps, conversation(a, b, states[r.IntN(len(states))], at))
		}
		if (i+1)%(m/3) == 0 {
			w.steps = append(w.steps, check(fmt.Sprintf("%d random writes", i+1)))
		}
	}
	return w
}

// windows returns the (after, upTo] windows the kit counts pending requests
// over: for each edge (the anchors and every start time in the world), the
// 24 hours and the second up to it and the empty window at it; a reversed
// window; and one holding everything.
func windows(w *world) [][2]time.Time {
	edges := []time.Time{t0, t0.Add(-time.Second), t0.Add(time.Second),
		t0.Add(-24 * time.Hour), t0.Add(-24*time.Hour - time.Second), t0.Add(-24*time.Hour + time.Second)}
	for _, o := range w.steps {
		if o.kind == opConversation {
			edges = append(edges, o.at)
		}
	}
	slices.SortFunc(edges, time.Time.Compare)
	edges = slices.CompactFunc(edges, time.Time.Equal)
	out := make([][2]time.Time, 0, 3*len(edges)+2)
	for _, e := range edges {
		out = append(out, [2]time.Time{e.Add(-24 * time.Hour), e}, [2]time.Time{e.Add(-time.Second), e}, [2]time.Time{e, e})
	}
	out = append(out, [2]time.Time{t0, t0.Add(-time.Hour)}, [2]time.Time{t0.Add(-1000 * time.Hour), t0.Add(1000 * time.Hour)})
	return out
}
