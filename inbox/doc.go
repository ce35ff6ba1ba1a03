// Package inbox models a user's direct-message inbox: who may start a
// conversation (the inbox [Mode]), where a message lands ([Folder]), and
// the conversations and message requests themselves.
//
// # Modes are routing tables
//
// A sender belongs to [Audience]s relative to a recipient (friend,
// follower, followed, contact, Facebook friend, conversation, anyone, …).
// A mode is the name of a [Table] that routes each audience to
// [RoutePrimary], [RouteRequests] or [Deny]; the most permissive route of
// the audiences a sender is in wins. The tables themselves belong to a
// policy (package privacy): TikTok's Everyone, SuggestedFriends, Friends and
// NoOne are one set of tables, other platforms' modes another.
//
// [Settings] hold a user's chosen mode; the zero Settings means "never set",
// and the policy's default for the user's age band applies at decision
// time. [Availability] says which modes each age band gets and may choose
// and which are limited to a rollout [Cohort]; [Availability.Validate]
// refuses an unavailable mode with a [*ModeError] naming the mode and why.
// Settings encode to JSON strictly: unknown fields and mode names are
// errors.
//
// # Conversations and requests
//
// There is one [Conversation] per unordered pair, with who started it and a
// [State]: Pending (a message request), Held (a restricted delivery),
// Accepted or Declined. [Next] is the lifecycle: how a delivered message
// changes the conversation. A sender's Pending requests started within a
// window count toward the policy's request cap; Held ones never do.
//
// # What a host implements
//
// A host implements [Reader]: Settings, Conversation and PendingRequests,
// with ctx first; unknown users have the zero Settings and no
// conversations, and are not errors. Optional capabilities:
//
//   - [FactReader]: every fact of one decision, graph included, in one call
//     (one round trip for a database). [ReadFacts] falls back to the
//     required reads.
//   - [BatchFactReader]: the facts of one sender and many recipients in one
//     call, for share sheets.
//   - [ConversationLister]: a user's conversations page by page, for the
//     audience preview.
//
// The in-memory default is privacy/memory's Store, which is both a graph
// and an inbox reader and answers FactReader, BatchFactReader and [Sender]
// when the engine is given it as both. The inbox/inboxtest package checks
// that a host's adapter answers as that store does.
package inbox
