package gate

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/replica"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// metrics are the gate's Prometheus metrics.
type metrics struct {
	reg         *prometheus.Registry
	decisions   *prometheus.CounterVec   // op, reason, allowed
	latencyVec  *prometheus.HistogramVec // op
	storeErrors *prometheus.CounterVec   // op, kind
	requests    *prometheus.CounterVec   // route, code
	reqLatency  *prometheus.HistogramVec // route
	reads       *prometheus.CounterVec   // source (replica mode)
	tokenWait   prometheus.Histogram     // replica mode

	// The children of decisions and latency, looked up once per label
	// set rather than hashed per decision.
	decisionCells [8][256][2]atomic.Pointer[prometheus.Counter] // op, reason, allowed
	latencyCells  [8]atomic.Pointer[prometheus.Observer]        // op
}

// decision returns the counter of decisions of op with reason r.
func (m *metrics) decision(op privacy.Op, r privacy.Reason, allowed bool) prometheus.Counter {
	a := 0
	if allowed {
		a = 1
	}
	if int(op) >= len(m.decisionCells) {
		return m.decisions.WithLabelValues(op.String(), r.String(), strconv.FormatBool(allowed))
	}
	cell := &m.decisionCells[op][r][a]
	if c := cell.Load(); c != nil {
		return *c
	}
	c := m.decisions.WithLabelValues(op.String(), r.String(), strconv.FormatBool(allowed))
	cell.Store(&c)
	return c
}

// latency returns the histogram of decisions of op.
func (m *metrics) latency(op privacy.Op) prometheus.Observer {
	if int(op) >= len(m.latencyCells) {
		return m.latencyVec.WithLabelValues(op.String())
	}
	cell := &m.latencyCells[op]
	if o := cell.Load(); o != nil {
		return *o
	}
	o := m.latencyVec.WithLabelValues(op.String())
	cell.Store(&o)
	return o
}

func newMetrics(reg *prometheus.Registry, pool *pgxpool.Pool, rep *replica.Replica) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	m := &metrics{
		reg: reg,
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dmgate_decisions_total",
			Help: "Decisions made, by engine call (check, batch, send), audit reason and outcome.",
		}, []string{"op", "reason", "allowed"}),
		latencyVec: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dmgate_decision_duration_seconds",
			Help:    "Time to decide, database reads included; a batch's time is shared among its recipients.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"op"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dmgate_store_errors_total",
			Help: "Decisions that failed on the database (and denied), by engine call and kind: unavailable, conflict, invalid, canceled or other.",
		}, []string{"op", "kind"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dmgate_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		reqLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dmgate_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
	}
	m.reads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dmgate_reads_total",
		Help: "Reads in replica mode, by where they were answered: current (the replica), waited (the replica, after waiting for a token), timeout, not_ready or primary (PostgreSQL).",
	}, []string{"source"})
	m.tokenWait = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "dmgate_replica_token_wait_seconds",
		Help:    "Time a read carrying a consistency token waited for the replica (replica mode).",
		Buckets: []float64{.00001, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1},
	})
	cs := []prometheus.Collector{m.decisions, m.latencyVec, m.storeErrors, m.requests, m.reqLatency}
	if pool != nil {
		cs = append(cs, poolCollector{pool})
	}
	if rep != nil {
		cs = append(cs, m.reads, m.tokenWait, replicaCollector{rep})
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func (m *metrics) request(route string, code int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	if d > 0 {
		m.reqLatency.WithLabelValues(route).Observe(d.Seconds())
	}
}

// errorKind names the kind of a store error, for metrics and logs.
func errorKind(err error) string {
	switch {
	case errors.Is(err, postgres.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, postgres.ErrConflict):
		return "conflict"
	case errors.Is(err, postgres.ErrInvalidInput):
		return "invalid"
	case classify(err).Status == statusClientClosed:
		return "canceled"
	}
	return "other"
}

// observe is the engine's observer: metrics and the decision log for each
// decision, then the host's own observer.
func (g *Gate) observe(o privacy.Observation[int64]) {
	d := o.Decision
	reason, allowed := d.Reason, d.Allowed
	if o.Op == privacy.OpGroup {
		reason, allowed = o.Group.Reason, o.Group.Outcome != privacy.GroupDeny
	}
	g.metrics.decision(o.Op, reason, allowed).Inc()
	dur := o.Duration
	if o.Batch > 1 {
		dur /= time.Duration(o.Batch)
	}
	g.metrics.latency(o.Op).Observe(dur.Seconds())
	if o.Err != nil {
		g.metrics.storeErrors.WithLabelValues(o.Op.String(), errorKind(o.Err)).Inc()
	}
	g.decision.write(&o)
	if g.cfg.Observer != nil {
		g.cfg.Observer.Observe(o)
	}
}

// decisionLog writes one line per decision, or per every-th decision.
// Failed decisions are not sampled but rate-limited (an outage fails every
// decision), and the next line written says how many were held back.
type decisionLog struct {
	log    *slog.Logger
	every  uint64
	n      atomic.Uint64
	failed limiter
}

func (l *decisionLog) write(o *privacy.Observation[int64]) {
	if l.log == nil {
		return
	}
	suppressed := 0
	if o.Err != nil {
		var ok bool
		if ok, suppressed = l.failed.allow(time.Now()); !ok {
			return
		}
	} else if l.every > 1 && l.n.Add(1)%l.every != 0 {
		return
	}
	d := o.Decision
	attrs := make([]slog.Attr, 0, 10)
	attrs = append(attrs,
		slog.String("op", o.Op.String()),
		slog.Int64("sender", o.Request.Sender),
		slog.Int64("recipient", o.Request.Recipient),
		slog.Bool("allowed", d.Allowed),
		slog.String("folder", d.Folder.String()),
		slog.String("reason", d.Reason.String()),
		slog.String("view", d.View.String()),
		slog.Int64("duration_ns", o.Duration.Nanoseconds()))
	if d.Rule != "" {
		attrs = append(attrs, slog.String("rule", d.Rule))
	}
	if o.Batch > 0 {
		attrs = append(attrs, slog.Int("batch", o.Batch))
	}
	if o.Err != nil {
		attrs = append(attrs, slog.String("error", o.Err.Error()), slog.String("error_kind", errorKind(o.Err)))
	}
	if suppressed > 0 {
		attrs = append(attrs, slog.Int("failed_suppressed", suppressed))
	}
	l.log.LogAttrs(context.Background(), slog.LevelInfo, "decision", attrs...)
}

// poolCollector exports pgxpool's statistics.
type poolCollector struct{ pool *pgxpool.Pool }

var poolDescs = struct {
	acquired, idle, constructing, total, max                   *prometheus.Desc
	acquires, canceled, empty, waitSeconds, newConns, lifetime *prometheus.Desc
}{
	acquired:     prometheus.NewDesc("dmgate_db_pool_acquired_conns", "Connections in use.", nil, nil),
	idle:         prometheus.NewDesc("dmgate_db_pool_idle_conns", "Idle connections.", nil, nil),
	constructing: prometheus.NewDesc("dmgate_db_pool_constructing_conns", "Connections being opened.", nil, nil),
	total:        prometheus.NewDesc("dmgate_db_pool_total_conns", "Open connections.", nil, nil),
	max:          prometheus.NewDesc("dmgate_db_pool_max_conns", "The pool's size.", nil, nil),
	acquires:     prometheus.NewDesc("dmgate_db_pool_acquires_total", "Connections acquired from the pool.", nil, nil),
	canceled:     prometheus.NewDesc("dmgate_db_pool_canceled_acquires_total", "Acquires given up because the request's context ended.", nil, nil),
	empty:        prometheus.NewDesc("dmgate_db_pool_empty_acquires_total", "Acquires that had to wait for a connection.", nil, nil),
	waitSeconds:  prometheus.NewDesc("dmgate_db_pool_acquire_wait_seconds_total", "Time spent waiting for a connection.", nil, nil),
	newConns:     prometheus.NewDesc("dmgate_db_pool_new_conns_total", "Connections opened.", nil, nil),
	lifetime:     prometheus.NewDesc("dmgate_db_pool_destroyed_conns_total", "Connections closed for their age or idleness.", nil, nil),
}

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	d := poolDescs
	for _, x := range []*prometheus.Desc{d.acquired, d.idle, d.constructing, d.total, d.max, d.acquires, d.canceled, d.empty, d.waitSeconds, d.newConns, d.lifetime} {
		ch <- x
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	d := poolDescs
	gauge := func(desc *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v)
	}
	counter := func(desc *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, v)
	}
	gauge(d.acquired, float64(s.AcquiredConns()))
	gauge(d.idle, float64(s.IdleConns()))
	gauge(d.constructing, float64(s.ConstructingConns()))
	gauge(d.total, float64(s.TotalConns()))
	gauge(d.max, float64(s.MaxConns()))
	counter(d.acquires, float64(s.AcquireCount()))
	counter(d.canceled, float64(s.CanceledAcquireCount()))
	counter(d.empty, float64(s.EmptyAcquireCount()))
	counter(d.waitSeconds, s.AcquireDuration().Seconds())
	counter(d.newConns, float64(s.NewConnsCount()))
	counter(d.lifetime, float64(s.MaxLifetimeDestroyCount()+s.MaxIdleDestroyCount()))
}
