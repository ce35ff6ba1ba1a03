package postgres_test

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/graph/graphtest"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/inbox/inboxtest"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// kitID maps the kits' user numbers to IDs that are not small and
// sequential, so that no query can lean on an ID's value.
func kitID(i int) int64 { return int64(i)*7919 + 1_000_000_007 }

func TestGraphConformance(t *testing.T) {
	pgtest.URL(t)
	t.Parallel()
	graphtest.Run(t, func(t *testing.T) graphtest.Store[int64] {
		return postgres.KitStore{Store: postgres.New(pgtest.Open(t, nil)), Ctx: t.Context()}
	}, kitID)
}

func TestInboxConformance(t *testing.T) {
	pgtest.URL(t)
	t.Parallel()
	inboxtest.Run(t, func(t *testing.T) inboxtest.Store[int64] {
		return postgres.KitStore{Store: postgres.New(pgtest.Open(t, nil)), Ctx: t.Context()}
	}, kitID)
}

func TestMigrateIsIdempotent(t *testing.T) {
	pool := pgtest.Open(t, nil) // migrated once
	ctx := t.Context()
	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- postgres.Migrate(ctx, pool) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM dmprivacy_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(os.DirFS("migrations"), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if n != len(files) {
		t.Errorf("dmprivacy_migrations has %d rows, want %d (one per file)", n, len(files))
	}
}

var t0 = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// seed writes a small world: ana and ben are friends, cy is a stranger, dee
// has blocked ana; everyone is an adult.
func seed(t *testing.T, s *postgres.Store) {
	t.Helper()
	ctx := t.Context()
	adult := graph.User{Status: graph.Active, Birth: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
	for id := int64(1); id <= 4; id++ {
		if _, err := s.SetUser(ctx, id, adult); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(errOf(s.SetEdge(ctx, graph.Follow, 1, 2, true)))
	must(errOf(s.SetEdge(ctx, graph.Follow, 2, 1, true)))
	must(errOf(s.SetEdge(ctx, graph.Block, 4, 1, true)))
	for id := int64(1); id <= 4; id++ {
		must(errOf(s.SetSettings(ctx, id, inbox.Settings{Mode: inbox.Everyone})))
	}
}

const ana, ben, cy, dee, nobody = 1, 2, 3, 4, 99

func TestOneRoundTripPerDecisionAndBatch(t *testing.T) {
	var c pgtest.Counter
	pool := pgtest.Open(t, &pgtest.Options{MaxConns: 1, Counter: &c})
	s := postgres.New(pool)
	seed(t, s)
	ch, err := postgres.NewChecker(s, &privacy.Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	recipients := []int64{ben, cy, dee, nobody, ana, ben}
	// Warm up: the first use of a statement on a connection prepares it.
	if _, err := ch.Check(ctx, ana, ben, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.CheckMany(ctx, ana, recipients, time.Time{}); err != nil {
		t.Fatal(err)
	}

	pairs := [][2]int64{{ana, ben}, {cy, ana}, {ana, dee}, {nobody, ana}, {ana, ana}, {ben, cy}}
	before := c.Trips()
	for _, p := range pairs {
		if _, err := ch.Check(ctx, p[0], p[1], time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Trips() - before; got != int64(len(pairs)) {
		t.Errorf("%d decisions took %d round trips, want one each", len(pairs), got)
	}

	before = c.Trips()
	ds, err := ch.CheckMany(ctx, ana, recipients, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Trips() - before; got != 1 {
		t.Errorf("a batch of %d took %d round trips, want 1", len(recipients), got)
	}
	// The batch answers as single checks do.
	for i, r := range recipients {
		d, err := ch.Check(ctx, ana, r, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(d, ds[i]); diff != "" {
			t.Errorf("CheckMany[%d] (recipient %d) differs from Check (-Check +CheckMany):\n%s", i, r, diff)
		}
	}
}

func TestDecisions(t *testing.T) {
	s := postgres.New(pgtest.Open(t, nil))
	seed(t, s)
	ch, err := postgres.NewChecker(s, &privacy.Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		s, r int64
		want string
		view privacy.View
	}{
		{ana, ben, "allow primary friend", privacy.ViewAllowed},
		{cy, ana, "allow requests message_request", privacy.ViewAllowed},
		{ana, dee, "deny blocked_by_recipient", privacy.ViewNotAllowed},
		{dee, ana, "deny sender_blocked_recipient", privacy.ViewYouBlocked},
		{nobody, ana, "deny sender_unavailable", privacy.ViewUnavailable},
		{ana, nobody, "deny recipient_unavailable", privacy.ViewUnavailable},
	}
	for _, tt := range tests {
		d, err := ch.Check(t.Context(), tt.s, tt.r, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if d.String() != tt.want || d.View != tt.view {
			t.Errorf("Check(%d, %d) = %v, view %v; want %s, view %v", tt.s, tt.r, d, d.View, tt.want, tt.view)
		}
	}
}

func TestSendFollowsTheLifecycleAndTheCap(t *testing.T) {
	s := postgres.New(pgtest.Open(t, nil))
	seed(t, s)
	ctx := t.Context()
	p := privacy.TikTok()
	p.RequestCap = 2
	ch, err := postgres.NewChecker(s, &privacy.Options{Policy: p, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	for id := int64(10); id < 14; id++ {
		if _, err := s.SetUser(ctx, id, graph.User{Status: graph.Active, Birth: time.Date(1980, 5, 5, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetSettings(ctx, id, inbox.Settings{Mode: inbox.Everyone}); err != nil {
			t.Fatal(err)
		}
	}
	// cy sends requests to 10 and 11, then is at the cap for 12; a
	// follow-up to 10 takes no new slot.
	steps := []struct {
		to        int64
		want      string
		wantState inbox.State
	}{
		{10, "allow requests message_request", inbox.Pending},
		{11, "allow requests message_request", inbox.Pending},
		{12, "deny request_limit", inbox.NoThread},
		{10, "allow requests message_request", inbox.Pending},
		{ana, "deny request_limit", inbox.NoThread},
	}
	for _, st := range steps {
		d, conv, _, err := ch.Send(ctx, cy, st.to, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if d.String() != st.want || conv.State != st.wantState {
			t.Errorf("Send(cy, %d) = %v, thread %v; want %s, thread %v", st.to, d, conv.State, st.want, st.wantState)
		}
	}
	// 10 accepts: the thread is accepted and cy has a slot again.
	if _, err := s.Accept(ctx, 10, cy); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accept(ctx, 10, cy); !errors.Is(err, inbox.ErrNoRequest) {
		t.Errorf("accepting twice: got %v, want inbox.ErrNoRequest", err)
	}
	d, conv, _, err := ch.Send(ctx, cy, 12, time.Time{})
	if err != nil || d.String() != "allow requests message_request" || conv.State != inbox.Pending {
		t.Errorf("after an accept, Send(cy, 12) = %v, %v, %v; want a new pending request", d, conv.State, err)
	}
	// 12 replies: replying accepts.
	if _, conv, _, err = ch.Send(ctx, 12, cy, time.Time{}); err != nil || conv.State != inbox.Accepted {
		t.Errorf("a reply gives thread %v (%v), want accepted", conv.State, err)
	}
	// 11 declines; cy's next message to 11 starts a new request.
	if _, err := s.Decline(ctx, 11, cy); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Conversation(ctx, 11, cy); c.State != inbox.Declined {
		t.Errorf("after a decline the thread is %v", c.State)
	}
}

func TestWritesNamingUnknownUsersChangeNothing(t *testing.T) {
	s := postgres.New(pgtest.Open(t, nil))
	seed(t, s)
	ctx := t.Context()
	writes := map[string]error{
		"follow":       errOf(s.SetEdge(ctx, graph.Follow, ana, nobody, true)),
		"unfollow":     errOf(s.SetEdge(ctx, graph.Follow, nobody, ana, false)),
		"facebook":     errOf(s.SetEdge(ctx, graph.Facebook, nobody, ana, true)),
		"settings":     errOf(s.SetSettings(ctx, nobody, inbox.Settings{Mode: inbox.Friends})),
		"conversation": errOf(s.SetConversation(ctx, ana, nobody, inbox.Pending, t0)),
		"reverse conv": errOf(s.SetConversation(ctx, nobody, ana, inbox.Pending, t0)),
		"contact key":  errOf(s.SetContactKey(ctx, nobody, "k-x")),
		"sync":         errOf(s.SyncContacts(ctx, nobody, []graph.ContactKey{"k-y"})),
		"add contact":  errOf(s.AddContact(ctx, nobody, "k-y")),
		"del contact":  errOf(s.RemoveContact(ctx, nobody, "k-y")),
		"deliver":      func() error { _, _, err := s.Deliver(ctx, nobody, ana, inbox.AsRequest, t0); return err }(),
	}
	for name, err := range writes {
		if !errors.Is(err, graph.ErrUnknownUser) {
			t.Errorf("%s naming an unknown user: got %v, want graph.ErrUnknownUser", name, err)
		}
	}
	var rows int
	err := s.DB().QueryRow(ctx, `SELECT (SELECT count(*) FROM conversations) + (SELECT count(*) FROM synced_contacts)
		+ (SELECT count(*) FROM facebook_links) + (SELECT count(*) FROM users WHERE contact_key IS NOT NULL)`).Scan(&rows)
	if err != nil || rows != 0 {
		t.Errorf("refused writes left %d rows (%v)", rows, err)
	}
}

func TestDatabaseDownFailsClosed(t *testing.T) {
	pool := pgtest.Open(t, nil)
	s := postgres.New(pool)
	seed(t, s)
	ch, err := postgres.NewChecker(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	pool.Close()
	ctx := context.Background()
	d, err := ch.Check(ctx, ana, ben, time.Time{})
	if err == nil || d != (privacy.Decision{}) {
		t.Errorf("Check on a closed pool = %v, %v; want the zero Decision and an error", d, err)
	}
	ds, err := ch.CheckMany(ctx, ana, []int64{ben, cy}, time.Time{})
	if err == nil || ds[0] != (privacy.Decision{}) || ds[1] != (privacy.Decision{}) {
		t.Errorf("CheckMany on a closed pool = %v, %v; want zero Decisions and an error", ds, err)
	}
}

func TestContactKeysTheDatabaseCannotStoreAreInvalidInput(t *testing.T) {
	t.Parallel()
	s := postgres.New(pgtest.Open(t, nil))
	seed(t, s)
	ctx := t.Context()
	bad := map[string]graph.ContactKey{
		"NUL":            "h:a\x00b",
		"invalid UTF-8":  "h:\xff\xfe",
		"too long":       graph.ContactKey("h:" + strings.Repeat("ab", postgres.MaxContactKeyLen)),
		"empty in syncs": "",
	}
	for name, k := range bad {
		t.Run(name, func(t *testing.T) {
			if name != "empty in syncs" {
				if _, err := s.SetContactKey(ctx, ana, k); !errors.Is(err, postgres.ErrInvalidInput) {
					t.Errorf("SetContactKey: got %v, want postgres.ErrInvalidInput", err)
				}
			}
			if _, err := s.SyncContacts(ctx, ana, []graph.ContactKey{"h:ok", k}); !errors.Is(err, postgres.ErrInvalidInput) {
				t.Errorf("SyncContacts: got %v, want postgres.ErrInvalidInput", err)
			}
		})
	}
	var rows int
	if err := s.DB().QueryRow(ctx, `SELECT (SELECT count(*) FROM synced_contacts) + (SELECT count(*) FROM users WHERE contact_key IS NOT NULL)`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("refused keys left %d rows (%v)", rows, err)
	}
}

// TestListingsIncludeTheSmallestID: math.MinInt64 is a user ID like any
// other, and pagination starts at it.
func TestListingsIncludeTheSmallestID(t *testing.T) {
	t.Parallel()
	s := postgres.New(pgtest.Open(t, nil))
	ctx := t.Context()
	adult := graph.User{Status: graph.Active, Birth: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
	ids := []int64{math.MinInt64, -1, 0, math.MaxInt64}
	for _, id := range ids {
		if _, err := s.SetUser(ctx, id, adult); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids[:3] {
		if _, err := s.SetEdge(ctx, graph.Follow, id, math.MaxInt64, true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetConversation(ctx, id, math.MaxInt64, inbox.Pending, t0); err != nil {
			t.Fatal(err)
		}
	}
	// One user per page, so every cursor is used.
	var got []int64
	var after graph.Cursor
	for {
		var err error
		got, after, err = s.Related(ctx, math.MaxInt64, graph.RelationFollowers, after, 1, got)
		if err != nil {
			t.Fatal(err)
		}
		if after == "" {
			break
		}
	}
	if d := cmp.Diff(ids[:3], got); d != "" {
		t.Errorf("followers (-want +got):\n%s", d)
	}
	threads, _, err := s.Threads(ctx, math.MaxInt64, "", 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	var with []int64
	for _, th := range threads {
		with = append(with, th.With)
	}
	if d := cmp.Diff(ids[:3], with); d != "" {
		t.Errorf("threads (-want +got):\n%s", d)
	}
}

// errOf returns a write's error without its token.
func errOf(_ postgres.Token, err error) error { return err }
