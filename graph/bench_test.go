package graph_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/internal/synth"
)

// The store's own benchmarks at 1M users (the decision benchmarks are in
// package privacy): writes on a user with a million followers, and the
// batch read of a share sheet. The world is built once per process,
// outside the timer.
//
//	go test ./graph -run '^$' -bench . -count 5

var (
	starOnce  sync.Once
	starWorld *synth.World
)

// millionWorld is the default world of 1M users, about 20 follows each,
// with user 0 (the star) followed by every other user.
func millionWorld(b *testing.B) *synth.World {
	starOnce.Do(func() {
		cfg := synth.Default(1_000_000, 1)
		cfg.Follows = 19
		cfg.StarFollowers = cfg.Users - 1
		w, err := synth.Build(cfg, nil)
		if err != nil {
			panic(err)
		}
		starWorld = w
	})
	return starWorld
}

// BenchmarkFollowStar follows and unfollows the star, in turn, from users
// who follow it: each op changes a set of a million followers.
func BenchmarkFollowStar(b *testing.B) {
	b.Run("followers=1M", func(b *testing.B) {
		w := millionWorld(b)
		star := synth.ID(0)
		if n := followers(b, w.Graph, star); n < 999_000 {
			b.Fatalf("the star has %d followers", n)
		}
		r := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			fan := synth.ID(1 + r.IntN(w.Users-1))
			if err := w.Graph.Unfollow(fan, star); err != nil {
				b.Fatal(err)
			}
			if err := w.Graph.Follow(fan, star); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*i), "ns/write")
	})
}

// BenchmarkBlockStar blocks and unblocks users, in turn, as the star, and
// the star as other users.
func BenchmarkBlockStar(b *testing.B) {
	for _, dir := range []string{"by=star", "of=star"} {
		b.Run("followers=1M/"+dir, func(b *testing.B) {
			w := millionWorld(b)
			star := synth.ID(0)
			r := rand.New(rand.NewPCG(3, 4))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				a, x := star, synth.ID(1+r.IntN(w.Users-1))
				if dir == "of=star" {
					a, x = x, a
				}
				if err := w.Graph.Block(a, x); err != nil {
					b.Fatal(err)
				}
				if err := w.Graph.Unblock(a, x); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*i), "ns/write")
		})
	}
}

func followers(b *testing.B, g *graph.Memory[int64], id int64) int {
	n := 0
	var cur graph.Cursor
	var page []int64
	for {
		var err error
		page, cur, err = g.Related(context.Background(), id, graph.Followers, cur, 1<<16, page[:0])
		if err != nil {
			b.Fatal(err)
		}
		n += len(page)
		if cur == "" {
			return n
		}
	}
}

// BenchmarkPairBatch reads the pairs of a share sheet of 500 users: random
// ones, 1024 sheets in turn.
func BenchmarkPairBatch(b *testing.B) {
	b.Run("users=1M/n=500", func(b *testing.B) {
		w := millionWorld(b)
		r := rand.New(rand.NewPCG(5, 6))
		sheets := make([][]int64, 1024)
		senders := make([]int64, len(sheets))
		for i := range sheets {
			senders[i] = synth.ID(1 + r.IntN(w.Users-1))
			sheets[i] = make([]int64, 500)
			for j := range sheets[i] {
				sheets[i][j] = synth.ID(r.IntN(w.Users))
			}
		}
		dst := make([]graph.Pair, 500)
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := w.Graph.PairBatch(ctx, senders[i%len(sheets)], sheets[i%len(sheets)], dst); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
