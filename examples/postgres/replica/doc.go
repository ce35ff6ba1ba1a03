// Package replica keeps the SDK's embedded store (privacy/memory) as an
// in-process replica of the PostgreSQL database that the adapter
// (package postgres) writes, so that every service instance answers checks
// from memory, in about a microsecond, while PostgreSQL stays the source of
// truth. Reads scale out with instances; a caller that has just written
// asks for an answer at least as fresh as its write with a consistency
// token.
//
// # Snapshot, then stream
//
// [Open] (or [Start], which does it in the background) takes these steps:
//
//  1. It makes sure the publication (Config.Publication, by default
//     "dmprivacy_replica") exists over the tables a decision reads
//     ([Tables]: users, follows, blocks, restricts, facebook_links,
//     synced_contacts, inbox_settings, conversations) in the schema of the
//     connection's search_path, creating it if not (which takes ownership
//     of the tables or a superuser; a host that prefers to create it in
//     its own migrations names it in the Config).
//  2. On a replication connection it creates its logical replication slot,
//     "dmreplica_" + Config.Name, with the pgoutput plugin and an exported
//     snapshot (CREATE_REPLICATION_SLOT … LOGICAL pgoutput
//     EXPORT_SNAPSHOT). A slot of that name left by an earlier run of the
//     same instance is dropped first (its walsender terminated if it still
//     holds it).
//  3. On a second connection, in a REPEATABLE READ transaction that
//     imports the snapshot (SET TRANSACTION SNAPSHOT), it reads every table
//     into a new memory.Store: accounts and contact keys, the edges through
//     the store's bulk Loader, address books, settings, conversations. The
//     snapshot holds exactly the transactions that committed before the
//     slot's consistent point, so the store is the database as of that
//     point. The 100,000-user world of cmd/dmbench (3.6 million rows)
//     loads in seconds (see the module's README).
//  4. It starts replication from the consistent point (START_REPLICATION,
//     pgoutput protocol 1, binary values), buffers each transaction's row
//     changes from its Begin to its Commit, and applies them at the Commit
//     with memory.Store.Update: readers see all of a transaction or none of
//     it (never a block without the unfollow that came with it). Then its
//     position moves to the end of the commit record.
//
// Transactions arrive, and are applied, in commit order. Rows are matched
// by their primary keys, which are the tables' replica identity (the
// default), so a delete or a key change carries the old key. An update
// whose TOASTed contact key did not change leaves the key alone.
//
// Some changes the adapter never makes and the embedded store has no write
// for: a deleted user or conversation, a truncated table (by hand in SQL).
// The replica does not apply half of such a transaction: it loads a new
// snapshot instead (see "Reloads"), and so it does when a write fails in
// the store (data the adapter would have refused, written by hand).
//
// # Positions and tokens
//
// The replica's position ([Replica.Position]) says that every transaction
// whose commit record ends at or before it has been applied. It moves to
// the end of each commit it applies, and to the server's position in each
// keepalive that arrives between transactions (the walsender has decoded,
// and sent, every transaction that committed before it), never inside a
// transaction.
//
// A write's token (package postgres: [postgres.Token]) is the database's WAL
// insert position read after the write's commit returned, so the write's
// commit record ends at or before it. A replica at or past the token has
// therefore applied the write, whatever else committed meanwhile and
// whether or not commits wait for the disk. (A position read inside the
// transaction would not do: another transaction could commit between it
// and the write's commit.) The one subtlety: the insert position skips a
// page header when it falls on a WAL page boundary, where the decoder's
// position stays; [Replica.Covers] accounts for it.
//
// [Replica.WaitFor] waits until the replica covers a token. When the token
// is past the last write the stream has carried, the replica asks the
// server for a keepalive at once rather than waiting for the next one.
// [Checker] routes reads: without a token, the replica answers at once
// from what it has; with one, once the replica covers it (waiting at most
// CheckerConfig.MaxWait, 50 ms by default), else PostgreSQL answers. Sends
// always decide and record in PostgreSQL, in one transaction that locks
// both users' rows, so the request cap and blocks stay exact.
//
// # Restarts, reloads and WAL
//
// The replica reports its applied position to the server as its flushed
// position every Config.StatusInterval (100 ms), so the slot releases WAL
// as it goes.
//
// When the stream breaks (the connection drops, PostgreSQL restarts, its
// walsender is terminated), the replica keeps answering from what it has,
// its [Replica.Lag] growing, reconnects with backoff and restarts
// replication on its slot from its own position: the slot kept every
// change since, and the server sends no transaction that committed before
// that position, so nothing is lost or applied twice (the replica also
// skips any commit that ends at or before its position).
//
// The store lives in memory, so a process that restarts has nothing to
// resume: it loads a new snapshot under the same name, dropping the slot
// its previous run left. A replica that finds its slot gone (someone ran
// pg_drop_replication_slot) or invalidated (it fell behind by more than
// max_slot_wal_keep_size) loads a new snapshot too, into a new store that
// replaces the old one whole when it is complete, rather than drift. In
// the meantime the old store answers, Lag grows, and a Checker with MaxLag
// (and dmgate's readiness) sends reads to PostgreSQL.
//
// [Replica.Close] stops the stream and drops the slot. A replica that dies
// without closing leaves its slot behind, and a slot holds back WAL
// removal from its confirmed position on: the server's pg_wal grows by
// every write made since, until an instance of the same name starts again
// (and drops it), an operator drops it (SELECT pg_drop_replication_slot(
// slot_name) FROM pg_replication_slots WHERE NOT active AND slot_name LIKE
// 'dmreplica\_%'), or it reaches max_slot_wal_keep_size. Set that bound on
// every server replicas follow (PostgreSQL 13 and later): a slot that
// falls further behind is invalidated (wal_status "lost") and its WAL
// removed, so a dead replica costs at most that much disk; the replica,
// if it comes back, finds the slot invalidated and reloads. Watch
// pg_replication_slots (active, wal_status, safe_wal_size) and each
// replica's lag. Give each instance a name of its own, stable across
// restarts (a pod's or a host's): two live instances of one name would
// take the slot from each other.
//
// # Requirements
//
// PostgreSQL 14 or later (pgoutput's binary values) with wal_level =
// logical, a free slot (max_replication_slots) and WAL sender
// (max_wal_senders) per replica, and a role with the REPLICATION attribute
// (or a superuser) that may read the tables. Tested on PostgreSQL 15.
package replica
