package scenario

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// Limits of a scenario file that no [Limits] lift. A larger file, or a
// longer line, is refused while it is read: the parser never holds more
// than one line of input.
const (
	MaxFileSize = 16 << 20 // bytes in a file; Limits.Bytes may lower it
	MaxLineLen  = 4 << 10  // bytes in a line, without its line ending
	MaxNameLen  = 64       // bytes in a name
	MaxAge      = 150      // the largest age=N
)

// DefaultPolicy is the preset of a file without a policy line.
const DefaultPolicy = "tiktok"

// DefaultStart is the clock of a file without a now line.
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// ParseFile opens and parses the scenario file at path; see [Parse]. A file
// larger than [MaxFileSize] (or opts' Limits.Bytes) is refused before it is
// read.
func ParseFile(path string, opts *Options) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot open the file: " + pathErr(err), Err: err}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > opts.limits().bytes {
		return nil, tooLarge(path, opts.limits().bytes)
	}
	return Parse(path, f, opts)
}

func pathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func tooLarge(name string, limit int64) *Error {
	return &Error{File: name, Msg: fmt.Sprintf("the file is larger than %s, the limit: split it into several files", bytesText(limit)), Err: ErrTooLarge}
}

// bytesText returns n in words: "16 MiB (16777216 bytes)", "1000 bytes".
func bytesText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB (%d bytes)", n>>20, n)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB (%d bytes)", n>>10, n)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Parse reads a scenario file from r, line by line, and returns it whole,
// or an [*Error] naming the first problem's line and token. name is used in
// errors and results. Parse checks everything a file can get wrong before
// any of it runs: syntax, names, undeclared and duplicate users, every
// mode a user chooses, validated by the policy at the line's clock, and
// opts' [Limits] (users, statements, the decisions its checks ask for and
// its size), so a file too costly to run fails here, at the line that
// crossed the limit, having cost no more than reading it that far.
func Parse(name string, r io.Reader, opts *Options) (*File, error) {
	p := &parser{
		name:  name,
		opts:  opts,
		lim:   opts.limits(),
		clock: DefaultStart,
		users: make(map[string]*account),
		file:  &File{Name: name, Start: DefaultStart},
	}
	lr := &limitReader{r: r, left: p.lim.bytes + 1}
	sc := bufio.NewScanner(lr)
	// One byte more than a line may hold, plus a CR LF ending: a longer
	// line is ErrTooLong from the scanner, a line of MaxLineLen+1 bytes is
	// caught below.
	sc.Buffer(make([]byte, 0, 1024), MaxLineLen+3)
	for sc.Scan() {
		p.line++
		b := sc.Bytes()
		if len(b) > MaxLineLen {
			if lr.tripped {
				return nil, tooLarge(name, p.lim.bytes)
			}
			return nil, p.longLine()
		}
		if err := p.parseLine(b); err != nil {
			if lr.tripped {
				return nil, tooLarge(name, p.lim.bytes)
			}
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		switch {
		case errors.Is(err, ErrTooLarge):
			return nil, tooLarge(name, p.lim.bytes)
		case errors.Is(err, bufio.ErrTooLong):
			p.line++
			return nil, p.longLine()
		}
		return nil, &Error{File: name, Msg: "cannot read the file: " + err.Error(), Err: err}
	}
	if p.pol == nil {
		if err := p.resolvePolicy(DefaultPolicy, token{}); err != nil {
			return nil, err
		}
	}
	p.file.Users = p.order
	p.file.lines = p.statements
	return p.file, nil
}

func (p *parser) longLine() *Error {
	return &Error{File: p.name, Line: p.line, Column: MaxLineLen + 1,
		Msg: fmt.Sprintf("line is longer than %d bytes: split the statement", MaxLineLen), Err: ErrLineTooLong}
}

// limitReader reads at most left bytes, and fails with ErrTooLarge once it
// has read them all: left is one more than the file may hold.
type limitReader struct {
	r       io.Reader
	left    int64
	tripped bool
}

func (l *limitReader) Read(b []byte) (int, error) {
	if l.left <= 0 {
		l.tripped = true
		return 0, ErrTooLarge
	}
	if int64(len(b)) > l.left {
		b = b[:l.left]
	}
	n, err := l.r.Read(b)
	l.left -= int64(n)
	if l.left <= 0 {
		l.tripped = true
		return n, ErrTooLarge
	}
	return n, err
}

// parser is the state of one Parse: the file so far, the clock, and a
// model of every declared user, so that modes are validated by the policy
// as the line is read.
type parser struct {
	name string
	opts *Options
	lim  limits
	file *File
	line int

	statements int // statements so far
	decisions  int // decisions the checks so far ask for

	clock       time.Time
	pol         *privacy.Policy
	check       *privacy.Engine[string] // validates settings; reads users
	policyLine  int
	nowLine     int
	advanceLine int // the first advance

	users map[string]*account
	order []string

	toks []token
	src  Source
}

// account is what the parser knows of a declared user.
type account struct {
	name     string
	line     int
	user     graph.User
	settings inbox.Settings
}

type token struct {
	text string
	col  int // 1-based byte column
}

var bom = []byte("\xef\xbb\xbf")

func (p *parser) parseLine(b []byte) error {
	off := 0
	if p.line == 1 && bytes.HasPrefix(b, bom) {
		b, off = b[len(bom):], len(bom)
	}
	if i := bytes.IndexByte(b, '#'); i >= 0 {
		b = b[:i]
	}
	if len(bytes.Trim(b, " \t")) == 0 {
		return nil
	}
	line := string(b)
	p.toks = p.toks[:0]
	single := true // tokens are separated by single spaces, with no blanks around
	for i := 0; i < len(line); {
		if line[i] == ' ' || line[i] == '\t' {
			if line[i] == '\t' || i == 0 || i+1 >= len(line) || line[i+1] == ' ' || line[i+1] == '\t' {
				single = false
			}
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' {
			j++
		}
		p.toks = append(p.toks, token{text: line[i:j], col: off + i + 1})
		i = j
	}
	text := line
	if !single {
		parts := make([]string, len(p.toks))
		for i, t := range p.toks {
			parts[i] = t.text
		}
		text = strings.Join(parts, " ")
	}
	p.src = Source{Line: p.line, Text: text, At: p.clock}
	if p.statements++; p.statements > p.lim.statements {
		return p.errAt(p.toks[0], ErrTooManyStatements, "statement %d: a file may have at most %d statements: split it into several files", p.statements, p.lim.statements)
	}
	switch kw := p.toks[0].text; kw {
	case "policy":
		return p.policyLineStmt()
	case "now":
		return p.nowStmt()
	case "advance":
		return p.advance()
	case "user":
		return p.userStmt(false)
	case "set":
		return p.userStmt(true)
	case "follow", "unfollow", "block", "unblock", "restrict", "unrestrict",
		"contact", "uncontact", "facebook", "unfacebook":
		return p.edge(kw)
	case "conversation":
		return p.conversation()
	case "expect":
		return p.expect()
	case "view":
		return p.view()
	case "reach":
		return p.reach()
	case "group":
		return p.group()
	default:
		msg := fmt.Sprintf("unknown statement %s", quote(kw))
		if s := suggest(kw, keywords); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		} else {
			msg += " (want one of " + strings.Join(keywords, ", ") + ")"
		}
		return p.errAt(p.toks[0], nil, "%s", msg)
	}
}

var keywords = []string{
	"policy", "now", "advance", "user", "set",
	"follow", "unfollow", "block", "unblock", "restrict", "unrestrict",
	"contact", "uncontact", "facebook", "unfacebook",
	"conversation", "expect", "view", "reach", "group",
}

var usages = map[string]string{
	"policy":       "policy NAME",
	"now":          "now YYYY-MM-DD (or an RFC 3339 time)",
	"advance":      "advance DURATION (a whole number and m, h or d: 90m, 25h, 30d)",
	"user":         "user NAME [age=N | birth=DATE] [mode=M] [status=S] [suggest-to-contacts=on|off] [suggest-to-facebook=on|off] [verified=on|off] [route.AUDIENCE=primary|requests|deny ...]",
	"set":          "set NAME key=value...",
	"edge":         "%s A B",
	"conversation": "conversation A B pending|held|accepted|declined",
	"expect":       "expect S R allow primary|requests [REASON], or expect S R deny [REASON]",
	"view":         "view S R allowed|not_allowed|you_blocked|age_restricted|request_limit|unavailable",
	"reach":        "reach R primary=A,B,... requests=C,...",
	"group":        "group INVITER INVITEE MEMBER,... allow|invite|deny [REASON]",
}

func usage(kw string) string {
	if u, ok := usages[kw]; ok {
		return u
	}
	return fmt.Sprintf(usages["edge"], kw)
}

// errAt returns an error at token t.
func (p *parser) errAt(t token, err error, format string, args ...any) *Error {
	return &Error{File: p.name, Line: p.line, Column: t.col, Token: t.text, Msg: fmt.Sprintf(format, args...), Err: err}
}

// errEnd returns an error about something missing at the end of the line.
func (p *parser) errEnd(format string, args ...any) *Error {
	last := p.toks[len(p.toks)-1]
	return &Error{File: p.name, Line: p.line, Column: last.col + len(last.text), Msg: fmt.Sprintf(format, args...)}
}

// arity checks that the statement has between min and max tokens,
// keyword included.
func (p *parser) arity(min, max int) error {
	kw := p.toks[0].text
	if len(p.toks) < min {
		return p.errEnd("%s is incomplete: want %s", kw, usage(kw))
	}
	if len(p.toks) > max {
		return p.errAt(p.toks[max], nil, "unexpected %s after a complete %s statement: want %s", quote(p.toks[max].text), kw, usage(kw))
	}
	return nil
}

func validName(s string) bool {
	if len(s) == 0 || len(s) > MaxNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func (p *parser) ident(t token, what string) (string, error) {
	if !validName(t.text) {
		return "", p.errAt(t, nil, "bad %s name %s: names are 1 to %d characters of a-z, 0-9, '_', '.' and '-'", what, quote(t.text), MaxNameLen)
	}
	return t.text, nil
}

// user returns the declared user named by t.
func (p *parser) user(t token) (*account, error) {
	n, err := p.ident(t, "user")
	if err != nil {
		return nil, err
	}
	a := p.users[n]
	if a == nil {
		return nil, p.errAt(t, nil, "unknown user %s: declare it with a user line before this one", quote(n))
	}
	return a, nil
}

func (p *parser) policyLineStmt() error {
	if err := p.arity(2, 2); err != nil {
		return err
	}
	t := p.toks[1]
	if err := p.beforeUsers("policy"); err != nil {
		return err
	}
	if p.policyLine > 0 {
		return p.errAt(p.toks[0], nil, "a second policy line: the policy was set on line %d", p.policyLine)
	}
	n, err := p.ident(t, "policy")
	if err != nil {
		return err
	}
	p.policyLine = p.line
	return p.resolvePolicy(n, t)
}

func (p *parser) beforeUsers(kw string) error {
	if len(p.order) > 0 {
		first := p.users[p.order[0]]
		return p.errAt(p.toks[0], nil, "%s must come before the first user (line %d declares %s)", kw, first.line, first.name)
	}
	return nil
}

// resolvePolicy sets the file's policy; t is the token that names it (the
// zero token for the default).
func (p *parser) resolvePolicy(name string, t token) error {
	resolve := privacy.PolicyByName
	if p.opts != nil && p.opts.Policies != nil {
		resolve = p.opts.Policies
	}
	fail := func(err error) error {
		if t.text == "" {
			msg := fmt.Sprintf("the file has no policy line, and the default policy %s is not available: %v", name, err)
			if p.line > 0 && len(p.toks) > 0 {
				return p.errAt(p.toks[0], err, "%s", msg)
			}
			return &Error{File: p.name, Msg: msg, Err: err}
		}
		return p.errAt(t, err, "%v", err)
	}
	pol, err := resolve(name)
	if err == nil && pol == nil {
		err = fmt.Errorf("no policy named %q", name)
	}
	if err != nil {
		return fail(err)
	}
	if err := pol.Validate(); err != nil {
		return fail(err)
	}
	e, err := privacy.New[string](accounts{p}, inbox.ReaderFuncs[string]{}, &privacy.Options{Policy: pol, Now: p.now})
	if err != nil {
		return fail(err)
	}
	p.pol, p.check = pol, e
	p.file.PolicyName, p.file.Policy = name, pol
	return nil
}

func (p *parser) now() time.Time { return p.clock }

// accounts is the graph the parser validates settings against: the users
// declared so far, and no edges. Settings validation reads only users; the
// other reads exist so any policy's engine can be built over it.
type accounts struct{ p *parser }

func (a accounts) User(_ context.Context, id string) (graph.User, error) {
	if u := a.p.users[id]; u != nil {
		return u.user, nil
	}
	return graph.User{}, nil
}

func (accounts) HasEdge(context.Context, graph.Edge, string, string) (bool, error) { return false, nil }

func (accounts) HasFriendInCommon(context.Context, string, string) (bool, error) { return false, nil }

func (p *parser) nowStmt() error {
	if err := p.arity(2, 2); err != nil {
		return err
	}
	if err := p.beforeUsers("now"); err != nil {
		return err
	}
	if p.nowLine > 0 {
		return p.errAt(p.toks[0], nil, "a second now line: the clock was set on line %d (use advance to move it)", p.nowLine)
	}
	if p.advanceLine > 0 {
		return p.errAt(p.toks[0], nil, "now must come before advance (line %d moves the clock)", p.advanceLine)
	}
	t, err := p.time(p.toks[1])
	if err != nil {
		return err
	}
	p.nowLine = p.line
	p.clock = t
	p.file.Start = t
	return nil
}

// time parses YYYY-MM-DD (midnight UTC) or RFC 3339.
func (p *parser) time(t token) (time.Time, error) {
	if v, err := time.Parse(time.DateOnly, t.text); err == nil {
		return v, nil
	}
	v, err := time.Parse(time.RFC3339, t.text)
	if err != nil {
		return time.Time{}, p.errAt(t, err, "bad time %s: want YYYY-MM-DD or an RFC 3339 time such as 2026-03-01T12:00:00Z", quote(t.text))
	}
	return v, nil
}

// maxDays bounds a duration so that it fits a time.Duration.
const maxDays = int64(1<<63-1) / int64(24*time.Hour)

func (p *parser) advance() error {
	if err := p.arity(2, 2); err != nil {
		return err
	}
	t := p.toks[1]
	bad := func() error {
		return p.errAt(t, nil, "bad duration %s: want a whole number and m, h or d (90m, 25h, 30d)", quote(t.text))
	}
	s := t.text
	if len(s) < 2 {
		return bad()
	}
	unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[s[len(s)-1]]
	digits := s[:len(s)-1]
	if unit == 0 || strings.TrimLeft(digits, "0123456789") != "" {
		return bad()
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > int64(1<<63-1)/int64(unit) {
		return p.errAt(t, nil, "duration %s is too long: advance at most %d days at a time", quote(t.text), maxDays)
	}
	d := time.Duration(n) * unit
	if p.advanceLine == 0 {
		p.advanceLine = p.line
	}
	p.clock = p.clock.Add(d)
	p.src.At = p.clock
	return p.add(&AdvanceStmt{Source: p.src, By: d})
}

// add appends s to the file, counting the decisions a check asks for
// against the limit.
func (p *parser) add(s Stmt) error {
	if c := cost(s); c > 0 {
		p.decisions += c
		if p.decisions > p.lim.decisions {
			what := "this line brings"
			if _, ok := s.(*ReachStmt); ok {
				what = fmt.Sprintf("this reach line decides for each of the %d other users declared so far, which brings", c)
			}
			return p.errAt(p.toks[0], ErrTooManyDecisions, "%s the checks to %d decisions, over the limit of %d: use fewer users or fewer checks, or split the file", what, p.decisions, p.lim.decisions)
		}
	}
	p.file.Stmts = append(p.file.Stmts, s)
	return nil
}

// Keys of user and set lines.
const (
	keyAge = 1 << iota
	keyBirth
	keyMode
	keyStatus
	keyContacts
	keyFacebook
	keyVerified
)

var userKeys = []string{"age", "birth", "mode", "status", "suggest-to-contacts", "suggest-to-facebook", "verified", "route.AUDIENCE"}

var keyBits = map[string]int{
	"age": keyAge, "birth": keyBirth, "mode": keyMode, "status": keyStatus,
	"suggest-to-contacts": keyContacts, "suggest-to-facebook": keyFacebook, "verified": keyVerified,
}

// Route is one route.AUDIENCE=ROUTE key of a user or set line.
type Route struct {
	Audience inbox.Audience
	Route    inbox.Route
}

func (p *parser) userStmt(set bool) error {
	kw := p.toks[0].text
	if set && len(p.toks) < 3 {
		return p.errEnd("set needs at least one key=value: want %s", usage(kw))
	}
	if err := p.arity(2, len(p.toks)); err != nil {
		return err
	}
	if p.pol == nil {
		if err := p.resolvePolicy(DefaultPolicy, token{}); err != nil {
			return err
		}
	}
	nt := p.toks[1]
	var a *account
	if set {
		var err error
		if a, err = p.user(nt); err != nil {
			return err
		}
	} else {
		n, err := p.ident(nt, "user")
		if err != nil {
			return err
		}
		if prev := p.users[n]; prev != nil {
			return p.errAt(nt, nil, "user %s is declared twice (first on line %d): use set to change a user", n, prev.line)
		}
		if len(p.order) >= p.lim.users {
			return p.errAt(nt, ErrTooManyUsers, "user %s would be user %d: a file may declare at most %d users", n, len(p.order)+1, p.lim.users)
		}
		a = &account{name: n, line: p.line, user: graph.User{Status: graph.Active, Birth: graph.BirthForAge(p.clock, 18)}}
	}
	u, s := a.user, a.settings
	seen := 0
	var modeTok token
	var routes []Route
	var routeTok token
	seenRoute := map[inbox.Audience]bool{}
	for _, t := range p.toks[2:] {
		k, v, ok := strings.Cut(t.text, "=")
		if !ok {
			return p.errAt(t, nil, "%s is not a key=value: want %s", quote(t.text), usage(kw))
		}
		if aud, isRoute := strings.CutPrefix(k, "route."); isRoute {
			au, err := inbox.ParseAudience(aud)
			if err != nil {
				return p.errAt(t, err, "unknown audience %s in %s", quote(aud), quote(t.text))
			}
			if seenRoute[au] {
				return p.errAt(t, nil, "key %s is given twice", quote(k))
			}
			seenRoute[au] = true
			r, err := inbox.ParseRoute(v)
			if err != nil {
				return p.errAt(t, err, "bad route %s in %s: want primary, requests or deny", quote(v), quote(t.text))
			}
			if routeTok.text == "" {
				routeTok = t
			}
			routes = append(routes, Route{Audience: au, Route: r})
			continue
		}
		bit, known := keyBits[k]
		if !known {
			msg := fmt.Sprintf("unknown key %s", quote(k))
			if sg := suggest(k, userKeys); sg != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", sg)
			} else {
				msg += " (want one of " + strings.Join(userKeys, ", ") + ")"
			}
			return p.errAt(t, nil, "%s", msg)
		}
		if seen&bit != 0 {
			return p.errAt(t, nil, "key %s is given twice", quote(k))
		}
		if bit&(keyAge|keyBirth) != 0 && seen&(keyAge|keyBirth) != 0 {
			return p.errAt(t, nil, "give age= or birth=, not both")
		}
		seen |= bit
		switch bit {
		case keyAge:
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > MaxAge || strings.TrimLeft(v, "0123456789") != "" {
				return p.errAt(t, nil, "bad age %s: want a whole number of years from 0 to %d", quote(v), MaxAge)
			}
			u.Birth = graph.BirthForAge(p.clock, n)
			u.Band, u.BandAsOf = graph.AgeUnknown, time.Time{}
		case keyBirth:
			b, err := p.time(token{text: v, col: t.col + len(k) + 1})
			if err != nil {
				return err
			}
			if b.After(p.clock) {
				return p.errAt(t, nil, "birth date %s is after the scenario clock %s", v, p.clock.Format(time.RFC3339))
			}
			u.Birth = b
			u.Band, u.BandAsOf = graph.AgeUnknown, time.Time{}
		case keyMode:
			m, err := p.pol.ParseMode(v)
			if err != nil {
				return p.errAt(t, err, "%v", err)
			}
			s.Mode, modeTok = m, t
		case keyStatus:
			st, err := graph.ParseStatus(v)
			if err != nil {
				return p.errAt(t, err, "%v", err)
			}
			u.Status = st
		case keyContacts, keyFacebook, keyVerified:
			var on bool
			switch v {
			case "on":
				on = true
			case "off":
			default:
				return p.errAt(t, nil, "bad value %s for %s: want on or off", quote(v), k)
			}
			switch bit {
			case keyContacts:
				u.HideFromContacts = !on
			case keyFacebook:
				u.HideFromFacebook = !on
			default:
				u.Verified = on
			}
		}
	}
	if len(routes) > 0 {
		if err := routeSettings(p.pol, &s, routes); err != nil {
			return p.errAt(routeTok, err, "%v", err)
		}
	}
	if !set {
		p.users[a.name] = a
		p.order = append(p.order, a.name)
	}
	a.user = u
	if seen&keyMode != 0 || len(routes) > 0 {
		if err := p.check.ValidateSettingsAt(context.Background(), a.name, s, p.clock); err != nil {
			why := err.Error()
			var me *inbox.ModeError
			var re *inbox.RouteError
			switch {
			case errors.As(err, &me):
				why = me.Why
			case errors.As(err, &re):
				return p.errAt(routeTok, err, "%s may not set route.%s=%s at %s: %s",
					a.name, re.Audience, re.Route, p.clock.Format(time.DateOnly), re.Why)
			}
			return p.errAt(modeTok, err, "%s may not choose mode %s at %s: %s",
				a.name, p.pol.ModeName(s.Mode), p.clock.Format(time.DateOnly), why)
		}
	}
	a.settings = s
	return p.add(&UserStmt{Source: p.src, Name: a.name, Set: set, User: u, Settings: s})
}

// routeSettings applies route.AUDIENCE keys to s, for a policy with
// per-audience settings (Instagram's, Messenger's); others refuse them.
// Whether the user may set each route is settings validation's question.
func routeSettings(p *privacy.Policy, s *inbox.Settings, routes []Route) error {
	if len(routes) == 0 {
		return nil
	}
	if !p.Availability.PerAudience {
		return fmt.Errorf("policy %s has no per-audience routing: its settings are a mode (mode=%s)", p.Name, strings.Join(modeNames(p), "|"))
	}
	for _, r := range routes {
		if !routable[r.Audience] {
			return fmt.Errorf("audience %s cannot be routed: route keys are %s", r.Audience, routableNames)
		}
		s.Routes = s.Routes.Set(r.Audience, r.Route)
	}
	return nil
}

// routable are the audiences route.AUDIENCE keys may name: every audience
// but conversation, which a user cannot route on their own.
var routable = map[inbox.Audience]bool{
	inbox.AudienceFriend: true, inbox.AudienceFollower: true, inbox.AudienceFollowed: true,
	inbox.AudienceContact: true, inbox.AudienceReverseContact: true, inbox.AudienceFacebookFriend: true,
	inbox.AudienceFriendOfFriend: true, inbox.AudienceVerified: true, inbox.AudienceAnyone: true,
}

const routableNames = "friend, follower, followed, contact, reverse_contact, facebook_friend, friend_of_friend, verified, anyone"

func modeNames(p *privacy.Policy) []string {
	var names []string
	for m := inbox.Mode(1); m < inbox.NumModes; m++ {
		if n := p.Modes[m].Name; n != "" {
			names = append(names, n)
		}
	}
	return names
}

var edgeKinds = map[string]graph.Edge{
	"follow": graph.Follow, "block": graph.Block, "restrict": graph.Restrict,
	"contact": graph.Contact, "facebook": graph.Facebook,
}

func (p *parser) pair(what string) (a, b *account, err error) {
	if a, err = p.user(p.toks[1]); err != nil {
		return nil, nil, err
	}
	if b, err = p.user(p.toks[2]); err != nil {
		return nil, nil, err
	}
	if a == b && what != "" {
		return nil, nil, p.errAt(p.toks[2], nil, "%s: %s is the same user twice", what, a.name)
	}
	return a, b, nil
}

func (p *parser) edge(kw string) error {
	if err := p.arity(3, 3); err != nil {
		return err
	}
	base, on := kw, true
	if rest, ok := strings.CutPrefix(kw, "un"); ok {
		base, on = rest, false
	}
	a, b, err := p.pair(kw + " needs two different users")
	if err != nil {
		return err
	}
	return p.add(&EdgeStmt{Source: p.src, Kind: edgeKinds[base], On: on, From: a.name, To: b.name})
}

func (p *parser) conversation() error {
	if err := p.arity(4, 4); err != nil {
		return err
	}
	a, b, err := p.pair("a conversation needs two different users")
	if err != nil {
		return err
	}
	st, err := inbox.ParseState(p.toks[3].text)
	if err != nil {
		return p.errAt(p.toks[3], err, "bad conversation state %s: want pending, held, accepted or declined", quote(p.toks[3].text))
	}
	return p.add(&ConversationStmt{Source: p.src, From: a.name, To: b.name, State: st})
}

func (p *parser) reason(t token) (string, error) {
	if _, err := privacy.ParseReason(t.text); err != nil {
		return "", p.errAt(t, err, "unknown reason %s: want an audit reason such as friend, not_friend or inbox_closed (see go doc github.com/dmprivacy/dmprivacy/privacy Reason)", quote(t.text))
	}
	return t.text, nil
}

func (p *parser) expect() error {
	if err := p.arity(4, 6); err != nil {
		return err
	}
	s, r, err := p.pair("")
	if err != nil {
		return err
	}
	st := &ExpectStmt{Source: p.src, Sender: s.name, Recipient: r.name}
	rest := p.toks[4:]
	switch d := p.toks[3]; d.text {
	case "allow":
		if len(rest) == 0 {
			return p.errEnd("allow needs a folder: want expect S R allow primary|requests [REASON]")
		}
		f, err := inbox.ParseFolder(rest[0].text)
		if err != nil {
			return p.errAt(rest[0], err, "bad folder %s: want primary or requests", quote(rest[0].text))
		}
		st.Allowed, st.Folder = true, f
		rest = rest[1:]
	case "deny":
		if len(rest) > 1 {
			return p.errAt(rest[1], nil, "unexpected %s: want expect S R deny [REASON]", quote(rest[1].text))
		}
	default:
		return p.errAt(d, nil, "bad decision %s: want allow or deny", quote(d.text))
	}
	if len(rest) > 0 {
		if st.Reason, err = p.reason(rest[0]); err != nil {
			return err
		}
	}
	return p.add(st)
}

func (p *parser) view() error {
	if err := p.arity(4, 4); err != nil {
		return err
	}
	s, r, err := p.pair("")
	if err != nil {
		return err
	}
	v, err := privacy.ParseView(p.toks[3].text)
	if err != nil {
		return p.errAt(p.toks[3], err, "unknown sender view %s: want allowed, not_allowed, you_blocked, age_restricted, request_limit or unavailable", quote(p.toks[3].text))
	}
	return p.add(&ViewStmt{Source: p.src, Sender: s.name, Recipient: r.name, View: v})
}

// list parses a comma-separated list of declared users, the value of t
// after its first skip bytes. Names must be distinct and not in exclude.
func (p *parser) list(t token, skip int, seen map[string]bool, exclude string, what string) ([]string, error) {
	v := t.text[skip:]
	if v == "" {
		return nil, nil
	}
	n := strings.Count(v, ",") + 1
	out := make([]string, 0, n)
	col := t.col + skip
	for part := range strings.SplitSeq(v, ",") {
		pt := token{text: part, col: col}
		col += len(part) + 1
		if part == "" {
			return nil, p.errAt(t, nil, "empty name in the list %s (a doubled or trailing comma?)", quote(t.text))
		}
		a, err := p.user(pt)
		if err != nil {
			return nil, err
		}
		if a.name == exclude {
			return nil, p.errAt(pt, nil, "%s %s", a.name, what)
		}
		if seen[a.name] {
			return nil, p.errAt(pt, nil, "%s is listed twice", a.name)
		}
		seen[a.name] = true
		out = append(out, a.name)
	}
	return out, nil
}

func (p *parser) reach() error {
	if err := p.arity(4, 4); err != nil {
		return err
	}
	r, err := p.user(p.toks[1])
	if err != nil {
		return err
	}
	st := &ReachStmt{Source: p.src, Recipient: r.name, Declared: len(p.order)}
	seen := make(map[string]bool)
	var have [2]bool
	for _, t := range p.toks[2:] {
		k, _, ok := strings.Cut(t.text, "=")
		i := map[string]int{"primary": 1, "requests": 2}[k]
		if !ok || i == 0 {
			return p.errAt(t, nil, "%s is not primary=LIST or requests=LIST: want %s", quote(t.text), usage("reach"))
		}
		if have[i-1] {
			return p.errAt(t, nil, "%s= is given twice", k)
		}
		have[i-1] = true
		names, err := p.list(t, len(k)+1, seen, r.name, "is the recipient: reach lists who else reaches them")
		if err != nil {
			return err
		}
		if i == 1 {
			st.Primary = names
		} else {
			st.Requests = names
		}
	}
	return p.add(st)
}

// groupReasons are the reasons only a group add gives, named in the error
// of a group line with an unknown reason; the decision reasons are accepted
// too.
var groupReasons = []string{"group_inviter_not_friend", "group_minor_needs_friend", "group_blocked", "group_minor_protection", "group_invites_closed", "group_invite"}

func (p *parser) group() error {
	if err := p.arity(5, 6); err != nil {
		return err
	}
	inv, who, err := p.pair("a group add needs an inviter and a different invitee")
	if err != nil {
		return err
	}
	st := &GroupStmt{Source: p.src, Inviter: inv.name, Invitee: who.name}
	mt := p.toks[3]
	if st.Members, err = p.list(mt, 0, make(map[string]bool), who.name, "is the invitee: they cannot already be a member"); err != nil {
		return err
	}
	ot := p.toks[4]
	if st.Outcome, err = privacy.ParseGroupOutcome(ot.text); err != nil {
		return p.errAt(ot, err, "bad group outcome %s: want allow, invite or deny", quote(ot.text))
	}
	if len(p.toks) == 6 {
		rt := p.toks[5]
		if _, err := privacy.ParseReason(rt.text); err != nil && !contains(groupReasons, rt.text) {
			return p.errAt(rt, err, "unknown reason %s: want a group reason (%s) or a decision reason", quote(rt.text), strings.Join(groupReasons, ", "))
		}
		st.Reason = rt.text
	}
	return p.add(st)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns the word of list closest to w, if it is close enough to
// be the likely intent (a typo), else "".
func suggest(w string, list []string) string {
	if len(w) > 2*MaxNameLen {
		return ""
	}
	best, bestD := "", 3
	for _, c := range list {
		if d := distance(w, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
