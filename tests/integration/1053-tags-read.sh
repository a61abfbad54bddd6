#!/bin/sh
# Filters and marks: feeds --tag and --failing, items --tag (with --unread
# and --feed too); read and unread by item ids, by --feed and --all, each
# answering what it changed; an unknown feed or tag, a bare read, and ids
# given with --all are refused in one line.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1' 'a2|two|http://example.org/a2'
rss b.xml 'b1|one|http://example.org/b1' 'b2|two|http://example.org/b2' \
    'b3|three|http://example.org/b3'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/a.xml" --tag news --tag local
A=$ID
add_wait "$HTTPD_URL/b.xml" --tag tech
B=$ID
httpd_set /c.xml 500 broken || fail "httpd_set"
aggctl add "$HTTPD_URL/c.xml" --tag news >/dev/null || fail "add c"
C=$(aggctl feeds --json | jq -r 'select(.url | test("c.xml")) | .id')
wait_for fetched "$C" || fail "c never fetched"

ids() {
	jq -r .id | sort -n | tr '\n' ' '
}

assert_eq "$(aggctl feeds --tag news --json | ids)" "$A $C " "feeds --tag"
assert_eq "$(aggctl feeds --tag none --json | ids)" "" "feeds --tag unknown"
assert_eq "$(aggctl feeds --failing --json | ids)" "$C " "feeds --failing"
assert_eq "$(aggctl feeds --failing --tag tech --json | ids)" "" \
    "--failing and --tag together"
aggctl feeds --tag news >"$T/f.txt" || fail "feeds --tag exited $?"
assert_eq "$(grep -c "^[0-9]" "$T/f.txt")" 2 "feeds --tag table: two rows (a failing one has its reason below)"

assert_eq "$(aggctl items --tag tech --json | jq -r .feed_id | sort -u)" \
    "$B" "items --tag"
assert_eq "$(aggctl items --tag news --json | wc -l | tr -d ' ')" 2 \
    "items --tag: the tag's feeds only"
assert_eq "$(aggctl items --tag none --json | wc -l | tr -d ' ')" 0 \
    "items --tag unknown: none"
assert_eq "$(aggctl items --tag tech --feed "$A" --json | wc -l |
    tr -d ' ')" 0 "items --tag and --feed together"
assert_eq "$(aggctl items --tag tech --after-id 0 --json | wc -l |
    tr -d ' ')" 3 "items --tag --after-id"

unread() {
	aggctl items --unread --json | wc -l | tr -d ' '
}
assert_eq "$(unread)" 5 "all unread at first"
aggctl read --feed "$B" --json >"$T/r.json" || fail "read --feed exited $?"
assert_eq "$(jq .changed "$T/r.json")" 3 "read --feed: 3 changed"
assert_eq "$(unread)" 2 "read --feed"
assert_eq "$(aggctl items --unread --tag tech --json | wc -l | tr -d ' ')" 0 \
    "items --unread --tag"
aggctl unread --feed "$B" || fail "unread --feed exited $?"
assert_eq "$(unread)" 5 "unread --feed"
aggctl read --all || fail "read --all exited $?"
assert_eq "$(unread)" 0 "read --all"
one=$(aggctl items --feed "$A" --json | jq -r .id | head -1)
aggctl unread "$one" || fail "unread ITEM exited $?"
assert_eq "$(unread)" 1 "unread ITEM"
aggctl unread --all --json >"$T/u.json" || fail "unread --all exited $?"
assert_eq "$(jq .changed "$T/u.json")" 4 "unread --all: 4 changed"
assert_eq "$(unread)" 5 "unread --all"
aggctl read "$one" "$(aggctl items --feed "$B" --json | jq -r .id | head -1)" ||
    fail "read ITEM ITEM"
assert_eq "$(unread)" 3 "read ITEM ITEM"

aggctl read --feed 999 2>"$T/e1" && fail "read --feed unknown succeeded"
assert_line "$T/e1" "aggctl: no such feed: 999" "read --feed: unknown feed"
aggctl unread --feed 999 2>"$T/e2" && fail "unread --feed unknown succeeded"
assert_line "$T/e2" "aggctl: no such feed: 999" "unread --feed: unknown feed"
assert_eq "$(unread)" 3 "refused marks changed nothing"
aggctl read 2>"$T/e3" && fail "read alone succeeded"
[ "$(wc -l <"$T/e3")" -eq 1 ] || fail "read alone: $(cat "$T/e3")"
ok "read alone: one line"
aggctl unread --all "$one" 2>"$T/e4" && fail "unread --all ITEM succeeded"
[ "$(wc -l <"$T/e4")" -eq 1 ] || fail "unread --all ITEM: $(cat "$T/e4")"
ok "unread --all with ids: one line"
aggctl feeds --bogus 2>"$T/e5" && fail "feeds --bogus succeeded"
[ "$(wc -l <"$T/e5")" -eq 1 ] || fail "feeds --bogus: $(cat "$T/e5")"
ok "feeds: unknown option, one line"
aggctl items --feed 999 --tag news 2>"$T/e6" && fail "items unknown feed"
assert_line "$T/e6" "aggctl: no such feed: 999" "items --feed unknown"
aggd_stop
