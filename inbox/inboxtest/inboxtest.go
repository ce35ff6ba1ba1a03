package inboxtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/graph/graphtest"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/internal/kit"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// Writer is the write path the kit drives: the write methods of
// [memory.Store], which the kit uses as the reference. A host adapter whose
// own writes take a context or other arguments wraps them in a small type
// with these methods.
type Writer[ID comparable] interface {
	// SetSettings stores id's settings as they are; ModeDefault resets the
	// mode to the policy's default.
	SetSettings(id ID, s inbox.Settings) error

	// SetConversation sets the one thread between from and to, started by
	// from at time at in state s, replacing any thread the pair had.
	SetConversation(from, to ID, s inbox.State, at time.Time) error
}

// Store is an adapter under test: its reads and its write path. A Store may
// also implement [inbox.FactReader] and [inbox.BatchFactReader], which the
// kit then checks too; it must then implement [graphtest.Store] as well.
type Store[ID comparable] interface {
	inbox.Reader[ID]
	Writer[ID]
}

// Run runs the kit against the stores newStore returns, one subtest of t per
// world. newStore must return an empty store each time it is called; it may
// use its t for setup, cleanup and fatal errors. id maps the kit's user
// numbers to distinct IDs.
func Run[ID comparable](t *testing.T, newStore func(t *testing.T) Store[ID], id func(i int) ID) {
	t.Helper()
	if err := checkIDs(id); err != nil {
		t.Fatal(err)
	}
	for _, w := range worlds() {
		t.Run(w.name, func(t *testing.T) {
			runWorld(t.Context(), t, w, newStore(t), id)
		})
	}
}

// TestStore runs the kit against the stores newStore returns, one per
// world, and returns nil or an error that lists every difference. It is
// [Run] for code without a [testing.T], as [testing/fstest.TestFS] is.
func TestStore[ID comparable](newStore func() (Store[ID], error), id func(i int) ID) error {
	if err := checkIDs(id); err != nil {
		return err
	}
	var c kit.Collector
	for _, w := range worlds() {
		s, err := newStore()
		if err != nil {
			c.Errorf("world %s: new store: %v", w.name, err)
			continue
		}
		runWorld(context.Background(), &c, w, s, id)
	}
	return c.Err()
}

// reporter is the part of testing.TB the kit reports through.
type reporter = kit.Reporter

func checkIDs[ID comparable](id func(int) ID) error { return kit.CheckIDs("inboxtest", id) }

// reference is the in-memory stores the adapter is compared with.
type reference[ID comparable] struct {
	graph *memory.Store[ID]
	inbox *memory.Store[ID]
}

// target is the adapter and the parts of it the kit found.
type target[ID comparable] struct {
	Store[ID]
	graph graphtest.Store[ID]       // nil unless the adapter holds a graph
	facts inbox.FactReader[ID]      // nil unless implemented
	batch inbox.BatchFactReader[ID] // nil unless implemented
}

func runWorld[ID comparable](ctx context.Context, r reporter, w *world, s Store[ID], id func(int) ID) {
	tg := target[ID]{Store: s}
	tg.graph, _ = s.(graphtest.Store[ID])
	tg.facts, _ = s.(inbox.FactReader[ID])
	tg.batch, _ = s.(inbox.BatchFactReader[ID])
	if tg.graph == nil && (tg.facts != nil || tg.batch != nil) {
		r.Errorf("world %s: the store implements a fact reader but not graphtest.Store, so the kit cannot write the graph its facts include", w.name)
		return
	}
	store := memory.New[ID]()
	ref := reference[ID]{store, store}
	ids := make([]ID, w.users+2) // the world's users and two unknown ones
	for i := range ids {
		ids[i] = id(i)
	}
	for n, o := range w.steps {
		if o.kind == opCheck {
			where := fmt.Sprintf("world %s, after step %d (%s)", w.name, n, o.why)
			if !compare(ctx, r, where, w, &ref, &tg, ids) {
				return
			}
			continue
		}
		if o.kind.graph() && tg.graph == nil {
			continue // an inbox-only store: the graph is someone else's
		}
		wantErr := apply(o, &ref, &tg, true, id)
		gotErr := apply(o, &ref, &tg, false, id)
		if want, got := errorClass(wantErr), errorClass(gotErr); want != got {
			r.Errorf("world %s, step %d: %s: error (-want +got):\n%s\nthe store's error: %v",
				w.name, n, format(o, id), cmp.Diff(want, got), gotErr)
			return // the worlds have diverged: later reads would only repeat this
		}
	}
}

func apply[ID comparable](o op, ref *reference[ID], tg *target[ID], toRef bool, id func(int) ID) error {
	var g graphtest.Writer[ID] = tg.graph
	var in Writer[ID] = tg.Store
	if toRef {
		g, in = ref.graph, ref.inbox
	}
	switch o.kind {
	case opUser:
		return g.SetUser(id(o.a), o.user)
	case opEdge:
		return g.SetEdge(o.edge, id(o.a), id(o.b), true)
	case opKey:
		return g.SetContactKey(id(o.a), o.key)
	case opSync:
		return g.SyncContacts(id(o.a), o.keys)
	case opSettings:
		return in.SetSettings(id(o.a), o.settings)
	case opConversation:
		return in.SetConversation(id(o.a), id(o.b), o.state, o.at)
	}
	return nil
}

func errorClass(err error) string {
	if err == nil {
		return "no error"
	}
	for _, s := range []error{inbox.ErrInvalidMode, inbox.ErrInvalidRoute, inbox.ErrSelf, inbox.ErrInvalidState, graph.ErrUnknownUser} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "an error"
}

// factsView is Facts with the graph edges spelled out, for readable diffs.
type factsView[ID comparable] struct {
	A, B            graph.User
	Edges           string
	Settings        inbox.Settings
	Conversation    inbox.Conversation[ID]
	PendingRequests int
}

func viewFacts[ID comparable](f inbox.Facts[ID]) factsView[ID] {
	return factsView[ID]{f.Pair.A, f.Pair.B, f.Pair.Edges.String(), f.Settings, f.Conversation, f.PendingRequests}
}

// factQueries are the (time, window) pairs the kit asks facts for.
var factQueries = []struct {
	at     time.Time
	window time.Duration
}{
	{t0, 0},
	{t0, 24 * time.Hour},
	{t0.Add(time.Second), 24 * time.Hour},
	{t0.Add(-time.Hour), time.Hour},
}

func compare[ID comparable](ctx context.Context, r reporter, where string, w *world, ref *reference[ID], tg *target[ID], ids []ID) bool {
	var readErrs []string
	failed := func(read string, err error) {
		if len(readErrs) < 5 {
			readErrs = append(readErrs, fmt.Sprintf("%s: %v", read, err))
		}
	}
	differs := false
	// report diffs one read over every user or pair; read names it and
	// the sides of the diff, "(-want +got)" unless it says otherwise.
	report := func(read string, want, got any) {
		if d := cmp.Diff(want, got); d != "" {
			differs = true
			if !strings.Contains(read, "(") {
				read += " (-want +got)"
			}
			r.Errorf("%s: %s:\n%s", where, read, kit.Truncate(d))
		}
	}

	wantSettings, gotSettings := map[string]inbox.Settings{}, map[string]inbox.Settings{}
	for _, a := range ids {
		k := fmt.Sprint(a)
		wantSettings[k], _ = ref.inbox.Settings(ctx, a)
		s, err := tg.Settings(ctx, a)
		if err != nil {
			failed(fmt.Sprintf("Settings(%v)", a), err)
		}
		gotSettings[k] = s
	}
	report("Settings", wantSettings, gotSettings)

	wantConvs, gotConvs := map[string]inbox.Conversation[ID]{}, map[string]inbox.Conversation[ID]{}
	for _, a := range ids {
		for _, b := range ids {
			k := fmt.Sprintf("%v,%v", a, b)
			wantConvs[k], _ = ref.inbox.Conversation(ctx, a, b)
			c, err := tg.Conversation(ctx, a, b)
			if err != nil {
				failed(fmt.Sprintf("Conversation(%v, %v)", a, b), err)
			}
			gotConvs[k] = c
		}
	}
	report("Conversation", wantConvs, gotConvs)

	wantCounts, gotCounts := map[string]int{}, map[string]int{}
	for _, a := range ids {
		for _, win := range windows(w) {
			k := fmt.Sprintf("%v (%s, %s]", a, rel(win[0]), rel(win[1]))
			wantCounts[k], _ = ref.inbox.PendingRequests(ctx, a, win[0], win[1])
			n, err := tg.PendingRequests(ctx, a, win[0], win[1])
			if err != nil {
				failed(fmt.Sprintf("PendingRequests(%v, %s, %s)", a, rel(win[0]), rel(win[1])), err)
			}
			gotCounts[k] = n
		}
	}
	report("PendingRequests", wantCounts, gotCounts)

	if tg.facts != nil || tg.batch != nil {
		compareFacts(ctx, ref, tg, ids, failed, report)
	}

	if l, ok := tg.Store.(inbox.ConversationLister[ID]); ok {
		// Every user's threads, in pages of 2, compared as sets.
		wantThreads, gotThreads := map[string][]string{}, map[string][]string{}
		for _, a := range ids {
			k := fmt.Sprint(a)
			wantThreads[k] = threads(ctx, ref.inbox, a, nil)
			gotThreads[k] = threads(ctx, l, a, func(err error) { failed(fmt.Sprintf("Threads(%v)", a), err) })
		}
		report("Threads", wantThreads, gotThreads)
	}

	for _, e := range readErrs {
		r.Errorf("%s: %s", where, e)
	}
	// After a difference, later stages would mostly repeat it.
	return len(readErrs) == 0 && !differs
}

func compareFacts[ID comparable](ctx context.Context, ref *reference[ID], tg *target[ID], ids []ID,
	failed func(string, error), report func(string, any, any)) {
	// The adapter's required reads alone, with every capability hidden.
	gReq := graph.ReaderFuncs[ID]{UserFunc: tg.graph.User, HasEdgeFunc: tg.graph.HasEdge}
	iReq := inbox.ReaderFuncs[ID]{SettingsFunc: tg.Settings, ConversationFunc: tg.Conversation, PendingRequestsFunc: tg.PendingRequests}
	key := func(q inbox.Query[ID]) string {
		return fmt.Sprintf("%v→%v at %s window %v", q.Sender, q.Recipient, rel(q.At), q.Window)
	}
	want, got, viaReads := map[string]factsView[ID]{}, map[string]factsView[ID]{}, map[string]factsView[ID]{}
	for _, fq := range factQueries {
		for _, a := range ids {
			for _, b := range ids {
				q := inbox.Query[ID]{Sender: a, Recipient: b, At: fq.at, Window: fq.window}
				k := key(q)
				wf, _ := inbox.ReadFacts[ID](ctx, ref.graph, ref.inbox, q)
				want[k] = viewFacts(wf)
				rf, err := inbox.ReadFacts[ID](ctx, gReq, iReq, q)
				if err != nil {
					failed("the required reads for "+k, err)
				}
				viaReads[k] = viewFacts(rf)
				if tg.facts != nil {
					f, err := tg.facts.Facts(ctx, q)
					if err != nil {
						failed("Facts "+k, err)
					}
					got[k] = viewFacts(f)
				}
			}
		}
	}
	if tg.facts != nil {
		report("Facts", want, got)
		report("Facts disagrees with the required reads (-reads +Facts)", viaReads, got)
	}
	if tg.batch == nil {
		return
	}
	// Every user, an unknown one, the sender, and a repeat, in an order
	// that is not sorted.
	recipients := make([]ID, 0, len(ids)+1)
	for i := len(ids) - 1; i >= 0; i-- {
		recipients = append(recipients, ids[i])
	}
	recipients = append(recipients, ids[0])
	wantBatch, gotBatch := map[string]factsView[ID]{}, map[string]factsView[ID]{}
	for _, fq := range factQueries {
		for _, a := range ids {
			q := inbox.BatchQuery[ID]{Sender: a, Recipients: recipients, At: fq.at, Window: fq.window}
			dst := make([]inbox.Facts[ID], len(recipients))
			if err := tg.batch.FactsBatch(ctx, q, dst); err != nil {
				failed(fmt.Sprintf("FactsBatch(%v, %v at %s window %v)", a, recipients, rel(fq.at), fq.window), err)
			}
			for i, b := range recipients {
				k := fmt.Sprintf("[%d] %s", i, key(inbox.Query[ID]{Sender: a, Recipient: b, At: fq.at, Window: fq.window}))
				wf, _ := inbox.ReadFacts[ID](ctx, ref.graph, ref.inbox, inbox.Query[ID]{Sender: a, Recipient: b, At: fq.at, Window: fq.window})
				wantBatch[k] = viewFacts(wf)
				gotBatch[k] = viewFacts(dst[i])
			}
		}
		// An empty batch is not an error.
		if err := tg.batch.FactsBatch(ctx, inbox.BatchQuery[ID]{Sender: ids[0], At: fq.at, Window: fq.window}, nil); err != nil {
			failed("FactsBatch with no recipients", err)
		}
	}
	report("FactsBatch", wantBatch, gotBatch)
}

// rel writes t relative to the kit's anchor time T0.
// threads lists a user's conversations through every page, as sorted
// text.
func threads[ID comparable](ctx context.Context, l inbox.ConversationLister[ID], id ID, fail func(error)) []string {
	var out []string
	var after graph.Cursor
	for pages := 0; pages < 1000; pages++ {
		page, next, err := l.Threads(ctx, id, after, 2, nil)
		if err != nil {
			if fail != nil {
				fail(err)
			}
			break
		}
		if len(page) > 2 {
			out = append(out, fmt.Sprintf("(a page of %d, over the limit of 2)", len(page)))
		}
		for _, t := range page {
			out = append(out, fmt.Sprintf("with %v: %v by %v at %s", t.With, t.State, t.Starter, t.Started.UTC().Format(time.RFC3339)))
		}
		if next == "" {
			break
		}
		after = next
	}
	slices.Sort(out)
	return out
}

func rel(t time.Time) string {
	switch d := t.Sub(t0); {
	case t.IsZero():
		return "zero"
	case d == 0:
		return "T0"
	case d > 0:
		return "T0+" + d.String()
	default:
		return "T0" + d.String()
	}
}
