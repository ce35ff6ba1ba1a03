package privacy_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

func TestCompareEngines(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, u := range []string{"a", "b", "c", "d"} {
		w.user(u, 30)
	}
	w.friends("a", "b")
	w.follow("c", "b") // c follows b: a stranger to b
	w.follow("b", "d") // b follows d
	before := w.engine()
	open := privacy.TikTok()
	open.Availability.Defaults[graph.Age18Plus] = inbox.Everyone // adults default to Everyone
	after := w.engineWith(open)
	pairs := func(yield func(string, string) bool) {
		for _, s := range []string{"a", "c", "d"} {
			if !yield(s, "b") {
				return
			}
		}
	}
	im, err := privacy.CompareEngines(context.Background(), before, after, pairs, clock)
	if err != nil {
		t.Fatal(err)
	}
	want := &privacy.Impact{Pairs: 3, Changed: 2, Gained: 2, Rows: []privacy.ImpactRow{
		{Before: denyD(privacy.ReasonNotFriend, privacy.ViewNotAllowed), After: allowD(inbox.Primary, privacy.ReasonFollowedByRecipient), Count: 1},
		{Before: denyD(privacy.ReasonNotFriend, privacy.ViewNotAllowed), After: allowD(inbox.Requests, privacy.ReasonMessageRequest), Count: 1},
	}}
	if diff := cmp.Diff(want, im); diff != "" {
		t.Errorf("impact mismatch (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	if err := im.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	wantText := `3 pairs compared
2 changed (66.67%)
2 newly allowed
0 newly denied

count  before              after
1      deny not_friend  →  allow primary followed_by_recipient
1      deny not_friend  →  allow requests message_request
`
	if diff := cmp.Diff(wantText, buf.String()); diff != "" {
		t.Errorf("table mismatch (-want +got):\n%s", diff)
	}
}
