#!/bin/sh
# A server that stalls mid-body: with timeout = 3s the transfer is given
# up with a timeout error, while a normal feed on the same server,
# refreshed together with it, completes meanwhile.  The same for a server
# that never answers at all, not even headers.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

cat >>"$T/aggd.conf" <<CONF
timeout = 3s
CONF
rss a.xml 'a1|one|http://example.org/a1' 'a2|two|http://example.org/a2'
rss s.xml 's1|one|http://example.org/s1' 's2|two|http://example.org/s2'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/feeds/a.xml"
id_a=$ID
id_s=$(aggctl add "$HTTPD_URL/stall/s.xml") || fail "add the stalling feed"
httpd_wait_count '^/stall/s[.]xml$' 1 || fail "the stalling feed was not asked"

# Both at once: the normal one finishes while the other hangs.
start=$(date +%s)
aggctl refresh "$id_a" "$id_s" || fail "refresh"
# --wait on the normal feed alone joins its poll already under way.
refresh_wait "$id_a"
assert_eq "$(feed "$id_s" .last_fetch)" null \
    "the normal feed finished while the stalled one still hangs"
assert_eq "$(aggctl status --json | jq .transfers)" 1 "one transfer in flight"

WAIT_FOR=15 wait_for fetched "$id_s" || fail "the stalled transfer never ended"
elapsed=$(( $(date +%s) - start ))
err=$(feed "$id_s" .last_error)
case $err in
*'timed out'*|*[Tt]imeout*) ok "stalled feed: $err" ;;
*) fail "stalled feed's last_error '$err' is no timeout" ;;
esac
[ "$elapsed" -le 10 ] || fail "the timeout took $elapsed s (timeout = 3s)"
ok "given up after about the timeout ($elapsed s)"
assert_eq "$(feed "$id_s" .items)" 0 "nothing stored from half a body"
assert_eq "$(feed "$id_s" .next_fetch_reason)" backoff "the stalled feed backs off"
assert_eq "$(feed "$id_a" .items)" 2 "the normal feed has its items"
assert_eq "$(feed "$id_a" .last_error)" null "and no error"

# A server that accepts the request and never answers.  A restart first,
# so that no idle connection is left for the normal feed to reuse.
aggd_stop
aggd_start
id_h=$(aggctl add "$HTTPD_URL/hang") || fail "add the hanging feed"
httpd_wait_count '^/hang$' 1 || fail "the hanging feed was not asked"
n=$(httpd_count '^/feeds/a[.]xml$')
refresh_wait "$id_a"
assert_eq "$(httpd_count '^/feeds/a[.]xml$')" $((n + 1)) \
    "the normal feed was polled"
assert_eq "$(feed "$id_h" .last_fetch)" null \
    "the normal feed finished while the other hangs without headers"
WAIT_FOR=15 wait_for fetched "$id_h" || fail "the hanging transfer never ended"
case $(feed "$id_h" .last_error) in
*'timed out'*) ok "hanging feed: $(feed "$id_h" .last_error)" ;;
*) fail "hanging feed's last_error '$(feed "$id_h" .last_error)'" ;;
esac
aggd_stop
