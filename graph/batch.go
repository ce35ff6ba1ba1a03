package graph

import (
	"context"
	"fmt"
)

// PairBatchReader is an optional capability of a [Reader]: the facts of one
// user with many in one call (one round trip for a database), for a share
// sheet. PairBatch fills dst[i] with what [PairReader.Pair] would return
// for (a, bs[i]); len(dst) equals len(bs). Without it, [ReadPairs] reads
// one pair at a time.
type PairBatchReader[ID comparable] interface {
	PairBatch(ctx context.Context, a ID, bs []ID, dst []Pair) error
}

// ReadPairs fills dst[i] with the facts of the pair (a, bs[i]), calling
// r.PairBatch if r implements [PairBatchReader] and [ReadPair] once per
// pair otherwise. len(dst) must equal len(bs).
func ReadPairs[ID comparable](ctx context.Context, r Reader[ID], a ID, bs []ID, dst []Pair) error {
	if len(dst) != len(bs) {
		return fmt.Errorf("graph: ReadPairs: %d users but %d results", len(bs), len(dst))
	}
	if br, ok := r.(PairBatchReader[ID]); ok {
		return br.PairBatch(ctx, a, bs, dst)
	}
	for i, b := range bs {
		p, err := ReadPair(ctx, r, a, b)
		if err != nil {
			return err
		}
		dst[i] = p
	}
	return nil
}
