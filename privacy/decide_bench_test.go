package privacy

import (
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

var benchDay = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// BenchmarkEngine is the policy step alone: the decision function over the
// facts of two adult friends under the TikTok preset, without any store or
// conversion (the floor under every store).
func BenchmarkEngine(b *testing.B) {
	c := compile(TikTok())
	adult := graph.User{Status: graph.Active, Birth: graph.BirthForAge(benchDay, 30).AddDate(0, 0, -100)}
	in := inbox.Facts[int64]{Pair: graph.Pair{A: adult, B: adult, Edges: graph.FollowAB | graph.FollowBA}}
	var f facts
	factsOf(&in, 1, 2, 0, 0, &f)
	var cc cutCache
	b.ReportAllocs()
	var d Decision
	for b.Loop() {
		cut := cc.at(benchDay, &c.ages)
		d, _ = decide(c, &f, nil, cut, nil)
	}
	if d.Reason != ReasonFriend {
		b.Fatal(d)
	}
}

// BenchmarkEngineFacts adds what a check does around the decision: reading
// the store's answer (an inbox.Facts) into the engine's facts.
func BenchmarkEngineFacts(b *testing.B) {
	c := compile(TikTok())
	adult := graph.User{Status: graph.Active, Birth: graph.BirthForAge(benchDay, 30).AddDate(0, 0, -100)}
	in := inbox.Facts[int64]{Pair: graph.Pair{A: adult, B: adult, Edges: graph.FollowAB | graph.FollowBA}}
	var cc cutCache
	b.ReportAllocs()
	var d Decision
	for b.Loop() {
		var f facts
		factsOf(&in, 1, 2, 0, 0, &f)
		cut := cc.at(benchDay, &c.ages)
		d, _ = decide(c, &f, nil, cut, nil)
	}
	if d.Reason != ReasonFriend {
		b.Fatal(d)
	}
}
