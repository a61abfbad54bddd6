#!/bin/sh
# aggctl show ITEM (--json: one object, the same as in items; without: the
# title among the fields), unknown items refused with one "aggctl: " line;
# read ITEM..., unread ITEM..., read --feed FEED (id or URL), read --all,
# and their effect on items --unread, show, feeds --json (unread per feed)
# and status --json (unread).

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

it() { echo "$1|item $1|http://example.org/$1"; }
rss a.xml "$(it a1)" "$(it a2)" "$(it a3)"
rss b.xml "$(it b1)" "$(it b2)"
httpd_start "$T/docs" || exit 1
aggd_start
url_a=$HTTPD_URL/feeds/a.xml
add_wait "$url_a"
id_a=$ID
add_wait "$HTTPD_URL/feeds/b.xml"
id_b=$ID

id() {
	aggctl items --json | jq -r --arg g "$1" 'select(.guid == $g) | .id'
}
# state: unread guids (sorted), the feeds' unread counts, status's unread.
state() {
	echo "$(aggctl items --unread --json | jq -r .guid | sort |
	    tr '\n' ' ')/$(feed "$id_a" .unread),$(feed "$id_b" .unread)/$(
	    aggctl status --json | jq .unread)"
}
a1=$(id a1)
a2=$(id a2)
a3=$(id a3)
b1=$(id b1)
b2=$(id b2)
assert_eq "$(state)" "a1 a2 a3 b1 b2 /3,2/5" "all unread at first"

# show --json: one line, one object, the object items lists.
aggctl show "$a2" --json >"$T/show" || fail "show --json exited $?"
assert_eq "$(wc -l <"$T/show" | tr -d ' ')" 1 "show --json: one line"
assert_eq "$(jq -c . "$T/show")" "$(aggctl items --json |
    jq -c --argjson i "$a2" 'select(.id == $i)')" \
    "show --json is the object items gives"
assert_eq "$(jq -c '[.id, .guid, .title, .link, .feed_id, .read]' \
    "$T/show")" "[$a2,\"a2\",\"item a2\",\"http://example.org/a2\",$id_a,false]" \
    "show --json fields"
aggctl show --json "$a2" | jq -e ".id == $a2" >/dev/null ||
    fail "show --json ITEM (option first)"
# Without --json: the title (and the link) in text.
aggctl show "$a2" >"$T/text" || fail "show exited $?"
grep -q 'item a2' "$T/text" || fail "show lacks the title: $(cat "$T/text")"
grep -q 'http://example.org/a2' "$T/text" || fail "show lacks the link"
grep -q '{' "$T/text" && fail "show without --json printed JSON"
ok "show prints the title"

# Unknown or malformed items.
for bad in 99999 0 abc -- ''; do
	aggctl show "$bad" >"$T/out" 2>"$T/err" && fail "show '$bad' succeeded"
	grep -q '^aggctl: ' "$T/err" || fail "show '$bad': '$(cat "$T/err")'"
	assert_line "$T/err" "$(sed -n 1p "$T/err")" "show '$bad': one line"
	[ ! -s "$T/out" ] || fail "show '$bad' printed $(cat "$T/out")"
done
aggctl show abc 2>"$T/err"
assert_eq "$(cat "$T/err")" "aggctl: not an item id: abc" \
    "show names a malformed item as read does"
aggctl show 99999 --json >"$T/out" 2>&1 && fail "show 99999 --json succeeded"
grep -q 'no such item' "$T/out" || fail "show 99999: $(cat "$T/out")"
ok "show of an unknown item names it"

# read ITEM and unread ITEM.
aggctl read "$a2" >"$T/out" 2>"$T/err" || fail "read exited $?: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "read wrote on stderr: $(cat "$T/err")"
assert_eq "$(state)" "a1 a3 b1 b2 /2,2/4" "read ITEM"
assert_eq "$(aggctl show "$a2" --json | jq .read)" true "show: read is true"
aggctl read "$a2" || fail "read of a read item exited $?"
assert_eq "$(state)" "a1 a3 b1 b2 /2,2/4" "read twice: no change"
aggctl read "$a1" "$b1" || fail "read of two items exited $?"
assert_eq "$(state)" "a3 b2 /1,1/2" "read ITEM ITEM"
aggctl unread "$a2" || fail "unread exited $?"
assert_eq "$(state)" "a2 a3 b2 /2,1/3" "unread ITEM"
assert_eq "$(aggctl show "$a2" --json | jq .read)" false "show: read is false"
aggctl unread "$a2" || fail "unread of an unread item exited $?"
aggctl unread "$a1" "$b1" || fail "unread of two items exited $?"
assert_eq "$(state)" "a1 a2 a3 b1 b2 /3,2/5" "unread ITEM ITEM"

# Unknown items in read and unread.
for cmd in read unread; do
	aggctl "$cmd" 99999 >"$T/out" 2>"$T/err" && fail "$cmd 99999 succeeded"
	grep -q '^aggctl: ' "$T/err" || fail "$cmd 99999: '$(cat "$T/err")'"
	assert_line "$T/err" "$(sed -n 1p "$T/err")" "$cmd unknown: one line"
	aggctl "$cmd" abc >/dev/null 2>&1 && fail "$cmd abc succeeded"
	aggctl "$cmd" >/dev/null 2>"$T/err" && fail "$cmd without items succeeded"
	grep -q '^aggctl: ' "$T/err" || fail "$cmd without items: '$(cat "$T/err")'"
done
# A known item beside an unknown one: refused as a whole.
aggctl read "$a1" 99999 >/dev/null 2>&1 && fail "read a1 99999 succeeded"
assert_eq "$(state)" "a1 a2 a3 b1 b2 /3,2/5" "failed marks change nothing"
ok "unknown items refused"

# read --feed by id and by URL.
aggctl read --feed "$id_b" || fail "read --feed ID exited $?"
assert_eq "$(state)" "a1 a2 a3 /3,0/3" "read --feed ID"
aggctl unread "$b1" || fail "unread b1"
aggctl read --feed "$url_a" || fail "read --feed URL exited $?"
assert_eq "$(state)" "b1 /0,1/1" "read --feed URL"
aggctl read --feed 99999 >"$T/out" 2>"$T/err" &&
    fail "read --feed of an unknown feed succeeded"
grep -q '^aggctl: ' "$T/err" || fail "read --feed unknown: '$(cat "$T/err")'"
assert_eq "$(state)" "b1 /0,1/1" "read --feed unknown changes nothing"

# read --all.
aggctl unread "$a3" || fail "unread a3"
aggctl read --all || fail "read --all exited $?"
assert_eq "$(state)" "/0,0/0" "read --all"
assert_eq "$(aggctl items --unread --json | wc -l | tr -d ' ')" 0 \
    "items --unread: empty"
assert_eq "$(aggctl items --json | jq -s 'map(.read) | all')" true \
    "items: every item read"
aggctl read --all || fail "read --all again exited $?"
aggctl unread "$a1" "$a2" "$a3" "$b1" "$b2" || fail "unread all five"
assert_eq "$(state)" "a1 a2 a3 b1 b2 /3,2/5" "everything unread again"

# A later fetch does not mark stored items unread again.
aggctl read --all || fail "read --all"
refresh_wait "$id_a"
assert_eq "$(state)" "/0,0/0" "a refetch keeps read items read"

aggd_stop
