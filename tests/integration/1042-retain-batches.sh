#!/bin/sh
# Removal by age runs in batches, the daemon answering between them: with
# retain = 4s, a feed of 1500 items is removed in at least six batches
# (at most 256 rows each, sized to take about 5 ms), while `aggctl
# status` keeps answering; the feed served again stores nothing; the
# freed pages are given back (incremental vacuum).

. "$(dirname "$0")/lib.sh"

mkdir -p "$T/www"
awk 'BEGIN {
	print "<rss version=\"2.0\"><channel><title>Many</title>"
	for (i = 1; i <= 1500; i++) {
		printf "<item><guid>g%d</guid><title>Item %d</title>", i, i
		printf "<link>http://example.org/%d</link><description>", i
		for (k = 0; k < 40; k++)
			printf "w%d ", (i * 7919 + k * 104729) % 100003
		print "</description></item>"
	}
	print "</channel></rss>"
}' >"$T/www/many.xml"
httpd_start "$T/www" || fail "httpd"
printf 'retain = 4s\n' >>"$T/aggd.conf"
aggd_start -v

aggctl add "$HTTPD_URL/many.xml" >/dev/null || fail "add"
count() {
	aggctl status --json | jq -r .items
}
wait_for sh -c "[ \"\$($BUILD/aggctl -s $T/aggd.sock status --json | jq -r .items)\" -ge 1500 ]" ||
    fail "items not stored: $(count)"
pages() {
	sqlite3 "$T/aggd.db" 'PRAGMA page_count'
}
size0=$(pages)
# status is answered all through the removal.
slow=0
i=0
while [ "$(count)" != 0 ]; do
	t0=$(date +%s%N)
	aggctl status >/dev/null || fail "status failed during the removal"
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -lt 1000 ] || slow=$((slow + 1))
	i=$((i + 1))
	[ "$i" -lt 400 ] || fail "items not removed: $(count) left"
	sleep 0.05
done
assert_eq "$slow" 0 "status answered within a second throughout"
batches=$(grep -c 'retention batch of' "$T/aggd.log")
[ "$batches" -ge 6 ] || fail "removed in $batches batches, want at least 6"
ok "removed in $batches batches of at most 256"
grep -q 'retention batch of 25[7-9]\|retention batch of 2[6-9][0-9]\|retention batch of [3-9][0-9][0-9]\|retention batch of [0-9][0-9][0-9][0-9]' \
    "$T/aggd.log" && fail "a batch above 256 items"
ok "no batch above 256 items"

aggctl refresh --wait >/dev/null || fail "refresh"
assert_eq "$(count)" 0 "the feed served again stores nothing (tombstones)"

freelist() {
	[ "$(sqlite3 "$T/aggd.db" 'PRAGMA freelist_count')" -lt 8 ]
}
wait_for freelist || fail "free pages not given back: $(sqlite3 "$T/aggd.db" 'PRAGMA freelist_count')"
ok "free pages given back"
# The file need not shrink: the search index records a removed item's
# words as a delete entry until its segments merge.  What must hold is
# that no page stays free inside the file.
size1=$(pages)
ok "file: $size0 -> $size1 pages, none of them free"
aggd_stop
