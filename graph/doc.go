// Package graph models the social graph that direct-message rules read:
// accounts and the relations between them.
//
// # Model
//
// A [User] is an account's status, its age source (a birth date, or a
// verified [AgeBand] as of a date; never a frozen age, since users turn 16
// and 18 on a day and decisions must flip that day), whether it is verified,
// and its discoverability switches. Relations are [Edge] kinds: [Follow],
// [Block] and [Restrict] are directed; [Contact] (A has B's number) is
// directed and derived from opaque, already-hashed [ContactKey]s, so the
// SDK never handles phone numbers; [Facebook] is symmetric. Two users who
// follow each other are friends.
//
// # What a host implements
//
// A host implements [Reader] over its own storage: User and HasEdge, with
// ctx first. Unknown users are not errors: User returns the zero User
// (status [StatusUnknown], which every policy denies) and HasEdge returns
// false. An error means the store failed, and the engine fails closed.
//
// Optional capabilities, discovered by type assertion with a fallback:
//
//   - [PairReader]: every graph fact about a pair in one call ([ReadPair]
//     falls back to eleven calls). A host whose graph and inbox share a
//     database should rather implement inbox.FactReader, which covers both.
//   - [PairBatchReader]: the pairs of one user with many in one call, for
//     share sheets ([ReadPairs] falls back to one pair at a time).
//   - [Lister]: a user's own relations page by page, and the number of
//     users, for the audience preview (privacy's Engine.PreviewAudience,
//     which reports errors.ErrUnsupported without it).
//
// [ReaderFuncs] adapts closures to a Reader, for tests and thin hosts.
//
// # The embedded store
//
// The in-memory default is privacy/memory's Store: one store of every
// graph and inbox fact, safe for concurrent use and linearizable (once a
// write such as Block returns, every later read sees it), with lock-free
// reads, bulk loading, and recommendations (its Recommend): suggested
// friends from synced contacts and Facebook links, and friends of friends
// as a weaker signal, honouring discoverability switches, blocks either
// way and the line of 18.
//
// The graph/graphtest package checks that a host's adapter answers exactly
// as that store does.
package graph
