package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// DB is what a Store runs its statements on: a *pgxpool.Pool, a *pgx.Conn
// or a pgx.Tx.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Store is the SDK's graph and inbox over a PostgreSQL schema migrated by
// [Migrate]. It is safe for concurrent use when its DB is (a pool is; a
// single connection or transaction is not). Reads of unknown users follow
// the SDK's convention: the zero value and no error.
type Store struct {
	db DB
}

// Compile-time checks of the interfaces the Store implements.
var (
	_ graph.Reader[int64]          = (*Store)(nil)
	_ graph.PairReader[int64]      = (*Store)(nil)
	_ inbox.Reader[int64]          = (*Store)(nil)
	_ inbox.FactReader[int64]      = (*Store)(nil)
	_ inbox.BatchFactReader[int64] = (*Store)(nil)
	_ graph.MutualReader[int64]    = (*Store)(nil)
)

// New returns a Store over db.
func New(db DB) *Store { return &Store{db: db} }

// DB returns the database the Store runs on.
func (s *Store) DB() DB { return s.db }

// userCols are the account columns of users in the order scanUser reads.
const userCols = `status, birth, band, band_as_of, verified, hide_from_contacts, hide_from_facebook`

// userScan receives a possibly missing users row.
type userScan struct {
	status, band           pgtype.Int2
	birth, bandAsOf        pgtype.Date
	verified, hideC, hideF pgtype.Bool
}

func (u *userScan) dest() []any {
	return []any{&u.status, &u.birth, &u.band, &u.bandAsOf, &u.verified, &u.hideC, &u.hideF}
}

// user returns the scanned account, or the zero User for a missing row.
func (u *userScan) user() graph.User {
	if !u.status.Valid {
		return graph.User{}
	}
	out := graph.User{
		Status:           graph.Status(u.status.Int16),
		Band:             graph.AgeBand(u.band.Int16),
		Verified:         u.verified.Bool,
		HideFromContacts: u.hideC.Bool,
		HideFromFacebook: u.hideF.Bool,
	}
	if u.birth.Valid {
		out.Birth = u.birth.Time
	}
	if u.bandAsOf.Valid {
		out.BandAsOf = u.bandAsOf.Time
	}
	return out
}

// User returns id's account facts, or the zero User if id is unknown.
func (s *Store) User(ctx context.Context, id int64) (graph.User, error) {
	var u userScan
	err := s.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id).Scan(u.dest()...)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return graph.User{}, fmt.Errorf("postgres: reading user %d: %w", id, classify(err))
	}
	return u.user(), nil
}

// edgeSQL answers HasEdge for each kind: $1 is from, $2 is to.
var edgeSQL = [...]string{
	graph.Follow:   `SELECT EXISTS (SELECT FROM follows WHERE follower = $1 AND followee = $2)`,
	graph.Block:    `SELECT EXISTS (SELECT FROM blocks WHERE blocker = $1 AND blocked = $2)`,
	graph.Restrict: `SELECT EXISTS (SELECT FROM restricts WHERE restrictor = $1 AND restricted = $2)`,
	graph.Contact: `SELECT EXISTS (SELECT FROM synced_contacts c JOIN users u ON u.id = $2
		WHERE c.owner = $1 AND c.key = u.contact_key)`,
	graph.Facebook: `SELECT EXISTS (SELECT FROM facebook_links WHERE user_lo = LEAST($1::bigint, $2::bigint) AND user_hi = GREATEST($1::bigint, $2::bigint))`,
}

// HasEdge reports whether the relation kind holds from one user to another;
// false for unknown users and invalid kinds.
func (s *Store) HasEdge(ctx context.Context, kind graph.Edge, from, to int64) (bool, error) {
	if !kind.Valid() {
		return false, nil
	}
	var ok bool
	if err := s.db.QueryRow(ctx, edgeSQL[kind], from, to).Scan(&ok); err != nil {
		return false, fmt.Errorf("postgres: reading %v edge: %w", kind, classify(err))
	}
	return ok, nil
}

// pairCols are the columns of every graph fact about sender s ($1) and a
// recipient r, with s and r the users rows (possibly NULL) and rid the
// recipient's ID expression. Each relation is an index-only probe of a
// primary key.
func pairCols(rid string) string {
	return `s.status, s.birth, s.band, s.band_as_of, s.verified, s.hide_from_contacts, s.hide_from_facebook,
	r.status, r.birth, r.band, r.band_as_of, r.verified, r.hide_from_contacts, r.hide_from_facebook,
	EXISTS (SELECT FROM follows WHERE follower = $1 AND followee = ` + rid + `),
	EXISTS (SELECT FROM follows WHERE follower = ` + rid + ` AND followee = $1),
	EXISTS (SELECT FROM blocks WHERE blocker = $1 AND blocked = ` + rid + `),
	EXISTS (SELECT FROM blocks WHERE blocker = ` + rid + ` AND blocked = $1),
	EXISTS (SELECT FROM restricts WHERE restrictor = $1 AND restricted = ` + rid + `),
	EXISTS (SELECT FROM restricts WHERE restrictor = ` + rid + ` AND restricted = $1),
	EXISTS (SELECT FROM synced_contacts WHERE owner = $1 AND key = r.contact_key),
	EXISTS (SELECT FROM synced_contacts WHERE owner = ` + rid + ` AND key = s.contact_key),
	EXISTS (SELECT FROM facebook_links WHERE user_lo = LEAST($1, ` + rid + `) AND user_hi = GREATEST($1, ` + rid + `))`
}

// pairScan receives pairCols.
type pairScan struct {
	a, b  userScan
	edges [9]bool
}

func (p *pairScan) dest() []any {
	d := append(p.a.dest(), p.b.dest()...)
	for i := range p.edges {
		d = append(d, &p.edges[i])
	}
	return d
}

// edgeBits is the order of the EXISTS columns of pairCols.
var edgeBits = [9]graph.Edges{
	graph.FollowAB, graph.FollowBA, graph.BlockAB, graph.BlockBA,
	graph.RestrictAB, graph.RestrictBA, graph.ContactAB, graph.ContactBA, graph.FacebookAB,
}

func (p *pairScan) pair() graph.Pair {
	out := graph.Pair{A: p.a.user(), B: p.b.user()}
	for i, ok := range p.edges {
		if ok {
			out.Edges |= edgeBits[i]
		}
	}
	return out
}

var pairSQL = `SELECT ` + pairCols("$2") + `
FROM (VALUES (1)) AS one
LEFT JOIN users s ON s.id = $1
LEFT JOIN users r ON r.id = $2`

// Pair returns every graph fact about a and b in one statement.
func (s *Store) Pair(ctx context.Context, a, b int64) (graph.Pair, error) {
	var p pairScan
	if err := s.db.QueryRow(ctx, pairSQL, a, b).Scan(p.dest()...); err != nil {
		return graph.Pair{}, fmt.Errorf("postgres: reading pair: %w", classify(err))
	}
	return p.pair(), nil
}

// Settings returns id's inbox settings, or the zero Settings.
func (s *Store) Settings(ctx context.Context, id int64) (inbox.Settings, error) {
	var st settingsScan
	err := s.db.QueryRow(ctx, `SELECT mode, routes, groups FROM inbox_settings WHERE user_id = $1`, id).Scan(st.dest()...)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return inbox.Settings{}, fmt.Errorf("postgres: reading settings: %w", classify(err))
	}
	return st.settings()
}

// settingsScan receives a possibly missing inbox_settings row.
type settingsScan struct {
	mode, groups int16
	routes       int64
}

func (st *settingsScan) dest() []any { return []any{&st.mode, &st.routes, &st.groups} }

// settings decodes the row; a value no Settings encodes is an error (a
// corrupt row fails the decision closed rather than routing anyone).
func (st *settingsScan) settings() (inbox.Settings, error) {
	routes, err := inbox.OverridesFromBits(uint64(st.routes))
	m, g := inbox.Mode(st.mode), inbox.Mode(st.groups)
	if err != nil || !m.Valid() || !g.Valid() {
		return inbox.Settings{}, fmt.Errorf("postgres: corrupt settings row (mode %d, routes %#x, groups %d)", st.mode, st.routes, st.groups)
	}
	return inbox.Settings{Mode: m, Routes: routes, Groups: g}, nil
}

// convScan receives a possibly missing conversations row.
type convScan struct {
	starter pgtype.Int8
	state   pgtype.Int2
	started pgtype.Timestamptz
}

func (c *convScan) dest() []any { return []any{&c.starter, &c.state, &c.started} }

func (c *convScan) conversation() inbox.Conversation[int64] {
	if !c.state.Valid {
		return inbox.Conversation[int64]{}
	}
	return inbox.Conversation[int64]{Starter: c.starter.Int64, State: inbox.State(c.state.Int16), Started: c.started.Time.UTC()}
}

// Conversation returns the thread between a and b, in either order, or the
// zero Conversation.
func (s *Store) Conversation(ctx context.Context, a, b int64) (inbox.Conversation[int64], error) {
	var c convScan
	err := s.db.QueryRow(ctx, `SELECT starter, state, started FROM conversations
		WHERE user_lo = LEAST($1::bigint, $2::bigint) AND user_hi = GREATEST($1::bigint, $2::bigint)`, a, b).Scan(c.dest()...)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return inbox.Conversation[int64]{}, fmt.Errorf("postgres: reading conversation: %w", classify(err))
	}
	return c.conversation(), nil
}

// pendingSQL counts $1's pending requests started in ($2, $3], an
// index-only scan of conversations_pending.
const pendingSQL = `SELECT count(*) FROM conversations WHERE starter = $1 AND state = 1 AND started > $2 AND started <= $3`

// PendingRequests counts sender's pending requests started in (after, upTo].
func (s *Store) PendingRequests(ctx context.Context, sender int64, after, upTo time.Time) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, pendingSQL, sender, after, upTo).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: counting pending requests: %w", classify(err))
	}
	return n, nil
}

// inboxCols are the recipient's mode, the pair's thread and the sender's
// pending count, for sender $1, a time $3, a window start $4, and $5 true
// when the count is wanted.
const inboxCols = `COALESCE(st.mode, 0), COALESCE(st.routes, 0), COALESCE(st.groups, 0), cv.starter, cv.state, cv.started,
	CASE WHEN $5::boolean THEN (SELECT count(*) FROM conversations
		WHERE starter = $1 AND state = 1 AND started > $4 AND started <= $3) ELSE 0 END`

func inboxJoins(rid string) string {
	return `LEFT JOIN inbox_settings st ON st.user_id = ` + rid + `
LEFT JOIN conversations cv ON cv.user_lo = LEAST($1, ` + rid + `) AND cv.user_hi = GREATEST($1, ` + rid + `)`
}

// factsSQL is every fact of one decision in one statement: $1 sender, $2
// recipient, $3 the decision's time, $4 the start of the cap's window, $5
// whether the pending count is wanted.
var factsSQL = `SELECT ` + pairCols("$2") + `, ` + inboxCols + `
FROM (VALUES (1)) AS one
LEFT JOIN users s ON s.id = $1
LEFT JOIN users r ON r.id = $2
` + inboxJoins("$2")

// factsScan receives a row of factsSQL or factsBatchSQL.
type factsScan struct {
	pair     pairScan
	settings settingsScan
	conv     convScan
	pending  int
}

func (f *factsScan) dest() []any {
	return append(append(f.pair.dest(), f.settings.dest()...), append(f.conv.dest(), &f.pending)...)
}

func (f *factsScan) facts() (inbox.Facts[int64], error) {
	st, err := f.settings.settings()
	if err != nil {
		return inbox.Facts[int64]{}, err
	}
	return inbox.Facts[int64]{
		Pair:            f.pair.pair(),
		Settings:        st,
		Conversation:    f.conv.conversation(),
		PendingRequests: f.pending,
	}, nil
}

// Facts returns every fact of one decision in one round trip.
func (s *Store) Facts(ctx context.Context, q inbox.Query[int64]) (inbox.Facts[int64], error) {
	return s.facts(ctx, q, pgtype.Timestamptz{Time: q.At, Valid: true})
}

// facts is Facts counting the sender's pending requests started after the
// window's start and up to upTo.
func (s *Store) facts(ctx context.Context, q inbox.Query[int64], upTo pgtype.Timestamptz) (inbox.Facts[int64], error) {
	var f factsScan
	err := s.db.QueryRow(ctx, factsSQL, q.Sender, q.Recipient, upTo, q.At.Add(-q.Window), q.Window > 0).Scan(f.dest()...)
	if err != nil {
		return inbox.Facts[int64]{}, fmt.Errorf("postgres: reading facts: %w", classify(err))
	}
	return f.facts()
}

// factsBatchSQL is factsSQL for one sender and the recipients $2 (an
// array), one row per element, numbered by ord from 1. Repeated and
// unknown recipients get their own rows.
var factsBatchSQL = `SELECT q.ord, ` + pairCols("q.rid") + `, ` + inboxCols + `
FROM unnest($2::bigint[]) WITH ORDINALITY AS q (rid, ord)
LEFT JOIN users s ON s.id = $1
LEFT JOIN users r ON r.id = q.rid
` + inboxJoins("q.rid")

// FactsBatch fills dst[i] with the facts of q.Sender and q.Recipients[i],
// all in one round trip.
func (s *Store) FactsBatch(ctx context.Context, q inbox.BatchQuery[int64], dst []inbox.Facts[int64]) error {
	if len(dst) != len(q.Recipients) {
		return fmt.Errorf("postgres: FactsBatch: %d recipients but room for %d", len(q.Recipients), len(dst))
	}
	if len(q.Recipients) == 0 {
		return nil
	}
	rows, err := s.db.Query(ctx, factsBatchSQL, q.Sender, q.Recipients, q.At, q.At.Add(-q.Window), q.Window > 0)
	if err != nil {
		return fmt.Errorf("postgres: reading batch facts: %w", classify(err))
	}
	defer rows.Close()
	var f factsScan
	var ord int64
	dest := append([]any{&ord}, f.dest()...)
	seen := 0
	for rows.Next() {
		f = factsScan{}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("postgres: reading batch facts: %w", classify(err))
		}
		if ord < 1 || ord > int64(len(dst)) {
			return fmt.Errorf("postgres: reading batch facts: row %d of %d", ord, len(dst))
		}
		if dst[ord-1], err = f.facts(); err != nil {
			return err
		}
		seen++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: reading batch facts: %w", classify(err))
	}
	if seen != len(dst) {
		return fmt.Errorf("postgres: reading batch facts: %d rows for %d recipients", seen, len(dst))
	}
	return nil
}

// Statements returns the SQL of the one-call reads, for EXPLAIN and for
// hosts porting the adapter: "facts" ($1 sender, $2 recipient, $3 the
// decision's time, $4 the start of the cap's window, $5 whether to count
// pending requests) and "facts_batch" (the same with $2 an array of
// recipients, one row per element numbered by its first column).
func Statements() map[string]string {
	return map[string]string{"facts": factsSQL, "facts_batch": factsBatchSQL}
}

// mutualSQL asks whether $1 and $2 have a friend in common: some third
// user who follows each of them and whom each follows. It walks $1's
// follows (the primary key) and probes the other three edges by key.
const mutualSQL = `SELECT EXISTS (
	SELECT FROM follows af
	JOIN follows fa ON fa.follower = af.followee AND fa.followee = $1
	JOIN follows bf ON bf.follower = $2 AND bf.followee = af.followee
	JOIN follows fb ON fb.follower = af.followee AND fb.followee = $2
	WHERE af.follower = $1 AND af.followee <> $2)`

// HasFriendInCommon reports whether a and b have a friend in common (the
// "friends of friends" audience of the Messenger preset); false for
// unknown users. It is a second round trip, made only under policies that
// route that audience.
func (s *Store) HasFriendInCommon(ctx context.Context, a, b int64) (bool, error) {
	if a == b {
		return false, nil
	}
	var ok bool
	if err := s.db.QueryRow(ctx, mutualSQL, a, b).Scan(&ok); err != nil {
		return false, fmt.Errorf("postgres: reading friends in common: %w", classify(err))
	}
	return ok, nil
}
