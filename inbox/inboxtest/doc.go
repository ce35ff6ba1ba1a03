// Package inboxtest is a conformance kit for host adapters of inbox
// storage, in the manner of [testing/fstest.TestFS] and
// [testing/slogtest.Run]: a host that keeps settings and conversations in
// its own database runs the kit in its own tests to prove that its adapter
// answers every read exactly as the embedded store, [memory.Store], does,
// and that its one-call fact readers agree with its required reads.
//
// The kit writes a series of worlds through the adapter's write path, a
// [Writer] whose methods mirror the in-memory store's (SetSettings,
// SetConversation), writes the same to a fresh [memory.Store], and after
// each stage compares:
//
//   - Settings for every user, unknown users included (the zero Settings);
//   - Conversation for every ordered pair: one thread per unordered pair,
//     answered in either order, replaced whole by a later SetConversation
//     in either direction; self pairs and unknown users have none;
//   - PendingRequests for every sender over windows whose edges fall
//     exactly on the requests' start times: the window (after, upTo]
//     excludes after and includes upTo, an empty or reversed window counts
//     nothing, and held, accepted and declined threads never count;
//   - when the adapter implements [inbox.FactReader], Facts for every pair
//     and several times and windows (zero when the window is zero), equal
//     to the in-memory stores' and to what the adapter's own required reads
//     answer;
//   - when it implements [inbox.BatchFactReader], FactsBatch for every
//     sender over all users, unknown and repeated recipients included,
//     equal to the single facts, in order;
//   - when it implements [inbox.ConversationLister], every user's threads,
//     read in pages of 2, as a set.
//
// Refused writes must be refused with the in-memory store's sentinel
// ([inbox.ErrInvalidMode], [inbox.ErrInvalidRoute], [inbox.ErrSelf],
// [inbox.ErrInvalidState]) and change nothing.
//
// Facts include the graph, so an adapter that implements either fact
// reader must also implement the graph kit's [graphtest.Store] (the graph
// reads and write path): the kit then writes users and edges before the
// inbox, to the adapter and to a reference [memory.Store]. An adapter whose
// inbox writes need the users to exist implements it for the same reason.
// The kit writes inbox data for the world's users only.
//
// Times are whole seconds in UTC, so a store with microsecond precision
// keeps them exactly.
//
// Use [Run] in a test, one subtest per world, or [TestStore], which returns
// every difference as one error. Each difference names the world, the stage
// and the read, with a [cmp.Diff] "(-want +got)" where want is the in-memory
// stores' answer.
package inboxtest
