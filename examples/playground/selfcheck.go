package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// selfCheck serves the playground on a free loopback port, asks it for the
// page and, for every starting world, its grid, one trace and one what-if,
// checks the answers' shape and a bad world's error, and stops it. It
// prints one line per check.
func selfCheck(out io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := newHTTPServer(newServer(true))
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	c := &http.Client{Timeout: 30 * time.Second}
	ok := func(format string, args ...any) { fmt.Fprintf(out, "ok   "+format+"\n", args...) }

	for _, p := range []struct{ path, ctype, has string }{
		{"/", "text/html", `src="/static/app.js"`},
		{"/static/app.js", "text/javascript", "/api/world"},
		{"/static/style.css", "text/css", "#grid"},
	} {
		res, err := c.Get(base + p.path)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), p.ctype) ||
			!bytes.Contains(body, []byte(p.has)) || res.Header.Get("Content-Security-Policy") == "" {
			return fmt.Errorf("GET %s: %s, %s, %d bytes", p.path, res.Status, res.Header.Get("Content-Type"), len(body))
		}
		ok("GET %s", p.path)
	}

	var worlds []startingWorld
	if err := call(c, base+"/api/worlds", nil, &worlds); err != nil {
		return err
	}
	if len(worlds) != len(worldOrder) {
		return fmt.Errorf("%d starting worlds, want %d", len(worlds), len(worldOrder))
	}
	for _, w := range worlds {
		var g worldResponse
		if err := call(c, base+"/api/world", worldRequest{World: w.Text}, &g); err != nil {
			return fmt.Errorf("world %s: %w", w.ID, err)
		}
		n := len(g.Users)
		if n < 2 || len(g.Cells) != n || len(g.Cells[0]) != n || g.Checks.Failed != 0 {
			return fmt.Errorf("world %s: %d users, %d rows, %d failed checks", w.ID, n, len(g.Cells), g.Checks.Failed)
		}
		s, r := g.Users[1].Name, g.Users[0].Name
		var x trace
		if err := call(c, base+"/api/explain", explainRequest{World: w.Text, Sender: s, Recipient: r}, &x); err != nil {
			return fmt.Errorf("world %s: explain: %w", w.ID, err)
		}
		if x.Decision != g.Cells[1][0] || len(x.Steps) == 0 {
			return fmt.Errorf("world %s: explain %s → %s: %v, the grid says %v", w.ID, s, r, x.Decision, g.Cells[1][0])
		}
		// The first mode the recipient may choose.
		var wi whatIfResponse
		q := whatIfRequest{World: w.Text, Recipient: r, Kind: "mode"}
		for _, m := range g.Modes {
			q.Mode = m
			if err = call(c, base+"/api/whatif", q, &wi); err == nil {
				break
			}
		}
		if err != nil {
			return fmt.Errorf("world %s: what if %s chose a mode: %w", w.ID, r, err)
		}
		if len(wi.Cells) != n || wi.After == nil || wi.Impact.Changed != len(wi.Changed) {
			return fmt.Errorf("world %s: what if: %d rows, %d changed cells, impact %+v", w.ID, len(wi.Cells), len(wi.Changed), wi.Impact)
		}
		ok("world %-16s %2d users, %3d cells, %2d checks; explain %s → %s; what if %s chose %s: %d cells change",
			w.ID, n, n*n, g.Checks.Passed, s, r, r, q.Mode, len(wi.Changed))
	}

	var e errorBody
	err = call(c, base+"/api/world", worldRequest{World: "user ana\nfollow ana bob\n"}, nil)
	var se *statusError
	if !errors.As(err, &se) || se.status != http.StatusUnprocessableEntity || json.Unmarshal(se.body, &e) != nil || e.Error.Line != 2 {
		return fmt.Errorf("a bad world: %v, want 422 on line 2", err)
	}
	ok("a bad world: %d, line %d: %s", se.status, e.Error.Line, e.Error.Message)
	return nil
}

// statusError is an answer other than 200.
type statusError struct {
	status int
	body   []byte
}

func (e *statusError) Error() string { return fmt.Sprintf("status %d: %s", e.status, e.body) }

// call GETs url (body nil) or POSTs body as JSON, and decodes the answer
// into out.
func call(c *http.Client, url string, body, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	method, rd := http.MethodGet, io.Reader(nil)
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		method, rd = http.MethodPost, bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return &statusError{res.StatusCode, b}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}
