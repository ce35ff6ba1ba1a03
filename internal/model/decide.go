package model

import (
	"fmt"
	"time"
)

// Decision is the model's answer, in the engine's text forms.
type Decision struct {
	Allowed bool
	Folder  string // none, primary or requests
	Reason  string // the audit reason, as in the decision table
	View    string // the sender view, as in the decision table
}

// String writes d as scenario files do, with the view: "allow primary
// friend (allowed)", "deny blocked_by_recipient (not_allowed)".
func (d Decision) String() string {
	if !d.Allowed {
		return fmt.Sprintf("deny %s (%s)", d.Reason, d.View)
	}
	return fmt.Sprintf("allow %s %s (%s)", d.Folder, d.Reason, d.View)
}

func deny(reason, view string) Decision {
	return Decision{Allowed: false, Folder: "none", Reason: reason, View: view}
}

func allow(folder, reason string) Decision {
	return Decision{Allowed: true, Folder: folder, Reason: reason, View: "allowed"}
}

// Decide answers whether sender s may message recipient r at time at, and
// where the message lands: the decision table of package privacy's
// documentation under the TikTok preset, one row after the other.
func Decide(w *World, s, r string, at time.Time) Decision {
	return decide(w, s, r, at, false)
}

// decide is Decide; sending counts the sender's pending requests started
// after the decision's time too (see World.Deliver).
func decide(w *World, s, r string, at time.Time, sending bool) Decision {
	base := baseOutcome(w, s, r, at)
	conv := w.Conversations[PairKey(s, r)]

	// 11: a Primary outcome goes to Requests when R restricted S.
	if base.Allowed && base.Folder == "primary" && w.Restricts[[2]string{r, s}] {
		return allow("requests", "restricted")
	}
	// 12: a stranger's request is refused at the cap, unless it follows up
	// S's own pending or held thread to R.
	if base.Reason == "message_request" {
		ownRequest := conv.Starter == s && (conv.State == "pending" || conv.State == "held")
		n := w.PendingCount(s, at)
		if sending {
			n = w.pendingSince(s, at)
		}
		if !ownRequest && n >= RequestCap {
			return deny("request_limit", "request_limit")
		}
	}
	return base
}

// baseOutcome is steps 1 to 10b: the first row that matches decides.
func baseOutcome(w *World, s, r string, at time.Time) Decision {
	S, sKnown := w.Users[s]
	R, rKnown := w.Users[r]
	sYoungest, sOldest := S.Ages(at)
	rYoungest, _ := R.Ages(at)
	friends := w.Friends(s, r)
	conv := w.Conversations[PairKey(s, r)]
	mode := w.Mode(r, at)

	if s == r { // 1
		return deny("self", "not_allowed")
	} else if !sKnown || S.Status != "active" { // 2
		return deny("sender_unavailable", "unavailable")
	} else if sYoungest < MinAge { // 2b
		return deny("sender_age", "age_restricted")
	} else if w.Blocks[[2]string{s, r}] { // 3
		return deny("sender_blocked_recipient", "you_blocked")
	} else if !rKnown || R.Status != "active" { // 3b
		return deny("recipient_unavailable", "unavailable")
	} else if w.Blocks[[2]string{r, s}] { // 3c
		return deny("blocked_by_recipient", "not_allowed")
	} else if rYoungest < MinAge { // 4
		return deny("recipient_age", "not_allowed")
	} else if rYoungest < AdultAge && sOldest >= AdultAge && !friends { // 4b: a possible minor, a possible adult
		return deny("minor_protection", "not_allowed")
	} else if mode == "noone" { // 5
		return deny("inbox_closed", "not_allowed")
	} else if conv.State == "accepted" || (conv.Starter == r && (conv.State == "pending" || conv.State == "held")) { // 6
		return allow("primary", "existing_conversation")
	} else if friends { // 7
		return allow("primary", "friend")
	} else if mode == "friends" { // 8
		return deny("not_friend", "not_allowed")
	} else if (mode == "suggested" || mode == "everyone") && w.HasNumber(r, s) && !S.HideFromContacts { // 9
		return allow("primary", "recommended_contact")
	} else if (mode == "suggested" || mode == "everyone") && w.Facebook[[2]string{r, s}] && !S.HideFromFacebook { // 9
		return allow("primary", "recommended_facebook")
	} else if mode == "suggested" { // 9b
		return deny("not_suggested", "not_allowed")
	} else if mode == "everyone" && w.Follows[[2]string{r, s}] { // 10
		return allow("primary", "followed_by_recipient")
	} else if mode == "everyone" { // 10b
		return allow("requests", "message_request")
	}
	panic(fmt.Sprintf("model: no row matched: mode %q", mode))
}

// Delivery is how an outcome lands, for the conversation lifecycle: none,
// primary, request or held (a restricted delivery).
func (d Decision) Delivery() string {
	switch {
	case !d.Allowed:
		return "none"
	case d.Folder == "primary":
		return "primary"
	case d.Reason == "restricted":
		return "held"
	default:
		return "request"
	}
}
