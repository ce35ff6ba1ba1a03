package privacy

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"iter"
	"slices"
	"text/tabwriter"
	"time"
)

// Impact is what changes between two engines — two policies, or one policy
// over the world before and after a change such as a rollout growing — over
// the same pairs at the same time: the "what would this do" report a
// trust-and-safety team reads before shipping.
type Impact struct {
	Pairs   int // decisions compared
	Changed int // pairs whose decision changed
	Gained  int // pairs denied before and allowed after
	Lost    int // pairs allowed before and denied after

	// Rows group the changed pairs by their decision before and after,
	// most frequent first (ties by the text of the decisions).
	Rows []ImpactRow
}

// ImpactRow counts the pairs whose decision went from Before to After.
type ImpactRow struct {
	Before, After Decision
	Count         int
}

// CompareEngines decides every pair (sender, recipient) with both engines
// at time at and reports what changed. Both engines must be over the same
// users; they may differ in policy, stores or both. A store error stops the
// comparison and is returned.
func CompareEngines[ID comparable](ctx context.Context, before, after *Engine[ID], pairs iter.Seq2[ID, ID], at time.Time) (*Impact, error) {
	im := &Impact{}
	counts := map[[2]Decision]int{}
	for s, r := range pairs {
		q := Request[ID]{Sender: s, Recipient: r, At: at}
		a, err := before.Check(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("privacy: impact, before: %w", err)
		}
		b, err := after.Check(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("privacy: impact, after: %w", err)
		}
		im.Pairs++
		if a == b {
			continue
		}
		im.Changed++
		switch {
		case !a.Allowed && b.Allowed:
			im.Gained++
		case a.Allowed && !b.Allowed:
			im.Lost++
		}
		counts[[2]Decision{a, b}]++
	}
	for k, n := range counts {
		im.Rows = append(im.Rows, ImpactRow{Before: k[0], After: k[1], Count: n})
	}
	slices.SortFunc(im.Rows, func(x, y ImpactRow) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Before.String(), y.Before.String()); c != 0 {
			return c
		}
		return cmp.Compare(x.After.String(), y.After.String())
	})
	return im, nil
}

// WriteTable writes the impact as a table for a terminal.
func (im *Impact) WriteTable(w io.Writer) error {
	width := len(fmt.Sprint(im.Pairs))
	fmt.Fprintf(w, "%*d pairs compared\n", width, im.Pairs)
	fmt.Fprintf(w, "%*d changed (%s)\n", width, im.Changed, percent(im.Changed, im.Pairs))
	fmt.Fprintf(w, "%*d newly allowed\n", width, im.Gained)
	if _, err := fmt.Fprintf(w, "%*d newly denied\n", width, im.Lost); err != nil {
		return err
	}
	if len(im.Rows) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "count\tbefore\t\tafter")
	for _, r := range im.Rows {
		fmt.Fprintf(tw, "%d\t%s\t→\t%s\n", r.Count, r.Before, r.After)
	}
	return tw.Flush()
}

func percent(n, of int) string {
	if of == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.2f%%", 100*float64(n)/float64(of))
}
