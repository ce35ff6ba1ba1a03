package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/dmprivacy/dmprivacy/inbox"
)

var _ inbox.Sender[int64] = (*Store)(nil)

// Send reads the facts of one decision, calls decide with them and records
// the delivery decide returns (the conversation's next state, per
// [inbox.Next]), in one transaction: the SDK's [inbox.Sender] capability,
// which privacy's Engine.Send uses when the Store is both of its readers.
//
// The transaction first locks both users' rows in ID order, FOR NO KEY
// UPDATE, then reads the facts with the one-statement fact query (a fresh
// snapshot, taken once the locks are held). So:
//   - sends involving the same user run one after the other, and each sees
//     the ones before it: a sender never holds more pending requests than
//     the cap, however many sends run at once;
//   - two users sending each other a first message at once take the same
//     locks in the same order: one waits, then sees the other's thread;
//   - a send that starts after a write returned (a block, say) sees it.
//
// Foreign-key checks of other writes take FOR KEY SHARE on users' rows,
// which FOR NO KEY UPDATE does not conflict with, and the only other
// statements that lock two users' rows ([Store.Deliver], [Store.Accept],
// [Store.Decline], [Store.SetContactKey]) take them in the same order: no
// cycle of waits can form. A deadlock or serialization failure, should one
// happen anyway, rolls the transaction back and runs it again, up to three
// times in all; decide may then be called more than once, and the last
// call's delivery is the one recorded.
//
// If decide returns an error, nothing is recorded and Send returns it.
// Errors from the database are classified as the writes' are (see
// [ErrUnavailable]).
func (s *Store) Send(ctx context.Context, q inbox.Query[int64], decide func(f *inbox.Facts[int64]) (inbox.Delivery, error)) (inbox.Conversation[int64], error) {
	var out inbox.Conversation[int64]
	var decideErr error
	err := s.retry(ctx, func(tx pgx.Tx) error {
		decideErr = nil
		if err := lockUsers(ctx, tx, q.Sender, q.Recipient); err != nil {
			return err
		}
		// Requests started after q.At count too: they were recorded by
		// sends that took the locks first (their clock read later than
		// ours), so they come before this one.
		f, err := New(tx).facts(ctx, q, pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true})
		if err != nil {
			return err
		}
		d, err := decide(&f)
		if err != nil {
			decideErr = err
			return err
		}
		out = f.Conversation
		if d == inbox.Undelivered || q.Sender == q.Recipient {
			return nil
		}
		next := inbox.Next(f.Conversation, q.Sender, d, q.At)
		if next == out {
			return nil
		}
		if _, err := New(tx).SetConversation(ctx, next.Starter, other(next.Starter, q.Sender, q.Recipient), next.State, next.Started); err != nil {
			return err
		}
		out = next
		return nil
	})
	if decideErr != nil {
		return inbox.Conversation[int64]{}, decideErr
	}
	if err != nil {
		return inbox.Conversation[int64]{}, fmt.Errorf("postgres: sending: %w", err)
	}
	return out, nil
}
