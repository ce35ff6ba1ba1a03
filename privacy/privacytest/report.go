package privacytest

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// Markers around the counterexample in a failure message, so that a tool
// (or a test) can cut the file out.
const (
	BeginDM = "--- BEGIN counterexample.dm ---"
	EndDM   = "--- END counterexample.dm ---"
)

// violation is one broken rule: what happened, the world it happened in,
// and the scenario statements after the world that show it — the last one
// a check the rule requires and the engine fails.
type violation struct {
	rule    string
	subject string   // who breaks it: the policy, or the host's stack
	what    string   // one sentence: the pair, the decision, and why it breaks the rule
	world   *World   // the world the statements start from
	lines   []string // changes and checks, in order; the last check fails
	note    string   // what the file cannot say (an injected failure, another wiring)
}

// DM returns the counterexample as a scenario file.
func (v *violation) DM() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# privacytest counterexample: the rule %q\n", v.rule)
	what, _, _ := strings.Cut(v.what, "\n") // a diff stays in the message
	for _, l := range wrap(what, 74) {
		fmt.Fprintf(&b, "# %s\n", l)
	}
	if v.note != "" {
		for _, l := range wrap(v.note, 74) {
			fmt.Fprintf(&b, "# %s\n", l)
		}
	}
	b.WriteString(v.world.DM())
	for _, l := range v.lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// message is the failure message: the rule, what happened, and the
// counterexample between the markers.
func (v *violation) message() string {
	p := v.world.Policy
	var b strings.Builder
	subject := v.subject
	if subject == "" {
		subject = "policy " + PolicyName(p)
	}
	fmt.Fprintf(&b, "%s breaks the rule %q: %s\n", subject, v.rule, v.what)
	if v.note != "" {
		fmt.Fprintf(&b, "%s\n", v.note)
	}
	how := "go run github.com/dmprivacy/dmprivacy/examples/dmcheck FILE"
	if !isPreset(p) {
		how = fmt.Sprintf("scenariotest.RunWith or scenario.RunFile, with Options.Policies resolving %q to the policy", PolicyName(p))
	}
	fmt.Fprintf(&b, "The smallest world found, as a scenario file whose last check fails (run it with %s):\n", how)
	fmt.Fprintf(&b, "%s\n%s%s", BeginDM, v.DM(), EndDM)
	return b.String()
}

// isPreset reports whether p is exactly the preset its name names, so
// that the scenario runner's own presets reproduce a counterexample.
func isPreset(p *privacy.Policy) bool {
	preset, err := privacy.PolicyByName(p.Name)
	if err != nil || len(p.Gates)+len(p.Audiences) > 0 {
		return false
	}
	return reflect.DeepEqual(*p, *preset)
}

// wrap splits s into lines of at most n bytes, at spaces.
func wrap(s string, n int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > n {
			out = append(out, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// minimize returns the smallest world it finds, by removing one fact at a
// time from w, on which check still reports a violation: users other than
// those in keep, relations, conversations, settings, and account
// switches. rapid shrinks the drawing of a failing world; this shrinks the
// world itself, so the printed file holds only what the failure needs.
func minimize(w *World, keep []string, check func(*World) *violation) *World {
	kept := map[string]bool{}
	for _, n := range keep {
		kept[n] = true
	}
	try := func(c *World) bool {
		if check(c) != nil {
			w = c
			return true
		}
		return false
	}
	for changed := true; changed; {
		changed = false
		for i := len(w.Users) - 1; i >= 0; i-- {
			if n := w.Users[i].Name; !kept[n] {
				c := w.Clone()
				c.removeUser(n)
				changed = try(c) || changed
			}
		}
		for i := len(w.Edges) - 1; i >= 0; i-- {
			c := w.Clone()
			c.Edges = append(c.Edges[:i:i], c.Edges[i+1:]...)
			changed = try(c) || changed
		}
		for i := len(w.Conversations) - 1; i >= 0; i-- {
			c := w.Clone()
			c.Conversations = append(c.Conversations[:i:i], c.Conversations[i+1:]...)
			changed = try(c) || changed
		}
		for i := range w.Users {
			u := w.Users[i]
			if u.Settings != (inbox.Settings{}) {
				c := w.Clone()
				c.Users[i].Settings = inbox.Settings{}
				changed = try(c) || changed
			}
			if a := u.Account; a.Verified || a.HideFromContacts || a.HideFromFacebook {
				c := w.Clone()
				c.Users[i].Account.Verified, c.Users[i].Account.HideFromContacts, c.Users[i].Account.HideFromFacebook = false, false, false
				changed = try(c) || changed
			}
		}
	}
	return w
}
