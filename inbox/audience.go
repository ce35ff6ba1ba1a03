package inbox

import (
	"fmt"
	"math/bits"
	"strings"
)

// Audience is a group a sender belongs to relative to a recipient. Audiences
// are directed facts, and one sender is usually in several at once (a friend
// is also a follower and followed); a routing table routes each audience,
// and the most permissive route among the sender's routed audiences wins.
//
// An audience's value is its wire code, the number stored in a host's
// settings column by [Overrides.Bits]: codes are fixed forever, and a new
// audience takes the next free code. The order in which audiences name the
// reason of a decision is a separate list ([Audiences.List] and
// [Audiences.First] follow it).
type Audience uint8

// Audiences of a sender S relative to a recipient R. The values are wire
// codes; do not reorder or renumber them.
const (
	AudienceConversation        Audience = 0  // an accepted thread, or one R started that R has not declined
	AudienceFriend              Audience = 1  // S follows R and R follows S
	AudienceRecommendedContact  Audience = 2  // R has S's number, and S lets contacts be suggested
	AudienceRecommendedFacebook Audience = 3  // Facebook friends, and S lets Facebook friends be suggested
	AudienceFollowed            Audience = 4  // R follows S
	AudienceFollower            Audience = 5  // S follows R
	AudienceContact             Audience = 6  // R has S's number
	AudienceReverseContact      Audience = 7  // S has R's number
	AudienceFacebookFriend      Audience = 8  // S and R are Facebook friends
	AudienceFriendOfFriend      Audience = 9  // S and R have a friend in common
	AudienceVerified            Audience = 10 // S is a verified account
	AudienceAnyone              Audience = 11 // everyone else: senders none of whose other audiences is routed
)

// NumAudiences is the number of audiences, the length of a [Table].
const NumAudiences = 12

// maxAudiences is how many audiences the wire formats hold: [Overrides.Bits]
// keeps a 16-bit mask and 2 bits of route per audience in 48 bits. The
// array below fails to compile if the audiences outgrow it.
const maxAudiences = 16

var _ [maxAudiences - NumAudiences]struct{}

// precedence is the order in which audiences name the reason of a
// decision: when several of a sender's audiences give the same best route,
// the first of them here is the reason. It is data, not the codes' order.
var precedence = [NumAudiences]Audience{
	AudienceConversation,
	AudienceFriend,
	AudienceRecommendedContact,
	AudienceRecommendedFacebook,
	AudienceFollowed,
	AudienceFollower,
	AudienceContact,
	AudienceReverseContact,
	AudienceFacebookFriend,
	AudienceFriendOfFriend,
	AudienceVerified,
	AudienceAnyone,
}

// inCodeOrder reports whether precedence is the codes' order, so that the
// first audience of a set is its lowest bit.
var inCodeOrder = func() bool {
	for i, a := range precedence {
		if int(a) != i {
			return false
		}
	}
	return true
}()

var audienceNames = [NumAudiences]string{
	AudienceConversation:        "conversation",
	AudienceFriend:              "friend",
	AudienceRecommendedContact:  "recommended_contact",
	AudienceRecommendedFacebook: "recommended_facebook",
	AudienceFollowed:            "followed",
	AudienceFollower:            "follower",
	AudienceContact:             "contact",
	AudienceReverseContact:      "reverse_contact",
	AudienceFacebookFriend:      "facebook_friend",
	AudienceFriendOfFriend:      "friend_of_friend",
	AudienceVerified:            "verified",
	AudienceAnyone:              "anyone",
}

// String returns the audience's name as settings JSON and scenario files
// spell it: conversation, friend, recommended_contact, recommended_facebook,
// followed, follower, contact, reverse_contact, facebook_friend,
// friend_of_friend, verified, anyone.
func (a Audience) String() string {
	if int(a) < len(audienceNames) {
		return audienceNames[a]
	}
	return fmt.Sprintf("Audience(%d)", uint8(a))
}

// Valid reports whether a is a defined audience.
func (a Audience) Valid() bool { return a < NumAudiences }

// ParseAudience returns the audience with the given name.
func ParseAudience(text string) (Audience, error) {
	for _, a := range precedence {
		if audienceNames[a] == text {
			return a, nil
		}
	}
	var names []string
	for _, a := range precedence {
		names = append(names, audienceNames[a])
	}
	return 0, fmt.Errorf("inbox: unknown audience %q (want %s)", text, strings.Join(names, ", "))
}

// Route is what a routing table says for an audience: deliver to Primary,
// to Requests, refuse (Deny), or nothing at all (Unset). Deny, Requests and
// Primary are ordered by permissiveness ([Route.AtLeast]). The zero value,
// [Unset], leaves the audience to the table's anyone row, which denies when
// it is unset too: a zero Table admits nobody.
type Route uint8

// Routes.
const (
	Unset         Route = iota // the table says nothing for this audience
	Deny                       // refused: not delivered
	RouteRequests              // delivered to message requests
	RoutePrimary               // delivered to the chats list
	numRoutes
)

var routeNames = [numRoutes]string{"unset", "deny", "requests", "primary"}

// String returns unset, deny, requests or primary.
func (r Route) String() string {
	if r < numRoutes {
		return routeNames[r]
	}
	return fmt.Sprintf("Route(%d)", uint8(r))
}

// Valid reports whether r is a defined route, Unset included.
func (r Route) Valid() bool { return r < numRoutes }

// ParseRoute returns the route named deny, requests or primary. Unset is
// not a choice a user makes: it is the absence of a route.
func ParseRoute(text string) (Route, error) {
	for r := Deny; r < numRoutes; r++ {
		if routeNames[r] == text {
			return r, nil
		}
	}
	return Unset, fmt.Errorf("inbox: unknown route %q (want primary, requests or deny)", text)
}

// AtLeast reports whether r is at least as permissive as s, counting Unset
// as Deny.
func (r Route) AtLeast(s Route) bool { return r.rank() >= s.rank() }

// rank orders routes by permissiveness: 0 for Deny (and Unset), 1 for
// Requests, 2 for Primary.
func (r Route) rank() int {
	switch r {
	case RouteRequests:
		return 1
	case RoutePrimary:
		return 2
	}
	return 0
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

// Wire codes of routes in [Overrides.Bits], fixed whatever the enum's
// order: 0 deny, 1 requests, 2 primary.
var routeCode = [numRoutes]uint64{Deny: 0, RouteRequests: 1, RoutePrimary: 2}

var codeRoute = [4]Route{0: Deny, 1: RouteRequests, 2: RoutePrimary, 3: Unset}

// Table is a routing table: a route for each audience a policy has a rule
// for, Unset for the others. A sender gets the most permissive route among
// their audiences that the table routes; the anyone row applies only to a
// sender in none of them ("everyone else"), and an unset anyone row denies.
// An inbox mode is a named table; the zero Table admits nobody.
type Table [NumAudiences]Route

// With returns a copy of t with audience a routed to r.
func (t Table) With(a Audience, r Route) Table {
	t[a] = r
	return t
}

// Route returns the route a sender in the audiences auds gets from t, and
// the audience that decided: the first, in precedence order, of the
// sender's routed audiences with the best route, or AudienceAnyone when
// none of them is routed. A Deny is reported as Deny, whether the table
// said so or left every audience unset.
func (t Table) Route(auds Audiences) (Route, Audience) {
	var set, best Audiences
	top := Deny
	for s := auds & (1<<NumAudiences - 1) &^ (1 << AudienceAnyone); s != 0; s &= s - 1 {
		a := Audience(bits.TrailingZeros16(uint16(s)))
		r := t[a]
		if r == Unset {
			continue
		}
		set |= 1 << a
		switch {
		case r.rank() > top.rank():
			top, best = r, 1<<a
		case r.rank() == top.rank():
			best |= 1 << a
		}
	}
	if set == 0 {
		if r := t[AudienceAnyone]; r != Unset {
			return r, AudienceAnyone
		}
		return Deny, AudienceAnyone
	}
	return top, best.First()
}

// AtLeast reports whether t routes every sender at least as permissively
// as u does, whatever audiences the sender is in: a looser mode never
// routes anyone worse than a tighter one. It compares every combination of
// audiences.
func (t Table) AtLeast(u Table) bool {
	for s := Audiences(0); s < 1<<NumAudiences; s++ {
		a, _ := t.Route(s)
		b, _ := u.Route(s)
		if !a.AtLeast(b) {
			return false
		}
	}
	return true
}

// Routed returns the audiences t routes (those not Unset).
func (t Table) Routed() Audiences {
	var s Audiences
	for a, r := range t {
		if r != Unset {
			s |= 1 << a
		}
	}
	return s
}

// Audiences is a set of audiences.
type Audiences uint16

// AudiencesOf returns the set holding as.
func AudiencesOf(as ...Audience) Audiences {
	var s Audiences
	for _, a := range as {
		if a < NumAudiences {
			s |= 1 << a
		}
	}
	return s
}

// Has reports whether a is in the set.
func (s Audiences) Has(a Audience) bool { return a < NumAudiences && s&(1<<a) != 0 }

// First returns the first audience of the set in precedence order, or
// AudienceAnyone for the empty set.
func (s Audiences) First() Audience {
	s &= 1<<NumAudiences - 1
	if s == 0 {
		return AudienceAnyone
	}
	if inCodeOrder {
		return Audience(bits.TrailingZeros16(uint16(s)))
	}
	for _, a := range precedence {
		if s.Has(a) {
			return a
		}
	}
	return AudienceAnyone
}

// List returns the audiences in the set, in precedence order.
func (s Audiences) List() []Audience {
	var out []Audience
	for _, a := range precedence {
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

// Set returns o with audience a routed to r; Unset removes a's override.
func (o Overrides) Set(a Audience, r Route) Overrides {
	if a >= NumAudiences {
		return o
	}
	if r == Unset {
		o.set &^= 1 << a
		o.routes[a] = Unset
		return o
	}
	o.set |= 1 << a
	o.routes[a] = r
	return o
}

// Get returns the route set for a, and whether one is.
func (o Overrides) Get(a Audience) (Route, bool) {
	if !o.set.Has(a) {
		return Unset, false
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
	for s := o.set; s != 0; s &= s - 1 {
		a := bits.TrailingZeros16(uint16(s))
		t[a] = o.routes[a]
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
// database column: bit c is set when the audience whose code is c is
// overridden, and bits 16+2c and 17+2c hold its route's code (0 deny, 1
// requests, 2 primary). Codes never change, so stored values decode the
// same in every release. [OverridesFromBits] reverses it.
func (o Overrides) Bits() uint64 {
	b := uint64(o.set)
	for s := o.set; s != 0; s &= s - 1 {
		a := bits.TrailingZeros16(uint16(s))
		b |= routeCode[o.routes[a]] << (16 + 2*uint(a))
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
		c := b >> (16 + 2*uint(a)) & 3
		switch {
		case !mask.Has(a) && c != 0:
			return Overrides{}, fmt.Errorf("inbox: overrides bits %#x route audience %v without overriding it", b, a)
		case mask.Has(a) && codeRoute[c] == Unset:
			return Overrides{}, fmt.Errorf("inbox: overrides bits %#x: invalid route for audience %v", b, a)
		case mask.Has(a):
			o = o.Set(a, codeRoute[c])
		}
	}
	return o, nil
}
