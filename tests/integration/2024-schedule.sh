#!/bin/sh
# What decides the next poll, as next_fetch_reason says: the feed's hints
# (Cache-Control max-age, RSS ttl) as the least time between polls; a
# per-feed interval obeyed as given, hints or not; an adaptive interval
# from the feed's own posting rate; and jitter, so that feeds added
# together do not fire together.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

cat >>"$T/aggd.conf" <<CONF
interval = 10m
CONF
rss a.xml 'a1|one|http://example.org/a1'
sed 's|<link>http://example.org/</link>|&<ttl>180</ttl>|' "$T/docs/a.xml" \
    >"$T/docs/ttl.xml"
# An item every four hours: polled about every two.
{
	echo '<?xml version="1.0"?><rss version="2.0"><channel><title>R</title>'
	for h in 0 4 8 12 16 20; do
		printf '<item><guid>r%s</guid><title>r%s</title>' "$h" "$h"
		printf '<pubDate>%s</pubDate></item>\n' "$(date -u -R -d \
		    "@$(( $(date +%s) / 86400 * 86400 - h * 3600 ))")"
	done
	echo '</channel></rss>'
} >"$T/docs/rate.xml"
httpd_start "$T/docs" || exit 1
aggd_start

# wait_is ID SECONDS: next_fetch is SECONDS after last_fetch, within the
# jitter (a tenth) and a second of rounding.
wait_is() {
	_w=$(feed "$1" '(.next_fetch | fromdateiso8601) - (.last_fetch | fromdateiso8601)')
	[ "$_w" -ge $(( $2 - $2 / 20 - 1 )) ] &&
	    [ "$_w" -le $(( $2 + $2 / 20 + 1 )) ] ||
	    fail "feed $1: next poll in $_w s, want about $2 s"
	ok "feed $1: next poll in $_w s (about $2)"
}

add_wait "$HTTPD_URL/cache/7200/feeds/a.xml"
assert_eq "$(feed "$ID" .next_fetch_reason)" feed-hint "max-age: feed-hint"
wait_is "$ID" 7200
add_wait "$HTTPD_URL/feeds/ttl.xml"
assert_eq "$(feed "$ID" .next_fetch_reason)" feed-hint "ttl: feed-hint"
wait_is "$ID" 10800
add_wait "$HTTPD_URL/cache/7200/feeds/a.xml?given" --interval 15m
assert_eq "$(feed "$ID" .next_fetch_reason)" interval \
    "a per-feed interval is obeyed as given"
wait_is "$ID" 900
add_wait "$HTTPD_URL/feeds/rate.xml"
assert_eq "$(feed "$ID" .next_fetch_reason)" adaptive \
    "posting rate: adaptive"
wait_is "$ID" 7200
# A hint beyond max_interval is bounded by it.
add_wait "$HTTPD_URL/cache/999999/feeds/a.xml?long"
wait_is "$ID" 86400

# Jitter: ten feeds added together get different due times.
for n in 0 1 2 3 4 5 6 7 8 9; do
	aggctl add "$HTTPD_URL/feeds/a.xml?j=$n" >/dev/null || fail "add j=$n"
done
all_fetched() {
	[ "$(aggctl feeds --json | jq -s 'map(select(.last_fetch == null)) |
	    length')" = 0 ]
}
wait_for all_fetched || fail "not all fetched"
distinct=$(aggctl feeds --json | jq -s 'map(select(.url | test("j="))) |
    map(.next_fetch) | unique | length')
[ "$distinct" -ge 5 ] || fail "ten feeds added together: $distinct due times"
ok "ten feeds added together: $distinct different due times"
aggd_stop
