// Package pgtest gives each test its own empty, migrated schema on the
// PostgreSQL server named by DMPRIVACY_POSTGRES_URL, and counts round trips.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	neturl "net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
)

// EnvURL is the environment variable the tests read.
const EnvURL = "DMPRIVACY_POSTGRES_URL"

// HowTo is the skip message of tests without a server.
const HowTo = EnvURL + ` is not set, so the PostgreSQL tests are skipped. To run them:
  bash .ci/postgres.sh   # from the repository root: a throwaway server, then these tests
or against a server of your own (a database the user may create schemas in):
  initdb -D /tmp/pg -U postgres --auth=trust && pg_ctl -D /tmp/pg -o "-p 55432 -k /tmp -c listen_addresses=127.0.0.1" start
  ` + EnvURL + `=postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable go test ./...`

// URL returns the server's URL, or skips t with [HowTo].
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		t.Skip(HowTo)
	}
	return u
}

// Options tune [Open].
type Options struct {
	// MaxConns caps the pool; 0 means pgx's default.
	MaxConns int32

	// Counter, if set, counts the round trips of the pool's connections.
	Counter *Counter
}

// SchemaURL creates an empty schema, dropped when the test ends, and
// returns the server's URL with the schema as its search_path: a database
// of the test's own. It skips t without a server.
func SchemaURL(t testing.TB) string {
	t.Helper()
	url := URL(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connecting to %s: %v", EnvURL, err)
	}
	defer admin.Close(ctx)
	schema := "dmtest_" + randomHex()
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a pool whose connections work in a new schema of their own
// (see [SchemaURL]), migrated; it skips t without a server.
func Open(t testing.TB, o *Options) *pgxpool.Pool {
	t.Helper()
	pool, _ := OpenURL(t, o)
	return pool
}

// OpenURL is Open, and also returns the schema's URL, for connections of
// other kinds (a replica's replication connections).
func OpenURL(t testing.TB, o *Options) (*pgxpool.Pool, string) {
	t.Helper()
	url := SchemaURL(t)
	if o == nil {
		o = &Options{}
	}
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	if c := o.Counter; c != nil {
		dial := cfg.ConnConfig.DialFunc
		cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &countingConn{Conn: conn, c: c}, nil
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	return pool, url
}

func randomHex() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Counter counts round trips: a client's turn to write after the server
// answered. A query with its Parse, Bind, Execute and Sync messages is one
// round trip however many writes it takes, and so is a batch.
type Counter struct {
	trips atomic.Int64
}

// Trips returns the round trips so far.
func (c *Counter) Trips() int64 { return c.trips.Load() }

type countingConn struct {
	net.Conn
	c  *Counter
	mu sync.Mutex
	// wrote is true while the client is in its turn to write: set by a
	// write, cleared by a read.
	wrote bool
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if !c.wrote {
		c.wrote = true
		c.c.trips.Add(1)
	}
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.wrote = false
		c.mu.Unlock()
	}
	return n, err
}
