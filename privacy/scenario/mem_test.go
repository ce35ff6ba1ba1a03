package scenario

import "runtime"

// allocCeiling is the most a parse of n bytes may allocate: 64 bytes per
// input byte, plus a constant for the policy, the scratch engine and the
// scanner's buffer.
func allocCeiling(n int) uint64 { return 64*uint64(n) + 64<<10 }

// allocBytes returns the bytes f allocates.
func allocBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
