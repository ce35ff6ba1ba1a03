package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/examples/postgres/gate"
	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
)

func TestMain(m *testing.M) {
	// The SIGTERM test runs this binary as dmgate itself.
	if os.Getenv("DMGATE_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listening = regexp.MustCompile(`"addr":"https?://([^"]+)"`)

// Test credentials: the issuer and the HS256 secrets of end users' and back
// ends' tokens.
const (
	testIssuer    = "dmgate-test"
	userSecret    = "user-secret-for-tests-only-32-bytes-long"
	backendSecret = "backend-secret-for-tests-only-32-bytes-long"
)

// keyFiles writes the test secrets to files and returns dmgate's flags
// that read them.
func keyFiles(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	u, b := filepath.Join(dir, "user.key"), filepath.Join(dir, "backend.key")
	for f, s := range map[string]string{u: userSecret, b: backendSecret} {
		if err := os.WriteFile(f, []byte(s+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"-user-keys", u, "-backend-keys", b, "-jwt-issuer", testIssuer}
}

func token(secret, sub string) string {
	now := time.Now()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
		Subject: sub, Issuer: testIssuer, Audience: jwt.ClaimStrings{"dmgate"},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}).SignedString([]byte(secret))
	if err != nil {
		panic(err)
	}
	return s
}

// userToken acts as the user id; backendToken as a back end.
func userToken(id int64) string { return token(userSecret, strconv.FormatInt(id, 10)) }

var backendToken = token(backendSecret, "test-backend")

// gateProc is a dmgate running in this process.
type gateProc struct {
	base string
	log  *syncBuffer
}

// start runs dmgate in this process on a free loopback port over dbURL,
// with the test credentials, and returns it; it stops (as on SIGTERM)
// when the test ends, and must then exit 0.
func start(t *testing.T, dbURL string, args ...string) gateProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := &syncBuffer{}
	done := make(chan int, 1)
	args = append(append([]string{"-listen", "127.0.0.1:0", "-database-url", dbURL}, keyFiles(t)...), args...)
	go func() { done <- run(ctx, args, func(string) string { return "" }, log) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("dmgate exited %d:\n%s", code, log.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(log.String()); m != nil {
			return gateProc{"http://" + m[1], log}
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("dmgate exited %d before listening:\n%s", code, log.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("dmgate did not start listening:\n%s", log.String())
	return gateProc{}
}

// client calls one dmgate over real HTTP with a credential.
type client struct {
	t     *testing.T
	base  string
	token string // "" sends none
}

// as returns the client with another credential.
func (c client) as(token string) client { c.token = token; return c }

// do sends a request and returns the status and the decoded JSON body
// (nil for an empty one).
func (c client) do(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return c.send(req)
}

func (c client) send(req *http.Request) (int, map[string]any) {
	c.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return resp.StatusCode, nil
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("%s %s: %d, a body that is not a JSON object: %.200q", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		c.t.Errorf("%s %s: Content-Type %q", req.Method, req.URL.Path, ct)
	}
	return resp.StatusCode, out
}

// want checks a call's status and, when body is not nil, its JSON body.
func (c client) want(method, path, body string, status int, want map[string]any) map[string]any {
	c.t.Helper()
	got, out := c.do(method, path, body)
	if got != status {
		c.t.Errorf("%s %s %s: status %d, want %d (body %v)", method, path, body, got, status, out)
	}
	if want != nil {
		if d := cmp.Diff(want, out); d != "" {
			c.t.Errorf("%s %s %s: body (-want +got):\n%s", method, path, body, d)
		}
	}
	return out
}

// wantError checks a 4xx or 5xx call's status and error code.
func (c client) wantError(method, path, body string, status int, code string) map[string]any {
	c.t.Helper()
	got, out := c.do(method, path, body)
	e, _ := out["error"].(map[string]any)
	if got != status || e["code"] != code {
		c.t.Errorf("%s %s %.100q: status %d, body %.300v; want %d with error code %q", method, path, body, got, out, status, code)
	}
	return e
}

func decision(allowed bool, folder, reason, view string) map[string]any {
	return map[string]any{"allowed": allowed, "folder": folder, "reason": reason, "view": view}
}

func check(sender, recipient int) string {
	return fmt.Sprintf(`{"sender":%d,"recipient":%d}`, sender, recipient)
}

// The cast: ana and ben are friends; cy is an adult stranger; dee is 17;
// eve is suspended; 99 does not exist.
const ana, ben, cy, dee, eve, nobody = 1, 2, 3, 4, 5, 99

func cast(c client) {
	c.t.Helper()
	teen := time.Now().AddDate(-17, 0, -10).Format(time.DateOnly)
	for path, body := range map[string]string{
		"/v1/users/1": `{"status":"active","birth":"1990-04-02"}`,
		"/v1/users/2": `{"status":"active","band":"18+","band_as_of":"2024-05-01"}`,
		"/v1/users/3": `{"status":"active","birth":"1985-11-30","verified":true}`,
		"/v1/users/4": `{"status":"active","birth":"` + teen + `"}`,
		"/v1/users/5": `{"status":"suspended","birth":"1970-01-01"}`,
	} {
		c.want("PUT", path, body, http.StatusNoContent, nil)
	}
	c.want("PUT", "/v1/follows/1/2", "", http.StatusNoContent, nil)
	c.want("PUT", "/v1/follows/2/1", "", http.StatusNoContent, nil)
}

func TestEndToEnd(t *testing.T) {
	c := client{t, start(t, pgtest.SchemaURL(t)).base, backendToken}
	c.want("GET", "/healthz", "", http.StatusOK, map[string]any{"status": "ok"})
	cast(c)

	c.want("POST", "/v1/check", check(ana, ben), http.StatusOK, decision(true, "primary", "friend", "allowed"))
	c.want("POST", "/v1/check", check(cy, ben), http.StatusOK, decision(false, "none", "not_friend", "not_allowed"))
	c.want("GET", "/v1/settings/2", "", http.StatusOK, map[string]any{"mode": "default", "effective": "friends"})
	c.want("PUT", "/v1/settings/2", `{"mode":"everyone"}`, http.StatusOK, map[string]any{"mode": "everyone", "effective": "everyone"})
	c.want("POST", "/v1/check", check(cy, ben), http.StatusOK, decision(true, "requests", "message_request", "allowed"))

	// A 17-year-old may not choose Everyone, and is unchanged.
	c.wantError("PUT", "/v1/settings/4", `{"mode":"everyone"}`, http.StatusUnprocessableEntity, "mode_unavailable")
	c.want("GET", "/v1/settings/4", "", http.StatusOK, map[string]any{"mode": "default", "effective": "noone"})

	// Unknown and closed accounts are normal denies.
	c.want("POST", "/v1/check", check(nobody, ben), http.StatusOK, decision(false, "none", "sender_unavailable", "unavailable"))
	c.want("POST", "/v1/check", check(ana, nobody), http.StatusOK, decision(false, "none", "recipient_unavailable", "unavailable"))
	c.want("POST", "/v1/check", check(ana, eve), http.StatusOK, decision(false, "none", "recipient_unavailable", "unavailable"))

	// A share sheet: one decision per recipient, in order, repeats kept.
	c.want("POST", "/v1/check-batch", `{"sender":3,"recipients":[2,1,99,3,2]}`, http.StatusOK, map[string]any{"decisions": []any{
		map[string]any{"recipient": 2.0, "allowed": true, "folder": "requests", "reason": "message_request", "view": "allowed"},
		map[string]any{"recipient": 1.0, "allowed": false, "folder": "none", "reason": "not_friend", "view": "not_allowed"},
		map[string]any{"recipient": 99.0, "allowed": false, "folder": "none", "reason": "recipient_unavailable", "view": "unavailable"},
		map[string]any{"recipient": 3.0, "allowed": false, "folder": "none", "reason": "self", "view": "not_allowed"},
		map[string]any{"recipient": 2.0, "allowed": true, "folder": "requests", "reason": "message_request", "view": "allowed"},
	}})
	c.want("POST", "/v1/check-batch", `{"sender":3,"recipients":[]}`, http.StatusOK, map[string]any{"decisions": []any{}})

	// Messages follow the request lifecycle: cy's request to ben is
	// pending; ben accepts; cy's next message is in ben's chats.
	out := c.want("POST", "/v1/messages", check(cy, ben), http.StatusOK, nil)
	if conv, _ := out["conversation"].(map[string]any); conv["state"] != "pending" || conv["starter"] != 3.0 {
		t.Errorf("after a request, the conversation is %v", out["conversation"])
	}
	c.want("POST", "/v1/requests/2/3/accept", "", http.StatusNoContent, nil)
	c.wantError("POST", "/v1/requests/2/3/accept", "", http.StatusConflict, "no_request")
	c.want("POST", "/v1/check", check(cy, ben), http.StatusOK, decision(true, "primary", "existing_conversation", "allowed"))

	// A restriction routes to requests, and the sender sees "allowed".
	c.want("PUT", "/v1/restricts/2/1", "", http.StatusNoContent, nil)
	c.want("POST", "/v1/check", check(ana, ben), http.StatusOK, decision(true, "requests", "restricted", "allowed"))
	c.want("DELETE", "/v1/restricts/2/1", "", http.StatusNoContent, nil)

	// Contacts: ben has dee's number... and the recommended-contact route.
	c.want("PUT", "/v1/users/3/contact-key", `{"key":"h:cy-number"}`, http.StatusNoContent, nil)
	c.want("PUT", "/v1/users/1/contacts", `{"keys":["h:cy-number","h:someone-else"]}`, http.StatusNoContent, nil)
	c.want("PUT", "/v1/settings/1", `{"mode":"suggested"}`, http.StatusOK, nil)
	c.want("POST", "/v1/check", check(cy, ana), http.StatusOK, decision(true, "primary", "recommended_contact", "allowed"))
	c.wantError("PUT", "/v1/users/1/contact-key", `{"key":"+1 555 0100 222"}`, http.StatusUnprocessableEntity, "raw_number")

	// Writes naming unknown users are 404 and change nothing.
	c.wantError("PUT", "/v1/follows/1/99", "", http.StatusNotFound, "unknown_user")
	c.wantError("PUT", "/v1/blocks/99/1", "", http.StatusNotFound, "unknown_user")
	c.wantError("DELETE", "/v1/follows/99/1", "", http.StatusNotFound, "unknown_user")
	c.wantError("PUT", "/v1/settings/99", `{"mode":"friends"}`, http.StatusNotFound, "unknown_user")
	c.wantError("PUT", "/v1/users/99/contacts", `{"keys":["h:x"]}`, http.StatusNotFound, "unknown_user")
	c.wantError("PUT", "/v1/users/99/contact-key", `{"key":"h:x"}`, http.StatusNotFound, "unknown_user")
	c.wantError("GET", "/v1/settings/99", "", http.StatusNotFound, "unknown_user")
	c.wantError("PUT", "/v1/follows/1/1", "", http.StatusUnprocessableEntity, "self")
	c.wantError("POST", "/v1/requests/2/99/accept", "", http.StatusConflict, "no_request")

	// Bad requests are 4xx and change nothing.
	c.wantError("POST", "/v1/check", `{"sender":1,"recipient":2,"extra":true}`, http.StatusBadRequest, "bad_input")
	c.wantError("POST", "/v1/check", `{"sender":1}`, http.StatusBadRequest, "bad_input")
	c.wantError("POST", "/v1/check", `{"sender":"1","recipient":2}`, http.StatusBadRequest, "bad_input")
	c.wantError("POST", "/v1/check", `{"sender":1,"recipient":2}{}`, http.StatusBadRequest, "bad_input")
	c.wantError("POST", "/v1/check", ``, http.StatusUnsupportedMediaType, "unsupported_media_type") // no body, no JSON type
	c.wantError("POST", "/v1/check", `{"sender":1,"recipient":2,"pad":"`+strings.Repeat("x", gate.DefaultMaxBody)+`"}`, http.StatusRequestEntityTooLarge, "too_large")
	many := strings.Repeat("2,", gate.DefaultMaxBatch) + "2"
	c.wantError("POST", "/v1/check-batch", `{"sender":1,"recipients":[`+many+`]}`, http.StatusRequestEntityTooLarge, "too_large")
	c.wantError("PUT", "/v1/settings/1", `{"mode":"sometimes"}`, http.StatusBadRequest, "bad_input")
	c.wantError("PUT", "/v1/settings/1", `{"mode":"friends","theme":"dark"}`, http.StatusBadRequest, "bad_input")
	c.wantError("PUT", "/v1/users/6", `{"birth":"1990-01-01"}`, http.StatusBadRequest, "bad_input")
	c.wantError("PUT", "/v1/users/6", `{"status":"active","birth":"01/02/1990"}`, http.StatusBadRequest, "bad_input")
	c.wantError("PUT", "/v1/users/6", `{"status":"active","band":"16-17"}`, http.StatusUnprocessableEntity, "invalid_user")
	c.wantError("PUT", "/v1/users/x", `{"status":"active"}`, http.StatusBadRequest, "bad_input")
	c.wantError("GET", "/v1/nothing", "", http.StatusNotFound, "not_found")
	c.want("GET", "/v1/settings/1", "", http.StatusOK, map[string]any{"mode": "suggested", "effective": "suggested"})
	c.want("POST", "/v1/check", check(nobody+1, ana), http.StatusOK, decision(false, "none", "sender_unavailable", "unavailable"))
}

// TestBlockMidRun checks that a block is honoured from the very next
// request: a client checks continuously while another issues the block,
// and every check sent after the block's response is denied.
func TestBlockMidRun(t *testing.T) {
	c := client{t, start(t, pgtest.SchemaURL(t)).base, backendToken}
	cast(c)
	type result struct {
		sent    time.Time
		allowed bool
	}
	var (
		mu      sync.Mutex
		results []result
		stop    = make(chan struct{})
		done    = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			sent := time.Now()
			req, _ := http.NewRequest("POST", c.base+"/v1/check", strings.NewReader(check(ana, ben)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+userToken(ana))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			var d struct{ Allowed bool }
			err = json.NewDecoder(resp.Body).Decode(&d)
			resp.Body.Close()
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			results = append(results, result{sent, d.Allowed})
			mu.Unlock()
		}
	}()
	waitFor := func(n int) {
		t.Helper()
		for {
			select {
			case <-done:
				t.Fatal("the checking client stopped")
			default:
			}
			mu.Lock()
			got := len(results)
			mu.Unlock()
			if got >= n {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	waitFor(20)
	c.want("PUT", "/v1/blocks/2/1", "", http.StatusNoContent, nil)
	blocked := time.Now()
	mu.Lock()
	n := len(results)
	mu.Unlock()
	waitFor(n + 20)
	close(stop)
	<-done
	// And the next request, on a fresh connection, is denied too.
	c.want("POST", "/v1/check", check(ana, ben), http.StatusOK, decision(false, "none", "blocked_by_recipient", "not_allowed"))

	var before, after int
	for _, r := range results {
		switch {
		case r.sent.After(blocked) && r.allowed:
			t.Errorf("a check sent %v after the block was allowed", r.sent.Sub(blocked))
		case r.sent.After(blocked):
			after++
		case r.allowed:
			before++
		}
	}
	if before < 20 || after < 1 {
		t.Errorf("%d allowed checks before the block and %d denied after; want at least 20 and 1", before, after)
	}
}

// TestDatabaseDown checks that without a database, checks are 503 with a
// deny, never an allow, and writes and health checks fail too.
func TestDatabaseDown(t *testing.T) {
	// A loopback port nobody listens on.
	c := client{t, start(t, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1", "-migrate=false").base, backendToken}
	got, out := c.do("POST", "/v1/check", check(ana, ben))
	if got != http.StatusServiceUnavailable || out["allowed"] != false || out["reason"] != "error" || out["view"] != "not_allowed" {
		t.Errorf("check without a database: %d %v; want 503 and a deny", got, out)
	}
	got, out = c.do("POST", "/v1/check-batch", `{"sender":1,"recipients":[2,3]}`)
	ds, _ := out["decisions"].([]any)
	if got != http.StatusServiceUnavailable || len(ds) != 2 {
		t.Fatalf("batch without a database: %d %v; want 503 and two denies", got, out)
	}
	for _, d := range ds {
		if m := d.(map[string]any); m["allowed"] != false || m["view"] != "not_allowed" {
			t.Errorf("batch without a database: decision %v, want a deny", m)
		}
	}
	c.wantError("POST", "/v1/messages", check(ana, ben), http.StatusServiceUnavailable, "unavailable")
	c.wantError("PUT", "/v1/follows/1/2", "", http.StatusServiceUnavailable, "unavailable")
	c.want("GET", "/readyz", "", http.StatusServiceUnavailable, map[string]any{"status": "unavailable"})
	c.want("GET", "/healthz", "", http.StatusOK, map[string]any{"status": "ok"}) // alive: restarting it would not help
	// A bad request is still the caller's mistake.
	c.wantError("POST", "/v1/check", `{"sender":1}`, http.StatusBadRequest, "bad_input")
}

// TestSIGTERM runs dmgate as a process and stops it with SIGTERM: it
// finishes, logs that it shut down and exits 0.
func TestSIGTERM(t *testing.T) {
	url := pgtest.SchemaURL(t)
	cmd := exec.Command(os.Args[0], append([]string{"-listen", "127.0.0.1:0"}, keyFiles(t)...)...)
	cmd.Env = append(os.Environ(), "DMGATE_TEST_MAIN=1", "DATABASE_URL="+url)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stderr)
	var base string
	var log strings.Builder
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			base = "http://" + m[1]
			break
		}
	}
	if base == "" {
		t.Fatalf("dmgate did not start:\n%s", log.String())
	}
	c := client{t, base, backendToken}
	c.want("GET", "/healthz", "", http.StatusOK, map[string]any{"status": "ok"})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("dmgate after SIGTERM: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "shut down") {
		t.Errorf("dmgate's log does not say it shut down:\n%s", log.String())
	}
}

// TestPresetSettings: under a preset with its own mode names and
// per-audience settings, PUT /v1/settings takes them and GET shows them.
func TestPresetSettings(t *testing.T) {
	c := client{t, start(t, pgtest.SchemaURL(t), "-policy", "instagram").base, backendToken}
	cast(c)
	c.want("GET", "/v1/settings/1", "", http.StatusOK, map[string]any{"mode": "default", "effective": "standard"})
	c.want("PUT", "/v1/settings/1", `{"mode":"standard","routes":{"follower":"primary","anyone":"deny"},"groups":"following"}`, http.StatusOK,
		map[string]any{"mode": "standard", "effective": "standard", "routes": map[string]any{"follower": "primary", "anyone": "deny"}, "groups": "following"})
	c.want("POST", "/v1/check", check(cy, ana), http.StatusOK, decision(false, "none", "requests_off", "not_allowed"))
	c.want("PUT", "/v1/follows/3/1", "", http.StatusNoContent, nil)
	c.want("POST", "/v1/check", check(cy, ana), http.StatusOK, decision(true, "primary", "follower", "allowed"))
	c.wantError("PUT", "/v1/settings/1", `{"mode":"everyone"}`, http.StatusBadRequest, "bad_input")                             // TikTok's name, not Instagram's
	c.wantError("PUT", "/v1/settings/1", `{"routes":{"anyone":"primary"}}`, http.StatusUnprocessableEntity, "mode_unavailable") // above the adult limit
	c.want("PUT", "/v1/settings/4", `{"routes":{"follower":"primary"}}`, http.StatusOK, nil)                                    // 16-17 may loosen
	young := time.Now().AddDate(-15, 0, -10).Format(time.DateOnly)
	c.want("PUT", "/v1/users/6", `{"status":"active","birth":"`+young+`"}`, http.StatusNoContent, nil)
	c.wantError("PUT", "/v1/settings/6", `{"routes":{"follower":"primary"}}`, http.StatusUnprocessableEntity, "mode_unavailable") // under 16 may not
	c.wantError("PUT", "/v1/settings/6", `{"groups":"everyone"}`, http.StatusUnprocessableEntity, "mode_unavailable")
}

// TestAudience: the preview counts who could message a user under each
// mode, from the user's own relations; the listing pages through who.
func TestAudience(t *testing.T) {
	c := client{t, start(t, pgtest.SchemaURL(t)).base, backendToken}
	cast(c)
	c.want("PUT", "/v1/follows/1/3", "", http.StatusNoContent, nil) // ana follows cy
	c.want("PUT", "/v1/blocks/1/5", "", http.StatusNoContent, nil)  // ana blocked eve
	reach := func(mode string, avail bool, primary, requests, gain int) map[string]any {
		return map[string]any{"mode": mode, "available": avail, "primary": float64(primary), "requests": float64(requests), "gain": float64(gain)}
	}
	c.want("GET", "/v1/audience/1", "", http.StatusOK, map[string]any{
		"mode": "friends", "mode_set": false, "conversations": true,
		"modes": []any{
			reach("everyone", true, 2, 1, 2), // ben (friend) and cy (followed); dee as a request; eve blocked
			reach("suggested", true, 1, 0, 0),
			reach("friends", true, 1, 0, 0),
			reach("noone", true, 0, 0, -1),
		},
	})
	page := c.want("GET", "/v1/audience/1?mode=everyone&limit=1", "", http.StatusOK, nil)
	users, _ := page["users"].([]any)
	next, _ := page["next"].(string)
	if len(users) != 1 || next == "" {
		t.Fatalf("first page of one: %v", page)
	}
	rest := c.want("GET", "/v1/audience/1?mode=everyone&limit=10&after="+next, "", http.StatusOK, nil)
	all := append(users, rest["users"].([]any)...)
	want := []any{
		map[string]any{"id": float64(ben), "folder": "primary", "reason": "friend"},
		map[string]any{"id": float64(cy), "folder": "primary", "reason": "followed_by_recipient"},
	}
	slices.SortFunc(all, func(a, b any) int {
		return int(a.(map[string]any)["id"].(float64) - b.(map[string]any)["id"].(float64))
	})
	if d := cmp.Diff(want, all); d != "" {
		t.Errorf("listing (-want +got):\n%s", d)
	}
	c.wantError("GET", "/v1/audience/99", "", http.StatusNotFound, "unknown_user")
	c.wantError("GET", "/v1/audience/1?mode=all", "", http.StatusBadRequest, "bad_input")
	c.wantError("GET", "/v1/audience/1?mode=everyone&limit=0", "", http.StatusBadRequest, "bad_input")
	c.wantError("GET", "/v1/audience/1?mode=everyone&after=zzz", "", http.StatusBadRequest, "bad_input")
}
