#!/bin/sh
# At most 5 redirects: a chain of 5 is followed, a chain of 6 fails with
# an error and stores nothing.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/redirect/5/feeds/a.xml"
assert_eq "$(feed "$ID" .last_status)" 200 "5 redirects: followed"
assert_eq "$(feed "$ID" .items)" 1 "5 redirects: item stored"
assert_eq "$(feed "$ID" .url)" "$HTTPD_URL/redirect/5/feeds/a.xml" \
    "5 (temporary) redirects: the URL is kept"

add_wait "$HTTPD_URL/redirect/6/feeds/a.xml"
err=$(feed "$ID" .last_error)
case $err in
*redirect*) ok "6 redirects: $err" ;;
*) fail "6 redirects: last_error '$err'" ;;
esac
assert_eq "$(feed "$ID" .items)" 0 "6 redirects: nothing stored"
assert_eq "$(httpd_count '^/feeds/a[.]xml$')" 1 \
    "the sixth hop's target was never asked"
aggd_stop
