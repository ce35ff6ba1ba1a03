package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/scenario"
)

// oracle is a world run by the test itself, for its decisions.
type oracle struct {
	users  []string
	engine *privacy.Engine[string]
	at     time.Time // the world's clock at its end
}

// runWorld runs text on the in-memory stores, under p if not nil (every
// user with its defaults), and returns the engine over the result.
func runWorld(t *testing.T, text string, p *privacy.Policy) *oracle {
	t.Helper()
	f, err := scenario.Parse("test.dm", strings.NewReader(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	var env *scenario.Env
	opts := &scenario.Options{NewEnv: func(fp *privacy.Policy, now func() time.Time) (*scenario.Env, error) {
		if p != nil {
			fp = p
		}
		e, err := scenario.MemoryEnv(fp, now)
		if p != nil && err == nil {
			e.World = defaults{e.World}
		}
		env = e
		return e, err
	}}
	if _, err := f.Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	at := f.Start
	if n := len(f.Stmts); n > 0 {
		at = f.Stmts[n-1].Src().At
	}
	return &oracle{users: f.Users, engine: env.Engine.(*privacy.Engine[string]), at: at}
}

// cells returns what CanMessage answers for every pair, as the grid shows it.
func (o *oracle) cells(t *testing.T) [][]cell {
	t.Helper()
	out := make([][]cell, len(o.users))
	for i, s := range o.users {
		for _, r := range o.users {
			d, err := o.engine.CanMessage(context.Background(), s, r)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = append(out[i], cellOf(d))
		}
	}
	return out
}

// post sends body as JSON to the handler and decodes a 200 answer into
// out; it returns the status and the raw answer.
func post(t *testing.T, h http.Handler, path string, body any, out any) (int, []byte) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, h, path, "application/json", b, out)
}

func send(t *testing.T, h http.Handler, path, ctype string, body []byte, out any) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code == http.StatusOK && out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s: %v\n%s", path, err, rec.Body)
		}
	}
	return rec.Code, rec.Body.Bytes()
}

func worldText(t *testing.T, id string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("worlds", id+".dm"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStartingWorlds: every file of worlds/ is on the page, in order, with
// a title, and is within the playground's limits.
func TestStartingWorlds(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("worlds/*.dm")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range paths {
		ids = append(ids, strings.TrimSuffix(filepath.Base(p), ".dm"))
	}
	if diff := cmp.Diff(slices.Sorted(slices.Values(worldOrder)), ids); diff != "" {
		t.Errorf("worldOrder and worlds/ (-order +files):\n%s", diff)
	}
	worlds, err := startingWorlds()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range worlds {
		if w.Title == "" || strings.HasPrefix(w.Title, "#") {
			t.Errorf("%s: title %q", w.ID, w.Title)
		}
		if _, err := scenario.Parse(w.ID+".dm", strings.NewReader(w.Text), &scenario.Options{Limits: limits}); err != nil {
			t.Errorf("%s: %v", w.ID, err)
		}
	}
	want := map[string]bool{}
	for _, p := range privacy.PresetNames() {
		want["preset_"+p] = true
	}
	for _, id := range ids {
		delete(want, id)
	}
	if len(want) > 0 {
		t.Errorf("presets without a starting world: %v", want)
	}
}

// TestStartingWorldsRunInDmcheck: a world downloaded from the page is its
// text, unchanged; dmcheck runs every starting world and all their checks
// pass.
func TestStartingWorldsRunInDmcheck(t *testing.T) {
	if testing.Short() {
		t.Skip("builds dmcheck")
	}
	t.Parallel()
	paths, _ := filepath.Glob("worlds/*.dm")
	out, err := exec.Command("go", append([]string{"run", "../dmcheck"}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go run ../dmcheck worlds/*.dm: %v\n%s", err, out)
	}
	if !bytes.HasSuffix(out, []byte(" passed, 0 failed\n")) {
		t.Errorf("dmcheck: %s", out)
	}
}

// TestGrid: the grid of every starting world is what CanMessage answers.
func TestGrid(t *testing.T) {
	t.Parallel()
	h := newServer(false)
	for _, id := range worldOrder {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			text := worldText(t, id)
			var got worldResponse
			if code, body := post(t, h, "/api/world", worldRequest{World: text}, &got); code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			o := runWorld(t, text, nil)
			var names []string
			for _, u := range got.Users {
				names = append(names, u.Name)
			}
			if diff := cmp.Diff(o.users, names); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(o.cells(t), got.Cells); diff != "" {
				t.Errorf("cells (-want +got):\n%s", diff)
			}
			if got.Checks.Failed != 0 || got.Checks.Passed == 0 && strings.Contains(text, "\nexpect ") {
				t.Errorf("checks %+v", got.Checks)
			}
			for _, u := range got.Users {
				m, set, err := o.engine.EffectiveMode(context.Background(), u.Name, got.Now)
				if err != nil {
					t.Fatal(err)
				}
				if want := o.engine.Policy().ModeName(m); u.Mode != want || u.ModeSet != set {
					t.Errorf("%s: mode %s (set %v), want %s (set %v)", u.Name, u.Mode, u.ModeSet, want, set)
				}
			}
		})
	}
}

// TestChecksReported: a failing check comes back with its line.
func TestChecksReported(t *testing.T) {
	t.Parallel()
	const text = "user ana age=30\nuser ben age=30\nexpect ben ana allow primary\nexpect ben ana deny\n"
	var got worldResponse
	post(t, newServer(false), "/api/world", worldRequest{World: text}, &got)
	if got.Checks.Passed != 1 || got.Checks.Failed != 1 || got.Checks.Failures[0].Line != 3 {
		t.Errorf("checks %+v, want line 3 failing and line 4 passing", got.Checks)
	}
}

// TestExplain: the trace of a cell decides as CanMessage does, and the
// step it says decided is one that matched, or the last.
func TestExplain(t *testing.T) {
	t.Parallel()
	h := newServer(false)
	text := worldText(t, "share_sheet")
	o := runWorld(t, text, nil)
	want := o.cells(t)
	for j, r := range o.users[1:] {
		var got trace
		if code, body := post(t, h, "/api/explain", explainRequest{World: text, Sender: "ava", Recipient: r}, &got); code != http.StatusOK {
			t.Fatalf("status %d: %s", code, body)
		}
		if diff := cmp.Diff(want[0][j+1], got.Decision); diff != "" {
			t.Errorf("ava → %s (-CanMessage +Explain):\n%s", r, diff)
		}
		if got.DecidedBy < 0 || got.DecidedBy >= len(got.Steps) ||
			!got.Steps[got.DecidedBy].Matched && got.DecidedBy != len(got.Steps)-1 {
			t.Errorf("ava → %s: decided by step %d of %+v", r, got.DecidedBy, got.Steps)
		}
		if !strings.Contains(got.Text, "decision: "+got.Decision.text()) {
			t.Errorf("ava → %s: text %q lacks the decision %q", r, got.Text, got.Decision.text())
		}
	}
}

// TestWhatIf: the cells a what-if reports changed are exactly those whose
// CanMessage answer differs between the world and the world changed, and
// its counts and preview are CompareEngines' and PreviewAudience's.
func TestWhatIf(t *testing.T) {
	t.Parallel()
	story := worldText(t, "tiktok_story")
	teen := worldText(t, "teen")
	cases := []struct {
		name  string
		q     whatIfRequest
		after func(t *testing.T) *oracle
	}{
		{"mode", whatIfRequest{World: story, Recipient: "maya", Kind: "mode", Mode: "friends"},
			func(t *testing.T) *oracle { return runWorld(t, story+"set maya mode=friends\n", nil) }},
		{"mode back to the default", whatIfRequest{World: teen, Recipient: "jules", Kind: "mode", Mode: "default"},
			func(t *testing.T) *oracle { return runWorld(t, teen+"set jules mode=default\n", nil) }},
		{"preset", whatIfRequest{World: story, Recipient: "maya", Kind: "preset", Preset: "instagram"},
			func(t *testing.T) *oracle { return runWorld(t, story, privacy.Instagram()) }},
		{"rollout to nobody", whatIfRequest{World: story, Recipient: "noah", Kind: "rollout", Mode: "everyone", Percent: 0},
			func(t *testing.T) *oracle { return runWorld(t, story, nil) }},
		{"rollout to everyone", whatIfRequest{World: story, Recipient: "noah", Kind: "rollout", Mode: "everyone", Percent: 100},
			func(t *testing.T) *oracle {
				// A cohort of all: everyone who may choose the mode, and
				// has not, switches.
				text := story
				for _, u := range mayChoose(t, runWorld(t, story, nil), inbox.Everyone) {
					text += "set " + u + " mode=everyone\n"
				}
				return runWorld(t, text, nil)
			}},
	}
	h := newServer(false)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got whatIfResponse
			if code, body := post(t, h, "/api/whatif", c.q, &got); code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			before, after := runWorld(t, c.q.World, nil), c.after(t)
			was, now := before.cells(t), after.cells(t)
			if diff := cmp.Diff(now, got.Cells); diff != "" {
				t.Errorf("cells after (-want +got):\n%s", diff)
			}
			var want []change
			for i, s := range before.users {
				for j, r := range before.users {
					if was[i][j] != now[i][j] {
						want = append(want, change{s, r, was[i][j], now[i][j]})
					}
				}
			}
			if diff := cmp.Diff(want, got.Changed, cmp.Comparer(func(a, b []change) bool { return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b) })); diff != "" {
				t.Errorf("changed cells (-want +got):\n%s", diff)
			}
			ctx := context.Background()
			pairs := func(yield func(string, string) bool) {
				for _, s := range before.users {
					for _, r := range before.users {
						if s != r && !yield(s, r) {
							return
						}
					}
				}
			}
			im, err := privacy.CompareEngines(ctx, before.engine, after.engine, pairs, before.at)
			if err != nil {
				t.Fatal(err)
			}
			if got.Impact.Pairs != im.Pairs || got.Impact.Changed != im.Changed || got.Impact.Gained != im.Gained ||
				got.Impact.Lost != im.Lost || len(got.Impact.Rows) != len(im.Rows) || im.Changed != len(want) {
				t.Errorf("impact %+v, CompareEngines says %+v", got.Impact, im)
			}
			for i, row := range im.Rows {
				if i < len(got.Impact.Rows) && (got.Impact.Rows[i] != impactRow{row.Before.String(), row.After.String(), row.Count}) {
					t.Errorf("impact row %d: %+v, want %v → %v: %d", i, got.Impact.Rows[i], row.Before, row.After, row.Count)
				}
			}
			p, err := after.engine.PreviewAudience(ctx, c.q.Recipient)
			if err != nil {
				t.Fatal(err)
			}
			for i, m := range p.Modes {
				if g := got.After.Modes[i]; g.Name != m.Name || g.Primary != m.Primary || g.Requests != m.Requests || g.Available != m.Available {
					t.Errorf("preview after, mode %s: %+v, want %+v", m.Name, g, m)
				}
			}
		})
	}
}

// TestWhatIfRefused: a change the rules do not allow is refused with the
// parser's reason.
func TestWhatIfRefused(t *testing.T) {
	t.Parallel()
	q := whatIfRequest{World: worldText(t, "teen"), Recipient: "jules", Kind: "mode", Mode: "everyone"}
	code, body := post(t, newServer(false), "/api/whatif", q, nil)
	var e errorBody
	json.Unmarshal(body, &e)
	if code != http.StatusUnprocessableEntity || e.Error.Kind != "whatif" || !strings.Contains(e.Error.Message, "jules may not choose mode everyone") {
		t.Errorf("status %d: %s", code, body)
	}
}

// TestErrors: each kind of bad request gets its status and a message.
func TestErrors(t *testing.T) {
	t.Parallel()
	h := newServer(false)
	good := `{"world":"user ana\n"}`
	var many strings.Builder
	for i := range maxUsers + 1 {
		fmt.Fprintf(&many, "user u%d\n", i)
	}
	cases := []struct {
		name, path, ctype, body string
		status                  int
		kind                    string
		line                    int
	}{
		{"good", "/api/world", "application/json", good, 200, "", 0},
		{"charset is fine", "/api/world", "application/json; charset=utf-8", good, 200, "", 0},
		{"not JSON", "/api/world", "text/plain", good, 415, "request", 0},
		{"no content type", "/api/world", "", good, 415, "request", 0},
		{"a form", "/api/world", "application/x-www-form-urlencoded", "world=x", 415, "request", 0},
		{"unknown field", "/api/world", "application/json", `{"world":"","extra":1}`, 400, "request", 0},
		{"case-folded field", "/api/world", "application/json", `{"World":"user ana\n"}`, 400, "request", 0},
		{"duplicate field", "/api/world", "application/json", `{"world":"user ana\n","world":"user ben\n"}`, 400, "request", 0},
		{"trailing data", "/api/world", "application/json", good + `{}`, 400, "request", 0},
		{"not an object", "/api/world", "application/json", `["world"]`, 400, "request", 0},
		{"wrong type", "/api/world", "application/json", `{"world":1}`, 400, "request", 0},
		{"too large", "/api/world", "application/json", `{"world":"` + strings.Repeat("#", maxBody) + `"}`, 413, "limit", 0},
		{"bad world", "/api/world", "application/json", `{"world":"user ana\nfollow ana bob\n"}`, 422, "world", 2},
		{"too many users", "/api/world", "application/json", mustJSON(worldRequest{many.String()}), 422, "limit", maxUsers + 1},
		{"world over its size", "/api/world", "application/json", mustJSON(worldRequest{strings.Repeat("# x\n", maxWorldBytes/4+1)}), 422, "limit", 0},
		{"unknown sender", "/api/explain", "application/json", `{"world":"user ana\n","sender":"bob","recipient":"ana"}`, 400, "request", 0},
		{"unknown kind", "/api/whatif", "application/json", `{"world":"user ana\n","recipient":"ana","kind":"moon"}`, 400, "request", 0},
		{"unknown preset", "/api/whatif", "application/json", `{"world":"user ana\n","recipient":"ana","kind":"preset","preset":"myspace"}`, 400, "request", 0},
		{"bad percent", "/api/whatif", "application/json", `{"world":"user ana\n","recipient":"ana","kind":"rollout","mode":"everyone","percent":101}`, 400, "request", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, body := send(t, h, c.path, c.ctype, []byte(c.body), nil)
			if code != c.status {
				t.Fatalf("status %d, want %d: %s", code, c.status, body)
			}
			if c.status == 200 {
				return
			}
			var e errorBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			if e.Error.Kind != c.kind || e.Error.Line != c.line || e.Error.Message == "" {
				t.Errorf("error %+v, want kind %s on line %d", e.Error, c.kind, c.line)
			}
		})
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestMethodsAndHeaders: the page and the API answer with the security
// headers; a wrong method is 405; on loopback, another host is refused.
func TestMethodsAndHeaders(t *testing.T) {
	t.Parallel()
	h := newServer(true)
	cases := []struct {
		method, path, host string
		status             int
		ctype              string
	}{
		{"GET", "/", "127.0.0.1:8080", 200, "text/html"},
		{"GET", "/static/app.js", "localhost:8080", 200, "text/javascript"},
		{"GET", "/static/style.css", "[::1]:8080", 200, "text/css"},
		{"GET", "/api/worlds", "localhost", 200, "application/json"},
		{"GET", "/api/world", "localhost", 405, ""},
		{"PUT", "/", "localhost", 405, ""},
		{"GET", "/nothing", "localhost", 404, ""},
		{"GET", "/", "evil.example:8080", 421, "application/json"},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, c.path, nil)
		req.Host = c.host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), c.ctype) {
			t.Errorf("%s %s (Host %s): %d %s, want %d %s", c.method, c.path, c.host, rec.Code, rec.Header().Get("Content-Type"), c.status, c.ctype)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") ||
			rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s %s: headers %v", c.method, c.path, rec.Header())
		}
	}
}

// TestPageIsSelfContained: the page loads nothing from elsewhere and has no
// inline script or style, so the CSP above holds without exceptions.
func TestPageIsSelfContained(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"static/index.html", "static/app.js", "static/style.css"} {
		b, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, bad := range []string{"http://", "https://", "//cdn", "@import", "<style", " style=", "onclick", "onload", "eval("} {
			if strings.Contains(s, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
		if name == "static/index.html" && strings.Count(s, "<script") != 1 {
			t.Errorf("%s: want exactly one script, /static/app.js", name)
		}
	}
}

// TestBusy: when every worker is taken, a request waits, then is turned
// away with 503.
func TestBusy(t *testing.T) {
	t.Parallel()
	s := &server{workers: make(chan struct{}, 1), wait: 10 * time.Millisecond}
	h := newServerWith(s)
	s.workers <- struct{}{}
	code, body := send(t, h, "/api/world", "application/json", []byte(`{"world":"user ana\n"}`), nil)
	if code != http.StatusServiceUnavailable || !strings.Contains(string(body), `"kind":"busy"`) {
		t.Errorf("status %d: %s", code, body)
	}
	<-s.workers
	if code, body := send(t, h, "/api/world", "application/json", []byte(`{"world":"user ana\n"}`), nil); code != http.StatusOK {
		t.Errorf("with a worker free: status %d: %s", code, body)
	}
}

// TestPathological: the input that asked for the limits (a 3.3 MB world
// of reach lines) is refused by its size; one that fits the body but not
// the world's limits is refused by the parser at the line that crossed
// them; each costs the server a bounded amount of memory.
func TestPathological(t *testing.T) {
	h := newServer(false)
	var big strings.Builder
	big.WriteString("now 2026-03-01\n")
	for i := range 400 {
		fmt.Fprintf(&big, "user u%d age=30 mode=everyone\n", i)
	}
	for i := 0; big.Len() < 3_300_000; i++ {
		fmt.Fprintf(&big, "reach u%d primary= requests=\n", i%400)
	}
	// Within the body and the size of a world: 60 users, then reach lines
	// that each decide for 59 of them.
	var dense strings.Builder
	for i := range maxUsers {
		fmt.Fprintf(&dense, "user u%d age=30 mode=everyone\n", i)
	}
	for i := 0; dense.Len() < maxWorldBytes-100; i++ {
		fmt.Fprintf(&dense, "reach u%d primary= requests=\n", i%maxUsers)
	}
	denseLine := maxUsers + maxDecisions/(maxUsers-1) + 1
	cases := []struct {
		name   string
		world  string
		status int
		line   int
	}{
		{"3.3 MB", big.String(), http.StatusRequestEntityTooLarge, 0},
		{"dense", dense.String(), http.StatusUnprocessableEntity, denseLine},
	}
	for _, c := range cases {
		body := []byte(mustJSON(worldRequest{c.world}))
		var code int
		var resp []byte
		n := allocBytes(func() { code, resp = send(t, h, "/api/world", "application/json", body, nil) })
		var e errorBody
		json.Unmarshal(resp, &e)
		if code != c.status || e.Error.Kind != "limit" || e.Error.Line != c.line {
			t.Errorf("%s: status %d, %+v; want %d on line %d", c.name, code, e.Error, c.status, c.line)
		}
		if ceiling := uint64(4*maxBody + 4<<20); n > ceiling {
			t.Errorf("%s: the request allocated %d bytes, over %d", c.name, n, ceiling)
		}
		t.Logf("%s (%d bytes): %d %s; allocated %d bytes", c.name, len(body), code, e.Error.Message, n)
	}
}

func allocBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestServe: the command prints the page's address, serves it, and stops
// when its context ends.
func TestServe(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- serve(ctx, "127.0.0.1:0", pw); pw.Close() }()
	line := make([]byte, 100)
	n, err := pr.Read(line)
	if err != nil {
		t.Fatal(err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(string(line[:n])), "playground: ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("printed %q", line[:n])
	}
	res, err := http.Get(url + "api/worlds")
	if err != nil {
		t.Fatal(err)
	}
	var worlds []startingWorld
	json.NewDecoder(res.Body).Decode(&worlds)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || len(worlds) != len(worldOrder) {
		t.Errorf("GET %sapi/worlds: %s, %d worlds", url, res.Status, len(worlds))
	}
	go io.Copy(io.Discard, pr)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v", err)
	}
}

// TestRun: the command's flags, and its self-check.
func TestRun(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args   []string
		status int
		out    string // in stdout
		errOut string // in stderr
	}{
		{[]string{"-check"}, 0, "ok   a bad world: 422, line 2", ""},
		{[]string{"-h"}, 0, "", "-addr address"},
		{[]string{"-nope"}, 2, "", "flag provided but not defined"},
		{[]string{"extra"}, 2, "", "unexpected arguments"},
		{[]string{"-addr", "256.0.0.1:1"}, 1, "", "playground:"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if got := run(c.args, &stdout, &stderr); got != c.status || !strings.Contains(stdout.String(), c.out) || !strings.Contains(stderr.String(), c.errOut) {
			t.Errorf("run %q: status %d\nstdout: %s\nstderr: %s", c.args, got, &stdout, &stderr)
		}
	}
}

// TestLoopbackHost covers the names the loopback guard accepts.
func TestLoopbackHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST:80": true, "127.0.0.1": true, "127.0.0.1:8080": true, "127.1.2.3:1": true,
		"[::1]:8080": true, "::1": true, "example.com": false, "10.0.0.1:80": false, "localhost.evil.example": false, "": false,
	} {
		if got := loopbackHost(host); got != want {
			t.Errorf("loopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// mayChoose returns the users of o who may choose mode m now and have not.
func mayChoose(t *testing.T, o *oracle, m inbox.Mode) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, u := range o.users {
		cur, set, err := o.engine.EffectiveMode(ctx, u, o.at)
		if err != nil {
			t.Fatal(err)
		}
		if (!set || cur != m) && o.engine.ValidateSettingsAt(ctx, u, inbox.Settings{Mode: m}, o.at) == nil {
			out = append(out, u)
		}
	}
	return out
}

// TestRolloutCohort: a rollout's switched users are those whom the cohort
// lets choose the mode, and grow with the percentage: none at 0%, all who
// may choose it at 100%.
func TestRolloutCohort(t *testing.T) {
	t.Parallel()
	text := worldText(t, "tiktok_story")
	w, err := load(context.Background(), text, nil)
	if err != nil {
		t.Fatal(err)
	}
	var prev []string
	for _, pct := range []float64{0, 10, 50, 100} {
		got, err := rollout(context.Background(), text, w, inbox.Everyone, pct)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range prev {
			if !slices.Contains(got, u) {
				t.Errorf("%v%%: %s left the cohort as it grew", pct, u)
			}
		}
		if pct == 0 && len(got) != 0 {
			t.Errorf("0%%: %v", got)
		}
		if all := mayChoose(t, runWorld(t, text, nil), inbox.Everyone); pct == 100 && !slices.Equal(got, all) {
			t.Errorf("100%%: %v, want everyone who may choose it: %v", got, all)
		}
		prev = got
	}
}
