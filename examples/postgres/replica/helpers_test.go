package replica

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	neturl "net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
)

// env is a test's schema, its Store and what its replicas need.
type env struct {
	t    testing.TB
	pg   *postgres.Store
	url  string
	pub  string
	logs *slog.Logger
}

// newEnv gives t a migrated schema of its own and a publication over it,
// dropped when t ends.
func newEnv(t testing.TB) *env {
	t.Helper()
	pool, url := pgtest.OpenURL(t, &pgtest.Options{MaxConns: 4})
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, pg: postgres.New(pool), url: url, pub: "dmtest_pub_" + u.Query().Get("search_path")}
	e.logs = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if testing.Verbose() {
		e.logs = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("dropping publication: %v", err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP PUBLICATION IF EXISTS "+e.pub); err != nil {
			t.Errorf("dropping publication: %v", err)
		}
	})
	return e
}

func randomName() string {
	var b [6]byte
	rand.Read(b[:])
	return "t" + hex.EncodeToString(b[:])
}

func (e *env) config() Config {
	return Config{ConnString: e.url, Name: randomName(), Publication: e.pub, Log: e.logs,
		StatusInterval: 50 * time.Millisecond, RetryMin: 20 * time.Millisecond, RetryMax: 500 * time.Millisecond}
}

// open opens a replica of the env's schema, closed (and its slot dropped)
// when the test ends.
func (e *env) open(cfg Config) *Replica {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, err := Open(ctx, cfg)
	if err != nil {
		e.t.Fatalf("opening a replica: %v", err)
	}
	e.t.Cleanup(func() {
		if err := r.Close(); err != nil {
			e.t.Errorf("closing the replica: %v", err)
		}
	})
	return r
}

// wait waits for r to cover tok, failing the test after 20 s.
func wait(t testing.TB, r *Replica, tok postgres.Token) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.WaitFor(ctx, tok); err != nil {
		t.Fatalf("waiting for %v (replica at %v, %v): %v", tok, r.Position(), r.Status().State, err)
	}
}

func (e *env) admin(t testing.TB) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), e.url)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// terminateWalsender ends the walsender streaming slot, as a lost
// connection would, and returns how many it ended.
func terminateWalsender(t testing.TB, e *env, slot string) int {
	t.Helper()
	c := e.admin(t)
	defer c.Close(context.Background())
	var n int
	deadline := time.Now().Add(10 * time.Second)
	for n == 0 && time.Now().Before(deadline) {
		if err := c.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(active_pid)) FROM pg_replication_slots
			WHERE slot_name = $1 AND active_pid IS NOT NULL`, slot).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			time.Sleep(10 * time.Millisecond) // reconnecting
		}
	}
	return n
}

func slotExists(t testing.TB, e *env, slot string) bool {
	t.Helper()
	c := e.admin(t)
	defer c.Close(context.Background())
	var ok bool
	if err := c.QueryRow(context.Background(), `SELECT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = $1)`, slot).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}
