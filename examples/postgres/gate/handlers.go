package gate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

func (g *Gate) apiRoutes() []route {
	rs := []route{
		{"POST /v1/check", g.check, false},
		{"POST /v1/check-batch", g.checkBatch, false},
		{"POST /v1/messages", g.send, true},
		{"POST /v1/requests/{recipient}/{sender}/accept", g.answer(true), true},
		{"POST /v1/requests/{recipient}/{sender}/decline", g.answer(false), true},
		{"GET /v1/audience/{user}", g.audience, false},
		{"GET /v1/settings/{user}", g.getSettings, false},
		{"PUT /v1/settings/{user}", g.putSettings, true},
		{"PUT /v1/users/{user}", g.putUser, true},
		{"PUT /v1/users/{user}/contact-key", g.putContactKey, true},
		{"PUT /v1/users/{user}/contacts", g.putContacts, true},
	}
	for _, e := range []struct {
		path string
		kind graph.Edge
	}{{"follows", graph.Follow}, {"blocks", graph.Block}, {"restricts", graph.Restrict}, {"facebook", graph.Facebook}} {
		rs = append(rs,
			route{"PUT /v1/" + e.path + "/{from}/{to}", g.edge(e.kind, true), true},
			route{"DELETE /v1/" + e.path + "/{from}/{to}", g.edge(e.kind, false), true})
	}
	return rs
}

func (g *Gate) ctx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), g.cfg.DBTimeout)
}

// maxEcho is the most bytes of a bad path value an error repeats.
const maxEcho = 24

// pathID returns the path's {name} as a user ID.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		if len(v) > maxEcho {
			v = v[:maxEcho] + "…"
		}
		return 0, badInput(name, fmt.Sprintf("%s %q is not a 64-bit integer user ID", name, v))
	}
	return id, nil
}

// actAs refuses c acting as user, unless c is that user or a back end.
func (c *call) actAs(user int64, field string) error {
	if c.may(user) {
		return nil
	}
	return forbidden(fmt.Sprintf("a user's credential acts only as that user, and the %s is %d", field, user))
}

// backendOnly refuses end users: the endpoint sets facts a user must not
// vouch for themselves (their age, their number, their linked accounts).
func (c *call) backendOnly() error {
	if c.Backend {
		return nil
	}
	return forbidden("only a back-end credential may call this endpoint")
}

// decisionJSON is a decision on the wire. An end user is shown only
// Allowed and View; Folder and Reason, which may reveal what the recipient
// hid (a restriction, a block), are for back ends.
type decisionJSON struct {
	Recipient *int64          `json:"recipient,omitempty"` // in a batch
	Allowed   bool            `json:"allowed"`
	Folder    *inbox.Folder   `json:"folder,omitempty"`
	Reason    *privacy.Reason `json:"reason,omitempty"`
	View      privacy.View    `json:"view"`
}

func (c *call) decision(d privacy.Decision) decisionJSON {
	out := decisionJSON{Allowed: d.Allowed, View: d.View}
	if c.Backend {
		out.Folder, out.Reason = &d.Folder, &d.Reason
	}
	return out
}

// Shapes of a failed decision's body.
const (
	oneDecision = -1 // the decision's fields, as /v1/check answers
	inDecision  = -2 // {"decision": …}, as /v1/messages answers
)

// denied wraps a failed decision's error: the caller gets the error and a
// deny (the zero Decision): n denies for a batch of n (n >= 0), or one in
// the shape oneDecision or inDecision.
func (c *call) denied(err error, n int) error {
	return &denyError{err: err, body: func(e errorJSON) any {
		if n == inDecision {
			return map[string]any{"decision": c.decision(privacy.Decision{}), "error": e}
		}
		if n < 0 {
			return struct {
				decisionJSON
				Error errorJSON `json:"error"`
			}{c.decision(privacy.Decision{}), e}
		}
		ds := make([]decisionJSON, n)
		for i := range ds {
			ds[i] = c.decision(privacy.Decision{})
		}
		return map[string]any{"decisions": ds, "error": e}
	}}
}

type pairRequest struct {
	Sender    *int64  `json:"sender"`
	Recipient *int64  `json:"recipient"`
	Token     *string `json:"token"` // a check's consistency token; a send, always exact, ignores it
}

func required(name string, v *int64) error {
	if v == nil {
		return badInput(name, fmt.Sprintf("missing field %q", name))
	}
	return nil
}

// decodePair reads {"sender":…,"recipient":…}, both required, with the
// sender the caller may act as.
func (g *Gate) decodePair(w http.ResponseWriter, r *http.Request, c *call) (pairRequest, error) {
	var req pairRequest
	data, err := readJSON(w, r, g.cfg.MaxBody)
	if err != nil {
		return req, err
	}
	if err := decodeStrict(data, &req); err != nil {
		return req, err
	}
	if err := required("sender", req.Sender); err != nil {
		return req, err
	}
	if err := required("recipient", req.Recipient); err != nil {
		return req, err
	}
	return req, c.actAs(*req.Sender, "sender")
}

// check is POST /v1/check.
func (g *Gate) check(w http.ResponseWriter, r *http.Request, c *call) error {
	req, err := g.decodePair(w, r, c)
	if err != nil {
		return err
	}
	ctx, cancel := g.ctx(r)
	defer cancel()
	rd, err := g.reads(ctx, r, req.Token)
	if err != nil {
		return c.denied(err, oneDecision)
	}
	d, err := rd.engine.Check(ctx, privacy.Request[int64]{Sender: *req.Sender, Recipient: *req.Recipient})
	if err != nil {
		return c.denied(err, oneDecision)
	}
	writeJSON(w, http.StatusOK, c.decision(d))
	return nil
}

type batchRequest struct {
	Sender     *int64  `json:"sender"`
	Recipients []int64 `json:"recipients"`
	Token      *string `json:"token"`
}

// checkBatch is POST /v1/check-batch.
func (g *Gate) checkBatch(w http.ResponseWriter, r *http.Request, c *call) error {
	var req batchRequest
	data, err := readJSON(w, r, g.cfg.MaxBody)
	if err != nil {
		return err
	}
	if err := decodeStrict(data, &req); err != nil {
		return err
	}
	if err := required("sender", req.Sender); err != nil {
		return err
	}
	if len(req.Recipients) > g.cfg.MaxBatch {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Field: "recipients",
			Message: fmt.Sprintf("%d recipients; at most %d a batch", len(req.Recipients), g.cfg.MaxBatch)}
	}
	if err := c.actAs(*req.Sender, "sender"); err != nil {
		return err
	}
	ctx, cancel := g.ctx(r)
	defer cancel()
	rd, err := g.reads(ctx, r, req.Token)
	if err != nil {
		return c.denied(err, len(req.Recipients))
	}
	ds, err := rd.engine.CheckMany(ctx, privacy.BatchRequest[int64]{Sender: *req.Sender, Recipients: req.Recipients}, make([]privacy.Decision, 0, len(req.Recipients)))
	if err != nil {
		return c.denied(err, len(req.Recipients))
	}
	out := make([]decisionJSON, len(ds))
	for i, d := range ds {
		out[i] = c.decision(d)
		out[i].Recipient = &req.Recipients[i]
	}
	writeJSON(w, http.StatusOK, map[string]any{"decisions": out})
	return nil
}

type conversationJSON struct {
	Starter int64       `json:"starter"`
	State   inbox.State `json:"state"`
	Started time.Time   `json:"started"`
}

// send is POST /v1/messages: decide and, when allowed, record the
// delivery, in one transaction.
func (g *Gate) send(w http.ResponseWriter, r *http.Request, c *call) error {
	req, err := g.decodePair(w, r, c)
	if err != nil {
		return err
	}
	ctx, cancel := g.ctx(r)
	defer cancel()
	d, conv, err := g.engine.Send(ctx, privacy.Request[int64]{Sender: *req.Sender, Recipient: *req.Recipient})
	if err != nil {
		return c.denied(err, inDecision)
	}
	setToken(w, g.sentToken(ctx))
	c.attrs = append(c.attrs, "sender", *req.Sender, "recipient", *req.Recipient, "allowed", d.Allowed)
	out := map[string]any{"decision": c.decision(d)}
	// The thread's state shows a restriction (held), so only a back end
	// sees it.
	if conv.Exists() && c.Backend {
		out["conversation"] = conversationJSON{conv.Starter, conv.State, conv.Started}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// answer is POST /v1/requests/{recipient}/{sender}/accept and /decline:
// the recipient answers.
func (g *Gate) answer(accept bool) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		if err := noBody(r); err != nil {
			return err
		}
		recipient, err := pathID(r, "recipient")
		if err != nil {
			return err
		}
		sender, err := pathID(r, "sender")
		if err != nil {
			return err
		}
		if err := c.actAs(recipient, "recipient"); err != nil {
			return err
		}
		ctx, cancel := g.ctx(r)
		defer cancel()
		var tok postgres.Token
		if accept {
			tok, err = g.store.Accept(ctx, recipient, sender)
		} else {
			tok, err = g.store.Decline(ctx, recipient, sender)
		}
		if err != nil {
			return err
		}
		setToken(w, tok)
		c.attrs = append(c.attrs, "recipient", recipient, "sender", sender)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

type settingsJSON struct {
	Mode      string            `json:"mode"`             // the chosen mode, or "default"
	Effective string            `json:"effective"`        // the mode that applies now
	Routes    map[string]string `json:"routes,omitempty"` // per-audience routes (Instagram, Messenger presets)
	Groups    string            `json:"groups,omitempty"` // who may add the user to groups, if chosen
}

// ownUser returns the path's {user}, whom c must be, and who must exist.
func (g *Gate) ownUser(ctx context.Context, r *http.Request, c *call, users graph.Reader[int64]) (int64, error) {
	user, err := pathID(r, "user")
	if err != nil {
		return 0, err
	}
	if err := c.actAs(user, "user"); err != nil {
		return 0, err
	}
	u, err := users.User(ctx, user)
	if err != nil {
		return 0, err
	}
	if u.Status == graph.StatusUnknown {
		return 0, inField("user", fmt.Errorf("%w: %d", graph.ErrUnknownUser, user))
	}
	return user, nil
}

// ownRead is the start of a GET of the user's own data: no body, the
// readers the request's consistency token asks for, and the path's user,
// whom the caller may read.
func (g *Gate) ownRead(ctx context.Context, r *http.Request, c *call) (readers, int64, error) {
	if err := noBody(r); err != nil {
		return readers{}, 0, err
	}
	rd, err := g.reads(ctx, r, nil)
	if err != nil {
		return readers{}, 0, err
	}
	user, err := g.ownUser(ctx, r, c, rd.graph)
	return rd, user, err
}

// getSettings is GET /v1/settings/{user}.
func (g *Gate) getSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx, cancel := g.ctx(r)
	defer cancel()
	rd, user, err := g.ownRead(ctx, r, c)
	if err != nil {
		return err
	}
	st, err := rd.inbox.Settings(ctx, user)
	if err != nil {
		return err
	}
	eff, _, err := rd.engine.EffectiveMode(ctx, user, g.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g.settingsJSON(st, eff))
	return nil
}

func (g *Gate) settingsJSON(st inbox.Settings, eff inbox.Mode) settingsJSON {
	p := g.policy
	out := settingsJSON{Mode: p.ModeName(st.Mode), Effective: p.ModeName(eff)}
	for _, a := range st.Routes.Audiences().List() {
		if out.Routes == nil {
			out.Routes = map[string]string{}
		}
		rt, _ := st.Routes.Get(a)
		out.Routes[a.String()] = rt.String()
	}
	if st.Groups != inbox.ModeDefault {
		out.Groups = p.GroupModeName(st.Groups)
	}
	return out
}

// settingsFields are the keys PUT /v1/settings takes.
var settingsFields = map[string]bool{"mode": true, "routes": true, "groups": true}

// putSettings is PUT /v1/settings/{user}: {"mode": "friends"}, or {} to go
// back to the default, with "routes" and "groups" under presets that have
// them. The settings must be ones the user may choose now.
func (g *Gate) putSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	user, err := pathID(r, "user")
	if err != nil {
		return err
	}
	if err := c.actAs(user, "user"); err != nil {
		return err
	}
	data, err := readJSON(w, r, g.cfg.MaxBody)
	if err != nil {
		return err
	}
	if err := checkKeys(data, settingsFields); err != nil {
		return err
	}
	// The policy's own mode names (Bluesky's "all"): unknown modes,
	// audiences and routes are errors.
	st, err := g.policy.DecodeSettings(data)
	if err != nil {
		return badInput("mode", err.Error())
	}
	ctx, cancel := g.ctx(r)
	defer cancel()
	now := g.now()
	if err := g.engine.ValidateSettingsAt(ctx, user, st, now); err != nil {
		return inField("mode", err)
	}
	// Everything the answer needs is read before the write, so a write
	// that succeeded is never reported as failed.
	u, err := g.store.User(ctx, user)
	if err != nil {
		return err
	}
	eff := st.Mode
	if eff == inbox.ModeDefault {
		eff = g.policy.Availability.Default(u.BandAt(now))
	}
	tok, err := g.store.SetSettings(ctx, user, st)
	if err != nil {
		return err
	}
	setToken(w, tok)
	c.attrs = append(c.attrs, "user", user, "settings", json.RawMessage(data))
	writeJSON(w, http.StatusOK, g.settingsJSON(st, eff))
	return nil
}

type userJSON struct {
	Status           *graph.Status `json:"status"`
	Birth            string        `json:"birth"`      // YYYY-MM-DD
	Band             string        `json:"band"`       // under13, 13-15, 16-17, 18+
	BandAsOf         string        `json:"band_as_of"` // YYYY-MM-DD
	Verified         bool          `json:"verified"`
	HideFromContacts bool          `json:"hide_from_contacts"`
	HideFromFacebook bool          `json:"hide_from_facebook"`
}

func parseDate(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		if len(s) > maxEcho {
			s = s[:maxEcho] + "…"
		}
		return time.Time{}, badInput(field, fmt.Sprintf("%s %q is not a date (YYYY-MM-DD)", field, s))
	}
	return t, nil
}

// putUser is PUT /v1/users/{user}, back ends only: add the user or replace
// their account facts (status, age, verification), which a user must not
// set themselves.
func (g *Gate) putUser(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	if err := c.backendOnly(); err != nil {
		return err
	}
	var req userJSON
	data, err := readJSON(w, r, g.cfg.MaxBody)
	if err != nil {
		return err
	}
	if err := decodeStrict(data, &req); err != nil {
		return err
	}
	if req.Status == nil {
		return badInput("status", `missing field "status"`)
	}
	u := graph.User{Status: *req.Status, Verified: req.Verified, HideFromContacts: req.HideFromContacts, HideFromFacebook: req.HideFromFacebook}
	if u.Birth, err = parseDate("birth", req.Birth); err != nil {
		return err
	}
	if u.BandAsOf, err = parseDate("band_as_of", req.BandAsOf); err != nil {
		return err
	}
	if req.Band != "" {
		if u.Band, err = graph.ParseAgeBand(req.Band); err != nil {
			return badInput("band", err.Error())
		}
	}
	ctx, cancel := g.ctx(r)
	defer cancel()
	tok, err := g.store.SetUser(ctx, id, u)
	if err != nil {
		return err
	}
	setToken(w, tok)
	c.attrs = append(c.attrs, "user", id, "account", json.RawMessage(data))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// putContactKey is PUT /v1/users/{user}/contact-key, back ends only:
// {"key": "…"}, the hashed key of the user's own, verified number ("" removes
// it). A user who could set it could take anyone's number.
func (g *Gate) putContactKey(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	if err := c.backendOnly(); err != nil {
		return err
	}
	var req struct {
		Key *string `json:"key"`
	}
	data, err := readJSON(w, r, g.cfg.MaxBody)
	if err != nil {
		return err
	}
	if err := decodeStrict(data, &req); err != nil {
		return err
	}
	if req.Key == nil {
		return badInput("key", `missing field "key"`)
	}
	ctx, cancel := g.ctx(r)
	defer cancel()
	tok, err := g.store.SetContactKey(ctx, id, graph.ContactKey(*req.Key))
	if err != nil {
		return inField("key", err)
	}
	setToken(w, tok)
	c.attrs = append(c.attrs, "user", id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// putContacts is PUT /v1/users/{user}/contacts: {"keys": […]}, the user's
// whole synced address book, as hashed keys.
func (g *Gate) putContacts(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	if err := c.actAs(id, "user"); err != nil {
		return err
	}
	var req struct {
		Keys *[]graph.ContactKey `json:"keys"`
	}
	data, err := readJSON(w, r, g.cfg.MaxSync)
	if err != nil {
		return err
	}
	if err := decodeStrict(data, &req); err != nil {
		return err
	}
	if req.Keys == nil {
		return badInput("keys", `missing field "keys"`)
	}
	ctx, cancel := g.ctx(r)
	defer cancel()
	tok, err := g.store.SyncContacts(ctx, id, *req.Keys)
	if err != nil {
		return inField("keys", err)
	}
	setToken(w, tok)
	c.attrs = append(c.attrs, "user", id, "keys", len(*req.Keys))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// edge is PUT (add) and DELETE (remove) of /v1/{follows,blocks,restricts}/{from}/{to},
// by the user {from}, and of /v1/facebook/{from}/{to}, a link imported
// from linked accounts, by back ends only.
func (g *Gate) edge(kind graph.Edge, on bool) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		if err := noBody(r); err != nil {
			return err
		}
		from, err := pathID(r, "from")
		if err != nil {
			return err
		}
		to, err := pathID(r, "to")
		if err != nil {
			return err
		}
		if kind == graph.Facebook {
			err = c.backendOnly()
		} else {
			err = c.actAs(from, "from")
		}
		if err != nil {
			return err
		}
		ctx, cancel := g.ctx(r)
		defer cancel()
		tok, err := g.store.SetEdge(ctx, kind, from, to, on)
		if err != nil {
			return err
		}
		setToken(w, tok)
		c.attrs = append(c.attrs, "edge", kind.String(), "from", from, "to", to, "on", on)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

type modeReachJSON struct {
	Mode      string `json:"mode"`
	Available bool   `json:"available"` // whether the user may choose it now
	Primary   int    `json:"primary"`
	Requests  int    `json:"requests"`
	Gain      int    `json:"gain"` // more (or, negative, fewer) people than under the current mode
}

type previewJSON struct {
	Mode          string          `json:"mode"`          // the user's effective mode
	ModeSet       bool            `json:"mode_set"`      // chosen, rather than the age band's default
	Conversations bool            `json:"conversations"` // conversations were counted
	Modes         []modeReachJSON `json:"modes"`
}

type reachJSON struct {
	ID     int64  `json:"id"`
	Folder string `json:"folder"`
	Reason string `json:"reason"`
}

type audiencePageJSON struct {
	Mode  string      `json:"mode"`
	Users []reachJSON `json:"users"`
	Next  string      `json:"next,omitempty"` // pass as ?after= for the next page
}

// audience is GET /v1/audience/{user}: how many people could message the
// user under each mode, or, with ?mode=NAME (&after=CURSOR&limit=N, at
// most 500), a page of who. It shows the user's own relations, so only
// the user (or a back end) may read it.
func (g *Gate) audience(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx, cancel := g.ctx(r)
	defer cancel()
	rd, user, err := g.ownRead(ctx, r, c)
	if err != nil {
		return err
	}
	p := g.policy
	q := r.URL.Query()
	if name := q.Get("mode"); name != "" {
		m, err := p.ParseMode(name)
		if err != nil {
			return badInput("mode", err.Error())
		}
		limit := 100
		if l := q.Get("limit"); l != "" {
			if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 500 {
				return badInput("limit", "limit must be a number from 1 to 500")
			}
		}
		page, next, err := rd.engine.ListAudience(ctx, privacy.AudienceQuery[int64]{Recipient: user, Mode: m, At: g.now(),
			After: graph.Cursor(q.Get("after")), Limit: limit}, nil)
		if errors.Is(err, graph.ErrBadCursor) {
			return inField("after", err)
		}
		if err != nil {
			return err
		}
		out := audiencePageJSON{Mode: p.ModeName(m), Users: []reachJSON{}, Next: string(next)}
		for _, x := range page {
			out.Users = append(out.Users, reachJSON{ID: x.ID, Folder: x.Folder.String(), Reason: x.Reason.String()})
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	pv, err := rd.engine.PreviewAudienceAt(ctx, user, g.now())
	if err != nil {
		return err
	}
	out := previewJSON{Mode: p.ModeName(pv.Mode), ModeSet: pv.ModeSet, Conversations: pv.Conversations, Modes: []modeReachJSON{}}
	for _, m := range pv.Modes {
		out.Modes = append(out.Modes, modeReachJSON{Mode: m.Name, Available: m.Available, Primary: m.Primary, Requests: m.Requests, Gain: pv.Gain(m.Mode)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
