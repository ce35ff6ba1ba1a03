package privacy_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/google/go-cmp/cmp"
)

func TestDecisionJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    privacy.Decision
		want string
	}{
		{"zero", privacy.Decision{}, `{"allowed":false,"folder":"none","reason":"error","view":"not_allowed"}`},
		{"friend", privacy.Decision{Allowed: true, Folder: inbox.Primary, Reason: privacy.ReasonFriend, View: privacy.ViewAllowed},
			`{"allowed":true,"folder":"primary","reason":"friend","view":"allowed"}`},
		{"request", privacy.Decision{Allowed: true, Folder: inbox.Requests, Reason: privacy.ReasonMessageRequest, View: privacy.ViewAllowed},
			`{"allowed":true,"folder":"requests","reason":"message_request","view":"allowed"}`},
		{"gate", privacy.Decision{Reason: privacy.ReasonPolicyGate, View: privacy.ViewNotAllowed, Rule: "verified-only"},
			`{"allowed":false,"folder":"none","reason":"policy_gate","view":"not_allowed","rule":"verified-only"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("Marshal = %s, want %s", b, tt.want)
			}
			var got privacy.Decision
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("Unmarshal(%s): %v", b, err)
			}
			if diff := cmp.Diff(tt.d, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// Every reason, view and folder survives the round trip, so an audit log of
// JSON decisions reads back exactly.
func TestDecisionJSONRoundTripEveryValue(t *testing.T) {
	t.Parallel()
	var reasons []privacy.Reason
	for r := privacy.Reason(0); ; r++ {
		if _, err := privacy.ParseReason(r.String()); err != nil {
			break
		}
		reasons = append(reasons, r)
	}
	if len(reasons) < int(privacy.ReasonGroupInvite)+1 {
		t.Fatalf("found %d reasons, want at least %d", len(reasons), privacy.ReasonGroupInvite+1)
	}
	views := []privacy.View{privacy.ViewNotAllowed, privacy.ViewAllowed, privacy.ViewYouBlocked,
		privacy.ViewAgeRestricted, privacy.ViewRequestLimit, privacy.ViewUnavailable}
	folders := []inbox.Folder{inbox.NoFolder, inbox.Primary, inbox.Requests}
	for _, r := range reasons {
		for _, v := range views {
			for _, f := range folders {
				d := privacy.Decision{Allowed: f != inbox.NoFolder, Folder: f, Reason: r, View: v, Rule: "x"}
				b, err := json.Marshal(d)
				if err != nil {
					t.Fatal(err)
				}
				var got privacy.Decision
				if err := json.Unmarshal(b, &got); err != nil || got != d {
					t.Fatalf("Unmarshal(%s) = %+v, %v; want %+v", b, got, err, d)
				}
				g := privacy.GroupDecision{Outcome: privacy.GroupOutcome(f), Reason: r, View: v}
				if b, err = json.Marshal(g); err != nil {
					t.Fatal(err)
				}
				var gg privacy.GroupDecision
				if err := json.Unmarshal(b, &gg); err != nil || gg != g {
					t.Fatalf("Unmarshal(%s) = %+v, %v; want %+v", b, gg, err, g)
				}
			}
		}
	}
}

func TestDecisionJSONRefusesUnknownNames(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{"allowed":true,"folder":"inbox","reason":"friend","view":"allowed"}`,
		`{"allowed":true,"folder":"primary","reason":"pal","view":"allowed"}`,
		`{"allowed":true,"folder":"primary","reason":"friend","view":"ok"}`,
		`{"allowed":true,"folder":1,"reason":"friend","view":"allowed"}`,
	} {
		var d privacy.Decision
		if err := json.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("Unmarshal(%s) = %+v, nil; want an error", in, d)
		}
	}
	for _, in := range []string{
		`{"outcome":"maybe","reason":"group_invite","view":"allowed"}`,
		`{"outcome":"invite","reason":"group_pal","view":"allowed"}`,
		`{"outcome":"invite","reason":"group_invite","view":"ok"}`,
		`[]`,
	} {
		d := privacy.GroupDecision{Outcome: privacy.GroupAllow, Reason: privacy.ReasonFriend}
		if err := json.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("Unmarshal(%s) = %+v, nil; want an error", in, d)
		}
	}
}

func TestGroupDecisionJSON(t *testing.T) {
	t.Parallel()
	d := privacy.GroupDecision{Outcome: privacy.GroupInvite, Reason: privacy.ReasonGroupInvite, View: privacy.ViewAllowed}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"outcome":"invite","reason":"group_invite","view":"allowed"}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	// A GroupDecision inside another value uses the same keys.
	b, err = json.Marshal(struct {
		G privacy.GroupDecision `json:"group"`
	}{privacy.GroupDecision{Rule: "no-bots"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"group":{"outcome":"deny","reason":"error","view":"not_allowed","rule":"no-bots"}}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
}

// A Decision is JSON with snake_case keys and its enums' text forms, ready
// for an audit log or an API; it decodes back to the same value. Only "view"
// is for the sender's screen.
func ExampleDecision_json() {
	d := privacy.Decision{Allowed: true, Folder: inbox.Requests, Reason: privacy.ReasonMessageRequest, View: privacy.ViewAllowed}
	b, _ := json.Marshal(d)
	fmt.Println(string(b))

	var back privacy.Decision
	_ = json.Unmarshal([]byte(`{"allowed":false,"folder":"none","reason":"blocked_by_recipient","view":"not_allowed"}`), &back)
	fmt.Println(back, "/ the sender sees", back.View)
	// Output:
	// {"allowed":true,"folder":"requests","reason":"message_request","view":"allowed"}
	// deny blocked_by_recipient / the sender sees not_allowed
}
