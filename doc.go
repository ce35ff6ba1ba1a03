// Package dmprivacy is the root of a Go SDK that decides who may send a
// direct message to whom on a social app, and where the message lands: the
// engine behind settings like TikTok's "Who can send you direct messages:
// Everyone / Suggested friends / Friends / No one".
//
// This package holds no code; the SDK is three small packages, imported in
// one direction (graph ← inbox ← privacy), and the embedded store:
//
//   - [github.com/dmprivacy/dmprivacy/graph]: users (status, birth date or
//     verified age band, discoverability, verified), follows, blocks,
//     restrictions, synced contacts as hashed keys, Facebook links, and
//     recommendations. It declares the read interface a host implements
//     over its own storage.
//   - [github.com/dmprivacy/dmprivacy/inbox]: inbox modes as routing tables
//     over audiences, per-user settings with age-band defaults and
//     validation, folders, conversations and the message-request
//     lifecycle, with its read interface.
//   - [github.com/dmprivacy/dmprivacy/privacy]: the engine. CanMessage
//     returns a Decision (allowed, folder, audit reason, and the view the
//     sender may be shown); Explain returns the trace; policies such as the
//     TikTok preset say what the facts mean. Send decides and records a
//     delivery in one atomic step.
//   - [github.com/dmprivacy/dmprivacy/privacy/memory]: the embedded store,
//     every graph and inbox fact in memory behind one ID table: the
//     default a service starts on, and the reference the conformance kits
//     hold a host's adapter to.
//
// A host implements graph.Reader and inbox.Reader (five methods in all),
// and optionally inbox.FactReader to answer every fact of a decision in one
// round trip. See the README for a quick start and the examples directory
// for whole programs.
package dmprivacy
