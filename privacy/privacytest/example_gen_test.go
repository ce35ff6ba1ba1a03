package privacytest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
	"github.com/dmprivacy/dmprivacy/privacy/privacytest"
)

// In a host's rapid test, draw with Draw(t, label); Example(seed) draws
// one value outside a test, for the examples below.

func ExampleTime() {
	for seed := range 3 {
		fmt.Println(privacytest.Time().Example(seed).Format(time.RFC3339))
	}
	// Output:
	// 2024-02-29T07:40:00Z
	// 2025-01-01T23:06:00+14:00
	// 2024-12-31T04:15:00Z
}

func ExampleAccount() {
	at := time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)
	for seed := range 4 {
		u := privacytest.Account(privacy.TikTok(), at).Example(seed)
		young, _ := u.AgeRange(at)
		fmt.Printf("%v, born %s (%d), verified %v\n", u.Status, u.Birth.Format(time.DateOnly), young, u.Verified)
	}
	// Output:
	// active, born 1981-02-28 (45), verified false
	// active, born 2008-02-29 (18), verified false
	// active, born 1996-02-29 (30), verified true
	// active, born 2009-03-02 (16), verified false
}

func ExampleSettings() {
	at := time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)
	p := privacy.Instagram()
	teen := privacytest.Account(p, at).Example(3)
	for seed := range 4 {
		s := privacytest.Settings(p, teen, at, "ann").Example(seed)
		fmt.Printf("mode %s, routes %q\n", p.ModeName(s.Mode), s.Routes)
	}
	// Output:
	// mode standard, routes ""
	// mode default, routes "follower=deny reverse_contact=requests"
	// mode standard, routes "facebook_friend=deny"
	// mode standard, routes "reverse_contact=requests anyone=deny"
}

func ExampleUsers() {
	at := time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)
	for _, u := range privacytest.Users(privacy.TikTok(), at).Example(1) {
		fmt.Println(u.Name, u.Account.Birth.Format(time.DateOnly), privacy.TikTok().ModeName(u.Settings.Mode))
	}
	// Output:
	// ann 2008-02-29 friends
	// bob 2010-03-02 friends
}

func ExampleEdges() {
	at := time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)
	users := privacytest.Users(privacy.TikTok(), at).Example(1)
	for _, e := range privacytest.Edges(users).Example(1) {
		fmt.Println(e.Kind, e.From, e.To)
	}
	// Output:
	// follow bob ann
	// contact bob ann
}

func ExampleConversations() {
	at := time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)
	users := privacytest.Users(privacy.TikTok(), at).Example(1)
	for _, c := range privacytest.Conversations(users, at).Example(2) {
		fmt.Println(c.From, c.To, c.State, at.Sub(c.Started), "ago")
	}
	// Output:
	// bob ann accepted 1h0m0s ago
}

// Worlds draws whole worlds; a World prints as a scenario file.
func ExampleWorlds() {
	w := privacytest.Worlds(privacy.TikTok()).Example(36)
	fmt.Print(w.DM())
	// Output:
	// policy tiktok
	// now 2024-12-29T12:48:00-12:00
	// user ann birth=1994-12-31
	// user bob birth=2013-01-02
	// user cat birth=2009-01-02 verified=on suggest-to-facebook=off
	// follow bob cat
	// block bob ann
	// contact ann cat
	// conversation bob cat accepted
	// advance 1d
	// set ann mode=friends
	// set bob mode=friends
}

func ExampleRequest() {
	w := privacytest.Worlds(privacy.TikTok()).Example(36)
	q := privacytest.Request(w).Example(1)
	fmt.Println(q.Sender, "→", q.Recipient, "at", q.At.Format(time.RFC3339))
	// Output:
	// cat → cat at 2024-12-30T12:48:00-12:00
}

func ExampleCustomPolicy() {
	p := privacytest.CustomPolicy(privacy.TikTok()).Example(4)
	fmt.Println(p.Name, "min age", p.MinAge, "cap", p.RequestCap, "gates", len(p.Gates), "audiences", len(p.Audiences))
	// Output:
	// tiktok-custom min age 16 cap 20 gates 2 audiences 1
}

// Apply writes a world to any write path: here the embedded store, under
// the world's own names.
func ExampleApply() {
	w := privacytest.Worlds(privacy.TikTok()).Example(36)
	st := memory.New[string]()
	if err := privacytest.Apply(st, w, w.Name); err != nil {
		fmt.Println(err)
	}
	e, _ := privacy.New[string](st, st, &privacy.Options{Now: func() time.Time { return w.At }})
	for _, s := range w.Names() {
		for _, r := range w.Names() {
			if s != r {
				d, _ := e.CanMessage(context.Background(), s, r)
				fmt.Println(s, "→", r, d)
			}
		}
	}
	// Output:
	// ann → bob deny blocked_by_recipient
	// ann → cat deny recipient_age
	// bob → ann deny sender_age
	// bob → cat deny sender_age
	// cat → ann deny sender_age
	// cat → bob deny sender_age
}
