#!/bin/sh
# No transfer holds the schedule.  A feed polled every 2 s shares its
# server (same host and port) with three that hang in each way a server
# can: it never answers (/hang), its headers never end
# (/endless-headers), its body comes a byte a second (/dribble/); a second
# server on another port hangs the same three ways.  The hung feeds are
# due every second, so hung transfers are always in flight and time out
# (timeout = 3s) over and over.  For 20 s the fast feed is polled on time:
# about every 2 s, its next_fetch never left in the past, whatever else
# is stuck.  per_host_connections = 4 leaves it a slot beside its host's
# three hung transfers, so only a stuck transfer could hold it.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

cat >>"$T/aggd.conf" <<CONF
min_interval = 1s
timeout = 3s
per_host_connections = 4
CONF
rss a.xml 'a1|one|http://example.org/a1'
rss slow.xml 's1|one|http://example.org/s1' 's2|two|http://example.org/s2'
httpd_start "$T/docs" || exit 1

# A second server, on a port of its own, in the same document root.
"$BUILD/tests/httpd" -d "$T/docs" -p "$T/httpd2.port" -l "$T/httpd2.log" \
    2>"$T/httpd2.err" &
track_pid $!
wait_for test -s "$T/httpd2.port" || fail "the second server did not start"
url2=http://127.0.0.1:$(cat "$T/httpd2.port")

aggd_start
for u in "$HTTPD_URL/hang" "$HTTPD_URL/endless-headers" \
    "$HTTPD_URL/dribble/feeds/slow.xml" "$url2/hang" \
    "$url2/endless-headers" "$url2/dribble/feeds/slow.xml"; do
	aggctl add --interval 1s "$u" >/dev/null || fail "add $u"
done
httpd_wait_count '^/hang$' 1 || fail "/hang was not asked"
httpd_wait_count '^/endless-headers$' 1 || fail "/endless-headers not asked"
httpd_wait_count '^/dribble/' 1 || fail "/dribble/ was not asked"
add_wait "$HTTPD_URL/feeds/a.xml" --interval 2s
fast=$ID
n0=$(httpd_count '^/feeds/a[.]xml$')

# Watch for 20 s: how late the fast feed's next_fetch ever is.
lag_max=0
start=$(date +%s)
while [ $(( $(date +%s) - start )) -lt 20 ]; do
	lag=$(aggctl feeds --json | jq -r --argjson i "$fast" \
	    'select(.id == $i) | now - (.next_fetch | fromdateiso8601) | floor')
	[ "$lag" -le "$lag_max" ] || lag_max=$lag
	sleep 1
done
n=$(( $(httpd_count '^/feeds/a[.]xml$') - n0 ))

# The hung feeds did hang, and time out, meanwhile.
for p in '^/hang$' '^/endless-headers$' '^/dribble/'; do
	[ "$(httpd_count "$p")" -ge 2 ] || fail "$p asked under twice"
done
timeouts=$(aggctl feeds --json |
    jq -s '[.[] | select(.last_error // "" | test("timed out"))] | length')
[ "$timeouts" -ge 6 ] || fail "only $timeouts hung feeds timed out"
ok "all six hung feeds timed out"

# Gaps between the fast feed's polls, from the server's log.
gap_max=$(httpd_requests '^/feeds/a[.]xml$' | jq -s '
    [.[].time] as $t | [range(1; $t | length) | $t[.] - $t[. - 1]] |
    max // 99 | . * 10 | floor / 10')

[ "$n" -ge 8 ] || fail "fast feed polled $n times in 20 s (want 8 or more)"
ok "fast feed polled $n times in 20 s"
[ "$lag_max" -le 3 ] ||
    fail "fast feed's next_fetch was $lag_max s in the past"
ok "fast feed's next_fetch at most $lag_max s in the past"
[ "$(echo "$gap_max <= 3.5" | bc)" = 1 ] ||
    fail "fast feed waited $gap_max s between polls"
ok "fast feed's longest gap between polls: $gap_max s"
aggd_stop
