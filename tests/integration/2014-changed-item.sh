#!/bin/sh
# An item whose content changes (same guid, new title) is updated in
# place: same item id, the new title, the count unchanged, and it is not
# announced as new.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss f.xml.1 'g1|Original title|http://example.org/1' \
    'g2|Other|http://example.org/2'
rss f.xml.2 'g1|Corrected title|http://example.org/1' \
    'g2|Other|http://example.org/2'
# a later poll: a new item, and g1 changes again
rss f.xml.3 'g3|Third|http://example.org/3' \
    'g1|Final title|http://example.org/1' 'g2|Other|http://example.org/2'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/seq/f.xml"
assert_eq "$(feed "$ID" .items)" 2 "two items"
id1=$(db "SELECT id FROM items WHERE guid = 'g1'")

refresh_wait "$ID"
assert_eq "$(feed "$ID" .items)" 2 "still two items"
assert_eq "$(db "SELECT id FROM items WHERE guid = 'g1'")" "$id1" "same item id"
assert_eq "$(db "SELECT title FROM items WHERE guid = 'g1'")" \
    "Corrected title" "the new title"
assert_eq "$(aggctl show --json "$id1" | jq -r .title)" "Corrected title" \
    "show gives the new title"
assert_eq "$(db "SELECT announced FROM items WHERE guid = 'g1'")" 0 \
    "not announced"

refresh_wait "$ID"
assert_eq "$(feed "$ID" .items)" 3 "the new item added"
assert_eq "$(db "SELECT id FROM items WHERE guid = 'g1'")" "$id1" \
    "same id after a second change"
assert_eq "$(db "SELECT title FROM items WHERE guid = 'g1'")" "Final title" \
    "changed again"
assert_eq "$(db "SELECT announced FROM items WHERE guid = 'g1'")" 0 \
    "a changed item is not announced, even beside a new one"
assert_eq "$(db "SELECT announced FROM items WHERE guid = 'g3'")" 1 \
    "the new item is"
assert_eq "$(db 'SELECT count(*) FROM items WHERE announced = 1')" 1 \
    "exactly one announcement"
grep -q '1 new, 1 changed' "$T/aggd.log" ||
    fail "the log does not say 1 new, 1 changed"
ok "logged as 1 new, 1 changed"
aggd_stop
