#!/bin/sh
# aggctl log: the fetch history, newest first, a row per poll with exactly
# time, feed_id, status, bytes, duration_ms, new, changed, error and
# next_fetch_reason; log FEED and --limit narrow it; a failed poll has its
# status and error.  Rows are written with the poll's result (same
# transaction: the feed's last_fetch and its newest row agree), and each
# feed keeps its last 64: after 70 polls one feed has 64 rows, the other
# feed's rows untouched.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1' 'a2|two|http://example.org/a2'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/a.xml"
A=$ID
httpd_set /b.xml 404 "not here" || fail "httpd_set"
aggctl add "$HTTPD_URL/b.xml" >/dev/null || fail "add b"
B=$(aggctl feeds --json | jq -r 'select(.url | test("b.xml")) | .id')
wait_for fetched "$B" || fail "b never fetched"

aggctl log --json >"$T/log" || fail "log --json exited $?"
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 2 "a row per poll"
assert_eq "$(jq -sc '[.[] | keys] | unique' "$T/log")" \
    "$(echo '[["bytes","changed","duration_ms","error","feed_id","new",
    "next_fetch_reason","status","time"]]' | jq -c .)" "exactly the fields"
assert_eq "$(sed -n 1p "$T/log" | jq .feed_id)" "$B" "newest first"
ra=$(jq -c "select(.feed_id == $A)" "$T/log")
assert_eq "$(echo "$ra" | jq -c '[.status, .new, .changed, .error,
    .next_fetch_reason]')" '[200,2,0,null,"interval"]' "a good poll's row"
assert_eq "$(echo "$ra" | jq '.bytes == '"$(wc -c <"$T/docs/a.xml")")" true \
    "bytes: the body's size"
assert_eq "$(echo "$ra" | jq '.duration_ms | type == "number" and . >= 0')" \
    true "duration_ms"
assert_eq "$(echo "$ra" | jq -r .time)" "$(feed "$A" .last_fetch)" \
    "time: the poll's, as last_fetch says"
rb=$(jq -c "select(.feed_id == $B)" "$T/log")
assert_eq "$(echo "$rb" | jq -c '[.status, .new, .error,
    .next_fetch_reason]')" '[404,0,"HTTP 404","backoff"]' "a failed poll's row"

# The human table: a header and a line per row.
aggctl log >"$T/log.txt" || fail "log exited $?"
assert_eq "$(wc -l <"$T/log.txt" | tr -d ' ')" 3 "table: header and 2 lines"
grep -q "HTTP 404" "$T/log.txt" || fail "table shows the error"
ok "table shows the error"

# 70 polls of a: its oldest rows go, 64 stay; b's are untouched.
i=0
while [ $i -lt 69 ]; do
	aggctl refresh --wait "$A" || fail "refresh $i exited $?"
	i=$((i + 1))
done
assert_eq "$(aggctl log "$A" --json | wc -l | tr -d ' ')" 64 \
    "a feed keeps its last 64 polls"
assert_eq "$(db "SELECT count(*) FROM fetch_log WHERE feed_id = $A")" 64 \
    "pruned in the database"
assert_eq "$(aggctl log "$B" --json | wc -l | tr -d ' ')" 1 \
    "the other feed's rows are kept"
assert_eq "$(aggctl log "$A" --json | jq -s '[.[].new] | add')" 0 \
    "later polls found nothing new"
assert_eq "$(aggctl log --limit 3 --json | wc -l | tr -d ' ')" 3 "--limit"
assert_eq "$(aggctl log "$HTTPD_URL/b.xml" --json | jq .feed_id)" "$B" \
    "log FEED by URL"

aggctl log 999 2>"$T/e1" && fail "log of an unknown feed succeeded"
assert_line "$T/e1" "aggctl: no such feed: 999" "log: unknown feed"
aggctl log --limit x 2>"$T/e2" && fail "log --limit x succeeded"
assert_line "$T/e2" "aggctl: log: --limit: not a number: 'x' (see 'aggctl help log')" "log: bad limit"
aggctl log --bogus 2>"$T/e3" && fail "log --bogus succeeded"
[ "$(wc -l <"$T/e3")" -eq 1 ] || fail "log --bogus: $(cat "$T/e3")"
ok "log: unknown option, one line"
aggd_stop
