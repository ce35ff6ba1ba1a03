package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
)

// The fault test stops and starts the server named by
// DMPRIVACY_POSTGRES_URL with these shell commands, which .ci/postgres.sh
// sets when it runs the test on its own (stopping the server under the
// other tests would fail them).
const (
	envStop  = "DMPRIVACY_PG_STOP"
	envStart = "DMPRIVACY_PG_START"
)

func shell(t *testing.T, env string) {
	t.Helper()
	out, err := exec.Command("bash", "-c", os.Getenv(env)).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", env, err, out)
	}
}

// op is one request of the load, as answered.
type op struct {
	kind    string // check, follow, send
	target  int
	status  int
	denied  bool   // a decision endpoint's body denied
	code    string // the error code of a refusal
	started time.Time
}

// TestPostgresRestartUnderLoad stops PostgreSQL for a few seconds while
// eight clients check, send and follow, then starts it again. While it is
// down every decision is a 503 with a deny and every write a 503; dmgate
// recovers by itself; every acknowledged write is in the database
// afterwards and none of the failed ones is; and the ERROR log stays a
// handful of lines.
func TestPostgresRestartUnderLoad(t *testing.T) {
	if os.Getenv(envStop) == "" || os.Getenv(envStart) == "" {
		t.Skipf("%s and %s are not set; .ci/postgres.sh sets them and runs this test alone", envStop, envStart)
	}
	url := pgtest.SchemaURL(t)
	g := start(t, url, "-db-timeout", "1s")
	c := client{t, g.base, backendToken}
	const workers, targets = 8, 1000
	const base, targetBase = 1, 100
	for id := base; id < base+workers; id++ {
		c.want("PUT", fmt.Sprintf("/v1/users/%d", id), `{"status":"active","birth":"1990-01-01"}`, http.StatusNoContent, nil)
	}
	for id := targetBase; id < targetBase+targets; id++ {
		c.want("PUT", fmt.Sprintf("/v1/users/%d", id), `{"status":"active","birth":"1990-01-01"}`, http.StatusNoContent, nil)
		c.want("PUT", fmt.Sprintf("/v1/settings/%d", id), `{"mode":"everyone"}`, http.StatusOK, nil)
	}

	var stop atomic.Bool
	ops := make([][]op, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			me := base + w
			tok := userToken(int64(me))
			next := targetBase
			for i := 0; !stop.Load() && i < 5000 && next < targetBase+targets; i++ {
				o := op{started: time.Now()}
				var status int
				var out map[string]any
				var err error
				switch i % 3 {
				case 0:
					o.kind, o.target = "check", targetBase
					status, out, err = call(g.base, tok, "POST", "/v1/check", check(me, o.target))
					o.denied = out["allowed"] == false && out["view"] == "not_allowed"
				case 1:
					o.kind, o.target = "follow", next
					next++
					status, out, err = call(g.base, tok, "PUT", fmt.Sprintf("/v1/follows/%d/%d", me, o.target), "")
				case 2:
					o.kind, o.target = "send", targetBase+1+w
					status, out, err = call(g.base, tok, "POST", "/v1/messages", check(me, o.target))
					d, _ := out["decision"].(map[string]any)
					o.denied = d["allowed"] == false && d["view"] == "not_allowed"
				}
				if err != nil {
					t.Errorf("worker %d: %s: %v", w, o.kind, err)
					return
				}
				if e, ok := out["error"].(map[string]any); ok {
					o.code, _ = e["code"].(string)
				}
				o.status = status
				ops[w] = append(ops[w], o)
				time.Sleep(2 * time.Millisecond)
			}
		})
	}

	time.Sleep(1500 * time.Millisecond)
	shell(t, envStop)
	down := time.Now()
	time.Sleep(3 * time.Second)
	up := time.Now()
	shell(t, envStart)
	var ready time.Time
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if status, _, err := call(g.base, "", "GET", "/readyz", ""); err == nil && status == http.StatusOK {
			ready = time.Now()
			break
		}
	}
	if ready.IsZero() {
		stop.Store(true)
		wg.Wait()
		t.Fatal("dmgate was not ready 30 s after PostgreSQL started again")
	}
	time.Sleep(2 * time.Second)
	stop.Store(true)
	wg.Wait()
	t.Logf("PostgreSQL down for %v, dmgate ready %v after it started", up.Sub(down).Round(time.Millisecond), ready.Sub(up).Round(time.Millisecond))

	// What the clients saw.
	acked, failed := map[[2]int]bool{}, map[[2]int]bool{}
	var outage, after, unavailable int
	for w, list := range ops {
		for _, o := range list {
			switch o.status {
			case http.StatusOK, http.StatusNoContent:
			case http.StatusServiceUnavailable:
				unavailable++
				if o.code != "unavailable" {
					t.Errorf("worker %d: a %s answered 503 with error code %q, want unavailable", w, o.kind, o.code)
				}
				if o.kind != "follow" && !o.denied {
					t.Errorf("worker %d: a %s during the outage was 503 without a deny", w, o.kind)
				}
			default:
				t.Errorf("worker %d: a %s answered %d; want 2xx, or 503 while the database is down", w, o.kind, o.status)
			}
			if o.started.After(down.Add(200*time.Millisecond)) && o.started.Before(up) {
				outage++
				if o.status != http.StatusServiceUnavailable {
					t.Errorf("worker %d: a %s started %v into the outage answered %d, want 503", w, o.kind, o.started.Sub(down), o.status)
				}
			}
			if o.started.After(ready.Add(time.Second)) {
				after++
				if o.status >= 300 {
					t.Errorf("worker %d: a %s started %v after dmgate was ready answered %d", w, o.kind, o.started.Sub(ready), o.status)
				}
			}
			if o.kind == "follow" {
				k := [2]int{base + w, o.target}
				if o.status == http.StatusNoContent {
					acked[k] = true
				} else {
					failed[k] = true
				}
			}
		}
	}
	if outage < 50 || after < 50 {
		t.Errorf("%d requests during the outage and %d after recovery; the load was too light to tell", outage, after)
	}

	// What the database holds.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT follower, followee FROM follows`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[[2]int]bool{}
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		stored[[2]int{int(a), int(b)}] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	lost, applied := 0, 0
	for k := range acked {
		if !stored[k] {
			lost++
		}
	}
	for k := range failed {
		if stored[k] {
			applied++
		}
	}
	if lost > 0 || applied > 0 {
		t.Errorf("%d acknowledged follows missing and %d failed ones applied; want none", lost, applied)
	}

	// The log: a few lines about the outage, not one per failed request.
	log := g.log.String()
	errorLines := strings.Count(log, `"level":"ERROR"`)
	failedDecisions := strings.Count(log, `"error_kind":"unavailable"`)
	if errorLines > 30 || failedDecisions > 30 {
		t.Errorf("%d ERROR lines and %d failed-decision lines for %d failed requests; want both rate-limited", errorLines, failedDecisions, unavailable)
	}
	t.Logf("%d requests during the outage (all 503), %d after recovery (all 2xx), %d follows acknowledged and stored, %d failed and absent, %d ERROR log lines for %d 503s",
		outage, after, len(acked), len(failed), errorLines, unavailable)
}
