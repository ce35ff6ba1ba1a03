package privacy

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// The audience preview answers, for a recipient R's settings screen, "who
// could message me in each mode?" — and so "if you switch to Everyone, N
// more people can message you".
//
// Per the no-leak rule of the package documentation it is computed from
// R's own settings and relations only: R's status, age and mode; whom R follows, R's followers
// and friends, the numbers in R's synced contacts, R's Facebook friends,
// whom R blocked or restricted, and R's conversations. Nothing another user
// has of their own counts: not their blocks of R, their age, their account
// status, their request cap, nor whether they have R's number. Every other
// user is taken to be an active account of an age no gate refuses (the
// policy's minimum age, below its age of majority) with no block of R and
// room under the cap. Their public switches do count, as they do in a
// decision: "suggest my account to my contacts / Facebook friends", and the
// verified badge.
//
// So the preview is what CanMessage would answer for every sender if every
// sender were such a neutral account: it equals CanMessage exactly in a
// world where no sender has blocks, ages, statuses or caps of their own,
// and otherwise may count people whom their own facts will stop. It is for
// R's eyes only, like the rest of R's settings screen.
//
// Senders are counted one by one among R's related users (the people in
// R's lists, each once), and all other users at once, as strangers: a
// policy that routes the verified audience better than anyone gets those
// strangers counted as unverified. The cost is linear in the number of R's
// relations (a celebrity's preview reads every follower); the listing
// ([Engine.ListAudience]) is paginated.

// ModeReach is how many users could start a conversation with a recipient
// under one mode, by the folder their messages would land in.
type ModeReach struct {
	Mode inbox.Mode
	Name string // the mode's name under the policy

	// Available reports whether the recipient may choose the mode now
	// (their age band, the mode's rollout cohort).
	Available bool

	Primary  int // users whose messages would land in the chats
	Requests int // users whose messages would be message requests
}

// Total returns Primary + Requests.
func (m ModeReach) Total() int { return m.Primary + m.Requests }

// Preview is a recipient's audience under each mode of the policy.
type Preview struct {
	// Mode is the recipient's effective mode at the preview's time, and
	// ModeSet whether they chose it (else it is their age band's default).
	Mode    inbox.Mode
	ModeSet bool

	// Modes is every mode the policy offers, in mode order (loosest
	// first).
	Modes []ModeReach

	// Conversations reports whether the recipient's conversations were
	// counted: false when the inbox reader does not implement
	// [inbox.ConversationLister], and then people who could reach the
	// recipient only through a conversation are missing.
	Conversations bool
}

// Reach returns the counts of mode m, and false if the policy does not
// offer it.
func (p *Preview) Reach(m inbox.Mode) (ModeReach, bool) {
	for _, r := range p.Modes {
		if r.Mode == m {
			return r, true
		}
	}
	return ModeReach{}, false
}

// Gain returns how many more users could message the recipient under mode
// m than under their current mode (negative if fewer): "switch to Everyone
// and N more people can message you".
func (p *Preview) Gain(m inbox.Mode) int {
	to, _ := p.Reach(m)
	from, _ := p.Reach(p.Mode)
	return to.Total() - from.Total()
}

// Reach is one user who could message the recipient, with where their
// message would land and why.
type Reach[ID comparable] struct {
	ID     ID
	Folder inbox.Folder
	Reason Reason
}

// AudienceQuery asks for a page of a recipient's audience under a mode.
type AudienceQuery[ID comparable] struct {
	Recipient ID

	// Mode is the mode to list the audience of; ModeDefault means the
	// recipient's effective mode.
	Mode inbox.Mode

	// At is the time of the preview; zero means the engine's clock.
	At time.Time

	// After is the cursor a previous page returned; zero for the first.
	After graph.Cursor

	// Limit is the most users a page holds; zero or less means 100.
	Limit int
}

// ErrNoLister is wrapped by the errors of the preview when the graph reader
// cannot list a user's relations; it wraps [errors.ErrUnsupported].
var ErrNoLister = fmt.Errorf("privacy: the audience preview needs a graph reader that lists relations (graph.Lister): %w", errors.ErrUnsupported)

// PreviewAudience counts, now, who could message recipient under each mode
// of the policy; see the package documentation of the preview above
// [ModeReach] for what is counted. It is PreviewAudienceAt with the
// engine's clock.
func (e *Engine[ID]) PreviewAudience(ctx context.Context, recipient ID) (Preview, error) {
	return e.PreviewAudienceAt(ctx, recipient, e.now())
}

// PreviewAudienceAt counts who could message recipient at time at under
// each mode. It needs a graph reader that implements [graph.Lister] (else
// the error wraps [ErrNoLister]), and counts conversations when the inbox
// reader implements [inbox.ConversationLister]. An unknown or unavailable
// recipient, or one below the minimum age, has no audience.
func (e *Engine[ID]) PreviewAudienceAt(ctx context.Context, recipient ID, at time.Time) (Preview, error) {
	a, err := e.newAudience(ctx, recipient, at)
	if err != nil {
		return Preview{}, err
	}
	pv := Preview{Mode: a.mode, ModeSet: a.settings.Mode != inbox.ModeDefault, Conversations: a.threads != nil}
	for m := inbox.Mode(1); m < inbox.NumModes; m++ {
		if r := e.policy.Modes[m]; r.Name != "" {
			pv.Modes = append(pv.Modes, ModeReach{Mode: m, Name: r.Name,
				Available: e.policy.Availability.Validate(inbox.Settings{Mode: m}, a.band, inbox.CohortKey(recipient)) == nil})
		}
	}
	count := func(i int, d Decision, n int) {
		switch {
		case !d.Allowed:
		case d.Folder == inbox.Primary:
			pv.Modes[i].Primary += n
		default:
			pv.Modes[i].Requests += n
		}
	}
	related := 0
	var cur audienceCursor
	var other ID // any related user: a stranger's stand-in if need be
	for {
		page, next, err := a.page(ctx, cur, audiencePage)
		if err != nil {
			return Preview{}, err
		}
		for _, c := range page {
			related++
			other = c.id
			for i, mr := range pv.Modes {
				count(i, a.decide(&c.f, c.id, mr.Mode), 1)
			}
		}
		if next.done() {
			break
		}
		cur = next
	}
	// Everyone else, at once: a stranger, with no relation to the
	// recipient. Any ID but the recipient's stands for them (only the self
	// gate looks at it): the zero ID, or a related user's when the
	// recipient's is the zero ID.
	users, err := a.lister.CountUsers(ctx)
	if err != nil {
		return Preview{}, fmt.Errorf("privacy: counting users: %w", err)
	}
	var stranger ID
	if stranger == recipient {
		stranger = other
	}
	if others := users - 1 - related; others > 0 && a.known && stranger != recipient {
		var f inbox.Facts[ID]
		for i, mr := range pv.Modes {
			count(i, a.decide(&f, stranger, mr.Mode), others)
		}
	}
	if err := ctx.Err(); err != nil {
		return Preview{}, fmt.Errorf("privacy: %w", err)
	}
	return pv, nil
}

// ListAudience lists, page by page, the users related to q.Recipient who
// could message them under q.Mode, with the folder and reason of each:
// friends, people they follow or who follow them, contacts, Facebook
// friends, people they have a conversation with. Strangers, who reach a
// recipient in Everyone as message requests, are counted by
// PreviewAudience, not listed. Pass the returned cursor as q.After for the
// next page; the last page returns the zero cursor. A page may hold fewer
// than q.Limit users before the last.
func (e *Engine[ID]) ListAudience(ctx context.Context, q AudienceQuery[ID], dst []Reach[ID]) ([]Reach[ID], graph.Cursor, error) {
	if q.At.IsZero() {
		q.At = e.now()
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	cur, err := parseAudienceCursor(q.After)
	if err != nil {
		return dst, "", err
	}
	a, err := e.newAudience(ctx, q.Recipient, q.At)
	if err != nil {
		return dst, "", err
	}
	mode := q.Mode
	if mode == inbox.ModeDefault {
		mode = a.mode
	}
	if !mode.Valid() || e.policy.Modes[mode].Name == "" {
		return dst, "", fmt.Errorf("privacy: policy %s does not offer mode %v", e.policy.Name, mode)
	}
	page, next, err := a.page(ctx, cur, q.Limit)
	if err != nil {
		return dst, "", err
	}
	for _, c := range page {
		if d := a.decide(&c.f, c.id, mode); d.Allowed {
			dst = append(dst, Reach[ID]{ID: c.id, Folder: d.Folder, Reason: d.Reason})
		}
	}
	return dst, next.encode(), nil
}

// audiencePage is how many related users a preview reads per call.
const audiencePage = 256

// audience is one recipient's preview in progress: their own facts.
type audience[ID comparable] struct {
	e         *Engine[ID]
	recipient ID
	at        time.Time
	known     bool
	user      graph.User
	settings  inbox.Settings
	mode      inbox.Mode
	band      graph.AgeBand
	lister    graph.Lister[ID]
	threads   inbox.ConversationLister[ID] // nil if the inbox reader has none
	neutral   time.Time                    // the birth date of a neutral sender
	person    person                       // the recipient, as the decision reads them
	cut       *dayCuts
}

func (e *Engine[ID]) newAudience(ctx context.Context, r ID, at time.Time) (*audience[ID], error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("privacy: %w", err)
	}
	if at.IsZero() {
		at = e.now()
	}
	l, ok := e.graph.(graph.Lister[ID])
	if !ok {
		return nil, ErrNoLister
	}
	a := &audience[ID]{e: e, recipient: r, at: at, lister: l}
	a.threads, _ = e.inbox.(inbox.ConversationLister[ID])
	var err error
	if a.user, err = e.graph.User(ctx, r); err != nil {
		return nil, fmt.Errorf("privacy: reading user: %w", err)
	}
	if a.settings, err = e.inbox.Settings(ctx, r); err != nil {
		return nil, fmt.Errorf("privacy: reading settings: %w", err)
	}
	a.known = a.user.Status != graph.StatusUnknown
	a.person = personOf(&a.user)
	a.cut = e.cuts.at(at, &e.c.ages)
	a.band = a.cut.band(&a.person)
	a.mode, _ = e.c.mode(a.settings.Mode, a.band)
	// A neutral sender is as old as the minimum age, and no adult, so
	// that neither the sender's age gate nor the adult-to-minor gate
	// stops them.
	p := &e.policy
	age := p.minAge()
	if age >= p.adultAge() {
		age = p.adultAge()
	}
	a.neutral = graph.BirthForAge(at, age)
	return a, nil
}

// candidate is one related user and the facts between them, as the
// recipient (Pair.A) sees them.
type candidate[ID comparable] struct {
	id ID
	f  inbox.Facts[ID]
}

// The stages of a scan: the recipient's lists, one after another. A user
// in several lists is taken in the first.
var audienceStages = [...]graph.Relation{
	0, // conversations (from the inbox reader)
	graph.RelationFollowing,
	graph.RelationFollowers,
	graph.RelationContacts,
	graph.RelationFacebookFriends,
	graph.RelationBlocked,
	graph.RelationRestricted,
}

// inStage reports whether the related user of f (recipient as A) is in the
// list of stage s.
func inStage[ID comparable](f *inbox.Facts[ID], s int) bool {
	e := f.Pair.Edges
	switch audienceStages[s] {
	case 0:
		return f.Conversation.Exists()
	case graph.RelationFollowing:
		return e.Has(graph.FollowAB)
	case graph.RelationFollowers:
		return e.Has(graph.FollowBA)
	case graph.RelationContacts:
		return e.Has(graph.ContactAB)
	case graph.RelationFacebookFriends:
		return e.Has(graph.FacebookAB)
	case graph.RelationBlocked:
		return e.Has(graph.BlockAB)
	case graph.RelationRestricted:
		return e.Has(graph.RestrictAB)
	}
	return false
}

// audienceCursor is a position in a scan: a stage and a cursor in its list.
type audienceCursor struct {
	stage int
	inner graph.Cursor
}

func (c audienceCursor) done() bool { return c.stage >= len(audienceStages) }

func (c audienceCursor) encode() graph.Cursor {
	if c.done() {
		return ""
	}
	return graph.Cursor(strconv.Itoa(c.stage) + ":" + string(c.inner))
}

func parseAudienceCursor(c graph.Cursor) (audienceCursor, error) {
	if c == "" {
		return audienceCursor{}, nil
	}
	stage, inner, ok := strings.Cut(string(c), ":")
	s, err := strconv.Atoi(stage)
	if !ok || err != nil || s < 0 || s >= len(audienceStages) {
		return audienceCursor{}, fmt.Errorf("privacy: %w: %q", graph.ErrBadCursor, c)
	}
	return audienceCursor{stage: s, inner: graph.Cursor(inner)}, nil
}

// page returns up to about limit related users from cur on, each once, with
// their facts, and the cursor after them.
func (a *audience[ID]) page(ctx context.Context, cur audienceCursor, limit int) ([]candidate[ID], audienceCursor, error) {
	var out []candidate[ID]
	if !a.known {
		return nil, audienceCursor{stage: len(audienceStages)}, nil
	}
	for !cur.done() && len(out) < limit {
		ids, next, err := a.list(ctx, cur, limit-len(out))
		if err != nil {
			return nil, cur, err
		}
		facts, err := a.facts(ctx, ids)
		if err != nil {
			return nil, cur, err
		}
		for i, id := range ids {
			f := &facts[i]
			if f.Pair.B.Status == graph.StatusUnknown || id == a.recipient {
				continue // a conversation with someone who is not a user
			}
			first := true
			for s := range cur.stage {
				if inStage(f, s) && (s > 0 || a.threads != nil) {
					first = false
					break
				}
			}
			if first {
				out = append(out, candidate[ID]{id: id, f: *f})
			}
		}
		if next == "" {
			cur = audienceCursor{stage: cur.stage + 1}
		} else {
			cur.inner = next
		}
	}
	return out, cur, nil
}

// list returns up to limit users of stage cur.stage from cur.inner on.
func (a *audience[ID]) list(ctx context.Context, cur audienceCursor, limit int) ([]ID, graph.Cursor, error) {
	rel := audienceStages[cur.stage]
	if rel == 0 {
		if a.threads == nil {
			return nil, "", nil
		}
		ts, next, err := a.threads.Threads(ctx, a.recipient, cur.inner, limit, nil)
		if err != nil {
			return nil, "", fmt.Errorf("privacy: listing conversations: %w", err)
		}
		ids := make([]ID, len(ts))
		for i, t := range ts {
			ids[i] = t.With
		}
		return ids, next, nil
	}
	ids, next, err := a.lister.Related(ctx, a.recipient, rel, cur.inner, limit, nil)
	if err != nil {
		return nil, "", fmt.Errorf("privacy: listing %v: %w", rel, err)
	}
	return ids, next, nil
}

// facts reads the facts between the recipient (as sender, A) and each of
// ids: one call with a batch reader.
func (a *audience[ID]) facts(ctx context.Context, ids []ID) ([]inbox.Facts[ID], error) {
	facts := make([]inbox.Facts[ID], len(ids))
	if len(ids) == 0 {
		return facts, nil
	}
	e := a.e
	if e.batch != nil {
		if err := e.batch.FactsBatch(ctx, inbox.BatchQuery[ID]{Sender: a.recipient, Recipients: ids, At: a.at}, facts); err != nil {
			return nil, fmt.Errorf("privacy: reading facts: %w", err)
		}
		return facts, nil
	}
	for i, id := range ids {
		var err error
		if e.facts != nil {
			facts[i], err = e.facts.Facts(ctx, inbox.Query[ID]{Sender: a.recipient, Recipient: id, At: a.at})
		} else {
			err = e.readFacts(ctx, a.recipient, id, &facts[i])
		}
		if err != nil {
			return nil, fmt.Errorf("privacy: reading facts: %w", err)
		}
	}
	return facts, nil
}

// ownEdges are the relations of a pair (sender A, recipient B) that are the
// recipient's own: what the preview may use.
const ownEdges = graph.FollowAB | graph.FollowBA | graph.BlockBA | graph.RestrictBA | graph.ContactBA | graph.FacebookAB

// decide is the decision for sender id under mode m, from the recipient's
// facts in about them (recipient as A), the sender made neutral: the one
// decision function, without the request cap (it is the sender's own).
func (a *audience[ID]) decide(in *inbox.Facts[ID], id ID, m inbox.Mode) Decision {
	s := in.Pair.B
	neutral := graph.User{Status: graph.Active, Birth: a.neutral, Verified: s.Verified,
		HideFromContacts: s.HideFromContacts, HideFromFacebook: s.HideFromFacebook}
	f := facts{
		self:     id == a.recipient,
		s:        personOf(&neutral),
		r:        a.person,
		edges:    in.Pair.Edges.Swap() & ownEdges,
		settings: a.settings,
		conv:     in.Conversation.State,
		pending:  -1,
	}
	f.convBySender = f.conv != inbox.NoThread && in.Conversation.Starter == id
	f.settings.Mode = m
	var rf *RuleFacts
	if a.e.c.custom {
		rf = &RuleFacts{Sender: neutral, Recipient: a.user, Edges: f.edges, Conversation: f.conv,
			StartedBySender: f.convBySender, At: a.at}
	}
	d, _ := decide(a.e.c, &f, rf, a.cut, nil)
	return d
}
