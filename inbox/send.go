package inbox

import "context"

// Sender is an optional capability of an inbox store: decide and record a
// delivery in one atomic step. Package privacy's Engine.Send uses it, so
// that sending a message and the facts the next decision reads change
// together: without it, two sends by one sender can both pass the request
// cap before either is recorded, and a send can race a block.
//
// Send reads the facts of q (as a [FactReader] would; q.Window is set when
// the policy caps requests), calls decide with them, and when decide
// returns a delivery other than [Undelivered] records it as [Next] says,
// all in one step: no write to either user's facts lands between the read
// and the record, and concurrent Sends involving the same users run one
// after the other. If decide returns an error or recording fails, nothing
// is recorded and Send returns the error. It returns the conversation
// afterwards (as it was, when nothing was delivered).
//
// Implementations must not deadlock or fail when two users send each other
// a first message at the same moment: one of the two sends lands first and
// the other sees its thread. The embedded store implements Sender under its
// writers' lock; a database implements it as one transaction that locks
// both users' rows in a fixed order (the PostgreSQL adapter in examples/
// does). A store without the capability can keep the guarantees by
// serializing a sender's sends itself; see privacy's Engine.Send.
type Sender[ID comparable] interface {
	Send(ctx context.Context, q Query[ID], decide func(f *Facts[ID]) (Delivery, error)) (Conversation[ID], error)
}
