package privacytest

import (
	"fmt"
	"time"

	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// The generators draw what scenario files can say, so that every world
// prints as a .dm file the runner rebuilds: birth dates (no verified age
// bands, no unknown ages), times to the minute, contact keys derived from
// names, no group settings and no tags.
//
// rapid's integer generators favour small values, which would make a
// "20 %" fact happen far more or less often than that; the draws below are
// made of fair bits instead, and shrink towards "no" and the first choice,
// so a failing world shrinks to few users and few relations.

// bits draws an n-bit number from fair coin flips.
func bits(t *rapid.T, n int, label string) int {
	x := 0
	for range n {
		x <<= 1
		if rapid.Bool().Draw(t, label) {
			x |= 1
		}
	}
	return x
}

// chance draws true with probability pct/100 (to within 1/64); it shrinks
// to false.
func chance(t *rapid.T, pct int, label string) bool {
	return bits(t, 6, label) >= 64-pct*64/100
}

// pick draws one of xs, about uniformly; it shrinks to the first.
func pick[E any](t *rapid.T, xs []E, label string) E {
	return xs[bits(t, 8, label)%len(xs)]
}

// oneOf draws one of xs, about uniformly, shrinking to the first: pick as
// a generator, so that a rule's draws show in rapid's log once each.
func oneOf[E any](xs []E) *rapid.Generator[E] {
	return rapid.Custom(func(t *rapid.T) E { return pick(t, xs, "") })
}

// coin draws true with probability pct/100, shrinking to false.
func coin(pct int) *rapid.Generator[bool] {
	return rapid.Custom(func(t *rapid.T) bool { return chance(t, pct, "") })
}

// names are the users' names: short, distinct, and valid in scenario
// files.
var names = []string{"ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal"}

// MaxUsers is the most users a generated World has.
const MaxUsers = 6

// Time draws a time for decisions, to the minute: on days where ages are
// tricky (29 February, the day after 28 February in a year without a 29th,
// the turn of a year), at any minute, in UTC or in zones far from it, since
// ages count by the UTC calendar date.
func Time() *rapid.Generator[time.Time] {
	return rapid.Custom(func(t *rapid.T) time.Time {
		day := pick(t, []time.Time{
			time.Date(2026, time.June, 15, 0, 0, 0, 0, time.UTC),
			time.Date(2024, time.February, 29, 0, 0, 0, 0, time.UTC),
			time.Date(2025, time.February, 28, 0, 0, 0, 0, time.UTC),
			time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2024, time.December, 31, 0, 0, 0, 0, time.UTC),
			time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC),
		}, "day")
		at := day.Add(time.Duration(bits(t, 11, "minute")%(24*60)) * time.Minute)
		zone := pick(t, []*time.Location{time.UTC, time.FixedZone("+14", 14*3600), time.FixedZone("-12", -12*3600)}, "zone")
		return at.In(zone)
	})
}

// ages returns the ages worth drawing under p: both sides of its minimum
// age and of its age of majority, of 13, 16 and 18, and adults.
func ages(p *privacy.Policy) []int {
	minAge, adult := p.MinAge, p.AdultAge
	if minAge == 0 {
		minAge = 13
	}
	if adult == 0 {
		adult = 18
	}
	seen := map[int]bool{}
	var out []int
	for _, a := range []int{30, adult, adult - 1, minAge, minAge - 1, 12, 13, 15, 16, 17, 18, 19, 45} {
		if a >= 0 && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// Account draws an account of a user under p at time at: mostly active,
// with a birth date that puts the user on either side of every age the
// policy and the age bands draw a line at — often with the birthday on at's
// UTC date or a day either side, so the age flips there, and sometimes on
// 29 February — verified or not, with either suggestion switch off.
func Account(p *privacy.Policy, at time.Time) *rapid.Generator[graph.User] {
	return rapid.Custom(func(t *rapid.T) graph.User {
		u := graph.User{Status: graph.Active}
		if chance(t, 8, "closed") {
			u.Status = pick(t, []graph.Status{graph.Deactivated, graph.Suspended, graph.Deleted}, "status")
		}
		years := pick(t, ages(p), "age")
		y, m, d := at.UTC().Date()
		switch pick(t, []string{"close", "close", "close", "any", "leapling"}, "birthday") {
		case "leapling": // born on the 29 February nearest that age
			by := y - years
			for by%4 != 0 || (by%100 == 0 && by%400 != 0) {
				by--
			}
			u.Birth = time.Date(by, time.February, 29, 0, 0, 0, 0, time.UTC)
		case "any":
			u.Birth = time.Date(y-years, m, d+bits(t, 9, "day")-256, 0, 0, 0, 0, time.UTC)
		default: // the birthday is at's date, or a day or two either side
			u.Birth = time.Date(y-years, m, d+pick(t, []int{0, -1, 1, -2, 2}, "days"), 0, 0, 0, 0, time.UTC)
		}
		u.Verified = chance(t, 25, "verified")
		u.HideFromContacts = chance(t, 20, "hide from contacts")
		u.HideFromFacebook = chance(t, 20, "hide from facebook")
		return u
	})
}

// routable are the audiences a user may route on their own (the
// route.AUDIENCE keys of scenario files).
var routable = []inbox.Audience{
	inbox.AudienceFollower, inbox.AudienceAnyone, inbox.AudienceFriend, inbox.AudienceFollowed,
	inbox.AudienceContact, inbox.AudienceReverseContact, inbox.AudienceFacebookFriend,
	inbox.AudienceFriendOfFriend, inbox.AudienceVerified,
}

// Settings draws inbox settings the user u may choose at time at under p:
// a mode of the policy their age band may choose, or none (the band's
// default), and under a policy with per-audience settings up to three
// routes within the band's limits. The settings pass
// privacy.Engine.ValidateSettings for a user whose cohort key is name.
func Settings(p *privacy.Policy, u graph.User, at time.Time, name string) *rapid.Generator[inbox.Settings] {
	return rapid.Custom(func(t *rapid.T) inbox.Settings {
		band := u.BandAt(at)
		key := inbox.CohortKey(name)
		var modes []inbox.Mode
		for m := inbox.Mode(1); m < inbox.NumModes; m++ {
			if p.Modes[m].Name != "" && p.Availability.Validate(inbox.Settings{Mode: m}, band, key) == nil {
				modes = append(modes, m)
			}
		}
		var s inbox.Settings
		if len(modes) > 0 && chance(t, 70, "chose a mode") {
			s.Mode = pick(t, modes, "mode")
		}
		if p.Availability.PerAudience {
			for range bits(t, 2, "routes") {
				a := pick(t, routable, "route audience")
				r := pick(t, []inbox.Route{inbox.Deny, inbox.RouteRequests, inbox.RoutePrimary}, "route")
				if next := s.Routes.Set(a, r); p.Availability.Validate(inbox.Settings{Mode: s.Mode, Routes: next}, band, key) == nil {
					s.Routes = next
				}
			}
		}
		return s
	})
}

// Users draws 2 to MaxUsers users under p at time at, named ann, bob, cat,
// …, each with an Account and Settings.
func Users(p *privacy.Policy, at time.Time) *rapid.Generator[[]User] {
	return rapid.Custom(func(t *rapid.T) []User {
		n := 2 + bits(t, 3, "users")%(MaxUsers-1)
		users := make([]User, n)
		for i := range users {
			name := names[i]
			a := Account(p, at).Draw(t, name)
			users[i] = User{Name: name, Account: a, Settings: Settings(p, a, at, name).Draw(t, name+" settings")}
		}
		return users
	})
}

// Edges draws relations between the users: follows (so friends, followers
// and followed), blocks and restrictions either way, synced contacts and
// Facebook links, each independently for every pair.
func Edges(users []User) *rapid.Generator[[]Edge] {
	return rapid.Custom(func(t *rapid.T) []Edge {
		var out []Edge
		for _, a := range users {
			for _, b := range users {
				if a.Name == b.Name {
					continue
				}
				for _, k := range []struct {
					kind graph.Edge
					pct  int
				}{{graph.Follow, 40}, {graph.Block, 8}, {graph.Restrict, 12}, {graph.Contact, 25}, {graph.Facebook, 20}} {
					if k.kind == graph.Facebook && a.Name > b.Name {
						continue // one link per pair
					}
					if chance(t, k.pct, fmt.Sprintf("%v %s %s", k.kind, a.Name, b.Name)) {
						out = append(out, Edge{Kind: k.kind, From: a.Name, To: b.Name})
					}
				}
			}
		}
		return out
	})
}

// agos are how long before the decisions a conversation started: at the
// same minute, on both edges of a 24-hour request window, and well before.
var agos = []time.Duration{
	time.Hour, 0, time.Minute, 23*time.Hour + 59*time.Minute, 24 * time.Hour,
	24*time.Hour + time.Minute, 30 * time.Hour, 72 * time.Hour, -1,
}

// Conversations draws threads between the users, in every state (pending,
// held, accepted, declined), started by either user at whole minutes up to
// three days before at, on both edges of a 24-hour request window.
func Conversations(users []User, at time.Time) *rapid.Generator[[]Conversation] {
	return rapid.Custom(func(t *rapid.T) []Conversation {
		var out []Conversation
		for i, a := range users {
			for _, b := range users[i+1:] {
				if !chance(t, 40, "conversation "+a.Name+" "+b.Name) {
					continue
				}
				c := Conversation{From: a.Name, To: b.Name}
				if rapid.Bool().Draw(t, "started by "+b.Name) {
					c.From, c.To = b.Name, a.Name
				}
				c.State = pick(t, []inbox.State{inbox.Pending, inbox.Accepted, inbox.Held, inbox.Declined}, "state")
				ago := pick(t, agos, "ago")
				if ago < 0 { // any minute of the last two days
					ago = time.Duration(bits(t, 12, "minutes")%(48*60)) * time.Minute
				}
				c.Started = at.Add(-ago)
				out = append(out, c)
			}
		}
		return out
	})
}

// Worlds draws whole worlds under p: a Time, Users, Edges and
// Conversations. A failing world shrinks towards two users with nothing
// between them.
func Worlds(p *privacy.Policy) *rapid.Generator[*World] {
	return rapid.Custom(func(t *rapid.T) *World {
		at := Time().Draw(t, "at")
		users := Users(p, at).Draw(t, "users")
		return &World{
			Policy:        p,
			At:            at,
			Users:         users,
			Edges:         Edges(users).Draw(t, "edges"),
			Conversations: Conversations(users, at).Draw(t, "conversations"),
		}
	})
}

// Request draws a question about w: a sender and a recipient among its
// users (sometimes the same one) at w.At.
func Request(w *World) *rapid.Generator[privacy.Request[string]] {
	return rapid.Custom(func(t *rapid.T) privacy.Request[string] {
		return privacy.Request[string]{
			Sender:    pick(t, w.Names(), "sender"),
			Recipient: pick(t, w.Names(), "recipient"),
			At:        w.At,
		}
	})
}

// groupRequests draws group adds in w: an inviter, an invitee and at
// least one member (never the invitee; the inviter sometimes among them).
func groupRequests(w *World) *rapid.Generator[privacy.GroupRequest[string]] {
	return rapid.Custom(func(t *rapid.T) privacy.GroupRequest[string] { return groupRequest(t, w) })
}

func groupRequest(t *rapid.T, w *World) privacy.GroupRequest[string] {
	names := w.Names()
	q := privacy.GroupRequest[string]{Inviter: pick(t, names, "inviter"), Invitee: pick(t, names, "invitee"), At: w.At}
	for _, n := range names {
		if n != q.Invitee && chance(t, 40, "member "+n) {
			q.Members = append(q.Members, n)
		}
	}
	for _, n := range append([]string{q.Inviter}, names...) {
		if len(q.Members) == 0 && n != q.Invitee {
			q.Members = []string{n} // a group has someone in it
		}
	}
	return q
}

// CustomPolicy draws a policy derived from base the way a host derives
// one: other minimum and adult ages, another minor rule, the flags
// (KeepConversations, IgnoreRestrict, the request cap and its exemption),
// up to two gates and up to two custom audiences. The gates and audiences
// read the facts of a pair through a hash, so they stand for any host
// code; none reads the recipient's restriction of the sender, which would
// show in the sender view (see the package documentation), and each
// audience routes the same way under every mode, so the mode ladder holds.
// The policy is named base's name with "-custom" appended, and it is
// valid.
func CustomPolicy(base *privacy.Policy) *rapid.Generator[*privacy.Policy] {
	return rapid.Custom(func(t *rapid.T) *privacy.Policy {
		p := *base
		p.Name = PolicyName(base) + "-custom"
		p.Gates = append([]privacy.Gate(nil), base.Gates...)
		p.Audiences = append([]privacy.CustomAudience(nil), base.Audiences...)
		if chance(t, 50, "ages") {
			p.MinAge = pick(t, []int{base.MinAge, 13, 14, 16, 18}, "min age")
			p.AdultAge = pick(t, []int{base.AdultAge, 18, 16, 19, 21}, "adult age")
			if minAge(&p) > adultAge(&p) {
				p.AdultAge = minAge(&p)
			}
		}
		if chance(t, 40, "minor reach") {
			for _, a := range []inbox.Audience{inbox.AudienceFriend, inbox.AudienceFollowed, inbox.AudienceContact, inbox.AudienceFacebookFriend, inbox.AudienceConversation} {
				if chance(t, 40, "reach "+a.String()) {
					p.Minors.Reach |= inbox.AudiencesOf(a)
				}
			}
		}
		if chance(t, 30, "flip keep conversations") {
			p.KeepConversations = !p.KeepConversations
		}
		if chance(t, 30, "flip ignore restrict") {
			p.IgnoreRestrict = !p.IgnoreRestrict
		}
		if chance(t, 60, "cap") {
			p.RequestCap = pick(t, []int{1, 2, 0, 3}, "request cap")
			if p.RequestWindow <= 0 {
				p.RequestWindow = 24 * time.Hour
			}
			p.CapExemptVerified = chance(t, 30, "cap exempts verified")
		}
		for i := range bits(t, 2, "gates") % 3 {
			seed := rapid.Uint64().Draw(t, "gate")
			name := fmt.Sprintf("gate%d", len(p.Gates)+1)
			if chance(t, 30, "verified only") {
				p.Gates = append(p.Gates, privacy.Gate{Name: name + "-verified-only", Deny: func(f privacy.RuleFacts) bool {
					return !f.Sender.Verified && !f.Edges.Has(graph.FollowBA)
				}})
				continue
			}
			_ = i
			p.Gates = append(p.Gates, privacy.Gate{Name: name, Deny: func(f privacy.RuleFacts) bool { return hash(f, seed)>>62 == 0 }})
		}
		var offered []inbox.Mode
		for m := inbox.Mode(1); m < inbox.NumModes; m++ {
			if p.Modes[m].Name != "" {
				offered = append(offered, m)
			}
		}
		for range bits(t, 2, "audiences") % 3 {
			seed := rapid.Uint64().Draw(t, "audience")
			r := pick(t, []inbox.Route{inbox.RoutePrimary, inbox.RouteRequests, inbox.Deny}, "audience route")
			a := privacy.CustomAudience{Name: fmt.Sprintf("audience%d", len(p.Audiences)+1), Match: func(f privacy.RuleFacts) bool { return hash(f, seed)>>62 == 0 }}
			for _, m := range offered {
				a.Routes[m] = r
			}
			p.Audiences = append(p.Audiences, a)
		}
		if err := p.Validate(); err != nil {
			panic(fmt.Sprintf("privacytest: CustomPolicy drew an invalid policy: %v", err))
		}
		return &p
	})
}

// hash mixes the facts of a pair a host's gate or audience may read —
// never the recipient's restriction of the sender — with seed.
func hash(f privacy.RuleFacts, seed uint64) uint64 {
	x := uint64(f.Edges&^(graph.RestrictAB|graph.RestrictBA)) | uint64(f.Conversation)<<16
	if f.Sender.Verified {
		x |= 1 << 20
	}
	if f.StartedBySender {
		x |= 1 << 21
	}
	x = (x ^ seed) * 0x9e3779b97f4a7c15
	return x ^ x>>29
}
