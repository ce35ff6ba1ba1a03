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
// chose: the policy's default for their age band applies at each decision,
// so a user who turns 18 moves from the minors' default to the adults' that
// day, while a mode they chose stays as they age.
type Settings struct {
	// Mode is who may start a new conversation; ModeDefault if never set.
	Mode Mode
}

type settingsJSON struct {
	Mode *Mode `json:"mode,omitempty"`
}

// MarshalJSON encodes s as {"mode":"friends"}; a never-set mode is omitted.
func (s Settings) MarshalJSON() ([]byte, error) {
	if !s.Mode.Valid() {
		return nil, fmt.Errorf("inbox: invalid mode %d", uint8(s.Mode))
	}
	var j settingsJSON
	if s.Mode != ModeDefault {
		j.Mode = &s.Mode
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes settings strictly: unknown fields, unknown mode
// names, trailing data and a null are errors, and s is unchanged on error.
func (s *Settings) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return errors.New("inbox: settings: null is not an object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var j settingsJSON
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("inbox: settings: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("inbox: settings: trailing data after the object")
	}
	var out Settings
	if j.Mode != nil {
		out.Mode = *j.Mode
	}
	*s = out
	return nil
}

// ErrModeUnavailable is the error (wrapped in a [*ModeError]) for a mode the
// user may not choose. Check with [errors.Is].
var ErrModeUnavailable = errors.New("inbox: mode not available")

// ModeError says which mode a user may not choose, and why.
type ModeError struct {
	Mode Mode
	Band graph.AgeBand // the user's age band when they chose
	Why  string        // a sentence for people: "users aged 16-17 may not choose it"
}

func (e *ModeError) Error() string {
	return fmt.Sprintf("inbox: mode %s is not available: %s", e.Mode, e.Why)
}

// Unwrap returns [ErrModeUnavailable].
func (e *ModeError) Unwrap() error { return ErrModeUnavailable }

// Availability says which mode a user gets by default and which modes they
// may choose, by age band, and which modes are still limited to a rollout
// cohort. A mode is validated when it is chosen, never again: a later
// birthday does not invalidate it.
type Availability struct {
	// Defaults is the mode a user who never chose gets, by age band.
	Defaults [graph.NumAgeBands]Mode

	// Choosable is the set of modes a user may choose, by age band.
	Choosable [graph.NumAgeBands]Modes

	// Rollout limits modes to a cohort while they roll out. A mode with
	// an entry is choosable only by users in its cohort (and only if their
	// band may choose it).
	Rollout map[Mode]*Cohort
}

// Default returns the mode a user of the given band gets without choosing.
func (a *Availability) Default(band graph.AgeBand) Mode {
	if int(band) >= len(a.Defaults) {
		band = graph.AgeUnknown
	}
	return a.Defaults[band]
}

// Effective returns the mode that applies to s for a user of the given band:
// the chosen one, or the band's default.
func (a *Availability) Effective(s Settings, band graph.AgeBand) Mode {
	if s.Mode != ModeDefault {
		return s.Mode
	}
	return a.Default(band)
}

// Validate returns nil if a user of the given band, whose ID in text form is
// key (see [CohortKey]), may choose s, and otherwise a [*ModeError] naming
// the mode and why. Choosing ModeDefault (going back to the default) is
// always allowed.
func (a *Availability) Validate(s Settings, band graph.AgeBand, key string) error {
	m := s.Mode
	if m == ModeDefault {
		return nil
	}
	if !m.Valid() {
		return &ModeError{Mode: m, Band: band, Why: "it is not a mode"}
	}
	if int(band) >= len(a.Choosable) {
		band = graph.AgeUnknown
	}
	if !a.Choosable[band].Has(m) {
		if !a.anyBand(m) {
			return &ModeError{Mode: m, Band: band, Why: "this policy does not offer it"}
		}
		return &ModeError{Mode: m, Band: band, Why: fmt.Sprintf("users whose age is %s may not choose it", band)}
	}
	if c, ok := a.Rollout[m]; ok && !c.Contains(key) {
		return &ModeError{Mode: m, Band: band, Why: "it is still rolling out, to a cohort this user is not in"}
	}
	return nil
}

func (a *Availability) anyBand(m Mode) bool {
	for _, s := range a.Choosable {
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
