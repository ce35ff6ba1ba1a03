package graphtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/internal/kit"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// Writer is the write path the kit drives: the write methods of
// [memory.Store], which the kit uses as the reference. A host adapter whose
// own writes take a context or other arguments wraps them in a small type
// with these methods.
type Writer[ID comparable] interface {
	// SetUser adds id or replaces its account facts, keeping its edges.
	SetUser(id ID, u graph.User) error

	// SetEdge adds (on) or removes the relation kind from → to; kind is
	// Follow, Block, Restrict or Facebook (symmetric).
	SetEdge(kind graph.Edge, from, to ID, on bool) error

	// SetContactKey sets id's own contact key, moving it from any other
	// user who held it; an empty key removes it.
	SetContactKey(id ID, key graph.ContactKey) error

	// SyncContacts replaces id's synced contacts with keys.
	SyncContacts(id ID, keys []graph.ContactKey) error
}

// Store is an adapter under test: its reads and its write path. A Store may
// also implement [graph.PairReader], which the kit then checks too.
type Store[ID comparable] interface {
	graph.Reader[ID]
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
			s := newStore(t)
			runWorld(t.Context(), t, w, s, id)
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

func checkIDs[ID comparable](id func(int) ID) error { return kit.CheckIDs("graphtest", id) }

// runWorld applies w's steps to a fresh reference and to s, comparing the
// write errors at each write and every read at each checkpoint.
func runWorld[ID comparable](ctx context.Context, r reporter, w *world, s Store[ID], id func(int) ID) {
	ref := memory.New[ID]()
	ids := make([]ID, w.users+2) // the world's users and two unknown ones
	for i := range ids {
		ids[i] = id(i)
	}
	for n, o := range w.steps {
		if o.kind == opCheck {
			if !compare(ctx, r, fmt.Sprintf("world %s, after step %d (%s)", w.name, n, o.why), ref, s, ids) {
				return
			}
			continue
		}
		wantErr := apply(o, Writer[ID](ref), id)
		gotErr := apply(o, Writer[ID](s), id)
		if want, got := errorClass(wantErr), errorClass(gotErr); want != got {
			r.Errorf("world %s, step %d: %s: error (-want +got):\n%s\nthe store's error: %v",
				w.name, n, format(o, id), cmp.Diff(want, got), gotErr)
			return // the worlds have diverged: later reads would only repeat this
		}
	}
}

// errorClass names the sentinel err wraps, so that the adapter's errors are
// compared with the reference's by meaning, not text.
func errorClass(err error) string {
	if err == nil {
		return "no error"
	}
	for _, s := range []error{graph.ErrSelfEdge, graph.ErrUnknownUser, graph.ErrInvalidEdge, graph.ErrInvalidUser, graph.ErrRawNumber} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "an error"
}

// pairView is a Pair with its edges spelled out, for readable diffs.
type pairView struct {
	A, B  graph.User
	Edges string
}

func viewPair(p graph.Pair) pairView { return pairView{p.A, p.B, p.Edges.String()} }

// compare reports every read of s that differs from ref's, and whether the
// reads could be made (a store that fails its reads stops the world).
func compare[ID comparable](ctx context.Context, r reporter, where string, ref *memory.Store[ID], s Store[ID], ids []ID) bool {
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

	wantUsers, gotUsers := map[string]graph.User{}, map[string]graph.User{}
	for _, a := range ids {
		k := fmt.Sprint(a)
		wantUsers[k], _ = ref.User(ctx, a)
		u, err := s.User(ctx, a)
		if err != nil {
			failed(fmt.Sprintf("User(%v)", a), err)
		}
		gotUsers[k] = u
	}
	report("User", wantUsers, gotUsers)

	wantEdges, gotEdges := map[string]bool{}, map[string]bool{}
	for _, a := range ids {
		for _, b := range ids {
			for k := graph.Follow; k <= graph.Facebook; k++ {
				key := fmt.Sprintf("%v %v→%v", k, a, b)
				wantEdges[key], _ = ref.HasEdge(ctx, k, a, b)
				ok, err := s.HasEdge(ctx, k, a, b)
				if err != nil {
					failed(fmt.Sprintf("HasEdge(%v, %v, %v)", k, a, b), err)
				}
				gotEdges[key] = ok
			}
		}
	}
	report("HasEdge", wantEdges, gotEdges)

	if pr, ok := s.(graph.PairReader[ID]); ok {
		required := graph.ReaderFuncs[ID]{UserFunc: s.User, HasEdgeFunc: s.HasEdge}
		wantPairs, gotPairs, readPairs := map[string]pairView{}, map[string]pairView{}, map[string]pairView{}
		for _, a := range ids {
			for _, b := range ids {
				key := fmt.Sprintf("%v,%v", a, b)
				want, _ := ref.Pair(ctx, a, b)
				wantPairs[key] = viewPair(want)
				got, err := pr.Pair(ctx, a, b)
				if err != nil {
					failed(fmt.Sprintf("Pair(%v, %v)", a, b), err)
				}
				gotPairs[key] = viewPair(got)
				viaReads, err := graph.ReadPair[ID](ctx, required, a, b)
				if err != nil {
					failed(fmt.Sprintf("User and HasEdge for %v, %v", a, b), err)
				}
				readPairs[key] = viewPair(viaReads)
			}
		}
		report("Pair", wantPairs, gotPairs)
		report("Pair disagrees with User and HasEdge (-reads +Pair)", readPairs, gotPairs)
	}

	if l, ok := s.(graph.Lister[ID]); ok {
		// Each relation of each user, read in pages of 2 so that
		// cursors are used; compared as sets, since the order is the
		// store's own.
		wantRel, gotRel := map[string][]string{}, map[string][]string{}
		for _, a := range ids {
			for rel := graph.RelationFollowing; rel <= graph.RelationFriends; rel++ {
				key := fmt.Sprintf("%v %v", a, rel)
				wantRel[key] = related(ctx, ref, a, rel, nil)
				gotRel[key] = related(ctx, l, a, rel, func(err error) { failed(fmt.Sprintf("Related(%v, %v)", a, rel), err) })
			}
		}
		report("Related", wantRel, gotRel)
		want, _ := ref.CountUsers(ctx)
		got, err := l.CountUsers(ctx)
		if err != nil {
			failed("CountUsers", err)
		}
		report("CountUsers", want, got)
	}

	for _, e := range readErrs {
		r.Errorf("%s: %s", where, e)
	}
	// After a difference, later stages would mostly repeat it.
	return len(readErrs) == 0 && !differs
}

// related lists a relation through every page, as sorted text: a user
// listed twice shows twice.
func related[ID comparable](ctx context.Context, l graph.Lister[ID], id ID, rel graph.Relation, fail func(error)) []string {
	var out []string
	var after graph.Cursor
	for pages := 0; pages < 1000; pages++ {
		page, next, err := l.Related(ctx, id, rel, after, 2, nil)
		if err != nil {
			if fail != nil {
				fail(err)
			}
			break
		}
		if len(page) > 2 {
			out = append(out, fmt.Sprintf("(a page of %d, over the limit of 2)", len(page)))
		}
		for _, x := range page {
			out = append(out, fmt.Sprint(x))
		}
		if next == "" {
			break
		}
		after = next
	}
	slices.Sort(out)
	return out
}
