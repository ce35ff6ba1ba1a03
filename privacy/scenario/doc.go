// Package scenario reads and runs scenario files (.dm): small worlds of
// users, relations, settings and conversations, and what the engine must
// decide in them. In short:
//
//	policy tiktok
//	now 2026-03-01
//	user ana age=24 mode=suggested
//	user ben age=31
//	follow ben ana
//	follow ana ben
//	expect ben ana allow primary friend
//	set ana mode=noone
//	expect ben ana deny inbox_closed
//	reach ana primary= requests=
//
// [Parse] (or [ParseFile]) reads a file line by line, never holding more
// than a line of input, and checks all of it before anything runs: a bad
// file is an [*Error] with its file, line, column and token, and yields no
// [File]. [File.Run] then builds the world statement by statement and
// returns a [Result] per check (expect, view, reach, group), each with the
// expected and the actual answer and, with [Options.Explain], the engine's
// trace.
//
// By default a file runs on the embedded stores ([MemoryEnv]: graph.Memory
// and inbox.Memory) with the file's policy and clock. A host runs the same
// files on its own stores or policy through [Options]: Policies resolves
// policy names, NewEnv supplies a [World] (the write path) and an [Engine].
// The scenariotest package runs files as Go subtests; examples/dmcheck is
// the command-line runner.
//
// Every declared user gets a synthetic contact key, [ContactKey] of their
// name, so "contact A B" adds B's key to A's synced contacts.
//
// Group lines parse, and run only on an engine that implements
// [GroupEngine]; on others each is a failing, unsupported check.
//
// Files may come from anyone (a web form, a pull request), so what one
// may cost is bounded by [Limits], set in [Options]: its size (16 MiB at
// most), its users, its statements, the decisions its checks ask for (a
// reach line decides once per declared user) and the time a run may take.
// [Parse] refuses a file over a limit at the line that crossed it, before
// any of it runs, with an [*Error] wrapping [ErrLimit]; [File.Run] stops a
// run that outlasts its time with one too. The defaults keep a file to
// about a second of work on the in-memory stores.
//
// A File is immutable once parsed and may be run many times, also
// concurrently, each run on its own Env.
package scenario
