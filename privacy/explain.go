package privacy

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// Explanation is the trace of one decision: each step the engine took, in
// order, with the facts it used. It is for the host's back end (support
// tools, audits, the scenario runner's -explain), never for the sender.
type Explanation struct {
	Decision Decision

	// Mode is the recipient's effective mode, and ModeSet whether they
	// chose it (else it is their age band's default). FailSafe reports
	// that they chose a mode their age band may not hold, so the band's
	// default applied instead. All three are zero when a gate decided
	// before the mode was needed.
	Mode     inbox.Mode
	ModeSet  bool
	FailSafe bool

	// Audiences are the audiences the sender is in relative to the
	// recipient, in precedence order (anyone, "everyone else", when none
	// of them is routed); nil when a gate decided first.
	Audiences []inbox.Audience

	// Facts is the graph and inbox facts the decision read.
	Edges           graph.Edges
	Conversation    inbox.State
	PendingRequests int // -1 when the cap was not consulted

	Steps []Step
}

// Step is one step of a decision.
type Step struct {
	ID      string // the decision-table step: "1", "2b", …, "mode", "route", "11", "12"
	Rule    string // the condition the step tests
	Facts   string // the facts it used
	Matched bool   // whether the condition held; a gate that matches decides
}

// String renders the explanation as lines of text.
func (x *Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "decision: %v (sender view %v)\n", x.Decision, x.Decision.View)
	for _, s := range x.Steps {
		mark := " "
		if s.Matched {
			mark = "✓"
		}
		fmt.Fprintf(&b, "  %s %-5s %s", mark, s.ID, s.Rule)
		if s.Facts != "" {
			fmt.Fprintf(&b, " [%s]", s.Facts)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// trace observes the decision function. Every method is safe on a nil
// *trace and then does nothing, so the hot path pays one nil check per
// step and formats nothing.
type trace struct {
	at       time.Time
	steps    []Step
	eff      inbox.Mode
	set      bool
	failSafe bool
	auds     []inbox.Audience
	edges    graph.Edges
	conv     inbox.State
	pending  int
}

func (t *trace) explanation(d Decision) *Explanation {
	x := &Explanation{Decision: d, Steps: t.steps, Mode: t.eff, ModeSet: t.set, FailSafe: t.failSafe,
		Audiences: t.auds, PendingRequests: t.pending}
	x.Edges, x.Conversation = t.edges, t.conv
	return x
}

func (t *trace) start(at time.Time, f *facts) {
	if t != nil {
		t.startStep(at, f)
	}
}

// startStep records the decision's time and facts. The pending count is
// recorded only where the cap consults it (capStep, count), whether or not
// the reader returned it with the facts: the explanation says the same
// however the engine's readers are wired.
func (t *trace) startStep(at time.Time, f *facts) {
	t.at, t.pending = at, -1
	t.edges, t.conv = f.edges, f.conv
}

func (t *trace) add(s Step) { t.steps = append(t.steps, s) }

func (t *trace) gate(id, rule string, hit bool) bool {
	if t != nil {
		t.add(Step{ID: id, Rule: rule, Matched: hit})
	}
	return hit
}

func (t *trace) gateStatus(id, who string, st graph.Status) bool {
	hit := st != graph.Active
	if t != nil {
		t.statusStep(id, who, st, hit)
	}
	return hit
}

func (t *trace) statusStep(id, who string, st graph.Status, hit bool) {
	{
		t.add(Step{ID: id, Rule: who + " unknown, deactivated, suspended or deleted", Facts: who + " status " + st.String(), Matched: hit})
	}
}

func (t *trace) gateAge(id, rule string, p *person, minAge int, hit bool) bool {
	if t != nil {
		t.ageStep(id, rule, p, minAge, hit)
	}
	return hit
}

func (t *trace) ageStep(id, rule string, p *person, minAge int, hit bool) {
	{
		young, old := ageRange(p, t.at)
		t.add(Step{ID: id, Rule: rule, Facts: fmt.Sprintf("age %s, minimum %d", ageText(young, old), minAge), Matched: hit})
	}
}

func (t *trace) gateMinor(id string, c *compiled, f *facts, auds inbox.Audiences, hit bool) bool {
	if t != nil {
		t.minorStep(id, c, f, auds, hit)
	}
	return hit
}

func (t *trace) minorStep(id string, c *compiled, f *facts, auds inbox.Audiences, hit bool) {
	{
		_, sOld := ageRange(&f.s, t.at)
		rYoung, _ := ageRange(&f.r, t.at)
		rule := "recipient is a minor, sender an adult, and the sender is not the recipient's " + audienceList(c.reach)
		if c.minorOff {
			rule = "the policy's minor rule is off"
		}
		t.add(Step{ID: id, Rule: rule,
			Facts: fmt.Sprintf("sender up to %s, recipient from %d, adult at %d, sender is %s",
				ageText(sOld, sOld), rYoung, c.ages[cutAdult], audienceList(auds&c.reach)), Matched: hit})
	}
}

func audienceList(a inbox.Audiences) string {
	if a == 0 {
		return "none of them"
	}
	var parts []string
	for _, x := range a.List() {
		parts = append(parts, x.String())
	}
	return strings.Join(parts, " or ")
}

func (t *trace) gateCustom(name string, hit bool) bool {
	if t != nil {
		t.customStep(name, hit)
	}
	return hit
}

func (t *trace) customStep(name string, hit bool) {
	{
		t.add(Step{ID: "gate", Rule: "host gate " + name + " refuses", Matched: hit})
	}
}

func ageText(young, old int) string {
	switch {
	case young == old:
		return fmt.Sprint(young)
	case old == math.MaxInt && young == 0:
		return "unknown"
	case old == math.MaxInt:
		return fmt.Sprintf("%d+", young)
	}
	return fmt.Sprintf("%d–%d", young, old)
}

func (t *trace) mode(p *Policy, set, eff inbox.Mode, band graph.AgeBand, failSafe bool) {
	if t != nil {
		t.modeStep(p, set, eff, band, failSafe)
	}
}

func (t *trace) modeStep(p *Policy, set, eff inbox.Mode, band graph.AgeBand, failSafe bool) {
	t.eff, t.set, t.failSafe = eff, set != inbox.ModeDefault && !failSafe, failSafe
	facts := "chosen by the recipient"
	switch {
	case failSafe:
		facts = fmt.Sprintf("the recipient chose %s, which age band %v may not hold: the fail-safe applies the band's default", p.ModeName(set), band)
	case set == inbox.ModeDefault:
		facts = "never set: the default for age band " + band.String()
	}
	t.add(Step{ID: "mode", Rule: "recipient's mode is " + p.ModeName(eff), Facts: facts, Matched: true})
}

// route records a built-in audience's route, or a host audience's when
// custom is not empty.
func (t *trace) route(a inbox.Audience, custom string, r inbox.Route, decides bool) {
	if t != nil {
		name := custom
		if name == "" {
			t.auds = append(t.auds, a)
			name = a.String()
		}
		t.add(Step{ID: "route", Rule: "sender is in audience " + name, Facts: "routed " + r.String(), Matched: decides})
	}
}

func (t *trace) anyone(r inbox.Route) {
	if t != nil {
		t.anyoneStep(r)
	}
}

func (t *trace) anyoneStep(r inbox.Route) {
	{
		t.auds = append(t.auds, inbox.AudienceAnyone)
		t.add(Step{ID: "route", Rule: "sender is in no routed audience: everyone else (anyone)", Facts: "routed " + r.String(), Matched: true})
	}
}

func (t *trace) outcome(best inbox.Route, why Reason) {
	if t != nil {
		t.outcomeStep(best, why)
	}
}

func (t *trace) outcomeStep(best inbox.Route, why Reason) {
	{
		t.add(Step{ID: "route", Rule: "most permissive route", Facts: best.String() + ", reason " + why.String(), Matched: best != inbox.Deny})
	}
}

func (t *trace) gateRestrict(best inbox.Route, restricted bool) bool {
	hit := best == inbox.RoutePrimary && restricted
	if t != nil {
		t.restrictStep(best, restricted, hit)
	}
	return hit
}

func (t *trace) restrictStep(best inbox.Route, restricted, hit bool) {
	{
		t.add(Step{ID: "11", Rule: "base is primary and the recipient restricted the sender",
			Facts: fmt.Sprintf("base %v, restricted %v", best, restricted), Matched: hit})
	}
}

func (t *trace) gateCap(pending, limit int, hit bool) bool {
	if t != nil {
		t.capStep(pending, limit, hit)
	}
	return hit
}

func (t *trace) capStep(pending, limit int, hit bool) {
	{
		t.pending = pending
		t.add(Step{ID: "12", Rule: "a new message request and the sender is at the cap",
			Facts: fmt.Sprintf("%d pending of %d", pending, limit), Matched: hit})
	}
}

func (t *trace) count(n int) {
	if t != nil {
		t.pending = n
	}
}

func (t *trace) groupMode(p *Policy, set, eff inbox.Mode, dm bool) {
	if t == nil {
		return
	}
	facts, name := "the invitee's group setting", p.GroupModeName(eff)
	if dm {
		facts, name = "the invitee's group setting follows their inbox mode", p.ModeName(eff)
	} else if set == inbox.ModeDefault {
		facts = "the default group setting for the invitee's age band"
	}
	t.add(Step{ID: "mode", Rule: "who may add the invitee: " + name, Facts: facts, Matched: true})
}
