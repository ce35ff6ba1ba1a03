package replica

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// t0 is the random worlds' clock.
var t0 = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// world makes random writes through the PostgreSQL adapter: every kind of
// write the adapter has, over a few users with IDs of every size, contact
// keys that move between users, and conversations through their whole
// lifecycle.
type world struct {
	pg  *postgres.Store
	rnd *rand.Rand
	ids []int64
}

func newWorld(pg *postgres.Store, seed uint64) *world {
	return &world{pg: pg, rnd: rand.New(rand.NewPCG(seed, 7)),
		ids: []int64{1, 2, 3, 4, 5, 6, 7, 1 << 40, -9, math.MaxInt64, math.MinInt64 + 1, 123456789}}
}

func (w *world) id() int64 { return w.ids[w.rnd.IntN(len(w.ids))] }
func (w *world) key() graph.ContactKey {
	return graph.ContactKey(fmt.Sprintf("h:%d", w.rnd.IntN(8)))
}

// seed adds every user, so that later writes name known users.
func (w *world) seed(ctx context.Context) (postgres.Token, error) {
	var last postgres.Token
	for _, id := range w.ids {
		tok, err := w.pg.SetUser(ctx, id, w.user())
		if err != nil {
			return last, err
		}
		last = last.Max(tok)
	}
	return last, nil
}

func (w *world) user() graph.User {
	u := graph.User{Status: graph.Active, Verified: w.rnd.IntN(4) == 0,
		HideFromContacts: w.rnd.IntN(4) == 0, HideFromFacebook: w.rnd.IntN(4) == 0}
	switch w.rnd.IntN(10) {
	case 0:
		u.Status = graph.Status(2 + w.rnd.IntN(3))
	}
	switch w.rnd.IntN(4) {
	case 0:
		u.Band, u.BandAsOf = graph.AgeBand(1+w.rnd.IntN(4)), t0.AddDate(0, -w.rnd.IntN(30), 0)
	case 1: // unknown age
	default:
		u.Birth = t0.AddDate(-12-w.rnd.IntN(40), 0, -w.rnd.IntN(365))
	}
	return u
}

// step makes one random write and returns its token; writes the adapter
// refuses (a self edge, a request that is not there) return the zero
// Token and no error.
func (w *world) step(ctx context.Context) (postgres.Token, error) {
	a, b := w.id(), w.id()
	at := t0.Add(-time.Duration(w.rnd.IntN(48*60)) * time.Minute)
	var tok postgres.Token
	var err error
	switch x := w.rnd.IntN(100); {
	case x < 8:
		tok, err = w.pg.SetUser(ctx, a, w.user())
	case x < 45:
		kind := []graph.Edge{graph.Follow, graph.Follow, graph.Block, graph.Restrict, graph.Facebook}[w.rnd.IntN(5)]
		tok, err = w.pg.SetEdge(ctx, kind, a, b, w.rnd.IntN(3) != 0)
	case x < 52:
		k := w.key()
		if w.rnd.IntN(5) == 0 {
			k = ""
		}
		tok, err = w.pg.SetContactKey(ctx, a, k)
	case x < 58:
		var keys []graph.ContactKey
		for range w.rnd.IntN(5) {
			keys = append(keys, w.key())
		}
		tok, err = w.pg.SyncContacts(ctx, a, keys)
	case x < 64:
		if w.rnd.IntN(2) == 0 {
			tok, err = w.pg.AddContact(ctx, a, w.key())
		} else {
			tok, err = w.pg.RemoveContact(ctx, a, w.key())
		}
	case x < 72:
		tok, err = w.pg.SetSettings(ctx, a, inbox.Settings{Mode: inbox.Mode(w.rnd.IntN(5))})
	case x < 80:
		tok, err = w.pg.SetConversation(ctx, a, b, inbox.State(1+w.rnd.IntN(4)), at)
	case x < 92:
		d := []inbox.Delivery{inbox.AsRequest, inbox.ToPrimary, inbox.AsHeld}[w.rnd.IntN(3)]
		_, tok, err = w.pg.Deliver(ctx, a, b, d, at)
	default:
		if w.rnd.IntN(2) == 0 {
			tok, err = w.pg.Accept(ctx, a, b)
		} else {
			tok, err = w.pg.Decline(ctx, a, b)
		}
	}
	if errors.Is(err, graph.ErrSelfEdge) || errors.Is(err, inbox.ErrSelf) || errors.Is(err, inbox.ErrNoRequest) {
		return postgres.Token{}, nil
	}
	return tok, err
}

// compare fails t where the replica's facts differ from PostgreSQL's for
// any ordered pair of the world's users and an unknown one: accounts,
// every relation, settings, the pair's thread and the sender's pending
// requests in a 24-hour window, and friends in common.
func compare(t testing.TB, w *world, pg *postgres.Store, r *Replica, label string) {
	t.Helper()
	ctx := context.Background()
	users := append(append([]int64(nil), w.ids...), 424242)
	diffs := 0
	for _, a := range users {
		for _, b := range users {
			q := inbox.Query[int64]{Sender: a, Recipient: b, At: t0, Window: 24 * time.Hour}
			want, err := pg.Facts(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Facts(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" && diffs < 5 {
				diffs++
				t.Errorf("%s: facts of %d → %d (-postgres +replica):\n%s", label, a, b, diff)
			}
			wm, _ := pg.HasFriendInCommon(ctx, a, b)
			gm, _ := r.HasFriendInCommon(ctx, a, b)
			if wm != gm && diffs < 5 {
				diffs++
				t.Errorf("%s: friends in common of %d and %d: postgres %v, replica %v", label, a, b, wm, gm)
			}
		}
	}
}
