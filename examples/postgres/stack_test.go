package postgres_test

import (
	"testing"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
	"github.com/dmprivacy/dmprivacy/privacy/privacytest"
)

// TestStackKit runs the SDK's stack kit over the adapter: on random worlds
// under every preset, written through the adapter and into the embedded
// store, the engine over the adapter decides as over the embedded store —
// every pair, the batches, group adds, the one-statement facts, previews
// and listings. The worlds share one schema, emptied before each.
func TestStackKit(t *testing.T) {
	pgtest.URL(t)
	t.Parallel()
	pool := pgtest.Open(t, &pgtest.Options{MaxConns: 4})
	ctx := t.Context()
	// Every table but the migrations' own, so that a later migration's
	// tables are emptied too.
	var tables string
	if err := pool.QueryRow(ctx, `SELECT string_agg(quote_ident(tablename), ', ')
		FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'dmprivacy_migrations'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	privacytest.CheckStack(t, func(t *testing.T) privacytest.Stack[int64] {
		if _, err := pool.Exec(ctx, "TRUNCATE "+tables); err != nil {
			t.Fatalf("emptying the schema: %v", err)
		}
		s := postgres.New(pool)
		return privacytest.Stack[int64]{Graph: s, Inbox: s, Writer: postgres.KitStore{Store: s, Ctx: ctx}}
	}, kitID, nil)
}
