#!/bin/sh
# A heavy query read as fast as it comes does not hold polling up either:
# while items --limit 200000 --json streams again and again into a reader
# that never waits, a feed on a 1 s interval keeps being polled on time.
# (1031 has a slow reader; the loop then idles between pages.)

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

N=${HEAVY_ITEMS:-100000}
[ -x "$BUILD/bench/gen-db" ] || fail "$BUILD/bench/gen-db is not built"
"$BUILD/bench/gen-db" "$T/aggd.db" "$N" 100 2>"$T/gen.log" ||
    fail "gen-db: $(tail -1 "$T/gen.log")"
printf 'min_interval = 1s\nretain = 0\n' >>"$T/aggd.conf"
rss fast.xml "f1|fast one|http://example.org/f1"
httpd_start "$T/docs" || exit 1
aggd_start
add_wait "$HTTPD_URL/feeds/fast.xml" --interval 1s

before=$(httpd_count 'fast\.xml')
start=$(now_ms)
runs=0
while [ $(($(now_ms) - start)) -lt 8000 ]; do
	aggctl items --limit 200000 --json >/dev/null ||
	    fail "the heavy query failed"
	runs=$((runs + 1))
done
dur=$(($(now_ms) - start))
ok "$runs heavy queries in $dur ms"
polled_on_time "$before" "$dur"
aggd_stop
