package privacy_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// The whole flow: a store, an engine, decisions. One embedded store is
// both the graph and the inbox the engine reads.
func Example() {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	adult := graph.User{Status: graph.Active, Birth: graph.BirthForAge(now, 30)}

	st := memory.New[string]()
	for _, name := range []string{"ana", "ben", "eve"} {
		st.SetUser(name, adult)
	}
	st.Follow("ana", "ben")
	st.Follow("ben", "ana")                                     // ana and ben are friends
	st.SetSettings("ana", inbox.Settings{Mode: inbox.Everyone}) // ana hears from everyone

	engine, err := privacy.New[string](st, st, &privacy.Options{Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for _, p := range [][2]string{{"ben", "ana"}, {"eve", "ana"}, {"eve", "ben"}} {
		d, _ := engine.CanMessage(ctx, p[0], p[1])
		fmt.Printf("%s → %s: %v (sender sees %v)\n", p[0], p[1], d, d.View)
	}
	st.Block("ana", "eve")
	d, _ := engine.CanMessage(ctx, "eve", "ana")
	fmt.Printf("after the block: %v (sender sees %v)\n", d, d.View)
	// Output:
	// ben → ana: allow primary friend (sender sees allowed)
	// eve → ana: allow requests message_request (sender sees allowed)
	// eve → ben: deny not_friend (sender sees not_allowed)
	// after the block: deny blocked_by_recipient (sender sees not_allowed)
}

// Send decides and records the delivery in one step: the first message of
// a stranger opens a request, and the request cap counts it at once.
func ExampleEngine_Send() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := memory.New[string]()
	for _, n := range []string{"ana", "eve", "zoe"} {
		st.SetUser(n, graph.User{Status: graph.Active, Birth: graph.BirthForAge(now, 30)})
		st.SetSettings(n, inbox.Settings{Mode: inbox.Everyone})
	}
	p := privacy.TikTok()
	p.RequestCap = 1 // one pending request per window, to show the cap
	engine, _ := privacy.New[string](st, st, &privacy.Options{Policy: p, Now: func() time.Time { return now }})
	ctx := context.Background()

	d, c, _ := engine.Send(ctx, privacy.Request[string]{Sender: "eve", Recipient: "ana"})
	fmt.Println(d, "→", c.State)
	d, c, _ = engine.Send(ctx, privacy.Request[string]{Sender: "eve", Recipient: "ana"})
	fmt.Println(d, "→", c.State, "(the same request: the cap counts it once)")
	d, _, _ = engine.Send(ctx, privacy.Request[string]{Sender: "eve", Recipient: "zoe"})
	fmt.Println(d)
	st.Accept("ana", "eve")
	d, c, _ = engine.Send(ctx, privacy.Request[string]{Sender: "eve", Recipient: "ana"})
	fmt.Println(d, "→", c.State)
	// Output:
	// allow requests message_request → pending
	// allow requests message_request → pending (the same request: the cap counts it once)
	// deny request_limit
	// allow primary existing_conversation → accepted
}

// Explain shows the steps behind a decision, for support tools and audits.
func ExampleEngine_Explain() {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	g := memory.New[string]()
	ib := memory.New[string]()
	g.SetUser("cy", graph.User{Status: graph.Active, Birth: graph.BirthForAge(now, 17)})
	g.SetUser("dan", graph.User{Status: graph.Active, Birth: graph.BirthForAge(now, 35)})
	ib.SetSettings("cy", inbox.Settings{Mode: inbox.SuggestedFriends})
	engine, _ := privacy.New[string](g, ib, nil)

	x, _ := engine.Explain(context.Background(), privacy.Request[string]{Sender: "dan", Recipient: "cy", At: now})
	fmt.Print(x)
	// Output:
	// decision: deny minor_protection (sender view not_allowed)
	//     1     sender is the recipient
	//     2     sender unknown, deactivated, suspended or deleted [sender status active]
	//     2b    sender below the minimum age [age 35, minimum 16]
	//     3     sender blocked the recipient
	//     3b    recipient unknown, deactivated, suspended or deleted [recipient status active]
	//     3c    recipient blocked the sender
	//     4     recipient below the minimum age [age 17, minimum 16]
	//   ✓ 4b    recipient is a minor, sender an adult, and the sender is not the recipient's friend [sender up to 35, recipient from 17, adult at 18, sender is none of them]
}

// After an allowed decision the host records the delivery, which moves the
// conversation through the request lifecycle.
func ExampleDecision_Delivery() {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	g := memory.New[string]()
	ib := memory.New[string]()
	for _, n := range []string{"ana", "eve"} {
		g.SetUser(n, graph.User{Status: graph.Active, Birth: graph.BirthForAge(now, 30)})
	}
	ib.SetSettings("ana", inbox.Settings{Mode: inbox.Everyone})
	engine, _ := privacy.New[string](g, ib, &privacy.Options{Now: func() time.Time { return now }})
	ctx := context.Background()

	d, _ := engine.CanMessage(ctx, "eve", "ana")
	c, _ := ib.Deliver("eve", "ana", d.Delivery(), now)
	fmt.Println(d, "→", c.State)

	ib.Accept("ana", "eve")
	g.Block("eve", "ana") // eve blocks ana: ana may still not write back
	d, _ = engine.CanMessage(ctx, "ana", "eve")
	fmt.Println(d, "→", d.View)
	// Output:
	// allow requests message_request → pending
	// deny blocked_by_recipient → not_allowed
}
