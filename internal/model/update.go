package model

import (
	"errors"
	"time"
)

// Errors of the write methods. Tests compare only whether a write failed,
// not which error, with the embedded stores.
var (
	ErrUnknownUser = errors.New("model: unknown user")
	ErrSelf        = errors.New("model: a relation or thread with oneself")
	ErrMode        = errors.New("model: mode not available")
	ErrNoRequest   = errors.New("model: no pending or held request from that sender")
)

// SetUser adds or replaces a user; their relations are kept.
func (w *World) SetUser(name string, u User) { w.Users[name] = u }

func (w *World) checkPair(a, b string) error {
	if a == b {
		return ErrSelf
	}
	if _, ok := w.Users[a]; !ok {
		return ErrUnknownUser
	}
	if _, ok := w.Users[b]; !ok {
		return ErrUnknownUser
	}
	return nil
}

func (w *World) setEdge(edges map[[2]string]bool, from, to string, on bool) error {
	if err := w.checkPair(from, to); err != nil {
		return err
	}
	if on {
		edges[[2]string{from, to}] = true
	} else {
		delete(edges, [2]string{from, to})
	}
	return nil
}

// Follow records (on) or removes the follow from → to.
func (w *World) Follow(from, to string, on bool) error { return w.setEdge(w.Follows, from, to, on) }

// Block records (on) or removes from's block of to.
func (w *World) Block(from, to string, on bool) error { return w.setEdge(w.Blocks, from, to, on) }

// Restrict records (on) or removes from's restriction of to.
func (w *World) Restrict(from, to string, on bool) error {
	return w.setEdge(w.Restricts, from, to, on)
}

// LinkFacebook records (on) or removes the Facebook link of a and b.
func (w *World) LinkFacebook(a, b string, on bool) error {
	if err := w.setEdge(w.Facebook, a, b, on); err != nil {
		return err
	}
	return w.setEdge(w.Facebook, b, a, on)
}

// SetKey sets user's own contact key; "" removes it. A key belongs to one
// user: whoever held it before loses it.
func (w *World) SetKey(user, key string) error {
	if _, ok := w.Users[user]; !ok {
		return ErrUnknownUser
	}
	delete(w.Keys, user)
	if key == "" {
		return nil
	}
	for other, k := range w.Keys {
		if k == key {
			delete(w.Keys, other)
		}
	}
	w.Keys[user] = key
	return nil
}

// SyncContacts replaces user's synced address book with keys.
func (w *World) SyncContacts(user string, keys []string) error {
	if _, ok := w.Users[user]; !ok {
		return ErrUnknownUser
	}
	book := map[string]bool{}
	for _, k := range keys {
		book[k] = true
	}
	w.Contacts[user] = book
	return nil
}

// SetMode is a user choosing an inbox mode at time at, as the engine
// validates it: unknown users and unknown modes are refused, and Everyone
// needs a user who is 18+ (the youngest they can be) at that time. Any
// other mode may be chosen by anyone; "default" goes back to never set.
func (w *World) SetMode(user, mode string, at time.Time) error {
	u, ok := w.Users[user]
	if !ok {
		return ErrUnknownUser
	}
	switch mode {
	case "default":
		delete(w.Modes, user)
		return nil
	case "everyone":
		if youngest, _ := u.Ages(at); youngest < AdultAge { // an unknown age is 0
			return ErrMode
		}
	case "suggested", "friends", "noone":
	default:
		return ErrMode
	}
	w.Modes[user] = mode
	return nil
}

// Deliver is from sending to a message at time at: it decides, and an
// allowed message moves the pair's thread along the request lifecycle.
// Deciding to send counts the sender's pending requests started after at
// too (a concurrent send whose clock ran ahead): the cap must hold however
// the senders' clocks disagree.
func (w *World) Deliver(from, to string, at time.Time) (Decision, error) {
	d := decide(w, from, to, at, true)
	if from == to {
		return d, ErrSelf
	}
	key := PairKey(from, to)
	c, exists := w.Conversations[key]
	switch how := d.Delivery(); {
	case how == "none":
		// Nothing lands.
	case !exists || c.State == "declined":
		// A new thread, started by from.
		state := map[string]string{"primary": "accepted", "request": "pending", "held": "held"}[how]
		w.Conversations[key] = Conversation{Starter: from, State: state, Started: at}
	case c.State == "pending" || c.State == "held":
		// Replying to the other's request accepts it; a follow-up to one's
		// own is accepted only when it now lands in Primary.
		if c.Starter != from || how == "primary" {
			c.State = "accepted"
			w.Conversations[key] = c
		}
	}
	return d, nil
}

// Accept is recipient accepting sender's pending or held request.
func (w *World) Accept(recipient, sender string) error {
	return w.answer(recipient, sender, "accepted")
}

// Decline is recipient declining sender's pending or held request.
func (w *World) Decline(recipient, sender string) error {
	return w.answer(recipient, sender, "declined")
}

func (w *World) answer(recipient, sender, state string) error {
	key := PairKey(recipient, sender)
	c, ok := w.Conversations[key]
	if !ok || c.Starter != sender || (c.State != "pending" && c.State != "held") {
		return ErrNoRequest
	}
	c.State = state
	w.Conversations[key] = c
	return nil
}
