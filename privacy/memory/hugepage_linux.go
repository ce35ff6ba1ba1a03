package memory

import "syscall"

// hugePage is the size of a transparent huge page on the platforms Linux
// runs Go on with 4 KiB base pages (amd64, arm64 with 4 KiB pages, …).
const hugePage = 2 << 20

// madvHugePage is MADV_HUGEPAGE, and madvCollapse MADV_COLLAPSE (Linux 6.1).
const (
	madvHugePage = 14
	madvCollapse = 25
)

// adviseHuge asks the kernel to back the n bytes at addr with transparent
// huge pages, rounded out to whole huge pages, when its policy is
// "madvise" (the common default). The store's large chunks are read at
// random: with 4 KiB pages nearly every read of a big store also misses
// the TLB, and each miss walks the page table through memory. The advice
// is best effort and changes nothing that a read or a write sees: where
// the kernel declines, the pages stay small. Memory the heap had used
// before is already backed by small pages, which the advice alone would
// leave as they are until the kernel's background scan gets to them
// (minutes, for a big store): the store asks for them to be collapsed into
// huge pages at once, a copy of at most the chunk, once per chunk.
//
// Rounding out covers neighbouring heap memory too; that memory stays
// what it was, at worst backed by a huge page a little sooner. The Go
// runtime maps its heap in 4 MiB-aligned units, so the rounded range is
// always mapped.
func adviseHuge(addr, n uintptr) {
	if n == 0 {
		return
	}
	start := addr &^ (hugePage - 1)
	end := (addr + n + hugePage - 1) &^ (hugePage - 1)
	syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvHugePage)
	syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvCollapse)
}
