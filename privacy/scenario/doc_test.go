package scenario

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The package documentation is the format's specification: its example
// must run and pass, and it must name every statement and key the parser
// knows.

func TestDocExampleRuns(t *testing.T) {
	doc := readDoc(t)
	var lines []string
	for _, l := range strings.Split(doc, "\n") {
		if code, ok := strings.CutPrefix(l, "//\t"); ok {
			lines = append(lines, code)
		} else if len(lines) > 0 {
			break // the end of the first code block
		}
	}
	f, err := Parse("doc.go", strings.NewReader(strings.Join(lines, "\n")), nil)
	if err != nil {
		t.Fatalf("the example of the package documentation does not parse: %v", err)
	}
	results, err := f.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) == 0 {
		t.Fatal("the example of the package documentation checks nothing")
	}
	for _, r := range results {
		if !r.Pass {
			t.Errorf("the example of the package documentation fails: %s", &r)
		}
	}
}

func TestDocNamesEveryStatementAndKey(t *testing.T) {
	doc := readDoc(t)
	for _, kw := range keywords {
		// A statement's form: the keyword, then its first placeholder.
		if !regexp.MustCompile(`(\t|  )` + kw + ` [A-Z]`).MatchString(doc) {
			t.Errorf("the package documentation does not show the form of the %s statement", kw)
		}
	}
	for _, k := range userKeys {
		k = strings.TrimSuffix(k, "AUDIENCE")
		if !strings.Contains(doc, k) {
			t.Errorf("the package documentation does not name the key %s", k)
		}
	}
}

func readDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
