#!/bin/sh
# Retention with tombstones: a feed capped at retain_items = 2 in its
# [feed] section keeps serving the items retention removed; none of them
# is stored or announced again, while a new item is stored and announced
# once and pushes the oldest kept one out.  The feed object shows its own
# retain_items.

. "$(dirname "$0")/lib.sh"

mkdir -p "$T/www"
item() {	# guid day
	printf '<item><guid>%s</guid><title>T %s</title><link>http://example.org/%s</link><pubDate>%s Jan 2024 10:00:00 GMT</pubDate><description>about %s</description></item>\n' \
	    "$1" "$1" "$1" "$2" "$1"
}
{
	echo '<rss version="2.0"><channel><title>C</title>'
	item e 05; item d 04; item c 03; item b 02; item a 01
	echo '</channel></rss>'
} >"$T/www/f.xml.1"
{
	echo '<rss version="2.0"><channel><title>C</title>'
	item f 06; item e 05; item d 04; item c 03; item b 02; item a 01
	echo '</channel></rss>'
} >"$T/www/f.xml.2"
printf '#!/bin/sh\ncat >/dev/null\necho "$AGG_ITEM_TITLE" >>"$1"\n' >"$T/hook.sh"
chmod +x "$T/hook.sh"
httpd_start "$T/www" || fail "httpd"
printf 'hook = %s %s\n\n[feed "capped"]\nurl = %s\nretain_items = 2\n' \
    "$T/hook.sh" "$T/announced" "$HTTPD_URL/seq/f.xml" >>"$T/aggd.conf"
aggd_start

titles() {
	aggctl items --json | jq -r .title | tr '\n' ,
}
nitems() {
	[ "$(aggctl items --json | wc -l)" "$1" "$2" ]
}
# The first fetch stores five (not announced); retention keeps two.
wait_for nitems -ge 5 || fail "first fetch not stored"
wait_for nitems -eq 2 || fail "retain_items = 2 not applied: $(titles)"
assert_eq "$(titles)" "T e,T d," "the newest two kept"
assert_eq "$(aggctl feeds --json | jq -c '[.retain, .retain_items]')" \
    "[null,2]" "the feed object shows its own retain_items"

# The feed still serves a, b and c, and now f.
aggctl refresh --wait >/dev/null || fail "refresh"
wait_for test -s "$T/announced" || fail "the new item was not announced"
wait_for nitems -eq 2 || fail "not back to two items: $(titles)"
assert_eq "$(titles)" "T f,T e," \
    "removed items did not come back; the new one is kept"
aggctl refresh --wait >/dev/null || fail "refresh 2"
aggctl refresh --wait >/dev/null || fail "refresh 3"
no_pending() {
	aggctl status --json | jq -e '.hooks_pending == 0' >/dev/null
}
wait_for no_pending || fail "hooks still pending"
assert_eq "$(titles)" "T f,T e," "still no removed item stored again"
assert_eq "$(tr '\n' , <"$T/announced")" "T f," \
    "only the new item was announced, once"
n=$(sqlite3 "$T/aggd.db" "SELECT count(*) FROM tombstones") || fail "sqlite3"
assert_eq "$n" 4 "four tombstones (a, b, c, d)"
grep -q 'retention removed' "$T/aggd.log" || fail "no retention line in the log"
ok "retention is logged"
aggd_stop
