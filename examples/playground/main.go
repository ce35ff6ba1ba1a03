// Command playground is a web page for trying the engine's rules without
// writing Go: write a small world as a scenario file (.dm) or through a
// form, and see who can reach whom.
//
//	go run ./examples/playground [-addr 127.0.0.1:8080]
//
// It prints the page's address and serves until interrupted. The page
// shows every sender × recipient decision as a grid (primary, requests or
// deny, the reason on hover, the sender's view on a toggle), the engine's
// trace of any cell, "what if" a recipient changed their mode, the world
// ran under another preset, or a mode rolled out to a share of users (the
// cells that change, counted by reason, and the recipient's audience), and
// the parser's errors next to their lines. A world is shared as a link or
// downloaded as a .dm file that dmcheck runs unchanged.
//
// The server keeps nothing between requests: each carries its world, which
// is parsed and run on fresh in-memory stores. It is safe to expose: bodies,
// worlds (size, users, statements, the decisions their checks ask for),
// concurrent work and each request's time are bounded, and it binds to
// loopback unless -addr says otherwise. The page is embedded in the binary,
// loads nothing from elsewhere, and works offline.
//
// With -check it serves one self-check instead: it starts on a free
// loopback port, loads the page and every starting world through the API,
// prints what it checked and exits, 0 if all went well.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("playground", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "the `address` to listen on; port 0 picks a free one. Other than loopback, anyone who reaches it can use the page")
	check := fs.Bool("check", false, "serve one self-check on a free loopback port and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "playground: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *check {
		if err := selfCheck(stdout); err != nil {
			fmt.Fprintln(stderr, "playground: self-check failed:", err)
			return 1
		}
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, *addr, stdout); err != nil {
		fmt.Fprintln(stderr, "playground:", err)
		return 1
	}
	return 0
}

// serve listens on addr, prints the page's URL and serves until ctx ends.
func serve(ctx context.Context, addr string, stdout io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := newHTTPServer(newServer(isLoopback(ln.Addr())))
	fmt.Fprintf(stdout, "playground: http://%s/\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHTTPServer wraps h with timeouts, so a slow client cannot hold a
// connection open.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      requestTimeout + 5*time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
}

// isLoopback reports whether a is a loopback address.
func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}
