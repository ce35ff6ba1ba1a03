package inbox

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
)

// Reader is what the engine requires of a host's inbox storage: three reads,
// all safe for concurrent use. Unknown users are not errors (the convention
// of [graph.Reader]): they have the zero Settings, no conversations and no
// requests.
type Reader[ID comparable] interface {
	// Settings returns id's inbox settings, or the zero Settings (mode
	// never set) if id is unknown or never chose.
	Settings(ctx context.Context, id ID) (Settings, error)

	// Conversation returns the thread between a and b, in either order,
	// or the zero Conversation if there is none.
	Conversation(ctx context.Context, a, b ID) (Conversation[ID], error)

	// PendingRequests counts sender's conversations that are Pending and
	// were started in the window (after, upTo]. Held, accepted and
	// declined ones never count.
	PendingRequests(ctx context.Context, sender ID, after, upTo time.Time) (int, error)
}

// Query asks for the facts of one decision: a sender, a recipient, a time,
// and the window over which the sender's pending requests are counted.
type Query[ID comparable] struct {
	Sender, Recipient ID
	At                time.Time

	// Window is the request cap's window: pending requests started in
	// (At−Window, At] are counted. Zero means the count is not needed.
	Window time.Duration
}

// Facts is every fact one decision needs, read in one call by a
// [FactReader].
type Facts[ID comparable] struct {
	// Pair is the graph facts, with A the sender and B the recipient.
	Pair graph.Pair

	// Settings is the recipient's inbox settings.
	Settings Settings

	// Conversation is the thread between sender and recipient, if any.
	Conversation Conversation[ID]

	// PendingRequests is the sender's pending requests started in the
	// query's window; zero when the query's Window is zero.
	PendingRequests int
}

// FactReader is an optional capability: every fact of one decision in one
// call, so a host whose graph and inbox live in one database answers with
// one round trip. Facts cover the graph too, so the engine uses it only
// when one value is both its graph reader and its inbox reader (the
// embedded store, or a database adapter passed as both). Facts must equal
// what the required reads of [graph.Reader] and [Reader] answer for the
// same state. Without it, [ReadFacts] reads the graph pair (one call with
// [graph.PairReader], else eleven), the settings, the conversation and,
// when asked, the pending count.
//
// A wrapper that embeds a FactReader inherits its Facts, which read past
// the wrapper's own methods: such a wrapper overrides Facts too, or holds
// the store in a named field.
type FactReader[ID comparable] interface {
	Facts(ctx context.Context, q Query[ID]) (Facts[ID], error)
}

// ReadFacts returns the facts of q, calling a [FactReader] when g and r
// are one value that is one, else the required reads. Errors are wrapped
// with the read that failed.
func ReadFacts[ID comparable](ctx context.Context, g graph.Reader[ID], r Reader[ID], q Query[ID]) (Facts[ID], error) {
	if fr, ok := r.(FactReader[ID]); ok && SameReader(g, r) {
		return fr.Facts(ctx, q)
	}
	var f Facts[ID]
	var err error
	if f.Pair, err = graph.ReadPair(ctx, g, q.Sender, q.Recipient); err != nil {
		return Facts[ID]{}, err
	}
	if f.Settings, err = r.Settings(ctx, q.Recipient); err != nil {
		return Facts[ID]{}, fmt.Errorf("inbox: reading settings: %w", err)
	}
	if f.Conversation, err = r.Conversation(ctx, q.Sender, q.Recipient); err != nil {
		return Facts[ID]{}, fmt.Errorf("inbox: reading conversation: %w", err)
	}
	if q.Window > 0 {
		if f.PendingRequests, err = r.PendingRequests(ctx, q.Sender, q.At.Add(-q.Window), q.At); err != nil {
			return Facts[ID]{}, fmt.Errorf("inbox: counting pending requests: %w", err)
		}
	}
	return f, nil
}

// SameReader reports whether g and r are one value — the same dynamic type,
// comparable, and equal — so that a capability of r that covers graph facts
// too (a [FactReader]) may stand for both.
func SameReader(g, r any) bool {
	if g == nil || r == nil {
		return false
	}
	tg := reflect.TypeOf(g)
	if tg != reflect.TypeOf(r) || !tg.Comparable() {
		return false
	}
	return g == r
}

// ReaderFuncs adapts functions to a [Reader], for tests and for hosts whose
// reads are closures. A nil function answers as for an unknown user.
type ReaderFuncs[ID comparable] struct {
	SettingsFunc        func(ctx context.Context, id ID) (Settings, error)
	ConversationFunc    func(ctx context.Context, a, b ID) (Conversation[ID], error)
	PendingRequestsFunc func(ctx context.Context, sender ID, after, upTo time.Time) (int, error)
}

// Settings calls f.SettingsFunc.
func (f ReaderFuncs[ID]) Settings(ctx context.Context, id ID) (Settings, error) {
	if f.SettingsFunc == nil {
		return Settings{}, nil
	}
	return f.SettingsFunc(ctx, id)
}

// Conversation calls f.ConversationFunc.
func (f ReaderFuncs[ID]) Conversation(ctx context.Context, a, b ID) (Conversation[ID], error) {
	if f.ConversationFunc == nil {
		return Conversation[ID]{}, nil
	}
	return f.ConversationFunc(ctx, a, b)
}

// PendingRequests calls f.PendingRequestsFunc.
func (f ReaderFuncs[ID]) PendingRequests(ctx context.Context, sender ID, after, upTo time.Time) (int, error) {
	if f.PendingRequestsFunc == nil {
		return 0, nil
	}
	return f.PendingRequestsFunc(ctx, sender, after, upTo)
}

// BatchQuery asks for the facts of one sender with many recipients (a share
// sheet): the same sender, time and window as a [Query] for each recipient.
type BatchQuery[ID comparable] struct {
	Sender     ID
	Recipients []ID
	At         time.Time
	Window     time.Duration
}

// BatchFactReader is an optional capability: the facts of a whole batch in
// one call (one round trip for a database), for the engine's batch check.
// FactsBatch fills dst[i] with what [FactReader.Facts] would return for
// Recipients[i]; len(dst) equals len(q.Recipients). The engine uses it,
// like FactReader, when one value is both readers; without it, a batch is
// read one recipient at a time.
type BatchFactReader[ID comparable] interface {
	FactsBatch(ctx context.Context, q BatchQuery[ID], dst []Facts[ID]) error
}
