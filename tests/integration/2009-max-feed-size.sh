#!/bin/sh
# A body over max_feed_size is cut off with an error naming the setting
# and stores nothing, also when it is small on the wire but large once
# decompressed (gzip); a feed under the cap is unaffected.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

cat >>"$T/aggd.conf" <<CONF
max_feed_size = 64K
CONF
rss a.xml 'a1|one|http://example.org/a1'
httpd_start "$T/docs" || exit 1
aggd_start

for path in big/1000000 gzip/big/1000000; do
	add_wait "$HTTPD_URL/$path"
	err=$(feed "$ID" .last_error)
	case $err in
	*max_feed_size*) ok "$path: $err" ;;
	*) fail "$path: last_error '$err' does not name max_feed_size" ;;
	esac
	assert_eq "$(feed "$ID" .items)" 0 "$path: no items"
	assert_eq "$(db "SELECT count(*) FROM items WHERE feed_id = $ID")" 0 \
	    "$path: nothing in the database"
	assert_eq "$(feed "$ID" .next_fetch_reason)" backoff "$path: backoff"
done
# Under the cap: fine.
add_wait "$HTTPD_URL/big/30000"
assert_eq "$(feed "$ID" .last_error)" null "30 KB under a 64 KB cap: no error"
[ "$(feed "$ID" .items)" -gt 0 ] || fail "30 KB feed: no items"
ok "30 KB feed: $(feed "$ID" .items) items"
kill -0 "$AGGD_PID" || fail "aggd died"
aggd_stop
