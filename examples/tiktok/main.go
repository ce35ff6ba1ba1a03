// Command tiktok tells the story that dmprivacy was built for, on the
// embedded in-memory store: TikTok's four inbox modes, who can reach whom
// under each, and what changes when a user opens her inbox to everyone.
//
//	go run ./examples/tiktok
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// The story happens on one day, so the output is the same every run.
var today = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// member is one of the cast: a name, an age and how they relate to Maya.
type member struct {
	name     string
	age      int
	relation string
	status   graph.Status
}

var cast = []member{
	{"leo", 26, "friend (they follow each other)", graph.Active},
	{"ivy", 22, "follows Maya", graph.Active},
	{"noah", 29, "Maya follows him", graph.Active},
	{"sam", 31, "in Maya's phone contacts", graph.Active},
	{"fiona", 27, "Facebook friend", graph.Active},
	{"zed", 35, "stranger", graph.Active},
	{"blake", 30, "blocked by Maya", graph.Active},
	{"kai", 17, "friend, 17 years old", graph.Active},
	{"tess", 15, "follows Maya, 15 years old", graph.Active},
	{"rex", 33, "friend, account suspended", graph.Suspended},
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tiktok:", err)
		os.Exit(1)
	}
}

// world holds the stores and the engine of the story.
type world struct {
	g      *memory.Store[string]
	ib     *memory.Store[string]
	engine *privacy.Engine[string]
}

func build() (*world, error) {
	s := memory.New[string]()
	w := &world{g: s, ib: s}
	var err error
	add := func(name string, age int, st graph.Status) {
		if err == nil {
			err = w.g.SetUser(name, graph.User{Status: st, Birth: graph.BirthForAge(today, age)})
		}
		if err == nil {
			// Hosts pass hashed phone numbers, never raw ones.
			err = w.g.SetContactKey(name, graph.ContactKey("hmac:"+name))
		}
	}
	do := func(e error) {
		if err == nil {
			err = e
		}
	}
	add("maya", 24, graph.Active)
	for _, m := range cast {
		add(m.name, m.age, m.status)
	}
	for _, f := range []string{"leo", "kai", "rex"} {
		do(w.g.Follow("maya", f))
		do(w.g.Follow(f, "maya"))
	}
	do(w.g.Follow("ivy", "maya"))
	do(w.g.Follow("tess", "maya"))
	do(w.g.Follow("maya", "noah"))
	do(w.g.AddContact("maya", "hmac:sam"))
	do(w.g.LinkFacebook("maya", "fiona"))
	do(w.g.Block("maya", "blake"))
	do(w.g.AddContact("kai", "hmac:sam")) // an adult in a minor's contacts
	if err != nil {
		return nil, err
	}
	w.engine, err = privacy.New[string](w.g, w.ib, &privacy.Options{Now: func() time.Time { return today }})
	return w, err
}

func run(out io.Writer) error {
	w, err := build()
	if err != nil {
		return err
	}
	ctx := context.Background()
	modes := []inbox.Mode{inbox.Everyone, inbox.SuggestedFriends, inbox.Friends, inbox.NoOne}

	fmt.Fprintln(out, "Who can send Maya (24) a direct message? One row per sender, one column per")
	fmt.Fprintln(out, "inbox mode Maya could choose. Each cell is where the message lands and the")
	fmt.Fprintln(out, "audit reason; ✗ is a deny.")
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "sender\trelation to Maya")
	for _, m := range modes {
		fmt.Fprintf(tw, "\t%s", m)
	}
	fmt.Fprintln(tw)
	for _, m := range cast {
		fmt.Fprintf(tw, "%s (%d)\t%s", m.name, m.age, m.relation)
		for _, mode := range modes {
			if err := w.ib.SetSettings("maya", inbox.Settings{Mode: mode}); err != nil {
				return err
			}
			d, err := w.engine.CanMessage(ctx, m.name, "maya")
			if err != nil {
				return err
			}
			fmt.Fprintf(tw, "\t%s", cell(d))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()

	// Maya never chose: as an adult she gets Friends. Then she opens up.
	if err := w.ib.SetSettings("maya", inbox.Settings{}); err != nil {
		return err
	}
	mode, _, err := w.engine.EffectiveMode(ctx, "maya", today)
	if err != nil {
		return err
	}
	before := map[string]privacy.Decision{}
	for _, m := range cast {
		before[m.name], _ = w.engine.CanMessage(ctx, m.name, "maya")
	}
	everyone := inbox.Settings{Mode: inbox.Everyone}
	if err := w.engine.ValidateSettings(ctx, "maya", everyone); err != nil {
		return err
	}
	if err := w.ib.SetSettings("maya", everyone); err != nil {
		return err
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "Maya never chose a mode, so she has the adult default, %s. Today she switches\n", mode)
	fmt.Fprintln(out, "to Everyone. What changes, and what each sender is shown:")
	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "sender\tbefore\tafter\tsender sees")
	for _, m := range cast {
		d, err := w.engine.CanMessage(ctx, m.name, "maya")
		if err != nil {
			return err
		}
		mark := ""
		if d != before[m.name] {
			mark = "  ← changed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s%s\n", m.name, cell(before[m.name]), cell(d), d.View, mark)
	}
	tw.Flush()

	// The same facts protect a minor.
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Kai is 17. He never chose a mode, so he has the minors' default, noone. He may")
	fmt.Fprintln(out, "choose suggested friends, but not everyone:")
	err = w.engine.ValidateSettings(ctx, "kai", inbox.Settings{Mode: inbox.Everyone})
	fmt.Fprintf(out, "  kai chooses everyone:  %s\n", verdict(err))
	suggested := inbox.Settings{Mode: inbox.SuggestedFriends}
	fmt.Fprintf(out, "  kai chooses suggested: %s\n", verdict(w.engine.ValidateSettings(ctx, "kai", suggested)))
	if err := w.ib.SetSettings("kai", suggested); err != nil {
		return err
	}
	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "sender\trelation to Kai\tdecision\tsender sees")
	for _, s := range []struct{ name, rel string }{
		{"maya", "friend, adult"},
		{"sam", "adult in Kai's phone contacts"},
		{"zed", "adult stranger"},
		{"tess", "15 years old"},
	} {
		d, err := w.engine.CanMessage(ctx, s.name, "kai")
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.name, s.rel, cell(d), d.View)
	}
	tw.Flush()
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Sam is a suggested friend of Kai by contacts, yet an adult who is not Kai's friend")
	fmt.Fprintln(out, "may not message a 17-year-old; Sam is only told \"not_allowed\", as for any closed inbox.")
	return nil
}

// cell renders a decision for the table: "primary · friend" or "✗ not_friend".
func cell(d privacy.Decision) string {
	if !d.Allowed {
		return "✗ " + d.Reason.String()
	}
	return strings.Join([]string{d.Folder.String(), d.Reason.String()}, " · ")
}

// verdict renders a settings validation result.
func verdict(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}
