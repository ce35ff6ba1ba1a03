package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// Each write is one transaction: a single statement (which PostgreSQL runs
// in its own transaction), or BEGIN … COMMIT when it takes several. Each
// returns the write's consistency [Token] once it has committed (one more
// round trip, see [Store.Token]), or the zero Token with an error. Writes
// naming users check that they exist in the same statement, so a refused
// write changes nothing. Users are never deleted (a closed account keeps
// its row with status deleted), so a user seen to exist stays.

// ValidateUser returns an error wrapping [graph.ErrInvalidUser] for account
// facts the in-memory store refuses too: the zero status (it means "no
// such user"), an undefined status or band, or a band without the date it
// was verified.
func ValidateUser(u graph.User) error {
	switch {
	case u.Status == graph.StatusUnknown || u.Status > graph.Deleted:
		return fmt.Errorf("%w: status %v (set active, deactivated, suspended or deleted)", graph.ErrInvalidUser, u.Status)
	case u.Band > graph.Age18Plus:
		return fmt.Errorf("%w: age band %v", graph.ErrInvalidUser, u.Band)
	case u.Birth.IsZero() && u.Band != graph.AgeUnknown && u.BandAsOf.IsZero():
		return fmt.Errorf("%w: age band %v without the date it was verified", graph.ErrInvalidUser, u.Band)
	}
	return nil
}

// date stores the UTC calendar date of t, the only part of it the SDK uses.
func date(t time.Time) pgtype.Date {
	if t.IsZero() {
		return pgtype.Date{}
	}
	y, m, d := t.UTC().Date()
	return pgtype.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Valid: true}
}

// SetUser adds the user id or replaces its account facts, keeping its
// edges, contact key and settings. Dates keep their UTC calendar date.
func (s *Store) SetUser(ctx context.Context, id int64, u graph.User) (Token, error) {
	if err := ValidateUser(u); err != nil {
		return Token{}, err
	}
	_, err := s.db.Exec(ctx, `INSERT INTO users (id, `+userCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, birth = EXCLUDED.birth, band = EXCLUDED.band,
			band_as_of = EXCLUDED.band_as_of, verified = EXCLUDED.verified,
			hide_from_contacts = EXCLUDED.hide_from_contacts, hide_from_facebook = EXCLUDED.hide_from_facebook`,
		id, int16(u.Status), date(u.Birth), int16(u.Band), date(u.BandAsOf), u.Verified, u.HideFromContacts, u.HideFromFacebook)
	if err != nil {
		return Token{}, fmt.Errorf("postgres: setting user %d: %w", id, classify(err))
	}
	return s.committed(ctx, nil)
}

// edgeWrite is the insert and the delete of each kind, from $1 to $2; each
// runs inside a statement whose CTE "known" says whether the users exist
// (a and b), and writes only if both do.
var edgeWrite = [...][2]string{
	graph.Follow: {`INSERT INTO follows SELECT $1, $2 FROM known WHERE a AND b ON CONFLICT DO NOTHING`,
		`DELETE FROM follows WHERE follower = $1 AND followee = $2 AND (SELECT a AND b FROM known)`},
	graph.Block: {`INSERT INTO blocks SELECT $1, $2 FROM known WHERE a AND b ON CONFLICT DO NOTHING`,
		`DELETE FROM blocks WHERE blocker = $1 AND blocked = $2 AND (SELECT a AND b FROM known)`},
	graph.Restrict: {`INSERT INTO restricts SELECT $1, $2 FROM known WHERE a AND b ON CONFLICT DO NOTHING`,
		`DELETE FROM restricts WHERE restrictor = $1 AND restricted = $2 AND (SELECT a AND b FROM known)`},
	graph.Facebook: {`INSERT INTO facebook_links SELECT LEAST($1::bigint, $2::bigint), GREATEST($1::bigint, $2::bigint)
			FROM known WHERE a AND b ON CONFLICT DO NOTHING`,
		`DELETE FROM facebook_links WHERE user_lo = LEAST($1::bigint, $2::bigint) AND user_hi = GREATEST($1::bigint, $2::bigint)
			AND (SELECT a AND b FROM known)`},
}

// SetEdge adds (on) or removes the relation kind from → to: Follow, Block,
// Restrict or Facebook (symmetric). Adding twice or removing an absent edge
// is not an error. It refuses other kinds with [graph.ErrInvalidEdge], a
// self edge with [graph.ErrSelfEdge], and unknown users with
// [graph.ErrUnknownUser].
func (s *Store) SetEdge(ctx context.Context, kind graph.Edge, from, to int64, on bool) (Token, error) {
	if kind == graph.Contact || !kind.Valid() {
		return Token{}, fmt.Errorf("%w: %v (contacts are set with SetContactKey and SyncContacts)", graph.ErrInvalidEdge, kind)
	}
	if from == to {
		return Token{}, fmt.Errorf("%w: %v %d", graph.ErrSelfEdge, kind, from)
	}
	write := edgeWrite[kind][0]
	if !on {
		write = edgeWrite[kind][1]
	}
	// One statement: the write runs only if both users exist, and the
	// statement says which do.
	var okFrom, okTo bool
	err := s.db.QueryRow(ctx, `WITH known AS (
			SELECT EXISTS (SELECT FROM users WHERE id = $1) AS a, EXISTS (SELECT FROM users WHERE id = $2) AS b),
		w AS (`+write+`)
		SELECT a, b FROM known`, from, to).Scan(&okFrom, &okTo)
	if err != nil {
		return Token{}, fmt.Errorf("postgres: writing %v edge: %w", kind, classify(err))
	}
	return s.committed(ctx, unknown(okFrom, from, okTo, to))
}

func unknown(okA bool, a int64, okB bool, b int64) error {
	switch {
	case !okA:
		return fmt.Errorf("%w: %d", graph.ErrUnknownUser, a)
	case !okB:
		return fmt.Errorf("%w: %d", graph.ErrUnknownUser, b)
	}
	return nil
}

// contactKeyLock is the first key of the advisory locks SetContactKey
// takes, one per contact key (the second is the key's hash).
const contactKeyLock = 0x646d6b // "dmk"

// SetContactKey sets the key of id's own phone number; an empty key
// removes it. A key another user holds moves to id (numbers are recycled).
// It refuses raw numbers with [graph.ErrRawNumber], and keys the database
// could not store (a NUL byte, invalid UTF-8, over [MaxContactKeyLen]
// bytes) with [ErrInvalidInput].
//
// Any number of users may take one key at once, and two may swap keys:
// each call first takes an advisory lock on the new key, so the takers of
// one key run one after the other, then locks its user's row and the key's
// holder's in ID order (FOR NO KEY UPDATE, which no foreign-key check
// waits for), so no two calls wait on each other in opposite orders. The
// last to commit holds the key; none fails.
func (s *Store) SetContactKey(ctx context.Context, id int64, key graph.ContactKey) (Token, error) {
	if key != "" {
		if err := checkKey(key); err != nil {
			return Token{}, err
		}
	}
	err := s.retry(ctx, func(tx pgx.Tx) error {
		if key != "" {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, int32(contactKeyLock), string(key)); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `SELECT id FROM users WHERE id = $1 OR contact_key = NULLIF($2, '')
			ORDER BY id FOR NO KEY UPDATE`, id, string(key))
		if err != nil {
			return err
		}
		found := false
		for rows.Next() {
			var x int64
			if err := rows.Scan(&x); err != nil {
				rows.Close()
				return err
			}
			found = found || x == id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: %d", graph.ErrUnknownUser, id)
		}
		if key != "" {
			if _, err := tx.Exec(ctx, `UPDATE users SET contact_key = NULL WHERE contact_key = $1 AND id <> $2`, string(key), id); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE users SET contact_key = NULLIF($2, '') WHERE id = $1`, id, string(key))
		return err
	})
	if err != nil {
		return Token{}, fmt.Errorf("postgres: setting contact key: %w", err)
	}
	return s.committed(ctx, nil)
}

// maxAttempts bounds the transactions a write retries on a deadlock or a
// serialization failure: a safety net, as the lock order rules both out.
const maxAttempts = 3

// retry runs fn in a transaction, again (up to maxAttempts in all) if it
// fails on a deadlock or a serialization failure, and returns its error
// classified (see ErrInvalidInput).
func (s *Store) retry(ctx context.Context, fn func(tx pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := pgx.BeginFunc(ctx, s.db, fn)
		if err == nil || attempt == maxAttempts || !retryable(err) || ctx.Err() != nil {
			return classify(err)
		}
	}
}

// lockUsers locks the rows of a and b (one row if they are the same user,
// none for unknown users) in ID order, FOR NO KEY UPDATE: every
// transaction that locks two users' rows takes them in this order, so two
// of them never wait on each other in opposite orders, and foreign-key
// checks (FOR KEY SHARE) never wait for them.
func lockUsers(ctx context.Context, tx pgx.Tx, a, b int64) error {
	_, err := tx.Exec(ctx, `SELECT FROM users WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE`, a, b)
	return err
}

// SyncContacts replaces id's synced contacts with keys, in one statement.
// Keys no account holds are kept; a key listed twice is stored once. It
// refuses raw numbers with [graph.ErrRawNumber] and keys the database could
// not store with [ErrInvalidInput].
func (s *Store) SyncContacts(ctx context.Context, id int64, keys []graph.ContactKey) (Token, error) {
	ks := make([]string, len(keys))
	for i, k := range keys {
		if err := checkKey(k); err != nil {
			return Token{}, err
		}
		ks[i] = string(k)
	}
	var found bool
	err := s.db.QueryRow(ctx, `WITH known AS (SELECT EXISTS (SELECT FROM users WHERE id = $1) AS a),
		del AS (DELETE FROM synced_contacts WHERE owner = $1 AND key <> ALL ($2::text[]) AND (SELECT a FROM known)),
		ins AS (INSERT INTO synced_contacts SELECT DISTINCT $1::bigint, k FROM unnest($2::text[]) AS k, known WHERE a
			ON CONFLICT DO NOTHING)
		SELECT a FROM known`, id, ks).Scan(&found)
	if err != nil {
		return Token{}, fmt.Errorf("postgres: syncing contacts: %w", classify(err))
	}
	return s.committed(ctx, unknown(found, id, true, 0))
}

// AddContact adds one key to id's synced contacts.
func (s *Store) AddContact(ctx context.Context, id int64, key graph.ContactKey) (Token, error) {
	if err := checkKey(key); err != nil {
		return Token{}, err
	}
	var found bool
	err := s.db.QueryRow(ctx, `WITH known AS (SELECT EXISTS (SELECT FROM users WHERE id = $1) AS a),
		ins AS (INSERT INTO synced_contacts SELECT $1, $2 FROM known WHERE a ON CONFLICT DO NOTHING)
		SELECT a FROM known`, id, string(key)).Scan(&found)
	if err != nil {
		return Token{}, fmt.Errorf("postgres: adding a contact: %w", classify(err))
	}
	return s.committed(ctx, unknown(found, id, true, 0))
}

// RemoveContact removes one key from id's synced contacts, if present.
func (s *Store) RemoveContact(ctx context.Context, id int64, key graph.ContactKey) (Token, error) {
	if err := checkKey(key); err != nil {
		return Token{}, err
	}
	var found bool
	err := s.db.QueryRow(ctx, `WITH known AS (SELECT EXISTS (SELECT FROM users WHERE id = $1) AS a),
		del AS (DELETE FROM synced_contacts WHERE owner = $1 AND key = $2)
		SELECT a FROM known`, id, string(key)).Scan(&found)
	if err != nil {
		return Token{}, fmt.Errorf("postgres: removing a contact: %w", classify(err))
	}
	return s.committed(ctx, unknown(found, id, true, 0))
}

// SetSettings stores id's settings as they are; whether the user may choose
// the mode is the policy's question (privacy's Engine.ValidateSettings). It
// refuses undefined settings ([inbox.Settings.Defined]) and an unknown user
// (with [graph.ErrUnknownUser]).
func (s *Store) SetSettings(ctx context.Context, id int64, st inbox.Settings) (Token, error) {
	if err := st.Defined(); err != nil {
		return Token{}, err
	}
	var found bool
	err := s.db.QueryRow(ctx, `WITH known AS (SELECT EXISTS (SELECT FROM users WHERE id = $1) AS a),
		up AS (INSERT INTO inbox_settings (user_id, mode, routes, groups) SELECT $1, $2, $3, $4 FROM known WHERE a
			ON CONFLICT (user_id) DO UPDATE SET mode = EXCLUDED.mode, routes = EXCLUDED.routes, groups = EXCLUDED.groups)
		SELECT a FROM known`, id, int16(st.Mode), int64(st.Routes.Bits()), int16(st.Groups)).Scan(&found)
	if err != nil {
		return Token{}, fmt.Errorf("postgres: setting settings: %w", classify(err))
	}
	return s.committed(ctx, unknown(found, id, true, 0))
}

// upsertConversation replaces the pair's thread; $1 and $2 must exist.
const upsertConversation = `INSERT INTO conversations (user_lo, user_hi, starter, state, started)
	SELECT LEAST($1::bigint, $2::bigint), GREATEST($1::bigint, $2::bigint), $3, $4, $5 FROM known WHERE a AND b
	ON CONFLICT (user_lo, user_hi) DO UPDATE SET starter = EXCLUDED.starter, state = EXCLUDED.state, started = EXCLUDED.started`

// SetConversation sets the thread between from and to, started by from at
// time at (kept to the microsecond) in state st, replacing any thread the
// pair had: for loading existing data and tests. [Store.Deliver],
// [Store.Accept] and [Store.Decline] follow the lifecycle.
func (s *Store) SetConversation(ctx context.Context, from, to int64, st inbox.State, at time.Time) (Token, error) {
	if from == to {
		return Token{}, inbox.ErrSelf
	}
	if st == inbox.NoThread || st > inbox.Declined {
		return Token{}, fmt.Errorf("%w: %v", inbox.ErrInvalidState, st)
	}
	var okFrom, okTo bool
	err := s.db.QueryRow(ctx, `WITH known AS (
			SELECT EXISTS (SELECT FROM users WHERE id = $1) AS a, EXISTS (SELECT FROM users WHERE id = $2) AS b),
		up AS (`+upsertConversation+`)
		SELECT a, b FROM known`, from, to, from, int16(st), at).Scan(&okFrom, &okTo)
	if err != nil {
		return Token{}, fmt.Errorf("postgres: setting conversation: %w", classify(err))
	}
	return s.committed(ctx, unknown(okFrom, from, okTo, to))
}

// Deliver records that from sent to a message that landed as d at time at,
// and returns the conversation afterwards, following [inbox.Next]: in one
// transaction that locks both users' rows in ID order, as [Store.Send]
// does, so a delivery and a send of the pair never interleave. An
// Undelivered message changes nothing.
func (s *Store) Deliver(ctx context.Context, from, to int64, d inbox.Delivery, at time.Time) (inbox.Conversation[int64], Token, error) {
	if from == to {
		return inbox.Conversation[int64]{}, Token{}, inbox.ErrSelf
	}
	var out inbox.Conversation[int64]
	err := s.retry(ctx, func(tx pgx.Tx) error {
		if err := lockUsers(ctx, tx, from, to); err != nil {
			return err
		}
		cur, err := New(tx).Conversation(ctx, from, to)
		if err != nil {
			return err
		}
		out = inbox.Next(cur, from, d, at)
		if out == cur {
			return nil
		}
		_, err = New(tx).SetConversation(ctx, out.Starter, other(out.Starter, from, to), out.State, out.Started)
		return err
	})
	if err != nil {
		return inbox.Conversation[int64]{}, Token{}, fmt.Errorf("postgres: delivering: %w", err)
	}
	tok, err := s.committed(ctx, nil)
	return out, tok, err
}

func other(x, a, b int64) int64 {
	if x == a {
		return b
	}
	return a
}

// Accept accepts sender's pending or held request to recipient, or returns
// [inbox.ErrNoRequest].
func (s *Store) Accept(ctx context.Context, recipient, sender int64) (Token, error) {
	return s.answer(ctx, recipient, sender, inbox.Accepted)
}

// Decline declines sender's pending or held request to recipient, or
// returns [inbox.ErrNoRequest].
func (s *Store) Decline(ctx context.Context, recipient, sender int64) (Token, error) {
	return s.answer(ctx, recipient, sender, inbox.Declined)
}

func (s *Store) answer(ctx context.Context, recipient, sender int64, st inbox.State) (Token, error) {
	err := s.retry(ctx, func(tx pgx.Tx) error {
		// The users' rows first, as a send takes them: an answer and a
		// send of the pair run one after the other.
		if err := lockUsers(ctx, tx, recipient, sender); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE conversations SET state = $3
			WHERE user_lo = LEAST($1::bigint, $2::bigint) AND user_hi = GREATEST($1::bigint, $2::bigint)
			AND starter = $2 AND state IN (1, 2)`, recipient, sender, int16(st))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return inbox.ErrNoRequest
		}
		return nil
	})
	if errors.Is(err, inbox.ErrNoRequest) {
		return Token{}, inbox.ErrNoRequest
	}
	if err != nil {
		return Token{}, fmt.Errorf("postgres: answering a request: %w", err)
	}
	return s.committed(ctx, nil)
}
