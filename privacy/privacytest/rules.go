package privacytest

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// Each rule draws a world (and what else it needs), checks it, and on a
// violation reports the smallest world on which the same check still
// fails. A check is a function of a world so that minimize can rerun it.

// blocksDeny: a block either way denies every message and every group add
// that would connect the two, whatever else holds.
func (k *kit) blocksDeny(t *rapid.T) {
	w := k.world(t)
	names := w.Names()
	a := oneOf(names).Draw(t, "blocker")
	b := oneOf(others(names, a)).Draw(t, "blocked")
	if coin(50).Draw(t, "everything else allows") {
		open(w, a, b)
	}
	w.SetEdge(graph.Block, a, b, true)
	if coin(25).Draw(t, "both ways") {
		w.SetEdge(graph.Block, b, a, true)
	}
	bw := k.build(t, w)
	for _, s := range names {
		for _, r := range names {
			if s != r && (w.Has(graph.Block, s, r) || w.Has(graph.Block, r, s)) {
				if check := blockPair(s, r); check(bw) != nil {
					k.fail(t, w, []string{s, r}, onBuilt(check))
				}
			}
		}
	}
	for range 3 {
		q := groupRequests(w).Draw(t, "group add")
		if blockedGroup(w, q) {
			if check := blockGroup(q); check(bw) != nil {
				k.fail(t, w, groupNames(q), onBuilt(check))
			}
		}
	}
}

func blockPair(s, r string) func(*built) *violation {
	return func(b *built) *violation {
		if !b.w.Has(graph.Block, s, r) && !b.w.Has(graph.Block, r, s) {
			return nil
		}
		d, err := b.check(s, r)
		if err != nil || (!d.Allowed && d.View != privacy.ViewAllowed) {
			return nil
		}
		return &violation{rule: RuleBlocksDeny, world: b.w,
			what:  fmt.Sprintf("%s → %s is %v (sender view %v) though %s; a block either way must deny.", s, r, d, d.View, blockText(b.w, s, r)),
			lines: []string{fmt.Sprintf("expect %s %s deny", s, r)}}
	}
}

func blockText(w *World, s, r string) string {
	switch {
	case w.Has(graph.Block, s, r) && w.Has(graph.Block, r, s):
		return fmt.Sprintf("%s and %s blocked each other", s, r)
	case w.Has(graph.Block, s, r):
		return fmt.Sprintf("%s blocked %s", s, r)
	}
	return fmt.Sprintf("%s blocked %s", r, s)
}

func groupNames(q privacy.GroupRequest[string]) []string {
	return append([]string{q.Inviter, q.Invitee}, q.Members...)
}

// blockedGroup reports whether q's invitee and the inviter or a member
// have a block between them.
func blockedGroup(w *World, q privacy.GroupRequest[string]) bool {
	for _, m := range append([]string{q.Inviter}, q.Members...) {
		if m != q.Invitee && (w.Has(graph.Block, m, q.Invitee) || w.Has(graph.Block, q.Invitee, m)) {
			return true
		}
	}
	return false
}

func blockGroup(q privacy.GroupRequest[string]) func(*built) *violation {
	return func(b *built) *violation {
		if !blockedGroup(b.w, q) {
			return nil
		}
		d, err := b.group(q)
		if err != nil || d.Outcome == privacy.GroupDeny {
			return nil
		}
		return &violation{rule: RuleBlocksDeny, world: b.w,
			what:  fmt.Sprintf("%s adding %s to a group with %v is %v, though a block separates %s from someone in it; a block either way must deny.", q.Inviter, q.Invitee, q.Members, d, q.Invitee),
			lines: []string{groupLine(q, privacy.GroupDeny, "")}}
	}
}

// minimumAge: no one below the minimum age sends or receives a message,
// or is added to a group, or adds someone.
func (k *kit) minimumAge(t *rapid.T) {
	w := k.world(t)
	b := k.build(t, w)
	names := w.Names()
	for _, s := range names {
		for _, r := range names {
			if check := agePair(s, r); check(b) != nil {
				k.fail(t, w, []string{s, r}, onBuilt(check))
			}
		}
	}
	for range 3 {
		q := groupRequests(w).Draw(t, "group add")
		if check := ageGroup(q); check(b) != nil {
			k.fail(t, w, groupNames(q), onBuilt(check))
		}
	}
}

func agePair(s, r string) func(*built) *violation {
	return func(b *built) *violation {
		p := b.w.Policy
		sy, _ := b.w.ages(s)
		ry, _ := b.w.ages(r)
		if sy >= minAge(p) && ry >= minAge(p) {
			return nil
		}
		d, err := b.check(s, r)
		if err != nil || !d.Allowed {
			return nil
		}
		return &violation{rule: RuleMinimumAge, world: b.w,
			what:  fmt.Sprintf("%s (%d) → %s (%d) is %v, though the minimum age is %d.", s, sy, r, ry, d, minAge(p)),
			lines: []string{fmt.Sprintf("expect %s %s deny", s, r)}}
	}
}

func ageGroup(q privacy.GroupRequest[string]) func(*built) *violation {
	return func(b *built) *violation {
		p := b.w.Policy
		iy, _ := b.w.ages(q.Inviter)
		ey, _ := b.w.ages(q.Invitee)
		if iy >= minAge(p) && ey >= groupMinAge(p) {
			return nil
		}
		d, err := b.group(q)
		if err != nil || d.Outcome == privacy.GroupDeny {
			return nil
		}
		return &violation{rule: RuleMinimumAge, world: b.w,
			what: fmt.Sprintf("%s (%d) adding %s (%d) to a group is %v, though the minimum age is %d (%d for groups).",
				q.Inviter, iy, q.Invitee, ey, d, minAge(p), groupMinAge(p)),
			lines: []string{groupLine(q, privacy.GroupDeny, "")}}
	}
}

// minorRule: a possible adult reaches a possible minor only through the
// audiences the policy's minor rule names (friends by default), by
// message or through any pair a group add would connect.
func (k *kit) minorRule(t *rapid.T) {
	w := k.world(t)
	names := w.Names()
	if coin(50).Draw(t, "an adult stranger and a minor") {
		s := oneOf(names).Draw(t, "adult")
		r := oneOf(others(names, s)).Draw(t, "minor")
		su, ru := w.user(s), w.user(r)
		su.Account.Birth = graph.BirthForAge(w.At, adultAge(k.p)+oneOf([]int{0, 12}).Draw(t, "years over"))
		ru.Account.Birth = graph.BirthForAge(w.At, adultAge(k.p)-1-oneOf([]int{0, 1}).Draw(t, "years under"))
		su.Settings, ru.Settings = inbox.Settings{}, inbox.Settings{} // what they chose may not suit their new age
	}
	b := k.build(t, w)
	for _, s := range names {
		for _, r := range names {
			if check := minorPair(s, r); check(b) != nil {
				k.fail(t, w, []string{s, r}, onBuilt(check))
			}
		}
	}
	for range 3 {
		q := groupRequests(w).Draw(t, "group add")
		if check := minorGroup(q); check(b) != nil {
			k.fail(t, w, groupNames(q), onBuilt(check))
		}
	}
}

func minorPair(s, r string) func(*built) *violation {
	return func(b *built) *violation {
		p := b.w.Policy
		if s == r || !b.w.minorRuleApplies(p, s, r) || b.w.audiences(s, r, true, true)&minorReach(p) != 0 {
			return nil
		}
		d, err := b.check(s, r)
		if err != nil || !d.Allowed {
			return nil
		}
		return &violation{rule: RuleMinorRule, world: b.w,
			what:  fmt.Sprintf("%s → %s is %v: %s, an adult, reaches %s, a minor, outside the audiences the minor rule allows (%v).", s, r, d, s, r, reachText(p)),
			lines: []string{fmt.Sprintf("expect %s %s deny", s, r)}}
	}
}

func reachText(p *privacy.Policy) string {
	s := fmt.Sprint(minorReach(p).List())
	if p.Minors.Off {
		s += "; the policy turns the rule off, which Options.AllowMinorsOff would accept"
	}
	return s
}

// minorGroup: every pair a group add connects — a member (or the inviter)
// and the invitee, both ways — keeps the minor rule. Only the inviter's
// pair counts their conversation and friends in common, as a message
// would; the members' pairs are judged by the graph alone.
func minorGroup(q privacy.GroupRequest[string]) func(*built) *violation {
	return func(b *built) *violation {
		w, p := b.w, b.w.Policy
		bad := ""
		for _, m := range append([]string{q.Inviter}, q.Members...) {
			if m == q.Invitee || bad != "" {
				continue
			}
			inviter := m == q.Inviter
			for _, pr := range [][2]string{{m, q.Invitee}, {q.Invitee, m}} {
				s, r := pr[0], pr[1]
				conv := inviter && s == q.Inviter
				if w.minorRuleApplies(p, s, r) && w.audiences(s, r, conv, inviter)&minorReach(p) == 0 {
					bad = fmt.Sprintf("%s, an adult, and %s, a minor", s, r)
				}
			}
		}
		if bad == "" {
			return nil
		}
		d, err := b.group(q)
		if err != nil || d.Outcome == privacy.GroupDeny {
			return nil
		}
		return &violation{rule: RuleMinorRule, world: b.w,
			what:  fmt.Sprintf("%s adding %s to a group with %v is %v, though it would connect %s outside the audiences the minor rule allows (%v).", q.Inviter, q.Invitee, q.Members, d, bad, reachText(p)),
			lines: []string{groupLine(q, privacy.GroupDeny, "")}}
	}
}

// senderView: the view says allowed exactly when the message is allowed;
// a denial shows the sender what facts about the sender alone and the
// recipient's public status say, and request_limit only where the message
// would otherwise have gone in as a request.
func (k *kit) senderView(t *rapid.T) {
	w := k.world(t)
	b := k.build(t, w)
	names := w.Names()
	for _, s := range names {
		for _, r := range names {
			if check := viewPair(s, r); check(b) != nil {
				k.fail(t, w, []string{s, r}, onBuilt(check))
			}
		}
	}
}

func viewPair(s, r string) func(*built) *violation {
	return func(b *built) *violation {
		d, err := b.check(s, r)
		if err != nil {
			return nil
		}
		want := privacy.ViewAllowed
		why := "the message is allowed"
		if !d.Allowed {
			want = b.w.closedView(b.w.Policy, s, r)
			why = "a denial shows what facts about the sender alone say"
			if d.View == privacy.ViewRequestLimit {
				free := *b.w.Policy
				free.RequestCap = 0
				fw := b.w.Clone()
				fw.Policy = &free
				fb, err := build(fw, nil)
				if err != nil {
					return nil
				}
				if fd, err := fb.check(s, r); err == nil && fd.Allowed && fd.Folder == inbox.Requests {
					return nil
				}
				why = "request_limit shows only where the message would go in as a request"
			}
		}
		if d.View == want {
			return nil
		}
		return &violation{rule: RuleSenderView, world: b.w,
			what:  fmt.Sprintf("%s → %s is %v and shows the sender %v; %s: %v.", s, r, d, d.View, why, want),
			lines: []string{fmt.Sprintf("view %s %s %v", s, r, want)}}
	}
}

// blockLooksClosed: when the recipient blocked the sender, the sender sees
// what a closed inbox shows them, whatever else holds.
func (k *kit) blockLooksClosed(t *rapid.T) {
	w := k.world(t)
	names := w.Names()
	s := oneOf(names).Draw(t, "sender")
	r := oneOf(others(names, s)).Draw(t, "recipient")
	if coin(50).Draw(t, "everything else allows") {
		open(w, s, r)
	}
	w.SetEdge(graph.Block, r, s, true)
	check := func(b *built) *violation {
		if !b.w.Has(graph.Block, r, s) {
			return nil
		}
		d, err := b.check(s, r)
		want := b.w.closedView(b.w.Policy, s, r)
		if err != nil || d.View == want {
			return nil
		}
		return &violation{rule: RuleBlockLooksClosed, world: b.w,
			what:  fmt.Sprintf("%s → %s is %v and shows the sender %v, though %s blocked %s: a block must look like a closed inbox (%v).", s, r, d, d.View, r, s, want),
			lines: []string{fmt.Sprintf("view %s %s %v", s, r, want)}}
	}
	if check(k.build(t, w)) != nil {
		k.fail(t, w, []string{s, r}, onBuilt(check))
	}
}

// restrictSilent: the recipient restricting the sender changes nothing
// the sender sees.
func (k *kit) restrictSilent(t *rapid.T) {
	w := k.world(t)
	names := w.Names()
	s := oneOf(names).Draw(t, "sender")
	r := oneOf(others(names, s)).Draw(t, "recipient")
	w.SetEdge(graph.Restrict, r, s, false)
	check := func(w0 *World) *violation {
		w1 := w0.Clone()
		w1.SetEdge(graph.Restrict, r, s, true)
		b0, err0 := build(w0, nil)
		b1, err1 := build(w1, nil)
		if err0 != nil || err1 != nil {
			return nil
		}
		d0, err0 := b0.check(s, r)
		d1, err1 := b1.check(s, r)
		if err0 != nil || err1 != nil || d0.View == d1.View {
			return nil
		}
		return &violation{rule: RuleRestrictSilent, world: w0,
			what: fmt.Sprintf("%s → %s shows the sender %v (%v), but %v (%v) once %s restricts %s: a restriction must not show.", s, r, d0.View, d0, d1.View, d1, r, s),
			lines: []string{
				fmt.Sprintf("view %s %s %v", s, r, d0.View),
				fmt.Sprintf("restrict %s %s", r, s),
				fmt.Sprintf("view %s %s %v", s, r, d0.View),
			}}
	}
	if check(w) != nil {
		k.fail(t, w, []string{s, r}, check)
	}
}

// deterministic: the same facts give the same decision, asked twice, and
// from stores written in another order.
func (k *kit) deterministic(t *rapid.T) {
	w := k.world(t)
	seed := rapid.Uint64().Draw(t, "write order")
	check := func(s, r string) func(*World) *violation {
		return func(w *World) *violation {
			b1, err1 := build(w, nil)
			b2, err2 := build(w, perm(seed))
			if err1 != nil || err2 != nil {
				return nil
			}
			d1, err1 := b1.check(s, r)
			again, err2 := b1.check(s, r)
			other, err3 := b2.check(s, r)
			if err1 != nil || err2 != nil || err3 != nil || (d1 == again && d1 == other) {
				return nil
			}
			return &violation{rule: RuleDeterministic, world: w,
				what:  fmt.Sprintf("%s → %s is %v, then %v asked again, and %v from stores written in another order.", s, r, d1, again, other),
				lines: []string{expect(s, r, d1)}}
		}
	}
	b1 := k.build(t, w)
	b2, err := build(w, perm(seed))
	if err != nil {
		t.Fatalf("privacytest: building a generated world in another order: %v", err)
	}
	for _, s := range w.Names() {
		for _, r := range w.Names() {
			d1, again, other := k.decide(t, b1, s, r), k.decide(t, b1, s, r), k.decide(t, b2, s, r)
			if d1 != again || d1 != other {
				k.fail(t, w, []string{s, r}, check(s, r))
			}
		}
	}
}

// modeLadder: a recipient who moves up the ladder admits every sender
// they admitted, in a folder at least as good.
func (k *kit) modeLadder(t *rapid.T) {
	w := k.world(t)
	names := w.Names()
	r := oneOf(names).Draw(t, "recipient")
	// The ladder is a property of the modes: r sets no route of their own,
	// which a looser mode's table may route differently (a route for
	// "everyone else" reaches fewer senders where the table routes more
	// audiences).
	w.user(r).Settings.Routes = inbox.Overrides{}
	b := k.build(t, w)
	decisions := map[inbox.Mode]map[string]privacy.Decision{}
	for _, pair := range k.ladder {
		for _, m := range pair {
			if _, done := decisions[m]; done || b.e.ValidateSettingsAt(context.Background(), r, inbox.Settings{Mode: m}, w.At) != nil {
				continue // r may not hold m
			}
			wm := w.Clone()
			wm.user(r).Settings.Mode = m
			bm := k.build(t, wm)
			decisions[m] = map[string]privacy.Decision{}
			for _, s := range names {
				decisions[m][s] = k.decide(t, bm, s, r)
			}
		}
	}
	for _, pair := range k.ladder {
		lo, hi := pair[0], pair[1]
		if decisions[lo] == nil || decisions[hi] == nil {
			continue
		}
		for _, s := range names {
			if dlo, dhi := decisions[lo][s], decisions[hi][s]; worse(dlo, dhi) {
				k.fail(t, w, []string{s, r}, k.ladderCheck(s, r, lo, hi))
			}
		}
	}
}

// worse reports whether hi, the decision under a looser mode, is worse
// than lo: a sender lost, or moved out of the chats.
func worse(lo, hi privacy.Decision) bool {
	return lo.Allowed && (!hi.Allowed || (lo.Folder == inbox.Primary && hi.Folder != inbox.Primary))
}

func (k *kit) ladderCheck(s, r string, lo, hi inbox.Mode) func(*World) *violation {
	return func(w *World) *violation {
		wlo, whi := w.Clone(), w.Clone()
		wlo.user(r).Settings.Mode = lo
		whi.user(r).Settings.Mode = hi
		blo, err1 := build(wlo, nil)
		bhi, err2 := build(whi, nil)
		if err1 != nil || err2 != nil {
			return nil
		}
		dlo, err1 := blo.check(s, r)
		dhi, err2 := bhi.check(s, r)
		if err1 != nil || err2 != nil || !worse(dlo, dhi) {
			return nil
		}
		return &violation{rule: RuleModeLadder, world: wlo,
			what: fmt.Sprintf("%s → %s is %v while %s is in %s, but %v in %s, a looser mode: moving up the ladder must keep every sender, in a folder at least as good.",
				s, r, dlo, r, k.p.ModeName(lo), dhi, k.p.ModeName(hi)),
			lines: []string{
				expect(s, r, dlo),
				fmt.Sprintf("set %s mode=%s", r, k.p.ModeName(hi)),
				fmt.Sprintf("expect %s %s allow %v", s, r, dlo.Folder),
			}}
	}
}

// oneDecision: Explain, the batch, Send and ExplainGroup decide as Check
// and CheckGroup do.
func (k *kit) oneDecision(t *rapid.T) {
	w := k.world(t)
	names := w.Names()
	ctx := context.Background()
	recipients := append(slices.Clone(names), rapid.SliceOfN(rapid.SampledFrom(names), 0, 4).Draw(t, "repeats")...)
	pairCheck := func(s, r string) func(*built) *violation {
		return func(b *built) *violation {
			q := privacy.Request[string]{Sender: s, Recipient: r, At: b.w.At}
			d, err := b.e.Check(ctx, q)
			x, xerr := b.e.Explain(ctx, q)
			if err != nil || xerr != nil || x == nil || x.Decision == d {
				return nil
			}
			return &violation{rule: RuleOneDecision, world: b.w,
				what:  fmt.Sprintf("%s → %s: Check says %v, Explain %v.", s, r, d, x.Decision),
				note:  "The file checks Check's decision; run it with dmcheck -explain to see Explain's.",
				lines: []string{expect(s, r, d)}}
		}
	}
	batchCheck := func(s string) func(*built) *violation {
		return func(b *built) *violation {
			rs := slices.DeleteFunc(slices.Clone(recipients), func(x string) bool { return b.w.index(x) < 0 })
			got, err := b.e.CheckMany(ctx, privacy.BatchRequest[string]{Sender: s, Recipients: rs, At: b.w.At}, nil)
			if err != nil {
				return nil
			}
			for i, r := range rs {
				d, err := b.check(s, r)
				if err != nil || got[i] == d {
					continue
				}
				return &violation{rule: RuleOneDecision, world: b.w,
					what:  fmt.Sprintf("%s → %s: Check says %v, but CheckMany(%s, %v) says %v at index %d.", s, r, d, s, rs, got[i], i),
					note:  "The file checks Check's decision.",
					lines: []string{expect(s, r, d)}}
			}
			return nil
		}
	}
	groupCheck := func(q privacy.GroupRequest[string]) func(*built) *violation {
		return func(b *built) *violation {
			d, err := b.e.CheckGroup(ctx, q)
			x, _, xerr := b.e.ExplainGroup(ctx, q)
			if err != nil || xerr != nil || x == d {
				return nil
			}
			return &violation{rule: RuleOneDecision, world: b.w,
				what:  fmt.Sprintf("%s adding %s to a group with %v: CheckGroup says %v, ExplainGroup %v.", q.Inviter, q.Invitee, q.Members, d, x),
				lines: []string{groupLine(q, d.Outcome, d.Reason.String())}}
		}
	}
	sendCheck := func(s, r string) func(*built) *violation {
		return func(b *built) *violation {
			d, err := b.check(s, r)
			sd, _, serr := b.e.Send(ctx, privacy.Request[string]{Sender: s, Recipient: r, At: b.w.At})
			if err != nil || (serr == nil && sd == d) {
				return nil
			}
			return &violation{rule: RuleOneDecision, world: b.w,
				what:  fmt.Sprintf("%s → %s: Check says %v, but Send decides %v (error %v).", s, r, d, sd, serr),
				note:  "The file checks Check's decision; scenario files cannot send.",
				lines: []string{expect(s, r, d)}}
		}
	}
	for range 2 {
		q := Request(w).Draw(t, "send")
		if check := sendCheck(q.Sender, q.Recipient); check(k.build(t, w)) != nil {
			k.fail(t, w, []string{q.Sender, q.Recipient}, onBuilt(check))
		}
	}
	b := k.build(t, w)
	for _, s := range names {
		for _, r := range names {
			if check := pairCheck(s, r); check(b) != nil {
				k.fail(t, w, []string{s, r}, onBuilt(check))
			}
		}
		if check := batchCheck(s); check(b) != nil {
			k.fail(t, w, names, onBuilt(check))
		}
	}
	for range 2 {
		q := groupRequests(w).Draw(t, "group add")
		if check := groupCheck(q); check(b) != nil {
			k.fail(t, w, groupNames(q), onBuilt(check))
		}
	}
}

// diff is cmp.Diff, for the kits' messages.
func diff(want, got any) string { return cmp.Diff(want, got) }
