package inbox_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

func TestSettingsJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    inbox.Settings
		wantErr string
	}{
		{in: `{"mode":"everyone"}`, want: inbox.Settings{Mode: inbox.Everyone}},
		{in: `{"mode":"suggested"}`, want: inbox.Settings{Mode: inbox.SuggestedFriends}},
		{in: `{"mode":"friends"}`, want: inbox.Settings{Mode: inbox.Friends}},
		{in: ` {"mode":"noone"} `, want: inbox.Settings{Mode: inbox.NoOne}},
		{in: `{}`, want: inbox.Settings{}},
		{in: `{"mode":"default"}`, want: inbox.Settings{}},
		{in: `{"mode":"Everyone"}`, wantErr: `unknown mode "Everyone"`},
		{in: `{"mode":"all"}`, wantErr: `unknown mode "all"`},
		{in: `{"mode":3}`, wantErr: "cannot unmarshal number"},
		{in: `{"mode":"friends","extra":1}`, wantErr: `unknown field "extra"`},
		{in: `{"mode":"friends"}{}`, wantErr: "after top-level value"},
		{in: `null`, wantErr: "null is not an object"},
		{in: `[]`, wantErr: "cannot unmarshal array"},
		{in: ``, wantErr: "unexpected end"},
	}
	for _, tc := range tests {
		got := inbox.Settings{Mode: inbox.NoOne} // unchanged on error
		err := json.Unmarshal([]byte(tc.in), &got)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Unmarshal(%s): err = %v, want one containing %q", tc.in, err, tc.wantErr)
			}
			if err != nil && got.Mode != inbox.NoOne {
				t.Errorf("Unmarshal(%s) failed but changed the settings to %v", tc.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Unmarshal(%s) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
	for m := inbox.ModeDefault; m < inbox.NumModes; m++ {
		data, err := json.Marshal(inbox.Settings{Mode: m})
		if err != nil {
			t.Fatal(err)
		}
		var back inbox.Settings
		if err := json.Unmarshal(data, &back); err != nil || back.Mode != m {
			t.Errorf("round trip of %v via %s: %v, %v", m, data, back, err)
		}
	}
	if _, err := json.Marshal(inbox.Settings{Mode: 99}); err == nil {
		t.Error("Marshal of an invalid mode succeeded")
	}
}

// FuzzSettingsJSON: decoding never panics, and whatever decodes encodes
// back to something that decodes to the same settings.
func FuzzSettingsJSON(f *testing.F) {
	for _, s := range []string{`{"mode":"everyone"}`, `{}`, `{"mode":"noone","x":1}`, `null`, `{"mode":"friends"} x`, `{"mode":"\u0066riends"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s inbox.Settings
		if err := json.Unmarshal(data, &s); err != nil {
			return
		}
		if !s.Mode.Valid() {
			t.Fatalf("decoded an invalid mode %d from %q", s.Mode, data)
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back inbox.Settings
		if err := json.Unmarshal(out, &back); err != nil || back != s {
			t.Fatalf("%q → %v → %s → %v, %v", data, s, out, back, err)
		}
	})
}

func TestParseNames(t *testing.T) {
	t.Parallel()
	for m := inbox.ModeDefault; m < inbox.NumModes; m++ {
		if got, err := inbox.ParseMode(m.String()); err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m, got, err)
		}
	}
	for a := inbox.Audience(0); a < inbox.NumAudiences; a++ {
		if got, err := inbox.ParseAudience(a.String()); err != nil || got != a {
			t.Errorf("ParseAudience(%q) = %v, %v", a, got, err)
		}
	}
	for s := inbox.Pending; s <= inbox.Declined; s++ {
		if got, err := inbox.ParseState(s.String()); err != nil || got != s {
			t.Errorf("ParseState(%q) = %v, %v", s, got, err)
		}
	}
	for r := inbox.Deny; r <= inbox.RoutePrimary; r++ {
		if got, err := inbox.ParseRoute(r.String()); err != nil || got != r {
			t.Errorf("ParseRoute(%q) = %v, %v", r, got, err)
		}
	}
	if _, err := inbox.ParseMode("EVERYONE"); err == nil {
		t.Error("ParseMode is case-insensitive")
	}
}

func tiktokAvailability() *inbox.Availability {
	var a inbox.Availability
	minors := inbox.ModesOf(inbox.NoOne, inbox.Friends, inbox.SuggestedFriends)
	for b := range graph.NumAgeBands {
		a.Defaults[b] = inbox.NoOne
		a.Choosable[b] = minors
	}
	a.Defaults[graph.Age18Plus] = inbox.Friends
	a.Choosable[graph.Age18Plus] = minors | inbox.ModesOf(inbox.Everyone)
	return &a
}

func TestAvailability(t *testing.T) {
	t.Parallel()
	a := tiktokAvailability()
	if got := a.Effective(inbox.Settings{}, graph.Age16to17); got != inbox.NoOne {
		t.Errorf("16-17 default = %v", got)
	}
	if got := a.Effective(inbox.Settings{}, graph.Age18Plus); got != inbox.Friends {
		t.Errorf("18+ default = %v", got)
	}
	if got := a.Effective(inbox.Settings{Mode: inbox.SuggestedFriends}, graph.Age18Plus); got != inbox.SuggestedFriends {
		t.Errorf("chosen = %v", got)
	}
	err := a.Validate(inbox.Settings{Mode: inbox.Everyone}, graph.Age16to17, "u1")
	var me *inbox.ModeError
	if !errors.As(err, &me) || !errors.Is(err, inbox.ErrModeUnavailable) || me.Mode != inbox.Everyone {
		t.Fatalf("16-17 choosing everyone: %v", err)
	}
	if want := "inbox: mode everyone is not available: users whose age is 16-17 may not choose it"; err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
	if err := a.Validate(inbox.Settings{Mode: inbox.Everyone}, graph.Age18Plus, "u1"); err != nil {
		t.Errorf("adult choosing everyone: %v", err)
	}
	a.Rollout = map[inbox.Mode]*inbox.Cohort{inbox.Everyone: {Allow: []string{"pilot"}}}
	err = a.Validate(inbox.Settings{Mode: inbox.Everyone}, graph.Age18Plus, "u1")
	if err == nil || !strings.Contains(err.Error(), "mode everyone is not available: it is still rolling out, to a cohort this user is not in") {
		t.Errorf("outside the cohort: %v", err)
	}
	if err := a.Validate(inbox.Settings{Mode: inbox.Everyone}, graph.Age18Plus, "pilot"); err != nil {
		t.Errorf("in the cohort: %v", err)
	}
	if err := a.Validate(inbox.Settings{Mode: inbox.Everyone}, graph.Age16to17, "pilot"); err == nil {
		t.Error("a cohort let a 17-year-old choose everyone")
	}
}

func TestCohortPercentIsStableAndGrows(t *testing.T) {
	t.Parallel()
	c10 := &inbox.Cohort{Percent: 10, Salt: "everyone-2022"}
	c50 := &inbox.Cohort{Percent: 50, Salt: "everyone-2022"}
	in10, in50 := 0, 0
	const n = 20000
	for i := range n {
		k := inbox.CohortKey(i)
		a, b := c10.Contains(k), c50.Contains(k)
		if a && !b {
			t.Fatalf("user %d is in the 10%% cohort but not the 50%% one", i)
		}
		if a != c10.Contains(k) {
			t.Fatalf("user %d: membership is not stable", i)
		}
		if a {
			in10++
		}
		if b {
			in50++
		}
	}
	if in10 < n*8/100 || in10 > n*12/100 || in50 < n*47/100 || in50 > n*53/100 {
		t.Errorf("10%% cohort has %d of %d, 50%% has %d", in10, n, in50)
	}
	if inbox.CohortKey(42) != inbox.CohortKey("42") || inbox.CohortKey(int64(42)) != "42" {
		t.Error("CohortKey forms differ")
	}
	var none *inbox.Cohort
	if !none.Contains("x") {
		t.Error("a nil cohort must contain everyone")
	}
}

func TestSettingsUnmarshalDirect(t *testing.T) {
	t.Parallel()
	// Callers that bypass json.Unmarshal get the same strictness.
	var s inbox.Settings
	for _, in := range []string{`{"mode":"friends"} {}`, `{"mode":"friends"`, `null`} {
		if err := s.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("UnmarshalJSON(%s) succeeded", in)
		}
	}
}

func TestSettingsJSONRoutesAndGroups(t *testing.T) {
	t.Parallel()
	in := `{"mode":"everyone","routes":{"follower":"requests","anyone":"deny","reverse_contact":"primary"},"groups":"following"}`
	var s inbox.Settings
	if err := json.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	want := inbox.Settings{
		Mode: inbox.Everyone,
		Routes: inbox.Overrides{}.Set(inbox.AudienceFollower, inbox.RouteRequests).
			Set(inbox.AudienceAnyone, inbox.Deny).Set(inbox.AudienceReverseContact, inbox.RoutePrimary),
		Groups: inbox.Following,
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back inbox.Settings
	if err := json.Unmarshal(out, &back); err != nil || back != s {
		t.Errorf("round trip via %s: %v, %v", out, back, err)
	}
	for _, bad := range []string{
		`{"routes":{"fans":"primary"}}`,
		`{"routes":{"follower":"chats"}}`,
		`{"routes":{"follower":1}}`,
		`{"groups":"all"}`,
	} {
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
	// A policy's own names.
	bluesky := func(n string) (inbox.Mode, error) {
		switch n {
		case "all":
			return inbox.Everyone, nil
		case "following":
			return inbox.Following, nil
		}
		return 0, errors.New("no such mode")
	}
	names := inbox.Names{ParseMode: bluesky, ParseGroups: bluesky}
	got, err := inbox.DecodeSettings([]byte(`{"mode":"all","groups":"following"}`), names)
	if err != nil || got.Mode != inbox.Everyone || got.Groups != inbox.Following {
		t.Errorf("DecodeSettings with Bluesky names = %v, %v", got, err)
	}
	if _, err := inbox.DecodeSettings([]byte(`{"mode":"everyone"}`), names); err == nil {
		t.Error("DecodeSettings accepted a name the policy does not have")
	}
	name := func(m inbox.Mode) string {
		if m == inbox.Everyone {
			return "all"
		}
		return m.String()
	}
	if b, _ := got.MarshalJSONNames(inbox.Names{Mode: name, Groups: name}); string(b) != `{"mode":"all","groups":"following"}` {
		t.Errorf("MarshalJSONNames = %s", b)
	}
}

func TestValidateRoutesAndGroups(t *testing.T) {
	t.Parallel()
	a := tiktokAvailability()
	follower := inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFollower, inbox.RoutePrimary)}
	if err := a.Validate(follower, graph.Age18Plus, "u"); err == nil || !strings.Contains(err.Error(), "no per-audience settings") {
		t.Errorf("routes under a policy without them: %v", err)
	}
	a.PerAudience = true
	for b := range graph.NumAgeBands {
		a.RouteLimits[b] = inbox.Table{}.With(inbox.AudienceFollower, inbox.RouteRequests).With(inbox.AudienceAnyone, inbox.Deny)
	}
	a.RouteLimits[graph.Age18Plus] = a.RouteLimits[graph.Age18Plus].With(inbox.AudienceFollower, inbox.RoutePrimary)
	if err := a.Validate(follower, graph.Age18Plus, "u"); err != nil {
		t.Errorf("adult routes followers to primary: %v", err)
	}
	err := a.Validate(follower, graph.Age13to15, "u")
	var re *inbox.RouteError
	if !errors.As(err, &re) || !errors.Is(err, inbox.ErrModeUnavailable) || re.Audience != inbox.AudienceFollower {
		t.Fatalf("teen routes followers to primary: %v", err)
	}
	if want := "inbox: route follower=primary is not available: users whose age is 13-15 may route follower to requests at most"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	anyone := inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceAnyone, inbox.RouteRequests)}
	if err := a.Validate(anyone, graph.Age13to15, "u"); err == nil || !strings.Contains(err.Error(), "may not receive messages from anyone") {
		t.Errorf("teen opens to anyone: %v", err)
	}
	if err := a.Validate(inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceAnyone, inbox.Deny)}, graph.Age13to15, "u"); err != nil {
		t.Errorf("teen refuses anyone: %v", err)
	}
	contact := inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceContact, inbox.Deny)}
	if err := a.Validate(contact, graph.Age18Plus, "u"); err == nil || !strings.Contains(err.Error(), "no setting for contact") {
		t.Errorf("a route the policy has no setting for: %v", err)
	}
	groups := inbox.Settings{Groups: inbox.Following}
	if err := a.Validate(groups, graph.Age18Plus, "u"); err == nil || err.Error() != "inbox: group setting following is not available: this policy does not offer it" {
		t.Errorf("group setting the policy lacks: %v", err)
	}
	a.GroupChoosable[graph.Age18Plus] = inbox.ModesOf(inbox.Following, inbox.NoOne)
	if err := a.Validate(groups, graph.Age18Plus, "u"); err != nil {
		t.Errorf("group setting: %v", err)
	}
	a.GroupDefaults[graph.Age18Plus] = inbox.Everyone
	if got := a.EffectiveGroups(inbox.Settings{}, graph.Age18Plus); got != inbox.Everyone {
		t.Errorf("EffectiveGroups default = %v", got)
	}
	if got := a.EffectiveGroups(groups, graph.Age18Plus); got != inbox.Following {
		t.Errorf("EffectiveGroups chosen = %v", got)
	}
}

func TestOverridesBits(t *testing.T) {
	t.Parallel()
	var o inbox.Overrides
	if b := o.Bits(); b != 0 {
		t.Errorf("zero Overrides packs to %#x", b)
	}
	o = o.Set(inbox.AudienceFollower, inbox.RoutePrimary).Set(inbox.AudienceAnyone, inbox.Deny).Set(inbox.AudienceFriendOfFriend, inbox.RouteRequests)
	back, err := inbox.OverridesFromBits(o.Bits())
	if err != nil || back != o {
		t.Errorf("round trip of %v: %v, %v", o, back, err)
	}
	for _, bad := range []uint64{1 << 12, 1 << 40, 3 << 16 /* route without override */, 1 | 3<<16} {
		if _, err := inbox.OverridesFromBits(bad); err == nil {
			t.Errorf("OverridesFromBits(%#x) succeeded", bad)
		}
	}
}

func FuzzOverridesBits(f *testing.F) {
	f.Add(uint64(0))
	f.Add(uint64(1<<5 | 2<<26))
	f.Fuzz(func(t *testing.T, b uint64) {
		o, err := inbox.OverridesFromBits(b)
		if err != nil {
			return
		}
		if o.Bits() != b {
			t.Fatalf("%#x → %v → %#x", b, o, o.Bits())
		}
	})
}

func TestSettingsDefined(t *testing.T) {
	t.Parallel()
	ok := inbox.Settings{Mode: inbox.Friends, Groups: inbox.Everyone,
		Routes: inbox.Overrides{}.Set(inbox.AudienceFollower, inbox.RouteRequests).Set(inbox.AudienceAnyone, inbox.Deny)}
	if err := ok.Defined(); err != nil {
		t.Errorf("%+v: %v", ok, err)
	}
	for _, c := range []struct {
		s    inbox.Settings
		want error
	}{
		{inbox.Settings{Mode: inbox.NumModes}, inbox.ErrInvalidMode},
		{inbox.Settings{Groups: 200}, inbox.ErrInvalidMode},
		{inbox.Settings{Routes: inbox.Overrides{}.Set(inbox.AudienceFriend, inbox.RoutePrimary+1)}, inbox.ErrInvalidRoute},
	} {
		if err := c.s.Defined(); !errors.Is(err, c.want) {
			t.Errorf("%+v: %v, want %v", c.s, err, c.want)
		}
	}
}
