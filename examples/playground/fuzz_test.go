package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecode feeds the request decoder arbitrary bodies. It must never
// panic; it refuses with an *httpError; what it accepts is valid JSON whose
// keys are the request's fields, spelled exactly, and which encodes back to
// a body it decodes the same.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"world":"user ana\n","recipient":"ana","kind":"rollout","mode":"everyone","percent":50}`,
		`{"world":"","World":""}`,
		`{"world":"a","world":"b"}`,
		`{"percent":1e400}`,
		`{"kind":null}`,
		`{} {}`,
		`[]`,
		`{"mode":"\ud800"}`,
		"{\"world\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var q whatIfRequest
		err := decode(jsonRequest(body), &q)
		if err != nil {
			var he *httpError
			if !errors.As(err, &he) || he.status != 400 {
				t.Fatalf("error %v (%T), want a 400 *httpError", err, err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(body, &keys); err != nil {
			t.Fatalf("accepted %q, which is not an object: %v", body, err)
		}
		for k := range keys {
			switch k {
			case "world", "recipient", "kind", "mode", "preset", "percent":
			default:
				t.Fatalf("accepted the key %q", k)
			}
		}
		again, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		var q2 whatIfRequest
		if err := decode(jsonRequest(again), &q2); err != nil {
			t.Fatalf("%s does not decode again: %v", again, err)
		}
		if diff := cmp.Diff(q, q2); diff != "" {
			t.Fatalf("decoded again differently (-first +again):\n%s", diff)
		}
	})
}

// jsonRequest is a JSON POST of body.
func jsonRequest(body []byte) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/api/whatif", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}
