package graph

import (
	"context"
	"errors"
	"fmt"
)

// Errors returned by the in-memory store's write methods and expected of
// hosts' write paths, for checking with [errors.Is].
var (
	ErrUnknownUser = errors.New("graph: unknown user")
	ErrSelfEdge    = errors.New("graph: an edge from a user to themselves")
	ErrInvalidUser = errors.New("graph: invalid user")
	ErrInvalidEdge = errors.New("graph: invalid edge kind")
	ErrRawNumber   = errors.New("graph: contact key looks like a raw phone number, not a hash")
	ErrInvalidKey  = errors.New("graph: invalid contact key")
)

// Reader is what the engine requires of a host's social graph: two reads,
// both safe for concurrent use.
//
// The convention for unknown users, used by every read in this module: an
// unknown ID is not an error. User returns the zero [User] (whose status,
// [StatusUnknown], makes every policy deny), and HasEdge returns false. An
// error means the store failed, and the engine then denies (fails closed).
type Reader[ID comparable] interface {
	// User returns the account facts of id, or the zero User and a nil
	// error if id is unknown.
	User(ctx context.Context, id ID) (User, error)

	// HasEdge reports whether the relation kind holds from one user to
	// another. It returns false, nil if either user is unknown. Facebook is
	// symmetric: HasEdge(ctx, Facebook, a, b) == HasEdge(ctx, Facebook, b, a).
	HasEdge(ctx context.Context, kind Edge, from, to ID) (bool, error)
}

// PairReader is an optional capability of a [Reader]: every graph fact about
// two users in one call, so a store behind a network answers in one round
// trip. Pair(ctx, a, b) must equal what User and HasEdge answer for the same
// state. Without it, [ReadPair] makes two User and nine HasEdge calls.
type PairReader[ID comparable] interface {
	Pair(ctx context.Context, a, b ID) (Pair, error)
}

// ReadPair returns every graph fact about a and b. It calls r.Pair if r
// implements [PairReader], and otherwise User twice and HasEdge once per
// kind and direction. An error is wrapped with the read that failed.
func ReadPair[ID comparable](ctx context.Context, r Reader[ID], a, b ID) (Pair, error) {
	if pr, ok := r.(PairReader[ID]); ok {
		return pr.Pair(ctx, a, b)
	}
	var p Pair
	var err error
	if p.A, err = r.User(ctx, a); err != nil {
		return Pair{}, fmt.Errorf("graph: reading user: %w", err)
	}
	if p.B, err = r.User(ctx, b); err != nil {
		return Pair{}, fmt.Errorf("graph: reading user: %w", err)
	}
	for k := Follow; k <= Facebook; k++ {
		for _, aToB := range [2]bool{true, false} {
			if k == Facebook && !aToB {
				continue
			}
			from, to := a, b
			if !aToB {
				from, to = b, a
			}
			ok, err := r.HasEdge(ctx, k, from, to)
			if err != nil {
				return Pair{}, fmt.Errorf("graph: reading %s edge: %w", k, err)
			}
			if ok {
				p.Edges |= EdgeBit(k, aToB)
			}
		}
	}
	return p, nil
}

// ReaderFuncs adapts two functions to a [Reader], as [net/http.HandlerFunc]
// adapts one to a Handler: for tests, and for hosts whose reads are closures
// over their own clients. A nil function answers as for an unknown user.
type ReaderFuncs[ID comparable] struct {
	UserFunc    func(ctx context.Context, id ID) (User, error)
	HasEdgeFunc func(ctx context.Context, kind Edge, from, to ID) (bool, error)
}

// User calls f.UserFunc.
func (f ReaderFuncs[ID]) User(ctx context.Context, id ID) (User, error) {
	if f.UserFunc == nil {
		return User{}, nil
	}
	return f.UserFunc(ctx, id)
}

// HasEdge calls f.HasEdgeFunc.
func (f ReaderFuncs[ID]) HasEdge(ctx context.Context, kind Edge, from, to ID) (bool, error) {
	if f.HasEdgeFunc == nil {
		return false, nil
	}
	return f.HasEdgeFunc(ctx, kind, from, to)
}
