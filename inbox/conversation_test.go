package inbox_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/inbox"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type conv = inbox.Conversation[string]

func TestNext(t *testing.T) {
	t.Parallel()
	t1 := t0.Add(time.Hour)
	tests := []struct {
		name string
		cur  conv
		from string
		d    inbox.Delivery
		want conv
	}{
		{"new chat", conv{}, "s", inbox.ToPrimary, conv{Starter: "s", State: inbox.Accepted, Started: t1}},
		{"new request", conv{}, "s", inbox.AsRequest, conv{Starter: "s", State: inbox.Pending, Started: t1}},
		{"new held", conv{}, "s", inbox.AsHeld, conv{Starter: "s", State: inbox.Held, Started: t1}},
		{"undelivered", conv{}, "s", inbox.Undelivered, conv{}},
		{"follow-up keeps the slot", conv{"s", inbox.Pending, t0}, "s", inbox.AsRequest, conv{"s", inbox.Pending, t0}},
		{"follow-up while held", conv{"s", inbox.Held, t0}, "s", inbox.AsHeld, conv{"s", inbox.Held, t0}},
		{"request lands in primary now", conv{"s", inbox.Pending, t0}, "s", inbox.ToPrimary, conv{"s", inbox.Accepted, t0}},
		{"reply accepts", conv{"r", inbox.Pending, t0}, "s", inbox.ToPrimary, conv{"r", inbox.Accepted, t0}},
		{"reply to held accepts", conv{"r", inbox.Held, t0}, "s", inbox.AsRequest, conv{"r", inbox.Accepted, t0}},
		{"after decline, a new request", conv{"s", inbox.Declined, t0}, "s", inbox.AsRequest, conv{"s", inbox.Pending, t1}},
		{"accepted stays", conv{"r", inbox.Accepted, t0}, "s", inbox.AsHeld, conv{"r", inbox.Accepted, t0}},
	}
	for _, tc := range tests {
		got := inbox.Next(tc.cur, tc.from, tc.d, t1)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: mismatch (-want +got):\n%s", tc.name, diff)
		}
	}
}
