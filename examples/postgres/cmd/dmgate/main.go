// Command dmgate serves the dmprivacy engine over HTTP and PostgreSQL: the
// routes of package gate (see its documentation, and the module's
// README.md, for the endpoints, who may call each, and how to deploy it).
//
// Usage:
//
//	DATABASE_URL=postgres://… DMGATE_JWT_ISSUER=… DMGATE_USER_KEYS=user.pem DMGATE_BACKEND_KEYS=backend.key dmgate
//
// Flags override the environment variables named in -help. dmgate refuses
// to start without credentials to check (-user-keys, -backend-keys or
// -client-ca) unless -insecure-no-auth is given, which it allows only on a
// loopback address. At start it applies the schema's migrations
// (-migrate=false to skip); on SIGTERM or SIGINT it stops accepting
// connections, finishes the requests in flight and exits 0.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/gate"
	"github.com/dmprivacy/dmprivacy/examples/postgres/replica"
	"github.com/dmprivacy/dmprivacy/privacy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stderr))
}

// DefaultMaxConns is the pool size when neither -db-max-conns nor the
// URL's pool_max_conns sets one: sends hold a connection while they wait
// for another send's row locks, so the pool is larger than the cores.
func DefaultMaxConns() int32 { return int32(max(8, 4*runtime.GOMAXPROCS(0))) }

// run serves until ctx ends, then shuts down gracefully; it returns the
// exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	fs := flag.NewFlagSet("dmgate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	listen := fs.String("listen", env("DMGATE_LISTEN", "127.0.0.1:8080"), "address to serve the API on (env DMGATE_LISTEN); keep it on loopback or a private network")
	opsListen := fs.String("ops-listen", env("DMGATE_OPS_LISTEN", ""), "address to serve /healthz, /readyz and /metrics on instead of -listen (env DMGATE_OPS_LISTEN)")
	dbURL := fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	maxConns := fs.Int("db-max-conns", atoi(getenv("DMGATE_DB_MAX_CONNS")), "database pool size (env DMGATE_DB_MAX_CONNS); 0: the URL's pool_max_conns, else max(8, 4×GOMAXPROCS)")
	policy := fs.String("policy", env("DMGATE_POLICY", "tiktok"), "policy preset (env DMGATE_POLICY)")
	migrate := fs.Bool("migrate", true, "apply the schema's migrations at start")
	issuer := fs.String("jwt-issuer", getenv("DMGATE_JWT_ISSUER"), "required iss of tokens (env DMGATE_JWT_ISSUER)")
	audience := fs.String("jwt-audience", env("DMGATE_JWT_AUDIENCE", "dmgate"), "required aud of tokens (env DMGATE_JWT_AUDIENCE)")
	userKeys := fs.String("user-keys", getenv("DMGATE_USER_KEYS"), "comma-separated files of keys that verify end users' tokens: PEM public keys (RS256, ES256, EdDSA) or HS256 secrets (env DMGATE_USER_KEYS)")
	backendKeys := fs.String("backend-keys", getenv("DMGATE_BACKEND_KEYS"), "comma-separated files of keys that verify back ends' tokens (env DMGATE_BACKEND_KEYS)")
	tlsCert := fs.String("tls-cert", getenv("DMGATE_TLS_CERT"), "serve HTTPS with this certificate chain, PEM (env DMGATE_TLS_CERT)")
	tlsKey := fs.String("tls-key", getenv("DMGATE_TLS_KEY"), "the certificate's private key, PEM (env DMGATE_TLS_KEY)")
	clientCA := fs.String("client-ca", getenv("DMGATE_CLIENT_CA"), "with -tls-cert: CA certificates, PEM, whose client certificates authenticate back ends by common name (env DMGATE_CLIENT_CA)")
	insecure := fs.Bool("insecure-no-auth", false, "serve without authentication, every caller acting for anyone: local demos only, loopback only")
	logLevel := fs.String("log-level", env("DMGATE_LOG_LEVEL", "info"), "service log level: debug, info, warn or error (env DMGATE_LOG_LEVEL)")
	decisionLog := fs.Bool("decision-log", true, "log one JSON line per decision")
	decisionSample := fs.Int("decision-sample", 1, "log one decision in this many (failed ones always)")
	maxBatch := fs.Int("max-batch", gate.DefaultMaxBatch, "most recipients in one batch check")
	maxBody := fs.Int64("max-body", gate.DefaultMaxBody, "most bytes in a request body (contact syncs: -max-sync)")
	maxSync := fs.Int64("max-sync", gate.DefaultMaxSync, "most bytes in a contact sync's body")
	dbTimeout := fs.Duration("db-timeout", 2*time.Second, "bound on each request's database work")
	grace := fs.Duration("shutdown-timeout", 10*time.Second, "how long requests in flight may take to finish at shutdown")
	replicaOn := fs.Bool("replica", getenv("DMGATE_REPLICA") == "1" || getenv("DMGATE_REPLICA") == "true",
		"replica mode: answer checks, batches, audience and settings reads from an in-memory replica that follows PostgreSQL's logical replication stream; writes and sends still go to PostgreSQL (env DMGATE_REPLICA=1)")
	replicaName := fs.String("replica-name", env("DMGATE_REPLICA_NAME", defaultReplicaName()),
		"this instance's replica name, unique among instances and stable across restarts: its slot is dmreplica_NAME (env DMGATE_REPLICA_NAME; default: the host name)")
	replicaPub := fs.String("replica-publication", env("DMGATE_REPLICA_PUBLICATION", "dmprivacy_replica"), "the publication the replica streams, created if missing (env DMGATE_REPLICA_PUBLICATION)")
	replicaWait := fs.Duration("replica-max-wait", 50*time.Millisecond, "how long a read carrying a consistency token waits for the replica before asking PostgreSQL")
	replicaLag := fs.Duration("replica-max-lag", 5*time.Second, "readiness fails, and reads go to PostgreSQL, while the replica lags more than this")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "dmgate: "+format+"\n", a...)
		return code
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fail(2, "-log-level: %v", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	if *dbURL == "" {
		return fail(2, "set DATABASE_URL or -database-url")
	}
	p, err := privacy.PolicyByName(*policy)
	if err != nil {
		return fail(2, "%v", err)
	}

	// Credentials.
	var auth gate.Authenticator
	if *userKeys != "" || *backendKeys != "" {
		j := &gate.JWT{Issuer: *issuer, Audience: *audience}
		if j.UserKeys, err = readKeys(*userKeys); err == nil {
			j.BackendKeys, err = readKeys(*backendKeys)
		}
		if err == nil {
			err = j.Check()
		}
		if err != nil {
			return fail(2, "%v", err)
		}
		auth = j
	}
	var tlsConfig *tls.Config
	if (*tlsCert == "") != (*tlsKey == "") {
		return fail(2, "-tls-cert and -tls-key go together")
	}
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			return fail(2, "%v", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if *clientCA != "" {
		if tlsConfig == nil {
			return fail(2, "-client-ca needs -tls-cert and -tls-key")
		}
		pem, err := os.ReadFile(*clientCA)
		if err != nil {
			return fail(2, "%v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fail(2, "-client-ca: no certificates in %s", *clientCA)
		}
		tlsConfig.ClientCAs, tlsConfig.ClientAuth = pool, tls.VerifyClientCertIfGiven
		auth = gate.Certificates{Next: auth}
	}
	if *insecure {
		if auth != nil {
			return fail(2, "-insecure-no-auth together with credentials to check")
		}
		if !loopback(*listen) || (*opsListen != "" && !loopback(*opsListen)) {
			return fail(2, "-insecure-no-auth serves only on a loopback address, not %s", *listen)
		}
	} else if auth == nil {
		return fail(2, "no credentials configured: set -user-keys and/or -backend-keys (with -jwt-issuer), or -client-ca; "+
			"-insecure-no-auth serves a local demo open on loopback")
	}

	// The database.
	pcfg, err := pgxpool.ParseConfig(*dbURL)
	if err != nil {
		return fail(2, "database URL: %v", err)
	}
	switch {
	case *maxConns > 0:
		pcfg.MaxConns = int32(*maxConns)
	case !strings.Contains(*dbURL, "pool_max_conns"):
		pcfg.MaxConns = DefaultMaxConns()
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return fail(2, "database: %v", err)
	}
	defer pool.Close()
	if *migrate {
		mctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := postgres.Migrate(mctx, pool)
		cancel()
		if err != nil {
			return fail(1, "%v", err)
		}
	}
	cfg := gate.Config{
		Store: postgres.New(pool), Policy: p, Pool: pool, Auth: auth, InsecureNoAuth: *insecure, Log: log,
		DBTimeout: *dbTimeout, MaxBody: *maxBody, MaxSync: *maxSync, MaxBatch: *maxBatch,
		DecisionSample: *decisionSample,
	}
	if *replicaOn {
		// The replica loads in the background: /readyz fails, and reads go
		// to PostgreSQL, until it has.
		rep, err := replica.Start(replica.Config{ConnString: *dbURL, Name: *replicaName, Publication: *replicaPub, Log: log})
		if err != nil {
			return fail(2, "%v", err)
		}
		defer func() {
			if err := rep.Close(); err != nil {
				log.Error("closing the replica", "err", err)
			}
		}()
		cfg.Replica, cfg.ReplicaMaxWait, cfg.ReplicaMaxLag = rep, *replicaWait, *replicaLag
	}
	if *decisionLog {
		cfg.DecisionLog = log
	}
	g, err := gate.New(cfg)
	if err != nil {
		return fail(2, "%v", err)
	}

	// Serving.
	handler, ops := http.Handler(g), http.Handler(nil)
	if *opsListen != "" {
		handler, ops = g.API(), g.Ops()
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	type server struct {
		srv *http.Server
		ln  net.Listener
	}
	var servers []server
	for _, s := range []struct {
		addr string
		h    http.Handler
	}{{*listen, handler}, {*opsListen, ops}} {
		if s.h == nil {
			continue
		}
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			return fail(1, "%v", err)
		}
		if !loopback(s.addr) && tlsConfig == nil {
			log.Warn("serving plain HTTP beyond loopback: keep this address on a private network behind a TLS proxy", "addr", s.addr)
		}
		servers = append(servers, server{&http.Server{
			Handler:           s.h,
			TLSConfig:         tlsConfig,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      15 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    16 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		}, ln})
	}
	served := make(chan error, len(servers))
	for i, s := range servers {
		attrs := []any{"addr", scheme + "://" + s.ln.Addr().String(), "policy", p.Name, "db_max_conns", pcfg.MaxConns}
		if i == 1 {
			attrs = append(attrs, "serves", "ops")
		}
		log.Info("listening", attrs...)
		go func() {
			if tlsConfig != nil {
				served <- s.srv.ServeTLS(s.ln, "", "")
				return
			}
			served <- s.srv.Serve(s.ln)
		}()
	}
	select {
	case err := <-served:
		log.Error("serving", "err", err)
		return 1
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	code := 0
	for _, s := range servers {
		if err := s.srv.Shutdown(sctx); err != nil {
			log.Error("shutdown", "err", err)
			code = 1
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			log.Error("serving", "err", err)
			code = 1
		}
	}
	log.Info("shut down")
	return code
}

// defaultReplicaName is the host's name as a replica name: lower case,
// a-z, 0-9 and _ only, at most 40 bytes.
func defaultReplicaName() string {
	h, _ := os.Hostname()
	var b strings.Builder
	for _, c := range strings.ToLower(h) {
		if b.Len() == 40 {
			break
		}
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "dmgate"
	}
	return b.String()
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// readKeys reads a comma-separated list of key files.
func readKeys(list string) ([]gate.Key, error) {
	var out []gate.Key
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		k, err := gate.ParseKey(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, k)
	}
	return out, nil
}

// loopback reports whether addr (host:port) names a loopback host.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
