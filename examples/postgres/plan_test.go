package postgres_test

import (
	"strings"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// TestFactsAreIndexOnly checks that every table a decision reads is read by
// an index-only scan: the primary keys and covering indexes hold every
// column the statements need. A small table would be read whole by choice,
// so sequential and bitmap scans are switched off: the plan shows which
// index answers each lookup.
func TestFactsAreIndexOnly(t *testing.T) {
	pool := pgtest.Open(t, &pgtest.Options{MaxConns: 1})
	s := postgres.New(pool)
	seed(t, s)
	ctx := t.Context()
	if _, err := s.SetConversation(ctx, cy, ana, inbox.Pending, t0); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"VACUUM ANALYZE", "SET enable_seqscan = off", "SET enable_bitmapscan = off"} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	at := t0
	plans := map[string][]any{
		"facts": {postgres.Statements()["facts"], int64(ana), int64(ben), at, at.Add(-24 * time.Hour), true},
		"batch": {postgres.Statements()["facts_batch"], int64(ana), []int64{ben, cy, dee}, at, at.Add(-24 * time.Hour), true},
	}
	for name, q := range plans {
		rows, err := pool.Query(ctx, "EXPLAIN (COSTS OFF) "+q[0].(string), q[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		for i, line := range plan {
			if strings.Contains(line, "Scan") && !strings.Contains(line, "Index Only Scan") && !strings.Contains(line, "Function Scan") {
				t.Errorf("%s: a scan that is not index-only: %s\n%s", name, strings.TrimSpace(line), text)
			}
			// One decision's lookups are all keyed probes. (A batch over
			// tables this small may read a whole index once and hash it.)
			if name == "facts" && strings.Contains(line, "Index Only Scan") && (i+1 == len(plan) || !strings.Contains(plan[i+1], "Index Cond")) {
				t.Errorf("%s: an index read whole: %s\n%s", name, strings.TrimSpace(line), text)
			}
		}
		for _, table := range []string{"users", "follows", "blocks", "restricts", "synced_contacts", "facebook_links", "inbox_settings", "conversations"} {
			if !strings.Contains(text, " on "+table) {
				t.Errorf("%s: the plan does not read %s:\n%s", name, table, text)
			}
		}
		t.Logf("%s:\n%s", name, text)
	}
}
