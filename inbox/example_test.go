package inbox_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

func ExampleSettings_UnmarshalJSON() {
	var s inbox.Settings
	fmt.Println(json.Unmarshal([]byte(`{"mode":"suggested"}`), &s), s.Mode)
	fmt.Println(json.Unmarshal([]byte(`{"mode":"mutuals"}`), &s))
	fmt.Println(json.Unmarshal([]byte(`{"mode":"friends","dms":true}`), &s))
	// Output:
	// <nil> suggested
	// inbox: settings: inbox: unknown mode "mutuals" (want everyone, suggested, friends, noone, following, verified, contacts)
	// inbox: settings: json: unknown field "dms"
}

func ExampleAvailability_Validate() {
	var a inbox.Availability
	for b := range graph.NumAgeBands {
		a.Defaults[b] = inbox.NoOne
		a.Choosable[b] = inbox.ModesOf(inbox.NoOne, inbox.Friends, inbox.SuggestedFriends)
	}
	a.Choosable[graph.Age18Plus] |= inbox.ModesOf(inbox.Everyone)
	a.Rollout = map[inbox.Mode]*inbox.Cohort{inbox.Everyone: {Percent: 10, Salt: "everyone"}}

	fmt.Println(a.Validate(inbox.Settings{Mode: inbox.Everyone}, graph.Age16to17, "u1"))
	fmt.Println(a.Validate(inbox.Settings{Mode: inbox.Friends}, graph.Age16to17, "u1"))
	for _, id := range []string{"u1", "u2", "u8"} {
		fmt.Println(id, a.Validate(inbox.Settings{Mode: inbox.Everyone}, graph.Age18Plus, id) == nil)
	}
	// Output:
	// inbox: mode everyone is not available: users whose age is 16-17 may not choose it
	// <nil>
	// u1 false
	// u2 false
	// u8 true
}

func ExampleNext() {
	t := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var c inbox.Conversation[string]
	c = inbox.Next(c, "eve", inbox.AsRequest, t) // eve's message request
	fmt.Println(c.State, c.Starter)
	c = inbox.Next(c, "eve", inbox.AsRequest, t.Add(time.Hour)) // a follow-up takes no new slot
	fmt.Println(c.State, c.Started.Equal(t))
	c = inbox.Next(c, "ana", inbox.ToPrimary, t.Add(2*time.Hour)) // ana replies: accepted
	fmt.Println(c.State, c.Starter)
	// Output:
	// pending eve
	// pending true
	// accepted eve
}
