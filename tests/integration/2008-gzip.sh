#!/bin/sh
# Compression: the request offers gzip (Accept-Encoding), a gzipped answer
# is decoded and its items stored.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1' 'a2|two|http://example.org/a2' \
    'a3|three|http://example.org/a3'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/gzip/a.xml"
ae=$(httpd_requests '^/gzip/a[.]xml$' | head -n 1 |
    jq -r '.headers["accept-encoding"] // empty')
case $ae in
*gzip*) ok "Accept-Encoding offers gzip ($ae)" ;;
*) fail "Accept-Encoding '$ae' does not offer gzip" ;;
esac
# The server did compress for this request.
curl -sS -H "Accept-Encoding: $ae" -D "$T/h" -o /dev/null \
    "$HTTPD_URL/gzip/a.xml"
grep -qi '^content-encoding: gzip' "$T/h" || fail "the server did not gzip"
assert_eq "$(feed "$ID" .last_status)" 200 "fetched"
assert_eq "$(feed "$ID" .last_error)" null "no error"
assert_eq "$(feed "$ID" .items)" 3 "three items stored"
assert_eq "$(db 'SELECT group_concat(title, ",") FROM
    (SELECT title FROM items ORDER BY guid)')" one,two,three \
    "titles decoded"
aggd_stop
