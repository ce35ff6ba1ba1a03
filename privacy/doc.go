// Package privacy is the decision engine: may this sender start or continue
// a direct message with this recipient, and where does the message land?
//
// This documentation is the engine's specification: the model, the
// decision table, the defaults, the request cap, the sender view and the
// rules that hold under every policy. The repository's scenario files
// (privacy/testdata/*.dm, in the format of package
// [github.com/dmprivacy/dmprivacy/privacy/scenario]) check it row by row.
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
// steps taken and the facts used. [Engine.Send] decides and records the
// delivery in one atomic step.
//
// A deny is a value, not an error. An error means a store failed or the
// context ended; it always comes with the zero Decision, which denies.
//
// In what follows S is the sender and R the recipient.
//
// # Audiences and routing
//
// Every platform decides the same way once the hard gates (self, account
// status, blocks, age) have passed: it sorts S into the audiences S belongs
// to relative to R, looks up what R's settings say for each of them, and
// takes the most permissive answer. The audiences ([inbox.Audience]) are
// directed facts, and S is usually in several at once:
//
//   - conversation: the pair's thread is accepted, or R started it and it
//     is not declined;
//   - friend: S follows R and R follows S (mutual followers);
//   - recommended_contact: R has S's number in their synced contacts, and S
//     lets contacts be suggested their account;
//   - recommended_facebook: S and R are Facebook friends, and S lets
//     Facebook friends be suggested their account;
//   - followed: R follows S;
//   - follower: S follows R;
//   - contact: R has S's number; reverse_contact: S has R's number;
//   - facebook_friend: S and R are Facebook friends;
//   - friend_of_friend: S and R have a friend in common (and are not
//     friends themselves);
//   - verified: S is a verified account;
//   - anyone: every sender.
//
// A recommended friend of R is a sender in recommended_contact or
// recommended_facebook; when both hold, recommended_contact is the reason.
// Friends of friends never make a recommended friend.
//
// An inbox mode ([inbox.Mode]) is a named routing table ([ModeRule]): for
// each audience it may give a route — primary (the chats), requests
// (message requests, which R accepts, declines or ignores) or deny — or
// leave the audience unset. Policies with per-audience settings
// (Instagram's and Messenger's message controls) let R set their own route
// for some audiences on top of their mode's table ([inbox.Settings].Routes).
// The route of a decision is found so:
//
//   - the routed audiences of S are those S is in, anyone aside, that R's
//     table (with R's own settings applied) gives a route;
//   - if S has routed audiences, the most permissive of their routes wins,
//     and anyone is not consulted: anyone means "everyone else";
//   - if S has none, the anyone row decides, and an unset anyone denies;
//   - the reason of an allow is the first audience, in the order of the
//     list above, whose route is the winning one; the reason of a deny is
//     the mode's deny reason (not_friend under Friends, not_suggested
//     under Suggested friends, inbox_closed under No one or a mode the
//     policy does not offer).
//
// So when an Instagram user sets "Your followers: Don't receive" while
// everyone else still reaches their requests, a follower is refused, as
// Instagram documents. A host's own audiences ([CustomAudience]) are routed
// per mode like the built-in ones and rank after them: one decides only
// when its route is strictly more permissive than the built-in answer,
// with reason custom_audience and its name in [Decision].Rule.
//
// TikTok's four modes, in the preset's names (the audiences not listed are
// unset in every mode):
//
//	audience               everyone   suggested   friends   noone
//	conversation           primary    primary     primary   deny
//	friend                 primary    primary     primary   deny
//	recommended_contact    primary    primary     deny      deny
//	recommended_facebook   primary    primary     deny      deny
//	followed               primary    deny        deny      deny
//	anyone                 requests   deny        deny      deny
//
// Each looser mode routes every audience at least as well as the tighter
// one, so the ladder No one ⊆ Friends ⊆ Suggested friends ⊆ Everyone holds
// for the senders allowed and for their folders. No one also stops old
// chats under TikTok; a policy with KeepConversations routes the
// conversation audience to primary in every mode (Bluesky and X keep old
// chats when a user tightens the setting).
//
// Two relations modify the answer rather than sort S: R's restriction of S
// sends a primary delivery to requests, silently (step 11; a policy with
// IgnoreRestrict has no restrict), and a mute changes nothing here.
//
// # The decision table
//
// A decision first finds a base outcome — steps 1 to 10b in order, the
// first that matches decides — then applies two adjustments to it, 11 and
// then 12. Steps 1 to 4b are gates every policy keeps; steps 5 to 10b are
// the routing above, spelled out for the TikTok preset. The host's own
// gates ([Gate]) run after 4b and before the routing, and can only deny
// (reason policy_gate, their name in [Decision].Rule). Under TikTok:
//
//	step condition
//	     outcome           audit reason                sender view
//	---- ---------------------------------------------------------------
//	1    S is R
//	     deny              self                        not_allowed
//	2    S is unknown, deactivated, suspended or deleted
//	     deny              sender_unavailable          unavailable
//	2b   S is younger than the policy's minimum age (TikTok: 16)
//	     deny              sender_age                  age_restricted
//	3    S blocked R
//	     deny              sender_blocked_recipient    you_blocked
//	3b   R is unknown, deactivated, suspended or deleted
//	     deny              recipient_unavailable       unavailable
//	3c   R blocked S
//	     deny              blocked_by_recipient        not_allowed
//	4    R is younger than the minimum age
//	     deny              recipient_age               not_allowed
//	4b   R is a minor (16-17 under TikTok), S is an adult, and S is not
//	     in the policy's minor audiences (TikTok: not R's friend)
//	     deny              minor_protection            not_allowed
//	5    R's mode is No one
//	     deny              inbox_closed                not_allowed
//	6    the pair's thread is accepted, or R started it and has not
//	     declined it
//	     allow, primary    existing_conversation       allowed
//	7    S and R are friends
//	     allow, primary    friend                      allowed
//	8    R's mode is Friends (and none of the above)
//	     deny              not_friend                  not_allowed
//	9    R's mode is Suggested friends or Everyone, and S is a
//	     recommended friend of R
//	     allow, primary    recommended_contact or      allowed
//	                       recommended_facebook
//	9b   R's mode is Suggested friends, otherwise
//	     deny              not_suggested               not_allowed
//	10   R's mode is Everyone, and R follows S
//	     allow, primary    followed_by_recipient       allowed
//	10b  R's mode is Everyone, otherwise
//	     allow, requests   message_request             allowed
//	11   adjustment: the base lands in primary and R restricted S
//	     allow, requests   restricted                  allowed
//	12   adjustment: the base reason is message_request, S has no
//	     pending or held thread of their own to R, and S already has
//	     the cap of pending requests (TikTok: 20 started in 24 hours)
//	     deny              request_limit               request_limit
//
// Other presets keep steps 1 to 4b, 11 and 12 (each may set its own
// minimum age, minor audiences and cap, or turn restrict off) and replace
// steps 5 to 10b with their own tables, whose reasons are the audiences'
// (follower, contact, reverse_contact, facebook_friend, friend_of_friend,
// verified_sender) and whose deny reasons say what the mode admits
// (not_followed, not_verified, not_contact, requests_off). Every reason is
// a [Reason] constant; its text form is what scenario files, JSON and logs
// use.
//
// Ages are whole years at the decision's time. A user with a verified age
// band instead of a birth date has a range of possible ages, and each rule
// takes the side that protects: R counts as young as they can be, S as
// old as they can be for step 4b and as young as they can be for step 2b.
// A user with no known age is younger than any minimum.
//
// # Defaults and availability
//
// Which modes exist and who may choose them are policy data
// ([inbox.Availability]). Under TikTok:
//
//   - direct messages are for 16 and over (steps 2b and 4); a policy that
//     sets no minimum age gets 13, the floor of every preset;
//   - a user who never chose a mode gets their age band's default at the
//     decision's time: No one under 18, Friends from 18, so a user moves
//     to the adults' default on their 18th birthday; a mode the user chose
//     stays as they age;
//   - users under 18 may choose No one, Friends or Suggested friends;
//     Everyone is for adults.
//
// Whether a user may choose a setting is checked when they choose it:
// [Engine.ValidateSettings] refuses a mode or route their age band may not
// choose with an error wrapping [inbox.ErrModeUnavailable] that says why.
// Per-audience routes are limited by band too ([inbox.Availability].RouteLimits).
// A host may further hold a mode back to a rollout cohort
// ([inbox.Availability].Rollout, an [inbox.Cohort]: an allow list plus a
// stable percentage of users by a hash of their ID, so a growing rollout
// only adds users); the cohort is checked when the mode is chosen, and
// [CompareEngines] reports what a wider rollout would change.
//
// Ageing only widens the choice, so it never invalidates a chosen mode. A
// birth date corrected downward, or a verified band younger than the
// stored mode allows, could; so at decision time a stored mode that R's
// current age band (the youngest R can be) may not choose counts as that
// band's default — No one under 18 under TikTok — and [Engine.Explain]
// says so. A minor is never left in an adult-only mode.
//
// # Requests and the cap
//
// A message that lands in requests opens a pending thread, which R accepts
// (replying accepts too) or declines; a restricted sender's message opens
// a held thread instead. Step 12 caps how many requests S may have open: it
// counts S's threads that are pending and were started in the window: the
// last 24 hours under TikTok, up to and including the decision's time, so
// a request started exactly 24 hours earlier no longer counts. Held
// threads never count, so a restriction never shows
// through the cap. A follow-up inside S's own pending or held thread to R,
// however old, takes no new slot. A verified sender is exempt when the
// policy says so (X caps unverified accounts only).
//
// # The sender view and the no-leak rule
//
// The [View] is what S may be shown, and it depends only on whether the
// message is allowed, on facts about S alone (S's status, age, blocks and
// request cap) and on R's public account status. It follows from the
// decision:
//
//	decision                                    sender view
//	allowed, in either folder                   allowed
//	self                                        not_allowed
//	sender_unavailable, recipient_unavailable   unavailable
//	sender_age                                  age_restricted
//	sender_blocked_recipient                    you_blocked
//	request_limit                               request_limit
//	any other deny, and a failed check          not_allowed
//
// What R keeps to themselves never shows through it: R's block of S, R's
// restriction of S and R's age do not, and R's mode shows no more than the
// decision itself does — request_limit appears only where S's message
// would otherwise have been allowed as a request. In every world:
//
//   - R blocking S shows S the same view as R switching to No one;
//   - R restricting S shows S the same view as no restriction;
//   - R being under the minimum age, or a minor whom S as an adult may not
//     reach (step 4b), shows S the same view as R in No one.
//
// Audit reasons, folders and traces ([Explanation]) are for the host's back end
// (audit logs, metrics, support tools); they may reveal what R hid. Only
// the view is meant for S's screen. The audience preview ("who could
// message me") is computed from R's own settings and relations only, never
// from other users' blocks, ages, statuses or caps, and is for R alone.
//
// # Group adds
//
// [Engine.CanAddToGroup] (and [Engine.CheckGroup]) decides whether an
// inviter may add an invitee to a group with given members: allow, invite
// (the invitee must accept) or deny, as a [GroupDecision]. A group is a
// second way to reach someone, so every pair it would connect is held to
// the rules of direct messages. In order: the inviter's own gates (self,
// status, minimum age, their block of the invitee); the invitee's status;
// a block either way between the invitee and the inviter or any member
// (group_blocked, which never says who); the invitee's minimum age; the
// minor rule for every pair the group would connect, either way
// (group_minor_protection); the host's gates; then the inviter's
// audiences relative to the invitee, routed through the invitee's group
// setting ([GroupRule]: primary adds, requests invites with reason
// group_invite, deny refuses with the setting's reason, such as
// group_inviter_not_friend or group_invites_closed); then, for an invitee
// who may be a minor, the policy may require a friend of theirs already in
// the group (group_minor_needs_friend). A policy may turn a refusal by the
// invitee's setting into an invite instead (GroupRule.FallbackInvite);
// blocks and ages still deny. Under TikTok only a friend may add a user,
// and a 16-17-year-old also needs a friend already in the group.
//
// # Sending
//
// Deciding and recording must be one step, or concurrent sends slip past
// the cap and a send races a block. [Engine.Send] decides and, when the
// message is allowed, records the delivery (the thread's next state, per
// [inbox.Next]) atomically, through the optional [inbox.Sender] capability
// of a store that is both the graph and the inbox reader. With it:
//
//   - however many sends run at once, S never holds more pending requests
//     in the window than the cap;
//   - a send that starts after a block returned is denied;
//   - a denied send records nothing; a failed send records nothing and
//     returns a deny with the error;
//   - two users sending each other a first message at the same moment both
//     get an answer (one lands first, the other in its thread), never a
//     deadlock or a spurious error.
//
// Without the capability Send returns [ErrNoSender]. Such a host keeps the
// guarantees by serializing each sender's sends, and the writes that
// change their facts, around [Engine.Check] and its own record of
// [Decision.Delivery]; without that, the first two guarantees are lost.
//
// # Rules that hold under every policy
//
//   - Fail closed: a store error or an ended context returns the error and
//     a deny, never an allow.
//   - No leaks, as defined above.
//   - Deterministic: the same facts, policy and time give the same
//     decision.
//   - Linearizable on the embedded store: once a block (or any other
//     write) returns, every later decision sees it; no later check allows
//     the blocked sender.
//   - One decision function: [Engine.Check], [Engine.Explain], the batch
//     check, each pair of a group add and the audience preview run the
//     same decision over the same facts, and Explain only observes it, so
//     they never disagree.
//
// Nothing a policy adds can break them: gates only deny, custom audiences
// only route senders the hard gates let through, and the minor rule is on
// unless a policy turns it off explicitly ([MinorRule].Off).
//
// # Policies
//
// A [Policy] is plain data: minimum age, the adult-to-minor rule
// ([MinorRule]), a [ModeRule] (routing table and deny reason) per inbox
// mode, defaults and availability by age band with per-audience route
// limits and rollout cohorts, flags (KeepConversations, IgnoreRestrict),
// the request cap, the host's own gates ([Gate]) and audiences
// ([CustomAudience]), and the [GroupRule]. Presets — [TikTok] (the
// default), [Instagram], [Messenger], [X], [Bluesky], [Snapchat] — are
// built from the same fields;
// [PolicyByName] returns one by name. [Engine.ValidateSettings] checks
// that a user may choose a setting. [CompareEngines] reports how many
// decisions change between two policies, or one policy before and after a
// rollout grows.
//
// # Share sheets and the audience preview
//
// [Engine.CanMessageMany] (and [Engine.CheckMany], with a time and a
// buffer) decides for one sender and many recipients, reading the facts of
// the batch in one call when a reader implements inbox.BatchFactReader;
// each decision is what CanMessage answers. [Engine.PreviewAudience] tells
// a recipient how many people could message them under each mode ("switch
// to Everyone and N more people can message you"), and
// [Engine.ListAudience] who, page by page; both need a graph reader that
// implements graph.Lister.
//
// # Decisions as JSON
//
// A [Decision] encodes as JSON with snake_case keys and each value in its
// text form, {"allowed":true,"folder":"requests","reason":"message_request",
// "view":"allowed"}, plus "rule" when a host's gate or audience decided; a
// [GroupDecision] has "outcome" (allow, invite or deny) in place of
// "allowed" and "folder". Both decode back to the same value.
//
// # Observing and performance
//
// An [Observer] in [Options] is told of every decision, once, with its
// duration and any error; unset, it costs nothing. On the embedded store a
// check allocates nothing. Hosts behind a network should implement
// inbox.FactReader on one value that is both readers, so a decision costs
// one round trip instead of a dozen reads (see the host reader example).
package privacy
