package privacy

import (
	"errors"
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// Policy is a platform's DM rules over the facts: a routing table per inbox
// mode, which modes each age band gets and may choose, the minimum age and
// the rule for adults and minors, the request cap, group adds, and any
// gates and audiences of the host's own. Presets such as [TikTok] return a
// Policy built from these same fields; a host may build its own, or copy a
// preset and change fields. The engine copies the policy when it is built,
// so changing a Policy later does not change an engine.
//
// Some rules hold under every policy and are not fields: self, account
// status and blocks in both directions always deny, before anything else;
// a store error always denies; and the sender's view never shows more than
// the decision does. The minor rule is on unless a policy turns it off
// explicitly (MinorRule.Off).
type Policy struct {
	// Name identifies the policy in traces, impact reports and scenario
	// files.
	Name string

	// MinAge is the minimum age to send or receive messages (steps 2b and
	// 4); zero means 13, the floor of every preset. Ages are the youngest
	// a user can be, so an unknown age is below any minimum.
	MinAge int

	// AdultAge is the age of majority; zero means 18.
	AdultAge int

	// Minors is the rule for a possible adult messaging a possible minor
	// (step 4b).
	Minors MinorRule

	// Modes is the rule of each inbox mode, indexed by mode; a mode with
	// no Name is not offered by the policy. The ModeDefault entry is
	// unused: a user who never chose gets Availability's default.
	Modes [inbox.NumModes]ModeRule

	// Availability is the default mode and the choosable modes by age
	// band, the modes still limited to a rollout cohort, per-audience
	// route limits and the group-invite setting.
	Availability inbox.Availability

	// KeepConversations lets an accepted conversation (or one the
	// recipient started) reach Primary whatever the mode: Bluesky and X
	// keep old chats when a user tightens their setting. When false, the
	// mode's table decides (TikTok's No one stops old chats too).
	KeepConversations bool

	// IgnoreRestrict is for platforms without a restrict feature: the
	// edge is then not consulted. By default a restricted sender's
	// Primary delivery goes to Requests, silently (step 11).
	IgnoreRestrict bool

	// RequestCap is how many pending message requests a sender may have
	// started within RequestWindow before new ones are refused (step 12);
	// zero means no cap. With CapExemptVerified, verified senders have
	// none (X caps unverified accounts only).
	RequestCap        int
	RequestWindow     time.Duration
	CapExemptVerified bool

	// Gates are the host's own checks, run in order after the rules every
	// policy keeps and the minor rule, before routing: a gate that denies
	// decides, with ReasonPolicyGate and its name in Decision.Rule. A gate
	// can only deny: nothing a host adds can let a blocked sender through.
	Gates []Gate

	// Audiences are the host's own audiences, each routed per mode, ranked
	// after the built-in audiences; a match that wins gives
	// ReasonCustomAudience and its name in Decision.Rule.
	Audiences []CustomAudience

	// Groups is the rule for adding a user to a group chat; see
	// [Engine.CanAddToGroup].
	Groups GroupRule
}

// MinorRule says how a possible adult may message a possible minor. Ages
// are uncertain when they come from a verified band, so the rule applies
// when the recipient may be under AdultAge and the sender may be over it.
type MinorRule struct {
	// Reach is the set of audiences (of the sender, relative to the
	// minor) through which an adult may reach a minor; zero means friends
	// only (TikTok). Instagram lets an adult reach a teen who follows them
	// (AudienceFollowed); Snapchat a friend or a saved contact.
	Reach inbox.Audiences

	// Off turns the rule off: adults may message minors like anyone else.
	// No preset sets it; a host must ask for it explicitly.
	Off bool
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

// ErrInvalidPolicy is wrapped by the errors of [Policy.Validate].
var ErrInvalidPolicy = errors.New("privacy: invalid policy")

// maxAge bounds the ages a policy may name.
const maxAge = 150

// Validate reports whether p is complete and consistent: ages in range,
// every route a defined one, every default and choosable mode offered,
// deny reasons set and showing the sender no more than not_allowed, the cap
// with a window, gates and audiences whole. Each error names the field and
// how to fix it. The simplest valid policy is a preset with fields
// changed: start from [TikTok] or another preset.
func (p *Policy) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w %q: %s %s (start from a preset such as privacy.TikTok() and change fields)",
			ErrInvalidPolicy, p.Name, field, fmt.Sprintf(format, args...))
	}
	for _, a := range []struct {
		field string
		v     int
	}{{"MinAge", p.MinAge}, {"AdultAge", p.AdultAge}, {"Groups.MinAge", p.Groups.MinAge}} {
		if a.v < 0 || a.v > maxAge {
			return bad(a.field, "is %d: want 0 (the default) or an age up to %d", a.v, maxAge)
		}
	}
	if p.minAge() > p.adultAge() {
		return bad("MinAge", "%d is above AdultAge %d: lower it, or raise AdultAge", p.minAge(), p.adultAge())
	}
	if p.RequestCap < 0 {
		return bad("RequestCap", "is %d: want 0 (no cap) or a positive number of pending requests", p.RequestCap)
	}
	if p.RequestCap > 0 && p.RequestWindow <= 0 {
		return bad("RequestWindow", "is %v: a request cap needs a positive window, such as 24*time.Hour", p.RequestWindow)
	}
	if p.Minors.Reach>>inbox.NumAudiences != 0 {
		return bad("Minors.Reach", "names an audience that does not exist (%#x): build it with inbox.AudiencesOf", uint16(p.Minors.Reach))
	}
	names := map[string]inbox.Mode{}
	for m := inbox.Mode(1); m < inbox.NumModes; m++ {
		r := &p.Modes[m]
		if r.Name == "" {
			if r.Table != (inbox.Table{}) || r.Deny != ReasonError {
				return bad(fmt.Sprintf("Modes[%v]", m), "has a table but no Name: name it to offer the mode, or leave it zero")
			}
			continue
		}
		if prev, dup := names[r.Name]; dup {
			return bad(fmt.Sprintf("Modes[%v].Name", m), "%q is also the name of mode %v: names must be unique", r.Name, prev)
		}
		names[r.Name] = m
		if err := r.check(fmt.Sprintf("Modes[%s]", r.Name)); err != "" {
			return bad(err, "")
		}
	}
	for m := inbox.Mode(1); m < inbox.NumModes; m++ {
		if r := &p.Groups.Modes[m]; r.Name != "" {
			if err := r.check(fmt.Sprintf("Groups.Modes[%s]", r.Name)); err != "" {
				return bad(err, "")
			}
		}
	}
	a := &p.Availability
	for b := range graph.NumAgeBands {
		band := graph.AgeBand(b)
		if d := a.Defaults[b]; d == inbox.ModeDefault || !d.Valid() || p.Modes[d].Name == "" {
			return bad(fmt.Sprintf("Availability.Defaults[%v]", band), "is %v, which the policy does not offer: set it to a mode of Modes", d)
		}
		if d := a.GroupDefaults[b]; !d.Valid() || (d != inbox.ModeDefault && p.Groups.Modes[d].Name == "") {
			return bad(fmt.Sprintf("Availability.GroupDefaults[%v]", band), "is %v, which Groups.Modes does not offer: set it to one of them, or to ModeDefault to follow the inbox mode", d)
		}
		for m := inbox.Mode(1); m < inbox.NumModes; m++ {
			if a.Choosable[b].Has(m) && p.Modes[m].Name == "" {
				return bad(fmt.Sprintf("Availability.Choosable[%v]", band), "holds mode %v, which the policy does not offer", m)
			}
			if a.GroupChoosable[b].Has(m) && p.Groups.Modes[m].Name == "" {
				return bad(fmt.Sprintf("Availability.GroupChoosable[%v]", band), "holds group mode %v, which Groups.Modes does not offer", m)
			}
		}
		if a.Choosable[b]>>inbox.NumModes != 0 || a.GroupChoosable[b]>>inbox.NumModes != 0 {
			return bad(fmt.Sprintf("Availability.Choosable[%v]", band), "holds a mode that does not exist: build it with inbox.ModesOf")
		}
		for aud, r := range a.RouteLimits[b] {
			if !r.Valid() {
				return bad(fmt.Sprintf("Availability.RouteLimits[%v][%v]", band, inbox.Audience(aud)), "is %v, not a route: use inbox.Unset, inbox.Deny, inbox.RouteRequests or inbox.RoutePrimary", r)
			}
		}
	}
	for m := range a.Rollout {
		if !m.Valid() || p.Modes[m].Name == "" {
			return bad("Availability.Rollout", "limits mode %v, which the policy does not offer", m)
		}
	}
	seen := map[string]bool{}
	for i, g := range p.Gates {
		if g.Name == "" || g.Deny == nil || seen[g.Name] {
			return bad(fmt.Sprintf("Gates[%d]", i), "(%q) needs a unique Name and a Deny function", g.Name)
		}
		seen[g.Name] = true
	}
	for i, c := range p.Audiences {
		if c.Name == "" || c.Match == nil || seen[c.Name] {
			return bad(fmt.Sprintf("Audiences[%d]", i), "(%q) needs a unique Name and a Match function", c.Name)
		}
		seen[c.Name] = true
		for m, r := range c.Routes {
			if !r.Valid() {
				return bad(fmt.Sprintf("Audiences[%d].Routes[%v]", i, inbox.Mode(m)), "is %v, not a route: use inbox.Unset, inbox.Deny, inbox.RouteRequests or inbox.RoutePrimary", r)
			}
		}
	}
	if len(p.Audiences) > maxCustomAudiences {
		return bad("Audiences", "holds %d audiences, at most %d", len(p.Audiences), maxCustomAudiences)
	}
	return nil
}

// check returns "" or the field of r that is wrong, and why.
func (r *ModeRule) check(field string) string {
	for a, rt := range r.Table {
		if !rt.Valid() {
			return fmt.Sprintf("%s.Table[%v] is %v, not a route: use inbox.Unset, inbox.Deny, inbox.RouteRequests or inbox.RoutePrimary", field, inbox.Audience(a), rt)
		}
	}
	if r.Deny >= numReasons {
		return fmt.Sprintf("%s.Deny is %v, not a reason", field, r.Deny)
	}
	if r.Deny != ReasonError && denyView[r.Deny] != ViewNotAllowed {
		return fmt.Sprintf("%s.Deny is %v, which would show the sender more than not_allowed: use a reason such as ReasonInboxClosed or ReasonNotFriend", field, r.Deny)
	}
	return ""
}

// clone returns a copy of p that shares no map or slice with it.
func (p *Policy) clone() Policy {
	c := *p
	if p.Availability.Rollout != nil {
		c.Availability.Rollout = make(map[inbox.Mode]*inbox.Cohort, len(p.Availability.Rollout))
		for m, co := range p.Availability.Rollout {
			cc := *co
			cc.Allow = append([]string(nil), co.Allow...)
			c.Availability.Rollout[m] = &cc
		}
	}
	c.Gates = append([]Gate(nil), p.Gates...)
	c.Audiences = append([]CustomAudience(nil), p.Audiences...)
	return c
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

// ParseGroupMode returns the group-invite setting named text under this
// policy (the Name of a [GroupRule] mode), or ModeDefault for "default".
func (p *Policy) ParseGroupMode(text string) (inbox.Mode, error) {
	if text == "default" {
		return inbox.ModeDefault, nil
	}
	var names []string
	for m := inbox.Mode(1); m < inbox.NumModes; m++ {
		if n := p.Groups.Modes[m].Name; n != "" {
			if n == text {
				return m, nil
			}
			names = append(names, n)
		}
	}
	return inbox.ModeDefault, fmt.Errorf("privacy: policy %s has no group setting %q (want one of %v)", p.Name, text, names)
}

// GroupModeName returns the name of the group-invite setting m under this
// policy, or m's own name if the policy does not offer it.
func (p *Policy) GroupModeName(m inbox.Mode) string {
	if m.Valid() && p.Groups.Modes[m].Name != "" {
		return p.Groups.Modes[m].Name
	}
	return m.String()
}

// Names returns the policy's names for settings JSON.
func (p *Policy) Names() inbox.Names {
	return inbox.Names{Mode: p.ModeName, Groups: p.GroupModeName, ParseMode: p.ParseMode, ParseGroups: p.ParseGroupMode}
}

// DecodeSettings decodes settings JSON strictly, with this policy's mode
// and group-setting names (see [inbox.DecodeSettings]).
func (p *Policy) DecodeSettings(data []byte) (inbox.Settings, error) {
	return inbox.DecodeSettings(data, p.Names())
}

// EncodeSettings encodes settings as JSON with this policy's names.
func (p *Policy) EncodeSettings(s inbox.Settings) ([]byte, error) {
	return s.MarshalJSONNames(p.Names())
}

func (p *Policy) adultAge() int {
	if p.AdultAge == 0 {
		return 18
	}
	return p.AdultAge
}

func (p *Policy) groupMinAge() int {
	if p.Groups.MinAge == 0 {
		return p.minAge()
	}
	return p.Groups.MinAge
}

func (p *Policy) minAge() int {
	if p.MinAge == 0 {
		return 13
	}
	return p.MinAge
}

// minorReach returns the audiences through which an adult reaches a minor.
func (p *Policy) minorReach() inbox.Audiences {
	if p.Minors.Reach == 0 {
		return inbox.AudiencesOf(inbox.AudienceFriend)
	}
	return p.Minors.Reach
}

// usesFriendOfFriend reports whether any table could route the
// friend-of-friend audience, so the engine must be able to read it.
func (p *Policy) usesFriendOfFriend() bool {
	const fof = inbox.AudienceFriendOfFriend
	for m := range p.Modes {
		if p.Modes[m].Name != "" && p.Modes[m].Table[fof] != inbox.Unset {
			return true
		}
		if p.Groups.Modes[m].Name != "" && p.Groups.Modes[m].Table[fof] != inbox.Unset {
			return true
		}
	}
	if p.minorReach().Has(fof) {
		return true
	}
	if p.Availability.PerAudience {
		for _, t := range p.Availability.RouteLimits {
			if t[fof] != inbox.Unset {
				return true
			}
		}
	}
	return false
}
