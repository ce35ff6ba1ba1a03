// Command dmgate is an HTTP JSON service that decides who may message whom,
// over the SDK's engine and a PostgreSQL database: a back-end-to-back-end
// service for a host's own services (its callers are never end users), in
// any language.
//
// Usage:
//
//	DATABASE_URL=postgres://… dmgate [-listen 127.0.0.1:8080] [-policy tiktok]
//
// Flags override the environment: -database-url (DATABASE_URL), -listen
// (DMGATE_LISTEN, default 127.0.0.1:8080). At start it applies the schema's
// migrations (-migrate=false to skip); on SIGTERM or SIGINT it stops
// accepting connections, finishes the requests in flight and exits 0.
//
// Endpoints (IDs are int64 user IDs; bodies are JSON, decoded strictly:
// unknown fields, trailing data and bodies over the limit are 4xx errors):
//
//	POST   /v1/check                 {"sender":1,"recipient":2} → {"allowed":true,"folder":"primary","reason":"friend","view":"allowed"}
//	POST   /v1/check-batch           {"sender":1,"recipients":[2,3]} → {"decisions":[{"recipient":2,…},…]}
//	POST   /v1/messages              {"sender":1,"recipient":2} → the decision, and the delivery recorded when allowed
//	POST   /v1/requests/{recipient}/{sender}/accept | decline
//	GET    /v1/audience/{user}       → {"mode":"friends","modes":[{"mode":"everyone","primary":…,"requests":…,"gain":…},…]}; ?mode=everyone[&after=…&limit=…] lists who, page by page
//	GET    /v1/settings/{user}       → {"mode":"default","effective":"friends"}
//	PUT    /v1/settings/{user}       {"mode":"everyone"} (or {} for the default); refused (422) if the user may not choose it
//	PUT    /v1/users/{user}          {"status":"active","birth":"1990-04-02"} (or "band":"18+","band_as_of":"2025-01-01"; "verified", "hide_from_contacts", "hide_from_facebook")
//	PUT    /v1/users/{user}/contact-key {"key":"…"}   the hash of the user's own number
//	PUT    /v1/users/{user}/contacts    {"keys":[…]}  the user's synced address book, as hashes
//	PUT    /v1/follows/{from}/{to}   and DELETE; likewise /v1/blocks, /v1/restricts, /v1/facebook
//	GET    /healthz                  200 {"status":"ok"}, or 503 when the database does not answer
//
// A decision's "view" is the only field to forward to the sender's screen:
// "allowed", "not_allowed", "you_blocked", "age_restricted",
// "request_limit" or "unavailable". "reason" and "folder" are for the
// caller's back end (audit logs, routing the message); the reason may reveal
// what the recipient hid, such as a block.
//
// A check naming an unknown user is a normal deny (view "unavailable"). A
// write naming an unknown user is 404 with {"error":{"code":"unknown_user",…}}
// and changes nothing. When the database fails, a check is 503 with a deny
// body (reason "error", view "not_allowed"): never an allow.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/privacy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stderr))
}

// run serves until ctx ends, then shuts down gracefully; it returns the
// exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	fs := flag.NewFlagSet("dmgate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", or(getenv("DMGATE_LISTEN"), "127.0.0.1:8080"), "address to listen on (env DMGATE_LISTEN)")
	dbURL := fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	policy := fs.String("policy", "tiktok", "policy preset")
	migrate := fs.Bool("migrate", true, "apply the schema's migrations at start")
	maxBatch := fs.Int("max-batch", defaultMaxBatch, "most recipients in one batch check")
	maxBody := fs.Int64("max-body", defaultMaxBody, "most bytes in a request body (contact syncs: -max-sync)")
	maxSync := fs.Int64("max-sync", defaultMaxSync, "most bytes in a contact sync's body")
	dbTimeout := fs.Duration("db-timeout", 2*time.Second, "bound on each request's database work")
	grace := fs.Duration("shutdown-timeout", 10*time.Second, "how long requests in flight may take to finish at shutdown")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if *dbURL == "" {
		fmt.Fprintln(stderr, "dmgate: set DATABASE_URL or -database-url")
		return 2
	}
	p, err := privacy.PolicyByName(*policy)
	if err != nil {
		fmt.Fprintln(stderr, "dmgate:", err)
		return 2
	}
	pool, err := pgxpool.New(ctx, *dbURL)
	if err != nil {
		fmt.Fprintln(stderr, "dmgate: database URL:", err)
		return 2
	}
	defer pool.Close()
	if *migrate {
		mctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := postgres.Migrate(mctx, pool)
		cancel()
		if err != nil {
			fmt.Fprintln(stderr, "dmgate:", err)
			return 1
		}
	}
	store := postgres.New(pool)
	checker, err := postgres.NewChecker(store, &privacy.Options{Policy: p})
	if err != nil {
		fmt.Fprintln(stderr, "dmgate:", err)
		return 1
	}
	s := &server{
		checker: checker, store: store, ping: pool.Ping, log: log, now: time.Now,
		maxBody: *maxBody, maxSync: *maxSync, maxBatch: *maxBatch, dbTimeout: *dbTimeout,
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(stderr, "dmgate:", err)
		return 1
	}
	srv := &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", "addr", "http://"+ln.Addr().String(), "policy", p.Name)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		log.Error("serving", "err", err)
		return 1
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", *grace)
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		log.Error("serving", "err", err)
		return 1
	}
	log.Info("shut down")
	return 0
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
