package privacy_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// routes sets name's own routes, audience and route in turn, on top of
// their mode.
func (w *world) routes(name string, pairs ...any) {
	w.t.Helper()
	var o inbox.Overrides
	for i := 0; i+1 < len(pairs); i += 2 {
		o = o.Set(pairs[i].(inbox.Audience), pairs[i+1].(inbox.Route))
	}
	w.must(w.ib.SetSettings(name, inbox.Settings{Routes: o}))
}

// groups sets who may add name to groups.
func (w *world) groups(name string, m inbox.Mode) {
	w.t.Helper()
	w.must(w.ib.SetSettings(name, inbox.Settings{Groups: m}))
}

func (w *world) engineWith(p *privacy.Policy) *privacy.Engine[string] {
	w.t.Helper()
	e, err := privacy.New[string](w.g, w.ib, &privacy.Options{Policy: p, Now: func() time.Time { return clock }})
	w.must(err)
	return e
}

func TestPresetsValidate(t *testing.T) {
	t.Parallel()
	names := privacy.PresetNames()
	if diff := cmp.Diff([]string{"bluesky", "instagram", "messenger", "snapchat", "tiktok", "x"}, names); diff != "" {
		t.Errorf("presets (-want +got):\n%s", diff)
	}
	for _, n := range names {
		p, err := privacy.PolicyByName(n)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != n {
			t.Errorf("preset %q is named %q", n, p.Name)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("preset %s: %v", n, err)
		}
	}
	if _, err := privacy.PolicyByName("myspace"); err == nil {
		t.Error("unknown preset accepted")
	}
}

// TestPresetDecisions checks each preset's documented behaviour, a case or
// more per rule its doc comment states. S is the sender and R the
// recipient, both 30 unless the case says otherwise.
func TestPresetDecisions(t *testing.T) {
	t.Parallel()
	verified := func(u *graph.User) { u.Verified = true }
	tests := []struct {
		policy string
		name   string
		setup  func(w *world)
		want   privacy.Decision
	}{
		// Instagram.
		{"instagram", "a follower lands in requests by default", func(w *world) { w.follow("S", "R") },
			allowD(inbox.Requests, privacy.ReasonFollower)},
		{"instagram", "people R follows reach chats", func(w *world) { w.follow("R", "S") },
			allowD(inbox.Primary, privacy.ReasonFollowedByRecipient)},
		{"instagram", "Facebook friends reach chats", func(w *world) { w.facebook("R", "S") },
			allowD(inbox.Primary, privacy.ReasonFacebookFriend)},
		{"instagram", "people with R's number land in requests", func(w *world) { w.contact("S", "R") },
			allowD(inbox.Requests, privacy.ReasonReverseContact)},
		{"instagram", "others land in requests", nil,
			allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{"instagram", "followers routed to chats", func(w *world) {
			w.follow("S", "R")
			w.must(w.ib.SetSettings("R", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFollower, inbox.RoutePrimary)}))
		}, allowD(inbox.Primary, privacy.ReasonFollower)},
		{"instagram", "others turned off", func(w *world) {
			w.must(w.ib.SetSettings("R", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceAnyone, inbox.Deny)}))
		}, denyD(privacy.ReasonRequestsOff, privacy.ViewNotAllowed)},
		{"instagram", "followers turned off while others still reach requests", func(w *world) {
			w.follow("S", "R")
			w.routes("R", inbox.AudienceFollower, inbox.Deny)
		}, denyD(privacy.ReasonRequestsOff, privacy.ViewNotAllowed)},
		{"instagram", "people with R's number turned off while others still reach requests", func(w *world) {
			w.contact("S", "R")
			w.routes("R", inbox.AudienceReverseContact, inbox.Deny)
		}, denyD(privacy.ReasonRequestsOff, privacy.ViewNotAllowed)},
		{"instagram", "a follower turned off who also has R's number: the better row wins", func(w *world) {
			w.follow("S", "R")
			w.contact("S", "R")
			w.routes("R", inbox.AudienceFollower, inbox.Deny)
		}, allowD(inbox.Requests, privacy.ReasonReverseContact)},
		{"instagram", "someone whose number R saved is one of the others", func(w *world) {
			w.contact("R", "S")
			w.routes("R", inbox.AudienceFollower, inbox.Deny)
		}, allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{"instagram", "people R follows reach chats whatever the rows say", func(w *world) {
			w.follow("R", "S")
			w.follow("S", "R")
			w.routes("R", inbox.AudienceFollower, inbox.Deny, inbox.AudienceAnyone, inbox.Deny)
		}, allowD(inbox.Primary, privacy.ReasonFollowedByRecipient)},
		{"instagram", "a stored route the platform has no row for is ignored", func(w *world) {
			w.follow("R", "S")
			w.routes("R", inbox.AudienceFollowed, inbox.Deny)
		}, allowD(inbox.Primary, privacy.ReasonFollowedByRecipient)},
		{"instagram", "an adult may not message a teen who doesn't follow them", func(w *world) { w.user("R", 17); w.friends("S", "R"); w.must(w.g.Unfollow("R", "S")) },
			denyD(privacy.ReasonMinorProtection, privacy.ViewNotAllowed)},
		{"instagram", "an adult the teen follows reaches chats", func(w *world) { w.user("R", 17); w.follow("R", "S") },
			allowD(inbox.Primary, privacy.ReasonFollowedByRecipient)},
		{"instagram", "a teen's default is connected: another teen's follow is not enough", func(w *world) { w.user("S", 15); w.user("R", 14); w.follow("S", "R") },
			denyD(privacy.ReasonRequestsOff, privacy.ViewNotAllowed)},
		{"instagram", "a teen hears from a teen Facebook friend", func(w *world) { w.user("S", 15); w.user("R", 14); w.facebook("S", "R") },
			allowD(inbox.Primary, privacy.ReasonFacebookFriend)},
		{"instagram", "restricted goes to requests", func(w *world) { w.follow("R", "S"); w.restrict("R", "S") },
			allowD(inbox.Requests, privacy.ReasonRestricted)},
		{"instagram", "under 13 is not on the platform", func(w *world) { w.user("R", 12) },
			denyD(privacy.ReasonRecipientAge, privacy.ViewNotAllowed)},

		// Messenger.
		{"messenger", "friends reach chats", func(w *world) { w.friends("S", "R") },
			allowD(inbox.Primary, privacy.ReasonFriend)},
		{"messenger", "friends of friends land in requests", func(w *world) { w.user("F", 30); w.friends("S", "F"); w.friends("F", "R") },
			allowD(inbox.Requests, privacy.ReasonFriendOfFriend)},
		{"messenger", "people with R's number land in requests", func(w *world) { w.contact("S", "R") },
			allowD(inbox.Requests, privacy.ReasonReverseContact)},
		{"messenger", "everyone else lands in requests", nil,
			allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{"messenger", "friends of friends routed to chats", func(w *world) {
			w.user("F", 30)
			w.friends("S", "F")
			w.friends("F", "R")
			w.must(w.ib.SetSettings("R", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFriendOfFriend, inbox.RoutePrimary)}))
		}, allowD(inbox.Primary, privacy.ReasonFriendOfFriend)},
		{"messenger", "friends of friends turned off while everyone else still reaches requests", func(w *world) {
			w.user("F", 30)
			w.friends("S", "F")
			w.friends("F", "R")
			w.routes("R", inbox.AudienceFriendOfFriend, inbox.Deny)
		}, denyD(privacy.ReasonRequestsOff, privacy.ViewNotAllowed)},
		{"messenger", "people with R's number turned off while everyone else still reaches requests", func(w *world) {
			w.contact("S", "R")
			w.routes("R", inbox.AudienceReverseContact, inbox.Deny)
		}, denyD(privacy.ReasonRequestsOff, privacy.ViewNotAllowed)},
		{"messenger", "everyone else to chats", func(w *world) { w.routes("R", inbox.AudienceAnyone, inbox.RoutePrimary) },
			allowD(inbox.Primary, privacy.ReasonMessageRequest)},
		{"messenger", "a teen under 16 hears from a teen with their number, as a request", func(w *world) { w.user("S", 16); w.user("R", 15); w.contact("S", "R") },
			allowD(inbox.Requests, privacy.ReasonReverseContact)},
		{"messenger", "a teen under 16 hears from an adult with their number, as a request", func(w *world) { w.user("R", 15); w.contact("S", "R") },
			allowD(inbox.Requests, privacy.ReasonReverseContact)},
		{"messenger", "a teen under 16 may refuse their phone contacts", func(w *world) {
			w.user("R", 15)
			w.contact("S", "R")
			w.routes("R", inbox.AudienceReverseContact, inbox.Deny)
		}, denyD(privacy.ReasonRequestsOff, privacy.ViewNotAllowed)},
		{"messenger", "a teen under 16 does not hear from a teen stranger", func(w *world) { w.user("S", 15); w.user("R", 15) },
			denyD(privacy.ReasonRequestsOff, privacy.ViewNotAllowed)},
		{"messenger", "a teen's number saved by R is not a phone-contact connection", func(w *world) { w.user("S", 15); w.user("R", 15); w.contact("R", "S") },
			denyD(privacy.ReasonRequestsOff, privacy.ViewNotAllowed)},
		{"messenger", "an adult who merely is in R's contacts may not message a teen", func(w *world) { w.user("R", 15); w.contact("R", "S") },
			denyD(privacy.ReasonMinorProtection, privacy.ViewNotAllowed)},
		{"messenger", "an adult friend of a friend may not message a teen", func(w *world) {
			w.user("R", 16)
			w.user("F", 16)
			w.friends("S", "F")
			w.friends("F", "R")
			w.mode("R", inbox.Everyone)
		}, denyD(privacy.ReasonMinorProtection, privacy.ViewNotAllowed)},

		// X.
		{"x", "people R follows reach the inbox", func(w *world) { w.follow("R", "S") },
			allowD(inbox.Primary, privacy.ReasonFollowedByRecipient)},
		{"x", "verified (the adult default): a verified stranger is a request", func(w *world) { w.user("S", 30, verified) },
			allowD(inbox.Requests, privacy.ReasonVerifiedSender)},
		{"x", "verified: an unverified stranger is refused", nil,
			denyD(privacy.ReasonNotVerified, privacy.ViewNotAllowed)},
		{"x", "none: only people R follows", func(w *world) { w.user("S", 30, verified); w.mode("R", inbox.Following) },
			denyD(privacy.ReasonNotFollowed, privacy.ViewNotAllowed)},
		{"x", "none: an accepted conversation survives", func(w *world) {
			w.mode("R", inbox.Following)
			w.thread("S", "R", inbox.Accepted, clock.AddDate(0, -1, 0))
		}, allowD(inbox.Primary, privacy.ReasonExistingConversation)},
		{"x", "anyone may reply to someone who messaged them", func(w *world) {
			w.mode("R", inbox.Following)
			w.thread("R", "S", inbox.Pending, clock.Add(-time.Hour))
		}, allowD(inbox.Primary, privacy.ReasonExistingConversation)},
		{"x", "everyone: a stranger is a request", func(w *world) { w.mode("R", inbox.Everyone) },
			allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{"x", "the daily cap binds unverified senders", func(w *world) { w.mode("R", inbox.Everyone); w.pending("S", 500, clock.Add(-time.Hour)) },
			denyD(privacy.ReasonRequestLimit, privacy.ViewRequestLimit)},
		{"x", "verified senders have no cap", func(w *world) {
			w.user("S", 30, verified)
			w.mode("R", inbox.Everyone)
			w.pending("S", 600, clock.Add(-time.Hour))
		}, allowD(inbox.Requests, privacy.ReasonVerifiedSender)},
		{"x", "no restrict on X", func(w *world) { w.follow("R", "S"); w.restrict("R", "S") },
			allowD(inbox.Primary, privacy.ReasonFollowedByRecipient)},

		// Bluesky.
		{"bluesky", "following is the default", nil,
			denyD(privacy.ReasonNotFollowed, privacy.ViewNotAllowed)},
		{"bluesky", "following: people R follows", func(w *world) { w.follow("R", "S") },
			allowD(inbox.Primary, privacy.ReasonFollowedByRecipient)},
		{"bluesky", "all: a stranger's chat is a request", func(w *world) { w.mode("R", inbox.Everyone) },
			allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{"bluesky", "none: nobody new", func(w *world) { w.mode("R", inbox.NoOne); w.follow("R", "S") },
			denyD(privacy.ReasonInboxClosed, privacy.ViewNotAllowed)},
		{"bluesky", "none: accepted conversations survive", func(w *world) {
			w.mode("R", inbox.NoOne)
			w.thread("S", "R", inbox.Accepted, clock.AddDate(0, -1, 0))
		}, allowD(inbox.Primary, privacy.ReasonExistingConversation)},
		{"bluesky", "a block still stops a conversation", func(w *world) {
			w.mode("R", inbox.NoOne)
			w.thread("S", "R", inbox.Accepted, clock.AddDate(0, -1, 0))
			w.block("R", "S")
		}, denyD(privacy.ReasonBlockedByRecipient, privacy.ViewNotAllowed)},

		// Snapchat.
		{"snapchat", "friends is the default", func(w *world) { w.contact("R", "S") },
			denyD(privacy.ReasonNotFriend, privacy.ViewNotAllowed)},
		{"snapchat", "contacts: someone whose number R saved", func(w *world) { w.mode("R", inbox.FriendsAndContacts); w.contact("R", "S") },
			allowD(inbox.Primary, privacy.ReasonContact)},
		{"snapchat", "contacts: not someone who saved R's number", func(w *world) { w.mode("R", inbox.FriendsAndContacts); w.contact("S", "R") },
			denyD(privacy.ReasonNotContact, privacy.ViewNotAllowed)},
		{"snapchat", "everyone: a stranger's snap waits as a request", func(w *world) { w.mode("R", inbox.Everyone) },
			allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{"snapchat", "a teen's default is friends and contacts: an adult whose number they saved", func(w *world) { w.user("R", 15); w.contact("R", "S") },
			allowD(inbox.Primary, privacy.ReasonContact)},
		{"snapchat", "a teen's default: another teen whose number they saved", func(w *world) { w.user("S", 14); w.user("R", 15); w.contact("R", "S") },
			allowD(inbox.Primary, privacy.ReasonContact)},
		{"snapchat", "a teen's default: a teen stranger", func(w *world) { w.user("S", 14); w.user("R", 17) },
			denyD(privacy.ReasonNotContact, privacy.ViewNotAllowed)},
		{"snapchat", "a teen's default: an adult stranger", func(w *world) { w.user("R", 17) },
			denyD(privacy.ReasonMinorProtection, privacy.ViewNotAllowed)},
		{"snapchat", "a teen's default: an adult who saved the teen's number", func(w *world) { w.user("R", 17); w.contact("S", "R") },
			denyD(privacy.ReasonMinorProtection, privacy.ViewNotAllowed)},
		{"snapchat", "a teen may tighten to friends only", func(w *world) { w.user("R", 15); w.mode("R", inbox.Friends); w.contact("R", "S") },
			denyD(privacy.ReasonNotFriend, privacy.ViewNotAllowed)},
		{"snapchat", "a teen hears from an adult whose number they saved", func(w *world) {
			w.user("R", 15)
			w.mode("R", inbox.FriendsAndContacts)
			w.contact("R", "S")
		}, allowD(inbox.Primary, privacy.ReasonContact)},
		{"snapchat", "a teen does not hear from an adult follower", func(w *world) { w.user("R", 15); w.follow("R", "S"); w.mode("R", inbox.FriendsAndContacts) },
			denyD(privacy.ReasonMinorProtection, privacy.ViewNotAllowed)},
	}
	for _, tc := range tests {
		t.Run(tc.policy+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.user("S", 30)
			w.user("R", 30)
			if tc.setup != nil {
				tc.setup(w)
			}
			p, err := privacy.PolicyByName(tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.engineWith(p).CanMessage(context.Background(), "S", "R")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPresetLadders checks, on every preset, that each mode routes every
// audience at least as well as the tighter one below it: the ladder holds
// for allowed senders and for folders. Under the presets with per-audience
// settings it holds with every combination of the user's own routes too,
// as both modes route the same audiences (the settings rows), so a route
// overlays them alike.
func TestPresetLadders(t *testing.T) {
	t.Parallel()
	for _, name := range privacy.PresetNames() {
		p, _ := privacy.PolicyByName(name)
		ladder := presetLadders[name]
		if len(ladder) < 2 {
			t.Errorf("%s: no ladder", name)
			continue
		}
		for i := 1; i < len(ladder); i++ {
			lo, hi := p.Modes[ladder[i-1]], p.Modes[ladder[i]]
			if lo.Name == "" || hi.Name == "" {
				t.Errorf("%s: ladder mode %v or %v not offered", name, ladder[i-1], ladder[i])
				continue
			}
			if !hi.Table.AtLeast(lo.Table) {
				t.Errorf("%s: %s routes some audience worse than %s", name, hi.Name, lo.Name)
			}
			if !p.Availability.PerAudience {
				continue
			}
			if lo.Table.Routed() != hi.Table.Routed() {
				t.Errorf("%s: %s routes %v, %s routes %v: a user's own route would overlay them unlike",
					name, lo.Name, lo.Table.Routed().List(), hi.Name, hi.Table.Routed().List())
			}
			// Every combination of routes for the rows any band may set.
			var rows []inbox.Audience
			for a := range inbox.Audience(inbox.NumAudiences) {
				for _, lim := range p.Availability.RouteLimits {
					if lim[a] != inbox.Unset {
						rows = append(rows, a)
						break
					}
				}
			}
			routes := []inbox.Route{inbox.Unset, inbox.Deny, inbox.RouteRequests, inbox.RoutePrimary}
			n := 1
			for range rows {
				n *= len(routes)
			}
			for c := range n {
				var o inbox.Overrides
				for i, k := 0, c; i < len(rows); i, k = i+1, k/len(routes) {
					o = o.Set(rows[i], routes[k%len(routes)])
				}
				if !o.Apply(hi.Table).AtLeast(o.Apply(lo.Table)) {
					t.Errorf("%s: with routes %v, %s routes some audience worse than %s", name, o, hi.Name, lo.Name)
				}
			}
		}
	}
}

func TestPresetModeNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy, name string
		mode         inbox.Mode
	}{
		{"bluesky", "all", inbox.Everyone}, {"bluesky", "following", inbox.Following}, {"bluesky", "none", inbox.NoOne},
		{"x", "none", inbox.Following}, {"x", "verified", inbox.Verified}, {"x", "everyone", inbox.Everyone},
		{"snapchat", "contacts", inbox.FriendsAndContacts}, {"instagram", "standard", inbox.Everyone},
		{"tiktok", "suggested", inbox.SuggestedFriends}, {"tiktok", "default", inbox.ModeDefault},
	} {
		p, _ := privacy.PolicyByName(tc.policy)
		m, err := p.ParseMode(tc.name)
		if err != nil || m != tc.mode {
			t.Errorf("%s.ParseMode(%q) = %v, %v; want %v", tc.policy, tc.name, m, err, tc.mode)
		}
		if tc.mode != inbox.ModeDefault && p.ModeName(m) != tc.name {
			t.Errorf("%s.ModeName(%v) = %q, want %q", tc.policy, m, p.ModeName(m), tc.name)
		}
	}
	p := privacy.Bluesky()
	if _, err := p.ParseMode("everyone"); err == nil {
		t.Error("bluesky accepted tiktok's name everyone")
	}
	s, err := p.DecodeSettings([]byte(`{"mode":"all"}`))
	if err != nil || s.Mode != inbox.Everyone {
		t.Errorf("bluesky DecodeSettings = %v, %v", s, err)
	}
	if b, _ := p.EncodeSettings(s); string(b) != `{"mode":"all"}` {
		t.Errorf("bluesky EncodeSettings = %s", b)
	}
}

func TestPresetValidateSettings(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.user("teen", 15)
	w.user("older", 17)
	w.user("adult", 30)
	ctx := context.Background()
	tests := []struct {
		policy, user string
		s            inbox.Settings
		wantErr      string
	}{
		{"instagram", "adult", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFollower, inbox.RoutePrimary)}, ""},
		{"instagram", "adult", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceAnyone, inbox.RoutePrimary)}, "inbox: route anyone=primary is not available: users whose age is 18+ may route anyone to requests at most"},
		{"instagram", "teen", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFollower, inbox.RouteRequests)}, "inbox: route follower=requests is not available: users whose age is 13-15 may not receive messages from follower"},
		{"instagram", "teen", inbox.Settings{Mode: inbox.Everyone}, "inbox: mode standard is not available: users whose age is 13-15 may not choose it"},
		{"instagram", "older", inbox.Settings{Mode: inbox.Everyone}, ""},
		{"instagram", "teen", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFollower, inbox.Deny)}, ""},
		{"instagram", "teen", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceAnyone, inbox.Deny)}, ""},
		{"instagram", "teen", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFacebookFriend, inbox.Deny)}, ""},
		{"instagram", "teen", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceReverseContact, inbox.RouteRequests)}, "inbox: route reverse_contact=requests is not available: users whose age is 13-15 may not receive messages from reverse_contact"},
		{"instagram", "teen", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceAnyone, inbox.RouteRequests)}, "inbox: route anyone=requests is not available: users whose age is 13-15 may not receive messages from anyone"},
		{"instagram", "older", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFollower, inbox.RoutePrimary).Set(inbox.AudienceAnyone, inbox.RouteRequests)}, ""},
		{"instagram", "adult", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFollowed, inbox.Deny)}, "inbox: route followed=deny is not available: this policy has no setting for followed"},
		{"instagram", "adult", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceContact, inbox.Deny)}, "inbox: route contact=deny is not available: this policy has no setting for contact"},
		{"messenger", "adult", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceAnyone, inbox.RoutePrimary)}, ""},
		{"messenger", "adult", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFriend, inbox.Deny)}, "inbox: route friend=deny is not available: this policy has no setting for friend"},
		{"messenger", "teen", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceReverseContact, inbox.RouteRequests)}, ""},
		{"messenger", "teen", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceReverseContact, inbox.Deny)}, ""},
		{"messenger", "teen", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceReverseContact, inbox.RoutePrimary)}, "inbox: route reverse_contact=primary is not available: users whose age is 13-15 may route reverse_contact to requests at most"},
		{"messenger", "teen", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFriendOfFriend, inbox.Deny)}, ""},
		{"messenger", "teen", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFriendOfFriend, inbox.RouteRequests)}, "inbox: route friend_of_friend=requests is not available: users whose age is 13-15 may not receive messages from friend_of_friend"},
		{"messenger", "teen", inbox.Settings{Mode: inbox.Everyone}, "inbox: mode standard is not available: users whose age is 13-15 may not choose it"},
		{"messenger", "older", inbox.Settings{Mode: inbox.Everyone, Routes: inbox.Overrides{}.Set(inbox.AudienceFriendOfFriend, inbox.RoutePrimary)}, ""},
		{"snapchat", "teen", inbox.Settings{Mode: inbox.Friends}, ""},
		{"instagram", "teen", inbox.Settings{Groups: inbox.Everyone}, "inbox: group setting everyone is not available: users whose age is 13-15 may not choose it"},
		{"instagram", "older", inbox.Settings{Groups: inbox.Everyone}, ""},
		{"tiktok", "adult", inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFollower, inbox.RoutePrimary)}, "inbox: route follower=primary is not available: this policy has no per-audience settings"},
		{"tiktok", "adult", inbox.Settings{Mode: inbox.Following}, "inbox: mode following is not available: policy tiktok does not offer it"},
		{"snapchat", "older", inbox.Settings{Mode: inbox.Everyone}, "inbox: mode everyone is not available: users whose age is 16-17 may not choose it"},
		{"bluesky", "teen", inbox.Settings{Groups: inbox.NoOne}, ""},
		{"bluesky", "teen", inbox.Settings{Groups: inbox.Friends}, "inbox: group setting friends is not available: this policy does not offer it"},
	}
	for _, tc := range tests {
		p, _ := privacy.PolicyByName(tc.policy)
		err := w.engineWith(p).ValidateSettings(ctx, tc.user, tc.s)
		got := ""
		if err != nil {
			got = err.Error()
			if !errors.Is(err, inbox.ErrModeUnavailable) {
				t.Errorf("%s %s: %v does not wrap ErrModeUnavailable", tc.policy, tc.user, err)
			}
		}
		if got != tc.wantErr {
			t.Errorf("%s: ValidateSettings(%s, %+v) = %q, want %q", tc.policy, tc.user, tc.s, got, tc.wantErr)
		}
	}
}

func TestMessengerNeedsMutualReader(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	g := graph.ReaderFuncs[string]{UserFunc: w.g.User, HasEdgeFunc: w.g.HasEdge}
	_, err := privacy.New[string](g, w.ib, &privacy.Options{Policy: privacy.Messenger()})
	if !errors.Is(err, privacy.ErrInvalidPolicy) {
		t.Errorf("messenger over a graph without friends in common: %v", err)
	}
	if _, err := privacy.New[string](g, w.ib, &privacy.Options{Policy: privacy.Bluesky()}); err != nil {
		t.Errorf("bluesky needs no MutualReader: %v", err)
	}
}

// TestPresetsFailClosed makes each read of a decision fail in turn, under
// every preset: every failure gives the zero Decision and an error.
func TestPresetsFailClosed(t *testing.T) {
	t.Parallel()
	for _, name := range privacy.PresetNames() {
		w := newWorld(t)
		w.user("S", 30)
		w.user("R", 30)
		w.user("F", 30)
		w.friends("S", "F")
		w.friends("F", "R")
		p, _ := privacy.PolicyByName(name)
		p.Availability.Defaults[graph.Age18Plus] = inbox.Everyone // read as far as the cap
		for n := 1; n < 40; n++ {
			g, ib := failing(w, n)
			var gr graph.Reader[string] = g
			if name == "messenger" {
				gr = mutualFuncs{g.(graph.ReaderFuncs[string]), w.g, n}
			}
			e, err := privacy.New(gr, ib, &privacy.Options{Policy: p, Now: func() time.Time { return clock }})
			if err != nil {
				t.Fatal(err)
			}
			d, err := e.CanMessage(context.Background(), "S", "R")
			if err == nil {
				if !d.Allowed {
					t.Errorf("%s: no failure, but %v", name, d)
				}
				break
			}
			if d != (privacy.Decision{}) {
				t.Errorf("%s: read %d failed, decision %v is not the zero deny", name, n, d)
			}
		}
	}
}

// mutualFuncs adds a MutualReader that fails like the rest (at the n-th
// call overall, counted by failing's readers before it).
type mutualFuncs struct {
	graph.ReaderFuncs[string]
	m *memory.Store[string]
	n int
}

func (f mutualFuncs) HasFriendInCommon(ctx context.Context, a, b string) (bool, error) {
	// The fallback reads 11 graph facts, then this: fail when it is due.
	if f.n == 12 {
		return false, errors.New("store down")
	}
	return f.m.HasFriendInCommon(ctx, a, b)
}

func TestCustomPolicy(t *testing.T) {
	t.Parallel()
	const paid privacy.Tags = 1
	p := privacy.TikTok()
	p.Name = "paid-dms"
	p.Gates = []privacy.Gate{{Name: "verified-only", Deny: func(f privacy.RuleFacts) bool {
		return f.Mode == inbox.Everyone && !f.Sender.Verified && f.Edges&graph.FollowBA == 0 && !f.Tags.Has(paid)
	}}}
	var paidRoutes [inbox.NumModes]inbox.Route
	paidRoutes[inbox.Everyone] = inbox.RoutePrimary
	paidRoutes[inbox.Friends] = inbox.RouteRequests
	p.Audiences = []privacy.CustomAudience{{Name: "paid", Routes: paidRoutes, Match: func(f privacy.RuleFacts) bool { return f.Tags.Has(paid) }}}

	w := newWorld(t)
	w.user("S", 30)
	w.user("V", 30, func(u *graph.User) { u.Verified = true })
	w.user("R", 30)
	w.user("K", 17)
	w.user("B", 30)
	w.mode("R", inbox.Everyone)
	w.mode("K", inbox.SuggestedFriends)
	w.block("R", "B")
	e := w.engineWith(p)
	ctx := context.Background()
	check := func(s, r string, tags privacy.Tags) privacy.Decision {
		d, err := e.Check(ctx, privacy.Request[string]{Sender: s, Recipient: r, Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	gate := privacy.Decision{Reason: privacy.ReasonPolicyGate, View: privacy.ViewNotAllowed, Rule: "verified-only"}
	tests := []struct {
		name string
		got  privacy.Decision
		want privacy.Decision
	}{
		{"an unverified stranger is gated", check("S", "R", 0), gate},
		{"a verified stranger is a request", check("V", "R", 0), allowD(inbox.Requests, privacy.ReasonMessageRequest)},
		{"a paid message reaches primary", check("S", "R", paid),
			privacy.Decision{Allowed: true, Folder: inbox.Primary, Reason: privacy.ReasonCustomAudience, View: privacy.ViewAllowed, Rule: "paid"}},
		{"paying does not get past a block", check("B", "R", paid), denyD(privacy.ReasonBlockedByRecipient, privacy.ViewNotAllowed)},
		{"paying does not reach a minor", check("S", "K", paid), denyD(privacy.ReasonMinorProtection, privacy.ViewNotAllowed)},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s: mismatch (-want +got):\n%s", tc.name, diff)
		}
	}
	// The host asks explicitly to turn the minor rule off: now the paid
	// audience reaches the 17-year-old, in Friends where it routes to
	// requests.
	p.Minors.Off = true
	w.mode("K", inbox.Friends)
	e = w.engineWith(p)
	if d, _ := e.Check(ctx, privacy.Request[string]{Sender: "S", Recipient: "K", Tags: paid}); d.Reason != privacy.ReasonCustomAudience || d.Folder != inbox.Requests {
		t.Errorf("minor rule off: %v", d)
	}
	if d := (privacy.Decision{Reason: privacy.ReasonPolicyGate, Rule: "x"}); d.String() != "deny policy_gate(x)" {
		t.Errorf("String = %q", d.String())
	}
	bad := privacy.TikTok()
	bad.Gates = []privacy.Gate{{Name: "nameless"}}
	if err := bad.Validate(); !errors.Is(err, privacy.ErrInvalidPolicy) {
		t.Errorf("a gate without Deny: %v", err)
	}
}

func TestGroupAdds(t *testing.T) {
	t.Parallel()
	type tc struct {
		policy   string
		name     string
		setup    func(w *world)
		inviter  string
		invitee  string
		members  []string
		want     privacy.GroupOutcome
		wantWhy  privacy.Reason
		wantView privacy.View
	}
	I, E := "I", "E" // inviter, invitee
	tests := []tc{
		{"tiktok", "a friend adds", func(w *world) { w.friends(I, E) }, I, E, []string{I, "M"}, privacy.GroupAllow, privacy.ReasonFriend, privacy.ViewAllowed},
		{"tiktok", "only a friend may add you", func(w *world) { w.follow(E, I) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupInviterNotFriend, privacy.ViewNotAllowed},
		{"tiktok", "the invitee blocked a member", func(w *world) { w.friends(I, E); w.block(E, "M") }, I, E, []string{I, "M"}, privacy.GroupDeny, privacy.ReasonGroupBlocked, privacy.ViewNotAllowed},
		{"tiktok", "a member blocked the invitee", func(w *world) { w.friends(I, E); w.block("M", E) }, I, E, []string{I, "M"}, privacy.GroupDeny, privacy.ReasonGroupBlocked, privacy.ViewNotAllowed},
		{"tiktok", "the invitee blocked the inviter", func(w *world) { w.friends(I, E); w.block(E, I) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupBlocked, privacy.ViewNotAllowed},
		{"tiktok", "the inviter blocked the invitee", func(w *world) { w.friends(I, E); w.block(I, E) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonSenderBlockedRecipient, privacy.ViewYouBlocked},
		{"tiktok", "a 17-year-old with an adult stranger in the group", func(w *world) {
			w.user(E, 17)
			w.friends(I, E)
			w.friends("N", E)
		}, I, E, []string{I, "N", "M"}, privacy.GroupDeny, privacy.ReasonGroupMinorProtection, privacy.ViewNotAllowed},
		{"tiktok", "a 17-year-old needs a friend already in the group", func(w *world) { w.user(I, 17); w.user(E, 17); w.user("M", 17); w.friends(I, E) },
			I, E, []string{I, "M"}, privacy.GroupDeny, privacy.ReasonGroupMinorNeedsFriend, privacy.ViewNotAllowed},
		{"tiktok", "a 17-year-old with a friend in the group", func(w *world) { w.user(I, 17); w.user(E, 17); w.user("M", 17); w.friends(I, E); w.friends("M", E) },
			I, E, []string{I, "M"}, privacy.GroupAllow, privacy.ReasonFriend, privacy.ViewAllowed},
		{"tiktok", "an adult invitee into a group with a 17-year-old stranger", func(w *world) { w.user("K", 17); w.friends(I, E) },
			I, E, []string{I, "K"}, privacy.GroupDeny, privacy.ReasonGroupMinorProtection, privacy.ViewNotAllowed},
		{"tiktok", "a 15-year-old is too young for groups", func(w *world) { w.user(E, 15); w.friends(I, E) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonRecipientAge, privacy.ViewNotAllowed},
		{"tiktok", "a suspended invitee", func(w *world) { w.user(E, 30, status(graph.Suspended)); w.friends(I, E) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonRecipientUnavailable, privacy.ViewUnavailable},
		{"tiktok", "adding oneself", nil, I, I, []string{I}, privacy.GroupDeny, privacy.ReasonSelf, privacy.ViewNotAllowed},
		{"bluesky", "the group setting follows the DM setting: followed", func(w *world) { w.follow(E, I) }, I, E, []string{I}, privacy.GroupAllow, privacy.ReasonFollowedByRecipient, privacy.ViewAllowed},
		{"bluesky", "the group setting follows the DM setting: a stranger", nil, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupInvitesClosed, privacy.ViewNotAllowed},
		{"bluesky", "allowGroupInvites all", func(w *world) { w.must(w.ib.SetSettings(E, inbox.Settings{Groups: inbox.Everyone})) }, I, E, []string{I}, privacy.GroupAllow, privacy.ReasonMessageRequest, privacy.ViewAllowed},
		{"bluesky", "allowGroupInvites none, even for people E follows", func(w *world) {
			w.follow(E, I)
			w.must(w.ib.SetSettings(E, inbox.Settings{Mode: inbox.Everyone, Groups: inbox.NoOne}))
		}, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupInvitesClosed, privacy.ViewNotAllowed},
		{"instagram", "everyone: a stranger invites", nil, I, E, []string{I}, privacy.GroupInvite, privacy.ReasonGroupInvite, privacy.ViewAllowed},
		{"instagram", "everyone: a follower E doesn't follow back invites", func(w *world) { w.follow(I, E) }, I, E, []string{I}, privacy.GroupInvite, privacy.ReasonGroupInvite, privacy.ViewAllowed},
		{"instagram", "everyone: someone E follows who doesn't follow back invites", func(w *world) { w.follow(E, I) }, I, E, []string{I}, privacy.GroupInvite, privacy.ReasonGroupInvite, privacy.ViewAllowed},
		{"instagram", "everyone: a mutual follower adds", func(w *world) { w.friends(I, E) }, I, E, []string{I}, privacy.GroupAllow, privacy.ReasonFriend, privacy.ViewAllowed},
		{"instagram", "only people you follow: a stranger is refused", func(w *world) { w.groups(E, inbox.Following) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupInvitesClosed, privacy.ViewNotAllowed},
		{"instagram", "only people you follow: a follower E doesn't follow is refused", func(w *world) { w.groups(E, inbox.Following); w.follow(I, E) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupInvitesClosed, privacy.ViewNotAllowed},
		{"instagram", "only people you follow: someone E follows invites", func(w *world) { w.groups(E, inbox.Following); w.follow(E, I) }, I, E, []string{I}, privacy.GroupInvite, privacy.ReasonGroupInvite, privacy.ViewAllowed},
		{"instagram", "only people you follow: a mutual follower adds", func(w *world) { w.groups(E, inbox.Following); w.friends(I, E) }, I, E, []string{I}, privacy.GroupAllow, privacy.ReasonFriend, privacy.ViewAllowed},
		{"instagram", "under 16: a teen stranger is refused", func(w *world) { w.user(I, 15); w.user(E, 15) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupInvitesClosed, privacy.ViewNotAllowed},
		{"instagram", "under 16: a teen follower is refused", func(w *world) { w.user(I, 15); w.user(E, 15); w.follow(I, E) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupInvitesClosed, privacy.ViewNotAllowed},
		{"instagram", "under 16: an adult stranger is refused", func(w *world) { w.user(E, 15) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupMinorProtection, privacy.ViewNotAllowed},
		{"instagram", "under 16: an adult the teen follows invites", func(w *world) { w.user(E, 15); w.follow(E, I) }, I, E, []string{I}, privacy.GroupInvite, privacy.ReasonGroupInvite, privacy.ViewAllowed},
		{"instagram", "under 16: a mutual follower adds", func(w *world) { w.user(I, 14); w.user(E, 15); w.friends(I, E) }, I, E, []string{I}, privacy.GroupAllow, privacy.ReasonFriend, privacy.ViewAllowed},
		{"instagram", "under 16: not into a group with an adult the teen doesn't follow", func(w *world) { w.user(I, 14); w.user(E, 15); w.friends(I, E) }, I, E, []string{I, "M"}, privacy.GroupDeny, privacy.ReasonGroupMinorProtection, privacy.ViewNotAllowed},
		{"instagram", "16-17: only people you follow by default", func(w *world) { w.user(I, 17); w.user(E, 17) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupInvitesClosed, privacy.ViewNotAllowed},
		{"x", "as the DM setting: someone E follows adds", func(w *world) { w.follow(E, I) }, I, E, []string{I}, privacy.GroupAllow, privacy.ReasonFollowedByRecipient, privacy.ViewAllowed},
		{"x", "as the DM setting (verified): a verified stranger invites", func(w *world) { w.user(I, 30, func(u *graph.User) { u.Verified = true }) }, I, E, []string{I}, privacy.GroupInvite, privacy.ReasonGroupInvite, privacy.ViewAllowed},
		{"x", "as the DM setting (verified): an unverified stranger is refused", nil, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupInvitesClosed, privacy.ViewNotAllowed},
		{"messenger", "a friend adds", func(w *world) { w.friends(I, E) }, I, E, []string{I}, privacy.GroupAllow, privacy.ReasonFriend, privacy.ViewAllowed},
		{"messenger", "under 16: a teen with E's number invites", func(w *world) { w.user(I, 16); w.user(E, 15); w.contact(I, E) }, I, E, []string{I}, privacy.GroupInvite, privacy.ReasonGroupInvite, privacy.ViewAllowed},
		{"messenger", "under 16: an adult with E's number invites", func(w *world) { w.user(E, 15); w.contact(I, E) }, I, E, []string{I}, privacy.GroupInvite, privacy.ReasonGroupInvite, privacy.ViewAllowed},
		{"messenger", "under 16: an adult whose number E saved is refused", func(w *world) { w.user(E, 15); w.contact(E, I) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupMinorProtection, privacy.ViewNotAllowed},
		{"messenger", "under 16: a friend adds, not into a group with an adult stranger", func(w *world) { w.user(I, 15); w.user(E, 15); w.friends(I, E) }, I, E, []string{I, "M"}, privacy.GroupDeny, privacy.ReasonGroupMinorProtection, privacy.ViewNotAllowed},
		{"messenger", "a non-friend's group arrives as an invite", nil, I, E, []string{I}, privacy.GroupInvite, privacy.ReasonGroupInvite, privacy.ViewAllowed},
		{"messenger", "teens are not added by non-connections", func(w *world) { w.user(I, 16); w.user(E, 16) }, I, E, []string{I}, privacy.GroupDeny, privacy.ReasonGroupInvitesClosed, privacy.ViewNotAllowed},
	}
	for _, c := range tests {
		t.Run(c.policy+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			for _, u := range []string{I, E, "M", "N"} {
				w.user(u, 30)
			}
			if c.setup != nil {
				c.setup(w)
			}
			p, _ := privacy.PolicyByName(c.policy)
			got, err := w.engineWith(p).CanAddToGroup(context.Background(), c.inviter, c.invitee, c.members)
			if err != nil {
				t.Fatal(err)
			}
			want := privacy.GroupDecision{Outcome: c.want, Reason: c.wantWhy, View: c.wantView}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGroupNeverConnectsWhatDMsWouldNot: for every pair of a small world,
// if an adult member could not message a minor invitee directly, no
// inviter can put them in one group.
func TestGroupNeverConnectsWhatDMsWouldNot(t *testing.T) {
	t.Parallel()
	for _, name := range privacy.PresetNames() {
		w := newWorld(t)
		ages := map[string]int{"a1": 30, "a2": 40, "k1": 16, "k2": 17, "k3": 15}
		for u, age := range ages {
			w.user(u, age)
		}
		w.friends("a1", "k1")
		w.friends("k1", "k2")
		w.follow("k2", "a2")
		w.contact("k3", "a1")
		w.friends("a1", "a2")
		p, _ := privacy.PolicyByName(name)
		e := w.engineWith(p)
		ctx := context.Background()
		for inviter := range ages {
			for invitee := range ages {
				for member := range ages {
					if member == invitee || inviter == invitee {
						continue
					}
					g, err := e.CanAddToGroup(ctx, inviter, invitee, []string{inviter, member})
					if err != nil {
						t.Fatal(err)
					}
					if g.Outcome == privacy.GroupDeny {
						continue
					}
					for _, pr := range [][2]string{{member, invitee}, {invitee, member}} {
						adult, minor := pr[0], pr[1]
						if ages[adult] < 18 || ages[minor] >= 18 {
							continue
						}
						// Would the minor rule let adult message minor?
						d, _ := e.CanMessage(ctx, adult, minor)
						if d.Reason == privacy.ReasonMinorProtection {
							t.Errorf("%s: %s may add %s to a group with %s, but %s may not message %s (%v)",
								name, inviter, invitee, member, adult, minor, fmt.Sprint(g))
						}
					}
				}
			}
		}
	}
}

// TestGroupFallbackInvite: with FallbackInvite, a refusal by the invitee's
// group setting becomes an invite they must accept; blocks and the minor
// rule still deny.
func TestGroupFallbackInvite(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, u := range []string{"I", "E", "B"} {
		w.user(u, 30)
	}
	w.user("K", 17)
	w.block("E", "B")
	p := privacy.TikTok()
	p.Name = "whatsapp-like"
	p.Groups.FallbackInvite = true
	e := w.engineWith(p)
	ctx := context.Background()
	for _, tc := range []struct {
		inviter, invitee string
		members          []string
		want             privacy.GroupDecision
	}{
		{"I", "E", []string{"I"}, privacy.GroupDecision{Outcome: privacy.GroupInvite, Reason: privacy.ReasonGroupInvite, View: privacy.ViewAllowed}},
		{"I", "E", []string{"I", "B"}, privacy.GroupDecision{Outcome: privacy.GroupDeny, Reason: privacy.ReasonGroupBlocked, View: privacy.ViewNotAllowed}},
		{"I", "K", []string{"I"}, privacy.GroupDecision{Outcome: privacy.GroupDeny, Reason: privacy.ReasonGroupMinorProtection, View: privacy.ViewNotAllowed}},
	} {
		got, err := e.CanAddToGroup(ctx, tc.inviter, tc.invitee, tc.members)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s adds %s to %v: mismatch (-want +got):\n%s", tc.inviter, tc.invitee, tc.members, diff)
		}
	}
	// Without the fallback the same add is refused.
	d, _ := w.engineWith(privacy.TikTok()).CanAddToGroup(ctx, "I", "E", []string{"I"})
	if d.Outcome != privacy.GroupDeny || d.Reason != privacy.ReasonGroupInviterNotFriend {
		t.Errorf("without the fallback: %v", d)
	}
}

func TestGroupFailClosed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, u := range []string{"I", "E", "M"} {
		w.user(u, 30)
	}
	w.friends("I", "E")
	for n := 1; ; n++ {
		g, ib := failing(w, n)
		e, err := privacy.New(g, ib, &privacy.Options{Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.CanAddToGroup(context.Background(), "I", "E", []string{"I", "M"})
		if err == nil {
			if d.Outcome != privacy.GroupAllow {
				t.Fatalf("no failure, got %v", d)
			}
			if n < 20 {
				t.Fatalf("only %d reads", n-1)
			}
			return
		}
		if d != (privacy.GroupDecision{}) {
			t.Errorf("read %d failed: %v is not the zero deny", n, d)
		}
	}
}

// TestTikTokTablesAreTheSpec: TikTok's modes are the routing table of the
// package documentation cell for cell, deny as deny, and the audiences the
// table does not list unset.
func TestTikTokTablesAreTheSpec(t *testing.T) {
	t.Parallel()
	const P, R, D = inbox.RoutePrimary, inbox.RouteRequests, inbox.Deny
	spec := []struct {
		a                                   inbox.Audience
		everyone, suggested, friends, noone inbox.Route
	}{
		{inbox.AudienceConversation, P, P, P, D},
		{inbox.AudienceFriend, P, P, P, D},
		{inbox.AudienceRecommendedContact, P, P, D, D},
		{inbox.AudienceRecommendedFacebook, P, P, D, D},
		{inbox.AudienceFollowed, P, D, D, D},
		{inbox.AudienceAnyone, R, D, D, D},
	}
	var want [inbox.NumModes]inbox.Table
	for _, row := range spec {
		want[inbox.Everyone][row.a] = row.everyone
		want[inbox.SuggestedFriends][row.a] = row.suggested
		want[inbox.Friends][row.a] = row.friends
		want[inbox.NoOne][row.a] = row.noone
	}
	p := privacy.TikTok()
	for _, m := range tiktokModes {
		if got := p.Modes[m].Table; got != want[m] {
			t.Errorf("%s: table %v, the documentation's %v", p.ModeName(m), got, want[m])
		}
	}
}
