// Package browsertest runs the playground's page in a real browser:
// headless Chromium, driven by chromedp. It is a module of its own so that
// the repository's root module keeps its three dependencies.
//
// The tests build and start the playground (go run ./examples/playground
// as a user would), start Chromium with a fresh profile, and stop both
// when they end. They load each starting world and check every cell of the
// grid against the engine's CanMessage, computed here in Go; open an
// Explain trace; apply what-ifs and check the cells that change; type a
// line the parser refuses and find its error beside that line; download
// the world and run it with dmcheck; share it through the address bar;
// and take a screenshot of the grid whose structure (its size, and the
// colour at the centre of every cell) must match the page's own grid.
//
// Run them from this directory:
//
//	go test ./...
//
// Chromium is /usr/bin/chromium (Debian's chromium package), or the
// program named by DMPRIVACY_CHROMIUM; without one the tests skip. The
// flag -update-screenshot writes the grid's screenshot to
// ../grid.png, the picture of the repository's README.
package browsertest
