#!/usr/bin/env bash
# Runs the tests of the nested module examples/postgres against a throwaway
# PostgreSQL server: installs PostgreSQL from the distribution's packages
# when it is missing, initdb's a cluster in a temporary directory, starts it
# on a free loopback port with wal_level=logical (the replica tests stream
# from it), runs `go test -race ./...` with
# DMPRIVACY_POSTGRES_URL set, then dmgate's fault test alone (it stops and
# starts the server under load), and stops the server whatever happens.
# The tests must run: a skipped test fails this script.
#
# Usage (from anywhere, as root on a fresh Debian machine or as a user who
# can run initdb):  bash .ci/postgres.sh [go test flags...]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The server runs as another user, who may not enter the checkout.
cd /
export PATH="$PATH:/usr/local/go/bin"

bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [[ -n $d && -x $d/initdb ]]; then
		echo "$d"
	elif command -v initdb >/dev/null 2>&1; then
		dirname "$(command -v initdb)"
	fi
}

bin=$(bindir)
if [[ -z $bin ]]; then
	echo "postgres.sh: installing PostgreSQL from the distribution's packages" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq postgresql >/dev/null
	bin=$(bindir)
fi
[[ -n $bin ]] || { echo "postgres.sh: no initdb after installing postgresql" >&2; exit 1; }
# dmgate's tests run the README's curl calls.
if ! command -v curl >/dev/null 2>&1; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
fi

# initdb refuses to run as root: run the server as the postgres user the
# package creates (or as whoever we are, when not root).
as=()
if [[ $(id -u) -eq 0 ]]; then
	id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
	as=(runuser -u postgres --)
fi

tmp=$(mktemp -d /tmp/dmprivacy-pg.XXXXXX)
chmod 755 "$tmp"
[[ ${#as[@]} -eq 0 ]] || chown postgres "$tmp"
data=$tmp/data

stop() {
	if [[ -f $data/postmaster.pid ]]; then
		"${as[@]}" "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap stop EXIT

"${as[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-sync >"$tmp/initdb.log" 2>&1 ||
	{ cat "$tmp/initdb.log" >&2; exit 1; }

# A free loopback port: the first nobody answers on, from a random start
# (so that runs on one machine at once rarely race for the same port) below
# the kernel's ephemeral range. The fault test dials the port thousands of
# times while the server is down, and a dial from an ephemeral port equal to
# the server's connects to itself, which would keep the server from binding
# it again.
port=$((20432 + RANDOM % 1000))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
	port=$((port + 1))
done

# Logical decoding for the replica tests (examples/postgres/replica): each
# replica holds a slot and a WAL sender while it streams, and a slot that a
# killed replica leaves keeps at most max_slot_wal_keep_size of WAL.
opts="-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
opts="$opts -c wal_level=logical -c max_replication_slots=64 -c max_wal_senders=64 -c max_slot_wal_keep_size=1GB"
"${as[@]}" "$bin/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 60 -o "$opts" start >/dev/null ||
	{ cat "$tmp/server.log" >&2; exit 1; }
"${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qAt -c 'CREATE DATABASE dmprivacy' postgres

export DMPRIVACY_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/dmprivacy?sslmode=disable"
echo "postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port; running examples/postgres tests" >&2

# gotest LOG ARGS... runs go test in the module, prints the summary (each
# package's result and each failed or skipped test), and fails if a test
# failed or was skipped.
gotest() {
	local log=$1 status=0
	shift
	(cd "$root/examples/postgres" && go test -race -count=1 -v "$@") >"$log" 2>&1 || status=$?
	grep -E '^(ok|FAIL|PASS|panic:|\?)|--- (FAIL|SKIP)' "$log" || true
	if [[ $status -ne 0 ]]; then
		echo "postgres.sh: tests failed; the end of the log:" >&2
		tail -n 200 "$log" >&2
		exit "$status"
	fi
	if grep -qE -- '--- SKIP' "$log"; then
		echo "postgres.sh: tests were skipped; with a server they must run" >&2
		exit 1
	fi
	echo "postgres.sh: $(grep -cE -- '^\s*--- PASS' "$log") tests and subtests passed against PostgreSQL" >&2
}

# Every test but the fault test, which stops the server: it runs alone,
# after them, told how to stop and start the server.
fault=TestPostgresRestartUnderLoad
gotest "$tmp/test.log" -skip "^$fault\$" "$@" ./...

# Replicas drop their slots when they close: one left behind would keep WAL
# on a real server.
left=$("${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qAt -c 'SELECT string_agg(slot_name, $$, $$) FROM pg_replication_slots' dmprivacy)
if [[ -n $left ]]; then
	echo "postgres.sh: the tests left replication slots behind: $left" >&2
	exit 1
fi

echo "postgres.sh: the fault test: PostgreSQL stopped and started under load" >&2
q() { printf '%q ' "$@"; }
export DMPRIVACY_PG_STOP="cd / && $(q "${as[@]}" "$bin/pg_ctl" -D "$data" -m fast -w stop)"
export DMPRIVACY_PG_START="cd / && $(q "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 60 -o "$opts" start)"
gotest "$tmp/fault.log" -run "^$fault\$" "$@" ./cmd/dmgate
