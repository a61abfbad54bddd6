#!/bin/sh
# A poll whose outcome cannot be written is a failed poll: another
# process holds the database's write lock past aggd's busy timeout (5 s),
# so the fetch's transaction cannot even begin (store_fetch_begin).  refresh
# --wait exits 1 naming the feed and "database is locked"; feeds --json
# shows that error as last_error although it could not be written; status
# counts it.  Once the lock is gone the next refresh stores the items and
# clears the error.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1'
httpd_start "$T/docs" || exit 1
aggd_start
url=$HTTPD_URL/feeds/a.xml
add_wait "$url" --interval 1h
assert_eq "$(feed "$ID" .items)" 1 "first fetch stored"

# Hold the write lock for 9 s.  aggd may be writing at this moment (its
# counters, its retention turn), so the holder waits its turn for the lock.
{ echo 'BEGIN IMMEDIATE;'; sleep 9; echo 'ROLLBACK;'; } |
    sqlite3 -bail -cmd '.timeout 10000' "$T/aggd.db" &
holder=$!
track_pid "$holder"
locked() {
	! sqlite3 "$T/aggd.db" 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null
}
wait_for locked || fail "the lock was never taken"

rss a.xml 'a2|two|http://example.org/a2' 'a1|one|http://example.org/a1'
aggctl refresh --wait "$ID" 2>"$T/err"
assert_eq "$?" 1 "refresh --wait exits 1 when the fetch cannot be written"
assert_line "$T/err" \
    "aggctl: feed $ID ($url): database error: database is locked" \
    "refresh --wait names the feed and the error"
kill -0 "$AGGD_PID" || fail "aggd died"
assert_eq "$(feed "$ID" .last_error)" "database error: database is locked" \
    "last_error, kept although it could not be written"
assert_eq "$(feed "$ID" .items)" 1 "nothing of the failed fetch stored"
st=$(aggctl status --json)
echo "$st" | jq -e '.database_errors >= 1 and
    .database_error == "database is locked"' >/dev/null || fail "status: $st"
ok "status: $(echo "$st" | jq -c '[.database_errors, .database_error]')"

wait_pid "$holder" 20 || fail "the lock holder failed"
refresh_wait "$ID"
assert_eq "$(feed "$ID" .last_error)" null "last_error cleared"
assert_eq "$(feed "$ID" .items)" 2 "the new item stored"
assert_eq "$(aggctl status --json | jq -c .database_error)" null \
    "status: the last write succeeded"
aggd_stop
