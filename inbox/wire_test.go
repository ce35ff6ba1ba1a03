package inbox_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/inbox"
)

// TestWireCodesAreFixed: audience codes and the route codes inside
// Overrides.Bits are what hosts store in their settings columns. They are
// fixed constants, not the enums' order: a new audience takes the next
// free code, a new route or a reordering of the precedence list changes no
// stored value. These literals must never change.
func TestWireCodesAreFixed(t *testing.T) {
	t.Parallel()
	codes := map[inbox.Audience]uint8{
		inbox.AudienceConversation: 0, inbox.AudienceFriend: 1, inbox.AudienceRecommendedContact: 2,
		inbox.AudienceRecommendedFacebook: 3, inbox.AudienceFollowed: 4, inbox.AudienceFollower: 5,
		inbox.AudienceContact: 6, inbox.AudienceReverseContact: 7, inbox.AudienceFacebookFriend: 8,
		inbox.AudienceFriendOfFriend: 9, inbox.AudienceVerified: 10, inbox.AudienceAnyone: 11,
	}
	for a, c := range codes {
		if uint8(a) != c {
			t.Errorf("audience %v has code %d, stored settings say %d", a, uint8(a), c)
		}
	}
	// Values stored by earlier releases, and what they must decode to.
	stored := []struct {
		bits uint64
		want inbox.Overrides
	}{
		{0, inbox.Overrides{}},
		{1<<5 | 1<<(16+2*5), inbox.Overrides{}.Set(inbox.AudienceFollower, inbox.RouteRequests)},
		{1<<11 | 0<<(16+2*11), inbox.Overrides{}.Set(inbox.AudienceAnyone, inbox.Deny)},
		{1<<7 | 2<<(16+2*7) | 1<<9 | 1<<(16+2*9), inbox.Overrides{}.
			Set(inbox.AudienceReverseContact, inbox.RoutePrimary).Set(inbox.AudienceFriendOfFriend, inbox.RouteRequests)},
		{0x804000a20, inbox.Overrides{}.Set(inbox.AudienceFollower, inbox.RouteRequests).
			Set(inbox.AudienceFriendOfFriend, inbox.RoutePrimary).Set(inbox.AudienceAnyone, inbox.Deny)},
	}
	for _, s := range stored {
		got, err := inbox.OverridesFromBits(s.bits)
		if err != nil {
			t.Errorf("OverridesFromBits(%#x): %v", s.bits, err)
			continue
		}
		if diff := cmp.Diff(s.want.String(), got.String()); diff != "" {
			t.Errorf("OverridesFromBits(%#x) mismatch (-want +got):\n%s", s.bits, diff)
		}
		if b := s.want.Bits(); b != s.bits {
			t.Errorf("Bits() of %v = %#x, stored as %#x", s.want, b, s.bits)
		}
	}
}

// TestPrecedenceIsAList: the order audiences name a decision's reason is
// the documented list, whatever the codes.
func TestPrecedenceIsAList(t *testing.T) {
	t.Parallel()
	all := inbox.Audiences(1<<inbox.NumAudiences - 1)
	want := []inbox.Audience{
		inbox.AudienceConversation, inbox.AudienceFriend, inbox.AudienceRecommendedContact,
		inbox.AudienceRecommendedFacebook, inbox.AudienceFollowed, inbox.AudienceFollower,
		inbox.AudienceContact, inbox.AudienceReverseContact, inbox.AudienceFacebookFriend,
		inbox.AudienceFriendOfFriend, inbox.AudienceVerified, inbox.AudienceAnyone,
	}
	if diff := cmp.Diff(want, all.List()); diff != "" {
		t.Errorf("precedence (-want +got):\n%s", diff)
	}
	for i := range want {
		if got := inbox.AudiencesOf(want[i:]...).First(); got != want[i] {
			t.Errorf("First of %v = %v", want[i:], got)
		}
	}
}

// TestTableRoute: the most permissive of the sender's routed audiences
// wins; anyone is everyone else.
func TestTableRoute(t *testing.T) {
	t.Parallel()
	tab := inbox.Table{}.With(inbox.AudienceFollower, inbox.Deny).With(inbox.AudienceFriend, inbox.RoutePrimary).
		With(inbox.AudienceAnyone, inbox.RouteRequests)
	for _, c := range []struct {
		name string
		auds inbox.Audiences
		want inbox.Route
		by   inbox.Audience
	}{
		{"a stranger is everyone else", 0, inbox.RouteRequests, inbox.AudienceAnyone},
		{"an unrouted audience is everyone else", inbox.AudiencesOf(inbox.AudienceContact), inbox.RouteRequests, inbox.AudienceAnyone},
		{"a denied audience bites", inbox.AudiencesOf(inbox.AudienceFollower), inbox.Deny, inbox.AudienceFollower},
		{"the most permissive wins", inbox.AudiencesOf(inbox.AudienceFollower, inbox.AudienceFriend), inbox.RoutePrimary, inbox.AudienceFriend},
	} {
		r, by := tab.Route(c.auds)
		if r != c.want || by != c.by {
			t.Errorf("%s: Route(%v) = %v by %v, want %v by %v", c.name, c.auds.List(), r, by, c.want, c.by)
		}
	}
	if (inbox.Table{}).AtLeast(tab) || !tab.AtLeast(inbox.Table{}) {
		t.Error("AtLeast: the empty table admits nobody")
	}
}
