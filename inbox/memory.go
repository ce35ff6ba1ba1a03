package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Errors of the in-memory store's write methods, for [errors.Is].
var (
	ErrNoRequest    = errors.New("inbox: no pending or held request from that sender")
	ErrSelf         = errors.New("inbox: a conversation with oneself")
	ErrInvalidState = errors.New("inbox: invalid conversation state")
	ErrInvalidMode  = errors.New("inbox: invalid mode")
)

// Memory is the embedded, in-memory inbox store: settings and conversations.
// It is safe for concurrent use, and writes are linearizable: once a write
// returns, every later read sees it. It does not know which users exist
// (the graph does), so it accepts any ID. The zero Memory is not usable;
// call [NewMemory].
type Memory[ID comparable] struct {
	mu    sync.RWMutex
	boxes map[ID]*box[ID]
}

type box[ID comparable] struct {
	settings Settings
	threads  map[ID]*Conversation[ID] // by the other user; shared by both boxes
	pending  []*Conversation[ID]      // Pending threads this user started, by start time
}

var _ Reader[string] = (*Memory[string])(nil)

// NewMemory returns an empty in-memory inbox store.
func NewMemory[ID comparable]() *Memory[ID] {
	return &Memory[ID]{boxes: make(map[ID]*box[ID])}
}

func (m *Memory[ID]) box(id ID) *box[ID] {
	b := m.boxes[id]
	if b == nil {
		b = &box[ID]{}
		m.boxes[id] = b
	}
	return b
}

// Settings returns id's settings, or the zero Settings.
func (m *Memory[ID]) Settings(_ context.Context, id ID) (Settings, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if b := m.boxes[id]; b != nil {
		return b.settings, nil
	}
	return Settings{}, nil
}

// SetSettings stores id's settings as they are. It refuses an undefined
// mode, but whether the user may choose the mode is the policy's question:
// validate first (privacy's Engine.ValidateSettings, or
// [Availability.Validate]).
func (m *Memory[ID]) SetSettings(id ID, s Settings) error {
	if !s.Mode.Valid() {
		return fmt.Errorf("%w: %d", ErrInvalidMode, uint8(s.Mode))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.box(id).settings = s
	return nil
}

// Conversation returns the thread between a and b, or the zero Conversation.
func (m *Memory[ID]) Conversation(_ context.Context, a, b ID) (Conversation[ID], error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if x := m.boxes[a]; x != nil {
		if c := x.threads[b]; c != nil {
			return *c, nil
		}
	}
	return Conversation[ID]{}, nil
}

// PendingRequests counts sender's Pending threads started in (after, upTo].
func (m *Memory[ID]) PendingRequests(_ context.Context, sender ID, after, upTo time.Time) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b := m.boxes[sender]
	if b == nil || !upTo.After(after) {
		return 0, nil
	}
	return firstAfter(b.pending, upTo) - firstAfter(b.pending, after), nil
}

// firstAfter returns the index of the first thread started after t.
func firstAfter[ID comparable](p []*Conversation[ID], t time.Time) int {
	i, _ := slices.BinarySearchFunc(p, t, func(c *Conversation[ID], t time.Time) int {
		if c.Started.After(t) {
			return 1
		}
		return -1
	})
	return i
}

// SetConversation sets the thread between from and to, started by from at
// time at, in the given state, replacing any thread the pair had: for
// loading existing data, tests and scenario files. Use [Memory.Deliver],
// [Memory.Accept] and [Memory.Decline] to follow the lifecycle.
func (m *Memory[ID]) SetConversation(from, to ID, s State, at time.Time) error {
	if from == to {
		return ErrSelf
	}
	if s == NoThread || s > Declined {
		return fmt.Errorf("%w: %v", ErrInvalidState, s)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.put(from, to, Conversation[ID]{Starter: from, State: s, Started: at})
	return nil
}

// put replaces the pair's thread with c, keeping the pending index right.
func (m *Memory[ID]) put(a, b ID, c Conversation[ID]) *Conversation[ID] {
	ba, bb := m.box(a), m.box(b)
	if old := ba.threads[b]; old != nil {
		if old.State == Pending {
			m.unpend(old)
		}
		*old = c
	} else {
		p := &c
		if ba.threads == nil {
			ba.threads = make(map[ID]*Conversation[ID])
		}
		if bb.threads == nil {
			bb.threads = make(map[ID]*Conversation[ID])
		}
		ba.threads[b], bb.threads[a] = p, p
	}
	cur := ba.threads[b]
	if cur.State == Pending {
		sb := m.box(cur.Starter)
		i := firstAfter(sb.pending, cur.Started)
		sb.pending = slices.Insert(sb.pending, i, cur)
	}
	return cur
}

func (m *Memory[ID]) unpend(c *Conversation[ID]) {
	sb := m.boxes[c.Starter]
	if i := slices.Index(sb.pending, c); i >= 0 {
		sb.pending = slices.Delete(sb.pending, i, i+1)
	}
}

// Deliver records that from sent to a message that landed as d at time at,
// and returns the conversation afterwards; see [Next] for the lifecycle. An
// Undelivered message changes nothing.
func (m *Memory[ID]) Deliver(from, to ID, d Delivery, at time.Time) (Conversation[ID], error) {
	if from == to {
		return Conversation[ID]{}, ErrSelf
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var cur Conversation[ID]
	if b := m.boxes[from]; b != nil && b.threads[to] != nil {
		cur = *b.threads[to]
	}
	next := Next(cur, from, d, at)
	if next == cur {
		return cur, nil
	}
	return *m.put(from, to, next), nil
}

// Accept accepts sender's pending or held request to recipient.
func (m *Memory[ID]) Accept(recipient, sender ID) error {
	return m.answer(recipient, sender, Accepted)
}

// Decline declines sender's pending or held request to recipient.
func (m *Memory[ID]) Decline(recipient, sender ID) error {
	return m.answer(recipient, sender, Declined)
}

func (m *Memory[ID]) answer(recipient, sender ID, s State) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.boxes[recipient]
	if b == nil || b.threads[sender] == nil {
		return ErrNoRequest
	}
	c := *b.threads[sender]
	if c.Starter != sender || (c.State != Pending && c.State != Held) {
		return ErrNoRequest
	}
	c.State = s
	m.put(sender, recipient, c)
	return nil
}
