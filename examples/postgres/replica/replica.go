package replica

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// Config configures a [Replica]. ConnString and Name are required; the
// zero value of every other field means its default.
type Config struct {
	// ConnString is the URL of the PostgreSQL database the adapter writes
	// (the primary). The tables are those of the first schema of its
	// search_path, as for postgres.Migrate. The role needs the
	// REPLICATION attribute (or to be a superuser), and the server
	// wal_level = logical and a free replication slot and WAL sender per
	// replica.
	ConnString string

	// Name names this replica among those that follow the database: its
	// replication slot is "dmreplica_" + Name. Give each instance its own
	// name, stable across its restarts (a pod's or host's name): a
	// restarted instance then takes over, and drops, the slot its
	// previous run left. 1 to 40 bytes of a-z, 0-9 and '_'.
	Name string

	// Publication is the publication the replica streams, created at
	// start if it does not exist, over the tables a decision reads.
	// The default is "dmprivacy_replica".
	Publication string

	// StatusInterval is how often the replica reports its applied
	// position to the server, which lets the slot release WAL, and asks
	// for a keepalive, which refreshes [Replica.Lag] when no write
	// arrives. The default is 100 ms; it must stay well under the
	// server's wal_sender_timeout (60 s by default).
	StatusInterval time.Duration

	// RetryMin and RetryMax bound the wait before reconnecting or
	// reloading after a failure, doubling from RetryMin up to RetryMax:
	// 100 ms and 5 s by default.
	RetryMin, RetryMax time.Duration

	// Log gets the replica's life: loads, reconnects, reloads and their
	// causes. Nil means slog.Default().
	Log *slog.Logger

	// OnApply, if set, is called after each transaction the replica
	// applies, from the goroutine that applies the stream: keep it short.
	// For metrics and benchmarks.
	OnApply func(Applied)
}

// Applied describes one transaction the replica applied.
type Applied struct {
	Token      postgres.Token // the replica's position afterwards: the end of the commit record
	CommitTime time.Time      // when the transaction committed, by the server's clock
	Changes    int            // rows inserted, updated or deleted in the replicated tables
}

// State is where a replica is in its life.
type State int32

// States of a replica.
const (
	Loading   State = iota // loading its first snapshot; it answers nothing yet
	Streaming              // applying the stream: it answers
	Behind                 // the stream broke; reconnecting to its slot, answering from what it has
	Reloading              // its slot is gone or it met a change it cannot apply: loading a new snapshot, answering from what it has
	Closed                 // closed
)

func (s State) String() string {
	switch s {
	case Loading:
		return "loading"
	case Streaming:
		return "streaming"
	case Behind:
		return "behind"
	case Reloading:
		return "reloading"
	case Closed:
		return "closed"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}

// Status is a replica's state and counters.
type Status struct {
	State    State
	Position postgres.Token // what it has applied: every transaction that committed up to here
	Lag      time.Duration  // see Replica.Lag
	Loaded   bool           // it has loaded a snapshot and answers from it
	Loads    int64          // snapshots loaded, the first included
	Applied  int64          // transactions applied since the process started
	LoadTime time.Duration  // how long the last snapshot took to load
	Err      error          // the last failure, while it lasts (nil when streaming)
}

// Errors of WaitFor.
var (
	// ErrClosed: the replica was closed.
	ErrClosed = errors.New("replica: closed")

	// ErrPrimaryOnly: the token is postgres.TokenPrimary, which only the
	// primary can answer.
	ErrPrimaryOnly = errors.New("replica: the token asks for the primary")
)

// Replica is the embedded store (privacy/memory) kept as a replica of the
// PostgreSQL database the adapter writes: loaded from a consistent
// snapshot and kept current from the database's logical replication
// stream, one transaction at a time. It is the graph and inbox readers of
// an engine (every read interface of the memory store, the one-call
// capabilities included) and answers in about a microsecond, from memory.
// See the package documentation.
//
// A Replica is safe for concurrent use. Its reads are those of its current
// store, which a reload replaces whole.
type Replica struct {
	cfg  Config
	log  *slog.Logger
	slot string

	store  atomic.Pointer[memory.Store[int64]]
	pos    atomic.Uint64 // applied position
	state  atomic.Int32
	loaded chan struct{} // closed once the first snapshot is in
	once   sync.Once

	// lastCurrent is the latest time, by the server's clock (Unix ns), at
	// which the replica is known to have held every committed write.
	lastCurrent atomic.Int64

	mu       sync.Mutex
	advanced chan struct{} // closed and replaced whenever pos moves
	lastErr  error

	poke     chan struct{} // asks the stream for a keepalive now
	loads    atomic.Int64
	applied  atomic.Int64
	lastLoad atomic.Int64 // how long the last load took (ns)
	schema   atomic.Pointer[string]

	cancel context.CancelFunc
	done   chan struct{} // closed when the replica's goroutine has ended
	first  chan error    // the first load's outcome, for Open
	closed atomic.Bool
}

var (
	nameRE = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
	pubRE  = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
)

// Start returns a replica that loads its first snapshot and then follows
// the stream in the background: it answers nothing until [Replica.Loaded]
// is closed (Status().Loaded), and retries failures until it is closed.
// Only a configuration it cannot use is an error.
func Start(cfg Config) (*Replica, error) {
	if !nameRE.MatchString(cfg.Name) {
		return nil, fmt.Errorf("replica: Config.Name %q: 1 to 40 bytes of a-z, 0-9 and _", cfg.Name)
	}
	if cfg.Publication == "" {
		cfg.Publication = "dmprivacy_replica"
	}
	if !pubRE.MatchString(cfg.Publication) {
		return nil, fmt.Errorf("replica: Config.Publication %q: a-z, 0-9 and _", cfg.Publication)
	}
	if _, err := pgconn.ParseConfig(cfg.ConnString); err != nil {
		return nil, fmt.Errorf("replica: Config.ConnString: %w", err)
	}
	if cfg.StatusInterval <= 0 {
		cfg.StatusInterval = 100 * time.Millisecond
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = 100 * time.Millisecond
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(5*time.Second, cfg.RetryMin)
	}
	r := &Replica{
		cfg:      cfg,
		log:      cfg.Log,
		slot:     "dmreplica_" + cfg.Name,
		loaded:   make(chan struct{}),
		advanced: make(chan struct{}),
		poke:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		first:    make(chan error, 1),
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	r.log = r.log.With("replica", cfg.Name)
	r.store.Store(memory.New[int64]())
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go r.run(ctx)
	return r, nil
}

// Open starts a replica (see [Start]) and waits until it has loaded its
// first snapshot: it returns the replica streaming, or the first load's
// error (or ctx's), with the replica closed.
func Open(ctx context.Context, cfg Config) (*Replica, error) {
	r, err := Start(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case err = <-r.first:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Store returns the replica's current store. A reload replaces it, so
// hold the Replica (which is itself every reader), not the store, to keep
// reading the newest. Never write to it.
func (r *Replica) Store() *memory.Store[int64] { return r.store.Load() }

// Loaded is closed once the replica has loaded its first snapshot; until
// then it knows no user.
func (r *Replica) Loaded() <-chan struct{} { return r.loaded }

// IsLoaded reports whether Loaded is closed.
func (r *Replica) IsLoaded() bool {
	select {
	case <-r.loaded:
		return true
	default:
		return false
	}
}

// Position returns the token of what the replica has applied: every
// transaction that committed up to it. The zero Token until the first
// snapshot is loaded.
func (r *Replica) Position() postgres.Token { return postgres.TokenAt(r.pos.Load()) }

// Lag returns how far behind the primary the replica may be: the time
// since the latest moment at which it is known to have held every
// committed write (by the server's clock, so the two clocks must agree).
// That moment is the commit time of the last transaction it applied, or
// the time of the last keepalive the server sent when nothing was left to
// apply, whichever is later; the replica asks for a keepalive every
// StatusInterval, so an idle replica's lag stays under about that
// interval. While the stream is broken or a reload runs, Lag grows. Zero
// before the first load.
func (r *Replica) Lag() time.Duration {
	lc := r.lastCurrent.Load()
	if lc == 0 {
		return 0
	}
	return max(0, time.Since(time.Unix(0, lc)))
}

// State returns the replica's state.
func (r *Replica) State() State { return State(r.state.Load()) }

// Status returns the replica's state and counters.
func (r *Replica) Status() Status {
	r.mu.Lock()
	err := r.lastErr
	r.mu.Unlock()
	return Status{
		State: r.State(), Position: r.Position(), Lag: r.Lag(), Loaded: r.IsLoaded(),
		Loads: r.loads.Load(), Applied: r.applied.Load(), LoadTime: time.Duration(r.lastLoad.Load()), Err: err,
	}
}

// Covers reports whether the replica has applied the write of tok (and
// every write before it): whether a read of it now is at least as fresh as
// tok asks. The zero Token is covered once the replica is loaded.
func (r *Replica) Covers(tok postgres.Token) bool {
	if !r.IsLoaded() || tok.Primary() {
		return false
	}
	return covers(r.pos.Load(), tok.LSN())
}

// walBlock is the size of a WAL page (wal_block_size, 8 kB unless
// PostgreSQL was built otherwise); load reads the server's.
var walBlock atomic.Uint64

func init() { walBlock.Store(8192) }

// covers reports whether a replica at position pos has applied every
// transaction whose commit record ends at or before want.
//
// pos is the end of the last record the server's decoder has read (the
// last commit applied, or a keepalive's position when nothing was left to
// apply), and tokens are WAL insert positions, which skip a page's header
// when they fall on a page boundary: pg_current_wal_insert_lsn() reads
// boundary+24 (or +40 at the start of a segment) while the decoder stops
// at the boundary. No record ends within 48 bytes after a boundary (the
// first record of a page starts after its header and is at least 24
// bytes long), so a want at most 40 bytes past a boundary pos asks for
// nothing beyond pos.
func covers(pos, want uint64) bool {
	if want <= pos {
		return true
	}
	b := walBlock.Load()
	return pos%b == 0 && want-pos <= 40
}

// WaitFor waits until the replica covers tok (see [Replica.Covers]), or
// ctx ends (its error), or the replica is closed ([ErrClosed]). A token
// only the primary can answer returns [ErrPrimaryOnly] at once. A check
// that carries a token calls WaitFor with a short deadline and, if it
// ends first, reads from the primary instead ([Checker] does).
func (r *Replica) WaitFor(ctx context.Context, tok postgres.Token) error {
	if tok.Primary() {
		return ErrPrimaryOnly
	}
	poked := false
	for {
		r.mu.Lock()
		ch := r.advanced
		r.mu.Unlock()
		if r.Covers(tok) {
			return nil
		}
		if r.closed.Load() {
			return ErrClosed
		}
		if !poked && r.IsLoaded() {
			// Ask the server where it stands now, rather than at its next
			// keepalive: a write that is not in the stream yet arrives
			// on its own, but one that is already decoded (or a token
			// past the last write) needs the server's position.
			select {
			case r.poke <- struct{}{}:
			default:
			}
			poked = true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-r.done:
			return ErrClosed
		}
	}
}

// advance moves the applied position to lsn (never back) and wakes the
// waiters.
func (r *Replica) advance(lsn uint64) {
	if lsn <= r.pos.Load() {
		return
	}
	r.pos.Store(lsn)
	r.mu.Lock()
	ch := r.advanced
	r.advanced = make(chan struct{})
	r.mu.Unlock()
	close(ch)
}

// current records that the replica held every write committed up to t
// (server clock).
func (r *Replica) current(t time.Time) {
	ns := t.UnixNano()
	for {
		old := r.lastCurrent.Load()
		if ns <= old || r.lastCurrent.CompareAndSwap(old, ns) {
			return
		}
	}
}

func (r *Replica) setErr(err error) {
	r.mu.Lock()
	r.lastErr = err
	r.mu.Unlock()
}

// Close stops the replica and drops its replication slot, so that the
// server keeps no WAL for it. A replica that dies without Close leaves its
// slot, which keeps WAL until an instance of the same name starts again
// (and drops it), someone drops it, or max_slot_wal_keep_size invalidates
// it; see the package documentation. Close waits for the slot to be
// dropped (at most 10 s) and returns the error if it could not be.
func (r *Replica) Close() error {
	if r.closed.Swap(true) {
		<-r.done
		return nil
	}
	r.cancel()
	<-r.done
	r.state.Store(int32(Closed))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := dropSlot(ctx, r.cfg.ConnString, r.slot); err != nil {
		return fmt.Errorf("replica: dropping slot %s: %w", r.slot, err)
	}
	return nil
}

// abandon stops the replica as a crash would: its goroutine ends and its
// connections close, but its slot stays. For tests.
func (r *Replica) abandon() {
	if r.closed.Swap(true) {
		return
	}
	r.cancel()
	<-r.done
	r.state.Store(int32(Closed))
}

// run loads, streams, and recovers from failures until ctx ends.
func (r *Replica) run(ctx context.Context) {
	defer close(r.done)
	var (
		conn     *pgconn.PgConn // a replication connection, ready to stream
		needLoad = true
		wait     = r.cfg.RetryMin
		firstErr = true
	)
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	fail := func(what string, err error) bool {
		if ctx.Err() != nil {
			return false
		}
		r.setErr(err)
		r.log.Error("replica: "+what, "err", err, "retry_in", wait.String())
		if firstErr && !r.IsLoaded() {
			firstErr = false
			select {
			case r.first <- err:
			default:
			}
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		wait = min(2*wait, r.cfg.RetryMax)
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for ctx.Err() == nil {
		if needLoad {
			if r.IsLoaded() {
				r.state.Store(int32(Reloading))
			}
			if conn != nil {
				conn.Close(context.Background())
				conn = nil
			}
			c, err := r.load(ctx)
			if err != nil {
				if !fail("loading a snapshot", err) {
					return
				}
				continue
			}
			conn, needLoad = c, false
			r.once.Do(func() {
				close(r.loaded)
				select {
				case r.first <- nil:
				default:
				}
			})
		}
		if conn == nil {
			r.state.Store(int32(Behind))
			c, err := connectReplication(ctx, r.cfg.ConnString)
			if err != nil {
				if !fail("reconnecting", err) {
					return
				}
				continue
			}
			conn = c
		}
		err := r.stream(ctx, conn, func() {
			// Streaming again: the next failure waits the least.
			wait = r.cfg.RetryMin
			r.setErr(nil)
			r.state.Store(int32(Streaming))
		})
		conn.Close(context.Background())
		conn = nil
		if ctx.Err() != nil {
			return
		}
		var reload *reloadError
		if errors.As(err, &reload) {
			needLoad = true
			r.log.Warn("replica: reloading from a new snapshot", "why", reload.Error())
		}
		if r.State() == Streaming {
			r.state.Store(int32(Behind))
		}
		if !fail("streaming", err) {
			return
		}
	}
}

// reloadError is a failure that a new snapshot repairs: the slot is gone
// or invalidated, or the stream holds a change the store cannot apply.
type reloadError struct{ err error }

func (e *reloadError) Error() string { return e.err.Error() }
func (e *reloadError) Unwrap() error { return e.err }

func needsReload(format string, a ...any) error {
	return &reloadError{fmt.Errorf(format, a...)}
}
