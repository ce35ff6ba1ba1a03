package browsertest

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/scenario"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write the screenshot of the grid's pane to ../grid.png, the README's picture")

// chromium returns the browser to drive, or skips the test.
func chromium(t *testing.T) string {
	if p := os.Getenv("DMPRIVACY_CHROMIUM"); p != "" {
		return p
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("no Chromium: install Debian's chromium package, or set DMPRIVACY_CHROMIUM to a Chromium or Chrome binary")
	return ""
}

// startPlayground builds the playground, starts it on a free loopback
// port as a user would, and returns the URL it prints. It stops it, with
// an interrupt, when the test ends.
func startPlayground(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "playground")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/dmprivacy/dmprivacy/examples/playground").CombinedOutput(); err != nil {
		t.Fatalf("building the playground: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the playground exited with %v\n%s", err, &stderr)
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Errorf("the playground did not stop on an interrupt")
		}
	})
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the playground's address: %v\n%s", err, &stderr)
	}
	go io.Copy(io.Discard, out)
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "playground: ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("the playground printed %q, want its local URL", line)
	}
	return url
}

// newBrowser starts headless Chromium with a fresh profile, as root can
// run it on a closed network; it stops when the test ends.
func newBrowser(t *testing.T) context.Context {
	profile, err := os.MkdirTemp("", "dmprivacy-chromium")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.UserDataDir(profile),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1400, 1000),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		bcancel()
		acancel()
		cancel()
		// The browser's children may still write to the profile briefly.
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return bctx
}

// page drives the playground's page in one tab.
type page struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string // exceptions, errors the page logged, CSP refusals
}

func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatal(err)
	}
}

// eval runs a JavaScript expression and returns its value.
func eval[T any](p *page, js string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds.
func (p *page) waitFor(cond string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		p.t.Fatalf("waiting for %s: %v", cond, err)
	}
}

// seq is the number of the page's last finished evaluation of the world.
func (p *page) seq() int {
	return eval[int](p, `Number(document.body.dataset.seq || 0)`)
}

// edit runs f, which changes the world, and waits until the page has
// evaluated the change.
func (p *page) edit(f func()) {
	p.t.Helper()
	n := p.seq()
	f()
	p.waitFor(fmt.Sprintf(`Number(document.body.dataset.seq || 0) > %d`, n))
}

// choose sets a select's value as a user would, firing its change event.
func (p *page) choose(id, value string) {
	p.t.Helper()
	ok := eval[bool](p, fmt.Sprintf(`(() => {
		const s = document.getElementById(%q);
		if (![...s.options].some((o) => o.value === %q)) return false;
		s.value = %q;
		s.dispatchEvent(new Event('change', { bubbles: true }));
		return true;
	})()`, id, value, value))
	if !ok {
		p.t.Fatalf("select #%s has no option %q", id, value)
	}
}

func (p *page) text() string { return eval[string](p, `document.getElementById('source').value`) }

// domCell is one cell of the page's grid.
type domCell struct {
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
	Outcome   string `json:"outcome"`
	Reason    string `json:"reason"`
	View      string `json:"view"`
	Class     string `json:"class"`
	Title     string `json:"title"`
	Text      string `json:"text"`
}

func (p *page) grid() [][]domCell {
	return eval[[][]domCell](p, `[...document.querySelectorAll('#grid tbody tr')].map((tr) =>
		[...tr.querySelectorAll('td')].map((td) => ({
			sender: td.dataset.sender, recipient: td.dataset.recipient, outcome: td.dataset.outcome,
			reason: td.dataset.reason, view: td.dataset.view, class: td.className, title: td.title, text: td.textContent,
		})))`)
}

// oracle is a world run here, in Go, for the engine's own answers.
type oracle struct {
	users  []string
	engine *privacy.Engine[string]
	at     time.Time
}

// runWorld runs text on the in-memory stores, under p if not nil (every
// user with its defaults, as the page's preset what-if does).
func runWorld(t *testing.T, text string, p *privacy.Policy) *oracle {
	t.Helper()
	f, err := scenario.Parse("world.dm", strings.NewReader(text), nil)
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

// defaults is a scenario world whose users keep their policy's defaults.
type defaults struct{ scenario.World }

func (d defaults) SetSettings(id string, _ inbox.Settings) error {
	return d.World.SetSettings(id, inbox.Settings{})
}

// decide returns CanMessage's answer for every pair.
func (o *oracle) decide(t *testing.T) map[[2]string]privacy.Decision {
	t.Helper()
	out := map[[2]string]privacy.Decision{}
	for _, s := range o.users {
		for _, r := range o.users {
			d, err := o.engine.CanMessage(context.Background(), s, r)
			if err != nil {
				t.Fatal(err)
			}
			out[[2]string{s, r}] = d
		}
	}
	return out
}

func outcome(d privacy.Decision) string {
	if !d.Allowed {
		return "deny"
	}
	return d.Folder.String()
}

// checkGrid compares the page's grid with CanMessage's answers: its rows
// and columns are the users, in order, and every cell shows the outcome,
// the reason (also on hover) and the sender's view.
func checkGrid(t *testing.T, got [][]domCell, o *oracle) {
	t.Helper()
	want := o.decide(t)
	if len(got) != len(o.users) {
		t.Fatalf("%d rows, want one per user: %v", len(got), o.users)
	}
	for i, s := range o.users {
		if len(got[i]) != len(o.users) {
			t.Fatalf("row %s has %d cells, want %d", s, len(got[i]), len(o.users))
		}
		for j, r := range o.users {
			c, d := got[i][j], want[[2]string{s, r}]
			if c.Sender != s || c.Recipient != r {
				t.Fatalf("cell %d,%d is %s → %s, want %s → %s", i, j, c.Sender, c.Recipient, s, r)
			}
			if s == r {
				if c.Class != "self" {
					t.Errorf("%s → %s: class %q, want self", s, r, c.Class)
				}
				continue
			}
			if c.Outcome != outcome(d) || c.Reason != d.Reason.String() || c.View != d.View.String() ||
				!strings.HasPrefix(c.Class, outcome(d)+" ") || !strings.Contains(c.Title, d.Reason.String()) {
				t.Errorf("%s → %s: the page shows %+v, CanMessage says %v (view %v)", s, r, c, d, d.View)
			}
		}
	}
}

// TestPlayground drives the real page: every starting world's grid, the
// sender view, an Explain trace, what-ifs, a parse error, the form, the
// download, the shared link and a screenshot.
func TestPlayground(t *testing.T) {
	url := startPlayground(t)
	p := &page{t: t, ctx: newBrowser(t)}
	p.do(chromedp.Navigate(url))
	go func() {
		for m, err := range chromedp.Console(p.ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleException || strings.Contains(m.Text, "Content Security Policy") ||
				m.Type == chromedp.ConsoleError && !strings.Contains(m.Text, "Failed to load resource") {
				p.mu.Lock()
				p.problems = append(p.problems, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line))
				p.mu.Unlock()
			}
		}
	}()
	p.waitFor(`document.body.dataset.ready === 'true' && Number(document.body.dataset.seq || 0) > 0`)
	defer func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, m := range p.problems {
			t.Errorf("the page logged %s", m)
		}
	}()

	ids := eval[[]string](p, `[...document.getElementById('worlds').options].map((o) => o.value)`)
	files, _ := filepath.Glob("../worlds/*.dm")
	if len(ids) != len(files) {
		t.Fatalf("the page offers %d worlds %v; worlds/ has %d", len(ids), ids, len(files))
	}

	t.Run("starting worlds", func(t *testing.T) {
		p := p.sub(t)
		for _, id := range ids {
			text, err := os.ReadFile(filepath.Join("..", "worlds", id+".dm"))
			if err != nil {
				t.Fatal(err)
			}
			p.edit(func() { p.choose("worlds", id) })
			if got := p.text(); got != string(text) {
				t.Fatalf("%s: the editor holds %d bytes, the file %d", id, len(got), len(text))
			}
			o := runWorld(t, string(text), nil)
			checkGrid(t, p.grid(), o)
			if failed := eval[string](p, `(document.querySelector('#checks p') || {}).textContent || ''`); strings.Contains(failed, "failed") && !strings.Contains(failed, " 0 failed") {
				t.Errorf("%s: %s", id, failed)
			}
		}
	})

	t.Run("sender view", func(t *testing.T) {
		p := p.sub(t)
		p.edit(func() { p.choose("worlds", "share_sheet") })
		o := runWorld(t, p.text(), nil)
		p.do(chromedp.Click(chromedp.CSS("#view-toggle")))
		p.waitFor(`document.getElementById('grid').classList.contains('views')`)
		want := o.decide(t)
		marks := map[string]string{"allowed": "✓", "not_allowed": "✗", "you_blocked": "B", "age_restricted": "A", "request_limit": "L", "unavailable": "U"}
		for _, row := range p.grid() {
			for _, c := range row {
				if c.Sender == c.Recipient {
					continue
				}
				v := want[[2]string{c.Sender, c.Recipient}].View.String()
				if c.View != v || c.Text != marks[v] || !strings.Contains(c.Class, "view-") {
					t.Errorf("%s → %s: shows %q (%s, class %q), the sender sees %s", c.Sender, c.Recipient, c.Text, c.View, c.Class, v)
				}
			}
		}
		p.do(chromedp.Click(chromedp.CSS("#view-toggle")))
		p.waitFor(`!document.getElementById('grid').classList.contains('views')`)
	})

	t.Run("explain", func(t *testing.T) {
		p := p.sub(t)
		p.edit(func() { p.choose("worlds", "tiktok_story") })
		o := runWorld(t, p.text(), nil)
		for _, pair := range [][2]string{{"sam", "maya"}, {"bran", "maya"}, {"maya", "tess"}} {
			p.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#grid td[data-sender=%q][data-recipient=%q]`, pair[0], pair[1]))))
			p.waitFor(fmt.Sprintf(`!document.getElementById('explain').hidden && document.getElementById('explain').dataset.pair === %q`, pair[0]+" "+pair[1]))
			x, err := o.engine.Explain(context.Background(), privacy.Request[string]{Sender: pair[0], Recipient: pair[1], At: o.at})
			if err != nil {
				t.Fatal(err)
			}
			type shownStep struct {
				ID      string `json:"id"`
				Matched bool   `json:"matched"`
				Decided bool   `json:"decided"`
			}
			var want []shownStep
			decided := len(x.Steps) - 1 // the last matched step, the mode aside, else the last
			for i := len(x.Steps) - 1; i >= 0; i-- {
				if x.Steps[i].Matched && x.Steps[i].ID != "mode" {
					decided = i
					break
				}
			}
			for i, s := range x.Steps {
				want = append(want, shownStep{ID: s.ID, Matched: s.Matched, Decided: i == decided})
			}
			got := eval[[]shownStep](p, `[...document.querySelectorAll('#explain-steps li')].map((li) => ({
				id: li.dataset.step, matched: li.classList.contains('matched'), decided: li.classList.contains('decided') }))`)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s → %s: steps (-Explain +page):\n%s", pair[0], pair[1], diff)
			}
			shown := eval[string](p, `document.getElementById('explain-decision').textContent`)
			if !strings.HasPrefix(shown, x.Decision.String()) {
				t.Errorf("%s → %s: the page says %q, Explain %v", pair[0], pair[1], shown, x.Decision)
			}
			facts := eval[string](p, `document.getElementById('explain-facts').textContent`)
			if !strings.Contains(facts, x.Edges.String()) && x.Edges != 0 {
				t.Errorf("%s → %s: facts %q lack the relations %v", pair[0], pair[1], facts, x.Edges)
			}
		}
	})

	t.Run("what if", func(t *testing.T) {
		p := p.sub(t)
		p.edit(func() { p.choose("worlds", "tiktok_story") })
		text := p.text()
		before := runWorld(t, text, nil)
		cases := []struct {
			name  string
			set   func()
			after *oracle
		}{
			{"maya chooses friends", func() {
				p.choose("wi-kind", "mode")
				p.choose("wi-recipient", "maya")
				p.choose("wi-mode", "friends")
			}, runWorld(t, text+"set maya mode=friends\n", nil)},
			{"the world under Instagram's rules", func() {
				p.choose("wi-kind", "preset")
				p.choose("wi-recipient", "maya")
				p.choose("wi-preset", "instagram")
			}, runWorld(t, text, privacy.Instagram())},
		}
		for _, c := range cases {
			c.set()
			eval[bool](p, `(document.getElementById('wi-summary').removeAttribute('data-changed'), true)`)
			p.do(chromedp.Click(chromedp.CSS("#wi-apply")))
			p.waitFor(`!document.getElementById('wi-result').hidden && document.getElementById('wi-summary').dataset.changed !== undefined`)
			was, now := before.decide(t), c.after.decide(t)
			var want []string
			for _, s := range before.users {
				for _, r := range before.users {
					if was[[2]string{s, r}] != now[[2]string{s, r}] {
						want = append(want, s+" → "+r)
					}
				}
			}
			var got []string
			cells := p.grid()
			for _, row := range cells {
				for _, cell := range row {
					if strings.Contains(cell.Class, "changed") {
						got = append(got, cell.Sender+" → "+cell.Recipient)
					}
				}
			}
			if len(want) == 0 {
				t.Errorf("%s: a what-if that changes nothing tests nothing", c.name)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: changed cells (-CanMessage +page):\n%s", c.name, diff)
			}
			checkGrid(t, cells, c.after)
			if n := eval[string](p, `document.getElementById('wi-summary').dataset.changed`); n != fmt.Sprint(len(want)) {
				t.Errorf("%s: the summary counts %s changes, want %d", c.name, n, len(want))
			}
			if rows := eval[int](p, `document.querySelectorAll('#wi-impact tbody tr').length`); rows == 0 {
				t.Errorf("%s: no impact rows", c.name)
			}
			if rows := eval[int](p, `document.querySelectorAll('#wi-preview tbody tr').length`); rows < 2 {
				t.Errorf("%s: the audience preview has %d rows", c.name, rows)
			}
		}
		p.do(chromedp.Click(chromedp.CSS("#wi-clear")))
		p.waitFor(`document.querySelectorAll('#grid td.changed').length === 0`)
	})

	t.Run("parse error beside its line", func(t *testing.T) {
		p := p.sub(t)
		p.edit(func() { p.choose("worlds", "tiktok_story") })
		text := p.text()
		line := strings.Count(text, "\n") + 1 // the empty line after the last
		p.edit(func() {
			eval[bool](p, `(() => { const s = document.getElementById('source'); s.focus();
				s.setSelectionRange(s.value.length, s.value.length); return true })()`)
			p.do(chromedp.KeyEvent("follow maya nobody"))
		})
		p.waitFor(`!document.getElementById('error').hidden`)
		type shown struct {
			Line     string `json:"line"`
			Message  string `json:"message"`
			Gutter   string `json:"gutter"`
			Marker   string `json:"marker"`
			MarkerAt string `json:"markerAt"`
			Visible  bool   `json:"visible"`
			Near     bool   `json:"near"`
		}
		got := eval[shown](p, fmt.Sprintf(`(() => {
			const m = document.getElementById('marker');
			const g = document.querySelector('#gutter div[data-line="%d"]');
			const gr = g.getBoundingClientRect(), mr = m.getBoundingClientRect();
			return { line: document.getElementById('error').dataset.line, message: document.getElementById('error').textContent,
				gutter: g.className, marker: m.textContent, markerAt: m.dataset.line, visible: !m.hidden,
				near: Math.abs((gr.top + gr.bottom) / 2 - (mr.top + mr.bottom) / 2) < gr.height };
		})()`, line))
		want := shown{Line: fmt.Sprint(line), Gutter: "error", MarkerAt: fmt.Sprint(line), Visible: true, Near: true}
		if !strings.Contains(got.Message, `unknown user "nobody"`) || !strings.Contains(got.Marker, fmt.Sprintf(`line %d: unknown user "nobody"`, line)) {
			t.Errorf("error %q, marker %q: want the parser's message about nobody", got.Message, got.Marker)
		}
		got.Message, got.Marker = "", ""
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("the error beside line %d (-want +got):\n%s", line, diff)
		}
	})

	t.Run("form and download", func(t *testing.T) {
		p := p.sub(t)
		p.edit(func() { p.choose("worlds", "share_sheet") })
		p.edit(func() {
			p.do(chromedp.SendKeys(chromedp.CSS("#new-name"), "zoe"))
			p.do(chromedp.Click(chromedp.CSS("#add-user")))
		})
		p.edit(func() {
			p.choose("rel-kind", "follow")
			p.choose("rel-a", "zoe")
			p.choose("rel-b", "ava")
			p.do(chromedp.Click(chromedp.CSS("#add-rel")))
		})
		text := p.text()
		if !strings.HasSuffix(text, "\nuser zoe age=25\nfollow zoe ava\n") {
			t.Errorf("after the form, the world ends %q", text[max(0, len(text)-60):])
		}
		checkGrid(t, p.grid(), runWorld(t, text, nil))

		dir := t.TempDir()
		progress := chromedp.Events(p.ctx, browser.DownloadProgress)
		p.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			yes := true
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes,
			})
			return err
		}), chromedp.Click(chromedp.CSS("#download")))
		var file string
		for ev, err := range progress {
			if err != nil {
				t.Fatal(err)
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				file = filepath.Join(dir, ev.GUID)
				break
			}
			if ev.State == browser.DownloadProgressStateCanceled {
				t.Fatal("the download was canceled")
			}
		}
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != text {
			t.Fatalf("the download differs from the editor's world:\n%s", cmp.Diff(text, string(got)))
		}
		f, err := scenario.ParseFile(file, nil)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("go", "run", "github.com/dmprivacy/dmprivacy/examples/dmcheck", file).CombinedOutput()
		if want := fmt.Sprintf("%d passed, 0 failed\n", f.Checks()); err != nil || !bytes.HasSuffix(out, []byte(want)) || f.Checks() == 0 {
			t.Errorf("dmcheck on the downloaded world: %v\n%s\nwant %q", err, out, want)
		}
	})

	t.Run("shared link", func(t *testing.T) {
		p := p.sub(t)
		p.edit(func() { p.choose("worlds", "teen") })
		text := p.text()
		p.do(chromedp.Click(chromedp.CSS("#share")))
		link := eval[string](p, `location.href`)
		if !strings.Contains(link, "#w=") {
			t.Fatalf("the address %q does not hold the world", link)
		}
		tab, cancel := chromedp.NewContext(p.ctx)
		defer cancel()
		q := &page{t: t, ctx: tab}
		q.do(chromedp.Navigate(link))
		q.waitFor(`document.body.dataset.ready === 'true' && Number(document.body.dataset.seq || 0) > 0`)
		if got := q.text(); got != text {
			t.Errorf("the link opens another world:\n%s", cmp.Diff(text, got))
		}
		checkGrid(t, q.grid(), runWorld(t, text, nil))
	})

	t.Run("screenshot", func(t *testing.T) {
		p := p.sub(t)
		p.edit(func() { p.choose("worlds", "tiktok_story") })
		p.choose("wi-kind", "mode")
		p.do(chromedp.Click(chromedp.CSS(`#grid td[data-sender="sam"][data-recipient="maya"]`)))
		p.waitFor(`!document.getElementById('explain').hidden && document.getElementById('explain').dataset.pair === 'sam maya'`)
		shot, err := chromedp.Run(p.ctx, chromedp.Screenshot(chromedp.CSS("#right")))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "grid.png")
		if *updateScreenshot {
			path = filepath.Join("..", "grid.png")
		}
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", path, len(shot))
		checkScreenshot(t, p, shot)
	})
}

// sub returns the page for a subtest.
func (p *page) sub(t *testing.T) *page { return &page{t: t, ctx: p.ctx} }

// layout is where the pane of the grid is on the page and each of the
// grid's cells in it, in CSS pixels, and the pixels of one CSS pixel.
type layout struct {
	Ratio  float64       `json:"ratio"`
	Width  float64       `json:"width"`
	Height float64       `json:"height"`
	Cells  []cellPlacing `json:"cells"`
}

type cellPlacing struct {
	X     float64 `json:"x"` // the centre, from the pane's top left
	Y     float64 `json:"y"`
	Class string  `json:"class"`
}

// checkScreenshot compares the structure of the screenshot of the grid's
// pane with the page's grid: the picture is the pane's size, and the colour
// at the centre of every cell is its class's (chats, requests, refused or
// self). Pixels elsewhere are not compared.
func checkScreenshot(t *testing.T, p *page, shot []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	l := eval[layout](p, `(() => {
		const g = document.getElementById('right').getBoundingClientRect();
		return { ratio: window.devicePixelRatio, width: g.width, height: g.height,
			cells: [...document.querySelectorAll('#grid td')].map((td) => {
				const r = td.getBoundingClientRect();
				return { x: r.left - g.left + r.width / 2, y: r.top - g.top + r.height / 2, class: td.className.split(' ')[0] };
			}) };
	})()`)
	b := img.Bounds()
	if math.Abs(float64(b.Dx())-l.Width*l.Ratio) > 2 || math.Abs(float64(b.Dy())-l.Height*l.Ratio) > 2 {
		t.Errorf("the screenshot is %dx%d, the pane %.0fx%.0f at %v pixels per CSS pixel", b.Dx(), b.Dy(), l.Width, l.Height, l.Ratio)
	}
	if n := len(p.grid()); len(l.Cells) != n*n || n == 0 {
		t.Fatalf("%d cells for %d rows", len(l.Cells), n)
	}
	colours := map[string]color.RGBA{
		"primary":  {0x2f, 0x9e, 0x44, 0xff},
		"requests": {0xf2, 0xa9, 0x00, 0xff},
		"deny":     {0xc9, 0xcc, 0xd1, 0xff},
		"self":     {0xff, 0xff, 0xff, 0xff},
	}
	seen := map[string]int{}
	for _, c := range l.Cells {
		x, y := b.Min.X+int(c.X*l.Ratio), b.Min.Y+int(c.Y*l.Ratio)
		got := nearest(img.At(x, y), colours)
		if got != c.Class {
			t.Errorf("the cell at %d,%d is %s in the screenshot (%v), %s on the page", x, y, got, img.At(x, y), c.Class)
		}
		seen[got]++
	}
	if len(seen) != len(colours) {
		t.Errorf("the screenshot shows %v: want every kind of cell", seen)
	}
}

// nearest returns the name of the colour of the palette closest to c, or
// "other" if none is close.
func nearest(c color.Color, palette map[string]color.RGBA) string {
	r, g, b, _ := c.RGBA()
	best, bestD := "other", 40.0*40*3
	for name, p := range palette {
		dr, dg, db := float64(r>>8)-float64(p.R), float64(g>>8)-float64(p.G), float64(b>>8)-float64(p.B)
		if d := dr*dr + dg*dg + db*db; d < bestD {
			best, bestD = name, d
		}
	}
	return best
}
