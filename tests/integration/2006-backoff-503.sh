#!/bin/sh
# 503 without Retry-After: the feed backs off (next_fetch_reason "backoff",
# last_error set), the wait grows with each failure, refresh still polls it
# at once, and a good answer ends the backoff.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

cat >>"$T/aggd.conf" <<CONF
interval = 10m
CONF
rss a.xml 'a1|one|http://example.org/a1'
httpd_start "$T/docs" || exit 1
aggd_start

httpd_set /flaky.xml 503 'try later' || fail "httpd_set"
add_wait "$HTTPD_URL/flaky.xml"
assert_eq "$(feed "$ID" .last_status)" 503 "last_status 503"
assert_eq "$(feed "$ID" .next_fetch_reason)" backoff "next_fetch_reason backoff"
err=$(feed "$ID" .last_error)
case $err in
*503*) ok "last_error: $err" ;;
*) fail "last_error '$err' does not name the 503" ;;
esac
wait1=$(feed "$ID" '(.next_fetch | fromdateiso8601) - (.last_fetch | fromdateiso8601)')

# refresh polls a feed in backoff at once.
refresh_failing "$ID"
assert_eq "$(httpd_count '^/flaky[.]xml$')" 2 "refresh polls it despite the backoff"
refresh_failing "$ID"
assert_eq "$(feed "$ID" .next_fetch_reason)" backoff "still backoff"
wait3=$(feed "$ID" '(.next_fetch | fromdateiso8601) - (.last_fetch | fromdateiso8601)')
[ "$wait3" -gt $((wait1 * 3 / 2)) ] ||
    fail "the wait did not grow: $wait1 s after one failure, $wait3 s after three"
ok "the wait grows: $wait1 s, then $wait3 s"
[ "$wait3" -le 86400 ] || fail "backoff beyond a day: $wait3"

# Recovery.
httpd_set /flaky.xml 200 "$(cat "$T/docs/a.xml")" \
    '{"Content-Type": "application/rss+xml"}' || fail "httpd_set 200"
refresh_wait "$ID"
assert_eq "$(feed "$ID" .last_status)" 200 "recovered"
assert_eq "$(feed "$ID" .last_error)" null "no error after recovery"
assert_eq "$(feed "$ID" .next_fetch_reason)" interval "back on its interval"
assert_eq "$(feed "$ID" .items)" 1 "its item stored"
aggd_stop
