// Package graphtest is a conformance kit for host adapters of the social
// graph, in the manner of [testing/fstest.TestFS] and [testing/slogtest.Run]:
// a host that stores its graph in its own database runs the kit in its own
// tests to prove that its adapter answers every read exactly as the
// embedded store, [memory.Store], does.
//
// The kit writes a series of worlds through the adapter's write path, a
// [Writer] whose methods mirror the in-memory store's (SetUser, SetEdge,
// SetContactKey, SyncContacts), and writes the same operations to a fresh
// [memory.Store]. After each stage of a world it compares every read of the
// adapter with the reference:
//
//   - User for every user of the world and for unknown users (the zero
//     User, no error);
//   - HasEdge for every edge kind and every ordered pair, self pairs and
//     unknown users included (Facebook must be symmetric);
//   - when the adapter implements [graph.PairReader], Pair for every
//     ordered pair, and Pair's agreement with what User and HasEdge answer;
//   - when the adapter implements [graph.Lister], every relation of every
//     user read page by page (pages of 2, so cursors are exercised), as a
//     set, and CountUsers.
//
// It also checks the write contract: a write the in-memory store refuses is
// refused by the adapter with the same sentinel error ([graph.ErrSelfEdge]
// for a self edge, [graph.ErrUnknownUser] for a write naming an unknown user,
// [graph.ErrInvalidEdge], [graph.ErrInvalidUser], [graph.ErrRawNumber]) and
// changes nothing; adding an edge twice, or removing one that is absent, is
// not an error and adds or removes it once.
//
// The worlds are a hand-written one that walks each rule above step by step
// and a few seeded random ones; they are deterministic, so a failure repeats.
// Dates of birth and verification are written as UTC midnights (the SDK
// uses only their UTC calendar date), so an adapter may store them as SQL
// dates.
//
// Use [Run] in a test, one subtest per world:
//
//	func TestConformance(t *testing.T) {
//		graphtest.Run(t, func(t *testing.T) graphtest.Store[int64] {
//			return newEmptyAdapter(t)
//		}, func(i int) int64 { return int64(i) + 1 })
//	}
//
// or [TestStore], which returns every difference as one error. Each
// difference names the world, the stage and the read, with a [cmp.Diff]
// "(-want +got)" where want is the in-memory store's answer.
//
// The kit is generic over the ID type; the caller maps the kit's user
// numbers 0, 1, 2, … to IDs with a function that must give distinct IDs
// for distinct numbers.
package graphtest
