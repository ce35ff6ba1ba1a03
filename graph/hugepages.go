package graph

// PreferHugePages asks the operating system to back the process's large
// anonymous memory — the Go heap, where a big [Memory] lives — with huge
// pages now. A check on a store of millions of users touches a dozen cache
// lines scattered over gigabytes; with 4 KiB pages nearly every one also
// misses the TLB, and under virtualization each such miss is a long
// two-level page walk. Huge pages cut that cost (on the 2-core VM of the
// README's benchmarks, a repeated decision at 1M users goes from about a
// microsecond to a few hundred nanoseconds).
//
// Call it once after loading a large world, off the request path: it
// copies the heap into huge pages, a few seconds per gigabyte. It is
// advice: on Linux it uses madvise(MADV_HUGEPAGE) and MADV_COLLAPSE (Linux
// 6.1 or later; the kernel may decline), and elsewhere it does nothing. It
// returns how many bytes the kernel accepted to collapse. Memory the
// program allocates later gets ordinary pages unless transparent huge
// pages are "always" on the machine.
func PreferHugePages() (int64, error) { return preferHugePages() }
