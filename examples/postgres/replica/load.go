package replica

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// Tables are the tables a decision reads, which the replica loads and
// streams: its publication covers exactly these, in the schema of the
// replica's connection.
var Tables = []string{"users", "follows", "blocks", "restricts", "facebook_links", "synced_contacts", "inbox_settings", "conversations"}

// connectReplication opens a replication connection (replication=database)
// to the database of connString: it runs the replication protocol's
// commands and simple SQL.
func connectReplication(ctx context.Context, connString string) (*pgconn.PgConn, error) {
	cfg, err := pgconn.ParseConfig(connString)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["replication"] = "database"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "dmreplica"
	}
	return pgconn.ConnectConfig(ctx, cfg)
}

// dropSlot drops the slot, waiting for a walsender that still holds it
// to let go; a slot that does not exist is not an error.
func dropSlot(ctx context.Context, connString, slot string) error {
	conn, err := connectReplication(ctx, connString)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	err = pglogrepl.DropReplicationSlot(ctx, conn, slot, pglogrepl.DropReplicationSlotOptions{Wait: true})
	if pgCode(err) == "42704" { // undefined_object: no such slot
		return nil
	}
	return err
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// ensurePublication creates the publication over Tables in schema unless
// it exists, and checks that it covers them.
func ensurePublication(ctx context.Context, db *pgx.Conn, pub, schema string) error {
	var exists bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = $1)`, pub).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		names := make([]string, len(Tables))
		for i, t := range Tables {
			names[i] = pgx.Identifier{schema, t}.Sanitize()
		}
		_, err := db.Exec(ctx, `CREATE PUBLICATION `+pgx.Identifier{pub}.Sanitize()+` FOR TABLE `+strings.Join(names, ", "))
		if err != nil && pgCode(err) != "42710" { // duplicate_object: another replica made it first
			return fmt.Errorf("creating publication %s: %w", pub, err)
		}
	}
	var missing []string
	rows, err := db.Query(ctx, `SELECT t FROM unnest($1::text[]) AS t
		WHERE NOT EXISTS (SELECT FROM pg_publication_tables WHERE pubname = $2 AND schemaname = $3 AND tablename = t)`, Tables, pub, schema)
	if err != nil {
		return err
	}
	if missing, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("publication %s lacks %s.%s", pub, schema, strings.Join(missing, ", "+schema+"."))
	}
	return nil
}

// takeOverSlot drops the slot of this replica's name if an earlier run
// left it: its WAL is of no use to a replica that loads a new snapshot. A
// walsender still holding it (the earlier run's connection, not yet
// noticed dead) is terminated first.
func takeOverSlot(ctx context.Context, db *pgx.Conn, connString, slot string) error {
	var pid pgtype.Int4
	err := db.QueryRow(ctx, `SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1`, slot).Scan(&pid)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if pid.Valid {
		if _, err := db.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid.Int32); err != nil {
			return fmt.Errorf("terminating the walsender %d that holds slot %s: %w", pid.Int32, slot, err)
		}
	}
	return dropSlot(ctx, connString, slot)
}

var snapshotRE = regexp.MustCompile(`^[0-9A-Fa-f-]+$`)

// load creates the replica's slot with an exported snapshot, loads every
// table of the decision from that snapshot into a new store, and makes it
// the replica's store at the slot's consistent point. It returns the
// replication connection, ready to stream from there.
func (r *Replica) load(ctx context.Context) (_ *pgconn.PgConn, err error) {
	start := time.Now()
	rc, err := connectReplication(ctx, r.cfg.ConnString)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			rc.Close(context.Background())
		}
	}()
	db, err := pgx.Connect(ctx, r.cfg.ConnString)
	if err != nil {
		return nil, err
	}
	defer db.Close(context.Background())
	var schema pgtype.Text
	var block uint64
	if err := db.QueryRow(ctx, `SELECT current_schema(), current_setting('wal_block_size')::bigint`).Scan(&schema, &block); err != nil {
		return nil, err
	}
	if !schema.Valid {
		return nil, errors.New("no schema of the connection's search_path exists")
	}
	if block >= 1024 {
		walBlock.Store(block)
	}
	r.schema.Store(&schema.String)
	if err := ensurePublication(ctx, db, r.cfg.Publication, schema.String); err != nil {
		return nil, err
	}
	if err := takeOverSlot(ctx, db, r.cfg.ConnString, r.slot); err != nil {
		return nil, err
	}
	slot, err := pglogrepl.CreateReplicationSlot(ctx, rc, r.slot, "pgoutput", pglogrepl.CreateReplicationSlotOptions{
		Mode: pglogrepl.LogicalReplication, SnapshotAction: "EXPORT_SNAPSHOT",
	})
	if err != nil {
		return nil, fmt.Errorf("creating slot %s: %w", r.slot, err)
	}
	created := time.Now()
	cp, err := pglogrepl.ParseLSN(slot.ConsistentPoint)
	if err != nil {
		return nil, err
	}
	if !snapshotRE.MatchString(slot.SnapshotName) {
		return nil, fmt.Errorf("slot %s: unexpected snapshot name %q", r.slot, slot.SnapshotName)
	}
	// The snapshot stays valid while rc runs no other command; once this
	// transaction has imported it, the transaction keeps it.
	tx, err := db.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SET TRANSACTION SNAPSHOT '`+slot.SnapshotName+`'`); err != nil {
		return nil, fmt.Errorf("importing the snapshot: %w", err)
	}
	st, rows, err := readSnapshot(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("reading the snapshot: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	// The store first, then the position: a reader that sees the
	// position sees the store.
	r.store.Store(st)
	r.advance(uint64(cp))
	r.current(created)
	r.loads.Add(1)
	r.lastLoad.Store(int64(time.Since(start)))
	r.log.Info("replica: loaded a snapshot", "slot", r.slot, "position", postgresLSN(cp), "users", st.Len(), "rows", rows,
		"duration", time.Since(start).Round(time.Millisecond).String())
	return rc, nil
}

func postgresLSN(l pglogrepl.LSN) string { return l.String() }

// readSnapshot reads every table of the decision into a new store, in
// the transaction's snapshot, and returns the store and the rows read.
func readSnapshot(ctx context.Context, tx pgx.Tx) (*memory.Store[int64], int, error) {
	st := memory.New[int64]()
	var users int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&users); err != nil {
		return nil, 0, err
	}
	st.Grow(users)
	total := 0
	each := func(sql string, dest []any, f func() error) error {
		rows, err := tx.Query(ctx, sql)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			if err := f(); err != nil {
				return err
			}
			total++
		}
		return rows.Err()
	}

	var u userRow
	if err := each(`SELECT id, status, birth, band, band_as_of, verified, hide_from_contacts, hide_from_facebook, contact_key FROM users`,
		u.dest(), func() error {
			if err := st.SetUser(u.id, u.user()); err != nil {
				return fmt.Errorf("user %d: %w", u.id, err)
			}
			if u.key.Valid {
				if err := st.SetContactKey(u.id, graph.ContactKey(u.key.String)); err != nil {
					return fmt.Errorf("user %d's contact key: %w", u.id, err)
				}
			}
			return nil
		}); err != nil {
		return nil, 0, err
	}

	ld := st.Loader()
	var a, b int64
	for _, e := range []struct {
		kind graph.Edge
		sql  string
	}{
		{graph.Follow, `SELECT follower, followee FROM follows`},
		{graph.Block, `SELECT blocker, blocked FROM blocks`},
		{graph.Restrict, `SELECT restrictor, restricted FROM restricts`},
		{graph.Facebook, `SELECT user_lo, user_hi FROM facebook_links`},
	} {
		if err := each(e.sql, []any{&a, &b}, func() error { return ld.Add(e.kind, a, b) }); err != nil {
			return nil, 0, fmt.Errorf("%v edges: %w", e.kind, err)
		}
	}
	if err := ld.Flush(); err != nil {
		return nil, 0, err
	}

	// Synced contacts, one address book at a time.
	var owner int64 = 0
	var key string
	var book []graph.ContactKey
	have := false
	flush := func() error {
		if !have {
			return nil
		}
		if err := st.SyncContacts(owner, book); err != nil {
			return fmt.Errorf("user %d's contacts: %w", owner, err)
		}
		book = book[:0]
		return nil
	}
	var o int64
	if err := each(`SELECT owner, key FROM synced_contacts ORDER BY owner`, []any{&o, &key}, func() error {
		if have && o != owner {
			if err := flush(); err != nil {
				return err
			}
		}
		owner, have = o, true
		book = append(book, graph.ContactKey(key))
		return nil
	}); err != nil {
		return nil, 0, err
	}
	if err := flush(); err != nil {
		return nil, 0, err
	}

	var id int64
	var mode, groups int16
	var routes int64
	if err := each(`SELECT user_id, mode, routes, groups FROM inbox_settings`, []any{&id, &mode, &routes, &groups}, func() error {
		s, err := settings(mode, routes, groups)
		if err == nil {
			err = st.SetSettings(id, s)
		}
		if err != nil {
			return fmt.Errorf("user %d's settings: %w", id, err)
		}
		return nil
	}); err != nil {
		return nil, 0, err
	}

	var lo, hi, starter int64
	var state int16
	var started time.Time
	if err := each(`SELECT user_lo, user_hi, starter, state, started FROM conversations`, []any{&lo, &hi, &starter, &state, &started}, func() error {
		if err := st.SetConversation(starter, other(starter, lo, hi), inbox.State(state), started.UTC()); err != nil {
			return fmt.Errorf("conversation %d-%d: %w", lo, hi, err)
		}
		return nil
	}); err != nil {
		return nil, 0, err
	}
	return st, total, nil
}

func other(x, a, b int64) int64 {
	if x == a {
		return b
	}
	return a
}

// settings decodes an inbox_settings row as the adapter does; a value no
// Settings encodes is an error.
func settings(mode int16, routes int64, groups int16) (inbox.Settings, error) {
	rt, err := inbox.OverridesFromBits(uint64(routes))
	m, g := inbox.Mode(mode), inbox.Mode(groups)
	if err != nil || !m.Valid() || !g.Valid() {
		return inbox.Settings{}, fmt.Errorf("corrupt settings row (mode %d, routes %#x, groups %d)", mode, routes, groups)
	}
	return inbox.Settings{Mode: m, Routes: rt, Groups: g}, nil
}

// userRow receives a users row.
type userRow struct {
	id                     int64
	status, band           int16
	birth, bandAsOf        pgtype.Date
	verified, hideC, hideF bool
	key                    pgtype.Text
}

func (u *userRow) dest() []any {
	return []any{&u.id, &u.status, &u.birth, &u.band, &u.bandAsOf, &u.verified, &u.hideC, &u.hideF, &u.key}
}

func (u *userRow) user() graph.User {
	out := graph.User{Status: graph.Status(u.status), Band: graph.AgeBand(u.band), Verified: u.verified,
		HideFromContacts: u.hideC, HideFromFacebook: u.hideF}
	if u.birth.Valid {
		out.Birth = u.birth.Time
	}
	if u.bandAsOf.Valid {
		out.BandAsOf = u.bandAsOf.Time
	}
	return out
}
