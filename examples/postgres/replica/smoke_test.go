package replica

import (
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

func TestReplicaSmoke(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	adult := graph.User{Status: graph.Active, Birth: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
	for id := int64(1); id <= 3; id++ {
		if _, err := e.pg.SetUser(ctx, id, adult); err != nil {
			t.Fatal(err)
		}
	}
	e.pg.SetEdge(ctx, graph.Follow, 1, 2, true)
	r := e.open(e.config())
	if ok, _ := r.HasEdge(ctx, graph.Follow, 1, 2); !ok {
		t.Fatal("snapshot lacks the follow")
	}
	tok, err := e.pg.SetEdge(ctx, graph.Block, 2, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	wait(t, r, tok)
	t.Logf("waited %v for %v, at %v", time.Since(start), tok, r.Position())
	if ok, _ := r.HasEdge(ctx, graph.Block, 2, 1); !ok {
		t.Fatal("stream lacks the block")
	}
	tok, _ = e.pg.SetSettings(ctx, 3, inbox.Settings{Mode: inbox.Everyone})
	wait(t, r, tok)
	if s, _ := r.Settings(ctx, 3); s.Mode != inbox.Everyone {
		t.Fatal("settings", s)
	}
	// A token with nothing after it: the keepalive must carry the replica there.
	tok, _ = e.pg.Token(ctx)
	start = time.Now()
	wait(t, r, tok)
	t.Logf("idle token: waited %v; status %+v", time.Since(start), r.Status())
}
