package privacy_test

import (
	"context"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/internal/model"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// machine drives the embedded graph and inbox stores, and the engine over
// them, next to the naive model: every write goes to both, and after every
// step every decision, thread and request count must agree.
type machine struct {
	w     *model.World
	st    model.Stores
	e     *privacy.Engine[string]
	clock time.Time
	ids   []string  // the users, and the ghost
	keys  []string  // contact keys to set and sync
	last  [2]string // the last sender and recipient
}

// newMachine starts from a random world, loaded into fresh stores.
func newMachine(t *rapid.T) *machine {
	sc := genScene().Draw(t, "start")
	st, err := sc.W.Build()
	if err != nil {
		t.Fatal(err)
	}
	m := &machine{w: sc.W, st: st, clock: sc.At}
	m.e, err = privacy.New(m.st.Store, m.st.Store, &privacy.Options{Now: func() time.Time { return m.clock }})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range sc.W.Names() {
		m.keys = append(m.keys, "h:"+n)
	}
	m.ids = sc.ids()
	m.keys = append(m.keys, "h:nobody")
	return m
}

func (m *machine) setUser(t *rapid.T, name string, u model.User) {
	gu, err := u.GraphUser()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.st.Store.SetUser(name, gu); err != nil {
		t.Fatalf("SetUser(%s): %v", name, err)
	}
	m.w.SetUser(name, u)
}

// same fails unless the store and the model both failed or both succeeded.
func same(t *rapid.T, what string, store, naive error) {
	t.Helper()
	if (store == nil) != (naive == nil) {
		t.Fatalf("%s: the store says %v, the model %v", what, store, naive)
	}
}

func (m *machine) pair(t *rapid.T) (string, string) {
	return pick(t, m.ids, "a"), pick(t, m.ids, "b")
}

// threadPair is usually the two users of a thread, starter last (for
// accept and decline), and otherwise any pair.
func (m *machine) threadPair(t *rapid.T) (string, string) {
	var threads [][2]string
	for _, p := range pairs(m.ids) {
		if c, ok := m.w.Conversations[model.PairKey(p[0], p[1])]; ok && c.Starter == p[1] {
			threads = append(threads, p)
		}
	}
	if len(threads) == 0 || percent(t, 25, "any pair") {
		return m.pair(t)
	}
	p := pick(t, threads, "thread")
	return p[0], p[1]
}

func (m *machine) actions() map[string]func(*rapid.T) {
	edge := func(kind graph.Edge, naive func(a, b string, on bool) error) func(*rapid.T) {
		return func(t *rapid.T) {
			a, b := m.pair(t)
			on := percent(t, 70, "on")
			t.Logf("%v %s %s %v", kind, a, b, on)
			same(t, kind.String(), m.st.Store.SetEdge(kind, a, b, on), naive(a, b, on))
		}
	}
	return map[string]func(*rapid.T){
		"follow":   edge(graph.Follow, m.w.Follow),
		"block":    edge(graph.Block, m.w.Block),
		"restrict": edge(graph.Restrict, m.w.Restrict),
		"facebook": edge(graph.Facebook, m.w.LinkFacebook),
		"setKey": func(t *rapid.T) {
			u := pick(t, m.ids, "user")
			k := pick(t, append([]string{""}, m.keys...), "key")
			t.Logf("key %s %q", u, k)
			same(t, "SetContactKey", m.st.Store.SetContactKey(u, graph.ContactKey(k)), m.w.SetKey(u, k))
		},
		"syncContacts": func(t *rapid.T) {
			u := pick(t, m.ids, "user")
			var keys []string
			var gkeys []graph.ContactKey
			for _, k := range m.keys {
				if percent(t, 40, "has "+k) {
					keys = append(keys, k)
					gkeys = append(gkeys, graph.ContactKey(k))
				}
			}
			t.Logf("contacts %s %v", u, keys)
			same(t, "SyncContacts", m.st.Store.SyncContacts(u, gkeys), m.w.SyncContacts(u, keys))
		},
		"setUser": func(t *rapid.T) {
			u := pick(t, m.ids[:len(m.ids)-1], "user")
			nu := genUser(t, m.clock, pick(t, profiles, "profile"))
			t.Logf("user %s %+v", u, nu)
			m.setUser(t, u, nu)
		},
		"setMode": func(t *rapid.T) {
			u := pick(t, m.ids, "user")
			mode := pick(t, []inbox.Mode{inbox.ModeDefault, inbox.Everyone, inbox.SuggestedFriends, inbox.Friends, inbox.NoOne, inbox.NumModes, 200}, "mode")
			t.Logf("mode %s %v", u, mode)
			s := inbox.Settings{Mode: mode}
			err := m.e.ValidateSettingsAt(context.Background(), u, s, m.clock)
			if err == nil {
				if err := m.st.Store.SetSettings(u, s); err != nil {
					t.Fatalf("SetSettings(%s, %v) after it validated: %v", u, mode, err)
				}
			}
			same(t, "ValidateSettings", err, m.w.SetMode(u, mode.String(), m.clock))
		},
		"deliver": func(t *rapid.T) {
			s, r := m.pair(t)
			m.deliver(t, s, r)
		},
		"followUp": func(t *rapid.T) {
			if m.last == [2]string{} {
				t.Skip("nothing sent yet")
			}
			m.deliver(t, m.last[0], m.last[1])
		},
		"reply": func(t *rapid.T) {
			if m.last == [2]string{} {
				t.Skip("nothing sent yet")
			}
			m.deliver(t, m.last[1], m.last[0])
		},
		"requestsElsewhere": func(t *rapid.T) {
			s := pick(t, m.ids[:len(m.ids)-1], "sender")
			k := pick(t, []int{1, 5, 10, 19, 20}, "requests")
			t.Logf("%d requests from %s elsewhere", k, s)
			for range k {
				i := len(m.w.OtherRequests[s])
				if err := m.st.Store.SetConversation(s, model.OtherName(s, i), inbox.Pending, m.clock); err != nil {
					t.Fatal(err)
				}
				m.w.OtherRequests[s] = append(m.w.OtherRequests[s], m.clock)
			}
		},
		"accept": func(t *rapid.T) {
			r, s := m.threadPair(t)
			t.Logf("%s accepts %s", r, s)
			same(t, "Accept", m.st.Store.Accept(r, s), m.w.Accept(r, s))
		},
		"decline": func(t *rapid.T) {
			r, s := m.threadPair(t)
			t.Logf("%s declines %s", r, s)
			same(t, "Decline", m.st.Store.Decline(r, s), m.w.Decline(r, s))
		},
		"advance": func(t *rapid.T) {
			d := pick(t, []time.Duration{
				time.Minute, time.Hour, 12 * time.Hour, 24*time.Hour - time.Nanosecond,
				24 * time.Hour, 24*time.Hour + time.Nanosecond, 3 * 24 * time.Hour, 400 * 24 * time.Hour,
			}, "advance")
			m.clock = m.clock.Add(d)
			t.Logf("advance %v to %s", d, m.clock.UTC().Format(time.RFC3339Nano))
		},
		"sendBurst": m.sendBurst,
		"":          m.check,
	}
}

// deliver is s sending r a message: the engine decides and the store
// records the delivery in one step (Send), and the model does both its own
// way.
func (m *machine) deliver(t *rapid.T, s, r string) {
	d, c, err := m.e.Send(context.Background(), privacy.Request[string]{Sender: s, Recipient: r})
	want, werr := m.w.Deliver(s, r, m.clock)
	t.Logf("send %s → %s: %v", s, r, want)
	if s == r && (werr == nil || d.Reason != privacy.ReasonSelf) {
		t.Fatalf("Send to oneself: %v, %v", d, err)
	}
	if err != nil {
		t.Fatalf("Send(%s, %s): %v", s, r, err)
	}
	if got := asModel(d); got != want {
		t.Fatalf("Send(%s, %s) (-model +engine):\n%s", s, r, cmp.Diff(want, got))
	}
	mc := m.w.Conversations[model.PairKey(s, r)]
	if c.Starter != mc.Starter || (c.Exists() && c.State.String() != mc.State) || !c.Started.Equal(mc.Started) {
		t.Fatalf("Send(%s, %s) left the conversation %+v; the model has %+v", s, r, c, mc)
	}
	m.last = [2]string{s, r}
}

// check compares every decision, every thread and every request count with
// the model.
func (m *machine) check(t *rapid.T) {
	ctx := context.Background()
	for _, p := range pairs(m.ids) {
		s, r := p[0], p[1]
		d, err := m.e.CanMessage(ctx, s, r)
		if err != nil {
			t.Fatalf("CanMessage(%s, %s): %v", s, r, err)
		}
		if want, got := model.Decide(m.w, s, r, m.clock), asModel(d); got != want {
			t.Fatalf("CanMessage(%s, %s) at %s (-model +engine):\n%s\nmodel world:\n%s", s, r, m.clock.UTC().Format(time.RFC3339Nano), cmp.Diff(want, got), m.w)
		}
		if s >= r {
			continue
		}
		if pr, err := m.st.Store.Pair(ctx, s, r); err != nil || pr.Edges != modelEdges(m.w, s, r) {
			t.Fatalf("Pair(%s, %s) = %v, %v; the model has %v", s, r, pr.Edges, err, modelEdges(m.w, s, r))
		}
		c, err := m.st.Store.Conversation(ctx, s, r)
		if err != nil {
			t.Fatal(err)
		}
		mc := m.w.Conversations[model.PairKey(s, r)]
		got := model.Conversation{Starter: c.Starter, State: c.State.String(), Started: c.Started}
		if !c.Exists() {
			got.State = ""
		}
		if got.Starter != mc.Starter || got.State != mc.State || !got.Started.Equal(mc.Started) {
			t.Fatalf("Conversation(%s, %s) (-model +store):\n%s", s, r, cmp.Diff(mc, got))
		}
	}
	for _, s := range m.ids {
		n, err := m.st.Store.PendingRequests(ctx, s, m.clock.Add(-model.RequestWindow), m.clock)
		if err != nil {
			t.Fatal(err)
		}
		if want := m.w.PendingCount(s, m.clock); n != want {
			t.Fatalf("PendingRequests(%s) = %d; the model counts %d", s, n, want)
		}
	}
}

// TestStateMachine runs random sequences of writes and messages against the
// embedded stores and the model. Run longer sequences with
// -rapid.steps=200, more of them with -rapid.checks=1000.
func TestStateMachine(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		t.Repeat(newMachine(t).actions())
	})
}

// modelEdges is the graph.Edges of the pair (a, b) in w.
func modelEdges(w *model.World, a, b string) graph.Edges {
	var e graph.Edges
	for _, x := range []struct {
		on  bool
		bit graph.Edges
	}{
		{w.Follows[[2]string{a, b}], graph.FollowAB}, {w.Follows[[2]string{b, a}], graph.FollowBA},
		{w.Blocks[[2]string{a, b}], graph.BlockAB}, {w.Blocks[[2]string{b, a}], graph.BlockBA},
		{w.Restricts[[2]string{a, b}], graph.RestrictAB}, {w.Restricts[[2]string{b, a}], graph.RestrictBA},
		{w.HasNumber(a, b), graph.ContactAB}, {w.HasNumber(b, a), graph.ContactBA},
		{w.Facebook[[2]string{a, b}], graph.FacebookAB},
	} {
		if x.on {
			e |= x.bit
		}
	}
	return e
}
