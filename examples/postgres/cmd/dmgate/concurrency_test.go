package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
)

// call is one request of TestConcurrencyThroughTheGate's goroutines.
func call(base, token, method, path, body string) (int, map[string]any, error) {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return resp.StatusCode, nil, err
		}
	}
	return resp.StatusCode, out, nil
}

// TestConcurrencyThroughTheGate runs the races of the PostgreSQL adapter's
// concurrency test through dmgate, 64 goroutines at once, each as its own
// user: mutual first messages, one sender over the request cap, sends
// racing blocks, contact-key swaps and many users taking one key. No
// answer may be a 5xx, and every one must be what the rules say.
func TestConcurrencyThroughTheGate(t *testing.T) {
	g := start(t, pgtest.SchemaURL(t))
	c := client{t, g.base, backendToken}
	const n = 64
	const base = 100
	for id := base; id < base+2*n+1; id++ {
		c.want("PUT", fmt.Sprintf("/v1/users/%d", id), `{"status":"active","birth":"1990-01-01"}`, http.StatusNoContent, nil)
		c.as(userToken(int64(id))).want("PUT", fmt.Sprintf("/v1/settings/%d", id), `{"mode":"everyone"}`, http.StatusOK, nil)
	}
	var fivexx atomic.Int64
	together := func(name string, f func(i int) error) {
		t.Helper()
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = f(i)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("%s: goroutine %d: %v", name, i, err)
			}
		}
	}
	expect := func(status int, out map[string]any, err error, want int) error {
		if status >= 500 {
			fivexx.Add(1)
		}
		if err != nil {
			return err
		}
		if status != want {
			return fmt.Errorf("status %d (%v), want %d", status, out, want)
		}
		return nil
	}
	allowed := func(out map[string]any) bool {
		d, _ := out["decision"].(map[string]any)
		return d["allowed"] == true
	}

	together("mutual first messages", func(i int) error {
		a, b := base+i, base+i^1
		status, out, err := call(g.base, userToken(int64(a)), "POST", "/v1/messages", check(a, b))
		if err := expect(status, out, err, http.StatusOK); err != nil {
			return err
		}
		if !allowed(out) {
			return fmt.Errorf("%d→%d denied: %v", a, b, out)
		}
		return nil
	})

	var granted, limited atomic.Int64
	sender := base + 2*n
	together("one sender over the cap", func(i int) error {
		status, out, err := call(g.base, userToken(int64(sender)), "POST", "/v1/messages", check(sender, base+i))
		if err := expect(status, out, err, http.StatusOK); err != nil {
			return err
		}
		switch d := out["decision"].(map[string]any); d["view"] {
		case "allowed":
			granted.Add(1)
		case "request_limit":
			limited.Add(1)
		default:
			return fmt.Errorf("decision %v", d)
		}
		return nil
	})
	if granted.Load() != 20 || limited.Load() != n-20 {
		t.Errorf("one sender, %d simultaneous requests: %d allowed and %d at the limit; want 20 and %d", n, granted.Load(), limited.Load(), n-20)
	}

	var mu sync.Mutex
	blocked := map[int]time.Time{}
	together("sends racing blocks", func(i int) error {
		k := i / 2
		s, r := base+64+k, base+k // pairs with no thread yet
		if i%2 == 1 {
			time.Sleep(time.Duration(k%8) * time.Millisecond)
			status, out, err := call(g.base, userToken(int64(r)), "PUT", fmt.Sprintf("/v1/blocks/%d/%d", r, s), "")
			mu.Lock()
			blocked[k] = time.Now()
			mu.Unlock()
			return expect(status, out, err, http.StatusNoContent)
		}
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			sent := time.Now()
			status, out, err := call(g.base, userToken(int64(s)), "POST", "/v1/messages", check(s, r))
			if err := expect(status, out, err, http.StatusOK); err != nil {
				return err
			}
			mu.Lock()
			b, ok := blocked[k]
			mu.Unlock()
			if ok && sent.After(b) {
				if allowed(out) {
					return fmt.Errorf("a send started %v after the block returned was allowed", sent.Sub(b))
				}
				return nil
			}
		}
		return fmt.Errorf("the block never returned")
	})

	for id := base; id < base+32; id++ {
		c.want("PUT", fmt.Sprintf("/v1/users/%d/contact-key", id), fmt.Sprintf(`{"key":"h:%d"}`, id), http.StatusNoContent, nil)
	}
	together("contact keys", func(i int) error {
		var path, body string
		switch {
		case i < 32: // 16 pairs swap keys
			path, body = fmt.Sprintf("/v1/users/%d/contact-key", base+i), fmt.Sprintf(`{"key":"h:%d"}`, base+i^1)
		default: // 32 users take one key
			path, body = fmt.Sprintf("/v1/users/%d/contact-key", base+i), `{"key":"h:shared"}`
		}
		status, out, err := call(g.base, backendToken, "PUT", path, body)
		return expect(status, out, err, http.StatusNoContent)
	})
	if n := fivexx.Load(); n != 0 {
		t.Errorf("%d answers were 5xx, want none", n)
	}
}
