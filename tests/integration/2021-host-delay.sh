#!/bin/sh
# Politeness to one host: with per_host_connections = 1 and host_delay =
# 1s, the request log shows the requests to the server starting at least
# about a second apart, and never two at once.  (A check on spacing, not
# a timing benchmark: the bound allows for scheduling slack.)

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

# lib.sh set host_delay = 0: a key may be given once.
sed -i '/^host_delay = /d' "$T/aggd.conf"
cat >>"$T/aggd.conf" <<CONF
per_host_connections = 1
host_delay = 1s
CONF
for n in 1 2 3 4; do
	rss "f$n.xml" "g$n|item $n|http://example.org/$n"
done
httpd_start "$T/docs" || exit 1
aggd_start

for n in 1 2 3 4; do
	aggctl add "$HTTPD_URL/feeds/f$n.xml" >/dev/null || fail "add f$n"
done
all_fetched() {
	[ "$(aggctl feeds --json |
	    jq -s 'map(select(.last_fetch != null)) | length')" = 4 ]
}
WAIT_FOR=20 wait_for all_fetched || fail "not every feed was fetched"
ok "four feeds fetched"
refresh_wait
assert_eq "$(httpd_count '^/feeds/f[0-9][.]xml$')" 8 "eight requests"
gaps=$(jq -s '[.[] | select(.path | test("^/feeds/f")) | .time] | sort |
    [range(1; length) as $i | .[$i] - .[$i - 1]]' "$HTTPD_LOG")
echo "# gaps between request starts: $(echo "$gaps" | jq -c 'map(. * 1000 | floor)') ms"
assert_eq "$(echo "$gaps" | jq 'map(select(. < 0.9)) | length')" 0 \
    "requests to one host start at least ~1 s apart"
aggd_stop
