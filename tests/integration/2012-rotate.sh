#!/bin/sh
# A feed that serves its items in a new order on every request (/rotate/)
# never gets duplicates: the same five items after several polls, each
# stored once, none of them re-announced.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss r.xml 'r1|one|http://example.org/r1' 'r2|two|http://example.org/r2' \
    'r3|three|http://example.org/r3' 'r4|four|http://example.org/r4' \
    'r5|five|http://example.org/r5'
# and one without guids, keyed by link
rss n.xml '|one|http://example.org/n1' '|two|http://example.org/n2' \
    '|three|http://example.org/n3'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/rotate/r.xml"
id_r=$ID
add_wait "$HTTPD_URL/rotate/n.xml"
id_n=$ID
db 'SELECT id, feed_id, key FROM items ORDER BY id' >"$T/before"
for i in 1 2 3 4 5 6; do
	refresh_wait "$id_r" "$id_n"
done
assert_eq "$(httpd_count '^/rotate/r[.]xml$')" 7 "seven polls of r.xml"
assert_eq "$(feed "$id_r" .items)" 5 "five items after seven orders"
assert_eq "$(feed "$id_n" .items)" 3 "three link-keyed items"
db 'SELECT id, feed_id, key FROM items ORDER BY id' >"$T/after"
cmp -s "$T/before" "$T/after" ||
    fail "items changed: $(diff "$T/before" "$T/after")"
ok "the same rows, the same ids"
assert_eq "$(db 'SELECT count(*) FROM items WHERE announced = 1')" 0 \
    "nothing announced"
aggd_stop
