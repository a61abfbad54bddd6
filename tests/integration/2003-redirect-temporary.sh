#!/bin/sh
# 302 and 307 are followed but do not move the feed: the stored URL stays
# the one given, and the next poll asks it again.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1' 'a2|two|http://example.org/a2'
httpd_start "$T/docs" || exit 1
aggd_start

for code in 302 307; do
	old=$HTTPD_URL/redirect/$code/feeds/a.xml
	add_wait "$old"
	assert_eq "$(feed "$ID" .last_status)" 200 "$code: fetched"
	assert_eq "$(feed "$ID" .url)" "$old" "$code: the URL is kept"
	assert_eq "$(feed "$ID" .items)" 2 "$code: items stored"
	refresh_wait "$ID"
	assert_eq "$(httpd_count "^/redirect/$code/")" 2 \
	    "$code: the next poll asks the old URL again"
	assert_eq "$(feed "$ID" .items)" 2 "$code: no duplicates"
	other=$(aggctl add "$HTTPD_URL/feeds/a.xml") || fail "add the target"
	[ "$other" != "$ID" ] || fail "$code: the target is an alias of the feed"
	ok "$code: the target is not an alias of the feed"
	aggctl remove "$HTTPD_URL/feeds/a.xml" || fail "remove the target feed"
done
aggd_stop
