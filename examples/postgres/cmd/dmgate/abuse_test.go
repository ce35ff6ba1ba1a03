package main

import (
	"context"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
)

// raw sends a request built by the caller and returns the response, its
// body read.
func raw(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func contactKey(t *testing.T, url string, id int64) *string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var k *string
	if err := conn.QueryRow(ctx, `SELECT contact_key FROM users WHERE id = $1`, id).Scan(&k); err != nil {
		t.Fatal(err)
	}
	return k
}

// TestBadInputs sends what a careless or hostile caller would, and checks
// each gets its 4xx, says which field is wrong, and changes nothing.
func TestBadInputs(t *testing.T) {
	url := pgtest.SchemaURL(t)
	g := start(t, url)
	c := client{t, g.base, backendToken}
	cast(c)
	c.want("PUT", "/v1/users/3/contact-key", `{"key":"h:cy"}`, http.StatusNoContent, nil)
	before := snapshot(t, url)

	fieldOf := func(e map[string]any) any { return e["field"] }
	// A NUL, invalid UTF-8 (as JSON escapes a lone surrogate), a key too
	// long to index: 400 naming the key.
	for name, body := range map[string]string{
		"NUL":          `{"key":"h:a\u0000b"}`,
		"too long":     `{"key":"h:` + strings.Repeat("ab", 2000) + `"}`,
		"raw number":   `{"key":"+1 555 0100 222"}`,
		"not a string": `{"key":12}`,
	} {
		status := http.StatusBadRequest
		code := "bad_input"
		if name == "raw number" {
			status, code = http.StatusUnprocessableEntity, "raw_number"
		}
		if e := c.wantError("PUT", "/v1/users/3/contact-key", body, status, code); fieldOf(e) != "key" {
			t.Errorf("contact key with %s: field %v, want key", name, fieldOf(e))
		}
	}
	if e := c.wantError("PUT", "/v1/users/1/contacts", `{"keys":["h:ok","h:\u0000"]}`, http.StatusBadRequest, "bad_input"); fieldOf(e) != "keys" {
		t.Errorf("a synced key with a NUL: field %v, want keys", fieldOf(e))
	}

	// Duplicate and case-folded keys.
	for _, body := range []string{
		`{"sender":1,"sender":3,"recipient":2}`,
		`{"sender":1,"Sender":3,"recipient":2}`,
		`{"SENDER":1,"recipient":2}`,
	} {
		c.wantError("POST", "/v1/messages", body, http.StatusBadRequest, "bad_input")
	}
	c.wantError("PUT", "/v1/settings/1", `{"mode":"friends","Mode":"everyone"}`, http.StatusBadRequest, "bad_input")
	c.wantError("PUT", "/v1/users/2", `{"status":"active","status":"deleted"}`, http.StatusBadRequest, "bad_input")

	// Bodies that are not JSON: text/plain (what a cross-site form or
	// fetch may send without asking) and a form.
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", ""} {
		req, _ := http.NewRequest("POST", g.base+"/v1/messages", strings.NewReader(check(ana, ben)))
		req.Header.Set("Authorization", "Bearer "+backendToken)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if resp, body := raw(t, req); resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("a body sent as %q: %d %s, want 415", ct, resp.StatusCode, body)
		}
	}

	// A chunked body (no Content-Length) on an endpoint that takes none.
	req, _ := http.NewRequest("PUT", g.base+"/v1/blocks/2/1", io.MultiReader(strings.NewReader("x")))
	req.ContentLength = -1 // chunked
	req.Header.Set("Authorization", "Bearer "+backendToken)
	if resp, body := raw(t, req); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a chunked body on an edge endpoint: %d %s, want 400", resp.StatusCode, body)
	}

	// Wrong methods: 405 with Allow, not a catch-all 404.
	for path, allow := range map[string]string{
		"GET /v1/check":         "POST",
		"DELETE /v1/settings/1": "GET, HEAD, PUT",
		"PATCH /v1/follows/1/2": "DELETE, PUT",
		"POST /v1/audience/1":   "GET, HEAD",
		"POST /metrics":         "GET, HEAD",
	} {
		method, p, _ := strings.Cut(path, " ")
		req, _ := http.NewRequest(method, g.base+p, nil)
		req.Header.Set("Authorization", "Bearer "+backendToken)
		resp, body := raw(t, req)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != allow || !strings.Contains(body, "method_not_allowed") {
			t.Errorf("%s: %d, Allow %q, %s; want 405, Allow %q", path, resp.StatusCode, resp.Header.Get("Allow"), body, allow)
		}
	}
	c.wantError("GET", "/v1/nothing", "", http.StatusNotFound, "not_found")

	// Long path IDs are never echoed in full: 1 MB is over the header
	// limit (431), 8 KB is a 400 whose body stays short.
	req, _ = http.NewRequest("GET", g.base+"/v1/settings/"+strings.Repeat("9", 1<<20), nil)
	req.Header.Set("Authorization", "Bearer "+backendToken)
	if resp, body := raw(t, req); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || len(body) > 1024 {
		t.Errorf("a 1 MB path ID: %d with a %d-byte body, want 431 and a short body", resp.StatusCode, len(body))
	}
	req, _ = http.NewRequest("GET", g.base+"/v1/settings/"+strings.Repeat("9", 8<<10), nil)
	req.Header.Set("Authorization", "Bearer "+backendToken)
	if resp, body := raw(t, req); resp.StatusCode != http.StatusBadRequest || len(body) > 300 || !strings.Contains(body, `"field":"user"`) {
		t.Errorf("an 8 KB path ID: %d %q, want 400 naming the user field in a short body", resp.StatusCode, body)
	}

	// Anonymous calls are told how to authenticate.
	req, _ = http.NewRequest("GET", g.base+"/v1/settings/1", nil)
	if resp, _ := raw(t, req); resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("anonymous: %d, WWW-Authenticate %q; want 401 and a Bearer challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	req, _ = http.NewRequest("GET", g.base+"/v1/settings/1", nil)
	req.Header.Set("Authorization", "Bearer "+token("not-the-secret-but-32-bytes-long-anyway", "1"))
	if resp, _ := raw(t, req); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("a forged token: %d, WWW-Authenticate %q; want 401 and invalid_token", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}

	if after := snapshot(t, url); after != before {
		t.Errorf("bad inputs changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// Two users taking the same key: numbers are recycled, so the key
	// moves, and neither call is an error.
	c.want("PUT", "/v1/users/1/contact-key", `{"key":"h:cy"}`, http.StatusNoContent, nil)
	if k := contactKey(t, url, cy); k != nil {
		t.Errorf("after ana took cy's key, cy still holds %q", *k)
	}

	// The smallest int64 is a user like any other, in listings too.
	min := strconv.FormatInt(math.MinInt64, 10)
	c.want("PUT", "/v1/users/"+min, `{"status":"active","birth":"1980-01-01"}`, http.StatusNoContent, nil)
	c.want("PUT", "/v1/follows/"+min+"/1", "", http.StatusNoContent, nil)
	c.want("PUT", "/v1/follows/1/"+min, "", http.StatusNoContent, nil)
	page := c.want("GET", "/v1/audience/1?mode=friends", "", http.StatusOK, nil)
	found := false
	for _, u := range page["users"].([]any) {
		if id, _ := u.(map[string]any)["id"].(float64); id == math.MinInt64 {
			found = true
		}
	}
	if !found {
		t.Errorf("user MinInt64, ana's friend, is missing from her listing: %v", page)
	}
	c.want("GET", "/v1/settings/"+min, "", http.StatusOK, map[string]any{"mode": "default", "effective": "friends"})
}

// TestOperationalEndpoints: liveness, readiness, and metrics in the
// Prometheus text format, with the decisions, requests and the pool
// (whose size is configurable).
func TestOperationalEndpoints(t *testing.T) {
	for _, tt := range []struct {
		name     string
		args     []string
		maxConns string
	}{
		{"default pool", nil, ""}, // max(8, 4×GOMAXPROCS)
		{"-db-max-conns", []string{"-db-max-conns", "24"}, "24"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := start(t, pgtest.SchemaURL(t), tt.args...)
			c := client{t, g.base, ""}
			c.want("GET", "/healthz", "", http.StatusOK, map[string]any{"status": "ok"})
			c.want("GET", "/readyz", "", http.StatusOK, map[string]any{"status": "ready"})
			cast(c.as(backendToken))
			c.as(backendToken).want("POST", "/v1/check", check(ana, ben), http.StatusOK, nil)
			resp, body := raw(t, must(http.NewRequest("GET", g.base+"/metrics", nil)))
			if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
				t.Fatalf("/metrics: %d, Content-Type %q; want 200 and the Prometheus text format", resp.StatusCode, ct)
			}
			wantMax := tt.maxConns
			if wantMax == "" {
				wantMax = strconv.Itoa(int(DefaultMaxConns()))
			}
			for _, line := range []string{
				`dmgate_decisions_total{allowed="true",op="check",reason="friend"} 1`,
				`dmgate_decision_duration_seconds_count{op="check"} 1`,
				`dmgate_http_requests_total{code="204",route="PUT /v1/users/{user}"} 5`,
				`dmgate_http_requests_total{code="200",route="GET /readyz"} 1`,
				"dmgate_db_pool_max_conns " + wantMax,
				"# TYPE dmgate_db_pool_acquires_total counter",
				"# TYPE go_goroutines gauge",
			} {
				if !strings.Contains(body, line+"\n") {
					t.Errorf("/metrics lacks %q", line)
				}
			}
			if !strings.Contains(g.log.String(), `"msg":"decision","op":"check","sender":1,"recipient":2,"allowed":true,"folder":"primary","reason":"friend"`) {
				t.Errorf("the decision log lacks the check:\n%s", g.log.String())
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
