package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
)

// snapshot returns every row of the schema's tables as text, to show that
// refused calls changed nothing.
func snapshot(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var b strings.Builder
	for _, table := range []string{"users", "follows", "blocks", "restricts", "facebook_links", "synced_contacts", "inbox_settings", "conversations"} {
		var rows string
		err := conn.QueryRow(ctx, `SELECT coalesce(string_agg(t::text, ';' ORDER BY t::text), '') FROM `+table+` t`).Scan(&rows)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %s\n", table, rows)
	}
	return b.String()
}

// Who calls, in the authorization matrix.
const (
	anonymous = iota
	sameUser  // ana, user 1, whose data every path names
	otherUser // cy, user 3
	backEnd
)

// passed is the matrix's expectation that a call got past authorization:
// any status but 401 and 403.
const passed = 0

// TestAuthorizationMatrix calls every endpoint as an anonymous caller, as
// the user it is about, as another user and as a back end, and checks
// who is let through: anonymous calls are 401, other users' 403, and a
// refused call changes nothing.
func TestAuthorizationMatrix(t *testing.T) {
	url := pgtest.SchemaURL(t)
	c := client{t, start(t, url).base, backendToken}
	cast(c)
	c.want("PUT", "/v1/settings/1", `{"mode":"everyone"}`, http.StatusOK, nil)
	c.want("POST", "/v1/messages", check(cy, ana), http.StatusOK, nil) // cy's pending request to ana
	c.want("POST", "/v1/messages", check(ben, cy), http.StatusOK, nil) // unrelated traffic

	type row struct {
		method, path, body string
		same               int // the user the path names: passed or 403
	}
	rows := []row{
		{"POST", "/v1/check", check(ana, ben), passed},
		{"POST", "/v1/check-batch", `{"sender":1,"recipients":[2,3]}`, passed},
		{"POST", "/v1/messages", check(ana, ben), passed},
		{"POST", "/v1/requests/1/3/decline", "", passed},
		{"POST", "/v1/requests/1/3/accept", "", passed},
		{"GET", "/v1/audience/1", "", passed},
		{"GET", "/v1/audience/1?mode=everyone", "", passed},
		{"GET", "/v1/settings/1", "", passed},
		{"PUT", "/v1/settings/1", `{"mode":"friends"}`, passed},
		{"PUT", "/v1/users/1/contacts", `{"keys":["h:1"]}`, passed},
		{"PUT", "/v1/users/1", `{"status":"active","birth":"2012-01-01"}`, http.StatusForbidden},
		{"PUT", "/v1/users/1/contact-key", `{"key":"h:cy-number"}`, http.StatusForbidden},
		{"PUT", "/v1/facebook/1/3", "", http.StatusForbidden},
		{"DELETE", "/v1/facebook/1/3", "", http.StatusForbidden},
	}
	for _, kind := range []string{"follows", "blocks", "restricts"} {
		rows = append(rows,
			row{"PUT", "/v1/" + kind + "/1/3", "", passed},
			row{"DELETE", "/v1/" + kind + "/1/3", "", passed})
	}
	// The other user is the {to} of an edge, or the {sender} of a
	// request: still not the one who acts.
	callers := map[int]string{anonymous: "", sameUser: userToken(ana), otherUser: userToken(cy), backEnd: backendToken}
	expect := func(r row, who int) int {
		switch who {
		case anonymous:
			return http.StatusUnauthorized
		case sameUser:
			return r.same
		case otherUser:
			return http.StatusForbidden
		}
		return passed
	}
	run := func(who int) {
		for _, r := range rows {
			got, out := c.as(callers[who]).do(r.method, r.path, r.body)
			want := expect(r, who)
			ok := got == want || (want == passed && got != http.StatusUnauthorized && got != http.StatusForbidden && got < 500)
			if !ok {
				t.Errorf("%s %s as %s: status %d (%v), want %s", r.method, r.path, []string{"anonymous", "ana", "cy", "a back end"}[who], got, out, statusName(want))
			}
		}
	}
	before := snapshot(t, url)
	run(anonymous)
	run(otherUser)
	if after := snapshot(t, url); after != before {
		t.Errorf("refused calls changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	run(sameUser)
	run(backEnd)
}

func statusName(s int) string {
	if s == passed {
		return "anything but 401, 403 and 5xx"
	}
	return fmt.Sprint(s)
}

// TestEndUsersSeeOnlyTheirView: an end user's decision shows "allowed"
// and "view", never the reason or folder that would reveal a block or a
// restriction; a back end sees everything.
func TestEndUsersSeeOnlyTheirView(t *testing.T) {
	c := client{t, start(t, pgtest.SchemaURL(t)).base, backendToken}
	cast(c)
	c.want("PUT", "/v1/restricts/2/1", "", http.StatusNoContent, nil) // ben restricts ana
	c.want("PUT", "/v1/blocks/2/3", "", http.StatusNoContent, nil)    // and blocks cy
	c.as(userToken(ana)).want("POST", "/v1/check", check(ana, ben), http.StatusOK, map[string]any{"allowed": true, "view": "allowed"})
	c.as(userToken(cy)).want("POST", "/v1/check", check(cy, ben), http.StatusOK, map[string]any{"allowed": false, "view": "not_allowed"})
	c.as(userToken(ana)).want("POST", "/v1/messages", check(ana, ben), http.StatusOK, map[string]any{"decision": map[string]any{"allowed": true, "view": "allowed"}})
	c.want("POST", "/v1/check", check(ana, ben), http.StatusOK, decision(true, "requests", "restricted", "allowed"))
	out := c.want("POST", "/v1/messages", check(ana, ben), http.StatusOK, nil)
	if conv, _ := out["conversation"].(map[string]any); conv["state"] != "held" {
		t.Errorf("a back end's send shows the thread %v, want it held", out["conversation"])
	}
}
