#!/bin/sh
# Items added between polls are stored once each: the feed grows from two
# items to three to five (old ones dropping off the end too), every item is
# stored once however often the same document is served again, and ids
# grow with storage order.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

it() { echo "$1|item $1|http://example.org/$1"; }
rss f.xml.1 "$(it 2)" "$(it 1)"
rss f.xml.2 "$(it 3)" "$(it 2)" "$(it 1)"
# 4 and 5 new, 1 dropped off the end of the document
rss f.xml.3 "$(it 5)" "$(it 4)" "$(it 3)" "$(it 2)"
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/seq/f.xml"
assert_eq "$(feed "$ID" .items)" 2 "first poll: two items"
refresh_wait "$ID"
assert_eq "$(feed "$ID" .items)" 3 "second poll: three"
refresh_wait "$ID"
assert_eq "$(feed "$ID" .items)" 5 "third poll: five (one off the end kept)"
refresh_wait "$ID"
refresh_wait "$ID"
assert_eq "$(httpd_count '^/seq/f[.]xml$')" 5 "five polls"
assert_eq "$(feed "$ID" .items)" 5 "the same document again: still five"
assert_eq "$(db 'SELECT count(DISTINCT guid) || "/" || count(*) FROM items')" \
    5/5 "each guid once"
# New items in a document come oldest first, so ids follow age.
assert_eq "$(db 'SELECT group_concat(guid, " ") FROM (SELECT guid FROM items
    ORDER BY id)')" "1 2 3 4 5" "ids grow with storage order"
assert_eq "$(aggctl items --json --feed "$ID" | jq -r .guid | sort | tr '\n' ' ')" \
    "1 2 3 4 5 " "aggctl items lists them once"
aggd_stop
