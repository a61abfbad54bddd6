#!/bin/sh
# A feed whose guids change on every fetch while its links stay the same
# (a timestamp or session in the guid) is detected and switched to link
# keys: no duplicates after the switch, the switch logged.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

for n in 1 2 3 4; do
	rss "f.xml.$n" "v$n-a|A|http://example.org/a" \
	    "v$n-b|B|http://example.org/b" "v$n-c|C|http://example.org/c"
done
# the fourth poll also brings a genuinely new item
rss f.xml.4 "v4-d|D|http://example.org/d" "v4-a|A|http://example.org/a" \
    "v4-b|B|http://example.org/b" "v4-c|C|http://example.org/c"
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/seq/f.xml"
assert_eq "$(feed "$ID" .items)" 3 "three items"
refresh_wait "$ID"
assert_eq "$(feed "$ID" .items)" 3 "new guids, same links: still three"
grep -q "feed $ID .*guids change.*keying items by link" "$T/aggd.log" ||
    fail "the switch is not logged: $(grep "feed $ID" "$T/aggd.log")"
ok "the switch is logged"
assert_eq "$(db "SELECT key_mode FROM feeds WHERE id = $ID")" link \
    "the feed's key mode is link"
refresh_wait "$ID"
assert_eq "$(feed "$ID" .items)" 3 "after the switch: still three"
refresh_wait "$ID"
assert_eq "$(feed "$ID" .items)" 4 "a genuinely new item is still added"
assert_eq "$(db 'SELECT count(DISTINCT link) || "/" || count(*) FROM items')" \
    4/4 "each link once"
assert_eq "$(db 'SELECT count(*) FROM items WHERE announced = 1')" 1 \
    "only the new item announced"
aggd_stop
