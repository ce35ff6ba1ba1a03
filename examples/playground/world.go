package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/scenario"
)

// world is a scenario file run to its end: an engine over the world as the
// file leaves it, at the file's last clock.
type world struct {
	file    *scenario.File
	engine  *privacy.Engine[string]
	policy  *privacy.Policy // the engine's
	at      time.Time
	results []scenario.Result
}

// load parses text and runs it on fresh in-memory stores. With a policy,
// the world runs under it instead of the file's, every user's settings
// back to that policy's defaults (another preset's modes have other
// names and meanings).
func load(ctx context.Context, text string, policy *privacy.Policy) (*world, error) {
	opts := &scenario.Options{Limits: limits}
	f, err := scenario.Parse("world.dm", strings.NewReader(text), opts)
	if err != nil {
		return nil, err
	}
	var env *scenario.Env
	opts.NewEnv = func(p *privacy.Policy, now func() time.Time) (*scenario.Env, error) {
		if policy != nil {
			p = policy
		}
		e, err := scenario.MemoryEnv(p, now)
		if err != nil {
			return nil, err
		}
		if policy != nil {
			e.World = defaults{e.World}
		}
		env = e
		return e, nil
	}
	results, err := f.Run(ctx, opts)
	if err != nil {
		return nil, err
	}
	eng, ok := env.Engine.(*privacy.Engine[string])
	if !ok {
		return nil, fmt.Errorf("the in-memory environment has a %T, not an engine", env.Engine)
	}
	at := f.Start
	if n := len(f.Stmts); n > 0 {
		at = f.Stmts[n-1].Src().At
	}
	return &world{file: f, engine: eng, policy: eng.Policy(), at: at, results: results}, nil
}

// defaults is a scenario world whose users never choose their settings.
type defaults struct{ scenario.World }

func (d defaults) SetSettings(id string, _ inbox.Settings) error {
	return d.World.SetSettings(id, inbox.Settings{})
}

// cell is one decision of the grid.
type cell struct {
	Outcome string `json:"outcome"` // primary, requests or deny
	Reason  string `json:"reason"`
	View    string `json:"view"`
	Rule    string `json:"rule,omitempty"` // the host's gate or audience that decided
}

func cellOf(d privacy.Decision) cell {
	c := cell{Outcome: "deny", Reason: d.Reason.String(), View: d.View.String(), Rule: d.Rule}
	if d.Allowed {
		c.Outcome = d.Folder.String()
	}
	return c
}

// text returns the decision as scenario files write it.
func (c cell) text() string {
	if c.Outcome == "deny" {
		return "deny " + c.Reason
	}
	return "allow " + c.Outcome + " " + c.Reason
}

// grid decides every sender × recipient pair: grid[s][r] is what
// CanMessage answers for users s and r, in the file's order.
func (w *world) grid(ctx context.Context) ([][]cell, error) {
	users := w.file.Users
	g := make([][]cell, len(users))
	for i, s := range users {
		g[i] = make([]cell, len(users))
		for j, r := range users {
			d, err := w.engine.CanMessage(ctx, s, r)
			if err != nil {
				return nil, err
			}
			g[i][j] = cellOf(d)
		}
	}
	return g, nil
}

// user is what the page shows of a user, as the world leaves them.
type user struct {
	Name     string `json:"name"`
	Line     int    `json:"line"` // the user line that declares them
	Age      int    `json:"age"`  // the youngest they can be at the world's clock
	Status   string `json:"status"`
	Mode     string `json:"mode"`    // the mode that applies to them
	ModeSet  bool   `json:"modeSet"` // whether they chose it
	Verified bool   `json:"verified,omitempty"`
}

func (w *world) users(ctx context.Context) ([]user, error) {
	last := map[string]*scenario.UserStmt{}
	line := map[string]int{}
	for _, st := range w.file.Stmts {
		if u, ok := st.(*scenario.UserStmt); ok {
			last[u.Name] = u
			if !u.Set {
				line[u.Name] = u.Line
			}
		}
	}
	out := make([]user, 0, len(w.file.Users))
	for _, n := range w.file.Users {
		u := last[n].User
		young, _ := u.AgeRange(w.at)
		m, set, err := w.engine.EffectiveMode(ctx, n, w.at)
		if err != nil {
			return nil, err
		}
		out = append(out, user{Name: n, Line: line[n], Age: young, Status: u.Status.String(),
			Mode: w.policy.ModeName(m), ModeSet: set, Verified: u.Verified})
	}
	return out, nil
}

// modes returns the names of the modes the policy offers, loosest first.
func modes(p *privacy.Policy) []string {
	var out []string
	for m := inbox.Mode(1); m < inbox.NumModes; m++ {
		if n := p.Modes[m].Name; n != "" {
			out = append(out, n)
		}
	}
	return out
}

// check is a failed check of the file: an expect, view, reach or group
// line whose answer is not the one written.
type check struct {
	Line      int      `json:"line"`
	Statement string   `json:"statement"`
	Expected  string   `json:"expected"`
	Actual    string   `json:"actual"`
	Details   []string `json:"details,omitempty"`
}

type checks struct {
	Passed   int     `json:"passed"`
	Failed   int     `json:"failed"`
	Failures []check `json:"failures"`
}

func (w *world) checks() checks {
	c := checks{Failures: []check{}}
	for _, r := range w.results {
		if r.Pass {
			c.Passed++
			continue
		}
		c.Failed++
		c.Failures = append(c.Failures, check{Line: r.Line, Statement: r.Statement, Expected: r.Expected, Actual: r.Actual, Details: r.Details})
	}
	return c
}

// step is one step of an Explain trace.
type step struct {
	ID      string `json:"id"`
	Rule    string `json:"rule"`
	Facts   string `json:"facts,omitempty"`
	Matched bool   `json:"matched"`
}

// trace is a decision with the engine's trace of it.
type trace struct {
	Sender          string   `json:"sender"`
	Recipient       string   `json:"recipient"`
	Decision        cell     `json:"decision"`
	Mode            string   `json:"mode,omitempty"`
	ModeSet         bool     `json:"modeSet"`
	Audiences       []string `json:"audiences"`
	Edges           string   `json:"edges"`
	Conversation    string   `json:"conversation"`
	PendingRequests int      `json:"pendingRequests"` // -1 when the cap was not consulted
	Steps           []step   `json:"steps"`
	DecidedBy       int      `json:"decidedBy"` // the index of the step that decided
	Text            string   `json:"text"`
}

func (w *world) explain(ctx context.Context, sender, recipient string) (*trace, error) {
	x, err := w.engine.Explain(ctx, privacy.Request[string]{Sender: sender, Recipient: recipient, At: w.at})
	if err != nil {
		return nil, err
	}
	t := &trace{Sender: sender, Recipient: recipient, Decision: cellOf(x.Decision), ModeSet: x.ModeSet,
		Audiences: []string{}, Edges: x.Edges.String(), Conversation: x.Conversation.String(),
		PendingRequests: x.PendingRequests, Text: x.String()}
	if x.Mode != inbox.ModeDefault {
		t.Mode = w.policy.ModeName(x.Mode)
	}
	for _, a := range x.Audiences {
		t.Audiences = append(t.Audiences, a.String())
	}
	for _, s := range x.Steps {
		t.Steps = append(t.Steps, step{ID: s.ID, Rule: s.Rule, Facts: s.Facts, Matched: s.Matched})
	}
	t.DecidedBy = decidedBy(x.Steps)
	return t, nil
}

// decidedBy returns the index of the step that decided: the last step that
// matched, the recipient's mode aside (it only says which table applies);
// when none did, the last step, which routed the sender's audiences.
func decidedBy(steps []privacy.Step) int {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Matched && steps[i].ID != "mode" {
			return i
		}
	}
	return len(steps) - 1
}

// preview is a recipient's audience under each mode.
type preview struct {
	Recipient     string      `json:"recipient"`
	Mode          string      `json:"mode"`
	ModeSet       bool        `json:"modeSet"`
	Modes         []modeReach `json:"modes"`
	Conversations bool        `json:"conversations"`
}

type modeReach struct {
	Name      string `json:"name"`
	Available bool   `json:"available"`
	Primary   int    `json:"primary"`
	Requests  int    `json:"requests"`
}

func (w *world) preview(ctx context.Context, recipient string) (*preview, error) {
	p, err := w.engine.PreviewAudience(ctx, recipient)
	if err != nil {
		return nil, err
	}
	out := &preview{Recipient: recipient, Mode: w.policy.ModeName(p.Mode), ModeSet: p.ModeSet, Conversations: p.Conversations}
	for _, m := range p.Modes {
		out.Modes = append(out.Modes, modeReach{Name: m.Name, Available: m.Available, Primary: m.Primary, Requests: m.Requests})
	}
	return out, nil
}

// pairs yields every ordered pair of distinct users of the file.
func (w *world) pairs(yield func(string, string) bool) {
	for _, s := range w.file.Users {
		for _, r := range w.file.Users {
			if s != r && !yield(s, r) {
				return
			}
		}
	}
}

// declared reports whether name is a user of the world.
func (w *world) declared(name string) bool { return slices.Contains(w.file.Users, name) }

// appendLines returns text with lines added at its end.
func appendLines(text string, lines ...string) string {
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return text + strings.Join(lines, "\n") + "\n"
}

// rollout returns the users who switch to mode m when it rolls out to a
// cohort of pct percent: those whom settings validation, under a policy
// that limits m to the cohort, lets choose it, and who do not have it yet.
func rollout(ctx context.Context, text string, base *world, m inbox.Mode, pct float64) ([]string, error) {
	p := base.engine.Policy()
	p.Availability.Rollout = map[inbox.Mode]*inbox.Cohort{m: {Percent: pct, Salt: "playground"}}
	cohort, err := load(ctx, text, p) // the same users, validated under p
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range base.file.Users {
		cur, set, err := base.engine.EffectiveMode(ctx, u, base.at)
		if err != nil {
			return nil, err
		}
		if set && cur == m {
			continue
		}
		if cohort.engine.ValidateSettingsAt(ctx, u, inbox.Settings{Mode: m}, base.at) == nil {
			out = append(out, u)
		}
	}
	return out, nil
}
