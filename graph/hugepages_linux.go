package graph

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

const (
	madvHugepage = 14 // MADV_HUGEPAGE
	madvCollapse = 25 // MADV_COLLAPSE, Linux 6.1
	hugePage     = 2 << 20
	minMapping   = 8 << 20 // smaller mappings are not worth a collapse
)

func preferHugePages() (int64, error) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var done int64
	sc := bufio.NewScanner(f)
	var ranges [][2]uintptr
	for sc.Scan() {
		// "start-end perms offset dev inode [path]": anonymous mappings
		// have no path.
		fs := strings.Fields(sc.Text())
		if len(fs) != 5 || !strings.HasPrefix(fs[1], "rw") {
			continue
		}
		a, b, _ := strings.Cut(fs[0], "-")
		lo, err1 := strconv.ParseUint(a, 16, 64)
		hi, err2 := strconv.ParseUint(b, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		lo = (lo + hugePage - 1) &^ (hugePage - 1)
		hi &^= hugePage - 1
		if hi < lo+minMapping {
			continue
		}
		ranges = append(ranges, [2]uintptr{uintptr(lo), uintptr(hi)})
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	for _, r := range ranges {
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, r[0], r[1]-r[0], madvHugepage); e != 0 {
			continue
		}
		// One huge page at a time: the kernel declines some (pages the
		// Go heap returned to it), and one refusal must not hide the rest.
		for p := r[0]; p < r[1]; p += hugePage {
			if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, p, hugePage, madvCollapse); e == 0 {
				done += hugePage
			}
		}
	}
	return done, nil
}
