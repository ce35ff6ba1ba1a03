package postgres

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

var (
	_ graph.Lister[int64]             = (*Store)(nil)
	_ inbox.ConversationLister[int64] = (*Store)(nil)
)

// relatedSQL lists a relation of $1 in ID order from $2 on, at most $3
// rows: one indexed range scan per page (keyset pagination). A page starts
// at the ID after the cursor's, and the first page at math.MinInt64, which
// is a user ID like any other.
var relatedSQL = map[graph.Relation]string{
	graph.RelationFollowing:  `SELECT followee FROM follows WHERE follower = $1 AND followee >= $2 ORDER BY followee LIMIT $3`,
	graph.RelationFollowers:  `SELECT follower FROM follows WHERE followee = $1 AND follower >= $2 ORDER BY follower LIMIT $3`,
	graph.RelationBlocked:    `SELECT blocked FROM blocks WHERE blocker = $1 AND blocked >= $2 ORDER BY blocked LIMIT $3`,
	graph.RelationRestricted: `SELECT restricted FROM restricts WHERE restrictor = $1 AND restricted >= $2 ORDER BY restricted LIMIT $3`,
	graph.RelationContacts: `SELECT u.id FROM synced_contacts sc JOIN users u ON u.contact_key = sc.key
		WHERE sc.owner = $1 AND u.id >= $2 ORDER BY u.id LIMIT $3`,
	graph.RelationFacebookFriends: `SELECT x FROM (
		SELECT user_hi AS x FROM facebook_links WHERE user_lo = $1 AND user_hi >= $2
		UNION ALL SELECT user_lo FROM facebook_links WHERE user_hi = $1 AND user_lo >= $2) f
		ORDER BY x LIMIT $3`,
	graph.RelationFriends: `SELECT f.followee FROM follows f
		JOIN follows b ON b.follower = f.followee AND b.followee = f.follower
		WHERE f.follower = $1 AND f.followee >= $2 ORDER BY f.followee LIMIT $3`,
}

// cursorFrom decodes a cursor, the last ID of the previous page, into the
// first ID the next page may hold; done when that page is past the last
// possible ID.
func cursorFrom(c graph.Cursor) (from int64, done bool, err error) {
	if c == "" {
		return math.MinInt64, false, nil
	}
	id, err := strconv.ParseInt(string(c), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%w: %q", graph.ErrBadCursor, c)
	}
	if id == math.MaxInt64 {
		return 0, true, nil
	}
	return id + 1, false, nil
}

// Related appends up to limit users of id's relation rel after the cursor,
// in ID order, and returns the cursor of the next page (zero after the
// last). One statement per page.
func (s *Store) Related(ctx context.Context, id int64, rel graph.Relation, after graph.Cursor, limit int, dst []int64) ([]int64, graph.Cursor, error) {
	q, ok := relatedSQL[rel]
	if !ok {
		return dst, "", fmt.Errorf("postgres: unknown relation %v", rel)
	}
	from, done, err := cursorFrom(after)
	if err != nil || done || limit <= 0 {
		return dst, "", err
	}
	// One row more than asked, to know whether there is a next page.
	rows, err := s.db.Query(ctx, q, id, from, limit+1)
	if err != nil {
		return dst, "", fmt.Errorf("postgres: listing %v: %w", rel, classify(err))
	}
	defer rows.Close()
	n := 0
	var last int64
	more := false
	for rows.Next() {
		var x int64
		if err := rows.Scan(&x); err != nil {
			return dst, "", fmt.Errorf("postgres: listing %v: %w", rel, classify(err))
		}
		if n == limit {
			more = true
			break
		}
		dst = append(dst, x)
		last, n = x, n+1
	}
	if err := rows.Err(); err != nil {
		return dst, "", fmt.Errorf("postgres: listing %v: %w", rel, classify(err))
	}
	if !more {
		return dst, "", nil
	}
	return dst, graph.Cursor(strconv.FormatInt(last, 10)), nil
}

// CountUsers returns the number of users, whatever their status.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: counting users: %w", classify(err))
	}
	return n, nil
}

// Threads appends up to limit of id's conversations after the cursor, in
// the order of the other user's ID.
func (s *Store) Threads(ctx context.Context, id int64, after graph.Cursor, limit int, dst []inbox.Thread[int64]) ([]inbox.Thread[int64], graph.Cursor, error) {
	from, done, err := cursorFrom(after)
	if err != nil || done || limit <= 0 {
		return dst, "", err
	}
	rows, err := s.db.Query(ctx, `SELECT other, starter, state, started FROM (
		SELECT user_hi AS other, starter, state, started FROM conversations WHERE user_lo = $1 AND user_hi >= $2
		UNION ALL SELECT user_lo, starter, state, started FROM conversations WHERE user_hi = $1 AND user_lo >= $2) t
		ORDER BY other LIMIT $3`, id, from, limit+1)
	if err != nil {
		return dst, "", fmt.Errorf("postgres: listing conversations: %w", classify(err))
	}
	defer rows.Close()
	n := 0
	more := false
	for rows.Next() {
		var t inbox.Thread[int64]
		var c convScan
		if err := rows.Scan(append([]any{&t.With}, c.dest()...)...); err != nil {
			return dst, "", fmt.Errorf("postgres: listing conversations: %w", classify(err))
		}
		if n == limit {
			more = true
			break
		}
		t.Conversation = c.conversation()
		dst = append(dst, t)
		n++
	}
	if err := rows.Err(); err != nil {
		return dst, "", fmt.Errorf("postgres: listing conversations: %w", classify(err))
	}
	if !more {
		return dst, "", nil
	}
	return dst, graph.Cursor(strconv.FormatInt(dst[len(dst)-1].With, 10)), nil
}
