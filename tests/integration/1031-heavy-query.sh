#!/bin/sh
# A heavy query never stalls the loop.  On a database of many items
# (written by bench/gen-db), aggctl items --limit 200000 --json, read by a
# client that takes its time, streams every row, in bounded memory, while
# a feed on a 1 s interval keeps being polled and status answers within a
# generous bound throughout; status shows the loop's lag.  A client that
# disconnects mid-stream stops its query, and the daemon goes on serving
# full queries afterwards.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

N=${HEAVY_ITEMS:-100000}
GEN=${GEN_DB:-$BUILD/bench/gen-db}
[ -x "$BUILD/bench/gen-db" ] || fail "$BUILD/bench/gen-db is not built"
$GEN "$T/aggd.db" "$N" 100 2>"$T/gen.log" ||
    fail "gen-db: $(tail -1 "$T/gen.log")"
printf 'min_interval = 1s\nretain = 0\n' >>"$T/aggd.conf"	# the generated items span a year
rss fast.xml "f1|fast one|http://example.org/f1"
httpd_start "$T/docs" || exit 1
aggd_start
add_wait "$HTTPD_URL/feeds/fast.xml" --interval 1s

# The heavy query, read by a client that sleeps 4 s before reading a
# byte: the daemon must wait for it, holding little, and serve the rest.
before=$(httpd_count 'fast\.xml')
start=$(now_ms)
(aggctl items --limit 200000 --json | { sleep 4; wc -l >"$T/count"; }) &
qpid=$!
track_pid "$qpid"
status_while "$qpid"
wait "$qpid"
dur=$(($(now_ms) - start))
n=$STATUS_N
maxrss=$STATUS_MAXRSS
[ "$n" -ge 5 ] || fail "only $n status calls in $dur ms"
ok "status answered within 2 s, $n times, during a $dur ms query"
polled_on_time "$before" "$dur"
assert_eq "$(cat "$T/count")" "$((N + 1))" "every row arrived (and the fast feed's)"
# The rows are ~2.8 KB each, ~280 MB in all: aggd holds a few pages.
# (ASan's quarantine keeps freed memory: no bound to check there.)
if grep -q __asan_init "$BUILD/aggd"; then
	ok "memory not checked under ASan ($maxrss KB)"
else
	[ "$maxrss" -lt 204800 ] ||
	    fail "aggd grew to $maxrss KB while a client was not reading"
	ok "bounded memory while the client was not reading ($maxrss KB)"
fi
aggctl status --json >"$T/st" || fail "status"
jq -e '.loop_lag_ms.samples > 0 and .loop_lag_ms.p99 < 1000' "$T/st" \
    >/dev/null || fail "loop_lag_ms: $(jq -c .loop_lag_ms "$T/st")"
ok "status shows the loop's lag ($(jq -c .loop_lag_ms "$T/st"))"

# A client that goes away mid-stream: its query stops, nothing breaks.
aggctl items --limit 200000 --json | head -1 >"$T/one"
assert_eq "$(jq -r type "$T/one" 2>/dev/null)" object "the first row came"
wait_for grep -q 'gone mid-reply, its query stopped' "$T/aggd.log" ||
    fail "aggd did not stop the query"
ok "a client gone mid-stream stops its query"
for i in 1 2 3; do
	aggctl items --limit 300 --json >"$T/out" || fail "items after"
	assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 300 "a full query afterwards ($i)"
done
aggctl items --json --search government --limit 5 >"$T/out" ||
    fail "search after"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 5 "a search afterwards"
aggd_stop
