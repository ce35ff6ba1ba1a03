package memory_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type conv = inbox.Conversation[string]

func TestLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := memory.New[string]()
	get := func(a, b string) conv {
		t.Helper()
		c, err := m.Conversation(ctx, a, b)
		if err != nil {
			t.Fatal(err)
		}
		c2, _ := m.Conversation(ctx, b, a)
		if c != c2 {
			t.Fatalf("Conversation(%s,%s) = %v but (%s,%s) = %v", a, b, c, b, a, c2)
		}
		return c
	}
	count := func(s string) int {
		t.Helper()
		n, err := m.PendingRequests(ctx, s, t0.Add(-24*time.Hour), t0)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if c := get("s", "r"); c.Exists() {
		t.Fatalf("empty store has %v", c)
	}
	if _, err := m.Deliver("s", "r", inbox.AsRequest, t0.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := count("s"); got != 1 {
		t.Errorf("after a request: %d pending", got)
	}
	if err := m.Accept("s", "r"); !errors.Is(err, inbox.ErrNoRequest) {
		t.Errorf("the sender accepted their own request: %v", err)
	}
	if err := m.Accept("r", "s"); err != nil {
		t.Fatal(err)
	}
	if c := get("s", "r"); c.State != inbox.Accepted || c.Starter != "s" {
		t.Errorf("after accept: %v", c)
	}
	if got := count("s"); got != 0 {
		t.Errorf("an accepted request still counts: %d", got)
	}
	if err := m.Decline("r", "s"); !errors.Is(err, inbox.ErrNoRequest) {
		t.Errorf("declined an accepted thread: %v", err)
	}
	if _, err := m.Deliver("s", "q", inbox.AsHeld, t0); err != nil {
		t.Fatal(err)
	}
	if got := count("s"); got != 0 {
		t.Errorf("a held delivery counts: %d", got)
	}
	if err := m.Decline("q", "s"); err != nil {
		t.Fatal(err)
	}
	if c := get("q", "s"); c.State != inbox.Declined {
		t.Errorf("after decline: %v", c)
	}
	if err := m.SetConversation("a", "a", inbox.Pending, t0); !errors.Is(err, inbox.ErrSelf) {
		t.Errorf("self conversation: %v", err)
	}
	if err := m.SetConversation("a", "b", inbox.NoThread, t0); !errors.Is(err, inbox.ErrInvalidState) {
		t.Errorf("NoThread state: %v", err)
	}
	if err := m.SetSettings("a", inbox.Settings{Mode: 42}); !errors.Is(err, inbox.ErrInvalidMode) {
		t.Errorf("invalid mode: %v", err)
	}
}

func TestPendingWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := memory.New[string]()
	// Requests started at t0-30h, t0-24h, ..., t0+6h, every 6 hours,
	// inserted out of order.
	offsets := []int{0, -24, 6, -30, -18, -6, -12}
	for i, h := range offsets {
		if err := m.SetConversation("s", fmt.Sprint("r", i), inbox.Pending, t0.Add(time.Duration(h)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		after, upTo time.Time
		want        int
	}{
		{t0.Add(-24 * time.Hour), t0, 4},         // -18, -12, -6, 0: -24 is on the open edge
		{t0.Add(-24*time.Hour - 1), t0, 5},       // now -24 is inside
		{t0.Add(-24 * time.Hour), t0.Add(-1), 3}, // 0 is past the closed edge
		{t0.Add(-48 * time.Hour), t0.Add(time.Hour * 48), 7},
		{t0, t0, 0},
		{t0, t0.Add(-time.Hour), 0},
	}
	for _, tc := range tests {
		got, err := m.PendingRequests(ctx, "s", tc.after, tc.upTo)
		if err != nil || got != tc.want {
			t.Errorf("PendingRequests(%v, %v) = %d, %v; want %d", tc.after.Sub(t0), tc.upTo.Sub(t0), got, err, tc.want)
		}
	}
	// Replacing a pending thread with an accepted one removes it from the count.
	if err := m.SetConversation("r0", "s", inbox.Accepted, t0); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.PendingRequests(ctx, "s", t0.Add(-24*time.Hour), t0); got != 3 {
		t.Errorf("after replacing one: %d, want 3", got)
	}
	if got, _ := m.PendingRequests(ctx, "nobody", t0.Add(-24*time.Hour), t0); got != 0 {
		t.Errorf("unknown sender: %d", got)
	}
}
