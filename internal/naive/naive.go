// Package naive is an independent, map-based inbox store, with one
// optional deliberate fault, for the kits' own tests (inbox/inboxtest and
// privacy/privacytest): without a fault a store built on it must pass a
// kit, and with each fault it must fail. It is written for obviousness,
// not speed, and shares no code with the embedded store.
package naive

import (
	"context"
	"slices"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// The faults an Inbox can have, by name.
const (
	FaultCountsHeld       = "counts held"              // held requests count toward the cap
	FaultClosedWindow     = "closed window"            // the window is [after, upTo) instead of (after, upTo]
	FaultOneWay           = "one way"                  // a thread answers only in the order it was started
	FaultDefaultNotStored = "default not stored"       // ModeDefault does not reset a chosen mode
	FaultFactsSwapPair    = "facts swap pair"          // Facts answers the pair the other way round
	FaultFactsZeroWindow  = "facts ignore zero window" // Facts counts pending requests when asked not to
	FaultBatchDropsRepeat = "batch drops repeats"      // FactsBatch answers a repeated recipient once
)

// Inbox holds settings and conversations in maps. Fault names one
// deliberate fault (the constants above), or none when empty; a fault
// this type does not know changes nothing here.
type Inbox struct {
	Fault    string
	settings map[string]inbox.Settings
	threads  map[[2]string]inbox.Conversation[string]
}

// NewInbox returns an empty Inbox with the given fault.
func NewInbox(fault string) *Inbox {
	return &Inbox{Fault: fault, settings: map[string]inbox.Settings{}, threads: map[[2]string]inbox.Conversation[string]{}}
}

func pairKey(a, b string) [2]string {
	if b < a {
		a, b = b, a
	}
	return [2]string{a, b}
}

// Settings returns id's settings.
func (s *Inbox) Settings(_ context.Context, id string) (inbox.Settings, error) {
	return s.settings[id], nil
}

// SetSettings stores id's settings.
func (s *Inbox) SetSettings(id string, st inbox.Settings) error {
	if err := st.Defined(); err != nil {
		return err
	}
	if s.Fault == FaultDefaultNotStored && st.Mode == inbox.ModeDefault {
		return nil
	}
	s.settings[id] = st
	return nil
}

// Conversation returns the thread between a and b.
func (s *Inbox) Conversation(_ context.Context, a, b string) (inbox.Conversation[string], error) {
	c := s.threads[pairKey(a, b)]
	if s.Fault == FaultOneWay && c.Starter != a {
		return inbox.Conversation[string]{}, nil
	}
	return c, nil
}

// SetConversation sets the thread between a and b, started by a at at.
func (s *Inbox) SetConversation(a, b string, st inbox.State, at time.Time) error {
	switch {
	case a == b:
		return inbox.ErrSelf
	case st == inbox.NoThread || st > inbox.Declined:
		return inbox.ErrInvalidState
	}
	s.threads[pairKey(a, b)] = inbox.Conversation[string]{Starter: a, State: st, Started: at}
	return nil
}

// PendingRequests counts sender's pending threads started in (after, upTo].
func (s *Inbox) PendingRequests(_ context.Context, sender string, after, upTo time.Time) (int, error) {
	n := 0
	for _, c := range s.threads {
		in := c.Started.After(after) && !c.Started.After(upTo)
		if s.Fault == FaultClosedWindow {
			in = !c.Started.Before(after) && c.Started.Before(upTo)
		}
		counts := c.State == inbox.Pending || (s.Fault == FaultCountsHeld && c.State == inbox.Held)
		if c.Starter == sender && counts && in {
			n++
		}
	}
	return n, nil
}

// ReadFacts is the body of a one-call fact reader (inbox.FactReader) over
// this inbox, with pair reading the graph's part.
func (s *Inbox) ReadFacts(ctx context.Context, pair func(ctx context.Context, a, b string) (graph.Pair, error), q inbox.Query[string]) (inbox.Facts[string], error) {
	var f inbox.Facts[string]
	var err error
	if f.Pair, err = pair(ctx, q.Sender, q.Recipient); err != nil {
		return f, err
	}
	if s.Fault == FaultFactsSwapPair {
		f.Pair.A, f.Pair.B, f.Pair.Edges = f.Pair.B, f.Pair.A, f.Pair.Edges.Swap()
	}
	f.Settings, _ = s.Settings(ctx, q.Recipient)
	f.Conversation, _ = s.Conversation(ctx, q.Sender, q.Recipient)
	w := q.Window
	if s.Fault == FaultFactsZeroWindow && w == 0 {
		w = 24 * time.Hour
	}
	if w > 0 {
		f.PendingRequests, _ = s.PendingRequests(ctx, q.Sender, q.At.Add(-w), q.At)
	}
	return f, nil
}

// ReadBatch is the body of a batch fact reader (inbox.BatchFactReader)
// over this inbox, with facts reading one recipient's facts.
func (s *Inbox) ReadBatch(ctx context.Context, facts func(ctx context.Context, q inbox.Query[string]) (inbox.Facts[string], error), q inbox.BatchQuery[string], dst []inbox.Facts[string]) error {
	rs := q.Recipients
	if s.Fault == FaultBatchDropsRepeat {
		rs = slices.Clone(rs)
		slices.Sort(rs)
		rs = slices.Compact(rs)
	}
	for i, r := range rs {
		f, err := facts(ctx, inbox.Query[string]{Sender: q.Sender, Recipient: r, At: q.At, Window: q.Window})
		if err != nil {
			return err
		}
		dst[i] = f
	}
	return nil
}
