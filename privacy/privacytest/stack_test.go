package privacytest_test

import (
	"testing"

	"github.com/dmprivacy/dmprivacy/privacy/memory"
	"github.com/dmprivacy/dmprivacy/privacy/privacytest"
)

func stringID(i int) string { return string(rune('a'+i)) + "-user" }

// TestStackMemory: the embedded store, as one value for both readers,
// decides as the embedded store.
func TestStackMemory(t *testing.T) {
	t.Parallel()
	privacytest.CheckStack(t, func(*testing.T) privacytest.Stack[string] {
		s := memory.New[string]()
		return privacytest.Stack[string]{Graph: s, Inbox: s, Writer: s}
	}, stringID, nil)
}
