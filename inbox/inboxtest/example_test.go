package inboxtest_test

import (
	"fmt"
	"strings"

	"github.com/dmprivacy/dmprivacy/inbox/inboxtest"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// A host runs the kit over its adapter; here the adapter is the in-memory
// inbox store itself, with int64 IDs. In a test, inboxtest.Run does the same
// with one subtest per world.
func ExampleTestStore() {
	err := inboxtest.TestStore(func() (inboxtest.Store[int64], error) {
		return memory.New[int64](), nil // a fresh, empty store per world
	}, func(i int) int64 { return int64(i) + 1 })
	fmt.Println("conforms:", err == nil)
	// Output: conforms: true
}

// A store that counts held (restricted) deliveries toward the sender's
// request cap fails the kit: the restriction would show through the cap.
// Each difference names the world, the stage and the read.
func ExampleTestStore_broken() {
	err := inboxtest.TestStore(func() (inboxtest.Store[string], error) {
		return newNaive("counts held"), nil
	}, stringID)
	first, _, _ := strings.Cut(err.Error(), "\n")
	fmt.Println(first)
	// Output:
	// world rules, after step 56 (pending requests at the window's edges; held, accepted and declined never count): PendingRequests (-want +got):
}
