package gate

import (
	"context"
	"net/http"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
)

// TokenHeader carries consistency tokens: every successful write answers
// with the write's token in it, and any read may send one back (checks
// and batches may also send it as the body's "token" field) to be
// answered at least as fresh as that write. See package replica.
const TokenHeader = "X-Consistency-Token"

// setToken puts a write's token in the answer's header.
func setToken(w http.ResponseWriter, tok postgres.Token) {
	if !tok.IsZero() {
		w.Header().Set(TokenHeader, tok.String())
	}
}

// sentToken returns the token of a write that was made through the
// engine (a send): the database's position now, or TokenPrimary if it
// cannot be read, so that a read carrying it goes to PostgreSQL.
func (g *Gate) sentToken(ctx context.Context) postgres.Token {
	tok, err := g.store.Token(ctx)
	if err != nil {
		return postgres.TokenPrimary
	}
	return tok
}
