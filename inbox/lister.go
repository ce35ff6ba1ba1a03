package inbox

import (
	"context"

	"github.com/dmprivacy/dmprivacy/graph"
)

// Thread is one of a user's conversations, with the other user.
type Thread[ID comparable] struct {
	With ID
	Conversation[ID]
}

// ConversationLister is an optional capability of a [Reader]: a user's
// conversations page by page, for the audience preview (package privacy),
// whose "people you have a conversation with" are the user's own threads. A
// host without it gets previews that leave the conversation audience out,
// and says so (see privacy's Engine.PreviewAudience).
type ConversationLister[ID comparable] interface {
	// Threads appends to dst up to limit of id's conversations, starting
	// after the cursor, and returns dst and the cursor of the next page:
	// the zero Cursor when there is none. The order is the store's own but
	// stable. An unknown id has none.
	Threads(ctx context.Context, id ID, after graph.Cursor, limit int, dst []Thread[ID]) ([]Thread[ID], graph.Cursor, error)
}
