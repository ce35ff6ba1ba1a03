package graph_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/graph"
)

var ctx = context.Background()

func newStore(t *testing.T, names ...string) *graph.Memory[string] {
	t.Helper()
	m := graph.NewMemory[string]()
	for _, n := range names {
		if err := m.SetUser(n, graph.User{Status: graph.Active, Birth: date(1990, 1, 1)}); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func pair(t *testing.T, m *graph.Memory[string], a, b string) graph.Edges {
	t.Helper()
	p, err := m.Pair(ctx, a, b)
	if err != nil {
		t.Fatal(err)
	}
	// The one-call read must agree with the required reads.
	slow, err := graph.ReadPair[string](ctx, graph.ReaderFuncs[string]{UserFunc: m.User, HasEdgeFunc: m.HasEdge}, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(slow, p); diff != "" {
		t.Fatalf("Pair(%s, %s) disagrees with User and HasEdge (-reads +pair):\n%s", a, b, diff)
	}
	return p.Edges
}

func TestMemoryEdges(t *testing.T) {
	t.Parallel()
	m := newStore(t, "a", "b", "c")
	steps := []struct {
		name string
		do   func() error
		want graph.Edges // of (a, b)
	}{
		{"empty", func() error { return nil }, 0},
		{"follow", func() error { return m.Follow("a", "b") }, graph.FollowAB},
		{"follow again is idempotent", func() error { return m.Follow("a", "b") }, graph.FollowAB},
		{"follow back", func() error { return m.Follow("b", "a") }, graph.FollowAB | graph.FollowBA},
		{"block", func() error { return m.Block("b", "a") }, graph.FollowAB | graph.FollowBA | graph.BlockBA},
		{"restrict", func() error { return m.Restrict("a", "b") }, graph.FollowAB | graph.FollowBA | graph.BlockBA | graph.RestrictAB},
		{"facebook is symmetric", func() error { return m.LinkFacebook("b", "a") }, graph.FollowAB | graph.FollowBA | graph.BlockBA | graph.RestrictAB | graph.FacebookAB},
		{"unfollow", func() error { return m.Unfollow("a", "b") }, graph.FollowBA | graph.BlockBA | graph.RestrictAB | graph.FacebookAB},
		{"unfollow a missing edge", func() error { return m.Unfollow("a", "b") }, graph.FollowBA | graph.BlockBA | graph.RestrictAB | graph.FacebookAB},
		{"unblock", func() error { return m.Unblock("b", "a") }, graph.FollowBA | graph.RestrictAB | graph.FacebookAB},
		{"unrestrict", func() error { return m.Unrestrict("a", "b") }, graph.FollowBA | graph.FacebookAB},
		{"unlink from the other side", func() error { return m.UnlinkFacebook("a", "b") }, graph.FollowBA},
		{"SetEdge", func() error { return m.SetEdge(graph.Block, "a", "b", true) }, graph.FollowBA | graph.BlockAB},
		{"edges to others don't show", func() error { return m.Follow("a", "c") }, graph.FollowBA | graph.BlockAB},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := pair(t, m, "a", "b"); got != st.want {
			t.Errorf("after %s: edges = %v, want %v", st.name, got, st.want)
		}
		if got := pair(t, m, "b", "a"); got != st.want.Swap() {
			t.Errorf("after %s: reversed edges = %v, want %v", st.name, got, st.want.Swap())
		}
	}
}

func TestMemoryRefusals(t *testing.T) {
	t.Parallel()
	m := newStore(t, "a")
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"self follow", m.Follow("a", "a"), graph.ErrSelfEdge},
		{"unknown target", m.Follow("a", "zed"), graph.ErrUnknownUser},
		{"unknown actor", m.Block("zed", "a"), graph.ErrUnknownUser},
		{"contact via SetEdge", m.SetEdge(graph.Contact, "a", "a", true), graph.ErrInvalidEdge},
		{"zero status", m.SetUser("b", graph.User{}), graph.ErrInvalidUser},
		{"band without date", m.SetUser("b", graph.User{Status: graph.Active, Band: graph.Age16to17}), graph.ErrInvalidUser},
		{"raw phone number", m.SetContactKey("a", "+1 (415) 555-0100"), graph.ErrRawNumber},
		{"raw number in contacts", m.SyncContacts("a", []graph.ContactKey{"h1", "07700900123"}), graph.ErrRawNumber},
		{"contacts of an unknown user", m.SyncContacts("zed", nil), graph.ErrUnknownUser},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	if m.Len() != 1 {
		t.Errorf("refused writes added users: Len = %d", m.Len())
	}
	if err := graph.CheckContactKey("sha256:9f86d081884c7d65"); err != nil {
		t.Errorf("a hash was refused: %v", err)
	}
}

func TestMemoryUnknownUsers(t *testing.T) {
	t.Parallel()
	m := newStore(t, "a")
	u, err := m.User(ctx, "zed")
	if err != nil || u != (graph.User{}) {
		t.Errorf("User(unknown) = %v, %v; want the zero User", u, err)
	}
	for k := graph.Follow; k <= graph.Facebook; k++ {
		if ok, err := m.HasEdge(ctx, k, "a", "zed"); ok || err != nil {
			t.Errorf("HasEdge(%v, a, unknown) = %v, %v", k, ok, err)
		}
	}
	p, err := m.Pair(ctx, "a", "zed")
	if err != nil || p.Edges != 0 || p.B != (graph.User{}) || p.A.Status != graph.Active {
		t.Errorf("Pair(a, unknown) = %+v, %v", p, err)
	}
}

func TestMemoryContacts(t *testing.T) {
	t.Parallel()
	m := newStore(t, "a", "b", "c")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// a's address book holds a number nobody has yet.
	must(m.SyncContacts("a", []graph.ContactKey{"h-b", "h-x"}))
	if got := pair(t, m, "a", "b"); got != 0 {
		t.Errorf("before b sets a key: %v", got)
	}
	must(m.SetContactKey("b", "h-b"))
	if got := pair(t, m, "a", "b"); got != graph.ContactAB {
		t.Errorf("after b sets its key: %v, want a has b's number", got)
	}
	// The number moves to c (recycled): a now has c's number, not b's.
	must(m.SetContactKey("c", "h-b"))
	if got := pair(t, m, "a", "b"); got != 0 {
		t.Errorf("after the number moved: a-b %v", got)
	}
	if got := pair(t, m, "a", "c"); got != graph.ContactAB {
		t.Errorf("after the number moved: a-c %v", got)
	}
	must(m.SetContactKey("b", "h-b2"))
	must(m.AddContact("b", "h-b")) // b has c's number
	if got := pair(t, m, "c", "b"); got != graph.ContactBA {
		t.Errorf("b has c's number: %v", got)
	}
	must(m.RemoveContact("b", "h-b"))
	must(m.SyncContacts("a", nil))
	if got := pair(t, m, "a", "c") | pair(t, m, "c", "b"); got != 0 {
		t.Errorf("after removing contacts: %v", got)
	}
}

func TestRecommend(t *testing.T) {
	t.Parallel()
	at := date(2026, 3, 1)
	m := graph.NewMemory[string]()
	add := func(name string, age int, edit ...func(*graph.User)) {
		u := graph.User{Status: graph.Active, Birth: graph.BirthForAge(at, age)}
		for _, f := range edit {
			f(&u)
		}
		if err := m.SetUser(name, u); err != nil {
			t.Fatal(err)
		}
		if err := m.SetContactKey(name, graph.ContactKey("k-"+name)); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	add("me", 30)
	add("contact", 30)
	add("fb", 30)
	add("both", 30)
	add("hidden", 30, func(u *graph.User) { u.HideFromContacts = true })
	add("fbhidden", 30, func(u *graph.User) { u.HideFromFacebook = true })
	add("friend", 30)
	add("fof1", 30)
	add("fof2", 30)
	add("blocker", 30)
	add("blocked", 30)
	add("gone", 30, func(u *graph.User) { u.Status = graph.Suspended })
	add("followed", 30)
	add("kid", 15)
	must(m.SyncContacts("me", []graph.ContactKey{"k-contact", "k-both", "k-hidden", "k-blocker", "k-blocked", "k-gone", "k-followed", "k-kid"}))
	must(m.LinkFacebook("me", "fb"))
	must(m.LinkFacebook("me", "both"))
	must(m.LinkFacebook("me", "fbhidden"))
	for _, f := range []string{"friend"} {
		must(m.Follow("me", f))
		must(m.Follow(f, "me"))
	}
	for _, c := range []string{"fof1", "fof2"} {
		must(m.Follow("friend", c))
		must(m.Follow(c, "friend"))
	}
	must(m.Follow("me", "followed"))
	must(m.Block("blocker", "me"))
	must(m.Block("me", "blocked"))

	got, err := m.RecommendAt(ctx, "me", 10, at)
	if err != nil {
		t.Fatal(err)
	}
	want := []graph.Suggestion[string]{
		{ID: "both", Reason: graph.SuggestContact, Score: 1500},
		{ID: "contact", Reason: graph.SuggestContact, Score: 1000},
		{ID: "fb", Reason: graph.SuggestFacebook, Score: 500},
		{ID: "fof1", Reason: graph.SuggestFriendOfFriend, Mutuals: 1, Score: 1},
		{ID: "fof2", Reason: graph.SuggestFriendOfFriend, Mutuals: 1, Score: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RecommendAt mismatch (-want +got):\n%s", diff)
	}
	got, _ = m.RecommendAt(ctx, "me", 2, at)
	if diff := cmp.Diff(want[:2], got); diff != "" {
		t.Errorf("RecommendAt(n=2) mismatch (-want +got):\n%s", diff)
	}
	// A minor is never suggested an adult, even one whose number they have.
	must(m.SyncContacts("kid", []graph.ContactKey{"k-me"}))
	if got, _ := m.RecommendAt(ctx, "kid", 10, at); len(got) != 0 {
		t.Errorf("a minor got adult suggestions: %v", got)
	}
	// Until the day they turn 18.
	if got, _ := m.RecommendAt(ctx, "kid", 10, at.AddDate(3, 0, 0)); len(got) != 1 || got[0].ID != "me" {
		t.Errorf("at 18: %v", got)
	}
	if got, _ := m.RecommendAt(ctx, "nobody", 10, at); got != nil {
		t.Errorf("unknown user: %v", got)
	}
}
