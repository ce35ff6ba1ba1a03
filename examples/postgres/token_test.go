package postgres_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
	"github.com/dmprivacy/dmprivacy/graph"
)

func TestTokenText(t *testing.T) {
	for _, lsn := range []uint64{1, 0x16b3748, 1 << 40, 1<<64 - 1} {
		tok := postgres.TokenAt(lsn)
		got, err := postgres.ParseToken(tok.String())
		if err != nil || got != tok {
			t.Errorf("ParseToken(%q) = %v, %v; want %v", tok.String(), got, err, tok)
		}
		b, _ := json.Marshal(tok)
		var back postgres.Token
		if err := json.Unmarshal(b, &back); err != nil || back != tok {
			t.Errorf("JSON %s: %v, %v", b, back, err)
		}
	}
	if z, err := postgres.ParseToken(""); err != nil || !z.IsZero() || z.String() != "" {
		t.Errorf(`ParseToken("") = %v, %v`, z, err)
	}
	for _, bad := range []string{"x", "v1.", "v1.0000000000000000", "v1.zzzzzzzzzzzzzzzz", "v2.0000000000000001", "v1.00000000000000011", "0/16B3748"} {
		if _, err := postgres.ParseToken(bad); !errors.Is(err, postgres.ErrBadToken) {
			t.Errorf("ParseToken(%q): %v; want ErrBadToken", bad, err)
		}
	}
	a, b := postgres.TokenAt(5), postgres.TokenAt(9)
	if a.Max(b) != b || b.Max(a) != b || a.Max(postgres.Token{}) != a {
		t.Error("Max is not the later token")
	}
	if !postgres.TokenPrimary.Primary() || a.Primary() {
		t.Error("Primary")
	}
}

// TestWritesReturnTokens: every write returns a token at or past the
// database's position before it, and a refused write returns none.
func TestWritesReturnTokens(t *testing.T) {
	s := postgres.New(pgtest.Open(t, nil))
	ctx := t.Context()
	before, err := s.Token(ctx)
	if err != nil || before.IsZero() {
		t.Fatalf("Token: %v, %v", before, err)
	}
	tok, err := s.SetUser(ctx, 1, graph.User{Status: graph.Active})
	if err != nil || tok.LSN() <= before.LSN() {
		t.Fatalf("SetUser: %v, %v; want a token past %v", tok, err, before)
	}
	tok2, err := s.SetEdge(ctx, graph.Follow, 1, 2, true)
	if !errors.Is(err, graph.ErrUnknownUser) || !tok2.IsZero() {
		t.Errorf("a refused write: %v, %v; want no token", tok2, err)
	}
	if tx, err := s.DB().Begin(ctx); err == nil {
		if tt, err := postgres.New(tx).Token(ctx); err != nil || !tt.IsZero() {
			t.Errorf("a Store over a transaction: %v, %v; want the zero Token", tt, err)
		}
		tx.Rollback(ctx)
	}
}
