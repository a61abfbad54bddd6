#!/bin/sh
# Each feed's next due time persists: after a stop and a start,
# next_fetch and next_fetch_reason are what they were, and a feed not yet
# due is not polled at start.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1'
rss b.xml 'b1|one|http://example.org/b1'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/feeds/a.xml" --interval 2h
id_a=$ID
add_wait "$HTTPD_URL/status/503/b.xml"
id_b=$ID
shape='[.id, .next_fetch, .next_fetch_reason, .last_fetch, .last_status]'
aggctl feeds --json | jq -c "$shape" >"$T/before"
assert_eq "$(feed "$id_b" .next_fetch_reason)" backoff "b is in backoff"
n=$(wc -l <"$HTTPD_LOG")

aggd_stop
aggd_start
aggctl feeds --json | jq -c "$shape" >"$T/after"
cmp -s "$T/before" "$T/after" ||
    fail "due times changed: $(diff "$T/before" "$T/after")"
ok "next_fetch and its reason kept across the restart"
# Something that is polled at start shows that start-up polling is done:
# a feed overdue while aggd was down.
rss c.xml 'c1|one|http://example.org/c1'
sqlite3 -cmd '.timeout 10000' "$T/aggd.db" "INSERT INTO feeds (url, norm_url, next_fetch,
    next_reason, added) VALUES ('$HTTPD_URL/feeds/c.xml',
    '$HTTPD_URL/feeds/c.xml', 1, 'interval', 1)" 2>/dev/null ||
    sqlite3 -cmd '.timeout 10000' "$T/aggd.db" "INSERT INTO feeds (url, norm_url, next_fetch,
    next_reason) VALUES ('$HTTPD_URL/feeds/c.xml',
    '$HTTPD_URL/feeds/c.xml', 1, 'interval')" || fail "insert c"
aggd_stop
aggd_start
id_c=$(aggctl feeds --json | jq -r 'select(.url | endswith("/c.xml")) | .id')
wait_for fetched "$id_c" || fail "an overdue feed was not polled at start"
ok "an overdue feed is polled at start"
assert_eq "$(jq -c 'select(.path | test("^/(feeds/a|status)")) | .path' \
    "$HTTPD_LOG" | wc -l)" 2 "the feeds not yet due were not polled"
aggctl feeds --json | jq -c "select(.id != $id_c) | $shape" >"$T/after2"
cmp -s "$T/before" "$T/after2" ||
    fail "due times changed: $(diff "$T/before" "$T/after2")"
ok "still the same after a second restart"
aggd_stop
