package privacy_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/internal/model"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// recorder is the embedded store with its sends numbered in the order the
// store serialized them: Send's decide runs under the store's writers'
// lock, so the order decide runs in is the order sends took effect. Each
// send's context carries the slot its position goes to.
type recorder struct {
	*memory.Store[string]
	seq atomic.Int64
}

type slotKey struct{}

func (r *recorder) Send(ctx context.Context, q inbox.Query[string], decide func(*inbox.Facts[string]) (inbox.Delivery, error)) (inbox.Conversation[string], error) {
	return r.Store.Send(ctx, q, func(f *inbox.Facts[string]) (inbox.Delivery, error) {
		*ctx.Value(slotKey{}).(*int64) = r.seq.Add(1)
		return decide(f)
	})
}

// sent is one send of a burst: who, what it decided, and where it fell in
// the store's order.
type sent struct {
	s, r  string
	d     privacy.Decision
	at    int64 // its position in the store's order
	after int64 // the block epoch when it started
}

// burstPairs draws the sends of a burst: random pairs, pairs sending each
// other a first message, and one sender writing to many.
func (m *machine) burstPairs(t *rapid.T) [][2]string {
	var out [][2]string
	users := m.ids[:len(m.ids)-1]
	hot := pick(t, users, "hot sender")
	for range rapid.IntRange(1, 12).Draw(t, "sends") {
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			a, b := m.pair(t)
			out = append(out, [2]string{a, b})
		case 1:
			a, b := m.pair(t)
			out = append(out, [2]string{a, b}, [2]string{b, a}) // each other, at once
		case 2:
			out = append(out, [2]string{hot, pick(t, m.ids, "to")})
		}
	}
	return out
}

// sendBurst sends concurrently, then replays the sends in the order the
// store took them through the model: every decision and the world after
// must be the model's.
func (m *machine) sendBurst(t *rapid.T) {
	pairs := m.burstPairs(t)
	rec := &recorder{Store: m.st.Store}
	e, err := privacy.New[string](rec, rec, &privacy.Options{Now: func() time.Time { return m.clock }})
	if err != nil {
		t.Fatal(err)
	}
	res := m.concurrently(e, pairs, nil)
	t.Logf("burst of %d sends", len(res))
	slices.SortFunc(res, func(a, b sent) int { return int(a.at - b.at) })
	for _, x := range res {
		want, _ := m.w.Deliver(x.s, x.r, m.clock)
		if got := asModel(x.d); got != want {
			t.Fatalf("send %s → %s, number %d of the burst (-model +engine):\n%s", x.s, x.r, x.at, cmp.Diff(want, got))
		}
	}
}

// concurrently runs the sends on goroutines of their own, with block run
// among them if not nil, and returns each send's decision and position.
func (m *machine) concurrently(e *privacy.Engine[string], pairs [][2]string, block func() int64) []sent {
	out := make([]sent, len(pairs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, p := range pairs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = sent{s: p[0], r: p[1]}
			if block != nil {
				out[i].after = block()
			}
			ctx := context.WithValue(context.Background(), slotKey{}, &out[i].at)
			d, _, err := e.Send(ctx, privacy.Request[string]{Sender: p[0], Recipient: p[1]})
			if err != nil {
				panic(fmt.Sprintf("Send(%s, %s): %v", p[0], p[1], err))
			}
			out[i].d = d
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// TestSendGuarantees runs many concurrent sends, blocks and accepts on the
// embedded store and checks what Send promises: however many sends run at
// once a sender never holds more pending requests than the cap; a send
// that starts after a block returned is denied; a deny records nothing;
// pairs that send each other a first message at once both get an answer.
func TestSendGuarantees(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		st := memory.New[string]()
		const users = 12
		name := func(i int) string { return fmt.Sprint("u", i) }
		for i := range users {
			if err := st.SetUser(name(i), graph.User{Status: graph.Active, Birth: graph.BirthForAge(at, 30)}); err != nil {
				t.Fatal(err)
			}
			st.SetSettings(name(i), inbox.Settings{Mode: inbox.Everyone})
		}
		p := privacy.TikTok()
		p.RequestCap = rapid.IntRange(1, 4).Draw(t, "cap")
		// Each send reads the clock, a millisecond later than the last,
		// before it waits for the store: a send whose clock ran ahead may
		// take the store first.
		var ticks atomic.Int64
		now := func() time.Time { return at.Add(time.Duration(ticks.Add(1)) * time.Millisecond) }
		e, err := privacy.New[string](st, st, &privacy.Options{Policy: p, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		type op struct {
			kind string
			a, b int
		}
		ops := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) op {
			o := op{kind: rapid.SampledFrom([]string{"send", "send", "send", "mutual", "block", "accept"}).Draw(t, "op"),
				a: rapid.IntRange(0, users-1).Draw(t, "a"), b: rapid.IntRange(0, users-1).Draw(t, "b")}
			if o.a == o.b {
				o.b = (o.a + 1) % users
			}
			return o
		}), 1, 48).Draw(t, "ops")
		var epoch atomic.Int64
		var blockedAt sync.Map // [2]string{blocker, blocked} → epoch after Block returned
		type result struct {
			s, r    string
			d       privacy.Decision
			started int64
		}
		var mu sync.Mutex
		var results []result
		var wg sync.WaitGroup
		send := func(s, r string) {
			started := epoch.Load()
			d, _, err := e.Send(ctx, privacy.Request[string]{Sender: s, Recipient: r})
			if err != nil {
				panic(err)
			}
			mu.Lock()
			results = append(results, result{s, r, d, started})
			mu.Unlock()
		}
		for _, o := range ops {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, b := name(o.a), name(o.b)
				switch o.kind {
				case "send":
					send(a, b)
				case "mutual":
					var w2 sync.WaitGroup
					w2.Add(2)
					go func() { defer w2.Done(); send(a, b) }()
					go func() { defer w2.Done(); send(b, a) }()
					w2.Wait()
				case "block":
					if err := st.Block(a, b); err != nil {
						panic(err)
					}
					blockedAt.Store([2]string{a, b}, epoch.Add(1))
				case "accept":
					st.Accept(a, b) // may find no request: fine
				}
			}()
		}
		wg.Wait()

		// The cap: no sender holds more pending requests than it allows.
		for i := range users {
			n, err := st.PendingRequests(ctx, name(i), at.Add(-p.RequestWindow), at.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if n > p.RequestCap {
				t.Fatalf("%s holds %d pending requests, cap %d", name(i), n, p.RequestCap)
			}
		}
		for _, r := range results {
			// A send that started after a block (either way) returned is denied.
			for _, k := range [][2]string{{r.r, r.s}, {r.s, r.r}} {
				if v, ok := blockedAt.Load(k); ok && v.(int64) <= r.started && r.d.Allowed {
					t.Fatalf("%s → %s started after %s blocked %s, and was allowed: %v", r.s, r.r, k[0], k[1], r.d)
				}
			}
		}
		// A deny records nothing: a pair has a thread only if one of its
		// sends was allowed.
		allowed := map[[2]string]bool{}
		for _, r := range results {
			if r.d.Allowed {
				allowed[model.PairKey(r.s, r.r)] = true
			}
		}
		for i := range users {
			for j := i + 1; j < users; j++ {
				c, _ := st.Conversation(ctx, name(i), name(j))
				if c.Exists() && !allowed[model.PairKey(name(i), name(j))] {
					t.Fatalf("%s and %s have a %v thread, but no send between them was allowed", name(i), name(j), c.State)
				}
			}
		}
	})
}
