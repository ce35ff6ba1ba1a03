// Package privacytest lets a host test its own policy and its own stores
// against the rules of the decision model, with the rapid property-based
// testing library (pgregory.net/rapid), as the SDK tests itself.
//
// It has three parts: generators of random worlds and policies that a host
// composes in its own rapid tests; the policy kit, [CheckPolicy], which
// checks that a policy (a preset, or a host's own) keeps every rule that
// holds under every policy; and the stack kit, [CheckStack], which checks
// that the engine over a host's stores decides exactly as over the
// embedded store (package privacy/memory).
//
// # Worlds and generators
//
// A [World] is a small platform at one moment: named users ([User]: an
// account and inbox settings), relations ([Edge]), conversations
// ([Conversation]), the policy they live under and the time of the
// decisions. It holds only what a scenario file (package
// privacy/scenario) can say, so [World.DM] prints any world as a .dm file
// that the scenario runner builds into the same stores, and [Apply] writes
// it through any [Writer] — the write path of the embedded store, or a
// host's adapter — under the host's IDs.
//
// The generators, each a *rapid.Generator built with rapid.Custom:
//
//   - [Time]: the time of decisions, on days where ages are tricky, in
//     zones far from UTC;
//   - [Account]: an account with a birth date on either side of every age
//     line (the policy's minimum age and age of majority, 13, 16, 18),
//     statuses and switches;
//   - [Settings]: inbox settings a user may choose under a policy,
//     per-audience routes included;
//   - [Users], [Edges], [Conversations]: the parts of a world;
//   - [Worlds]: whole worlds under a policy, which shrink to two users with
//     nothing between them;
//   - [Request]: a question about a world at its time;
//   - [CustomPolicy]: a host-like policy derived from a preset, with
//     other ages, flags, gates and custom audiences.
//
// What scenario files cannot say the generators do not draw: verified age
// bands and unknown ages, group settings, request tags, and times finer
// than a minute.
//
// # The policy kit
//
// [CheckPolicy] runs one rapid property per rule (the Rule constants,
// listed in [Rules]) on random worlds under the policy, each world checked
// on every ordered pair of its users and on random group adds:
//
//   - blocks deny: a block either way denies the message, and any group
//     add that would connect the two, whatever else holds (the kit also
//     draws worlds where every other relation allows);
//   - minimum age: no one below the policy's minimum age sends or
//     receives, or adds or is added to a group (the group minimum);
//   - minor rule: a possible adult reaches a possible minor only through
//     the audiences of the policy's MinorRule, by message and through
//     every pair a group add connects. A policy with MinorRule.Off is held
//     to the SDK's default rule (friends only) unless
//     Options.AllowMinorsOff accepts it;
//   - sender view: the view is allowed exactly when the message is; a
//     denial shows what facts about the sender alone and the recipient's
//     public status say (the sender view table of package privacy), and
//     request_limit only where, without the cap, the message would go in
//     as a request;
//   - block looks closed: a sender the recipient blocked sees what a
//     closed inbox shows them;
//   - restrict is silent: the same world with and without the
//     recipient's restriction of the sender shows the sender the same
//     view;
//   - fail closed: with the stores failing at each read in turn — through
//     the required reads, and through one store with the one-call fact
//     readers — a check, a batch, a group add and a send give the zero
//     decision and the error; so does a context that ends at any read
//     (the context's error);
//   - deterministic: the same decisions asked twice, and from stores
//     written in another order;
//   - mode ladder: a recipient who moves to a looser mode (one whose table
//     routes every audience at least as well, or the next rung of
//     Options.Ladder) admits every sender they admitted, in a folder at
//     least as good. The recipient sets no per-audience route of their
//     own: the ladder is a property of the modes, and a route of one's own
//     composes with each mode's table differently (under Messenger, a
//     route.anyone=primary lets a reverse contact into the chats in
//     "connected" but leaves them in requests in "standard");
//   - explain equals check: Explain, CheckMany and ExplainGroup decide as
//     Check and CheckGroup do.
//
// Each rule compares decisions with facts of the world, or decisions
// between two related worlds; none needs a model of the policy.
//
// A policy can break some of the rules and not others. Its gates only
// deny and run after the rules every policy keeps, its audiences only
// route senders those rules let through, and Policy.Validate refuses a
// deny reason that would show the sender more than not_allowed; so no
// policy lets a blocked sender through, reaches someone below its minimum
// age, shows a block or an age, or changes what the sender view says. The
// kit checks those rules all the same, against regressions of the engine
// (its own tests break the engine's readers to show that each can fail).
// A policy can break:
//
//   - the minor rule, with MinorRule.Off (the kit then holds it to the
//     default rule, unless Options.AllowMinorsOff); a wider MinorRule.Reach
//     is the rule as the policy defines it;
//   - restrict is silent, with a gate or an audience that reads the
//     recipient's restriction of the sender (RestrictBA in
//     RuleFacts.Edges);
//   - the mode ladder, with a gate that reads the mode, or an audience
//     routed better under a tighter mode than under a looser one.
//
// # Failures and counterexamples
//
// A violation fails the rule's subtest with the rule, the pair, the
// decision and the smallest world found — rapid shrinks the drawing, and
// the kit then removes every user, relation, conversation and setting the
// failure does not need — printed between [BeginDM] and [EndDM] as a
// scenario file whose last check is what the rule requires. For a preset
// the file runs as it is (go run ./examples/dmcheck FILE, which then
// fails at that line); for a host's policy, resolve its name to the
// policy in scenario.Options.Policies. rapid keeps the failing drawing
// under testdata/rapid/ and replays it on every later run.
//
// # The stack kit
//
// [CheckStack] draws worlds under the presets (or Options.Policies),
// writes each through a host's [Stack] and into a fresh embedded store,
// and compares the engine over the host's readers with the engine over the
// embedded store: every write's error, Check and Explain for every ordered
// pair (an unknown user included), CheckMany, CheckGroup, the sender's
// pending requests in the cap's window, the facts read through the
// one-call capabilities the host implements, the audience preview when
// the host lists relations, and Send when one value is both readers and
// an inbox.Sender. The writes include what a real write path meets: users
// and settings written twice, duplicate and removed edges, a user's own
// number among their contacts, and writes the embedded store refuses,
// which the host must refuse with the same error. A difference fails with
// the world as a scenario file whose checks are the embedded store's
// decisions, for the host to run on its own stores
// (scenario.Options.NewEnv).
//
// # Index
//
//   - Worlds: [World], [User], [Edge], [Conversation], [World.DM],
//     [World.Clone], [World.Name], [World.Names], [World.Has],
//     [World.SetEdge], [World.Conversation], [World.SetConversation],
//     [Apply], [Writer], [PolicyName], [MaxUsers].
//   - Generators: [Time], [Account], [Settings], [Users], [Edges],
//     [Conversations], [Worlds], [Request], [CustomPolicy].
//   - The kits: [CheckPolicy], [CheckStack], [Stack], [Options], [Rules]
//     and the Rule constants, [RuleStack], and [BeginDM] and [EndDM]
//     around a counterexample in a failure.
//
// The kits run rapid properties: -rapid.checks sets how many worlds each
// draws (100 by default), and a failing drawing is kept under
// testdata/rapid/ and replayed first by later runs. CheckPolicy over one
// preset takes one to two seconds on two cores; over the six presets,
// about ten.
package privacytest
