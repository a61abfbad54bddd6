#!/bin/sh
# Query speed on a big database, through aggctl: p50 and p99 of items
# --limit 50 (plain, --unread, --feed, --tag, --since), items --search (a
# common word, a rare one, one absent, a phrase, a Cyrillic word), show
# and status; feeds, export and log (the whole fetch history, 64 lines a
# feed, written here as 64 polls would have); then status and the loop's
# lag (status's loop_lag_ms, a 100 ms timer's lateness measured by aggd)
# while each worst-case query (items --limit 200000 --json, feeds --json,
# log --json) runs again and again.  The database is
# written by bench/gen-db (BENCH_ITEMS items over 10,000 feeds, mixed
# English, Russian and Georgian; kept in BENCH_DB between runs).  Each
# figure includes starting aggctl (a millisecond or two here); status is
# also timed over a socket without a process (bench/lat -s).
#
# usage: BUILD=build [BENCH_ITEMS=1000000] [BENCH_RUNS=50] [BENCH_DB=FILE]
#        sh bench/queries.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
N=${BENCH_ITEMS:-1000000}
RUNS=${BENCH_RUNS:-50}
W=$(mktemp -d "${TMPDIR:-/tmp}/aggd-bench-q.XXXXXX") || exit 1
DB=${BENCH_DB:-$W/aggd.db}
AGGD_PID=
LOAD_PID=
cleanup() {
	[ -z "$LOAD_PID" ] || kill "$LOAD_PID" 2>/dev/null
	[ -z "$AGGD_PID" ] || { kill "$AGGD_PID"; wait "$AGGD_PID"; }
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

make -s "$BUILD/aggd" "$BUILD/aggctl" "$BUILD/bench/gen-db" \
    "$BUILD/bench/lat" || exit 1
if [ ! -s "$DB" ]; then
	t0=$(date +%s)
	"$BUILD/bench/gen-db" "$DB" "$N" 10000 2>"$W/gen.log" || {
		tail -3 "$W/gen.log" >&2
		exit 1
	}
	echo "generated $N items in $(($(date +%s) - t0)) s:" \
	    "$(($(stat -c %s "$DB") / 1048576)) MB"
fi
if [ "$(sqlite3 "$DB" 'SELECT count(*) FROM fetch_log')" = 0 ]; then
	sqlite3 "$DB" "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL
	    SELECT n + 1 FROM k WHERE n < 64) INSERT INTO fetch_log (feed_id,
	    time, status, bytes, duration_ms, new, changed, error,
	    next_reason) SELECT f.id, 1700000000 + k.n * 3600, 200, 12345,
	    150, 1, 0, NULL, 'adaptive' FROM k, feeds f ORDER BY k.n, f.id;" ||
	    exit 1
fi
cat >"$W/aggd.conf" <<CONF
[daemon]
database = $DB
socket = $W/aggd.sock
# The generated items span a year: none may be removed while measured.
retain = 0
CONF
t0=$(date +%s%N)
"$BUILD/aggd" -f -c "$W/aggd.conf" 2>"$W/aggd.log" &
AGGD_PID=$!
export AGGD_SOCKET=$W/aggd.sock
i=0
until "$BUILD/aggctl" status >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 6000 ] || { echo "aggd did not start" >&2; exit 1; }
	kill -0 "$AGGD_PID" || { cat "$W/aggd.log" >&2; exit 1; }
	sleep 0.05
done
echo "aggd answered $((($(date +%s%N) - t0) / 1000000)) ms after start"
echo "items: $("$BUILD/aggctl" status --json | jq .items)," \
    "database $(($("$BUILD/aggctl" status --json | jq .database_bytes) / 1048576)) MB"

# measure NAME ARGS...: run aggctl ARGS RUNS times; print p50 and p99 of
# the time from spawning aggctl to reaping it (bench/lat).
measure() {
	measure_n "$RUNS" "$@"
}
# measure_n TIMES NAME ARGS...: the same, TIMES times.
measure_n() {
	times=$1
	name=$2
	shift 2
	"$BUILD/bench/lat" -n "$times" "$name" -- "$BUILD/aggctl" "$@" ||
	    echo "$name: failed"
}
# daemon_status: status's answer over a new connection, without starting
# a process: the daemon's part of what aggctl status takes.
daemon_status() {
	"$BUILD/bench/lat" -n "$RUNS" -s "$AGGD_SOCKET" "status (the daemon's part)"
}

echo "== $RUNS runs each"
measure "items" items --limit 50 --json
measure "items --unread" items --limit 50 --unread --json
measure "items --feed" items --limit 50 --feed 4321 --json
if "$BUILD/aggctl" items --limit 1 --tag news --json >/dev/null 2>&1; then
	measure "items --tag" items --limit 50 --tag news --json
else
	echo "items --tag                  (aggctl has no --tag yet)"
fi
measure "items --since 2h" items --limit 50 --since 2h --json
measure "search common (government)" items --limit 50 --search government --json
measure "search rare (zeppelin)" items --limit 50 --search zeppelin --json
measure "search absent" items --limit 50 --search xylophonist --json
measure "search phrase" items --limit 50 --search '"prime minister"' --json
measure "search Cyrillic" items --limit 50 --search 'Парламент' --json
measure "show" show $((N / 2)) --json
measure "status" status --json
daemon_status
measure "log --limit 50" log --limit 50 --json
measure_n 10 "feeds (all)" feeds --json
measure_n 10 "export" export
measure_n 3 "log (all)" log --json

for load in "items --limit 200000 --json" "feeds --json" "log --json"; do
	echo "== while $load runs again and again"
	# The query running when the load stops stops with it.
	# shellcheck disable=SC2086
	(trap 'kill "$p" 2>/dev/null; exit' TERM
	while :; do
		"$BUILD/aggctl" $load >/dev/null 2>&1 &
		p=$!
		wait "$p"
	done) &
	LOAD_PID=$!
	sleep 1
	measure "status (loaded)" status --json
	daemon_status
	measure "items (loaded)" items --limit 50 --json
	measure "search (loaded)" items --limit 50 --search government --json
	sleep 2
	echo "loop lag: $("$BUILD/aggctl" status --json | jq -c .loop_lag_ms)"
	kill "$LOAD_PID" 2>/dev/null
	wait "$LOAD_PID" 2>/dev/null
	LOAD_PID=
done
