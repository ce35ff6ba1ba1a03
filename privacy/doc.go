// Package privacy is the decision engine: may this sender start or continue
// a direct message with this recipient, and where does the message land?
//
// # Deciding
//
// Build an [Engine] with [New] over a host's graph.Reader and inbox.Reader
// and a [Policy] ([TikTok] by default), then call [Engine.CanMessage] on
// every message, share and group add, or [Engine.Check] with a [Request]
// for full control (an explicit time). The answer is a [Decision]: whether
// it is allowed, the [inbox.Folder] it lands in, the audit [Reason] for the
// host's back end, and the [View] — the only part meant for the sender's
// screen. [Engine.Explain] returns the same decision with the trace of the
// steps taken and the facts used.
//
// A deny is a value, not an error. An error means a store failed or the
// context ended; it always comes with the zero Decision, which denies (fail
// closed). Decisions are deterministic (same facts, policy and time, same
// decision) and, on the embedded stores, linearizable: once a block is
// written, no later check allows the blocked sender.
//
// # The decision table
//
// The engine first runs the gates every policy keeps — self, the sender's
// status, the sender's age, the sender's block, the recipient's status, the
// recipient's block, the recipient's age, and (if the policy protects
// minors) an adult stranger to a minor — then routes the audiences the
// sender is in through the recipient's mode table, taking the most
// permissive route, then adjusts: a restricted sender's Primary delivery
// goes to Requests, and a sender at the request cap may start no new
// request. DESIGN.md's decision table is exactly this under the TikTok
// preset; each step has a [Reason].
//
// # The sender view and the no-leak rule
//
// A [View] depends only on whether the message is allowed, on facts about
// the sender (their status, age, blocks, request cap) and on the
// recipient's public account status. A recipient's block, restriction, age
// or mode never shows through it: blocked, too young and "no one" all read
// [ViewNotAllowed], and a restricted sender reads [ViewAllowed].
//
// # Policies
//
// A [Policy] is plain data: minimum age, the adult-to-minor rule
// ([MinorRule]), a [ModeRule] (routing table and deny reason) per inbox
// mode, defaults and availability by age band with per-audience route
// limits and rollout cohorts, flags (KeepConversations, IgnoreRestrict),
// the request cap, the host's own [Gate]s and [CustomAudience]s, and the
// [GroupRule]. Presets — [TikTok] (the default), [Instagram], [Messenger],
// [X], [Bluesky], [Snapchat] — are built from the same fields;
// [PolicyByName] returns one by name. [Engine.ValidateSettings] checks
// that a user may choose a setting.
//
// # Group adds and policy impact
//
// [Engine.CanAddToGroup] answers allow, invite or deny for adding a user to
// a group, holding every pair the group would connect to blocks and the
// minor rule. [CompareEngines] reports how many decisions change between
// two policies, or one policy before and after a rollout grows.
//
// # Share sheets and the audience preview
//
// [Engine.CanMessageMany] (and [Engine.CheckMany], with a time and a
// buffer) decides for one sender and many recipients, reading the facts of
// the batch in one call when a reader implements inbox.BatchFactReader;
// each decision is what CanMessage answers. [Engine.PreviewAudience] tells
// a recipient how many people could message them under each mode ("switch
// to Everyone and N more people can message you"), and
// [Engine.ListAudience] who, page by page; both are computed from the
// recipient's own settings and relations only, per the no-leak rule, and
// need a graph reader that implements graph.Lister.
//
// Performance: on the embedded stores a check allocates nothing. Hosts
// behind a network should implement inbox.FactReader so a decision costs
// one round trip.
package privacy
