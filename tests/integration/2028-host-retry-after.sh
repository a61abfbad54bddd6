#!/bin/sh
# Three feeds of one host refused with Retry-After within ten minutes: the
# whole host waits, and a fourth feed there is not asked before the
# Retry-After has passed.  Another host is not held.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1'
httpd_start "$T/docs" || exit 1
aggd_start

for f in 1 2 3; do
	add_wait "$HTTPD_URL/status/429/$f.xml?retry-after=4"
	assert_eq "$(feed "$ID" .next_fetch_reason)" retry-after \
	    "refusal $f: retry-after"
done
t3=$(httpd_requests '^/status/429/3[.]xml' | jq -s '.[0].time')

# Another host (localhost, the same server under another name) is not held.
other=$(echo "$HTTPD_URL" | sed 's/127[.]0[.]0[.]1/localhost/')
add_wait "$other/feeds/a.xml?other"
assert_eq "$(feed "$ID" .last_status)" 200 "another host is fetched at once"

add_wait "$HTTPD_URL/feeds/a.xml"
assert_eq "$(feed "$ID" .last_status)" 200 "the fourth feed is fetched in the end"
t4=$(httpd_requests '^/feeds/a[.]xml$' | jq -s '.[0].time')
waited=$(awk -v a="$t3" -v b="$t4" 'BEGIN { printf "%.1f", b - a }')
awk -v w="$waited" 'BEGIN { exit !(w >= 3) }' ||
    fail "the fourth feed was asked $waited s after the third refusal"
ok "the host waited the Retry-After (${waited} s) before the fourth feed"
aggd_stop
