package privacy_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/internal/model"
	"github.com/dmprivacy/dmprivacy/privacy"
	"pgregory.net/rapid"
)

// This file holds what the property, state-machine and concurrency tests
// share: random worlds of internal/model, and running the engine over them.

// userNames are the names random worlds draw their users from; ghost is
// never a user, so it stands for an unknown account.
var userNames = []string{"ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal"}

const ghost = "zed"

// scene is a random world and the time of the decisions about it.
type scene struct {
	W       *model.World
	At      time.Time
	Profile string // the profile it was drawn with
}

// ids returns the scene's users and the ghost: every sender and recipient
// the properties try.
func (s scene) ids() []string { return append(s.W.Names(), ghost) }

func (s scene) String() string {
	return fmt.Sprintf("%s world at %s (UTC %s)\n%s", s.Profile, s.At.Format(time.RFC3339Nano), s.At.UTC().Format(time.RFC3339), s.W)
}

// rapid's integer generators, and SampledFrom, favour small values and
// first elements, which would make a "12 %" event happen half the time.
// The draws below are uniform, built from fair bits, and shrink towards
// false and the first element.

// bits draws an n-bit number from fair coin flips.
func bits(n int) *rapid.Generator[int] {
	return rapid.Custom(func(t *rapid.T) int {
		x := 0
		for range n {
			x <<= 1
			if rapid.Bool().Draw(t, "bit") {
				x |= 1
			}
		}
		return x
	})
}

// percent draws true with probability p/100 (to within 1/128).
func percent(t *rapid.T, p int, label string) bool {
	return bits(7).Draw(t, label) >= 128-p*128/100
}

// pick draws one of xs, about uniformly.
func pick[E any](t *rapid.T, xs []E, label string) E {
	return xs[bits(10).Draw(t, label)%len(xs)]
}

// genClock draws the time of the decisions: days where birthdays are
// tricky (29 February, the turn of a year, the day after 28 February in a
// year without a 29th), any hour, and zones far from UTC, since ages count
// by the UTC calendar date.
func genClock() *rapid.Generator[time.Time] {
	return rapid.Custom(func(t *rapid.T) time.Time {
		day := pick(t, []time.Time{
			time.Date(2024, time.February, 29, 0, 0, 0, 0, time.UTC),
			time.Date(2025, time.February, 28, 0, 0, 0, 0, time.UTC),
			time.Date(2025, time.March, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2024, time.December, 31, 0, 0, 0, 0, time.UTC),
			time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2025, time.June, 15, 0, 0, 0, 0, time.UTC),
		}, "day")
		at := day.Add(time.Duration(bits(11).Draw(t, "minute")%(24*60)) * time.Minute)
		zone := pick(t, []*time.Location{
			time.UTC, time.FixedZone("+14", 14*3600), time.FixedZone("-12", -12*3600),
		}, "zone")
		return at.In(zone)
	})
}

// anyAge is the ages genBirth draws from: around 13–19, and adults.
var anyAge = []int{13, 15, 16, 16, 17, 17, 18, 18, 19, 25, 30, 45}

// genBirth draws a birth date that makes the user one of the given ages at
// time at (give or take the birthday), often with the birthday on or next
// to at's UTC date so that the age flips there, and sometimes on 29
// February.
func genBirth(t *rapid.T, at time.Time, ages []int) time.Time {
	years := pick(t, ages, "years")
	y, m, d := at.UTC().Date()
	switch pick(t, []string{"close", "close", "close", "any", "any", "leapling"}, "birthday") {
	case "leapling": // born on the 29 February nearest that age
		by := y - years
		for by%4 != 0 || (by%100 == 0 && by%400 != 0) {
			by--
		}
		return time.Date(by, time.February, 29, 0, 0, 0, 0, time.UTC)
	case "any": // any day of the year
		return time.Date(y-years, m, d+bits(9).Draw(t, "days")-256, 0, 0, 0, 0, time.UTC)
	default: // the birthday is today, yesterday, tomorrow or close
		return time.Date(y-years, m, d+pick(t, []int{0, -1, 1, -2, 2}, "days"), 0, 0, 0, 0, time.UTC)
	}
}

// profile is how likely each fact is in a random world. Most worlds mix
// everything; the others crowd the corners a uniform mix rarely reaches.
type profile struct {
	name                             string
	ages                             []int // ages of users with a birth date
	closed, unknownAge, band         int   // percent of users
	modes                            []string
	otherRequests                    int // percent of users with requests outside the world
	follow, block, restrict, contact int // percent of ordered pairs
	facebook, conversation           int // percent of unordered pairs
	states                           []string
}

var profiles = []profile{
	{
		name: "mixed", ages: anyAge, closed: 6, unknownAge: 4, band: 6,
		modes:         []string{"", "everyone", "everyone", "suggested", "friends", "noone"},
		otherRequests: 50, follow: 40, block: 8, restrict: 12, contact: 30, facebook: 25, conversation: 45,
		states: []string{"pending", "held", "accepted", "declined"},
	},
	{
		// Strangers' requests near the cap: adults in Everyone, threads
		// pending or held, many requests outside the world.
		name: "requests", ages: []int{17, 18, 19, 25, 45}, closed: 2, band: 3,
		modes:         []string{"everyone", "everyone", "everyone", "suggested", ""},
		otherRequests: 85, follow: 15, block: 3, restrict: 20, contact: 15, facebook: 15, conversation: 60,
		states: []string{"pending", "held", "pending", "held", "accepted", "declined"},
	},
	{
		// Ages on the lines of 16 and 18: birthdays near the clock day and
		// verified bands that may since have been outgrown.
		name: "ages", ages: []int{15, 16, 16, 17, 17, 18, 18, 19}, closed: 3, unknownAge: 3, band: 40,
		modes:         []string{"", "everyone", "suggested", "friends"},
		otherRequests: 20, follow: 45, block: 4, restrict: 10, contact: 30, facebook: 30, conversation: 35,
		states: []string{"pending", "held", "accepted", "declined"},
	},
}

// genUser draws a user: mostly active, mostly with a birth date, sometimes
// with a verified band or no age at all.
func genUser(t *rapid.T, at time.Time, p profile) model.User {
	u := model.User{Status: "active"}
	if percent(t, p.closed, "closed") {
		u.Status = pick(t, []string{"deactivated", "suspended", "deleted"}, "status")
	}
	switch {
	case percent(t, p.unknownAge, "age unknown"):
	case percent(t, p.band, "age band"):
		u.Band = pick(t, []string{"16-17", "18+", "13-15", "under13"}, "band")
		u.BandAsOf = at.AddDate(0, 0, -bits(10).Draw(t, "band days"))
	default:
		u.Birth = genBirth(t, at, p.ages)
	}
	u.Verified = percent(t, 20, "verified")
	u.HideFromContacts = percent(t, 20, "hide contacts")
	u.HideFromFacebook = percent(t, 20, "hide facebook")
	return u
}

// genAgo draws a start time for a request or thread: inside and outside
// the cap's 24-hour window, on both of its edges, and a little in the
// future.
func genAgo(t *rapid.T, at time.Time) time.Time {
	ago := pick(t, []time.Duration{
		0, time.Nanosecond, time.Hour, 23 * time.Hour,
		24*time.Hour - time.Nanosecond, 24 * time.Hour, 24*time.Hour + time.Nanosecond,
		30 * time.Hour, 72 * time.Hour, -time.Minute, -1,
	}, "ago")
	if ago == -1 { // anywhere in the last two days
		ago = time.Duration(bits(20).Draw(t, "ago")) * (48 * time.Hour / (1 << 20))
	}
	return at.Add(-ago)
}

// genScene draws a world of 2–8 users with every kind of relation, mode,
// conversation and pending requests near the cap.
func genScene() *rapid.Generator[scene] {
	return rapid.Custom(func(t *rapid.T) scene {
		at := genClock().Draw(t, "at")
		p := pick(t, profiles, "profile")
		w := model.NewWorld()
		names := userNames[:2+bits(3).Draw(t, "users")%(len(userNames)-1)]
		for _, n := range names {
			w.SetUser(n, genUser(t, at, p))
			if percent(t, 85, "has key") {
				w.Keys[n] = "h:" + n
			}
			if m := pick(t, p.modes, "mode"); m != "" {
				w.Modes[n] = m
			}
			if percent(t, p.otherRequests, "other requests") {
				k := pick(t, []int{0, 2, 18, 19, 20, 20, 21, 22, 25}, "other requests n")
				for range k {
					started := genAgo(t, at)
					if percent(t, 80, "in the window") {
						started = at.Add(-time.Duration(bits(16).Draw(t, "ago")) * (24 * time.Hour / (1 << 16)))
					}
					w.OtherRequests[n] = append(w.OtherRequests[n], started)
				}
			}
			if percent(t, 15, "unmatched key") {
				addContact(w, n, "h:nobody")
			}
		}
		for _, a := range names {
			for _, b := range names {
				if a == b {
					continue
				}
				ab := [2]string{a, b}
				w.Follows[ab] = percent(t, p.follow, "follow")
				w.Blocks[ab] = percent(t, p.block, "block")
				w.Restricts[ab] = percent(t, p.restrict, "restrict")
				if percent(t, p.contact, "contact") {
					addContact(w, a, "h:"+b)
				}
				if a < b {
					if percent(t, p.facebook, "facebook") {
						w.Facebook[ab], w.Facebook[[2]string{b, a}] = true, true
					}
					if percent(t, p.conversation, "conversation") {
						c := model.Conversation{Starter: a, Started: genAgo(t, at)}
						if percent(t, 50, "started by b") {
							c.Starter = b
						}
						c.State = pick(t, p.states, "state")
						w.Conversations[ab] = c
					}
				}
			}
		}
		dropFalse(w.Follows)
		dropFalse(w.Blocks)
		dropFalse(w.Restricts)
		return scene{W: w, At: at, Profile: p.name}
	})
}

func addContact(w *model.World, user, key string) {
	if w.Contacts[user] == nil {
		w.Contacts[user] = map[string]bool{}
	}
	w.Contacts[user][key] = true
}

func dropFalse(m map[[2]string]bool) {
	for k, v := range m {
		if !v {
			delete(m, k)
		}
	}
}

// asModel returns the engine's decision in the model's text forms.
func asModel(d privacy.Decision) model.Decision {
	return model.Decision{Allowed: d.Allowed, Folder: d.Folder.String(), Reason: d.Reason.String(), View: d.View.String()}
}

// build loads w into fresh embedded stores and returns an engine over them
// with the default (TikTok) policy.
func build(t rapid.TB, w *model.World) (model.Stores, *privacy.Engine[string]) {
	t.Helper()
	st, err := w.Build()
	if err != nil {
		t.Fatalf("loading the world: %v\n%s", err, w)
	}
	return st, newEngine(t, st.Store, st.Store)
}

func newEngine(t rapid.TB, g graph.Reader[string], in inbox.Reader[string]) *privacy.Engine[string] {
	t.Helper()
	e, err := privacy.New(g, in, nil)
	if err != nil {
		t.Fatalf("privacy.New: %v", err)
	}
	return e
}

// decide is the engine's decision about s → r at time at, which must not
// fail on the embedded stores.
func decide(t rapid.TB, e *privacy.Engine[string], s, r string, at time.Time) privacy.Decision {
	t.Helper()
	d, err := e.Check(context.Background(), privacy.Request[string]{Sender: s, Recipient: r, At: at})
	if err != nil {
		t.Fatalf("Check(%s → %s): %v", s, r, err)
	}
	return d
}

// pairs returns every ordered pair of ids, self pairs included.
func pairs(ids []string) [][2]string {
	var out [][2]string
	for _, s := range ids {
		for _, r := range ids {
			out = append(out, [2]string{s, r})
		}
	}
	return out
}
