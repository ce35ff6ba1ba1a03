package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"mime"
	"net"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/dmprivacy/dmprivacy/privacy/scenario"
)

// The page and the starting worlds, in the binary.
//
//go:embed static worlds
var files embed.FS

// Bounds on what one request may cost.
const (
	maxBody        = 512 << 10           // bytes of a request body
	requestTimeout = 5 * time.Second     // one request's work, all worlds included
	maxWorkers     = 4                   // requests evaluated at once; the others wait
	runTime        = 2 * time.Second     // one run of a world
	waitForWorker  = 2 * time.Second     // how long a request waits for a worker
	maxUsers       = 60                  // users in a world: the grid has users² cells
	maxWorldBytes  = 64 << 10            // bytes of a world
	maxStatements  = 2_000               // statements of a world
	maxDecisions   = 20_000              // decisions its checks ask for
	maxChanges     = maxUsers * maxUsers // cells a what-if lists
)

// limits are the scenario limits of a world sent to the playground.
var limits = scenario.Limits{
	Bytes:      maxWorldBytes,
	Users:      maxUsers,
	Statements: maxStatements,
	Decisions:  maxDecisions,
	Time:       runTime,
}

// server answers the page's requests. It keeps nothing between them.
type server struct {
	workers      chan struct{}
	wait         time.Duration // how long a request waits for a worker
	loopbackOnly bool          // refuse requests whose Host is not a loopback name
}

// newServer returns the playground's handler. With loopbackOnly, requests
// must name a loopback host, so a web page elsewhere cannot reach the
// server by pointing a DNS name at 127.0.0.1.
func newServer(loopbackOnly bool) http.Handler {
	return newServerWith(&server{workers: make(chan struct{}, maxWorkers), wait: waitForWorker, loopbackOnly: loopbackOnly})
}

func newServerWith(s *server) http.Handler {
	static, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embedded tree always has it
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", page(static, "index.html"))
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.Handle("GET /api/worlds", s.api(s.worlds))
	mux.Handle("POST /api/world", s.api(s.world))
	mux.Handle("POST /api/explain", s.api(s.explain))
	mux.Handle("POST /api/whatif", s.api(s.whatIf))
	return s.guard(mux)
}

// page serves one embedded file.
func page(static fs.FS, name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, static, name)
	})
}

// guard sets the security headers of every response and, on loopback,
// refuses other hosts.
func (s *server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if s.loopbackOnly && !loopbackHost(r.Host) {
			writeError(w, &httpError{http.StatusMisdirectedRequest, "request", "this playground answers only on localhost, 127.0.0.1 or [::1]"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether host (with or without a port) names the
// loopback interface.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// httpError is an error with its status, its kind (as in errorInfo) and
// a message for the page.
type httpError struct {
	status int
	kind   string
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, "request", fmt.Sprintf(format, args...)}
}

// errorBody is the JSON of every error: a message and, for a world's
// error, where it is.
type errorBody struct {
	Error errorInfo `json:"error"`
}

type errorInfo struct {
	Message string `json:"message"`
	Kind    string `json:"kind"` // request, world, limit, whatif, busy or internal
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Token   string `json:"token,omitempty"`
}

// api adapts a handler that returns a value or an error: the one place
// errors become statuses.
func (s *server) api(h func(ctx context.Context, r *http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
		defer cancel()
		v, err := h(ctx, r)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		log.Printf("playground: writing a response: %v", err)
	}
}

// writeError maps an error to its status and body.
func writeError(w http.ResponseWriter, err error) {
	var (
		he  *httpError
		se  *scenario.Error
		mbe *http.MaxBytesError
	)
	info := errorInfo{Message: err.Error(), Kind: "request"}
	status := http.StatusBadRequest
	switch {
	case errors.As(err, &he):
		status, info.Kind = he.status, he.kind
	case errors.As(err, &mbe):
		status = http.StatusRequestEntityTooLarge
		info.Kind = "limit"
		info.Message = fmt.Sprintf("the request is larger than %d KiB, the limit", maxBody>>10)
	case errors.As(err, &se):
		status = http.StatusUnprocessableEntity
		info = errorInfo{Message: se.Msg, Kind: "world", Line: se.Line, Column: se.Column, Token: se.Token}
		if errors.Is(err, scenario.ErrLimit) {
			info.Kind = "limit"
		}
	case errors.Is(err, context.DeadlineExceeded):
		status = http.StatusUnprocessableEntity
		info.Kind = "limit"
		info.Message = fmt.Sprintf("the request took longer than %v, the limit: use fewer users or fewer checks", requestTimeout)
	default:
		status = http.StatusInternalServerError
		info.Kind = "internal"
		log.Printf("playground: %v", err)
	}
	writeJSON(w, status, errorBody{info})
}

// work runs f holding one of the workers, so that at most maxWorkers
// worlds are evaluated at once and memory stays bounded; a request that
// waits too long is turned away.
func (s *server) work(ctx context.Context, f func() (any, error)) (any, error) {
	wait, cancel := context.WithTimeout(ctx, s.wait)
	defer cancel()
	select {
	case s.workers <- struct{}{}:
	case <-wait.Done():
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &httpError{http.StatusServiceUnavailable, "busy", "the playground is busy: try again in a moment"}
	}
	defer func() { <-s.workers }()
	return f()
}

// decode reads the JSON body of r into v, a pointer to a struct: the
// content type must be JSON, and every key must be one of v's fields,
// spelled exactly, at most once.
func decode(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &httpError{http.StatusUnsupportedMediaType, "request", "the body must be JSON, sent as Content-Type: application/json"}
	}
	body, err := io.ReadAll(r.Body) // bounded by api's MaxBytesReader
	if err != nil {
		return err
	}
	fields := map[string]bool{}
	t := reflect.TypeOf(v).Elem()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		fields[name] = true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return badRequest("the body must be a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return badRequest("bad JSON: %v", err)
		}
		key, ok := tok.(string)
		if !ok || !fields[key] {
			return badRequest("unknown field %q", key)
		}
		if seen[key] {
			return badRequest("field %q is given twice", key)
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return badRequest("bad JSON in %q: %v", key, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return badRequest("bad JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("unexpected data after the JSON object")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("bad JSON: %v", err)
	}
	return nil
}
