#!/bin/sh
# 410 Gone disables the feed with the reason: disabled is a string in
# feeds --json, next_fetch is null, and a refresh of all feeds leaves it
# alone; its items are kept.  A refresh naming it polls it, and if it
# answers with a feed again it is enabled again.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1' 'a2|two|http://example.org/a2'
httpd_start "$T/docs" || exit 1
aggd_start

httpd_set /gone.xml 200 "$(cat "$T/docs/a.xml")" \
    '{"Content-Type": "application/rss+xml"}' || fail "httpd_set"
add_wait "$HTTPD_URL/gone.xml"
assert_eq "$(feed "$ID" .items)" 2 "items stored while the feed lived"

httpd_set /gone.xml 410 gone || fail "httpd_set 410"
refresh_failing "$ID"
assert_eq "$(feed "$ID" .last_status)" 410 "last_status 410"
assert_eq "$(feed "$ID" '.disabled | type')" string "disabled is a string"
reason=$(feed "$ID" .disabled)
case $reason in
*410*|*[Gg]one*) ok "the reason names it: $reason" ;;
*) fail "disabled reason '$reason' does not say gone/410" ;;
esac
assert_eq "$(feed "$ID" .next_fetch)" null "next_fetch is null"
assert_eq "$(feed "$ID" .items)" 2 "items kept"

# A refresh of every feed does not poll a disabled one.
n=$(httpd_count '^/gone[.]xml$')
refresh_wait
assert_eq "$(httpd_count '^/gone[.]xml$')" "$n" "refresh leaves it alone"

# Nor does a restart.
aggd_stop
aggd_start
assert_eq "$(feed "$ID" '.disabled | type')" string "still disabled after a restart"
refresh_wait
assert_eq "$(httpd_count '^/gone[.]xml$')" "$n" "not polled after the restart"

# Named explicitly, it is polled; still gone, it stays disabled.
refresh_failing "$ID"
assert_eq "$(httpd_count '^/gone[.]xml$')" $((n + 1)) "refresh FEED polls it"
assert_eq "$(feed "$ID" '.disabled | type')" string "still gone: still disabled"
# Back with a feed: enabled again, on its schedule.
rss a.xml 'a3|three|http://example.org/a3' 'a1|one|http://example.org/a1' \
    'a2|two|http://example.org/a2'
httpd_set /gone.xml 200 "$(cat "$T/docs/a.xml")" \
    '{"Content-Type": "application/rss+xml"}' || fail "httpd_set"
refresh_wait "$ID"
assert_eq "$(feed "$ID" .disabled)" false "back: enabled again"
assert_eq "$(feed "$ID" .next_fetch_reason)" interval "back: on its interval"
[ "$(feed "$ID" .next_fetch)" != null ] || fail "back: next_fetch null"
assert_eq "$(feed "$ID" .items)" 3 "back: the new item stored"
aggd_stop
