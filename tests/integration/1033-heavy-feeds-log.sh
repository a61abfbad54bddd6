#!/bin/sh
# feeds, export and log never stall the loop either.  On a database of
# 10,000 feeds (written by bench/gen-db) with a full fetch history (64
# lines a feed, 640,000 lines, ~100 MB as JSON), aggctl log --json, read
# by a client that takes its time, streams every line while a feed on a
# 1 s interval keeps being polled and status answers within a generous
# bound; feeds and export list every feed, with per-feed counts that
# follow reads; a client that leaves mid-history stops its query; two
# clients that stop reading hold no worker from a third.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

F=10000
N=${HEAVY_ITEMS:-20000}
[ -x "$BUILD/bench/gen-db" ] || fail "$BUILD/bench/gen-db is not built"
"$BUILD/bench/gen-db" "$T/aggd.db" "$N" "$F" 2>"$T/gen.log" ||
    fail "gen-db: $(tail -1 "$T/gen.log")"
# The history aggd would have written after 64 polls of every feed.
sqlite3 "$T/aggd.db" "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL
    SELECT n + 1 FROM k WHERE n < 64) INSERT INTO fetch_log (feed_id,
    time, status, bytes, duration_ms, new, changed, error, next_reason)
    SELECT f.id, 1700000000 + k.n * 3600, 200, 12345, 150, 1, 0, NULL,
    'adaptive' FROM k, feeds f ORDER BY k.n, f.id;" ||
    fail "cannot write the fetch history"
L=$((F * 64))
printf 'min_interval = 1s\nretain = 0\n' >>"$T/aggd.conf"	# the generated items span a year
rss fast.xml "f1|fast one|http://example.org/f1" \
    "f2|fast two|http://example.org/f2"
httpd_start "$T/docs" || exit 1
aggd_start
add_wait "$HTTPD_URL/feeds/fast.xml" --interval 1s
FAST=$ID

# The whole history, read by a client that sleeps 3 s before reading a
# byte: more than a client may have queued at once, so it must stream.
before=$(httpd_count 'fast\.xml')
start=$(now_ms)
 (aggctl log --json 2>"$T/log.err" | { sleep 3; wc -l >"$T/count"; }
    echo done >"$T/log.done") &
qpid=$!
track_pid "$qpid"
status_while "$qpid" "$T/log.done"
wait "$qpid"
dur=$(($(now_ms) - start))
n=$STATUS_N
[ "$n" -ge 5 ] || fail "only $n status calls in $dur ms"
ok "status answered within 2 s, $n times, during a $dur ms history"
polled_on_time "$before" "$dur"
# Every generated line, and the fast feed's lines up to the start.
c=$(tr -d ' ' <"$T/count")
[ "$c" -gt "$L" ] && [ "$c" -le $((L + 64)) ] ||
    fail "log: $c lines of $L and the fast feed's: $(cat "$T/log.err")"
ok "every line of the history arrived ($c)"

# feeds and export: every feed, counts from the per-feed counters.
aggctl feeds --json >"$T/feeds" || fail "feeds"
assert_eq "$(wc -l <"$T/feeds" | tr -d ' ')" $((F + 1)) "feeds lists every feed"
aggctl status --json >"$T/st" || fail "status"
assert_eq "$(jq -s 'map(.items) | add' "$T/feeds")" "$(jq .items "$T/st")" \
    "the feeds' items add up to status's"
assert_eq "$(jq -s 'map(.unread) | add' "$T/feeds")" "$(jq .unread "$T/st")" \
    "the feeds' unread add up to status's"
assert_eq "$(jq -c "select(.id == $FAST) | [.items, .unread]" "$T/feeds")" \
    "[2,2]" "the fast feed's counts"
aggctl read --feed "$FAST" >/dev/null || fail "read --feed"
aggctl feeds --json >"$T/feeds" || fail "feeds"
assert_eq "$(jq -c "select(.id == $FAST) | [.items, .unread]" "$T/feeds")" \
    "[2,0]" "a read follows in the feed's counts"
assert_eq "$(aggctl feeds --tag news --json | wc -l | tr -d ' ')" $((F / 10)) \
    "feeds --tag lists the tagged feeds"
assert_eq "$(aggctl feeds --failing --json | wc -l | tr -d ' ')" 0 \
    "feeds --failing lists none"
aggctl export >"$T/opml" || fail "export"
assert_eq "$(grep -c '<outline[^>]*xmlUrl=' "$T/opml")" $((F + 1)) \
    "export writes every feed"

# log with a feed and a limit; a client gone mid-history stops it.
assert_eq "$(aggctl log 17 --limit 5 --json | jq -s -c \
    'map(.feed_id) | unique + [length]')" "[17,5]" "log FEED --limit"
aggctl log --json | head -1 >"$T/one"
assert_eq "$(jq -r .feed_id "$T/one" 2>/dev/null)" "$FAST" "the newest line came"
wait_for grep -q 'gone mid-reply, its query stopped' "$T/aggd.log" ||
    fail "aggd did not stop the query"
ok "a client gone mid-history stops its query"

# Two clients that ask for the whole history and stop reading (into a
# pipe nobody reads) hold no worker: a third query still answers.
mkfifo "$T/p1" "$T/p2" || fail "mkfifo"
exec 3<>"$T/p1" 4<>"$T/p2"
"$BUILD/aggctl" -s "$T/aggd.sock" log --json >"$T/p1" 2>/dev/null &
s1=$!
track_pid "$s1"
"$BUILD/aggctl" -s "$T/aggd.sock" log --json >"$T/p2" 2>/dev/null &
s2=$!
track_pid "$s2"
# Each has (nearly) filled its pipe (64 KB) and is blocked writing.
filled() {
	[ "$(awk '/^wchar/ { print $2 }' "/proc/$1/io")" -ge 32768 ]
}
wait_for filled "$s1" && wait_for filled "$s2" ||
    fail "the stalled readers got no rows"
timeout 10 "$BUILD/aggctl" -s "$T/aggd.sock" log 17 --limit 5 --json \
    >"$T/out" 2>&1 || fail "a query waited behind clients not reading"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 5 "a query beside two stalled readers"
kill "$s1" "$s2"
exec 3>&- 4>&-
aggctl status >/dev/null || fail "status afterwards"
aggd_stop
