// Package memory is the embedded store: every fact the engine reads — users,
// follows, blocks, restrictions, synced contacts, Facebook links, inbox
// settings, conversations and pending requests — in memory, behind one ID
// table. It is the default a service starts on, the store of the scenario
// runner and the playground, and the reference the conformance kits
// (graph/graphtest, inbox/inboxtest) hold host adapters to.
//
//	st := memory.New[int64]()
//	st.SetUser(1, graph.User{Status: graph.Active, Birth: born})
//	st.Follow(2, 1)
//	engine, err := privacy.New[int64](st, st, nil)
//
// One *Store is both the engine's graph reader and its inbox reader. Pass
// the same value as both, as above, and a decision looks each user up once
// and reads every fact of the pair in one call ([Store.Facts]); a share
// sheet reads the sender once for all its recipients ([Store.FactsBatch]).
// A host may also pair a Store with its own graph or its own inbox: the
// engine then reads each through its own methods, and nothing of one is
// reached through the other, so a wrapper around a Store sees every read.
//
// # Layout
//
// Each ID has one fixed-size record: the account facts, the packed inbox
// settings, the lengths of the user's relation sets, and where those sets
// and the user's conversations sit in a pointer-free arena of 32-bit
// words. Integer IDs (int, int64, uint64, …) below a range that grows with
// the store are records at their own value, so dense IDs are found without
// hashing; other IDs, and integers beyond that range, go through an open
// addressing hash index. Either way the API is the same. Relations are
// stored as sorted arrays of record numbers; a set that grows past about a
// thousand members becomes a directory of sorted buckets, so a write on a
// user with a million followers copies one bucket, not the set. The heap
// holds no pointers per user or per edge, so a garbage collection has
// little to mark however large the graph.
//
// # Concurrency
//
// A Store is safe for concurrent use. Reads take no lock and allocate
// nothing: each record carries a sequence counter, and a read retries the
// few words it copied if a write to that record overlapped it. Writes are
// serialized by one mutex and linearizable: once a write method returns,
// every read that starts after it sees the write (after Block returns, no
// decision allows the blocked sender). [Store.Update] groups writes that
// readers must see all at once, as a replica applying a database's
// transactions does. [Store.Send] decides and records a delivery under the
// writers' lock, so two sends cannot both pass a request cap with one slot
// left, and a send never lands after a block that returned before it.
//
// # Loading
//
// [Store.Loader] adds edges in bulk, sorting each user's sets once instead
// of inserting one edge at a time; a world of a million users and twenty
// million follows loads in seconds. [Store.Grow] reserves records ahead of
// a known number of users.
//
// Errors: writes return graph's and inbox's errors ([graph.ErrUnknownUser],
// [graph.ErrSelfEdge], [graph.ErrInvalidKey], [inbox.ErrInvalidMode],
// [inbox.ErrSelf], …), as a host's write path does, and leave the store as
// it was. Reads of an unknown user return the zero value, never an error.
package memory
