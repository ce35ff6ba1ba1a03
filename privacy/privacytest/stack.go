package privacytest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	ikit "github.com/dmprivacy/dmprivacy/internal/kit"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// Stack is a host's stores as the engine reads them and as the host writes
// them: the graph and inbox readers it passes to privacy.New — one value
// for both when it implements the one-call capabilities (inbox.FactReader,
// inbox.BatchFactReader, inbox.Sender), which the engine uses only then —
// and its write path.
type Stack[ID comparable] struct {
	Graph  graph.Reader[ID]
	Inbox  inbox.Reader[ID]
	Writer Writer[ID]

	// Close, if not nil, is called when the kit is done with the stack:
	// a stack that holds a connection pool releases it here.
	Close func() error
}

// RuleStack is the rule CheckStack checks: the engine over the host's
// stores decides exactly as over the embedded store.
const RuleStack = "same as the embedded store"

// defaultStackPolicies are the presets, each with its request cap lowered
// to 2, so that small worlds reach it.
func defaultStackPolicies() []*privacy.Policy {
	var out []*privacy.Policy
	for _, n := range privacy.PresetNames() {
		p, _ := privacy.PolicyByName(n)
		if p.RequestCap > 0 {
			p.RequestCap = 2
		}
		out = append(out, p)
	}
	return out
}

// CheckStack checks, on random worlds, that the engine over a host's
// stores decides exactly as over the embedded store. For each world (a
// rapid property, rapid's default number of worlds) it calls newStack for
// an empty stack, writes the world through the stack's writer and into a
// fresh memory.Store — with rewrites, duplicate and removed edges and
// writes the embedded store refuses, whose errors must match — and
// compares, under a policy drawn from opts.Policies (the presets, with a
// request cap of 2, by default):
//
//   - Check and Explain (all but the trace's steps) for every ordered
//     pair of users, and a user the stack never heard of;
//   - CheckMany for every sender, over every user, repeats included;
//   - CheckGroup for random group adds;
//   - the sender's pending requests in the cap's window, as the engine
//     asks for them;
//   - the facts the host's optional readers return: Facts (with and
//     without a request window) and FactsBatch when Graph and Inbox are
//     one value that implements them, Pair when Graph implements
//     graph.PairReader;
//   - PreviewAudienceAt and every page of ListAudience, when Graph
//     implements graph.Lister (the embedded store then counts
//     conversations only if Inbox implements inbox.ConversationLister);
//   - Send, when Graph and Inbox are one value that implements
//     inbox.Sender: the decisions, the conversations afterwards, and
//     every decision after the sends.
//
// newStack is called once per world, with t: cleanups it registers on t
// run when the test ends, so a stack that holds resources releases them in
// Stack.Close, or newStack reuses one database and empties it. id maps
// the kit's user numbers to distinct IDs of the host's type, as in
// graph/graphtest. A difference fails t with the world as a scenario file
// whose checks are the embedded store's decisions, to run on the host's
// stores with scenario.Options.NewEnv.
func CheckStack[ID comparable](t *testing.T, newStack func(t *testing.T) Stack[ID], id func(i int) ID, opts *Options) {
	t.Helper()
	policies, err := stackPolicies(id, opts)
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(rt *rapid.T) {
		c := drawStackCase(rt, policies)
		s := newStack(t)
		if s.Close != nil {
			defer s.Close()
		}
		if v := compareStack(c, s, id); v != nil {
			rt.Fatal(v.message())
		}
	})
}

func stackPolicies[ID comparable](id func(i int) ID, opts *Options) ([]*privacy.Policy, error) {
	if err := ikit.CheckIDs("privacytest", id); err != nil {
		return nil, err
	}
	policies := defaultStackPolicies()
	if opts != nil && opts.Policies != nil {
		policies = opts.Policies
	}
	if len(policies) == 0 {
		return nil, errors.New("privacytest: Options.Policies is empty")
	}
	for _, p := range policies {
		if p == nil {
			return nil, errors.New("privacytest: a nil policy in Options.Policies")
		}
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("privacytest: %w", err)
		}
	}
	return policies, nil
}

// ghost is the name of a user no stack ever hears of: the kit's ID
// number MaxUsers.
const ghost = "zed"

// stackCase is one world of the stack kit and everything drawn with it.
type stackCase struct {
	w      *World
	writes []write
	groups []privacy.GroupRequest[string]
	sends  []privacy.Request[string]
}

func drawStackCase(t *rapid.T, policies []*privacy.Policy) *stackCase {
	p := oneOf(policies).Draw(t, "policy")
	w := Worlds(p).Draw(t, "world")
	c := &stackCase{w: w, writes: writePlan(w).Draw(t, "writes")}
	for range 1 + oneOf([]int{0, 1, 2, 3}).Draw(t, "more group adds") {
		c.groups = append(c.groups, groupRequests(w).Draw(t, "group add"))
	}
	for range oneOf([]int{0, 1, 2, 3, 4, 5}).Draw(t, "sends") {
		c.sends = append(c.sends, Request(w).Draw(t, "send"))
	}
	return c
}

// write is one write of the plan, in names: what the kit writes to both
// stores, in order.
type write struct {
	op       string // SetUser, SetContactKey, SyncContacts, SetEdge, SetSettings, SetConversation
	a, b     string
	user     graph.User
	key      graph.ContactKey
	keys     []graph.ContactKey
	kind     graph.Edge
	on       bool
	settings inbox.Settings
	state    inbox.State
	at       time.Time
}

// GoString is String, so that rapid's log of a drawn plan reads as
// writes.
func (o write) GoString() string { return o.String() }

func (o write) String() string {
	switch o.op {
	case "SetUser":
		return fmt.Sprintf("SetUser(%s, {Status: %v, Birth: %s, Verified: %v, HideFromContacts: %v, HideFromFacebook: %v})",
			o.a, o.user.Status, o.user.Birth.Format(time.DateOnly), o.user.Verified, o.user.HideFromContacts, o.user.HideFromFacebook)
	case "SetContactKey":
		return fmt.Sprintf("SetContactKey(%s, %q)", o.a, o.key)
	case "SyncContacts":
		return fmt.Sprintf("SyncContacts(%s, %q)", o.a, o.keys)
	case "SetEdge":
		return fmt.Sprintf("SetEdge(%v, %s, %s, %v)", o.kind, o.a, o.b, o.on)
	case "SetSettings":
		return fmt.Sprintf("SetSettings(%s, {Mode: %v, Routes: %v})", o.a, o.settings.Mode, o.settings.Routes)
	}
	return fmt.Sprintf("SetConversation(%s, %s, %v, %s)", o.a, o.b, o.state, o.at.UTC().Format(time.RFC3339))
}

// do makes the write o through dst.
func do[ID comparable](dst Writer[ID], o write, id func(string) ID) error {
	switch o.op {
	case "SetUser":
		return dst.SetUser(id(o.a), o.user)
	case "SetContactKey":
		return dst.SetContactKey(id(o.a), o.key)
	case "SyncContacts":
		return dst.SyncContacts(id(o.a), o.keys)
	case "SetEdge":
		return dst.SetEdge(o.kind, id(o.a), id(o.b), o.on)
	case "SetSettings":
		return dst.SetSettings(id(o.a), o.settings)
	}
	return dst.SetConversation(id(o.a), id(o.b), o.state, o.at)
}

// sentinels are the errors a write path refuses a write with, for
// errors.Is: the embedded store's, which a host's must match.
var sentinels = []error{
	graph.ErrUnknownUser, graph.ErrSelfEdge, graph.ErrInvalidUser, graph.ErrInvalidEdge, graph.ErrRawNumber, graph.ErrInvalidKey,
	inbox.ErrInvalidMode, inbox.ErrInvalidRoute, inbox.ErrSelf, inbox.ErrInvalidState,
}

// writePlan draws the writes that build w the way a real write path meets
// it: every account (some first written otherwise and replaced), contact
// keys (some moved), relations (some written twice, some added and taken
// away, absent ones removed), synced contacts (some replaced), settings
// (some first set to another mode, then to the final ones, default
// included) and conversations (some first in another state), with writes
// the embedded store refuses in between.
func writePlan(w *World) *rapid.Generator[[]write] {
	return rapid.Custom(func(t *rapid.T) []write {
		var out []write
		add := func(o write) { out = append(out, o) }
		names := w.Names()
		for _, u := range w.Users {
			if chance(t, 20, "") {
				prev := u.Account
				prev.Status = pick(t, []graph.Status{graph.Suspended, graph.Active, graph.Deactivated}, "")
				prev.Birth = prev.Birth.AddDate(-pick(t, []int{1, 5, 20}, ""), 0, 0)
				prev.Verified = !prev.Verified
				add(write{op: "SetUser", a: u.Name, user: prev})
			}
			add(write{op: "SetUser", a: u.Name, user: u.Account})
			if chance(t, 10, "") {
				add(write{op: "SetContactKey", a: u.Name, key: graph.ContactKey("dm:old-" + u.Name)})
			}
			add(write{op: "SetContactKey", a: u.Name, key: graph.ContactKey("dm:" + u.Name)})
		}
		a := pick(t, names, "")
		b := pick(t, names, "")
		refused := []write{
			{op: "SetEdge", kind: graph.Follow, a: a, b: a, on: true},
			{op: "SetEdge", kind: graph.Block, a: a, b: ghost, on: true},
			{op: "SetEdge", kind: graph.Edge(0), a: a, b: b, on: true},
			{op: "SetUser", a: ghost},
			{op: "SetContactKey", a: a, key: "+1 (555) 010-9999"},
			{op: "SetSettings", a: a, settings: inbox.Settings{Mode: inbox.NumModes}},
			{op: "SetConversation", a: a, b: a, state: inbox.Pending, at: w.At},
			{op: "SetConversation", a: a, b: b, state: inbox.State(9), at: w.At},
		}
		for _, o := range refused {
			if chance(t, 30, "") && (o.a != o.b || o.op != "SetConversation" || o.state == inbox.Pending) {
				add(o)
			}
		}
		for _, e := range w.Edges {
			if e.Kind == graph.Contact {
				continue
			}
			from, to := e.From, e.To
			if e.Kind == graph.Facebook && chance(t, 50, "") {
				from, to = to, from
			}
			add(write{op: "SetEdge", kind: e.Kind, a: from, b: to, on: true})
			if chance(t, 15, "") {
				add(write{op: "SetEdge", kind: e.Kind, a: from, b: to, on: true})
			}
		}
		for range bits(t, 2, "") {
			x, y := pick(t, names, ""), pick(t, names, "")
			k := pick(t, []graph.Edge{graph.Follow, graph.Block, graph.Restrict, graph.Facebook}, "")
			if x == y || w.Has(k, x, y) {
				continue
			}
			if chance(t, 50, "") {
				add(write{op: "SetEdge", kind: k, a: x, b: y, on: true})
			}
			add(write{op: "SetEdge", kind: k, a: x, b: y, on: false})
		}
		for _, u := range w.Users {
			var keys []graph.ContactKey
			for _, e := range w.Edges {
				if e.Kind == graph.Contact && e.From == u.Name {
					keys = append(keys, graph.ContactKey("dm:"+e.To))
				}
			}
			if chance(t, 20, "") {
				add(write{op: "SyncContacts", a: u.Name, keys: []graph.ContactKey{"dm:" + graph.ContactKey(pick(t, names, "")), "dm:nobody"}})
				if keys == nil {
					keys = []graph.ContactKey{}
				}
			}
			if chance(t, 10, "") {
				// People keep their own number in their address book; it
				// makes no relation with themselves. (A scenario file cannot
				// say it, and no decision but Check(u, u), denied first as
				// self, reads it; the facts of the pair (u, u) do.)
				keys = append(keys, graph.ContactKey("dm:"+u.Name))
			}
			if keys != nil {
				add(write{op: "SyncContacts", a: u.Name, keys: keys})
			}
		}
		for _, u := range w.Users {
			written := false
			if chance(t, 25, "") {
				add(write{op: "SetSettings", a: u.Name, settings: inbox.Settings{Mode: inbox.Mode(1 + bits(t, 3, "")%(inbox.NumModes-1))}})
				written = true
			}
			if written || u.Settings != (inbox.Settings{}) {
				add(write{op: "SetSettings", a: u.Name, settings: u.Settings})
			}
		}
		for _, c := range w.Conversations {
			if chance(t, 20, "") {
				add(write{op: "SetConversation", a: c.To, b: c.From, state: pick(t, []inbox.State{inbox.Accepted, inbox.Pending, inbox.Held, inbox.Declined}, ""), at: c.Started.Add(-time.Hour)})
			}
			add(write{op: "SetConversation", a: c.From, b: c.To, state: c.State, at: c.Started})
		}
		return out
	})
}

// stackEnv is one side of the comparison: an engine and the readers it
// was built over.
type stackEnv[ID comparable] struct {
	e    *privacy.Engine[ID]
	g    graph.Reader[ID]
	in   inbox.Reader[ID]
	name string
}

// compareStack writes c's world to s and to a fresh embedded store and
// returns the first difference.
func compareStack[ID comparable](c *stackCase, s Stack[ID], idOf func(int) ID) *violation {
	w := c.w
	ids := map[string]ID{ghost: idOf(MaxUsers)}
	for i, n := range w.Names() {
		ids[n] = idOf(i)
	}
	id := func(n string) ID { return ids[n] }
	fail := func(what string, lines ...string) *violation {
		return &violation{rule: RuleStack, subject: "the host's stack", world: w, what: what, lines: lines,
			note: "Users: " + idText(w, ids) + "."}
	}
	ref := memory.New[ID]()
	for _, o := range c.writes {
		want, got := do[ID](ref, o, id), do(s.Writer, o, id)
		if why := sameError(want, got); why != "" {
			return fail(fmt.Sprintf("%v: %s.", o, why))
		}
	}
	opts := &privacy.Options{Policy: w.Policy, Now: func() time.Time { return w.At }}
	he, err := privacy.New(s.Graph, s.Inbox, opts)
	if err != nil {
		return fail(fmt.Sprintf("privacy.New over the host's stack: %v (a policy that routes friends of friends needs a graph.MutualReader; or choose Options.Policies).", err))
	}
	re, err := privacy.New[ID](ref, ref, opts)
	if err != nil {
		return fail(fmt.Sprintf("privacy.New over the embedded store: %v", err))
	}
	host := stackEnv[ID]{he, s.Graph, s.Inbox, "host"}
	mem := stackEnv[ID]{re, ref, ref, "embedded"}
	if v := compareDecisions(w, w.At, host, mem, id, fail); v != nil {
		return v
	}
	if v := compareFacts(w, s, ref, id, fail); v != nil {
		return v
	}
	if v := comparePreviews(w, s, ref, he, opts, id, fail); v != nil {
		return v
	}
	if v := compareGroups(c, host, mem, id, fail); v != nil {
		return v
	}
	return compareSends(c, s, host, mem, id, fail)
}

func idText[ID comparable](w *World, ids map[string]ID) string {
	var parts []string
	for _, n := range append(w.Names(), ghost) {
		parts = append(parts, fmt.Sprintf("%s is %v", n, ids[n]))
	}
	parts[len(parts)-1] += " (never written: an unknown user)"
	return strings.Join(parts, ", ")
}

// sameError returns "" when got is the error the embedded store's want
// is, or why not.
func sameError(want, got error) string {
	switch {
	case want == nil && got == nil:
		return ""
	case want == nil:
		return fmt.Sprintf("the embedded store accepts it, the host's refuses it: %v", got)
	case got == nil:
		return fmt.Sprintf("the embedded store refuses it (%v), the host's accepts it", want)
	}
	for _, s := range sentinels {
		if errors.Is(want, s) && !errors.Is(got, s) {
			return fmt.Sprintf("the embedded store refuses it with %v, the host's with %v, which does not wrap it", want, got)
		}
	}
	return ""
}

// compareDecisions compares Check, Explain and CheckMany for every pair of
// users and the ghost at time at.
func compareDecisions[ID comparable](w *World, at time.Time, host, mem stackEnv[ID], id func(string) ID, fail func(string, ...string) *violation) *violation {
	ctx := context.Background()
	everyone := append(w.Names(), ghost)
	for _, s := range everyone {
		for _, r := range everyone {
			q := privacy.Request[ID]{Sender: id(s), Recipient: id(r), At: at}
			want, _ := mem.e.Check(ctx, q)
			got, err := host.e.Check(ctx, q)
			line := pairLine(s, r, want)
			if err != nil {
				return fail(fmt.Sprintf("%s → %s: the host's stack failed: %v; the embedded store answers %v.", s, r, err, want), line...)
			}
			if got != want {
				return fail(fmt.Sprintf("%s → %s: Check differs (-embedded +host):\n%s", s, r, gocmp.Diff(want, got)), line...)
			}
			wx, _ := mem.e.Explain(ctx, q)
			gx, err := host.e.Explain(ctx, q)
			if err != nil {
				return fail(fmt.Sprintf("%s → %s: Explain failed on the host's stack: %v.", s, r, err), line...)
			}
			// The steps are words about the facts compared here; the rest,
			// the pending count included (-1 when the cap was not
			// consulted, however the readers are wired), must be equal.
			wx.Steps, gx.Steps = nil, nil
			if d := gocmp.Diff(wx, gx); d != "" {
				return fail(fmt.Sprintf("%s → %s: Explain differs (-embedded +host):\n%s", s, r, d), line...)
			}
		}
		rs := append(slices.Clone(everyone), w.Names()...)
		var qs []ID
		for _, r := range rs {
			qs = append(qs, id(r))
		}
		q := privacy.BatchRequest[ID]{Sender: id(s), Recipients: qs, At: at}
		want, _ := mem.e.CheckMany(ctx, q, nil)
		got, err := host.e.CheckMany(ctx, q, nil)
		if err != nil {
			return fail(fmt.Sprintf("CheckMany(%s, %v): the host's stack failed: %v.", s, rs, err))
		}
		if d := gocmp.Diff(want, got); d != "" {
			return fail(fmt.Sprintf("CheckMany(%s, %v) differs (-embedded +host):\n%s", s, rs, d))
		}
	}
	return nil
}

// pairLine is the expect line of the embedded store's decision, when the
// file can name both users.
func pairLine(s, r string, d privacy.Decision) []string {
	if s == ghost || r == ghost {
		return []string{"# " + ghost + " cannot be named in a scenario file: it is a user the stores never heard of"}
	}
	return []string{expect(s, r, d)}
}

// compareFacts compares what the host's optional readers return with the
// embedded store's answers.
func compareFacts[ID comparable](w *World, s Stack[ID], ref *memory.Store[ID], id func(string) ID, fail func(string, ...string) *violation) *violation {
	ctx := context.Background()
	everyone := append(w.Names(), ghost)
	window := 24 * time.Hour
	if w.Policy.RequestWindow > 0 {
		window = w.Policy.RequestWindow
	}
	if pr, ok := s.Graph.(graph.PairReader[ID]); ok {
		for _, a := range everyone {
			for _, b := range everyone {
				want, _ := ref.Pair(ctx, id(a), id(b))
				got, err := pr.Pair(ctx, id(a), id(b))
				if err != nil {
					return fail(fmt.Sprintf("Pair(%s, %s): %v", a, b, err))
				}
				if d := gocmp.Diff(want, got); d != "" {
					return fail(fmt.Sprintf("Pair(%s, %s) differs (-embedded +host):\n%s", a, b, d))
				}
			}
		}
	}
	for _, a := range everyone {
		want, _ := ref.PendingRequests(ctx, id(a), w.At.Add(-window), w.At)
		got, err := s.Inbox.PendingRequests(ctx, id(a), w.At.Add(-window), w.At)
		if err != nil {
			return fail(fmt.Sprintf("PendingRequests(%s, %v before the decisions' time): %v", a, window, err))
		}
		if got != want {
			return fail(fmt.Sprintf("PendingRequests(%s, (now-%v, now]) is %d on the host's stack, %d on the embedded store.", a, window, got, want))
		}
	}
	if !inbox.SameReader(s.Graph, s.Inbox) {
		return nil
	}
	if fr, ok := s.Inbox.(inbox.FactReader[ID]); ok {
		for _, a := range everyone {
			for _, b := range everyone {
				for _, win := range []time.Duration{0, window} {
					q := inbox.Query[ID]{Sender: id(a), Recipient: id(b), At: w.At, Window: win}
					want, _ := ref.Facts(ctx, q)
					got, err := fr.Facts(ctx, q)
					if err != nil {
						return fail(fmt.Sprintf("Facts(%s → %s, window %v): %v", a, b, win, err))
					}
					if d := gocmp.Diff(want, got); d != "" {
						return fail(fmt.Sprintf("Facts(%s → %s, window %v) differs (-embedded +host):\n%s", a, b, win, d))
					}
				}
			}
		}
	}
	if br, ok := s.Inbox.(inbox.BatchFactReader[ID]); ok {
		var rs []ID
		for _, r := range append(everyone, w.Names()...) {
			rs = append(rs, id(r))
		}
		for _, a := range everyone {
			q := inbox.BatchQuery[ID]{Sender: id(a), Recipients: rs, At: w.At, Window: window}
			want := make([]inbox.Facts[ID], len(rs))
			got := make([]inbox.Facts[ID], len(rs))
			_ = ref.FactsBatch(ctx, q, want)
			if err := br.FactsBatch(ctx, q, got); err != nil {
				return fail(fmt.Sprintf("FactsBatch(%s): %v", a, err))
			}
			if d := gocmp.Diff(want, got); d != "" {
				return fail(fmt.Sprintf("FactsBatch(%s, every user) differs (-embedded +host):\n%s", a, d))
			}
		}
	}
	return nil
}

// refInbox is the embedded store's inbox without the conversation
// listing, for comparing previews with a host that has none.
type refInbox[ID comparable] struct{ s *memory.Store[ID] }

func (r refInbox[ID]) Settings(ctx context.Context, id ID) (inbox.Settings, error) {
	return r.s.Settings(ctx, id)
}

func (r refInbox[ID]) Conversation(ctx context.Context, a, b ID) (inbox.Conversation[ID], error) {
	return r.s.Conversation(ctx, a, b)
}

func (r refInbox[ID]) PendingRequests(ctx context.Context, s ID, after, upTo time.Time) (int, error) {
	return r.s.PendingRequests(ctx, s, after, upTo)
}

// comparePreviews compares the audience preview and listing of every user
// when the host's graph lists relations.
func comparePreviews[ID comparable](w *World, s Stack[ID], ref *memory.Store[ID], he *privacy.Engine[ID], opts *privacy.Options, id func(string) ID, fail func(string, ...string) *violation) *violation {
	if _, ok := s.Graph.(graph.Lister[ID]); !ok {
		return nil
	}
	var in inbox.Reader[ID] = ref
	if _, ok := s.Inbox.(inbox.ConversationLister[ID]); !ok {
		in = refInbox[ID]{ref}
	}
	re, err := privacy.New[ID](ref, in, opts)
	if err != nil {
		return fail(fmt.Sprintf("privacy.New over the embedded store: %v", err))
	}
	ctx := context.Background()
	for _, n := range append(w.Names(), ghost) {
		want, _ := re.PreviewAudienceAt(ctx, id(n), w.At)
		got, err := he.PreviewAudienceAt(ctx, id(n), w.At)
		if err != nil {
			return fail(fmt.Sprintf("PreviewAudienceAt(%s): %v", n, err))
		}
		if d := gocmp.Diff(want, got); d != "" {
			return fail(fmt.Sprintf("PreviewAudienceAt(%s) differs (-embedded +host):\n%s", n, d))
		}
		for _, m := range append([]inbox.Mode{inbox.ModeDefault}, offered(w.Policy)...) {
			want, err1 := listAll(re, privacy.AudienceQuery[ID]{Recipient: id(n), Mode: m, At: w.At, Limit: 2})
			got, err2 := listAll(he, privacy.AudienceQuery[ID]{Recipient: id(n), Mode: m, At: w.At, Limit: 2})
			if err2 != nil && err1 == nil {
				return fail(fmt.Sprintf("ListAudience(%s, %v): %v", n, m, err2))
			}
			if d := gocmp.Diff(want, got); d != "" {
				return fail(fmt.Sprintf("ListAudience(%s, %v), every page, as a set, differs (-embedded +host):\n%s", n, m, d))
			}
		}
	}
	return nil
}

func offered(p *privacy.Policy) []inbox.Mode {
	var out []inbox.Mode
	for m := inbox.Mode(1); m < inbox.NumModes; m++ {
		if p.Modes[m].Name != "" {
			out = append(out, m)
		}
	}
	return out
}

// listAll reads every page of an audience listing and returns it sorted,
// as a set (the order of a listing is the store's own).
func listAll[ID comparable](e *privacy.Engine[ID], q privacy.AudienceQuery[ID]) ([]privacy.Reach[ID], error) {
	var all []privacy.Reach[ID]
	for range 1000 {
		page, next, err := e.ListAudience(context.Background(), q, nil)
		if err != nil {
			return all, err
		}
		all = append(all, page...)
		if next == "" {
			break
		}
		q.After = next
	}
	slices.SortFunc(all, func(a, b privacy.Reach[ID]) int { return cmp.Compare(fmt.Sprint(a.ID), fmt.Sprint(b.ID)) })
	return all, nil
}

// compareGroups compares CheckGroup on the case's group adds.
func compareGroups[ID comparable](c *stackCase, host, mem stackEnv[ID], id func(string) ID, fail func(string, ...string) *violation) *violation {
	ctx := context.Background()
	for _, g := range c.groups {
		q := privacy.GroupRequest[ID]{Inviter: id(g.Inviter), Invitee: id(g.Invitee), At: g.At}
		for _, m := range g.Members {
			q.Members = append(q.Members, id(m))
		}
		want, _ := mem.e.CheckGroup(ctx, q)
		got, err := host.e.CheckGroup(ctx, q)
		line := groupLine(g, want.Outcome, want.Reason.String())
		if err != nil {
			return fail(fmt.Sprintf("%s adding %s to a group with %v: the host's stack failed: %v.", g.Inviter, g.Invitee, g.Members, err), line)
		}
		if got != want {
			return fail(fmt.Sprintf("%s adding %s to a group with %v: CheckGroup differs (-embedded +host):\n%s", g.Inviter, g.Invitee, g.Members, gocmp.Diff(want, got)), line)
		}
	}
	return nil
}

// compareSends sends the case's messages through both engines, a minute
// apart, and compares each decision and conversation, then every decision
// after them.
func compareSends[ID comparable](c *stackCase, s Stack[ID], host, mem stackEnv[ID], id func(string) ID, fail func(string, ...string) *violation) *violation {
	if len(c.sends) == 0 || !inbox.SameReader(s.Graph, s.Inbox) {
		return nil
	}
	if _, ok := s.Inbox.(inbox.Sender[ID]); !ok {
		return nil
	}
	ctx := context.Background()
	at := c.w.At
	var sent []string
	for _, m := range c.sends {
		at = at.Add(time.Minute)
		q := privacy.Request[ID]{Sender: id(m.Sender), Recipient: id(m.Recipient), At: at}
		wd, wc, werr := mem.e.Send(ctx, q)
		gd, gc, err := host.e.Send(ctx, q)
		sent = append(sent, fmt.Sprintf("%s → %s at +%v", m.Sender, m.Recipient, at.Sub(c.w.At)))
		note := "after sending " + strings.Join(sent, ", ")
		if (err != nil) != (werr != nil) {
			return fail(fmt.Sprintf("%s: the host's Send returns %v and error %v; the embedded store's, %v and error %v.", note, gd, err, wd, werr))
		}
		if d := gocmp.Diff(wd, gd); d != "" {
			return fail(fmt.Sprintf("%s: the decision differs (-embedded +host):\n%s", note, d))
		}
		if d := gocmp.Diff(wc, gc); d != "" {
			return fail(fmt.Sprintf("%s: the conversation afterwards differs (-embedded +host):\n%s", note, d))
		}
	}
	if v := compareDecisions(c.w, at, host, mem, id, fail); v != nil {
		v.what = "after sending " + strings.Join(sent, ", ") + ": " + v.what
		v.lines = []string{"# scenario files cannot send: the checks below are before the sends"}
		return v
	}
	return nil
}
