#!/usr/bin/env bash
# Runs the browser tests of the playground (the nested module
# examples/playground/browsertest) in headless Chromium: installs Debian's
# chromium package when no Chromium is there, vets the module, and runs
# `go test` there. The tests build and start the playground and Chromium
# themselves and stop both when they end, so nothing is left running. The
# tests must run: a skipped test fails this script.
#
# Usage (from anywhere, as root on a fresh Debian machine):
#   bash .ci/browser.sh [go test flags...]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$PATH:/usr/local/go/bin"
STATICCHECK_VERSION=v0.8.2

chromium=${DMPRIVACY_CHROMIUM:-$(command -v chromium || true)}
if [[ -z $chromium ]]; then
	echo "browser.sh: installing Chromium from the distribution's packages" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq chromium >/dev/null
	chromium=$(command -v chromium)
fi
export DMPRIVACY_CHROMIUM=$chromium
echo "browser.sh: $("$chromium" --version 2>/dev/null | head -n 1)" >&2

cd "$root/examples/playground/browsertest"
go vet ./...
go install "honnef.co/go/tools/cmd/staticcheck@${STATICCHECK_VERSION}"
"$(go env GOPATH)/bin/staticcheck" ./...

log=$(mktemp /tmp/dmprivacy-browser.XXXXXX)
trap 'rm -f "$log"' EXIT
status=0
go test -count=1 -v "$@" ./... >"$log" 2>&1 || status=$?
# The summary: each package's result and each failed or skipped test.
grep -E '^(ok|FAIL|PASS|panic:|\?)|--- (FAIL|SKIP)' "$log" || true
if [[ $status -ne 0 ]]; then
	echo "browser.sh: tests failed; the end of the log:" >&2
	tail -n 200 "$log" >&2
	exit "$status"
fi
if grep -qE -- '--- SKIP' "$log"; then
	echo "browser.sh: tests were skipped; with Chromium they must run" >&2
	exit 1
fi
echo "browser.sh: $(grep -cE -- '^\s*--- PASS' "$log") tests and subtests passed in headless Chromium" >&2
