//go:build !linux

package memory

// adviseHuge does nothing where the kernel has no madvise(MADV_HUGEPAGE).
func adviseHuge(addr, n uintptr) {}
