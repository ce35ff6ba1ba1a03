package gate

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// fixed is a reader whose every decision has the same facts (two adult
// friends), read in one call without allocating: the engine's own cost,
// with nothing of a database's, so the observer's share shows.
type fixed struct{ facts inbox.Facts[int64] }

func (f *fixed) User(ctx context.Context, id int64) (graph.User, error) {
	return f.facts.Pair.A, nil
}
func (f *fixed) HasEdge(ctx context.Context, kind graph.Edge, from, to int64) (bool, error) {
	return false, nil
}
func (f *fixed) Settings(ctx context.Context, id int64) (inbox.Settings, error) {
	return f.facts.Settings, nil
}
func (f *fixed) Conversation(ctx context.Context, a, b int64) (inbox.Conversation[int64], error) {
	return inbox.Conversation[int64]{}, nil
}
func (f *fixed) PendingRequests(ctx context.Context, sender int64, after, upTo time.Time) (int, error) {
	return 0, nil
}
func (f *fixed) Facts(ctx context.Context, q inbox.Query[int64]) (inbox.Facts[int64], error) {
	return f.facts, nil
}

// BenchmarkCheckObserved measures Engine.Check over the fixed reader with
// no observer, with the gate's observer (Prometheus counters and histogram,
// no decision log), and with its decision log on, writing JSON to
// io.Discard: every decision, and one in 100.
func BenchmarkCheckObserved(b *testing.B) {
	adult := graph.User{Status: graph.Active, Birth: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
	r := &fixed{inbox.Facts[int64]{
		Pair:     graph.Pair{A: adult, B: adult, Edges: graph.FollowAB | graph.FollowBA},
		Settings: inbox.Settings{Mode: inbox.Friends},
	}}
	m, err := newMetrics(prometheus.NewRegistry(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	discard := slog.New(slog.NewJSONHandler(io.Discard, nil))
	for _, bc := range []struct {
		name string
		obs  privacy.Observer[int64]
	}{
		{"none", nil},
		{"metrics", privacy.ObserverFunc[int64]((&Gate{metrics: m}).observe)},
		{"metrics+log", privacy.ObserverFunc[int64]((&Gate{metrics: m, decision: decisionLog{log: discard, every: 1}}).observe)},
		{"metrics+log1in100", privacy.ObserverFunc[int64]((&Gate{metrics: m, decision: decisionLog{log: discard, every: 100}}).observe)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts := &privacy.Options{Now: func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }}
			if bc.obs != nil {
				opts.Observer = bc.obs
			}
			e, err := privacy.New[int64](r, r, opts)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			q := privacy.Request[int64]{Sender: 1, Recipient: 2}
			if d, err := e.Check(ctx, q); err != nil || d.Reason != privacy.ReasonFriend {
				b.Fatalf("Check = %v, %v; want friends", d, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				e.Check(ctx, q)
			}
		})
	}
}
