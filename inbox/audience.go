package inbox

import (
	"fmt"
	"strings"
)

// Audience is a group a sender belongs to relative to a recipient. Audiences
// are directed facts, and one sender is usually in several at once (a friend
// is also a follower and followed); a policy routes each audience and takes
// the most permissive answer.
type Audience uint8

// Audiences of a sender S relative to a recipient R, in the order in which a
// policy names the reason for a decision: when several audiences give the
// same route, the first one in this order is the reason.
const (
	AudienceConversation        Audience = iota // an accepted thread, or one R started that R has not declined
	AudienceFriend                              // S follows R and R follows S
	AudienceRecommendedContact                  // R has S's number, and S lets contacts be suggested
	AudienceRecommendedFacebook                 // Facebook friends, and S lets Facebook friends be suggested
	AudienceFollowed                            // R follows S
	AudienceFollower                            // S follows R
	AudienceContact                             // R has S's number
	AudienceReverseContact                      // S has R's number
	AudienceFacebookFriend                      // S and R are Facebook friends
	AudienceFriendOfFriend                      // S and R have a friend in common
	AudienceVerified                            // S is a verified account
	AudienceAnyone                              // every sender
)

// NumAudiences is the number of audiences, the length of a [Table].
const NumAudiences = 12

var audienceNames = [NumAudiences]string{
	"conversation", "friend", "recommended_contact", "recommended_facebook",
	"followed", "follower", "contact", "reverse_contact", "facebook_friend",
	"friend_of_friend", "verified", "anyone",
}

// String returns the audience's name as package privacy's documentation
// and scenario files spell it: friend, follower, followed, contact,
// reverse_contact, facebook_friend, friend_of_friend, verified,
// conversation, anyone, recommended_contact, recommended_facebook.
func (a Audience) String() string {
	if int(a) < len(audienceNames) {
		return audienceNames[a]
	}
	return fmt.Sprintf("Audience(%d)", uint8(a))
}

// ParseAudience returns the audience with the given name.
func ParseAudience(text string) (Audience, error) {
	for i, n := range audienceNames {
		if n == text {
			return Audience(i), nil
		}
	}
	return 0, fmt.Errorf("inbox: unknown audience %q (want %s)", text, strings.Join(audienceNames[:], ", "))
}

// Route is what a routing table says for an audience. Routes are ordered by
// permissiveness, and the zero value is the safe one: [Deny].
type Route uint8

// Routes, tightest first.
const (
	Deny          Route = iota // not delivered
	RouteRequests              // delivered to message requests
	RoutePrimary               // delivered to the chats list
)

var routeNames = [...]string{"deny", "requests", "primary"}

// String returns deny, requests or primary.
func (r Route) String() string {
	if int(r) < len(routeNames) {
		return routeNames[r]
	}
	return fmt.Sprintf("Route(%d)", uint8(r))
}

// ParseRoute returns the route named deny, requests or primary.
func ParseRoute(text string) (Route, error) {
	for i, n := range routeNames {
		if n == text {
			return Route(i), nil
		}
	}
	return Deny, fmt.Errorf("inbox: unknown route %q (want primary, requests or deny)", text)
}

// Folder returns the folder a message routed r lands in.
func (r Route) Folder() Folder {
	switch r {
	case RoutePrimary:
		return Primary
	case RouteRequests:
		return Requests
	}
	return NoFolder
}

// Table is a routing table: a route for every audience. An inbox mode is a
// named table; the zero Table denies everyone.
type Table [NumAudiences]Route

// With returns a copy of t with audience a routed to r.
func (t Table) With(a Audience, r Route) Table {
	t[a] = r
	return t
}

// AtLeast reports whether t routes every audience at least as permissively
// as u: a looser mode never routes anyone worse than a tighter one.
func (t Table) AtLeast(u Table) bool {
	for i := range t {
		if t[i] < u[i] {
			return false
		}
	}
	return true
}

// Audiences is a set of audiences.
type Audiences uint16

// AudiencesOf returns the set holding as.
func AudiencesOf(as ...Audience) Audiences {
	var s Audiences
	for _, a := range as {
		s |= 1 << a
	}
	return s
}

// Has reports whether a is in the set.
func (s Audiences) Has(a Audience) bool { return a < NumAudiences && s&(1<<a) != 0 }

// List returns the audiences in the set, in precedence order.
func (s Audiences) List() []Audience {
	var out []Audience
	for a := range Audience(NumAudiences) {
		if s.Has(a) {
			out = append(out, a)
		}
	}
	return out
}

// Overrides are a user's own routes for some audiences, on top of their
// mode's table: Instagram's and Messenger's message controls ("Your
// followers: Chats / Message requests / Don't receive"). The zero Overrides
// overrides nothing.
type Overrides struct {
	set    Audiences
	routes Table
}

// Set returns o with audience a routed to r.
func (o Overrides) Set(a Audience, r Route) Overrides {
	if a < NumAudiences {
		o.set |= 1 << a
		o.routes[a] = r
	}
	return o
}

// Get returns the route set for a, and whether one is.
func (o Overrides) Get(a Audience) (Route, bool) {
	if !o.set.Has(a) {
		return Deny, false
	}
	return o.routes[a], true
}

// Audiences returns the set of audiences o overrides.
func (o Overrides) Audiences() Audiences { return o.set }

// IsZero reports whether o overrides nothing.
func (o Overrides) IsZero() bool { return o.set == 0 }

// Apply returns t with o's routes in place of t's.
func (o Overrides) Apply(t Table) Table {
	if o.set == 0 {
		return t
	}
	for a := range Audience(NumAudiences) {
		if o.set.Has(a) {
			t[a] = o.routes[a]
		}
	}
	return t
}

// Equal reports whether o and p override the same audiences with the same
// routes. (Overrides are also comparable with ==.)
func (o Overrides) Equal(p Overrides) bool { return o == p }

// String lists the overrides as "follower=requests anyone=deny".
func (o Overrides) String() string {
	var parts []string
	for _, a := range o.set.List() {
		parts = append(parts, a.String()+"="+o.routes[a].String())
	}
	return strings.Join(parts, " ")
}

// Bits packs o into an integer, for hosts that store settings in a
// database column: bit a is set when audience a is overridden, and bits
// 16+2a and 17+2a hold its route. [OverridesFromBits] reverses it.
func (o Overrides) Bits() uint64 {
	b := uint64(o.set)
	for a := range Audience(NumAudiences) {
		if o.set.Has(a) {
			b |= uint64(o.routes[a]) << (16 + 2*uint(a))
		}
	}
	return b
}

// OverridesFromBits unpacks what [Overrides.Bits] packed. It refuses bits
// that name no audience or no route, so a corrupt column is an error, not a
// silent route.
func OverridesFromBits(b uint64) (Overrides, error) {
	var o Overrides
	mask := Audiences(b & 0xffff)
	if mask>>NumAudiences != 0 || b>>(16+2*NumAudiences) != 0 {
		return Overrides{}, fmt.Errorf("inbox: overrides bits %#x name an unknown audience", b)
	}
	for a := range Audience(NumAudiences) {
		r := Route(b >> (16 + 2*uint(a)) & 3)
		switch {
		case !mask.Has(a) && r != Deny:
			return Overrides{}, fmt.Errorf("inbox: overrides bits %#x route audience %v without overriding it", b, a)
		case r > RoutePrimary:
			return Overrides{}, fmt.Errorf("inbox: overrides bits %#x: invalid route for audience %v", b, a)
		case mask.Has(a):
			o = o.Set(a, r)
		}
	}
	return o, nil
}
