#!/bin/sh
# Conditional GET: the second request carries the ETag and Last-Modified
# the first answer gave (If-None-Match, If-Modified-Since); the 304 that
# comes back leaves the items as they were and is the feed's last_status.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss feed.xml '1|one|http://example.org/1' '2|two|http://example.org/2'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/etag/feed.xml"
assert_eq "$(feed "$ID" .last_status)" 200 "first answer is a 200"
assert_eq "$(feed "$ID" .items)" 2 "two items stored"
httpd_requests '^/etag/feed[.]xml$' | head -n 1 >"$T/first"
assert_eq "$(jq -r '.headers | has("if-none-match")' "$T/first")" false \
    "the first request is not conditional"
db 'SELECT id, hash, title, first_seen FROM items ORDER BY id' >"$T/before"

refresh_wait "$ID"
assert_eq "$(httpd_count '^/etag/feed[.]xml$')" 2 "one more request"
httpd_requests '^/etag/feed[.]xml$' | tail -n 1 >"$T/second"
inm=$(jq -r '.headers["if-none-match"] // empty' "$T/second")
ims=$(jq -r '.headers["if-modified-since"] // empty' "$T/second")
[ -n "$inm" ] || fail "no If-None-Match on the second request"
ok "second request carries If-None-Match ($inm)"
[ -n "$ims" ] || fail "no If-Modified-Since on the second request"
ok "second request carries If-Modified-Since ($ims)"
# The validators are the ones the server gave.
etag=$(curl -sS -o /dev/null -D - "$HTTPD_URL/etag/feed.xml" |
    tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
assert_eq "$inm" "$etag" "If-None-Match is the server's ETag"

assert_eq "$(feed "$ID" .last_status)" 304 "last_status 304"
assert_eq "$(feed "$ID" .last_error)" null "a 304 is no error"
assert_eq "$(feed "$ID" .items)" 2 "still two items"
db 'SELECT id, hash, title, first_seen FROM items ORDER BY id' >"$T/after"
cmp -s "$T/before" "$T/after" || fail "a 304 changed the items"
ok "a 304 leaves the items unchanged"

# Once more: the validators are kept across a 304.
refresh_wait "$ID"
assert_eq "$(httpd_requests '^/etag/feed[.]xml$' | tail -n 1 |
    jq -r '.headers["if-none-match"]')" "$etag" \
    "the ETag is still sent after a 304"
assert_eq "$(feed "$ID" .last_status)" 304 "still 304"

# A changed document is fetched in full again.
rss feed.xml '3|three|http://example.org/3' '1|one|http://example.org/1' \
    '2|two|http://example.org/2'
touch -d '+2 seconds' "$T/docs/feed.xml"
refresh_wait "$ID"
assert_eq "$(feed "$ID" .last_status)" 200 "a changed document: 200"
assert_eq "$(feed "$ID" .items)" 3 "and its new item stored"
aggd_stop
