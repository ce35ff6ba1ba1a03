package privacy_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// raceEnabled is set by batch_race_test.go in -race builds.
var raceEnabled bool

// genAt is the time generated worlds are decided at.
var genAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// genWorld is a small random world in the embedded stores: users of every
// age and status with contact keys, and every kind of relation, setting
// and conversation between them.
type genWorld struct {
	ids []string
	g   *memory.Store[string]
	ib  *memory.Store[string]
}

// genOptions limits what a generated world has.
type genOptions struct {
	users int
	// senderNeutral leaves out everything a sender has of their own that
	// the audience preview must not look at: their blocks, ages that a
	// gate would deny, statuses, pending requests (caps).
	senderNeutral bool
}

func drawWorld(t *rapid.T, o genOptions) *genWorld {
	s := memory.New[string]()
	w := &genWorld{g: s, ib: s}
	for i := range o.users {
		w.ids = append(w.ids, fmt.Sprint("u", i))
	}
	id := rapid.SampledFrom(w.ids)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	minor := false // whether u0 is 16 or 17
	for i, x := range w.ids {
		u := graph.User{Status: graph.Active}
		if !o.senderNeutral || i == 0 {
			u.Status = rapid.SampledFrom([]graph.Status{graph.Active, graph.Active, graph.Active, graph.Suspended}).Draw(t, "status")
		}
		ages := []int{0, 14, 16, 17, 18, 30, 30, 30}
		if o.senderNeutral && i > 0 {
			// Senders whose age no gate looks at: old enough to send, and
			// no adult when the recipient u0 is a minor.
			ages = []int{16, 17, 18, 30}
			if minor {
				ages = []int{16, 17}
			}
		}
		age := rapid.SampledFrom(ages).Draw(t, "age")
		if age > 0 {
			u.Birth = graph.BirthForAge(genAt, age)
		}
		if i == 0 {
			minor = age == 16 || age == 17
		}
		u.Verified = rapid.Bool().Draw(t, "verified")
		u.HideFromContacts = rapid.IntRange(0, 3).Draw(t, "hideC") == 0
		u.HideFromFacebook = rapid.IntRange(0, 3).Draw(t, "hideF") == 0
		must(w.g.SetUser(x, u))
		if rapid.IntRange(0, 4).Draw(t, "key") > 0 {
			must(w.g.SetContactKey(x, graph.ContactKey("key-"+x)))
		}
	}
	for range rapid.IntRange(0, 4*o.users).Draw(t, "edges") {
		a, b := id.Draw(t, "a"), id.Draw(t, "b")
		if a == b {
			continue
		}
		kinds := []graph.Edge{graph.Follow, graph.Follow, graph.Follow, graph.Block, graph.Restrict, graph.Facebook, graph.Contact}
		switch k := rapid.SampledFrom(kinds).Draw(t, "kind"); k {
		case graph.Contact:
			must(w.g.AddContact(a, graph.ContactKey("key-"+b)))
		case graph.Block:
			// With neutral senders, only u0 (the recipient) blocks.
			if !o.senderNeutral || a == w.ids[0] {
				must(w.g.Block(a, b))
			}
		default:
			must(w.g.SetEdge(k, a, b, true))
		}
	}
	for _, x := range w.ids {
		m := rapid.SampledFrom([]inbox.Mode{inbox.ModeDefault, inbox.Everyone, inbox.Everyone, inbox.SuggestedFriends, inbox.Friends, inbox.NoOne}).Draw(t, "mode")
		must(w.ib.SetSettings(x, inbox.Settings{Mode: m}))
	}
	for range rapid.IntRange(0, 2*o.users).Draw(t, "threads") {
		a, b := id.Draw(t, "a"), id.Draw(t, "b")
		s := rapid.SampledFrom([]inbox.State{inbox.Pending, inbox.Pending, inbox.Held, inbox.Accepted, inbox.Declined}).Draw(t, "state")
		if a == b || (o.senderNeutral && s == inbox.Pending && a != w.ids[0]) {
			continue
		}
		must(w.ib.SetConversation(a, b, s, genAt.Add(-time.Duration(rapid.IntRange(0, 48).Draw(t, "hours"))*time.Hour)))
	}
	return w
}

// capPolicy is the TikTok preset with a cap small enough to reach.
func capPolicy() *privacy.Policy {
	p := privacy.TikTok()
	p.RequestCap = 1
	return p
}

// Each way a host can wire its readers: the embedded store (its own
// one-call and batch fact readers), a host with only the required reads,
// and a host with the one-call FactReader but no batch, one value passed
// as both readers.
type factsOnly struct{ fr inbox.FactReader[string] }

func (f factsOnly) Facts(ctx context.Context, q inbox.Query[string]) (inbox.Facts[string], error) {
	return f.fr.Facts(ctx, q)
}

type factsHost struct {
	g graph.Reader[string]
	inbox.Reader[string]
	factsOnly
}

func (h *factsHost) User(ctx context.Context, id string) (graph.User, error) {
	return h.g.User(ctx, id)
}
func (h *factsHost) HasEdge(ctx context.Context, k graph.Edge, a, b string) (bool, error) {
	return h.g.HasEdge(ctx, k, a, b)
}

func engines(t *rapid.T, w *genWorld, p *privacy.Policy) map[string]*privacy.Engine[string] {
	opts := &privacy.Options{Policy: p, Now: func() time.Time { return genAt }}
	plainG := graph.ReaderFuncs[string]{UserFunc: w.g.User, HasEdgeFunc: w.g.HasEdge}
	plainI := inbox.ReaderFuncs[string]{SettingsFunc: w.ib.Settings, ConversationFunc: w.ib.Conversation, PendingRequestsFunc: w.ib.PendingRequests}
	withFacts := &factsHost{plainG, plainI, factsOnly{w.ib}}
	out := map[string]*privacy.Engine[string]{}
	for name, rs := range map[string]struct {
		g  graph.Reader[string]
		in inbox.Reader[string]
	}{"embedded": {w.g, w.ib}, "required reads": {plainG, plainI}, "facts, no batch": {withFacts, withFacts}} {
		e, err := privacy.New(rs.g, rs.in, opts)
		if errors.Is(err, privacy.ErrInvalidPolicy) && name != "embedded" {
			continue // a preset that needs a graph.MutualReader the wiring lacks
		}
		if err != nil {
			t.Fatal(err)
		}
		out[name] = e
	}
	return out
}

// TestCheckManyEqualsCheck: every decision of a batch is the decision of
// the single check, whatever the wiring, with duplicates, unknown users and
// the sender among the recipients.
func TestCheckManyEqualsCheck(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t, genOptions{users: 6})
		p := privacy.TikTok()
		switch rapid.IntRange(0, 2).Draw(t, "policy") {
		case 1:
			p = capPolicy()
		case 2: // every other preset, so their flags go through the batch too
			p, _ = privacy.PolicyByName(rapid.SampledFrom(privacy.PresetNames()).Draw(t, "preset"))
		}
		everyone := append(slices.Clone(w.ids), "stranger")
		// Every user, in a random order with repeats, to every sender.
		recipients := append(rapid.Permutation(everyone).Draw(t, "recipients"),
			rapid.SliceOfN(rapid.SampledFrom(everyone), 0, 20).Draw(t, "more")...)
		at := genAt.Add(time.Duration(rapid.IntRange(-24, 24).Draw(t, "hours")) * time.Hour)
		for _, sender := range everyone {
			checkMany(t, w, p, sender, recipients, at)
		}
	})
}

func checkMany(t *rapid.T, w *genWorld, p *privacy.Policy, sender string, recipients []string, at time.Time) {
	ctx := context.Background()
	for name, e := range engines(t, w, p) {
		prefix := []privacy.Decision{{Allowed: true}} // CheckMany appends after it
		got, err := e.CheckMany(ctx, privacy.BatchRequest[string]{Sender: sender, Recipients: recipients, At: at}, prefix)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(prefix)
		for _, r := range recipients {
			d, err := e.Check(ctx, privacy.Request[string]{Sender: sender, Recipient: r, At: at})
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, d)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s: CheckMany(%s, %v) mismatch (-Check +CheckMany):\n%s", name, sender, recipients, diff)
		}
	}
}

func TestCanMessageManyUsesTheClock(t *testing.T) {
	t.Parallel()
	g := memory.New[string]()
	ib := g
	birthday := genAt.AddDate(0, 0, 1) // r turns 16 tomorrow
	g.SetUser("s", graph.User{Status: graph.Active, Birth: graph.BirthForAge(genAt, 30)})
	g.SetUser("r", graph.User{Status: graph.Active, Birth: graph.BirthForAge(birthday, 16)})
	g.Follow("s", "r")
	g.Follow("r", "s")
	ib.SetSettings("r", inbox.Settings{Mode: inbox.Friends})
	now := genAt
	e, _ := privacy.New(g, ib, &privacy.Options{Now: func() time.Time { return now }})
	for _, tc := range []struct {
		now  time.Time
		want privacy.Reason
	}{{genAt, privacy.ReasonRecipientAge}, {birthday, privacy.ReasonFriend}} {
		now = tc.now
		got, err := e.CanMessageMany(context.Background(), "s", []string{"r"})
		if err != nil || len(got) != 1 || got[0].Reason != tc.want {
			t.Errorf("at %v: %v, %v; want %v", tc.now, got, err, tc.want)
		}
	}
}

// TestCheckManyFailsClosed: a failing store, or a context that ended,
// denies the whole batch with an error.
func TestCheckManyFailsClosed(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	g := memory.New[string]()
	g.SetUser("s", graph.User{Status: graph.Active, Birth: graph.BirthForAge(genAt, 30)})
	g.SetUser("r", graph.User{Status: graph.Active, Birth: graph.BirthForAge(genAt, 30)})
	g.Follow("s", "r")
	g.Follow("r", "s")
	ib := memory.New[string]()
	failing := inbox.ReaderFuncs[string]{
		SettingsFunc: func(context.Context, string) (inbox.Settings, error) { return inbox.Settings{}, boom },
	}
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, tc := range []struct {
		name string
		in   inbox.Reader[string]
		ctx  context.Context
		want error
	}{
		{"store error", failing, ctx, boom},
		{"cancelled", ib, cancelled, context.Canceled},
	} {
		e, _ := privacy.New[string](g, tc.in, nil)
		got, err := e.CheckMany(tc.ctx, privacy.BatchRequest[string]{Sender: "s", Recipients: []string{"r", "r"}, At: genAt}, nil)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if diff := cmp.Diff([]privacy.Decision{{}, {}}, got); diff != "" {
			t.Errorf("%s: decisions not the zero (deny) Decision (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestCheckManyAllocates: with a buffer, a batch on the embedded stores
// allocates nothing; CanMessageMany allocates its result.
func TestCheckManyAllocates(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts do not hold under the race detector")
	}
	g := memory.New[int64]()
	ib := g
	var recipients []int64
	for i := range int64(300) {
		g.SetUser(i, graph.User{Status: graph.Active, Birth: graph.BirthForAge(genAt, 20+int(i%40))})
		if i > 0 {
			recipients = append(recipients, i)
			if i%3 == 0 {
				g.Follow(0, i)
				g.Follow(i, 0)
			}
		}
		if i%5 == 0 {
			ib.SetSettings(i, inbox.Settings{Mode: inbox.Everyone})
		}
	}
	e, _ := privacy.New(g, ib, &privacy.Options{Now: func() time.Time { return genAt }})
	ctx := context.Background()
	dst := make([]privacy.Decision, 0, len(recipients))
	q := privacy.BatchRequest[int64]{Sender: 0, Recipients: recipients, At: genAt}
	e.CheckMany(ctx, q, dst) // warm the pools
	if n := testing.AllocsPerRun(50, func() { e.CheckMany(ctx, q, dst[:0]) }); n != 0 {
		t.Errorf("CheckMany with a buffer: %v allocations, want 0", n)
	}
	if n := testing.AllocsPerRun(50, func() { e.CanMessageMany(ctx, 0, recipients) }); n > 1 {
		t.Errorf("CanMessageMany: %v allocations, want 1", n)
	}
}

// A share sheet: may ana send a post to each of these people?
func ExampleEngine_CanMessageMany() {
	g := memory.New[string]()
	ib := g
	adult := graph.User{Status: graph.Active, Birth: time.Date(1995, 6, 1, 0, 0, 0, 0, time.UTC)}
	for _, id := range []string{"ana", "ben", "cy", "dee"} {
		g.SetUser(id, adult)
	}
	g.Follow("ana", "ben")
	g.Follow("ben", "ana")                                     // friends
	g.Block("dee", "ana")                                      // dee blocked ana
	ib.SetSettings("cy", inbox.Settings{Mode: inbox.Everyone}) // strangers to requests
	e, _ := privacy.New[string](g, ib, nil)
	decisions, _ := e.CanMessageMany(context.Background(), "ana", []string{"ben", "cy", "dee", "nobody"})
	for i, r := range []string{"ben", "cy", "dee", "nobody"} {
		fmt.Printf("%-6s %-32v sender sees %v\n", r, decisions[i], decisions[i].View)
	}
	// Output:
	// ben    allow primary friend             sender sees allowed
	// cy     allow requests message_request   sender sees allowed
	// dee    deny blocked_by_recipient        sender sees not_allowed
	// nobody deny recipient_unavailable       sender sees unavailable
}

// TestCheckManyFriendsOfFriends: under Messenger, whose standard mode routes
// friends of friends, a batch asks for friends in common as a check does.
func TestCheckManyFriendsOfFriends(t *testing.T) {
	t.Parallel()
	g := memory.New[string]()
	ib := g
	for _, u := range []string{"s", "f", "r", "x"} {
		g.SetUser(u, graph.User{Status: graph.Active, Birth: graph.BirthForAge(genAt, 30)})
	}
	for _, p := range [][2]string{{"s", "f"}, {"f", "s"}, {"f", "r"}, {"r", "f"}} {
		g.Follow(p[0], p[1])
	}
	e, err := privacy.New(g, ib, &privacy.Options{Policy: privacy.Messenger(), Now: func() time.Time { return genAt }})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.CanMessageMany(context.Background(), "s", []string{"r", "x"})
	if err != nil {
		t.Fatal(err)
	}
	want := []privacy.Decision{
		{Allowed: true, Folder: inbox.Requests, Reason: privacy.ReasonFriendOfFriend, View: privacy.ViewAllowed},
		{Allowed: true, Folder: inbox.Requests, Reason: privacy.ReasonMessageRequest, View: privacy.ViewAllowed},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}
