#!/bin/sh
# The milder form of a held schedule: beside a server that sends its body
# a byte a second until the timeout (3 s) ends the transfer, a feed due
# every 2 s on the same server is polled on its own schedule, every 2 s,
# not only when the slow transfer ends or the slow feed is due again.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

cat >>"$T/aggd.conf" <<CONF
min_interval = 1s
timeout = 3s
CONF
rss a.xml 'a1|one|http://example.org/a1'
rss slow.xml 's1|one|http://example.org/s1' 's2|two|http://example.org/s2'
httpd_start "$T/docs" || exit 1
aggd_start

id_s=$(aggctl add "$HTTPD_URL/dribble/feeds/slow.xml") || fail "add slow"
httpd_wait_count '^/dribble/' 1 || fail "the slow feed was not asked"
add_wait "$HTTPD_URL/feeds/a.xml" --interval 2s
n0=$(httpd_count '^/feeds/a[.]xml$')

# Two slow transfers' worth (with backoff the slow feed is not due again
# within this), then the gaps between the fast feed's polls.
WAIT_FOR=15 wait_for fetched "$id_s" || fail "the slow transfer never ended"
case $(feed "$id_s" .last_error) in
*'timed out'*) ok "slow feed: $(feed "$id_s" .last_error)" ;;
*) fail "slow feed's last_error '$(feed "$id_s" .last_error)'" ;;
esac
httpd_wait_count '^/feeds/a[.]xml$' $((n0 + 4)) 12 ||
    fail "the fast feed was not polled every 2 s: $(( \
    $(httpd_count '^/feeds/a[.]xml$') - n0 )) polls in 12 s"
gap_max=$(httpd_requests '^/feeds/a[.]xml$' | jq -s '
    [.[].time] as $t | [range(1; $t | length) | $t[.] - $t[. - 1]] |
    max // 99 | . * 10 | floor / 10')
[ "$(echo "$gap_max <= 3" | bc)" = 1 ] ||
    fail "the fast feed waited $gap_max s between polls"
ok "the fast feed's longest gap between polls: $gap_max s"
aggd_stop
