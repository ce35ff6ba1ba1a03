package intern

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"pgregory.net/rapid"
)

func TestMapAgainstGoMap(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		var m Map[string, int]
		model := map[string]uint32{}
		var order []string
		key := rapid.StringMatching(`[a-e]{0,3}`)
		for range rapid.IntRange(0, 300).Draw(t, "steps") {
			k := key.Draw(t, "k")
			if rapid.Bool().Draw(t, "add") {
				i, e, added := m.Add(k, func(v *int) { *v = len(k) })
				want, had := model[k]
				if added == had || (had && i != want) || e.Key != k || e.Val != len(k) {
					t.Fatalf("Add(%q) = %d, %v, %v; model had %v at %d", k, i, e, added, had, want)
				}
				if !had {
					model[k] = uint32(len(order))
					order = append(order, k)
				}
			}
			i, e, ok := m.Get(k)
			want, had := model[k]
			if ok != had || (ok && (i != want || e.Key != k)) {
				t.Fatalf("Get(%q) = %d, %v, %v; want %d, %v", k, i, e, ok, want, had)
			}
			if i2, e2, ok2 := m.Finish(k, m.Start(Hash(k))); i2 != i || e2 != e || ok2 != ok {
				t.Fatalf("Finish(Start(%q)) = %d, %v, %v; Get = %d, %v, %v", k, i2, e2, ok2, i, e, ok)
			}
		}
		if m.Len() != len(order) {
			t.Fatalf("Len = %d, want %d", m.Len(), len(order))
		}
		idx := make([]uint32, len(order)+1)
		ents := make([]*Entry[string, int], len(order)+1)
		keys := append(append([]string(nil), order...), "zzzz")
		m.FindAll(keys, idx, ents)
		for j, k := range keys {
			if want, had := model[k]; had != (ents[j] != nil) || (had && (idx[j] != want || ents[j].Key != k)) {
				t.Fatalf("FindAll[%q] = %d, %v; want %d, %v", k, idx[j], ents[j], want, had)
			}
			if j < len(order) && m.At(uint32(j)).Key != k {
				t.Fatalf("At(%d) = %q, want %q", j, m.At(uint32(j)).Key, k)
			}
		}
	})
}

// TestMapConcurrentReads runs readers while a writer adds keys and grows the
// index: every key added before a read starts is found (run with -race).
func TestMapConcurrentReads(t *testing.T) {
	t.Parallel()
	var m Map[int64, atomic.Uint32]
	const n = 20000
	var added atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for r := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; added.Load() < n; j++ {
				have := added.Load()
				if j%64 == 0 || have == 0 {
					runtime.Gosched()
					continue
				}
				k := int64(j*7919+r) % have
				i, e, ok := m.Get(k)
				if !ok || e.Key != k || int64(i) != k || e.Val.Load() != uint32(k) {
					errs <- fmt.Errorf("Get(%d) = %d, %v, %v after it was added", k, i, e, ok)
					return
				}
			}
		}()
	}
	for k := range int64(n) {
		m.Add(k, func(v *atomic.Uint32) { v.Store(uint32(k)) })
		added.Store(k + 1)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
