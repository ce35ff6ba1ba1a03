//go:build !race

package memory

// Without the race detector, writers store words plainly: an aligned
// 32-bit store is atomic on every platform Go supports, and readers
// validate what they read against the record's sequence counter, whose
// atomic updates order these stores (see arena.go).

func storeWords(dst, src []uint32) { copy(dst, src) }

func storeWord(dst *uint32, w uint32) { *dst = w }
