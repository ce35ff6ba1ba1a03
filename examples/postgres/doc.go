// Package postgres is a host adapter for the dmprivacy SDK over PostgreSQL,
// written the way a team adopting the SDK would wire its own database: the
// social graph and the inbox in one schema keyed by int64 user IDs, and a
// [Store] that implements the SDK's read interfaces and capabilities:
//
//   - [graph.Reader] and [graph.PairReader];
//   - [inbox.Reader];
//   - [inbox.FactReader]: every fact of one decision (both accounts, all nine
//     relations of the pair, the recipient's mode, the pair's thread and the
//     sender's pending requests in the cap's window) in one SQL statement,
//     so one round trip per decision;
//   - [inbox.BatchFactReader]: the facts of one sender and N recipients in
//     one statement over = ANY-style array parameters, so one round trip per
//     share sheet.
//
// Every read is an index-only lookup on the schema's primary keys and
// covering indexes (see migrations/). [Migrate] applies the embedded
// migrations idempotently at start.
//
// Writes ([Store.SetUser], [Store.SetEdge], [Store.SetContactKey],
// [Store.SyncContacts], [Store.SetSettings], [Store.SetConversation],
// [Store.Deliver], [Store.Accept], [Store.Decline]) each run as one
// transaction and refuse what the in-memory stores refuse, with the same
// sentinel errors: a write naming an unknown user wraps
// [graph.ErrUnknownUser] and changes nothing. [KitStore] adapts the writes
// to the conformance kits' write interfaces.
//
// [Checker] puts the engine over a Store: one round trip per decision
// ([Checker.Check]) and per batch ([Checker.CheckMany]), and a send that
// checks and records the delivery in one transaction ([Checker.Send]).
//
// The command cmd/dmgate serves the Checker and the writes over HTTP;
// cmd/dmbench loads a synthetic world with COPY and measures decisions per
// second. README.md has the numbers, the curl calls and the scaling notes.
package postgres
