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

// Instagram returns the Instagram preset: message controls route each
// audience — your followers, others on Instagram, Facebook friends, people
// with your phone number — to Chats, Message requests or Don't receive
// (route.follower=, route.anyone=, route.facebook_friend=,
// route.reverse_contact= in scenario files); people you follow and your
// conversations always reach Chats. Adults start in "standard" (Facebook
// friends to Chats, the rest to requests). Teen accounts start in
// "connected": only people they follow or are connected to (Facebook
// friends, an accepted conversation) reach them, and under 16 they may not
// loosen it (a parent would). Adults cannot message teens who don't follow
// them (since March 2021, verified accounts included since 2025). A
// restricted account's messages go to requests silently. "Who can add you
// to groups": Everyone on Instagram or Only people you follow (teens:
// only people they follow). Minimum age 13.
func Instagram() *Policy {
	var connected, standard inbox.Table
	connected = table(connected, primary, inbox.AudienceConversation, inbox.AudienceFollowed, inbox.AudienceFacebookFriend)
	standard = table(connected, requests, inbox.AudienceFollower, inbox.AudienceReverseContact, inbox.AudienceAnyone)

	p := &Policy{Name: "instagram", MinAge: 13, AdultAge: 18}
	p.Minors.Reach = inbox.AudiencesOf(inbox.AudienceFollowed)
	p.Modes[inbox.Everyone] = ModeRule{Name: "standard", Table: standard, Deny: ReasonRequestsOff}
	p.Modes[inbox.Following] = ModeRule{Name: "connected", Table: connected, Deny: ReasonRequestsOff}
	both := inbox.ModesOf(inbox.Everyone, inbox.Following)
	p.Availability.Defaults = byBand(inbox.Following, inbox.Everyone)
	p.Availability.Choosable = byBand(inbox.ModesOf(inbox.Following), both)
	p.Availability.Choosable[graph.Age16to17] = both
	p.Availability.PerAudience = true
	open := table(connected, primary, inbox.AudienceFollower, inbox.AudienceReverseContact)
	open = table(open, requests, inbox.AudienceAnyone)
	p.Availability.RouteLimits = byBand(connected, open)
	p.Availability.RouteLimits[graph.Age16to17] = open

	p.Groups.Modes[inbox.Everyone] = ModeRule{Name: "everyone", Table: table(inbox.Table{}, primary, inbox.AudienceAnyone)}
	p.Groups.Modes[inbox.Following] = ModeRule{Name: "following",
		Table: table(inbox.Table{}, primary, inbox.AudienceFollowed), Deny: ReasonGroupInvitesClosed}
	p.Availability.GroupDefaults = byBand(inbox.Following, inbox.Everyone)
	p.Availability.GroupChoosable = byBand(inbox.ModesOf(inbox.Following), both)
	p.Availability.GroupChoosable[graph.Age16to17] = both
	return p
}

// Messenger returns the Facebook Messenger preset: friends always reach
// Chats; friends of friends, people with your phone number in their
// contacts, and everyone else are each routed to Chats, Message requests or
// Don't receive (route.friend_of_friend=, route.reverse_contact=,
// route.anyone=), all to requests by default. Teens (as on Instagram since
// January 2024) hear only from friends and may not open up under 16; an
// adult reaches a minor only as a friend. A restricted person's messages
// are hidden in requests with no signal. New group chats from non-friends
// arrive as invites, never in Chats; teens are not added by
// non-connections. It routes friends of friends, so the graph reader must
// be a graph.MutualReader. Minimum age 13.
func Messenger() *Policy {
	var connected, standard inbox.Table
	connected = table(connected, primary, inbox.AudienceConversation, inbox.AudienceFriend)
	standard = table(connected, requests, inbox.AudienceFriendOfFriend, inbox.AudienceReverseContact, inbox.AudienceAnyone)

	p := &Policy{Name: "messenger", MinAge: 13, AdultAge: 18}
	p.Modes[inbox.Everyone] = ModeRule{Name: "standard", Table: standard, Deny: ReasonRequestsOff}
	p.Modes[inbox.Friends] = ModeRule{Name: "connected", Table: connected, Deny: ReasonRequestsOff}
	both := inbox.ModesOf(inbox.Everyone, inbox.Friends)
	p.Availability.Defaults = byBand(inbox.Friends, inbox.Everyone)
	p.Availability.Choosable = byBand(inbox.ModesOf(inbox.Friends), both)
	p.Availability.Choosable[graph.Age16to17] = both
	p.Availability.PerAudience = true
	open := table(connected, primary, inbox.AudienceFriendOfFriend, inbox.AudienceReverseContact, inbox.AudienceAnyone)
	p.Availability.RouteLimits = byBand(connected, open)
	p.Availability.RouteLimits[graph.Age16to17] = open

	p.Groups.Modes[inbox.Everyone] = ModeRule{Name: "everyone",
		Table: table(table(inbox.Table{}, primary, inbox.AudienceFriend), requests, inbox.AudienceAnyone)}
	p.Groups.Modes[inbox.Friends] = ModeRule{Name: "friends",
		Table: table(inbox.Table{}, primary, inbox.AudienceFriend), Deny: ReasonGroupInvitesClosed}
	p.Availability.GroupDefaults = byBand(inbox.Friends, inbox.Everyone)
	return p
}

// X returns the X (Twitter) preset: people you follow can always message
// you, into the inbox; "Allow message requests from" is No one ("none"),
// Verified users ("verified", the adult default since July 2023) or
// Everyone ("everyone"), and those requests go to the requests folder. You
// can always reply to someone who messaged you, and accepted conversations
// survive a tighter setting. Unverified accounts have a daily cap on new
// conversations (X does not publish it; 500 is reported). X has no
// restrict. A minor hears from an adult only one they follow (the SDK's
// floor; X documents no rule). Group adds follow the DM setting: people
// you follow add you, others invite you. Minimum age 13.
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

// Bluesky returns the Bluesky preset: chat.bsky.actor.declaration's
// allowIncoming is "all", "following" (only people you follow; the
// default, also when no record exists) or "none". New conversations from
// people you don't follow arrive with status "request". Existing
// conversations survive a tighter setting. Bluesky has mute, which changes
// nothing here, and no restrict. allowGroupInvites (all, following, none)
// follows the DM setting until set. A minor hears from an adult only one
// they follow (the SDK's floor). Minimum age 13.
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

// Snapchat returns the Snapchat preset: "Who can contact me" is My Friends
// ("friends", the default), Friends and contacts ("contacts": friends and
// people whose number you saved) or Everyone ("everyone": others' snaps
// wait until you add them back, as requests). Teens may not choose
// Everyone, and hear from an adult only a friend or a saved contact. Only
// friends add you to groups. Snapchat has no restrict. Minimum age 13.
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
	p.Availability.Defaults = byBand(inbox.Friends, inbox.Friends)
	p.Availability.Choosable = byBand(teen, teen|inbox.ModesOf(inbox.Everyone))

	p.Groups.Modes[inbox.Friends] = ModeRule{Name: "friends",
		Table: table(inbox.Table{}, primary, inbox.AudienceFriend), Deny: ReasonGroupInviterNotFriend}
	p.Availability.GroupDefaults = byBand(inbox.Friends, inbox.Friends)
	return p
}
