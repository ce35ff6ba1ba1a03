package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Token is a consistency token: a position in PostgreSQL's write-ahead log
// (an LSN) at or after the commit of a write. Every write of a [Store]
// returns one; a read that carries it asks for an answer at least as fresh
// as that write. A replica that follows the database's logical replication
// stream (package replica) answers such a read once it has applied every
// transaction that committed up to the token's position, and the primary
// always can.
//
// Callers treat a Token as opaque: they pass on its [Token.String] and
// parse it back with [ParseToken], and may keep the later of two tokens
// with [Token.Max]. The zero Token asks for nothing: any answer is fresh
// enough.
type Token struct{ lsn uint64 }

// tokenPrefix versions the text form.
const tokenPrefix = "v1."

// primaryLSN is the position of [TokenPrimary]: past any real one.
const primaryLSN = math.MaxUint64

// TokenPrimary is the token of a write whose commit position could not be
// read (the connection failed between the commit and the read): no
// replica can prove it is that fresh, so a read carrying it goes to the
// primary.
var TokenPrimary = Token{primaryLSN}

// TokenAt returns the token of the log position lsn (as pglogrepl.LSN and
// pg_lsn count it: bytes from the start of the log).
func TokenAt(lsn uint64) Token { return Token{lsn} }

// LSN returns the token's log position; 0 for the zero Token.
func (t Token) LSN() uint64 { return t.lsn }

// IsZero reports whether t is the zero Token, which asks for nothing.
func (t Token) IsZero() bool { return t.lsn == 0 }

// Primary reports whether only the primary can answer a read carrying t
// (see [TokenPrimary]).
func (t Token) Primary() bool { return t.lsn == primaryLSN }

// Max returns the later of t and u: a read carrying it is at least as
// fresh as both writes.
func (t Token) Max(u Token) Token {
	if u.lsn > t.lsn {
		return u
	}
	return t
}

// String returns the token's text form, "" for the zero Token.
func (t Token) String() string {
	if t.lsn == 0 {
		return ""
	}
	return tokenPrefix + fmt.Sprintf("%016x", t.lsn)
}

// ErrBadToken is returned by [ParseToken] for text no Store issued.
var ErrBadToken = errors.New("postgres: not a consistency token")

// ParseToken parses [Token.String]'s form; "" is the zero Token.
func ParseToken(s string) (Token, error) {
	if s == "" {
		return Token{}, nil
	}
	hex, ok := strings.CutPrefix(s, tokenPrefix)
	if !ok || len(hex) != 16 {
		return Token{}, fmt.Errorf("%w: %.40q", ErrBadToken, s)
	}
	lsn, err := strconv.ParseUint(hex, 16, 64)
	if err != nil || lsn == 0 {
		return Token{}, fmt.Errorf("%w: %.40q", ErrBadToken, s)
	}
	return Token{lsn}, nil
}

// MarshalText is [Token.String], for JSON.
func (t Token) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText is [ParseToken], for JSON.
func (t *Token) UnmarshalText(b []byte) error {
	v, err := ParseToken(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Token returns a token that covers every write that committed before the
// call: the database's current WAL insert position. The writes of a Store
// return it themselves; call Token after a write made another way, such
// as a send through the engine ([Checker.Send] does). A Store over a
// transaction (New(tx)) returns the zero Token: its writes are not
// committed yet, so read the token after the commit, on a Store over the
// pool.
//
// Why the insert position, read after the commit returned: the commit
// record of the write ends at or before it, whatever else commits at the
// same time and whether or not commits wait for the disk
// (synchronous_commit), so a replica that has applied the stream up to the
// token has applied the write. A position read inside the transaction
// would come before the commit record, and another transaction's commit
// could land in between.
func (s *Store) Token(ctx context.Context) (Token, error) {
	if _, ok := s.db.(pgx.Tx); ok {
		return Token{}, nil
	}
	var lsn uint64
	err := s.db.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn() - '0/0'`).Scan(&lsn)
	if err != nil {
		return Token{}, fmt.Errorf("postgres: reading the log position: %w", classify(err))
	}
	return Token{lsn}, nil
}

// committed returns the token of a write that has committed (err is nil)
// and the write's error otherwise. If the position cannot be read, the
// write still succeeded: its token is [TokenPrimary], which sends reads
// that carry it to the primary.
func (s *Store) committed(ctx context.Context, err error) (Token, error) {
	if err != nil {
		return Token{}, err
	}
	t, terr := s.Token(ctx)
	if terr != nil {
		return TokenPrimary, nil
	}
	return t, nil
}
