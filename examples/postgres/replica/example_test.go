package replica_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dmprivacy/dmprivacy/examples/postgres"
	"github.com/dmprivacy/dmprivacy/examples/postgres/replica"
	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// A service instance keeps a replica of the database and decides from it;
// a caller that has just written passes the write's token along, and the
// check waits for the replica to apply that write (or asks PostgreSQL).
func Example() {
	ctx := context.Background()
	url := "postgres://app@db.internal/social?search_path=dm"
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		log.Fatal(err)
	}
	pg := postgres.New(pool)

	rep, err := replica.Open(ctx, replica.Config{ConnString: url, Name: "web_7"})
	if err != nil {
		log.Fatal(err)
	}
	defer rep.Close() // drops the slot: the server keeps no WAL for it
	checker, err := replica.NewChecker(rep, pg, replica.CheckerConfig{MaxWait: 20 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}

	// Ben blocks ana; the write returns its token.
	tok, err := pg.SetEdge(ctx, graph.Block, 2, 1, true)
	if err != nil {
		log.Fatal(err)
	}
	// Ana's next check carries it: never answered from before the block.
	d, src, err := checker.Check(ctx, privacy.Request[int64]{Sender: 1, Recipient: 2}, tok)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Allowed, src.FromReplica())
}
