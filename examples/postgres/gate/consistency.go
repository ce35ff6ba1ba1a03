package gate

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/replica"
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// TokenHeader carries consistency tokens: every successful write answers
// with the write's token in it, and any read may send one back (checks
// and batches may also send it as the body's "token" field) to be
// answered at least as fresh as that write. See package replica.
const TokenHeader = "X-Consistency-Token"

// setToken puts a write's token in the answer's header.
func setToken(w http.ResponseWriter, tok postgres.Token) {
	if !tok.IsZero() {
		w.Header().Set(TokenHeader, tok.String())
	}
}

// sentToken returns the token of a write that was made through the
// engine (a send): the database's position now, or TokenPrimary if it
// cannot be read, so that a read carrying it goes to PostgreSQL.
func (g *Gate) sentToken(ctx context.Context) postgres.Token {
	tok, err := g.store.Token(ctx)
	if err != nil {
		return postgres.TokenPrimary
	}
	return tok
}

// requestToken returns the later of the token in the request's header and
// body (nil: none in the body).
func requestToken(r *http.Request, body *string) (postgres.Token, error) {
	tok, err := postgres.ParseToken(r.Header.Get(TokenHeader))
	if err != nil {
		return tok, badInput(TokenHeader, "the "+TokenHeader+" header is not a token this service issued")
	}
	if body != nil {
		b, err := postgres.ParseToken(*body)
		if err != nil {
			return tok, badInput("token", "token is not a token this service issued")
		}
		tok = tok.Max(b)
	}
	return tok, nil
}

// readers is what a read endpoint reads with: the engine, and the stores'
// reads of settings and accounts, all from one place.
type readers struct {
	engine *privacy.Engine[int64]
	graph  graph.Reader[int64]
	inbox  inbox.Reader[int64]
}

// reads returns where a read carrying the request's token is answered:
// in replica mode the replica once it covers the token (waiting at most
// Config.ReplicaMaxWait), else PostgreSQL; without a replica, PostgreSQL.
func (g *Gate) reads(ctx context.Context, r *http.Request, body *string) (readers, error) {
	tok, err := requestToken(r, body)
	if err != nil {
		return readers{}, err
	}
	primary := readers{g.engine, g.store, g.store}
	if g.replica == nil {
		return primary, nil
	}
	start := time.Now()
	e, src, err := g.replica.Engine(ctx, tok)
	if !tok.IsZero() {
		g.metrics.tokenWait.Observe(time.Since(start).Seconds())
	}
	g.metrics.reads.WithLabelValues(src.String()).Inc()
	if err != nil {
		return readers{}, err
	}
	if src.FromReplica() {
		rep := g.replica.Replica()
		return readers{e, rep, rep}, nil
	}
	return primary, nil
}

// replicaCollector exports a replica's state.
type replicaCollector struct{ r *replica.Replica }

var replicaDescs = struct {
	lag, position, loaded, state, loads, applied, loadSeconds *prometheus.Desc
}{
	lag:         prometheus.NewDesc("dmgate_replica_lag_seconds", "How far behind PostgreSQL the replica may be: the time since it last held every committed write.", nil, nil),
	position:    prometheus.NewDesc("dmgate_replica_applied_lsn", "The WAL position the replica has applied, in bytes (pg_lsn as a number).", nil, nil),
	loaded:      prometheus.NewDesc("dmgate_replica_loaded", "1 once the replica has loaded a snapshot and answers checks.", nil, nil),
	state:       prometheus.NewDesc("dmgate_replica_state", "1 for the replica's state: loading, streaming, behind (reconnecting to its slot), reloading or closed.", []string{"state"}, nil),
	loads:       prometheus.NewDesc("dmgate_replica_loads_total", "Snapshots loaded: the first, and one per reload (a dropped slot, a change the store cannot apply).", nil, nil),
	applied:     prometheus.NewDesc("dmgate_replica_transactions_total", "Transactions applied from the replication stream.", nil, nil),
	loadSeconds: prometheus.NewDesc("dmgate_replica_last_load_seconds", "How long the last snapshot took to load.", nil, nil),
}

func (c replicaCollector) Describe(ch chan<- *prometheus.Desc) {
	d := replicaDescs
	for _, x := range []*prometheus.Desc{d.lag, d.position, d.loaded, d.state, d.loads, d.applied, d.loadSeconds} {
		ch <- x
	}
}

func (c replicaCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.r.Status()
	d := replicaDescs
	loaded := 0.0
	if s.Loaded {
		loaded = 1
	}
	ch <- prometheus.MustNewConstMetric(d.lag, prometheus.GaugeValue, s.Lag.Seconds())
	ch <- prometheus.MustNewConstMetric(d.position, prometheus.GaugeValue, float64(s.Position.LSN()))
	ch <- prometheus.MustNewConstMetric(d.loaded, prometheus.GaugeValue, loaded)
	for _, st := range []replica.State{replica.Loading, replica.Streaming, replica.Behind, replica.Reloading, replica.Closed} {
		v := 0.0
		if st == s.State {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(d.state, prometheus.GaugeValue, v, st.String())
	}
	ch <- prometheus.MustNewConstMetric(d.loads, prometheus.CounterValue, float64(s.Loads))
	ch <- prometheus.MustNewConstMetric(d.applied, prometheus.CounterValue, float64(s.Applied))
	ch <- prometheus.MustNewConstMetric(d.loadSeconds, prometheus.GaugeValue, s.LoadTime.Seconds())
}

// replicaReady says why the replica cannot serve, or "" when it can.
func (g *Gate) replicaReady() string {
	if g.replica == nil {
		return ""
	}
	rep := g.replica.Replica()
	switch {
	case !rep.IsLoaded():
		return "loading"
	case rep.Lag() > g.cfg.ReplicaMaxLag:
		return fmt.Sprintf("lagging %v behind (more than %v)", rep.Lag().Round(time.Millisecond), g.cfg.ReplicaMaxLag)
	}
	return ""
}
