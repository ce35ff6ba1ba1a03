// Command rollout shows how a team would roll a new inbox mode out the way
// TikTok rolled out "Everyone" in 2022: to a small cohort first, then to
// more. It builds a synthetic world on the embedded stores, limits
// Everyone to a cohort of 10% of users (by a stable hash of their ID),
// switches every adult in the cohort to it — settings validation refuses
// everyone else — and prints the impact: how many decisions change, from
// what to what. Then it grows the cohort to 50% and prints that impact.
//
//	go run ./examples/rollout [-users N] [-seed S]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"os"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func main() {
	users := flag.Int("users", 20000, "users in the synthetic world")
	seed := flag.Uint64("seed", 1, "seed of the synthetic world")
	flag.Parse()
	if err := run(os.Stdout, *users, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "rollout:", err)
		os.Exit(1)
	}
}

// world is a synthetic social graph, with its edges kept so the example
// can list each user's neighbourhood.
type world struct {
	g       *memory.Store[int]
	ib      *memory.Store[int]
	n       int
	adult   []bool
	nearby  [][]int // per recipient: users with any relation to them
	randGen *rand.Rand
}

// build makes a deterministic world: ages (a tenth 13–15, a tenth 16–17),
// follows with a heavy tail and many mutuals, synced contacts, Facebook
// links, a few blocks and restrictions, and a spread of inbox modes.
func build(n int, seed uint64) (*world, error) {
	r := rand.New(rand.NewPCG(seed, 2022))
	s := memory.New[int]()
	w := &world{g: s, ib: s, n: n, adult: make([]bool, n), nearby: make([][]int, n), randGen: r}
	var err error
	do := func(e error) {
		if err == nil {
			err = e
		}
	}
	for id := range n {
		age := 18 + r.IntN(42)
		switch x := r.IntN(10); {
		case x == 0:
			age = 13 + r.IntN(3)
		case x == 1:
			age = 16 + r.IntN(2)
		}
		w.adult[id] = age >= 18
		do(w.g.SetUser(id, graph.User{Status: graph.Active, Birth: graph.BirthForAge(now, age), HideFromContacts: r.IntN(10) == 0}))
		do(w.g.SetContactKey(id, graph.ContactKey(fmt.Sprintf("hmac:%08x", id))))
		var m inbox.Mode
		switch x := r.IntN(20); {
		case x < 5:
			m = inbox.SuggestedFriends
		case x < 8:
			m = inbox.Friends
		case x < 9:
			m = inbox.NoOne
		}
		do(w.ib.SetSettings(id, inbox.Settings{Mode: m}))
	}
	near := func(a, b int) {
		w.nearby[b] = append(w.nearby[b], a)
		w.nearby[a] = append(w.nearby[a], b)
	}
	for id := range n {
		// Follows: most users follow a few, some follow many; popular
		// accounts are followed more (targets drawn with a skew).
		for k := 1 + int(r.ExpFloat64()*8); k > 0; k-- {
			to := int(float64(n) * r.Float64() * r.Float64())
			if to == id {
				continue
			}
			do(w.g.Follow(id, to))
			near(id, to)
			if r.IntN(3) == 0 {
				do(w.g.Follow(to, id))
			}
		}
		var book []graph.ContactKey
		for k := r.IntN(6); k > 0; k-- {
			to := r.IntN(n)
			book = append(book, graph.ContactKey(fmt.Sprintf("hmac:%08x", to)))
			near(id, to)
		}
		do(w.g.SyncContacts(id, book))
		if to := r.IntN(n); r.IntN(3) == 0 && to != id {
			do(w.g.LinkFacebook(id, to))
			near(id, to)
		}
		if to := r.IntN(n); r.IntN(20) == 0 && to != id {
			do(w.g.Block(id, to))
		}
	}
	return w, err
}

// pairs yields, for every recipient, each user related to them and three
// strangers: the senders whose decisions a mode change can move.
func (w *world) pairs() iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		r := rand.New(rand.NewPCG(7, 7))
		for rcp := range w.n {
			for _, s := range w.nearby[rcp] {
				if s != rcp && !yield(s, rcp) {
					return
				}
			}
			for range 3 {
				if s := r.IntN(w.n); s != rcp && !yield(s, rcp) {
					return
				}
			}
		}
	}
}

// switched is an inbox reader that shows the world after a rollout: the
// users in users have chosen that mode. It wraps the store in a named
// field, not by embedding: embedding would also promote the store's
// optional capabilities (its joined fact reader), and the engine would
// read settings through them, past this override.
type switched struct {
	base  *memory.Store[int]
	users map[int]inbox.Mode
}

func (s switched) Settings(ctx context.Context, id int) (inbox.Settings, error) {
	if m, ok := s.users[id]; ok {
		return inbox.Settings{Mode: m}, nil
	}
	return s.base.Settings(ctx, id)
}

func (s switched) Conversation(ctx context.Context, a, b int) (inbox.Conversation[int], error) {
	return s.base.Conversation(ctx, a, b)
}

func (s switched) PendingRequests(ctx context.Context, sender int, after, upTo time.Time) (int, error) {
	return s.base.PendingRequests(ctx, sender, after, upTo)
}

// rollout returns the adults who switch to Everyone when it is open to a
// cohort of pct percent: settings validation, under a policy that limits
// Everyone to that cohort, decides who may.
func rollout(ctx context.Context, w *world, pct float64) (map[int]inbox.Mode, *privacy.Policy, int, error) {
	p := privacy.TikTok()
	p.Availability.Rollout = map[inbox.Mode]*inbox.Cohort{inbox.Everyone: {Percent: pct, Salt: "everyone-2022"}}
	e, err := privacy.New[int](w.g, w.ib, &privacy.Options{Policy: p, Now: func() time.Time { return now }})
	if err != nil {
		return nil, nil, 0, err
	}
	users := map[int]inbox.Mode{}
	refused := 0
	for id := range w.n {
		if !w.adult[id] {
			continue
		}
		if err := e.ValidateSettingsAt(ctx, id, inbox.Settings{Mode: inbox.Everyone}, now); err != nil {
			refused++
			continue
		}
		users[id] = inbox.Everyone
	}
	return users, p, refused, nil
}

func run(out io.Writer, n int, seed uint64) error {
	ctx := context.Background()
	start := time.Now()
	w, err := build(n, seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "A synthetic world of %d users (built in %v).\n\n", n, time.Since(start).Round(time.Millisecond))

	base, err := privacy.New[int](w.g, w.ib, &privacy.Options{Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	ten, p10, refused, err := rollout(ctx, w, 10)
	if err != nil {
		return err
	}
	after10, err := privacy.New[int](w.g, switched{w.ib, ten}, &privacy.Options{Policy: p10, Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Rollout: Everyone opens to a 10%% cohort. %d adults in it switch; validation refuses the other %d.\n", len(ten), refused)
	fmt.Fprintln(out, "Impact on the decisions of every related pair and three strangers per recipient:")
	fmt.Fprintln(out)
	im, err := privacy.CompareEngines(ctx, base, after10, w.pairs(), now)
	if err != nil {
		return err
	}
	if err := im.WriteTable(out); err != nil {
		return err
	}

	fifty, p50, _, err := rollout(ctx, w, 50)
	if err != nil {
		return err
	}
	for id := range ten {
		if _, ok := fifty[id]; !ok {
			return fmt.Errorf("user %d left the cohort as it grew", id)
		}
	}
	after50, err := privacy.New[int](w.g, switched{w.ib, fifty}, &privacy.Options{Policy: p50, Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nThe cohort grows to 50%%: %d adults have switched (everyone of the first 10%% stays in).\n", len(fifty))
	fmt.Fprintln(out, "Impact of the growth, 10% → 50%:")
	fmt.Fprintln(out)
	im, err = privacy.CompareEngines(ctx, after10, after50, w.pairs(), now)
	if err != nil {
		return err
	}
	return im.WriteTable(out)
}
