#!/bin/sh
# A 200 answer that is an HTML page, not a feed, is an error ("not a
# feed..." in last_error) that keeps every item already stored; when the
# feed comes back nothing is duplicated.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1' 'a2|two|http://example.org/a2'
httpd_start "$T/docs" || exit 1
aggd_start

httpd_set /f.xml 200 "$(cat "$T/docs/a.xml")" \
    '{"Content-Type": "application/rss+xml"}' || fail "httpd_set"
add_wait "$HTTPD_URL/f.xml"
assert_eq "$(feed "$ID" .items)" 2 "two items"
db 'SELECT id, hash FROM items ORDER BY id' >"$T/before"

httpd_set /f.xml 200 '<!DOCTYPE html>
<html><head><title>Maintenance</title></head>
<body><p>We will be back soon.</p></body></html>' \
    '{"Content-Type": "text/html; charset=utf-8"}' || fail "httpd_set html"
refresh_failing "$ID"
assert_eq "$(feed "$ID" .last_status)" 200 "last_status 200"
err=$(feed "$ID" .last_error)
case $err in
'not a feed'*) ok "last_error: $err" ;;
*) fail "last_error '$err' does not start 'not a feed'" ;;
esac
assert_eq "$(feed "$ID" .items)" 2 "the items are kept"
db 'SELECT id, hash FROM items ORDER BY id' >"$T/after"
cmp -s "$T/before" "$T/after" || fail "the items changed"
ok "the items are unchanged"
assert_eq "$(feed "$ID" .next_fetch_reason)" backoff "it backs off"

# An empty 200 is no feed either.
httpd_set /f.xml 200 '' '{"Content-Type": "application/rss+xml"}'
refresh_failing "$ID"
case $(feed "$ID" .last_error) in
'not a feed'*) ok "empty body: $(feed "$ID" .last_error)" ;;
*) fail "empty body: last_error '$(feed "$ID" .last_error)'" ;;
esac
assert_eq "$(feed "$ID" .items)" 2 "empty body: items kept"

httpd_set /f.xml 200 "$(cat "$T/docs/a.xml")" \
    '{"Content-Type": "application/rss+xml"}' || fail "httpd_set"
refresh_wait "$ID"
assert_eq "$(feed "$ID" .last_error)" null "back: no error"
assert_eq "$(feed "$ID" .items)" 2 "back: no duplicates"
assert_eq "$(db 'SELECT count(*) FROM items WHERE announced = 1')" 0 \
    "back: nothing announced again"
aggd_stop
