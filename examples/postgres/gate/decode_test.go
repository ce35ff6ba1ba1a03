package gate

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeStrict(t *testing.T) {
	t.Parallel()
	type body struct {
		Sender    *int64  `json:"sender"`
		Recipient *int64  `json:"recipient"`
		Keys      []int64 `json:"keys"`
	}
	one, two := int64(1), int64(2)
	tests := []struct {
		name, in  string
		want      body
		wantField string // "" with wantErr: an error naming no field
		wantErr   bool
	}{
		{name: "ok", in: `{"sender":1,"recipient":2}`, want: body{Sender: &one, Recipient: &two}},
		{name: "nested arrays", in: `{"sender":1,"keys":[1,2]}`, want: body{Sender: &one, Keys: []int64{1, 2}}},
		{name: "duplicate key", in: `{"sender":1,"sender":2}`, wantErr: true, wantField: "sender"},
		{name: "case-folded key", in: `{"Sender":1}`, wantErr: true, wantField: "Sender"},
		{name: "case-folded twin", in: `{"sender":1,"SENDER":2}`, wantErr: true, wantField: "SENDER"},
		{name: "Kelvin sign folds to k", in: `{"\u212Aeys":[1]}`, wantErr: true, wantField: "\u212Aeys"},
		{name: "unknown field", in: `{"sender":1,"urgent":true}`, wantErr: true, wantField: "urgent"},
		{name: "wrong type", in: `{"sender":"1"}`, wantErr: true, wantField: "sender"},
		{name: "fraction", in: `{"sender":1.5}`, wantErr: true, wantField: "sender"},
		{name: "out of range", in: `{"sender":9223372036854775808}`, wantErr: true, wantField: "sender"},
		{name: "trailing data", in: `{"sender":1}{}`, wantErr: true},
		{name: "not an object", in: `[1,2]`, wantErr: true},
		{name: "empty", in: ``, wantErr: true},
		{name: "truncated", in: `{"sender":1`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got body
			err := decodeStrict([]byte(tt.in), &got)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("decodeStrict(%s): %v", tt.in, err)
				}
				if d := cmp.Diff(tt.want, got); d != "" {
					t.Errorf("decodeStrict(%s) (-want +got):\n%s", tt.in, d)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Status != 400 || e.Field != tt.wantField {
				t.Errorf("decodeStrict(%s) = %#v; want a 400 naming field %q", tt.in, err, tt.wantField)
			}
		})
	}
}

func TestCheckKeysNested(t *testing.T) {
	t.Parallel()
	fields := map[string]bool{"mode": true, "routes": true}
	tests := []struct {
		in, field string // field "": accepted
	}{
		{`{"mode":"x","routes":{"follower":"primary","anyone":"deny"}}`, ""},
		{`{"routes":{"follower":"primary","Follower":"deny"}}`, "routes.Follower"},
		{`{"routes":{"a":[{"x":1,"x":2}]}}`, "routes.a.x"},
		{`{"Mode":"x"}`, "Mode"},
	}
	for _, tt := range tests {
		err := checkKeys([]byte(tt.in), fields)
		var e *Error
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("checkKeys(%s): %v", tt.in, err)
		case tt.field != "" && (!errors.As(err, &e) || e.Field != tt.field):
			t.Errorf("checkKeys(%s) = %v; want an error naming %q", tt.in, err, tt.field)
		}
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	l := limiter{burst: 2, interval: 10e9}
	var t0 = time0()
	type step struct {
		at         int64 // seconds after t0
		ok         bool
		suppressed int
	}
	steps := []step{{0, true, 0}, {1, true, 0}, {2, false, 0}, {3, false, 0}, {9, false, 0}, {10, true, 3}, {11, true, 0}, {12, false, 0}, {30, true, 1}}
	for _, s := range steps {
		ok, n := l.allow(t0.Add(secs(s.at)))
		if ok != s.ok || n != s.suppressed {
			t.Errorf("at %ds: allow = %v, %d suppressed; want %v, %d", s.at, ok, n, s.ok, s.suppressed)
		}
	}
}
