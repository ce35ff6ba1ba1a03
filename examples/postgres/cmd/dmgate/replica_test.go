package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
)

// TestReplicaMode runs dmgate with -replica over real HTTP: it becomes
// ready once its replica has loaded; every write answers with a
// consistency token; a check carrying a block's token (in the body or the
// header) is denied; the replica's lag and where reads went are in the
// metrics; and its slot is gone once it has shut down.
func TestReplicaMode(t *testing.T) {
	url := pgtest.SchemaURL(t)
	var b [5]byte
	rand.Read(b[:])
	name := "gate" + hex.EncodeToString(b[:])
	pub := "dmtest_pub_" + name
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		var left bool
		c.QueryRow(context.Background(), `SELECT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = $1)`, "dmreplica_"+name).Scan(&left)
		if left {
			t.Error("dmgate left its replication slot behind")
		}
		c.Exec(context.Background(), "DROP PUBLICATION IF EXISTS "+pub)
	})
	// Registered after the check above, so it runs first: dmgate stops
	// (and drops its slot) before the slot is looked for.
	g := start(t, url, "-replica", "-replica-name", name, "-replica-publication", pub, "-replica-max-wait", "5s")
	c := client{t, g.base, backendToken}

	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := c.do("GET", "/readyz", "")
		if code == http.StatusOK {
			break
		}
		if code != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("/readyz: %d %v", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}

	cast(c)
	// A check without a token answers at once from what the replica has,
	// which may not hold a write that just returned; with the write's
	// token it does.
	tok := write(t, g.base, "PUT", "/v1/settings/1", `{"mode":"everyone"}`)
	c.want("POST", "/v1/check", `{"sender":3,"recipient":1,"token":"`+tok+`"}`, http.StatusOK, decision(true, "requests", "message_request", "allowed"))

	tok = write(t, g.base, "PUT", "/v1/blocks/1/3", "")
	blocked := decision(false, "none", "blocked_by_recipient", "not_allowed")
	c.want("POST", "/v1/check", `{"sender":3,"recipient":1,"token":"`+tok+`"}`, http.StatusOK, blocked)
	out := c.want("POST", "/v1/check-batch", `{"sender":3,"recipients":[1,2],"token":"`+tok+`"}`, http.StatusOK, nil)
	if ds, _ := out["decisions"].([]any); len(ds) != 2 || ds[0].(map[string]any)["allowed"] != false {
		t.Errorf("batch with the block's token: %v", out)
	}
	req, _ := http.NewRequest("POST", g.base+"/v1/check", strings.NewReader(check(cy, ana)))
	req.Header.Set("Authorization", "Bearer "+backendToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Consistency-Token", tok)
	if code, body := c.send(req); code != http.StatusOK || body["reason"] != "blocked_by_recipient" {
		t.Errorf("check with the block's token in the header: %d %v", code, body)
	}
	c.wantError("POST", "/v1/check", `{"sender":3,"recipient":1,"token":"nonsense"}`, http.StatusBadRequest, "bad_input")

	// Writes of every kind answer with a token.
	for _, w := range []struct{ method, path, body string }{
		{"PUT", "/v1/follows/3/1", ""},
		{"DELETE", "/v1/follows/3/1", ""},
		{"PUT", "/v1/users/3/contact-key", `{"key":"h:cy"}`},
		{"PUT", "/v1/users/3/contacts", `{"keys":["h:x"]}`},
		{"PUT", "/v1/users/3", `{"status":"active","birth":"1985-11-30"}`},
		{"POST", "/v1/messages", check(ana, ben)},
	} {
		write(t, g.base, w.method, w.path, w.body)
	}
	c.want("GET", "/v1/audience/1", "", http.StatusOK, nil)

	resp, err := http.Get(g.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, m := range []string{"dmgate_replica_lag_seconds ", "dmgate_replica_loaded 1", `dmgate_replica_state{state="streaming"} 1`,
		"dmgate_replica_applied_lsn ", `dmgate_reads_total{source="current"}`, "dmgate_replica_token_wait_seconds_count "} {
		if !strings.Contains(string(metrics), m) {
			t.Errorf("/metrics lacks %q", m)
		}
	}
}

// write makes a back end's write and returns the token it answers with.
func write(t *testing.T, base, method, path, body string) string {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+backendToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	tok := resp.Header.Get("X-Consistency-Token")
	if resp.StatusCode >= 300 || !strings.HasPrefix(tok, "v1.") {
		t.Fatalf("%s %s: %d, token %q", method, path, resp.StatusCode, tok)
	}
	return tok
}
