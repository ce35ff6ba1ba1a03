// Package scenario reads and runs scenario files (.dm): small worlds of
// users, relations, settings and conversations, and what the engine must
// decide in them. A scenario file is an executable specification: the
// repository pins every row of the decision table with them, a host pins
// its own policy with them, and the same file runs in go test
// (package scenariotest) and from the command line (examples/dmcheck).
//
//	# A friend, a recommended contact and a minor.
//	policy tiktok
//	now 2026-03-01
//	user ana age=24 mode=suggested
//	user ben age=31
//	user cole age=29
//	user tess age=17
//	follow ben ana
//	follow ana ben                  # ana and ben are friends
//	contact ana cole                # ana has cole's number
//	expect ben ana allow primary friend
//	expect cole ana allow primary recommended_contact
//	expect ana tess deny minor_protection
//	view ana tess not_allowed       # what ana is shown
//	set ana mode=noone
//	expect ben ana deny inbox_closed
//	reach ana primary= requests=    # nobody else reaches ana now
//
// The decision table, the audit reasons and the sender views these files
// check are specified in the documentation of package
// [github.com/dmprivacy/dmprivacy/privacy].
//
// # Lines and tokens
//
// A file is UTF-8 text, one statement a line, read top to bottom.
// Statements take effect in order, so a file can change the world and
// check again. A '#' starts a comment anywhere on a line, even inside a
// word; blank lines and comment lines are skipped. Tokens are separated
// by spaces or tabs, in any number. Lines may end in LF or CR LF, the
// last line needs no line ending, and a byte order mark at the start of
// the file is ignored. Keywords, keys and values are lower case, and
// case matters.
//
// Names (users and policies) are 1 to 64 bytes of a-z, 0-9, '_', '.' and
// '-'. A user must be declared by a user line before any other line names
// it.
//
// # The clock
//
// Every file has a clock. It starts at 2026-01-01T00:00:00Z, or at the
// time of the file's now line, and only advance moves it. Each statement
// runs at the clock of its line: ages given as age=N, modes validated,
// conversations started and decisions checked all use it. A time is a
// date, YYYY-MM-DD (midnight UTC), or an RFC 3339 time such as
// 2026-03-01T12:00:00Z or 2026-03-01T12:00:00+02:00.
//
// # Statements
//
// The statements that set up the file, at most once each and before the
// first user line:
//
//	policy NAME
//	now TIME
//
// policy names the preset the file runs under, as [privacy.PolicyByName]
// knows them (tiktok, instagram, messenger, x, bluesky, snapchat), or as
// [Options].Policies resolves them; without a policy line the file runs
// under tiktok. now sets the clock, and must also come before any advance
// line.
//
//	advance DURATION
//
// moves the clock forward: a whole number followed by m (minutes), h
// (hours) or d (days of 24 hours), such as 90m, 25h or 30d; 0d is allowed,
// negative numbers are not.
//
//	user NAME [KEY=VALUE ...]
//	set NAME KEY=VALUE [KEY=VALUE ...]
//
// user declares a user, once; set changes a declared user and needs at
// least one key. A key may appear once per line. The keys:
//
//	age=N                       the user is N (0 to 150) on the line's day:
//	                            born the same calendar day N years earlier
//	birth=TIME                  the birth date; not after the line's clock
//	mode=M                      the inbox mode, by the policy's name for it
//	                            (tiktok: everyone, suggested, friends,
//	                            noone), or default: the age band's default
//	status=S                    active, deactivated, suspended or deleted
//	suggest-to-contacts=on|off  whether people who have the user's number
//	                            may be suggested the account
//	                            (recommended_contact)
//	suggest-to-facebook=on|off  the same for Facebook friends
//	                            (recommended_facebook)
//	verified=on|off             a verified account
//	route.AUDIENCE=ROUTE        the user's own route for an audience:
//	                            primary, requests or deny
//
// age= and birth= exclude each other on one line. A user line without
// them makes the user 18 on the line's day. A new user is active, lets
// both kinds of suggestions through, is not verified and has never chosen
// a mode, so the policy's default for their age band applies at each
// decision. set keeps whatever the line does not change.
//
// route.AUDIENCE keys exist only under policies with per-audience settings
// (instagram, messenger); elsewhere they are an error. AUDIENCE is one of
// friend, follower, followed, contact, reverse_contact, facebook_friend,
// friend_of_friend, verified or anyone.
//
// A line that gives mode= or a route is validated as the host's settings
// screen would validate it ([privacy.Engine.ValidateSettings]), for the
// user as the line leaves them, at the line's clock: a mode or route the
// user may not choose (Everyone for a 17-year-old under tiktok) makes the
// file bad. A later line that only changes the user's age does not check
// the stored mode again; the engine's decision-time fail-safe then
// applies, as a corrected birth date would in production.
//
//	follow A B        unfollow A B      A follows B
//	block A B         unblock A B       A blocks B
//	restrict A B      unrestrict A B    A restricts B
//	contact A B       uncontact A B     A has B's number in their synced contacts
//	facebook A B      unfacebook A B    A and B are Facebook friends (both ways)
//
// A is the actor; the relation is directed except facebook. A and B must
// be two different declared users. Every declared user has a contact key,
// [ContactKey] of their name, so contact A B adds B's key to A's synced
// contacts.
//
//	conversation A B STATE
//
// sets the one thread between A and B (in either order), started by A at
// the line's clock, replacing any thread the pair had. STATE is pending (a
// message request B has not answered; it counts toward A's request cap
// while it is inside the cap's window), held (a restricted delivery
// waiting in B's requests; it never counts), accepted or declined.
//
// # Checks
//
// Four statements check the engine at the line's clock. Each is one
// [Result]: it passes or fails, and a failing check does not stop the
// file.
//
//	expect S R allow primary|requests [REASON]
//	expect S R deny [REASON]
//
// The decision for sender S to recipient R: allow with the folder the
// message lands in, or deny. REASON, when given, must equal the audit
// reason (friend, not_friend, inbox_closed, ...; every [privacy.Reason]
// by its text form); without it any reason passes. S and R may be the same
// user (reason self).
//
//	view S R VIEW
//
// The sender view only: allowed, not_allowed, you_blocked, age_restricted,
// request_limit or unavailable.
//
//	reach R primary=LIST requests=LIST
//
// Exhaustive: among the users declared before this line, R aside, exactly
// those in the primary list reach R in the chats, exactly those in the
// requests list reach R's requests, and every other one is denied. Both
// keys are required, in either order; a LIST is names separated by commas,
// without spaces, and may be empty (primary=). A user may be listed once,
// and never R.
//
//	group INVITER INVITEE MEMBERS allow|invite|deny [REASON]
//
// May INVITER add INVITEE to a group whose current members are MEMBERS (a
// list as above, of at least one name; it may include the inviter, never
// the invitee)? REASON, when given, must equal the reason of the group
// decision (group_blocked, group_minor_protection, group_invite, friend,
// ...). Group lines run only on an engine that implements [GroupEngine];
// on others each fails as unsupported.
//
// # Errors and limits
//
// A file is parsed whole before any of it runs, and a bad file runs not at
// all (the runner still runs the other files). Bad is any malformed line:
// an unknown statement or key, a missing or extra token, a bad name,
// number, time, duration, mode, route, state, view, reason or outcome, an
// undeclared or twice-declared user, a key given twice, a policy or now
// line out of place, or a setting the user may not choose. The error is an
// [*Error] and reads
//
//	FILE:LINE:COLUMN: what is wrong and what to write instead (at "TOKEN")
//
// with a 1-based line and byte column. The column is the offending
// token's, or the end of the line when something is missing; the token is
// quoted when the message does not already show it. Errors about the whole
// file have no line or column. A file larger than 16 MiB ([MaxFileSize])
// or with a line longer than 4 KiB ([MaxLineLen]) is refused while it is
// read ([ErrTooLarge], [ErrLineTooLong]); the parser never holds more than
// one line of input.
//
// # Parsing and running
//
// [Parse] (or [ParseFile]) reads a file and returns it whole as a [File],
// or an [*Error]. [File.Run] then builds the world statement by statement
// and returns a [Result] per check (expect, view, reach, group), each with
// the expected and the actual answer in the file's words and, with
// [Options].Explain, the engine's trace. [RunFile] does both.
//
// By default a file runs on the embedded stores ([MemoryEnv]) with the
// file's policy and clock. A host runs the same files on its own stores
// or policy through [Options]: Policies resolves policy names, NewEnv
// supplies a [World] (the write path) and an [Engine]. Package
// scenariotest runs files as Go subtests; examples/dmcheck is the
// command-line runner, which exits 0 when every check passes, 1 when a
// check fails and 2 when a file is bad.
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
