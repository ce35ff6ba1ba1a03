package privacy

import (
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// compiled is a Policy laid out for the decision function: routing tables
// as bit masks, availability as per-band masks, the ages it compares with.
// It is built once, by New, from a validated policy.
type compiled struct {
	p *Policy // the policy itself, for names and the host's gates

	ages      [numCuts]int
	minorOff  bool
	reach     inbox.Audiences // audiences through which an adult reaches a minor
	restrict  bool            // a restricted sender's Primary goes to Requests
	keepConv  bool
	capN      int
	capExempt bool

	modes  [inbox.NumModes]routing // the DM tables
	groups [inbox.NumModes]routing // the group-invite tables
	custom bool                    // the policy has gates or audiences of the host's

	// By age band: the default mode, the modes a band may hold, the group
	// defaults and choices, the route limits.
	defaults      [graph.NumAgeBands]inbox.Mode
	choosable     [graph.NumAgeBands]inbox.Modes
	groupDefaults [graph.NumAgeBands]inbox.Mode
	groupChoose   [graph.NumAgeBands]inbox.Modes
	perAudience   bool
}

// routing is a routing table as masks: the audiences it routes (anyone
// aside), those routed Primary and those routed Requests, the anyone row,
// and the reason of a deny.
type routing struct {
	offered  bool
	routed   inbox.Audiences
	primary  inbox.Audiences
	requests inbox.Audiences
	anyone   inbox.Route
	deny     Reason
}

const anyoneBit = inbox.Audiences(1) << inbox.AudienceAnyone

func tableOf(t inbox.Table) routing {
	var c routing
	for a, r := range t {
		bit := inbox.Audiences(1) << a
		if inbox.Audience(a) == inbox.AudienceAnyone {
			c.anyone = r
			continue
		}
		switch r {
		case inbox.Unset:
			continue
		case inbox.RoutePrimary:
			c.primary |= bit
		case inbox.RouteRequests:
			c.requests |= bit
		}
		c.routed |= bit
	}
	return c
}

// with returns t with the overrides o in place of its routes.
func (t routing) with(o inbox.Overrides) routing {
	set := o.Audiences()
	if set == 0 {
		return t
	}
	if r, ok := o.Get(inbox.AudienceAnyone); ok {
		t.anyone = r
	}
	set &^= anyoneBit
	t.routed |= set
	t.primary &^= set
	t.requests &^= set
	for s := set; s != 0; s &= s - 1 {
		a := inbox.Audience(lowBit(s))
		switch r, _ := o.Get(a); r {
		case inbox.RoutePrimary:
			t.primary |= 1 << a
		case inbox.RouteRequests:
			t.requests |= 1 << a
		}
	}
	return t
}

func compile(p *Policy) *compiled {
	c := &compiled{
		p:         p,
		minorOff:  p.Minors.Off,
		reach:     p.minorReach(),
		restrict:  !p.IgnoreRestrict,
		keepConv:  p.KeepConversations,
		capN:      p.RequestCap,
		capExempt: p.CapExemptVerified,
		custom:    len(p.Gates) > 0 || len(p.Audiences) > 0,
	}
	c.ages = [numCuts]int{cutMin: p.minAge(), cutAdult: p.adultAge(), cutGroupMin: p.groupMinAge(), cut13: 13, cut16: 16, cut18: 18}
	for m := range inbox.Mode(inbox.NumModes) {
		for i, rules := range [2]*[inbox.NumModes]ModeRule{&p.Modes, &p.Groups.Modes} {
			r := &rules[m]
			if r.Name == "" || m == inbox.ModeDefault {
				continue
			}
			t := r.Table
			if c.keepConv && i == 0 {
				t[inbox.AudienceConversation] = inbox.RoutePrimary
			}
			ct := tableOf(t)
			ct.offered = true
			ct.deny = r.Deny
			if ct.deny == ReasonError {
				ct.deny = ReasonInboxClosed
			}
			if i == 0 {
				c.modes[m] = ct
			} else {
				c.groups[m] = ct
			}
		}
	}
	a := &p.Availability
	for b := range graph.NumAgeBands {
		c.defaults[b] = a.Defaults[b]
		c.choosable[b] = a.Choosable[b]
		c.groupDefaults[b] = a.GroupDefaults[b]
		c.groupChoose[b] = a.GroupChoosable[b]
	}
	c.perAudience = a.PerAudience
	return c
}

// mode returns the recipient's effective mode for a band, and whether the
// fail-safe replaced the mode they chose.
func (c *compiled) mode(chosen inbox.Mode, band graph.AgeBand) (inbox.Mode, bool) {
	if chosen == inbox.ModeDefault {
		return c.defaults[band], false
	}
	if chosen.Valid() && c.choosable[band].Has(chosen) {
		return chosen, false
	}
	return c.defaults[band], true
}

// groupMode returns who may add the invitee to groups for a band: their
// group setting, or the band's default, also when the band may not hold
// their setting (the fail-safe). ModeDefault means "as their inbox mode".
func (c *compiled) groupMode(chosen inbox.Mode, band graph.AgeBand) inbox.Mode {
	if chosen != inbox.ModeDefault && chosen.Valid() && c.groupChoose[band].Has(chosen) {
		return chosen
	}
	return c.groupDefaults[band]
}

// overrides returns the recipient's per-audience routes that apply to
// their band: none without per-audience settings, and none the band may
// not set (the fail-safe, for routes).
func (c *compiled) overrides(o inbox.Overrides, band graph.AgeBand) inbox.Overrides {
	if !c.perAudience || o.IsZero() {
		return inbox.Overrides{}
	}
	lim := &c.p.Availability.RouteLimits[band]
	for s := o.Audiences(); s != 0; s &= s - 1 {
		a := inbox.Audience(lowBit(s))
		if r, _ := o.Get(a); !inbox.RouteAllowed(lim[a], r) {
			o = o.Set(a, inbox.Unset)
		}
	}
	return o
}
