package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// server is dmgate's HTTP API over a Checker.
type server struct {
	checker   *postgres.Checker
	store     *postgres.Store
	ping      func(context.Context) error
	log       *slog.Logger
	maxBody   int64         // bytes of a request body, but for contact syncs
	maxSync   int64         // bytes of a contact sync's body
	maxBatch  int           // recipients of a batch check
	dbTimeout time.Duration // bound on each request's database work
	now       func() time.Time
}

// Body limits.
const (
	defaultMaxBody  = 64 << 10
	defaultMaxSync  = 1 << 20
	defaultMaxBatch = 1000
)

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/check", s.check)
	mux.HandleFunc("POST /v1/check-batch", s.checkBatch)
	mux.HandleFunc("POST /v1/messages", s.send)
	mux.HandleFunc("POST /v1/requests/{recipient}/{sender}/accept", s.answer(true))
	mux.HandleFunc("POST /v1/requests/{recipient}/{sender}/decline", s.answer(false))
	mux.HandleFunc("GET /v1/audience/{user}", s.audience)
	mux.HandleFunc("GET /v1/settings/{user}", s.getSettings)
	mux.HandleFunc("PUT /v1/settings/{user}", s.putSettings)
	mux.HandleFunc("PUT /v1/users/{user}", s.putUser)
	mux.HandleFunc("PUT /v1/users/{user}/contact-key", s.putContactKey)
	mux.HandleFunc("PUT /v1/users/{user}/contacts", s.putContacts)
	for path, kind := range map[string]graph.Edge{
		"follows": graph.Follow, "blocks": graph.Block, "restricts": graph.Restrict, "facebook": graph.Facebook,
	} {
		mux.HandleFunc("PUT /v1/"+path+"/{from}/{to}", s.edge(kind, true))
		mux.HandleFunc("DELETE /v1/"+path+"/{from}/{to}", s.edge(kind, false))
	}
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return mux
}

// decisionJSON is a decision on the wire. Only View is meant for the
// sender's screen; the rest is for the calling back end.
type decisionJSON struct {
	Recipient *int64         `json:"recipient,omitempty"` // in a batch
	Allowed   bool           `json:"allowed"`
	Folder    inbox.Folder   `json:"folder"`
	Reason    privacy.Reason `json:"reason"`
	View      privacy.View   `json:"view"`
}

func toJSON(d privacy.Decision) decisionJSON {
	return decisionJSON{Allowed: d.Allowed, Folder: d.Folder, Reason: d.Reason, View: d.View}
}

type errorJSON struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var e errorJSON
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}

// errBadRequest marks a request the caller must fix.
type errBadRequest struct {
	status int
	code   string
	msg    string
}

func (e *errBadRequest) Error() string { return e.msg }

// decode reads the body strictly into v: at most limit bytes, one JSON
// value, no unknown fields, nothing after it.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	body := http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &errBadRequest{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body is over %d bytes", limit)}
		}
		if errors.Is(err, io.EOF) {
			return &errBadRequest{http.StatusBadRequest, "bad_json", "the body is empty; want a JSON object"}
		}
		return &errBadRequest{http.StatusBadRequest, "bad_json", "the body is not the JSON this endpoint takes: " + err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &errBadRequest{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body is over %d bytes", limit)}
		}
		return &errBadRequest{http.StatusBadRequest, "bad_json", "data after the JSON object"}
	}
	return nil
}

func required(name string, v *int64) error {
	if v == nil {
		return &errBadRequest{http.StatusBadRequest, "bad_json", "missing field " + strconv.Quote(name)}
	}
	return nil
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, &errBadRequest{http.StatusBadRequest, "bad_id", fmt.Sprintf("%s %q is not an integer user ID", name, r.PathValue(name))}
	}
	return id, nil
}

// fail answers a request that could not be served: the caller's mistake
// (4xx), or the database's (503).
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var bad *errBadRequest
	switch {
	case errors.As(err, &bad):
		writeError(w, bad.status, bad.code, bad.msg)
	case errors.Is(err, graph.ErrUnknownUser), errors.Is(err, privacy.ErrUnknownUser):
		writeError(w, http.StatusNotFound, "unknown_user", err.Error())
	case errors.Is(err, inbox.ErrModeUnavailable): // a mode, route or group setting the user may not choose
		writeError(w, http.StatusUnprocessableEntity, "mode_unavailable", err.Error())
	case errors.Is(err, graph.ErrSelfEdge), errors.Is(err, inbox.ErrSelf):
		writeError(w, http.StatusUnprocessableEntity, "self", err.Error())
	case errors.Is(err, graph.ErrInvalidUser):
		writeError(w, http.StatusUnprocessableEntity, "invalid_user", err.Error())
	case errors.Is(err, graph.ErrRawNumber):
		writeError(w, http.StatusUnprocessableEntity, "raw_number", err.Error())
	case errors.Is(err, inbox.ErrInvalidMode):
		writeError(w, http.StatusUnprocessableEntity, "invalid_mode", err.Error())
	case errors.Is(err, inbox.ErrNoRequest):
		writeError(w, http.StatusConflict, "no_request", err.Error())
	default:
		s.log.Error("database", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusServiceUnavailable, "unavailable", "the database is unavailable; try again")
	}
}

func (s *server) ctx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.dbTimeout)
}

// denied is the body of a check that failed: a deny, with the reason
// "error", and why.
type denied struct {
	decisionJSON
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (s *server) checkFailed(w http.ResponseWriter, r *http.Request, err error, batch int) {
	var bad *errBadRequest
	if errors.As(err, &bad) {
		s.fail(w, r, err)
		return
	}
	s.log.Error("check", "path", r.URL.Path, "err", err)
	var d denied
	d.decisionJSON = toJSON(privacy.Decision{}) // the zero Decision: a deny
	d.Error.Code, d.Error.Message = "unavailable", "the database is unavailable; the message is denied"
	if batch < 0 {
		writeJSON(w, http.StatusServiceUnavailable, d)
		return
	}
	// A batch: every recipient denied.
	writeJSON(w, http.StatusServiceUnavailable, map[string]any{"decisions": make([]decisionJSON, batch), "error": d.Error})
}

type checkRequest struct {
	Sender    *int64 `json:"sender"`
	Recipient *int64 `json:"recipient"`
}

// decodeCheck decodes a {"sender":…,"recipient":…} body, both required.
func (s *server) decodeCheck(w http.ResponseWriter, r *http.Request) (checkRequest, error) {
	var req checkRequest
	if err := decode(w, r, s.maxBody, &req); err != nil {
		return req, err
	}
	if err := required("sender", req.Sender); err != nil {
		return req, err
	}
	return req, required("recipient", req.Recipient)
}

// check is POST /v1/check.
func (s *server) check(w http.ResponseWriter, r *http.Request) {
	req, err := s.decodeCheck(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	d, err := s.checker.Check(ctx, *req.Sender, *req.Recipient, time.Time{})
	if err != nil {
		s.checkFailed(w, r, err, -1)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(d))
}

type batchRequest struct {
	Sender     *int64  `json:"sender"`
	Recipients []int64 `json:"recipients"`
}

// checkBatch is POST /v1/check-batch.
func (s *server) checkBatch(w http.ResponseWriter, r *http.Request) {
	var req batchRequest
	if err := decode(w, r, s.maxBody, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required("sender", req.Sender); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(req.Recipients) > s.maxBatch {
		s.fail(w, r, &errBadRequest{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("%d recipients; at most %d a batch", len(req.Recipients), s.maxBatch)})
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	ds, err := s.checker.CheckMany(ctx, *req.Sender, req.Recipients, time.Time{})
	if err != nil {
		s.checkFailed(w, r, err, len(req.Recipients))
		return
	}
	out := make([]decisionJSON, len(ds))
	for i, d := range ds {
		out[i] = toJSON(d)
		out[i].Recipient = &req.Recipients[i]
	}
	writeJSON(w, http.StatusOK, map[string]any{"decisions": out})
}

type conversationJSON struct {
	Starter int64       `json:"starter"`
	State   inbox.State `json:"state"`
	Started time.Time   `json:"started"`
}

// send is POST /v1/messages: check, and record the delivery when allowed.
func (s *server) send(w http.ResponseWriter, r *http.Request) {
	req, err := s.decodeCheck(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	d, conv, err := s.checker.Send(ctx, *req.Sender, *req.Recipient, time.Time{})
	if err != nil {
		s.checkFailed(w, r, err, -1)
		return
	}
	out := map[string]any{"decision": toJSON(d)}
	if conv.Exists() {
		out["conversation"] = conversationJSON{conv.Starter, conv.State, conv.Started}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) answer(accept bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		recipient, err := pathID(r, "recipient")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sender, err := pathID(r, "sender")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ctx, cancel := s.ctx(r)
		defer cancel()
		if accept {
			err = s.store.Accept(ctx, recipient, sender)
		} else {
			err = s.store.Decline(ctx, recipient, sender)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

type settingsJSON struct {
	Mode      string            `json:"mode"`             // the chosen mode, or "default"
	Effective string            `json:"effective"`        // the mode that applies now
	Routes    map[string]string `json:"routes,omitempty"` // per-audience routes (Instagram, Messenger presets)
	Groups    string            `json:"groups,omitempty"` // who may add the user to groups, if chosen
}

// knownUser returns the {user} of the path, or an error for a bad ID or a
// user the store does not know (404).
func (s *server) knownUser(ctx context.Context, r *http.Request) (int64, error) {
	user, err := pathID(r, "user")
	if err != nil {
		return 0, err
	}
	u, err := s.store.User(ctx, user)
	if err != nil {
		return 0, err
	}
	if u.Status == graph.StatusUnknown {
		return 0, fmt.Errorf("%w: %d", graph.ErrUnknownUser, user)
	}
	return user, nil
}

// getSettings is GET /v1/settings/{user}.
func (s *server) getSettings(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	user, err := s.knownUser(ctx, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e := s.checker.Engine()
	st, err := s.store.Settings(ctx, user)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	eff, _, err := e.EffectiveMode(ctx, user, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := e.Policy()
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
	writeJSON(w, http.StatusOK, out)
}

// putSettings is PUT /v1/settings/{user}: {"mode": "friends"}, or {} to go
// back to the default, with "routes" and "groups" under presets that have
// them. The settings must be ones the user may choose now.
func (s *server) putSettings(w http.ResponseWriter, r *http.Request) {
	user, err := pathID(r, "user")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var raw json.RawMessage
	if err := decode(w, r, s.maxBody, &raw); err != nil {
		s.fail(w, r, err)
		return
	}
	// Strict, with the policy's own mode names (Bluesky's "all"): unknown
	// fields, modes, audiences and routes are errors.
	st, err := s.checker.Engine().Policy().DecodeSettings(raw)
	if err != nil {
		s.fail(w, r, &errBadRequest{http.StatusBadRequest, "bad_json", err.Error()})
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	if err := s.checker.Engine().ValidateSettings(ctx, user, st); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.store.SetSettings(ctx, user, st); err != nil {
		s.fail(w, r, err)
		return
	}
	s.getSettings(w, r)
}

type userJSON struct {
	Status           *graph.Status `json:"status"`
	Birth            string        `json:"birth,omitempty"`      // YYYY-MM-DD
	Band             string        `json:"band,omitempty"`       // under13, 13-15, 16-17, 18+
	BandAsOf         string        `json:"band_as_of,omitempty"` // YYYY-MM-DD
	Verified         bool          `json:"verified,omitempty"`
	HideFromContacts bool          `json:"hide_from_contacts,omitempty"`
	HideFromFacebook bool          `json:"hide_from_facebook,omitempty"`
}

func parseDate(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, &errBadRequest{http.StatusBadRequest, "bad_json", fmt.Sprintf("%s %q is not a date (YYYY-MM-DD)", field, s)}
	}
	return t, nil
}

// putUser is PUT /v1/users/{user}: add the user or replace their account
// facts.
func (s *server) putUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "user")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req userJSON
	if err := decode(w, r, s.maxBody, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Status == nil {
		s.fail(w, r, &errBadRequest{http.StatusBadRequest, "bad_json", `missing field "status"`})
		return
	}
	u := graph.User{Status: *req.Status, Verified: req.Verified, HideFromContacts: req.HideFromContacts, HideFromFacebook: req.HideFromFacebook}
	if u.Birth, err = parseDate("birth", req.Birth); err == nil {
		u.BandAsOf, err = parseDate("band_as_of", req.BandAsOf)
	}
	if err == nil && req.Band != "" {
		if u.Band, err = graph.ParseAgeBand(req.Band); err != nil {
			err = &errBadRequest{http.StatusBadRequest, "bad_json", err.Error()}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	if err := s.store.SetUser(ctx, id, u); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// putContactKey is PUT /v1/users/{user}/contact-key: {"key": "…"}, the
// hashed key of the user's own number; "" removes it.
func (s *server) putContactKey(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "user")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req struct {
		Key *string `json:"key"`
	}
	if err := decode(w, r, s.maxBody, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Key == nil {
		s.fail(w, r, &errBadRequest{http.StatusBadRequest, "bad_json", `missing field "key"`})
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	if err := s.store.SetContactKey(ctx, id, graph.ContactKey(*req.Key)); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// putContacts is PUT /v1/users/{user}/contacts: {"keys": […]}, the user's
// whole synced address book, as hashed keys.
func (s *server) putContacts(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "user")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req struct {
		Keys *[]graph.ContactKey `json:"keys"`
	}
	if err := decode(w, r, s.maxSync, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Keys == nil {
		s.fail(w, r, &errBadRequest{http.StatusBadRequest, "bad_json", `missing field "keys"`})
		return
	}
	ctx, cancel := s.ctx(r)
	defer cancel()
	if err := s.store.SyncContacts(ctx, id, *req.Keys); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// edge is PUT (add) and DELETE (remove) of /v1/{follows,blocks,restricts,facebook}/{from}/{to}.
func (s *server) edge(kind graph.Edge, on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		from, err := pathID(r, "from")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		to, err := pathID(r, "to")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if r.ContentLength > 0 {
			s.fail(w, r, &errBadRequest{http.StatusBadRequest, "bad_json", "this endpoint takes no body"})
			return
		}
		ctx, cancel := s.ctx(r)
		defer cancel()
		if err := s.store.SetEdge(ctx, kind, from, to, on); err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// healthz is GET /healthz: 200 when the database answers, else 503.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	if err := s.ping(ctx); err != nil {
		s.log.Error("healthz", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
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
// user under each mode ("switch to Everyone and N more people can message
// you"), or, with ?mode=NAME (&after=CURSOR&limit=N, at most 500), a page
// of who. It is built from the user's own settings and relations only,
// never from other users' blocks, ages, status or caps, and is for that
// user's own settings screen.
func (s *server) audience(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	user, err := s.knownUser(ctx, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e := s.checker.Engine()
	p := e.Policy()
	q := r.URL.Query()
	if name := q.Get("mode"); name != "" {
		m, err := p.ParseMode(name)
		if err != nil {
			s.fail(w, r, &errBadRequest{http.StatusBadRequest, "bad_query", err.Error()})
			return
		}
		limit := 100
		if l := q.Get("limit"); l != "" {
			if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 500 {
				s.fail(w, r, &errBadRequest{http.StatusBadRequest, "bad_query", "limit must be a number from 1 to 500"})
				return
			}
		}
		page, next, err := e.ListAudience(ctx, privacy.AudienceQuery[int64]{Recipient: user, Mode: m, At: s.now(),
			After: graph.Cursor(q.Get("after")), Limit: limit}, nil)
		if errors.Is(err, graph.ErrBadCursor) {
			s.fail(w, r, &errBadRequest{http.StatusBadRequest, "bad_query", err.Error()})
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out := audiencePageJSON{Mode: p.ModeName(m), Users: []reachJSON{}, Next: string(next)}
		for _, x := range page {
			out.Users = append(out.Users, reachJSON{ID: x.ID, Folder: x.Folder.String(), Reason: x.Reason.String()})
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	pv, err := e.PreviewAudienceAt(ctx, user, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := previewJSON{Mode: p.ModeName(pv.Mode), ModeSet: pv.ModeSet, Conversations: pv.Conversations, Modes: []modeReachJSON{}}
	for _, m := range pv.Modes {
		out.Modes = append(out.Modes, modeReachJSON{Mode: m.Name, Available: m.Available, Primary: m.Primary, Requests: m.Requests, Gain: pv.Gain(m.Mode)})
	}
	writeJSON(w, http.StatusOK, out)
}
