package gate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/replica"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// Config configures a [Gate]. Store and one of Auth or InsecureNoAuth are
// required; the zero value of every other field means its default.
type Config struct {
	// Store is the database the gate decides over and writes to.
	Store *postgres.Store

	// Policy is the platform's rules; nil means privacy.TikTok().
	Policy *privacy.Policy

	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// Auth says who sent each request to /v1/. Required, unless
	// InsecureNoAuth is set.
	Auth Authenticator

	// InsecureNoAuth, for local demos only, treats every request as a
	// back end named "insecure-no-auth" that may act for anyone. New
	// refuses it together with Auth, and logs a warning.
	InsecureNoAuth bool

	// Pool, if set, is the pool behind Store: its statistics are exported
	// as metrics.
	Pool *pgxpool.Pool

	// Log is the service log: start-up, refusals at INFO, back ends'
	// writes with their caller at INFO, outages and bugs at ERROR (at
	// most ErrorBurst lines per ErrorInterval, with a count of the lines
	// held back), caller mistakes at DEBUG. Nil means slog.Default().
	Log *slog.Logger

	// ErrorBurst and ErrorInterval bound the ERROR lines; zero means 10
	// lines per 10 seconds.
	ErrorBurst    int
	ErrorInterval time.Duration

	// DecisionLog, if set, gets one INFO line per decision the engine
	// makes (op, sender, recipient, allowed, folder, reason, view, rule,
	// duration_ns, error), or one per DecisionSample decisions; failed
	// decisions are not sampled but limited like ERROR lines. Use a JSON
	// handler, and its level to turn it down.
	DecisionLog    *slog.Logger
	DecisionSample int

	// Registry receives the gate's metrics and is served on /metrics;
	// nil means a new registry with the Go runtime and process
	// collectors.
	Registry *prometheus.Registry

	// Observer, if set, is told of every decision after the gate's own
	// metrics and log.
	Observer privacy.Observer[int64]

	// DBTimeout bounds each request's database work (2 s); ReadyTimeout
	// bounds the readiness check's ping (1 s).
	DBTimeout, ReadyTimeout time.Duration

	// MaxBody bounds a request body (64 KiB), MaxSync a contact sync's
	// (1 MiB), MaxBatch the recipients of a batch check (1000).
	MaxBody, MaxSync int64
	MaxBatch         int

	// Replica, if set, answers checks, batches, audience previews and
	// settings reads from memory (replica mode): a read without a
	// consistency token at once, one with a token once the replica has
	// applied the token's write, waiting at most ReplicaMaxWait (50 ms),
	// else from Store. Writes and sends always go to Store. /readyz
	// fails while the replica loads or lags more than ReplicaMaxLag (5 s),
	// and reads go to Store then too. The caller starts and closes it.
	Replica        *replica.Replica
	ReplicaMaxWait time.Duration
	ReplicaMaxLag  time.Duration
}

// Defaults of Config's zero fields.
const (
	DefaultMaxBody  = 64 << 10
	DefaultMaxSync  = 1 << 20
	DefaultMaxBatch = 1000
)

// Gate is dmgate's HTTP API over a Store. It is an http.Handler, safe for
// concurrent use. Its routes are described in the package documentation.
type Gate struct {
	cfg      Config
	store    *postgres.Store
	checker  *postgres.Checker
	engine   *privacy.Engine[int64]
	policy   *privacy.Policy
	auth     Authenticator
	log      *slog.Logger
	now      func() time.Time
	errLimit limiter
	replica  *replica.Checker
	metrics  *metrics
	decision decisionLog
	all      http.Handler
	api      http.Handler
	ops      http.Handler
}

// New returns a Gate, or an error for a configuration that would serve
// nothing or serve it open: no Store, or no Auth without InsecureNoAuth.
func New(cfg Config) (*Gate, error) {
	if cfg.Store == nil {
		return nil, errors.New("gate: Config.Store is nil")
	}
	switch {
	case cfg.Auth == nil && !cfg.InsecureNoAuth:
		return nil, errors.New("gate: no authentication configured (Config.Auth); refusing to serve the API open")
	case cfg.Auth != nil && cfg.InsecureNoAuth:
		return nil, errors.New("gate: Config.Auth and InsecureNoAuth together")
	}
	g := &Gate{cfg: cfg, store: cfg.Store, auth: cfg.Auth, log: cfg.Log, now: cfg.Now}
	if g.log == nil {
		g.log = slog.Default()
	}
	if g.now == nil {
		g.now = time.Now
	}
	if cfg.InsecureNoAuth {
		g.auth = AuthenticatorFunc(func(*http.Request) (Principal, error) {
			return Principal{Backend: true, Caller: "insecure-no-auth"}, nil
		})
		g.log.Warn("AUTHENTICATION IS OFF: every caller may act for every user; for local demos only")
	}
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&g.cfg.MaxBody, DefaultMaxBody)
	def(&g.cfg.MaxSync, DefaultMaxSync)
	if g.cfg.MaxBatch <= 0 {
		g.cfg.MaxBatch = DefaultMaxBatch
	}
	if g.cfg.DBTimeout <= 0 {
		g.cfg.DBTimeout = 2 * time.Second
	}
	if g.cfg.ReadyTimeout <= 0 {
		g.cfg.ReadyTimeout = time.Second
	}
	g.errLimit = limiter{burst: cfg.ErrorBurst, interval: cfg.ErrorInterval}
	if g.errLimit.burst <= 0 {
		g.errLimit.burst = 10
	}
	if g.errLimit.interval <= 0 {
		g.errLimit.interval = 10 * time.Second
	}
	var err error
	if g.metrics, err = newMetrics(cfg.Registry, cfg.Pool, cfg.Replica); err != nil {
		return nil, err
	}
	g.decision = decisionLog{log: cfg.DecisionLog, every: uint64(max(cfg.DecisionSample, 1)),
		failed: limiter{burst: g.errLimit.burst, interval: g.errLimit.interval}}
	g.checker, err = postgres.NewChecker(cfg.Store, &privacy.Options{
		Policy: cfg.Policy, Now: cfg.Now, Observer: privacy.ObserverFunc[int64](g.observe),
	})
	if err != nil {
		return nil, err
	}
	g.engine = g.checker.Engine()
	if cfg.Replica != nil {
		if g.cfg.ReplicaMaxWait <= 0 {
			g.cfg.ReplicaMaxWait = 50 * time.Millisecond
		}
		if g.cfg.ReplicaMaxLag <= 0 {
			g.cfg.ReplicaMaxLag = 5 * time.Second
		}
		g.replica, err = replica.NewChecker(cfg.Replica, cfg.Store, replica.CheckerConfig{
			Options: &privacy.Options{Policy: cfg.Policy, Now: cfg.Now, Observer: privacy.ObserverFunc[int64](g.observe)},
			MaxWait: g.cfg.ReplicaMaxWait, MaxLag: g.cfg.ReplicaMaxLag,
		})
		if err != nil {
			return nil, err
		}
	}
	g.policy = g.engine.Policy()
	g.api = g.routes(true, false)
	g.ops = g.routes(false, true)
	g.all = g.routes(true, true)
	return g, nil
}

// ServeHTTP serves the API under /v1/ and the operational endpoints
// (/healthz, /readyz, /metrics).
func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.all.ServeHTTP(w, r) }

// API returns a handler of the /v1/ routes only.
func (g *Gate) API() http.Handler { return g.api }

// Ops returns a handler of the operational endpoints only, for a listener
// of their own: /healthz, /readyz and /metrics, which need no credential
// and show no user's data.
func (g *Gate) Ops() http.Handler { return g.ops }

// Engine returns the engine the gate decides with.
func (g *Gate) Engine() *privacy.Engine[int64] { return g.engine }

// call is one authenticated request.
type call struct {
	Principal
	attrs []any // what a back end's write changed, for its log line
}

// handler is an API endpoint: it returns an error and one place answers.
type handler func(w http.ResponseWriter, r *http.Request, c *call) error

// route is an API endpoint and whether it changes data.
type route struct {
	pattern string
	h       handler
	write   bool
}

func (g *Gate) routes(api, ops bool) http.Handler {
	mux := http.NewServeMux()
	if api {
		for _, rt := range g.apiRoutes() {
			mux.Handle(rt.pattern, g.serveAPI(rt))
		}
	}
	if ops {
		mux.Handle("GET /healthz", g.instrument(http.HandlerFunc(g.healthz)))
		mux.Handle("GET /readyz", g.instrument(http.HandlerFunc(g.readyz)))
		mux.Handle("GET /metrics", g.instrument(g.metrics.handler()))
	}
	return &unmatched{mux: mux, g: g}
}

// serveAPI authenticates, runs the endpoint and answers its error.
func (g *Gate) serveAPI(rt route) http.Handler {
	return g.instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := g.auth.Authenticate(r)
		if err != nil {
			if !errors.Is(err, ErrUnauthenticated) {
				err = fmt.Errorf("%w: %w", ErrUnauthenticated, err)
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="dmgate"`)
			if !errors.Is(err, errNoCredential) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="dmgate", error="invalid_token"`)
			}
			g.fail(w, r, err)
			return
		}
		c := &call{Principal: p}
		sw := w.(*statusWriter)
		if err := rt.h(w, r, c); err != nil {
			g.fail(w, r, err)
		}
		if rt.write && p.Backend && sw.status < 300 {
			attrs := append([]any{"caller", p.Caller, "route", r.Pattern, "status", sw.status}, c.attrs...)
			g.log.InfoContext(r.Context(), "back-end write", attrs...)
		}
	}))
}

// fail answers err: its status, and a JSON body naming the code and the
// field; a decision endpoint's body is also a deny.
func (g *Gate) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := classify(err)
	g.logError(r, e, err)
	var d *denyError
	if errors.As(err, &d) {
		writeJSON(w, e.Status, d.body(e.json()))
		return
	}
	writeJSON(w, e.Status, map[string]errorJSON{"error": e.json()})
}

// denyError is a failed decision: the caller is told the error and a deny.
type denyError struct {
	err  error
	body func(errorJSON) any
}

func (e *denyError) Error() string { return e.err.Error() }
func (e *denyError) Unwrap() error { return e.err }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // never rendered as HTML: nosniff and a JSON type
	enc.Encode(v)
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts the request by route and status.
func (g *Gate) instrument(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		g.metrics.request(r.Pattern, sw.status, time.Since(start))
	})
}

// unmatched answers requests no route takes as the mux would (404, or 405
// with Allow when the path exists under other methods), with a JSON body,
// and passes the rest to the mux.
type unmatched struct {
	mux *http.ServeMux
	g   *Gate
}

func (u *unmatched) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := u.mux.Handler(r)
	if pattern != "" {
		u.mux.ServeHTTP(w, r)
		return
	}
	rec := &recorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status != http.StatusNotFound && rec.status != http.StatusMethodNotAllowed {
		u.mux.ServeHTTP(w, r) // a redirect to the clean path
		return
	}
	e := &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such endpoint"}
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		e = &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "this endpoint takes " + rec.header.Get("Allow")}
	}
	writeJSON(w, e.Status, map[string]errorJSON{"error": e.json()})
	u.g.metrics.request("unmatched", e.Status, 0)
}

// recorder keeps what the mux's own 404 or 405 handler writes.
type recorder struct {
	header http.Header
	status int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(p []byte) (int, error) { return len(p), nil }
func (r *recorder) WriteHeader(code int)        { r.status = code }

// healthz is liveness: the process serves HTTP. It does not ask the
// database, so an outage of the database does not get the gate restarted.
func (g *Gate) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is readiness: the database answers a query within ReadyTimeout,
// and in replica mode the replica has loaded and lags at most
// ReplicaMaxLag.
func (g *Gate) readyz(w http.ResponseWriter, r *http.Request) {
	if why := g.replicaReady(); why != "" {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "replica": why})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), g.cfg.ReadyTimeout)
	defer cancel()
	if _, err := g.store.DB().Exec(ctx, "SELECT 1"); err != nil {
		e := classify(fmt.Errorf("%w: %w", postgres.ErrUnavailable, err))
		g.logError(r, e, err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
