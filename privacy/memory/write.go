package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// SetUser adds the user id, or replaces its account facts. The status must
// be set: the zero status means "no such user", so it is refused with
// [graph.ErrInvalidUser]; to close an account, set Deactivated, Suspended
// or Deleted. Relations and conversations are kept when a user is
// replaced. Dates keep their UTC calendar day.
func (s *Store[ID]) SetUser(id ID, u graph.User) error {
	w, err := checkUser(u)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.setUser(id, w)
}

// checkUser refuses what SetUser refuses, and packs the rest.
func checkUser(u graph.User) (uint64, error) {
	if u.Status == graph.StatusUnknown || u.Status > graph.Deleted {
		return 0, fmt.Errorf("%w: status %v (set Active, Deactivated, Suspended or Deleted)", graph.ErrInvalidUser, u.Status)
	}
	if u.Band > graph.Age18Plus {
		return 0, fmt.Errorf("%w: age band %v", graph.ErrInvalidUser, u.Band)
	}
	if u.Birth.IsZero() && u.Band != graph.AgeUnknown && u.BandAsOf.IsZero() {
		return 0, fmt.Errorf("%w: age band %v without the date it was verified", graph.ErrInvalidUser, u.Band)
	}
	return packUser(u)
}

func (s *Store[ID]) setUser(id ID, w uint64) error {
	_, r, _, err := s.add(id)
	if err != nil {
		return err
	}
	if r.user.Load()&statusMask == 0 {
		s.users.Add(1)
	}
	s.begin(r)
	r.user.Store(w)
	s.end(r)
	return nil
}

// user returns the record of a known user, for a graph write.
func (s *Store[ID]) user(id ID) (uint32, *record[ID], error) {
	i, r := s.find(id)
	if r == nil || r.user.Load()&statusMask == 0 {
		return 0, nil, fmt.Errorf("%w: %v", graph.ErrUnknownUser, id)
	}
	return i, r, nil
}

// Follow records that from follows to. It is idempotent; it fails with
// [graph.ErrUnknownUser] or [graph.ErrSelfEdge].
func (s *Store[ID]) Follow(from, to ID) error { return s.setEdge(graph.Follow, from, to, true) }

// Unfollow removes the follow from → to, if any.
func (s *Store[ID]) Unfollow(from, to ID) error { return s.setEdge(graph.Follow, from, to, false) }

// Block records that from blocked to. Follows are kept: a block denies
// messages whatever else holds, and unblocking restores the rest. Once
// Block returns, no check or send from to to from is allowed.
func (s *Store[ID]) Block(from, to ID) error { return s.setEdge(graph.Block, from, to, true) }

// Unblock removes the block from → to, if any.
func (s *Store[ID]) Unblock(from, to ID) error { return s.setEdge(graph.Block, from, to, false) }

// Restrict records that from restricted to: to's messages reach from's
// requests, and to is not told.
func (s *Store[ID]) Restrict(from, to ID) error { return s.setEdge(graph.Restrict, from, to, true) }

// Unrestrict removes the restriction from → to, if any.
func (s *Store[ID]) Unrestrict(from, to ID) error { return s.setEdge(graph.Restrict, from, to, false) }

// LinkFacebook records that a and b are Facebook friends (symmetric).
func (s *Store[ID]) LinkFacebook(a, b ID) error { return s.setEdge(graph.Facebook, a, b, true) }

// UnlinkFacebook removes the Facebook link between a and b, if any.
func (s *Store[ID]) UnlinkFacebook(a, b ID) error { return s.setEdge(graph.Facebook, a, b, false) }

// SetEdge adds (on is true) or removes the relation kind from → to: the
// general form of Follow, Block, Restrict and LinkFacebook. Contacts are
// keys, not edges: see [Store.SetContactKey] and [Store.SyncContacts].
func (s *Store[ID]) SetEdge(kind graph.Edge, from, to ID, on bool) error {
	if kind == graph.Contact || !kind.Valid() {
		return fmt.Errorf("%w: %v (contacts are set with SetContactKey and SyncContacts)", graph.ErrInvalidEdge, kind)
	}
	return s.setEdge(kind, from, to, on)
}

// edgeSets is the set an edge kind changes on its actor and on its target
// (-1: none).
var edgeSets = [...][2]int{
	graph.Follow:   {setOut, setIn},
	graph.Block:    {setBlocks, -1},
	graph.Restrict: {setRestricts, -1},
	graph.Facebook: {setFacebook, setFacebook},
}

func (s *Store[ID]) setEdge(kind graph.Edge, from, to ID, on bool) error {
	if from == to {
		return fmt.Errorf("%w: %v %v", graph.ErrSelfEdge, kind, from)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.setEdgeLocked(kind, from, to, on)
}

func (s *Store[ID]) setEdgeLocked(kind graph.Edge, from, to ID, on bool) error {
	ia, ra, err := s.user(from)
	if err != nil {
		return err
	}
	ib, rb, err := s.user(to)
	if err != nil {
		return err
	}
	sets := edgeSets[kind]
	s.begin(ra)
	s.begin(rb)
	s.change(ra, sets[0], permOf(ib), on)
	if sets[1] >= 0 {
		s.change(rb, sets[1], permOf(ia), on)
	}
	s.end(ra)
	s.end(rb)
	return nil
}

// SetContactKey sets the key of id's own phone number, so that users whose
// synced contacts hold the key have id's number. An empty key removes it.
// A number belongs to one account: setting a key another user holds moves
// it to id (numbers are recycled).
func (s *Store[ID]) SetContactKey(id ID, key graph.ContactKey) error {
	if key != "" {
		if err := graph.CheckContactKey(key); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.setContactKey(id, key)
}

func (s *Store[ID]) setContactKey(id ID, key graph.ContactKey) error {
	i, r, err := s.user(id)
	if err != nil {
		return err
	}
	s.begin(r)
	defer s.end(r)
	if old := r.key.Load(); old != 0 {
		s.keys.rec(old - 1).owner.Store(0)
		r.key.Store(0)
	}
	if key == "" {
		return nil
	}
	k := s.keys.add(key)
	kr := s.keys.rec(k)
	if prev := kr.owner.Load(); prev != 0 {
		if p := s.rec(prev - 1); p != nil && p != r {
			s.begin(p)
			p.key.Store(0)
			s.end(p)
		}
	}
	kr.owner.Store(i + 1)
	r.key.Store(k + 1)
	return nil
}

// SyncContacts replaces id's synced contacts (their uploaded address book)
// with keys. Keys no account holds are kept: they match an account that
// sets that key later.
func (s *Store[ID]) SyncContacts(id ID, keys []graph.ContactKey) error {
	for _, k := range keys {
		if err := graph.CheckContactKey(k); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.syncContacts(id, keys)
}

func (s *Store[ID]) syncContacts(id ID, keys []graph.ContactKey) error {
	_, r, err := s.user(id)
	if err != nil {
		return err
	}
	book := make([]uint32, len(keys))
	for j, k := range keys {
		book[j] = permOf(s.keys.add(k))
	}
	slices.Sort(book)
	book = slices.Compact(book)
	s.begin(r)
	s.replace(r, setBook, book, len(book) > s.promote)
	s.end(r)
	return nil
}

// AddContact adds one key to id's synced contacts.
func (s *Store[ID]) AddContact(id ID, key graph.ContactKey) error {
	return s.editContact(id, key, true)
}

// RemoveContact removes one key from id's synced contacts, if present.
func (s *Store[ID]) RemoveContact(id ID, key graph.ContactKey) error {
	return s.editContact(id, key, false)
}

func (s *Store[ID]) editContact(id ID, key graph.ContactKey, on bool) error {
	if err := graph.CheckContactKey(key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.editContactLocked(id, key, on)
}

func (s *Store[ID]) editContactLocked(id ID, key graph.ContactKey, on bool) error {
	_, r, err := s.user(id)
	if err != nil {
		return err
	}
	var k uint32
	if on {
		k = s.keys.add(key)
	} else {
		var ok bool
		if k, ok = s.keys.find(key); !ok {
			return nil
		}
	}
	s.begin(r)
	s.change(r, setBook, permOf(k), on)
	s.end(r)
	return nil
}

// SetSettings stores id's settings as they are. It refuses undefined
// settings ([inbox.Settings.Defined]), keeping the stored ones; whether the
// user may choose them is the policy's question: validate first (privacy's
// Engine.ValidateSettings). Inbox writes accept any ID, a user of the
// graph or not, so the store can serve as the inbox of a host's own graph.
func (s *Store[ID]) SetSettings(id ID, st inbox.Settings) error {
	if err := st.Defined(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.setSettings(id, st)
}

func (s *Store[ID]) setSettings(id ID, st inbox.Settings) error {
	_, r, _, err := s.add(id)
	if err != nil {
		return err
	}
	s.begin(r)
	r.settings.Store(packSettings(st))
	s.end(r)
	return nil
}

// SetConversation sets the thread between from and to, started by from at
// time at, in the given state, replacing any thread the pair had: for
// loading existing data, tests and scenario files. Use [Store.Deliver],
// [Store.Accept], [Store.Decline] — or privacy's Engine.Send — to follow
// the lifecycle.
func (s *Store[ID]) SetConversation(from, to ID, st inbox.State, at time.Time) error {
	started, err := checkConversation(from, to, st, at)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.setConversation(from, to, st, started)
}

// checkConversation refuses what SetConversation refuses, and returns the
// start time in the store's form.
func checkConversation[ID comparable](from, to ID, st inbox.State, at time.Time) (int64, error) {
	if from == to {
		return 0, inbox.ErrSelf
	}
	if st == inbox.NoThread || st > inbox.Declined {
		return 0, fmt.Errorf("%w: %v", inbox.ErrInvalidState, st)
	}
	return nanos(at)
}

func (s *Store[ID]) setConversation(from, to ID, st inbox.State, started int64) error {
	ia, ra, _, err := s.add(from)
	if err != nil {
		return err
	}
	ib, rb, _, err := s.add(to)
	if err != nil {
		return err
	}
	s.put(ia, ib, ra, rb, thread{started: started, state: st, mine: true})
	return nil
}

// put sets the pair's thread under both counters.
func (s *Store[ID]) put(ia, ib uint32, ra, rb *record[ID], t thread) {
	s.begin(ra)
	s.begin(rb)
	s.putThread(ia, ib, ra, rb, t)
	s.end(ra)
	s.end(rb)
}

// Deliver records that from sent to a message that landed as d at time at,
// and returns the conversation afterwards; see [inbox.Next] for the
// lifecycle. An Undelivered message changes nothing. Deliver does not
// decide: privacy's Engine.Send decides and delivers in one step.
func (s *Store[ID]) Deliver(from, to ID, d inbox.Delivery, at time.Time) (inbox.Conversation[ID], error) {
	if from == to {
		return inbox.Conversation[ID]{}, inbox.ErrSelf
	}
	if _, err := nanos(at); err != nil {
		return inbox.Conversation[ID]{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliver(from, to, d, at)
}

// deliver is Deliver under the mutex.
func (s *Store[ID]) deliver(from, to ID, d inbox.Delivery, at time.Time) (inbox.Conversation[ID], error) {
	var f inbox.Facts[ID]
	s.read(&f, inbox.Query[ID]{Sender: from, Recipient: to}, nil, true)
	cur := f.Conversation
	next := inbox.Next(cur, from, d, at)
	if next == cur {
		return cur, nil
	}
	started, err := nanos(next.Started)
	if err != nil {
		return cur, err
	}
	ia, ra, _, err := s.add(from)
	if err != nil {
		return cur, err
	}
	ib, rb, _, err := s.add(to)
	if err != nil {
		return cur, err
	}
	s.put(ia, ib, ra, rb, thread{started: started, state: next.State, mine: next.Starter == from})
	return next, nil
}

// Accept accepts sender's pending or held request to recipient.
func (s *Store[ID]) Accept(recipient, sender ID) error {
	return s.answer(recipient, sender, inbox.Accepted)
}

// Decline declines sender's pending or held request to recipient.
func (s *Store[ID]) Decline(recipient, sender ID) error {
	return s.answer(recipient, sender, inbox.Declined)
}

func (s *Store[ID]) answer(recipient, sender ID, st inbox.State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.answerLocked(recipient, sender, st)
}

func (s *Store[ID]) answerLocked(recipient, sender ID, st inbox.State) error {
	ir, rr := s.find(recipient)
	is, rs := s.find(sender)
	if rr == nil || rs == nil || rr == rs {
		return inbox.ErrNoRequest
	}
	v := s.arena.box(rs.box.Load())
	t, ok := v.find(permOf(ir))
	if !ok || !t.mine || (t.state != inbox.Pending && t.state != inbox.Held) {
		return inbox.ErrNoRequest
	}
	t.state = st
	s.put(is, ir, rs, rr, t)
	return nil
}

// Send decides and records a delivery in one step ([inbox.Sender]): under
// the writers' mutex it reads the facts of q, asks decide, and records
// what decide returns, so no other write — another send by the same user,
// a block — lands in between. privacy's Engine.Send calls it. The pending
// requests it counts include those started after q.At: a send whose clock
// ran ahead may have taken the mutex first, and the cap holds anyway.
func (s *Store[ID]) Send(ctx context.Context, q inbox.Query[ID], decide func(f *inbox.Facts[ID]) (inbox.Delivery, error)) (inbox.Conversation[ID], error) {
	if _, err := nanos(q.At); err != nil {
		return inbox.Conversation[ID]{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var f inbox.Facts[ID]
	s.read(&f, q, nil, true)
	cur := f.Conversation
	d, err := decide(&f)
	if err != nil || d == inbox.Undelivered {
		return cur, err
	}
	if q.Sender == q.Recipient {
		return cur, inbox.ErrSelf
	}
	if err := ctx.Err(); err != nil {
		return cur, err
	}
	return s.deliver(q.Sender, q.Recipient, d, q.At)
}
