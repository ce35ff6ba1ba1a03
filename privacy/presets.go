package privacy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// presets maps each preset's name to its constructor.
var presets = map[string]func() *Policy{
	"tiktok":    TikTok,
	"instagram": Instagram,
	"messenger": Messenger,
	"x":         X,
	"bluesky":   Bluesky,
	"snapchat":  Snapchat,
}

// PolicyByName returns a fresh copy of the preset with the given name, as
// scenario files and configuration name them: tiktok, instagram, messenger,
// x, bluesky, snapchat.
func PolicyByName(name string) (*Policy, error) {
	if f, ok := presets[name]; ok {
		return f(), nil
	}
	return nil, fmt.Errorf("privacy: unknown policy %q (want one of %s)", name, strings.Join(PresetNames(), ", "))
}

// PresetNames returns the names of the built-in presets, sorted.
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

const (
	primary  = inbox.RoutePrimary
	requests = inbox.RouteRequests
)

// table returns a routing table with the given audiences routed to r, on
// top of base.
func table(base inbox.Table, r inbox.Route, auds ...inbox.Audience) inbox.Table {
	for _, a := range auds {
		base[a] = r
	}
	return base
}

// byBand fills a per-band array: minors (every band under 18, and an
// unknown age) get minor, adults adult.
func byBand[T any](minor, adult T) (out [graph.NumAgeBands]T) {
	for b := range out {
		out[b] = minor
	}
	out[graph.Age18Plus] = adult
	return out
}

// TikTok returns the TikTok preset, the default policy: exactly the
// decision table of the package documentation, whose routing table its
// modes state cell for cell (every cell the table shows as deny is an
// explicit Deny; the audiences it does not list are unset). Minimum age 16.
//
// What TikTok offers (support.tiktok.com/en/using-tiktok/messaging-and-notifications/direct-message-settings)
// and what the preset does with it:
//
//	TikTok's setting           preset                      default           who may choose
//	Who can send you DMs:
//	  Everyone                 mode everyone               -                 18+
//	  Suggested friends        mode suggested              -                 16+
//	  Friends (mutual)         mode friends                18+               16+
//	  No one                   mode noone                  16-17             16+
//	Who can add you to groups  only friends (no setting)   -                 -
//	Restrict / Block           restrict: to requests, silently; block: denies both ways
//
// Under Everyone strangers' messages go to requests, people the user
// follows and suggested friends (synced contacts, Facebook friends) to the
// inbox; No one also stops old chats. DMs are 16+ since April 2020, and
// 16–17-year-olds hear from adults only if they are friends (mutual
// followers); a 16–17-year-old added to a group also needs a friend
// already in it (TikTok's group chats, August 2024).
//
// Modelled differently, and why:
//   - The request cap: 20 pending requests started in 24 hours is the
//     SDK's choice; TikTok publishes limits on groups and forwards only.
//   - A blocked sender sees what a closed inbox shows (not_allowed): the
//     engine never tells a block from a setting (the no-leak rule).
func TikTok() *Policy {
	// The decision table's routing, cell for cell (go doc ./privacy,
	// "Audiences and routing").
	noone := table(inbox.Table{}, inbox.Deny, inbox.AudienceConversation, inbox.AudienceFriend,
		inbox.AudienceRecommendedContact, inbox.AudienceRecommendedFacebook, inbox.AudienceFollowed, inbox.AudienceAnyone)
	friends := table(noone, primary, inbox.AudienceConversation, inbox.AudienceFriend)
	suggested := table(friends, primary, inbox.AudienceRecommendedContact, inbox.AudienceRecommendedFacebook)
	everyone := table(table(suggested, primary, inbox.AudienceFollowed), requests, inbox.AudienceAnyone)

	under18 := inbox.ModesOf(inbox.NoOne, inbox.Friends, inbox.SuggestedFriends)
	p := &Policy{
		Name:          "tiktok",
		MinAge:        16,
		AdultAge:      18,
		RequestCap:    20,
		RequestWindow: 24 * time.Hour,
	}
	p.Modes[inbox.Everyone] = ModeRule{Name: "everyone", Table: everyone}
	p.Modes[inbox.SuggestedFriends] = ModeRule{Name: "suggested", Table: suggested, Deny: ReasonNotSuggested}
	p.Modes[inbox.Friends] = ModeRule{Name: "friends", Table: friends, Deny: ReasonNotFriend}
	p.Modes[inbox.NoOne] = ModeRule{Name: "noone", Table: noone, Deny: ReasonInboxClosed}
	p.Availability.Defaults = byBand(inbox.NoOne, inbox.Friends)
	p.Availability.Choosable = byBand(under18, under18|inbox.ModesOf(inbox.Everyone))

	p.Groups.Modes[inbox.Friends] = ModeRule{Name: "friends",
		Table: table(inbox.Table{}, primary, inbox.AudienceFriend), Deny: ReasonGroupInviterNotFriend}
	p.Availability.GroupDefaults = byBand(inbox.Friends, inbox.Friends)
	p.Groups.MinorNeedsFriend = true
	return p
}

// Instagram returns the Instagram preset. Instagram's message controls
// sort senders into rows, each set to Chats (primary), Message requests
// (requests) or Don't receive requests (deny); a sender in several rows
// gets the most permissive answer, and "Others on Instagram" (the anyone
// row) is everyone in none of the other rows, so a row set to Don't
// receive refuses its senders even while others still reach requests.
// Minimum age 13.
//
// What Instagram offers, and what the preset does with it. The defaults
// are two modes: "standard" from 18, "connected" under 18 (Teen Accounts);
// under 16 may not choose standard. "May set" is what route.ROW may be set
// to (inbox.Availability.RouteLimits):
//
//	Instagram's setting               route key         standard  connected  may set: 16+ | under 16
//	Your followers on Instagram       follower          requests  deny       any | deny
//	People with your phone number     reverse_contact   requests  deny       any | deny
//	Facebook friends                  facebook_friend   chats     chats      any | any
//	Others on Instagram (the rest)    anyone            requests  deny       requests, deny | deny
//	People you follow; your chats     (no setting)      chats     chats      -
//	Who can add you to groups         groups key        default    may choose
//	  Everyone on Instagram           everyone          18+        16+
//	  Only people you follow          following         under 18   anyone
//	Restrict                          a restricted sender's chats go to requests, silently
//	Block                             denies both ways
//
// Group adds: only mutual followers are added at once; anyone else the
// setting lets in is invited and must accept, as their messages arrive as
// requests. Under "Everyone on Instagram" that is everyone; under "Only
// people you follow", people the user follows.
//
// Teens: adults cannot message teens who don't follow them (Instagram,
// 2021-03-16, about.instagram.com/blog/announcements/continuing-to-make-instagram-safer-for-the-youngest-members-of-our-community;
// verified accounts included since July 2025), and under 16 "can only be
// messaged or added to group chats by people they already follow or are
// connected to" (Meta, 2024-01-25,
// about.fb.com/news/2024/01/introducing-stricter-message-settings-for-teens-on-instagram-and-facebook).
//
// Modelled differently, and why:
//   - A blocked sender, and one a row refuses, see not_allowed; Instagram
//     names the setting ("They don't allow new message requests from
//     everyone"). The engine never tells a block from a setting (the
//     no-leak rule), so neither is named.
//   - Under 16, loosening needs a parent's approval on Instagram; the
//     preset has no parental approval, so under 16 may only refuse.
//   - "Connected" also counts Messenger connections on Instagram; the
//     preset counts Facebook friends and accepted conversations only, and
//     lets under-16s be added to groups only by people they follow.
//   - One text-only request until accepted (2023), hidden requests and spam
//     filtering are about content, not who may write: not modelled.
func Instagram() *Policy {
	// Both modes route the same audiences — the settings rows and the two
	// that always reach Chats — so a user's own routes overlay either
	// mode alike; anything else a sender is in (a saved contact, a friend
	// in common) is left unset and counts as "Others on Instagram".
	always := table(inbox.Table{}, primary, inbox.AudienceConversation, inbox.AudienceFollowed, inbox.AudienceFacebookFriend)
	connected := table(always, inbox.Deny, inbox.AudienceFollower, inbox.AudienceReverseContact, inbox.AudienceAnyone)
	standard := table(always, requests, inbox.AudienceFollower, inbox.AudienceReverseContact, inbox.AudienceAnyone)

	p := &Policy{Name: "instagram", MinAge: 13, AdultAge: 18}
	p.Minors.Reach = inbox.AudiencesOf(inbox.AudienceFollowed)
	p.Modes[inbox.Everyone] = ModeRule{Name: "standard", Table: standard, Deny: ReasonRequestsOff}
	p.Modes[inbox.Following] = ModeRule{Name: "connected", Table: connected, Deny: ReasonRequestsOff}
	both := inbox.ModesOf(inbox.Everyone, inbox.Following)
	p.Availability.Defaults = byBand(inbox.Following, inbox.Everyone)
	p.Availability.Choosable = byBand(inbox.ModesOf(inbox.Following), both)
	p.Availability.Choosable[graph.Age16to17] = both

	// The rows a user may set: "Others" never reaches Chats; under 16 a
	// row may only be refused (Facebook friends may stay in Chats).
	p.Availability.PerAudience = true
	open := table(inbox.Table{}, primary, inbox.AudienceFollower, inbox.AudienceReverseContact, inbox.AudienceFacebookFriend)
	open[inbox.AudienceAnyone] = requests
	under16 := table(inbox.Table{}, inbox.Deny, inbox.AudienceFollower, inbox.AudienceReverseContact, inbox.AudienceAnyone)
	under16[inbox.AudienceFacebookFriend] = primary
	p.Availability.RouteLimits = byBand(under16, open)
	p.Availability.RouteLimits[graph.Age16to17] = open

	// Groups: mutual followers are added; others are invited.
	added := table(inbox.Table{}, primary, inbox.AudienceFriend)
	p.Groups.Modes[inbox.Everyone] = ModeRule{Name: "everyone", Table: table(added, requests, inbox.AudienceAnyone)}
	p.Groups.Modes[inbox.Following] = ModeRule{Name: "following",
		Table: table(added, requests, inbox.AudienceFollowed), Deny: ReasonGroupInvitesClosed}
	p.Availability.GroupDefaults = byBand(inbox.Following, inbox.Everyone)
	p.Availability.GroupChoosable = byBand(inbox.ModesOf(inbox.Following), both)
	p.Availability.GroupChoosable[graph.Age16to17] = both
	return p
}

// Messenger returns the Facebook Messenger preset. Messenger's message
// delivery settings (messenger.com/help/2258699540867663) let a user send
// each group to Chats (primary), Message requests (requests) or Don't
// receive requests (deny); a sender in several groups gets the most
// permissive answer, and "Everyone else" (the anyone row) is everyone in
// none of the other groups. Friends always reach Chats. Minimum age 13. It
// routes friends of friends, so the graph reader must be a
// graph.MutualReader.
//
// What Messenger offers, and what the preset does with it. The defaults
// are two modes: "standard" from 18, "connected" under 18; under 16 may not
// choose standard. "May set" is what route.ROW may be set to:
//
//	Messenger's setting                  route key         standard  connected  may set: 16+ | under 16
//	Friends of friends on Facebook       friend_of_friend  requests  deny       any | deny
//	People with your number in their     reverse_contact   requests  requests   any | requests, deny
//	  phone's contacts
//	Everyone else on Facebook/Messenger  anyone            requests  deny       any | deny
//	Friends using Messenger without FB   not modelled (no such audience)
//	Your Facebook friends; your chats    (no setting)      chats     chats      -
//	Group chats                          no setting: friends are added; from 18 others are
//	                                     invited, under 18 phone contacts only
//	Restrict                             a restricted sender's chats go to requests, silently
//	Block                                denies both ways
//
// Teens: since 2024-01-25 Messenger users under 16 "will only receive
// messages from Facebook friends, or people they're connected to through
// phone contacts" (Meta,
// about.fb.com/news/2024/01/introducing-stricter-message-settings-for-teens-on-instagram-and-facebook).
// The preset reads "connected through phone contacts" as Messenger's own
// phone-number group, people with the teen's number in their contacts
// (reverse_contact), and sends them to requests, the conservative reading
// (Meta names no folder; requests is that group's default). The sentence
// names who a teen hears from whatever the sender's age, as the
// announcement's Instagram rule does ("including other teens"), so an
// adult with the teen's number passes the minor rule too: an adult reaches
// a minor as a friend or as a phone contact, and only to requests as the
// latter. The preset applies the teen default up to 18 (Meta: "or under 18
// in certain countries").
//
// Modelled differently, and why:
//   - A blocked sender sees not_allowed; Messenger says "This person is
//     unavailable on Messenger". The engine never tells a block from a
//     setting, nor from an absent account (the no-leak rule).
//   - Group invites do not follow the user's own per-group routes: a
//     non-friend's new group is always an invite ("New group chat message
//     requests won't be delivered to your Chats list").
//   - Marketplace, Dating and businesses reaching Chats, calls, and spam
//     filtering are not about people: not modelled.
//   - Under 16, loosening needs a parent's approval on Messenger; the
//     preset has no parental approval, so under 16 may only refuse.
func Messenger() *Policy {
	// Both modes route the same audiences — the settings groups and the
	// two that always reach Chats — so a user's own routes overlay either
	// mode alike; anything else a sender is in counts as "Everyone else".
	always := table(inbox.Table{}, primary, inbox.AudienceConversation, inbox.AudienceFriend)
	standard := table(always, requests, inbox.AudienceFriendOfFriend, inbox.AudienceReverseContact, inbox.AudienceAnyone)
	connected := table(table(always, inbox.Deny, inbox.AudienceFriendOfFriend, inbox.AudienceAnyone),
		requests, inbox.AudienceReverseContact)

	p := &Policy{Name: "messenger", MinAge: 13, AdultAge: 18}
	p.Minors.Reach = inbox.AudiencesOf(inbox.AudienceFriend, inbox.AudienceReverseContact)
	p.Modes[inbox.Everyone] = ModeRule{Name: "standard", Table: standard, Deny: ReasonRequestsOff}
	p.Modes[inbox.Friends] = ModeRule{Name: "connected", Table: connected, Deny: ReasonRequestsOff}
	both := inbox.ModesOf(inbox.Everyone, inbox.Friends)
	p.Availability.Defaults = byBand(inbox.Friends, inbox.Everyone)
	p.Availability.Choosable = byBand(inbox.ModesOf(inbox.Friends), both)
	p.Availability.Choosable[graph.Age16to17] = both

	// The groups a user may set; under 16 they may only refuse, and keep
	// or refuse their phone contacts' requests.
	p.Availability.PerAudience = true
	open := table(inbox.Table{}, primary, inbox.AudienceFriendOfFriend, inbox.AudienceReverseContact, inbox.AudienceAnyone)
	under16 := table(inbox.Table{}, inbox.Deny, inbox.AudienceFriendOfFriend, inbox.AudienceAnyone)
	under16[inbox.AudienceReverseContact] = requests
	p.Availability.RouteLimits = byBand(under16, open)
	p.Availability.RouteLimits[graph.Age16to17] = open

	// Groups: friends are added; a non-friend's group is an invite, and
	// teens are invited only by their phone contacts.
	added := table(inbox.Table{}, primary, inbox.AudienceFriend)
	p.Groups.Modes[inbox.Everyone] = ModeRule{Name: "everyone", Table: table(added, requests, inbox.AudienceAnyone)}
	p.Groups.Modes[inbox.Friends] = ModeRule{Name: "connected",
		Table: table(added, requests, inbox.AudienceReverseContact), Deny: ReasonGroupInvitesClosed}
	p.Availability.GroupDefaults = byBand(inbox.Friends, inbox.Everyone)
	return p
}

// X returns the X (Twitter) preset. People you follow can always message
// you, into the inbox; "Allow message requests from" decides who else
// may, and their messages go to the requests folder. You can always reply
// to someone who messaged you, and accepted conversations survive a
// tighter setting (help.x.com/en/using-x/direct-messages). Minimum age 13.
//
//	X's setting                      preset                 default  who may choose
//	Allow message requests from:
//	  No one                         mode none              under 18 anyone
//	  Verified users                 mode verified          18+      anyone
//	  Everyone                       mode everyone          -        18+
//	People you follow                always the inbox (no setting)
//	Group adds                       as the DM setting: people you follow add you, those it lets
//	                                 request invite you, others are refused
//	Block                            denies both ways
//
// "Verified users" was added, and forced on adults with open DMs, in July
// 2023; unverified accounts have had a daily cap on new conversations since
// then.
//
// Modelled differently, and why:
//   - The cap: X does not publish it; 500 a day is reported, and the
//     preset uses it (verified senders are exempt).
//   - X documents no rule for minors; the preset applies the SDK's floor,
//     an adult reaches a minor only if the minor follows them, and keeps
//     Everyone for adults.
//   - X documents no rule for group adds; the preset routes them through
//     the DM setting's table.
//   - X has no restrict: the edge is ignored. A blocked sender sees
//     not_allowed, like a closed inbox (the no-leak rule).
func X() *Policy {
	var none, verified, everyone inbox.Table
	none = table(none, primary, inbox.AudienceConversation, inbox.AudienceFollowed)
	verified = table(none, requests, inbox.AudienceVerified)
	everyone = table(verified, requests, inbox.AudienceAnyone)

	p := &Policy{
		Name: "x", MinAge: 13, AdultAge: 18,
		KeepConversations: true,
		IgnoreRestrict:    true,
		RequestCap:        500, RequestWindow: 24 * time.Hour, CapExemptVerified: true,
	}
	p.Minors.Reach = inbox.AudiencesOf(inbox.AudienceFollowed)
	p.Modes[inbox.Following] = ModeRule{Name: "none", Table: none, Deny: ReasonNotFollowed}
	p.Modes[inbox.Verified] = ModeRule{Name: "verified", Table: verified, Deny: ReasonNotVerified}
	p.Modes[inbox.Everyone] = ModeRule{Name: "everyone", Table: everyone}
	p.Availability.Defaults = byBand(inbox.Following, inbox.Verified)
	p.Availability.Choosable = byBand(inbox.ModesOf(inbox.Following, inbox.Verified),
		inbox.ModesOf(inbox.Following, inbox.Verified, inbox.Everyone))
	return p
}

// Bluesky returns the Bluesky preset, from the atproto lexicon
// chat.bsky.actor.declaration (github.com/bluesky-social/atproto,
// lexicons/chat/bsky/actor/declaration.json) and the Bluesky app's checks
// (github.com/bluesky-social/social-app, pull requests 4021 and 10546).
// New conversations from people you don't follow arrive with status
// "request". Minimum age 13.
//
//	Bluesky's setting              preset                 default        who may choose
//	allowIncoming:
//	  all                          mode all               -              anyone
//	  following                    mode following         all ages (also with no record)
//	  none                         mode none              -              anyone
//	allowGroupInvites:             groups all, following, none;
//	                               until set, as allowIncoming
//	Block / mute                   a block denies both ways; a mute changes nothing
//
// Modelled differently, and why:
//   - Existing conversations survive a tighter setting: inferred from the
//     app's code (the composer stops on a block, not on allowIncoming);
//     Bluesky does not document it.
//   - Bluesky documents no rule for minors; the preset applies the SDK's
//     floor, an adult reaches a minor only if the minor follows them.
//   - Bluesky has no restrict: the edge is ignored. A blocked sender sees
//     not_allowed (the app says only "can't be messaged").
func Bluesky() *Policy {
	var none, following, all inbox.Table
	none = table(none, primary, inbox.AudienceConversation)
	following = table(none, primary, inbox.AudienceFollowed)
	all = table(following, requests, inbox.AudienceAnyone)

	p := &Policy{Name: "bluesky", MinAge: 13, AdultAge: 18, KeepConversations: true, IgnoreRestrict: true}
	p.Minors.Reach = inbox.AudiencesOf(inbox.AudienceFollowed)
	p.Modes[inbox.Everyone] = ModeRule{Name: "all", Table: all}
	p.Modes[inbox.Following] = ModeRule{Name: "following", Table: following, Deny: ReasonNotFollowed}
	p.Modes[inbox.NoOne] = ModeRule{Name: "none", Table: none, Deny: ReasonInboxClosed}
	three := inbox.ModesOf(inbox.Everyone, inbox.Following, inbox.NoOne)
	p.Availability.Defaults = byBand(inbox.Following, inbox.Following)
	p.Availability.Choosable = byBand(three, three)

	p.Groups.Modes[inbox.Everyone] = ModeRule{Name: "all", Table: table(inbox.Table{}, primary, inbox.AudienceAnyone)}
	p.Groups.Modes[inbox.Following] = ModeRule{Name: "following",
		Table: table(inbox.Table{}, primary, inbox.AudienceFollowed), Deny: ReasonGroupInvitesClosed}
	p.Groups.Modes[inbox.NoOne] = ModeRule{Name: "none", Deny: ReasonGroupInvitesClosed}
	p.Availability.GroupChoosable = byBand(three, three)
	return p
}

// Snapchat returns the Snapchat preset. "Who can contact me" covers snaps,
// chats and calls (help.snapchat.com/hc/en-us/articles/7012343074580).
// Minimum age 13.
//
//	Snapchat's setting             preset                 default    who may choose
//	Who can contact me:
//	  My Friends                   mode friends           18+        anyone
//	  Friends and contacts         mode contacts          13-17      anyone
//	  Everyone                     mode everyone          -          18+
//	Group chats                    only friends add you (no setting)
//	Block                          denies both ways
//
// "Friends" are mutually accepted friends, "contacts" people whose number
// the user saved; under Everyone, others' snaps wait as requests until the
// user adds them back. Teens: contact settings "are set to friends and
// phone contacts only, and can't be expanded"
// (parents.snapchat.com/snapchat-family-safety-faq), and teens "can only
// communicate with mutually accepted friends, or those whose numbers they
// have already saved to their contacts"
// (help.snapchat.com/hc/en-us/articles/34691800487316): a teen's default
// is Friends and contacts, and an adult reaches a teen only as a friend or
// a saved contact. A contact is the teen's own saved number: someone who
// saved the teen's number is not one.
//
// Modelled differently, and why:
//   - A blocked sender sees not_allowed; on Snapchat the blocker looks
//     like a deleted account. The engine shows a block as it shows a
//     setting that refuses (the no-leak rule), never as an absent account.
//   - Anyone in a group with the user may message them in that group
//     whatever this setting; the preset decides group adds (friends only)
//     and direct messages, not messages inside a group.
//   - Snapchat has no restrict: the edge is ignored.
func Snapchat() *Policy {
	var friends, contacts, everyone inbox.Table
	friends = table(friends, primary, inbox.AudienceConversation, inbox.AudienceFriend)
	contacts = table(friends, primary, inbox.AudienceContact)
	everyone = table(contacts, requests, inbox.AudienceAnyone)

	p := &Policy{Name: "snapchat", MinAge: 13, AdultAge: 18, IgnoreRestrict: true}
	p.Minors.Reach = inbox.AudiencesOf(inbox.AudienceFriend, inbox.AudienceContact)
	p.Modes[inbox.Friends] = ModeRule{Name: "friends", Table: friends, Deny: ReasonNotFriend}
	p.Modes[inbox.FriendsAndContacts] = ModeRule{Name: "contacts", Table: contacts, Deny: ReasonNotContact}
	p.Modes[inbox.Everyone] = ModeRule{Name: "everyone", Table: everyone}
	teen := inbox.ModesOf(inbox.Friends, inbox.FriendsAndContacts)
	p.Availability.Defaults = byBand(inbox.FriendsAndContacts, inbox.Friends)
	p.Availability.Choosable = byBand(teen, teen|inbox.ModesOf(inbox.Everyone))

	p.Groups.Modes[inbox.Friends] = ModeRule{Name: "friends",
		Table: table(inbox.Table{}, primary, inbox.AudienceFriend), Deny: ReasonGroupInviterNotFriend}
	p.Availability.GroupDefaults = byBand(inbox.Friends, inbox.Friends)
	return p
}
