package privacy

import (
	"errors"
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// Policy is a platform's DM rules over the facts: the hard gates (minimum
// age, the adult-to-minor rule), a routing table per inbox mode, which modes
// each age band gets and may choose, and the request cap. Presets such as
// [TikTok] return a Policy; a host may build its own, or copy a preset and
// change fields. The engine copies the policy when it is built, so changing
// a Policy later does not change an engine.
//
// The gates that every policy keeps are not fields: self, account status and
// blocks in both directions always deny, before any routing.
type Policy struct {
	// Name identifies the policy in traces and scenario files.
	Name string

	// MinAge is the minimum age to send or receive messages (steps 2b and
	// 4); 0 means none. Ages are the youngest a user can be.
	MinAge int

	// AdultAge is the age of majority used by ProtectMinors; 18 if zero.
	AdultAge int

	// ProtectMinors denies a message from a possible adult to a possible
	// minor who is not their friend (step 4b), whatever the minor's mode.
	ProtectMinors bool

	// Modes is the rule of each inbox mode, indexed by mode; a mode with
	// no Name is not offered by the policy. The ModeDefault entry is
	// unused: a user who never chose gets Availability's default.
	Modes [inbox.NumModes]ModeRule

	// Availability is the default mode and the choosable modes by age
	// band, and the modes still limited to a rollout cohort.
	Availability inbox.Availability

	// RequestCap is how many pending message requests a sender may have
	// started within RequestWindow before new ones are refused (step 12);
	// 0 means no cap.
	RequestCap    int
	RequestWindow time.Duration
}

// ModeRule is what one inbox mode means under a policy.
type ModeRule struct {
	// Name is the mode's text form under this policy (Bluesky calls
	// Everyone "all"); empty if the policy does not offer the mode.
	Name string

	// Table routes each audience the sender is in; the most permissive
	// route wins.
	Table inbox.Table

	// Deny is the reason given when the table routes every audience the
	// sender is in to Deny (not_friend under Friends).
	Deny Reason
}

// TikTok returns the TikTok preset, the default policy: DESIGN.md's
// decision table. DMs are for 16 and over; 16–17-year-olds hear from adults
// only if they are friends; the modes are Everyone (strangers to requests),
// Suggested friends, Friends and No one (which also stops old chats); a mode
// never set is No one under 18 and Friends from 18; Everyone is for 18+; a
// sender may have 20 pending requests started in 24 hours.
func TikTok() *Policy {
	const P, Q = inbox.RoutePrimary, inbox.RouteRequests
	var friends, suggested, everyone inbox.Table
	friends = friends.With(inbox.AudienceConversation, P).With(inbox.AudienceFriend, P)
	suggested = friends.With(inbox.AudienceRecommendedContact, P).With(inbox.AudienceRecommendedFacebook, P)
	everyone = suggested.With(inbox.AudienceFollowed, P).With(inbox.AudienceAnyone, Q)

	under18 := inbox.ModesOf(inbox.NoOne, inbox.Friends, inbox.SuggestedFriends)
	p := &Policy{
		Name:          "tiktok",
		MinAge:        16,
		AdultAge:      18,
		ProtectMinors: true,
		RequestCap:    20,
		RequestWindow: 24 * time.Hour,
	}
	p.Modes[inbox.Everyone] = ModeRule{Name: "everyone", Table: everyone}
	p.Modes[inbox.SuggestedFriends] = ModeRule{Name: "suggested", Table: suggested, Deny: ReasonNotSuggested}
	p.Modes[inbox.Friends] = ModeRule{Name: "friends", Table: friends, Deny: ReasonNotFriend}
	p.Modes[inbox.NoOne] = ModeRule{Name: "noone", Deny: ReasonInboxClosed}
	for b := range graph.NumAgeBands {
		p.Availability.Defaults[b] = inbox.NoOne
		p.Availability.Choosable[b] = under18
	}
	p.Availability.Defaults[graph.Age18Plus] = inbox.Friends
	p.Availability.Choosable[graph.Age18Plus] = under18 | inbox.ModesOf(inbox.Everyone)
	return p
}

// ErrInvalidPolicy is wrapped by the errors of [Policy.Validate].
var ErrInvalidPolicy = errors.New("privacy: invalid policy")

// Validate reports whether p is complete and consistent: every default and
// choosable mode is offered, deny reasons are set, ages and the cap make
// sense.
func (p *Policy) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidPolicy, p.Name, fmt.Sprintf(format, args...))
	}
	if p.MinAge < 0 || p.AdultAge < 0 {
		return bad("negative age")
	}
	if p.RequestCap < 0 || (p.RequestCap > 0 && p.RequestWindow <= 0) {
		return bad("a request cap needs a positive window")
	}
	names := map[string]inbox.Mode{}
	for m := inbox.Mode(1); m < inbox.NumModes; m++ {
		r := p.Modes[m]
		if r.Name == "" {
			continue
		}
		if prev, dup := names[r.Name]; dup {
			return bad("modes %v and %v are both named %q", prev, m, r.Name)
		}
		names[r.Name] = m
		if r.Deny == ReasonError && r.Table[inbox.AudienceAnyone] == inbox.Deny {
			return bad("mode %q has no deny reason", r.Name)
		}
		if r.Deny >= numReasons || (r.Deny != ReasonError && denyView[r.Deny] != ViewNotAllowed) {
			return bad("mode %q: deny reason %v would show the sender more than not_allowed", r.Name, r.Deny)
		}
	}
	for b := range graph.NumAgeBands {
		if d := p.Availability.Defaults[b]; d == inbox.ModeDefault || !d.Valid() || p.Modes[d].Name == "" {
			return bad("default mode %v for age band %v is not offered", d, graph.AgeBand(b))
		}
		for m := inbox.Mode(1); m < inbox.NumModes; m++ {
			if p.Availability.Choosable[b].Has(m) && p.Modes[m].Name == "" {
				return bad("mode %v is choosable by age band %v but not offered", m, graph.AgeBand(b))
			}
		}
	}
	return nil
}

// ParseMode returns the mode named text under this policy (the Name of a
// [ModeRule]), or ModeDefault for "default".
func (p *Policy) ParseMode(text string) (inbox.Mode, error) {
	if text == "default" {
		return inbox.ModeDefault, nil
	}
	var names []string
	for m := inbox.Mode(1); m < inbox.NumModes; m++ {
		if n := p.Modes[m].Name; n != "" {
			if n == text {
				return m, nil
			}
			names = append(names, n)
		}
	}
	return inbox.ModeDefault, fmt.Errorf("privacy: policy %s has no mode %q (want one of %v)", p.Name, text, names)
}

// ModeName returns the name of m under this policy, or m's own name if the
// policy does not offer it.
func (p *Policy) ModeName(m inbox.Mode) string {
	if m.Valid() && p.Modes[m].Name != "" {
		return p.Modes[m].Name
	}
	return m.String()
}

func (p *Policy) adultAge() int {
	if p.AdultAge == 0 {
		return 18
	}
	return p.AdultAge
}
