#!/bin/sh
# The items of a feed's first successful fetch are stored unannounced
# (announced = 0); items new in later fetches are announced (1).  With
# add --announce-existing the first fetch's items are announced too.  A
# first fetch that fails does not count as the first successful one.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

it() { echo "$1|item $1|http://example.org/$2/$1"; }
rss f.xml.1 "$(it 2 f)" "$(it 1 f)"
rss f.xml.2 "$(it 3 f)" "$(it 2 f)" "$(it 1 f)"
rss e.xml.1 "$(it 2 e)" "$(it 1 e)"
rss e.xml.2 "$(it 3 e)" "$(it 2 e)" "$(it 1 e)"
rss late.xml "$(it 2 l)" "$(it 1 l)"
httpd_start "$T/docs" || exit 1
aggd_start

ann() { db "SELECT group_concat(guid || '=' || announced, ' ') FROM
    (SELECT guid, announced FROM items WHERE feed_id = $1 ORDER BY guid)"; }

add_wait "$HTTPD_URL/seq/f.xml"
id_f=$ID
assert_eq "$(ann "$id_f")" "1=0 2=0" "first fetch: stored, not announced"
refresh_wait "$id_f"
assert_eq "$(ann "$id_f")" "1=0 2=0 3=1" "a later new item is announced"

add_wait "$HTTPD_URL/seq/e.xml" --announce-existing
id_e=$ID
assert_eq "$(ann "$id_e")" "1=1 2=1" "--announce-existing: first fetch announced"
refresh_wait "$id_e"
assert_eq "$(ann "$id_e")" "1=1 2=1 3=1" "--announce-existing: later ones too"

# A feed whose first fetch fails: its first good one is still "first".
httpd_set /late.xml 500 'not yet' || fail "httpd_set"
add_wait "$HTTPD_URL/late.xml"
id_l=$ID
assert_eq "$(feed "$id_l" .last_status)" 500 "first fetch failed"
httpd_set /late.xml 200 "$(cat "$T/docs/late.xml")" \
    '{"Content-Type": "application/rss+xml"}' || fail "httpd_set 200"
refresh_wait "$id_l"
assert_eq "$(ann "$id_l")" "1=0 2=0" \
    "the first successful fetch after a failure: not announced"
aggd_stop
