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
// [Store.Send] implements the SDK's [inbox.Sender]: it reads the facts,
// decides and records the delivery in one transaction that locks both
// users' rows in ID order, so concurrent sends neither overrun the request
// cap, race a block, nor deadlock; [Store.SetContactKey] orders its locks
// the same way. Errors from the database wrap [ErrInvalidInput],
// [ErrConflict], [graph.ErrUnknownUser] or [ErrUnavailable], so a service
// can tell a caller's mistake from an outage.
//
// [Checker] puts the engine over a Store: one round trip per decision
// ([Checker.Check]) and per batch ([Checker.CheckMany]), and the engine's
// one-step send ([Checker.Send]).
//
// Package gate serves the engine and the writes over HTTP, authenticated
// (cmd/dmgate runs it); cmd/dmbench loads a synthetic world with COPY and
// measures decisions per second. README.md has the numbers, the curl
// calls, how to deploy dmgate and the scaling notes.
package postgres
