#!/bin/sh
# status reads counters that the writes keep, never counting rows: failing
# (feeds whose last poll failed) follows a feed that fails and recovers,
# paused counts feeds whose disabled is "paused", items and unread follow
# fetches, read and a removed feed, database_bytes is the file's pages,
# and every figure equals a count of the rows, across a restart too.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

it() { echo "$1|item $1|http://example.org/$1"; }
rss a.xml "$(it a1)" "$(it a2)" "$(it a3)"
rss b.xml "$(it b1)"
httpd_start "$T/docs" || exit 1
aggd_start

st() {
	aggctl status --json | jq -r "$1"
}
# The counters against the rows themselves.
same_as_rows() {
	assert_eq "$(st '[.feeds, .items, .unread, .failing, .paused] |
	    map(tostring) | join(" ")')" "$(db "SELECT (SELECT count(*) FROM
	    feeds), (SELECT count(*) FROM items), (SELECT count(*) FROM items
	    WHERE read = 0), (SELECT count(*) FROM feeds WHERE errors > 0),
	    (SELECT count(*) FROM feeds WHERE disabled = 'paused')" |
	    tr '|' ' ')" "$1: the figures equal the rows"
}

add_wait "$HTTPD_URL/feeds/a.xml" --interval 1h
id_a=$ID
aggctl add "$HTTPD_URL/feeds/missing.xml" --interval 1h >"$T/id" ||
    fail "add missing"
id_m=$(cat "$T/id")
wait_for sh -c "[ \"\$(\"$BUILD/aggctl\" -s \"$T/aggd.sock\" status --json |
    jq .failing)\" = 1 ]" || fail "failing: $(st .failing), want 1"
ok "a feed whose poll failed counts as failing"
assert_eq "$(st .paused)" 0 "nothing paused"
same_as_rows "after a failure"

# It recovers: no longer failing.
cp "$T/docs/b.xml" "$T/docs/missing.xml"
aggctl refresh --wait "$id_m" 2>/dev/null
assert_eq "$(st .failing)" 0 "a feed that answers again is not failing"
assert_eq "$(st '.items, .unread' | tr '\n' ' ')" "4 4 " "items and unread"
aggctl read "$(aggctl items --json --limit 1 | jq -r .id)" >/dev/null ||
    fail "read"
assert_eq "$(st .unread)" 3 "read lowers unread"
aggctl read --all >/dev/null || fail "read --all"
assert_eq "$(st .unread)" 0 "read --all: none unread"
aggctl unread "$(aggctl items --json --limit 1 | jq -r .id)" >/dev/null ||
    fail "unread"
assert_eq "$(st .unread)" 1 "unread raises it"
same_as_rows "after read and unread"

pages=$(db "SELECT page_count * page_size FROM pragma_page_count,
    pragma_page_size")
assert_eq "$(st .database_bytes)" "$pages" "database_bytes: the file's pages"

# Paused (set in the database while aggd is stopped), then a restart.
aggd_stop
db "UPDATE feeds SET disabled = 'paused' WHERE id = $id_a" ||
    fail "sqlite3 update"
aggd_start
assert_eq "$(st .paused)" 1 "paused counts disabled = \"paused\""
same_as_rows "after a restart"

aggctl remove "$id_a" >/dev/null || fail "remove"
assert_eq "$(st '.feeds, .items, .paused' | tr '\n' ' ')" "1 1 0 " \
    "a removed feed takes its items and its pause with it"
same_as_rows "after remove"
aggd_stop
