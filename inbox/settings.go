package inbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"slices"

	"github.com/dmprivacy/dmprivacy/graph"
)

// Settings is a user's inbox settings. The zero Settings is a user who never
// chose: the policy's defaults for their age band apply at each decision,
// so a user who turns 18 moves from the minors' default to the adults' that
// day, while a mode they chose stays as they age.
type Settings struct {
	// Mode is who may start a new conversation; ModeDefault if never set.
	Mode Mode

	// Routes are the user's own routes for some audiences, on top of the
	// mode's table, for policies with per-audience settings (Instagram,
	// Messenger); zero for the others.
	Routes Overrides

	// Groups is who may add the user to group chats (Bluesky's
	// allowGroupInvites); ModeDefault means the policy's default.
	Groups Mode
}

// Defined returns nil if every field of s is a defined value, and
// otherwise an error wrapping [ErrInvalidMode] (the mode or the group mode)
// or [ErrInvalidRoute] (an override). Stores call it before storing
// settings; whether the user may choose them is the policy's question
// ([Availability.Validate]).
func (s Settings) Defined() error {
	if !s.Mode.Valid() {
		return fmt.Errorf("%w: %d", ErrInvalidMode, uint8(s.Mode))
	}
	if !s.Groups.Valid() {
		return fmt.Errorf("%w: group mode %d", ErrInvalidMode, uint8(s.Groups))
	}
	for a := range Audience(NumAudiences) {
		if r, ok := s.Routes.Get(a); ok && (r == Unset || !r.Valid()) {
			return fmt.Errorf("%w: %d for audience %v", ErrInvalidRoute, uint8(r), a)
		}
	}
	return nil
}

type settingsJSON struct {
	Mode   *string           `json:"mode,omitempty"`
	Routes map[string]string `json:"routes,omitempty"`
	Groups *string           `json:"groups,omitempty"`
}

// MarshalJSON encodes s as {"mode":"friends"}, with "routes" (an object of
// audience names to primary, requests or deny) and "groups" when set;
// never-set fields are omitted.
func (s Settings) MarshalJSON() ([]byte, error) {
	return s.MarshalJSONNames(Names{})
}

// Names are how a policy names its modes, for settings JSON: the inbox
// modes and the group-invite settings may have names of their own
// (Bluesky's "all"; Instagram's group setting "following"). A nil function
// means the canonical names ([Mode.String], [ParseMode]).
type Names struct {
	Mode, Groups           func(Mode) string
	ParseMode, ParseGroups func(string) (Mode, error)
}

func (n Names) withDefaults() Names {
	if n.Mode == nil {
		n.Mode = Mode.String
	}
	if n.Groups == nil {
		n.Groups = Mode.String
	}
	if n.ParseMode == nil {
		n.ParseMode = ParseMode
	}
	if n.ParseGroups == nil {
		n.ParseGroups = ParseMode
	}
	return n
}

// MarshalJSONNames is MarshalJSON with modes written by a policy's names
// (see privacy's Policy.EncodeSettings).
func (s Settings) MarshalJSONNames(names Names) ([]byte, error) {
	n := names.withDefaults()
	if !s.Mode.Valid() || !s.Groups.Valid() {
		return nil, fmt.Errorf("inbox: invalid mode %d", uint8(max(s.Mode, s.Groups)))
	}
	var j settingsJSON
	if s.Mode != ModeDefault {
		m := n.Mode(s.Mode)
		j.Mode = &m
	}
	if s.Groups != ModeDefault {
		g := n.Groups(s.Groups)
		j.Groups = &g
	}
	for _, a := range s.Routes.Audiences().List() {
		if j.Routes == nil {
			j.Routes = map[string]string{}
		}
		r, _ := s.Routes.Get(a)
		j.Routes[a.String()] = r.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes settings strictly, with canonical mode names:
// unknown fields, unknown mode, audience and route names, trailing data and
// a null are errors, and s is unchanged on error.
func (s *Settings) UnmarshalJSON(data []byte) error {
	out, err := DecodeSettings(data, Names{})
	if err != nil {
		return err
	}
	*s = out
	return nil
}

// DecodeSettings decodes settings JSON strictly (see
// [Settings.UnmarshalJSON]), reading mode names with names, so a policy can
// accept its own (Bluesky's "all").
func DecodeSettings(data []byte, names Names) (Settings, error) {
	n := names.withDefaults()
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return Settings{}, errors.New("inbox: settings: null is not an object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var j settingsJSON
	if err := dec.Decode(&j); err != nil {
		return Settings{}, fmt.Errorf("inbox: settings: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Settings{}, errors.New("inbox: settings: trailing data after the object")
	}
	var out Settings
	var err error
	if j.Mode != nil {
		if out.Mode, err = n.ParseMode(*j.Mode); err != nil {
			return Settings{}, fmt.Errorf("inbox: settings: %w", err)
		}
	}
	if j.Groups != nil {
		if out.Groups, err = n.ParseGroups(*j.Groups); err != nil {
			return Settings{}, fmt.Errorf("inbox: settings: groups: %w", err)
		}
	}
	for k, v := range j.Routes {
		a, err := ParseAudience(k)
		if err != nil {
			return Settings{}, fmt.Errorf("inbox: settings: routes: %w", err)
		}
		r, err := ParseRoute(v)
		if err != nil {
			return Settings{}, fmt.Errorf("inbox: settings: routes.%s: %w", k, err)
		}
		out.Routes = out.Routes.Set(a, r)
	}
	return out, nil
}

// Errors of inbox writes, for [errors.Is]: what the embedded store returns
// and a host's write path is expected to return too (the inbox/inboxtest
// kit checks them).
var (
	ErrInvalidMode  = errors.New("inbox: invalid mode")  // settings that are not defined values (Settings.Defined)
	ErrInvalidRoute = errors.New("inbox: invalid route") // likewise, a per-audience route
	ErrNoRequest    = errors.New("inbox: no pending or held request from that sender")
	ErrSelf         = errors.New("inbox: a conversation with oneself")
	ErrInvalidState = errors.New("inbox: invalid conversation state")
)

// ErrModeUnavailable is the error (wrapped in a [*ModeError]) for a mode the
// user may not choose. Check with [errors.Is].
var ErrModeUnavailable = errors.New("inbox: mode not available")

// ModeError says which mode a user may not choose, and why.
type ModeError struct {
	Mode   Mode
	Groups bool          // the group-invite setting, not the inbox mode
	Band   graph.AgeBand // the user's age band when they chose
	Why    string        // a sentence for people: "users whose age is 16-17 may not choose it"
	Name   string        // the mode's name under the policy, if not its canonical one
}

func (e *ModeError) Error() string {
	what, name := "mode", e.Name
	if e.Groups {
		what = "group setting"
	}
	if name == "" {
		name = e.Mode.String()
	}
	return fmt.Sprintf("inbox: %s %s is not available: %s", what, name, e.Why)
}

// Unwrap returns [ErrModeUnavailable].
func (e *ModeError) Unwrap() error { return ErrModeUnavailable }

// RouteError says which per-audience route a user may not set, and why.
type RouteError struct {
	Audience Audience
	Route    Route
	Band     graph.AgeBand
	Why      string
}

func (e *RouteError) Error() string {
	return fmt.Sprintf("inbox: route %s=%s is not available: %s", e.Audience, e.Route, e.Why)
}

// Unwrap returns [ErrModeUnavailable].
func (e *RouteError) Unwrap() error { return ErrModeUnavailable }

// Availability says which mode a user gets by default and which modes they
// may choose, by age band, and which modes are still limited to a rollout
// cohort; likewise for per-audience routes and the group-invite setting. A
// setting is validated when it is chosen, never again: a later birthday
// does not invalidate it.
type Availability struct {
	// Defaults is the mode a user who never chose gets, by age band.
	Defaults [graph.NumAgeBands]Mode

	// Choosable is the set of modes a user may choose, by age band.
	Choosable [graph.NumAgeBands]Modes

	// Rollout limits modes to a cohort while they roll out. A mode with
	// an entry is choosable only by users in its cohort (and only if their
	// band may choose it).
	Rollout map[Mode]*Cohort

	// PerAudience offers per-audience routes (Settings.Routes) for the
	// audiences RouteLimits routes, each at most as permissive as the
	// limit for the user's band: a limit of Deny lets the band refuse the
	// audience only, and an Unset limit means the policy has no setting
	// for it. Without PerAudience, any route is refused.
	PerAudience bool
	RouteLimits [graph.NumAgeBands]Table

	// GroupDefaults is who may add a user who never chose to groups, and
	// GroupChoosable what they may choose, by age band. A policy whose
	// GroupChoosable is empty for a band offers that band no choice.
	GroupDefaults  [graph.NumAgeBands]Mode
	GroupChoosable [graph.NumAgeBands]Modes
}

// Default returns the mode a user of the given band gets without choosing.
func (a *Availability) Default(band graph.AgeBand) Mode {
	if int(band) >= len(a.Defaults) {
		band = graph.AgeUnknown
	}
	return a.Defaults[band]
}

// Effective returns the mode that applies to s for a user of the given band:
// the chosen one, or the band's default. A chosen mode the band may not
// choose counts as the band's default too (the fail-safe): a mode is
// validated when it is chosen, and ageing only widens the choice, but a
// birth date corrected downward, or a verified band younger than the
// choice allowed, must never leave a minor in an adult-only mode.
func (a *Availability) Effective(s Settings, band graph.AgeBand) Mode {
	if int(band) >= len(a.Choosable) {
		band = graph.AgeUnknown
	}
	if s.Mode != ModeDefault && a.Choosable[band].Has(s.Mode) {
		return s.Mode
	}
	return a.Default(band)
}

// FailSafe reports whether the fail-safe of [Availability.Effective]
// replaces s's chosen mode for a user of the given band.
func (a *Availability) FailSafe(s Settings, band graph.AgeBand) bool {
	if int(band) >= len(a.Choosable) {
		band = graph.AgeUnknown
	}
	return s.Mode != ModeDefault && !a.Choosable[band].Has(s.Mode)
}

// EffectiveRoutes returns the per-audience routes of s that apply to a user
// of the given band: none without PerAudience, and without any route the
// band's RouteLimits do not allow (the fail-safe of
// [Availability.Effective], for routes).
func (a *Availability) EffectiveRoutes(s Settings, band graph.AgeBand) Overrides {
	if !a.PerAudience || s.Routes.IsZero() {
		return Overrides{}
	}
	if int(band) >= len(a.RouteLimits) {
		band = graph.AgeUnknown
	}
	o := s.Routes
	for _, aud := range o.Audiences().List() {
		if r, _ := o.Get(aud); !RouteAllowed(a.RouteLimits[band][aud], r) {
			o = o.Set(aud, Unset)
		}
	}
	return o
}

// RouteAllowed reports whether a route limit (an entry of
// Availability.RouteLimits) lets a user set route r: Unset allows nothing
// (the policy has no such setting), Deny allows refusing only, and
// Requests or Primary allow every route up to them.
func RouteAllowed(limit, r Route) bool {
	return limit != Unset && r != Unset && r.Valid() && limit.AtLeast(r)
}

func anyBandRoutes(limits *[graph.NumAgeBands]Table, a Audience) bool {
	for _, t := range limits {
		if t[a] != Unset {
			return true
		}
	}
	return false
}

// Validate returns nil if a user of the given band, whose ID in text form is
// key (see [CohortKey]), may choose s, and otherwise a [*ModeError] naming
// the mode and why. Choosing ModeDefault (going back to the default) is
// always allowed.
func (a *Availability) Validate(s Settings, band graph.AgeBand, key string) error {
	if int(band) >= len(a.Choosable) {
		band = graph.AgeUnknown
	}
	if m := s.Mode; m != ModeDefault {
		if !m.Valid() {
			return &ModeError{Mode: m, Band: band, Why: "it is not a mode"}
		}
		if !a.Choosable[band].Has(m) {
			if !anyBand(&a.Choosable, m) {
				return &ModeError{Mode: m, Band: band, Why: "this policy does not offer it"}
			}
			return &ModeError{Mode: m, Band: band, Why: fmt.Sprintf("users whose age is %s may not choose it", band)}
		}
		if c, ok := a.Rollout[m]; ok && !c.Contains(key) {
			return &ModeError{Mode: m, Band: band, Why: "it is still rolling out, to a cohort this user is not in"}
		}
	}
	for _, aud := range s.Routes.Audiences().List() {
		r, _ := s.Routes.Get(aud)
		if !a.PerAudience {
			return &RouteError{Audience: aud, Route: r, Band: band, Why: "this policy has no per-audience settings"}
		}
		if limit := a.RouteLimits[band][aud]; !RouteAllowed(limit, r) {
			why := fmt.Sprintf("users whose age is %s may route %s to %s at most", band, aud, limit)
			switch {
			case !anyBandRoutes(&a.RouteLimits, aud):
				why = fmt.Sprintf("this policy has no setting for %s", aud)
			case limit == Unset || limit == Deny:
				why = fmt.Sprintf("users whose age is %s may not receive messages from %s", band, aud)
			}
			return &RouteError{Audience: aud, Route: r, Band: band, Why: why}
		}
	}
	if g := s.Groups; g != ModeDefault {
		if !g.Valid() || !a.GroupChoosable[band].Has(g) {
			why := fmt.Sprintf("users whose age is %s may not choose it", band)
			if !g.Valid() || !anyBand(&a.GroupChoosable, g) {
				why = "this policy does not offer it"
			}
			return &ModeError{Mode: g, Groups: true, Band: band, Why: why}
		}
	}
	return nil
}

// EffectiveGroups returns who may add a user of the given band to groups:
// their choice, or the band's default, which is also what applies when the
// band may not choose their stored choice (the fail-safe of
// [Availability.Effective]).
func (a *Availability) EffectiveGroups(s Settings, band graph.AgeBand) Mode {
	if int(band) >= len(a.GroupDefaults) {
		band = graph.AgeUnknown
	}
	if s.Groups != ModeDefault && a.GroupChoosable[band].Has(s.Groups) {
		return s.Groups
	}
	return a.GroupDefaults[band]
}

func anyBand(c *[graph.NumAgeBands]Modes, m Mode) bool {
	for _, s := range c {
		if s.Has(m) {
			return true
		}
	}
	return false
}

// Cohort is a rollout group: the users on an allow list, plus a stable
// percentage of all users chosen by a hash of their ID. Growing Percent only
// ever adds users, so a rollout can widen without flapping.
type Cohort struct {
	Allow   []string // users always in, by [CohortKey]
	Percent float64  // 0–100: the share of users in by hash
	Salt    string   // varies which users a percentage picks, per rollout
}

// Contains reports whether the user whose [CohortKey] is key is in c. A nil
// Cohort contains everyone (no rollout limit).
func (c *Cohort) Contains(key string) bool {
	if c == nil {
		return true
	}
	if slices.Contains(c.Allow, key) {
		return true
	}
	return float64(c.Bucket(key)) < c.Percent*100
}

// Bucket returns key's stable bucket in [0, 10000): a user is in a cohort of
// p percent when their bucket is below p×100.
func (c *Cohort) Bucket(key string) int {
	h := fnv.New64a()
	io.WriteString(h, c.Salt)
	h.Write([]byte{0})
	io.WriteString(h, key)
	return int(h.Sum64() % 10000)
}

// CohortKey returns the text form of a user ID used for cohorts: fmt's %v,
// so 42 and "42" have the same key.
func CohortKey[ID comparable](id ID) string {
	switch v := any(id).(type) {
	case string:
		return v
	}
	return fmt.Sprint(id)
}
