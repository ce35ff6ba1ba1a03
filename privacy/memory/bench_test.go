package memory_test

import (
	"sync"
	"testing"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// celebrity is a store of 1M+2 users where user 0 has a million
// followers (users 1 … 1M), built once for the write benchmarks.
var celebrity = sync.OnceValue(func() *memory.Store[int64] {
	const n = 1_000_000
	s := memory.New[int64]()
	s.Grow(n + 2)
	for id := int64(0); id <= n+1; id++ {
		if err := s.SetUser(id, graph.User{Status: graph.Active}); err != nil {
			panic(err)
		}
	}
	l := s.Loader()
	for id := int64(1); id <= n; id++ {
		if err := l.Add(graph.Follow, id, 0); err != nil {
			panic(err)
		}
	}
	if err := l.Flush(); err != nil {
		panic(err)
	}
	return s
})

// BenchmarkWritesOnCelebrity measures writes that touch a user with a
// million followers: a new follower following and unfollowing them (their
// follower set changes), and them blocking and unblocking one of their
// followers. Each op is two writes; a celebrity's follower set is a
// directory of buckets, so a write copies one bucket, not the set.
func BenchmarkWritesOnCelebrity(b *testing.B) {
	s := celebrity()
	const fan = 1_000_001 // not yet a follower
	b.Run("users=1M/op=follow+unfollow", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Follow(fan, 0); err != nil {
				b.Fatal(err)
			}
			if err := s.Unfollow(fan, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("users=1M/op=block+unblock", func(b *testing.B) {
		b.ReportAllocs()
		const follower = 500_000
		for b.Loop() {
			if err := s.Block(0, follower); err != nil {
				b.Fatal(err)
			}
			if err := s.Unblock(0, follower); err != nil {
				b.Fatal(err)
			}
		}
	})
}
