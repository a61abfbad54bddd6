#!/bin/sh
# A feed whose guids repeat within a document switches to keying its
# items by link: every item is stored (not one per guid), the switch is
# logged in aggd.log and recorded as the feed's key mode, and later polls
# add no duplicates.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss f.xml.1 'same|one|http://example.org/1' 'same|two|http://example.org/2' \
    'same|three|http://example.org/3'
rss f.xml.2 'same|four|http://example.org/4' 'same|one|http://example.org/1' \
    'same|two|http://example.org/2' 'same|three|http://example.org/3'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/seq/f.xml"
assert_eq "$(feed "$ID" .items)" 3 "three items, not one"
grep -q "feed $ID .*guids repeat.*keying items by link" "$T/aggd.log" ||
    fail "the switch is not logged: $(grep "feed $ID" "$T/aggd.log")"
ok "the switch is logged"
assert_eq "$(db "SELECT key_mode FROM feeds WHERE id = $ID")" link \
    "the feed's key mode is link"
refresh_wait "$ID"
refresh_wait "$ID"
assert_eq "$(feed "$ID" .items)" 4 "one new item, no duplicates"
assert_eq "$(db 'SELECT group_concat(title, ",") FROM (SELECT title FROM
    items ORDER BY link)')" one,two,three,four "each item once"
assert_eq "$(grep -c "feed $ID .*keying items by" "$T/aggd.log")" 1 \
    "logged once, not on every poll"
aggd_stop
