//go:build race

package memory

import "sync/atomic"

// Under the race detector, writers store words one atomic store at a time:
// a reader may be reading a block a writer is reusing (its validation then
// fails), and the detector must see that access as synchronized.

func storeWords(dst, src []uint32) {
	for i, w := range src {
		atomic.StoreUint32(&dst[i], w)
	}
}

func storeWord(dst *uint32, w uint32) { atomic.StoreUint32(dst, w) }
