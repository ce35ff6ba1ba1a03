package memory

import "testing"

func TestClasses(t *testing.T) {
	t.Parallel()
	prev := 0
	for c := range numClasses {
		cp := classCap(c)
		if cp <= prev {
			t.Fatalf("class %d has capacity %d, not above %d", c, cp, prev)
		}
		prev = cp
	}
	if prev < maxBlock {
		t.Fatalf("the largest class holds %d words, less than a block (%d)", prev, maxBlock)
	}
	for n := 1; n <= 5000; n++ {
		c := classOf(n)
		if classCap(c) < n || (c > 0 && classCap(c-1) >= n) {
			t.Fatalf("classOf(%d) = %d (capacity %d)", n, c, classCap(c))
		}
		if f := floorClass(n); classCap(f) > n || (f+1 < numClasses && classCap(f+1) <= n) {
			t.Fatalf("floorClass(%d) = %d (capacity %d)", n, f, classCap(f))
		}
		if w := classCap(c) - n; n > 16 && w*5 > classCap(c) {
			t.Fatalf("class of %d words wastes %d", n, w)
		}
	}
}

func TestArenaReuse(t *testing.T) {
	t.Parallel()
	var a arena
	r1 := a.alloc(10)
	if r1 == 0 {
		t.Fatal("alloc returned the no-block reference")
	}
	storeWords(a.words(r1, 10), []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	a.free(r1, 10, false)
	if r2 := a.alloc(10); r2 != r1 {
		t.Errorf("a freed block was not reused: %#x then %#x", r1, r2)
	}
	if got := a.span(r1, 8, 5); len(got) != 5 {
		t.Errorf("span inside the chunk has %d words", len(got))
	}
	if got := a.span(chunkWords-3, 0, 10); len(got) != 3 {
		t.Errorf("span past the chunk's end has %d words, want it clamped to 3", len(got))
	}
	if got := a.span(5<<chunkBits, 0, 10); len(got) != 0 {
		t.Errorf("span of a chunk that does not exist has %d words", len(got))
	}
	// A block never crosses a chunk.
	big := a.alloc(maxBlock)
	if int(big&(chunkWords-1))+maxBlock > chunkWords {
		t.Errorf("block %#x crosses its chunk", big)
	}
}
