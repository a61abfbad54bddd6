#!/bin/sh
# aggctl backup FILE: a consistent copy made while the daemon runs and a
# feed on a 1 s interval keeps being polled; the copy is 0600, passes
# integrity_check and holds every item.  A relative FILE is the client's;
# an existing FILE is refused without --force; an unwritable place is
# named.

. "$(dirname "$0")/lib.sh"

mkdir -p "$T/www" "$T/elsewhere"
# About 6 MB of items that do not compress: many backup steps.
awk 'BEGIN {
	srand(7)
	print "<rss version=\"2.0\"><channel><title>Big</title>"
	for (i = 1; i <= 1500; i++) {
		printf "<item><guid>g%d</guid><title>Item %d</title><description>", i, i
		for (k = 0; k < 400; k++)
			printf "%c", 97 + int(rand() * 26)
		for (k = 0; k < 3600; k++)
			printf "%c", 65 + int(rand() * 58) % 26
		print "</description></item>"
	}
	print "</channel></rss>"
}' >"$T/www/big.xml"
cat >"$T/www/tick.xml" <<'XML'
<rss version="2.0"><channel><title>Tick</title>
<item><guid>t</guid><title>tick</title></item></channel></rss>
XML
httpd_start "$T/www" || fail "httpd"
printf 'min_interval = 1s\n' >>"$T/aggd.conf"
aggd_start

aggctl add "$HTTPD_URL/big.xml" >/dev/null || fail "add big"
aggctl add --interval 1s "$HTTPD_URL/tick.xml" >/dev/null || fail "add tick"
aggctl refresh --wait >/dev/null || fail "refresh"
items=$(aggctl status --json | jq -r .items)
assert_eq "$items" 1501 "items stored"

ticks0=$(httpd_count tick.xml)
(cd "$T/elsewhere" && "$BUILD/aggctl" -s "$T/aggd.sock" backup copy.db) ||
    fail "backup failed"
[ -f "$T/elsewhere/copy.db" ] || fail "the copy is not where the client is"
ok "a relative FILE is the client's"
assert_eq "$(stat -c %a "$T/elsewhere/copy.db")" 600 "the copy is 0600"
assert_eq "$(sqlite3 "$T/elsewhere/copy.db" 'PRAGMA integrity_check')" ok \
    "the copy passes integrity_check"
assert_eq "$(sqlite3 "$T/elsewhere/copy.db" 'SELECT count(*) FROM items')" \
    "$items" "the copy holds every item"
ls "$T/elsewhere" | grep -q tmp && fail "a temporary file was left"
ok "no temporary file left"
steps=$(grep -c 'backing up to' "$T/aggd.log")
assert_eq "$steps" 1 "one backup logged"

# While backups run, the 1 s feed is polled on time.
WAIT_FOR=10 httpd_wait_count tick.xml $((ticks0 + 2)) ||
    fail "the 1 s feed was not polled"
i=0
while [ "$i" -lt 3 ]; do
	aggctl backup --force "$T/elsewhere/copy.db" || fail "backup --force"
	i=$((i + 1))
done
ok "--force replaces the copy"

aggctl backup "$T/elsewhere/copy.db" 2>"$T/err" && fail "overwrote FILE"
assert_line "$T/err" "aggctl: $T/elsewhere/copy.db exists: give another name, or --force to replace it" \
    "an existing FILE is refused"
aggctl backup /nonexistent/dir/x.db 2>"$T/err" && fail "backup to nowhere"
assert_line "$T/err" \
    "aggctl: cannot write /nonexistent/dir/x.db: no such file or directory" \
    "an unwritable place is named"
aggctl status >/dev/null || fail "status after the backups"
aggd_stop
