package graphtest_test

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dmprivacy/dmprivacy/graph/graphtest"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// A host runs the kit over its adapter; here the adapter is the in-memory
// store itself, with int64 IDs. In a test, graphtest.Run does the same with
// one subtest per world.
func ExampleTestStore() {
	err := graphtest.TestStore(func() (graphtest.Store[int64], error) {
		return memory.New[int64](), nil // a fresh, empty store per world
	}, func(i int) int64 { return int64(i) + 1 })
	fmt.Println("conforms:", err == nil)
	// Output: conforms: true
}

// A broken adapter fails the kit. Each difference names the world, the
// stage and the read, and shows a diff (-want +got) against the in-memory
// store; here, the first line of the first one.
func ExampleTestStore_broken() {
	err := graphtest.TestStore(func() (graphtest.Store[string], error) {
		return selfEdges{memory.New[string]()}, nil // accepts self edges
	}, strconv.Itoa)
	first, _, _ := strings.Cut(err.Error(), "\n")
	fmt.Println(first)
	// Output:
	// world rules, step 22: SetEdge(follow, 1, 1, true): error (-want +got):
}
