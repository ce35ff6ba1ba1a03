package scenario

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// specExample is a first scenario file with a comment on most lines: the
// format as a newcomer meets it.
const specExample = `# comments start with '#', anywhere on a line
policy tiktok                 # preset; before any user; default tiktok
now 2026-03-01                # the clock; before any user; default 2026-01-01T00:00:00Z

user ana age=24 mode=suggested
user ben age=31               # mode omitted: the policy's default for the age band
user cy  age=17
user dee age=40 status=suspended
user eve birth=1997-06-30 suggest-to-contacts=off suggest-to-facebook=off

follow ben ana                # ben follows ana (directed)
follow ana ben
block ana eve                 # ana blocks eve
contact ana cy                # ana has cy's number in her synced contacts (directed)
facebook ana eve              # Facebook friends (symmetric)
conversation ben ana accepted # a thread ben started to ana, which ana accepted
conversation eve cy pending   # a message request from eve to cy, not yet answered

expect ben ana allow primary existing_conversation   # step 6 comes before 7
expect eve ana deny blocked_by_recipient
view   eve ana not_allowed    # what the sender is shown

set ana mode=noone            # change a user's settings
unfollow ana ben
unblock ana eve
expect ben ana deny inbox_closed
advance 30d                   # move the clock forward (units: m, h, d)
`

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func mustParse(t *testing.T, text string) *File {
	t.Helper()
	f, err := Parse("test.dm", strings.NewReader(text), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

func TestParseSpecExample(t *testing.T) {
	f := mustParse(t, specExample)
	now := date(2026, 3, 1)
	src := func(line int, text string) Source { return Source{Line: line, Text: text, At: now} }
	adult := func(years int) graph.User { return graph.User{Status: graph.Active, Birth: date(2026-years, 3, 1)} }
	dee := adult(40)
	dee.Status = graph.Suspended
	eve := graph.User{Status: graph.Active, Birth: date(1997, 6, 30), HideFromContacts: true, HideFromFacebook: true}
	want := []Stmt{
		&UserStmt{Source: src(5, "user ana age=24 mode=suggested"), Name: "ana", User: adult(24), Settings: inbox.Settings{Mode: inbox.SuggestedFriends}},
		&UserStmt{Source: src(6, "user ben age=31"), Name: "ben", User: adult(31)},
		&UserStmt{Source: src(7, "user cy age=17"), Name: "cy", User: adult(17)},
		&UserStmt{Source: src(8, "user dee age=40 status=suspended"), Name: "dee", User: dee},
		&UserStmt{Source: src(9, "user eve birth=1997-06-30 suggest-to-contacts=off suggest-to-facebook=off"), Name: "eve", User: eve},
		&EdgeStmt{Source: src(11, "follow ben ana"), Kind: graph.Follow, On: true, From: "ben", To: "ana"},
		&EdgeStmt{Source: src(12, "follow ana ben"), Kind: graph.Follow, On: true, From: "ana", To: "ben"},
		&EdgeStmt{Source: src(13, "block ana eve"), Kind: graph.Block, On: true, From: "ana", To: "eve"},
		&EdgeStmt{Source: src(14, "contact ana cy"), Kind: graph.Contact, On: true, From: "ana", To: "cy"},
		&EdgeStmt{Source: src(15, "facebook ana eve"), Kind: graph.Facebook, On: true, From: "ana", To: "eve"},
		&ConversationStmt{Source: src(16, "conversation ben ana accepted"), From: "ben", To: "ana", State: inbox.Accepted},
		&ConversationStmt{Source: src(17, "conversation eve cy pending"), From: "eve", To: "cy", State: inbox.Pending},
		&ExpectStmt{Source: src(19, "expect ben ana allow primary existing_conversation"), Sender: "ben", Recipient: "ana", Allowed: true, Folder: inbox.Primary, Reason: "existing_conversation"},
		&ExpectStmt{Source: src(20, "expect eve ana deny blocked_by_recipient"), Sender: "eve", Recipient: "ana", Reason: "blocked_by_recipient"},
		&ViewStmt{Source: src(21, "view eve ana not_allowed"), Sender: "eve", Recipient: "ana", View: privacy.ViewNotAllowed},
		&UserStmt{Source: src(23, "set ana mode=noone"), Name: "ana", Set: true, User: adult(24), Settings: inbox.Settings{Mode: inbox.NoOne}},
		&EdgeStmt{Source: src(24, "unfollow ana ben"), Kind: graph.Follow, From: "ana", To: "ben"},
		&EdgeStmt{Source: src(25, "unblock ana eve"), Kind: graph.Block, From: "ana", To: "eve"},
		&ExpectStmt{Source: src(26, "expect ben ana deny inbox_closed"), Sender: "ben", Recipient: "ana", Reason: "inbox_closed"},
		&AdvanceStmt{Source: Source{Line: 27, Text: "advance 30d", At: now.AddDate(0, 0, 30)}, By: 30 * 24 * time.Hour},
	}
	if diff := cmp.Diff(want, f.Stmts); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ana", "ben", "cy", "dee", "eve"}, f.Users); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if f.PolicyName != "tiktok" || f.Policy == nil || f.Policy.Name != "tiktok" || !f.Start.Equal(now) {
		t.Errorf("policy %q (%v), start %v; want tiktok from 2026-03-01", f.PolicyName, f.Policy, f.Start)
	}
	if got := f.Checks(); got != 4 {
		t.Errorf("Checks() = %d, want 4", got)
	}
}

func TestParseDefaults(t *testing.T) {
	f := mustParse(t, "user ana\nreach ana primary= requests=\n")
	if f.PolicyName != DefaultPolicy || !f.Start.Equal(DefaultStart) {
		t.Errorf("policy %q, start %v; want %q, %v", f.PolicyName, f.Start, DefaultPolicy, DefaultStart)
	}
	u := f.Stmts[0].(*UserStmt)
	want := graph.User{Status: graph.Active, Birth: date(2008, 1, 1)}
	if diff := cmp.Diff(want, u.User); diff != "" {
		t.Errorf("a user without keys is an active 18-year-old with suggestions on (-want +got):\n%s", diff)
	}
	empty := mustParse(t, "")
	if empty.Policy == nil || len(empty.Stmts) != 0 {
		t.Errorf("an empty file: policy %v, %d statements; want the default policy and none", empty.Policy, len(empty.Stmts))
	}
}

// TestParseClock checks that ages and statement times follow advance.
func TestParseClock(t *testing.T) {
	f := mustParse(t, "now 2026-03-01T10:00:00Z\nadvance 90m\nadvance 25h\nuser ana age=16\nadvance 30d\nset ana age=17 verified=on\nuser ben birth=2000-02-29\n")
	at := []time.Time{
		time.Date(2026, 3, 1, 11, 30, 0, 0, time.UTC),
		time.Date(2026, 3, 2, 12, 30, 0, 0, time.UTC),
		time.Date(2026, 3, 2, 12, 30, 0, 0, time.UTC),
		time.Date(2026, 4, 1, 12, 30, 0, 0, time.UTC),
		time.Date(2026, 4, 1, 12, 30, 0, 0, time.UTC),
		time.Date(2026, 4, 1, 12, 30, 0, 0, time.UTC),
	}
	for i, s := range f.Stmts {
		if got := s.Src().At; !got.Equal(at[i]) {
			t.Errorf("line %d runs at %v, want %v", s.Src().Line, got, at[i])
		}
	}
	if got, want := f.Stmts[2].(*UserStmt).User.Birth, date(2010, 3, 2); !got.Equal(want) {
		t.Errorf("age=16 on 2026-03-02: birth %v, want %v", got, want)
	}
	set := f.Stmts[4].(*UserStmt)
	if got, want := set.User.Birth, date(2009, 4, 1); !got.Equal(want) || !set.User.Verified {
		t.Errorf("set age=17 on 2026-04-01: birth %v verified %v, want %v and verified", got, set.User.Verified, want)
	}
}

// TestParseText checks the statement text: comments and extra blanks go,
// so -run patterns match however the file aligns its columns.
func TestParseText(t *testing.T) {
	f := mustParse(t, "\xef\xbb\xbfuser ana\t# a BOM, a tab\r\n  user   ben\t\tage=30  \r\nfollow ana ben#no space before the comment\n")
	var got []string
	for _, s := range f.Stmts {
		got = append(got, strconv.Itoa(s.Src().Line)+" "+s.Src().Text)
	}
	want := []string{"1 user ana", "2 user ben age=30", "3 follow ana ben"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
}

func TestParseModeDefaultAndReset(t *testing.T) {
	f := mustParse(t, "user ana age=30 mode=everyone\nset ana mode=default\n")
	if got := f.Stmts[1].(*UserStmt).Settings.Mode; got != inbox.ModeDefault {
		t.Errorf("set mode=default: mode %v, want ModeDefault", got)
	}
}

// TestParseModeStaysValid: a mode validated when chosen stays valid as the
// user's age changes (the privacy package documentation, "Defaults and
// availability"); the engine's fail-safe covers a minor left in it.
func TestParseModeStaysValid(t *testing.T) {
	f := mustParse(t, "user ana age=30 mode=everyone\nset ana age=17\n")
	if got := f.Stmts[1].(*UserStmt).Settings.Mode; got != inbox.Everyone {
		t.Errorf("after set age=17: mode %v, want everyone kept", got)
	}
}

// wantError is the first line of a bad fixture: "# error: LINE:COL TOKEN | message".
var wantError = regexp.MustCompile(`^# error: (\d+):(\d+) ("(?:[^"\\]|\\.)*") \| (.+)$`)

func TestBadFixtures(t *testing.T) {
	paths, err := filepath.Glob("testdata/bad/*.dm")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(data), "\n")
			m := wantError.FindStringSubmatch(first)
			if m == nil {
				t.Fatalf("first line %q is not # error: LINE:COL \"TOKEN\" | message", first)
			}
			line, _ := strconv.Atoi(m[1])
			col, _ := strconv.Atoi(m[2])
			tok, _ := strconv.Unquote(m[3])
			f, err := ParseFile(path, nil)
			if f != nil {
				t.Errorf("ParseFile returned a file along with the error: a bad file must yield nothing")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseFile error %v (%T), want an *Error", err, err)
			}
			got := [4]any{e.File, e.Line, e.Column, e.Token}
			if diff := cmp.Diff([4]any{path, line, col, tok}, got); diff != "" {
				t.Errorf("file, line, column, token (-want +got):\n%s\nerror: %v", diff, e)
			}
			if !strings.Contains(e.Msg, m[4]) {
				t.Errorf("message %q does not say %q", e.Msg, m[4])
			}
			prefix := path + ":" + m[1] + ":" + m[2] + ": "
			if !strings.HasPrefix(e.Error(), prefix) {
				t.Errorf("Error() = %q, want it to start with %q", e.Error(), prefix)
			}
		})
	}
}

func TestErrorWrapsCause(t *testing.T) {
	_, err := Parse("x.dm", strings.NewReader("user cy age=17 mode=everyone\n"), nil)
	if !errors.Is(err, inbox.ErrModeUnavailable) {
		t.Errorf("error %v does not wrap inbox.ErrModeUnavailable", err)
	}
	want := `x.dm:1:16: cy may not choose mode everyone at 2026-01-01: users whose age is 16-17 may not choose it (at "mode=everyone")`
	if got := err.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
}

func TestLineLimit(t *testing.T) {
	ok := "user ana # " + strings.Repeat("x", MaxLineLen-len("user ana # ")) + "\r\n"
	if _, err := Parse("x.dm", strings.NewReader(ok+"user ben\n"), nil); err != nil {
		t.Errorf("a line of exactly %d bytes (CRLF ended): %v", MaxLineLen, err)
	}
	for _, n := range []int{MaxLineLen + 1, MaxLineLen + 2, 3 * MaxLineLen, 1 << 20} {
		long := "# " + strings.Repeat("x", n-2)
		for _, end := range []string{"\n", "\r\n", ""} {
			_, err := Parse("x.dm", strings.NewReader("user ana\n\n"+long+end+"user ben\n"), nil)
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrLineTooLong) || e.Line != 3 {
				t.Errorf("a line of %d bytes ending %q: error %v, want ErrLineTooLong on line 3", n, end, err)
			}
		}
	}
}

// endless yields n bytes of comment lines without holding them.
type endless struct{ n, read int64 }

func (r *endless) Read(b []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	const line = "# padding padding padding padding padding padding padding padding\n"
	k := int64(len(b))
	if k > r.n {
		k = r.n
	}
	for i := range b[:k] {
		b[i] = line[(r.read+int64(i))%int64(len(line))]
	}
	r.n -= k
	r.read += k
	return int(k), nil
}

func TestFileLimit(t *testing.T) {
	// Exactly the limit is fine.
	r := &endless{n: MaxFileSize}
	if _, err := Parse("x.dm", r, nil); err != nil {
		t.Errorf("a file of exactly %d bytes: %v", MaxFileSize, err)
	}
	// One byte more is refused, and the parser stops reading there.
	for _, n := range []int64{MaxFileSize + 1, 64 << 20} {
		r := &endless{n: n}
		_, err := Parse("x.dm", r, nil)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrTooLarge) || e.Line != 0 {
			t.Errorf("a file of %d bytes: error %v, want ErrTooLarge for the whole file", n, err)
		}
		if r.read > MaxFileSize+1 {
			t.Errorf("a file of %d bytes: read %d bytes, want at most %d", n, r.read, MaxFileSize+1)
		}
	}
}

// TestParseFileRefusesLargeFileUnread: ParseFile refuses a file over the
// limit by its size, before reading. The file is one line of zero bytes, so
// reading it would have failed differently (a line too long).
func TestParseFileRefusesLargeFileUnread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.dm")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = ParseFile(path, nil)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrTooLarge) || e.Line != 0 || e.File != path {
		t.Errorf("ParseFile of a %d-byte file: %v, want ErrTooLarge", MaxFileSize+1, err)
	}
	if _, err := ParseFile(filepath.Join(t.TempDir(), "missing.dm"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ParseFile of a missing file: %v, want it to wrap os.ErrNotExist", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseReadError(t *testing.T) {
	_, err := Parse("x.dm", io.MultiReader(strings.NewReader("user ana\n"), failingReader{}), nil)
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("a failing reader: %v, want an *Error wrapping its error", err)
	}
}

// TestContactKeys checks that every user's synthetic contact key is one the
// graph accepts, including names that are all digits.
func TestContactKeys(t *testing.T) {
	for _, name := range []string{"a", "5550100", "15555550100", "1-555-010-0100", "0.1.2.3.4.5.6.7", strings.Repeat("9", MaxNameLen)} {
		if err := graph.CheckContactKey(ContactKey(name)); err != nil {
			t.Errorf("ContactKey(%q) = %q: %v", name, ContactKey(name), err)
		}
	}
}

func TestPoliciesResolver(t *testing.T) {
	acme := privacy.TikTok()
	acme.Name = "acme"
	acme.Modes[inbox.Everyone].Name = "open"
	opts := &Options{Policies: func(name string) (*privacy.Policy, error) {
		if name == "acme" {
			return acme, nil
		}
		return nil, errors.New("only acme here")
	}}
	f, err := Parse("x.dm", strings.NewReader("policy acme\nuser ana age=30 mode=open\n"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if f.Policy != acme || f.Stmts[0].(*UserStmt).Settings.Mode != inbox.Everyone {
		t.Errorf("policy %v, settings %+v: want acme's policy and its mode name open", f.Policy.Name, f.Stmts[0].(*UserStmt).Settings)
	}
	// The default policy goes through the resolver too.
	_, err = Parse("x.dm", strings.NewReader("user ana\n"), opts)
	var e *Error
	if !errors.As(err, &e) || e.Line != 1 || !strings.Contains(e.Msg, "default policy tiktok") {
		t.Errorf("no policy line with a resolver that lacks tiktok: %v", err)
	}
}

// TestMemoryProportional checks that parsing allocates in proportion to the
// input, for inputs made of each kind of statement.
func TestMemoryProportional(t *testing.T) {
	head := "user a0\nuser a1\n"
	gens := map[string]func(i int) string{
		"user":    func(i int) string { return "user a" + strconv.Itoa(i) + "\n" },
		"set":     func(int) string { return "set a0 age=1\n" },
		"follow":  func(int) string { return "follow a0 a1\n" },
		"advance": func(int) string { return "advance 1m\n" },
		"expect":  func(int) string { return "expect a0 a1 deny\n" },
		"reach":   func(int) string { return "reach a0 primary=a1 requests=\n" },
		"group":   func(int) string { return "group a0 a1 a0 deny\n" },
		"blank":   func(int) string { return "\n" },
	}
	for name, g := range gens {
		var b bytes.Buffer
		b.WriteString(head)
		for i := 2; b.Len() < 1<<20; i++ {
			b.WriteString(g(i))
		}
		in := b.Bytes()
		n := allocBytes(func() {
			if _, err := Parse("x.dm", bytes.NewReader(in), unlimited); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		})
		if limit := allocCeiling(len(in)); n > limit {
			t.Errorf("%s: parsing %d bytes allocated %d, over the ceiling %d", name, len(in), n, limit)
		}
	}
}

// TestScanLines is a guard on bufio: the scanner's token limit is what
// makes a long line an error rather than a large allocation.
func TestScanLines(t *testing.T) {
	sc := bufio.NewScanner(strings.NewReader(strings.Repeat("x", MaxLineLen+3) + "\n"))
	sc.Buffer(nil, MaxLineLen+3)
	for sc.Scan() {
	}
	if !errors.Is(sc.Err(), bufio.ErrTooLong) {
		t.Errorf("scanner error %v, want bufio.ErrTooLong", sc.Err())
	}
}
