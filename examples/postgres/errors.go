package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"github.com/dmprivacy/dmprivacy/graph"
)

// Errors that say whose fault a failed call is, for [errors.Is]. Every
// error a Store returns from the database wraps one of them, or
// [graph.ErrUnknownUser] (a write naming a user who does not exist), or
// none when it is neither the caller's nor the database's availability (a
// corrupt row, a bug): a service maps the first to 4xx, the second to 409,
// the third to 503, and the rest to 500.
var (
	// ErrInvalidInput: the database refused a value the caller gave (a
	// key with a NUL byte or invalid UTF-8, a key too long to index, a
	// value out of a column's range). Retrying cannot help.
	ErrInvalidInput = errors.New("postgres: invalid input")

	// ErrConflict: the write collided with a concurrent one and did not
	// apply, even after the Store's own retries. The Store's lock order
	// is meant to make this never happen; it is here so that it is never
	// mistaken for an outage if it does.
	ErrConflict = errors.New("postgres: conflicting concurrent write")

	// ErrUnavailable: the database could not be reached or did not answer
	// in time (connection refused or lost, the server shutting down or
	// out of connections, the context's deadline). Retrying later may
	// help.
	ErrUnavailable = errors.New("postgres: database unavailable")
)

// MaxContactKeyLen is the most bytes of a contact key: a hash, hex or
// base64, is far shorter, and a longer one would not fit in the index.
const MaxContactKeyLen = 512

// checkKey refuses a contact key the database could not store or index,
// before it is sent: the SDK's own check refuses raw phone numbers.
func checkKey(k graph.ContactKey) error {
	switch {
	case len(k) > MaxContactKeyLen:
		return fmt.Errorf("%w: a contact key of %d bytes (at most %d)", ErrInvalidInput, len(k), MaxContactKeyLen)
	case !utf8.ValidString(string(k)):
		return fmt.Errorf("%w: a contact key that is not UTF-8", ErrInvalidInput)
	}
	for i := 0; i < len(k); i++ {
		if k[i] == 0 {
			return fmt.Errorf("%w: a contact key with a NUL byte", ErrInvalidInput)
		}
	}
	if err := graph.CheckContactKey(k); err != nil {
		if errors.Is(err, graph.ErrRawNumber) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return nil
}

// classify wraps err with the sentinel that says whose fault it is (see
// ErrInvalidInput). A canceled context is left alone: the caller gave up.
func classify(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23503": // foreign_key_violation
			return fmt.Errorf("%w: %s: %w", graph.ErrUnknownUser, pe.Detail, err)
		case pe.Code == "23505", pe.Code == "40001", pe.Code == "40P01": // unique, serialization, deadlock
			return fmt.Errorf("%w: %w", ErrConflict, err)
		case pe.Code[:2] == "22", pe.Code == "23514", pe.Code == "54000": // data exceptions, check violations, too long to index
			return fmt.Errorf("%w: %w", ErrInvalidInput, err)
		case unavailableClass(pe.Code):
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return err
	}
	if lostConnection(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// lostConnection reports client-side failures to reach the server or to
// hear back from it: a refused or broken connection, a timeout, a closed
// pool.
func lostConnection(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) ||
		errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, puddle.ErrClosedPool)
}

// unavailableClass reports SQLSTATEs that mean the server cannot serve
// now: connection exceptions, insufficient resources, operator
// intervention (shutdown, crash recovery, cannot connect now), system
// errors, and a lock or statement timeout.
func unavailableClass(code string) bool {
	switch code[:2] {
	case "08", "53", "57", "58":
		return true
	}
	return code == "55P03" // lock_not_available
}

// retryable reports errors that a Store retries a transaction on: a
// serialization failure or a deadlock, which the lock order should make
// impossible.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
