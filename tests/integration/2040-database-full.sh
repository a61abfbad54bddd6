#!/bin/sh
# A failed write is an error where users look.  The database sits on a
# small tmpfs of its own (a private mount namespace, so root only; skipped
# elsewhere); a filler file takes the free space, and a feed whose items no
# longer fit is refreshed: refresh --wait exits 1 naming the feed and
# "database or disk is full", feeds --json shows it in last_error (which
# could not be written to the database), status counts it.  The daemon
# keeps running; once the filler is removed the next refresh stores the
# items and clears the error, with no restart.  Then a file size limit
# (ulimit -f) does the same through EFBIG, and aggd survives its SIGXFSZ.

if [ -z "${AGGD_TEST_NS:-}" ]; then
	if [ "$(id -u)" -ne 0 ] ||
	    ! unshare -m --propagation private true 2>/dev/null; then
		echo "ok - skipped: needs root and unshare -m for a tmpfs"
		exit 0
	fi
	AGGD_TEST_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

mkdir "$T/db"
mount -t tmpfs -o size=8m,mode=0700 aggd-test "$T/db" || {
	echo "ok - skipped: cannot mount a tmpfs"
	exit 0
}
# Detach it before lib.sh's cleanup removes T (aggd may still hold it).
trap 'umount -l "$T/db" 2>/dev/null; _lib_cleanup' EXIT
sed -i "s|^database = .*|database = $T/db/aggd.db|" "$T/aggd.conf"

# big.xml: N items of about 2 KiB each.
big() {
	awk -v n="$1" -v tag="$2" 'BEGIN {
		pad = sprintf("%2000s", "")
		print "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		print "<rss version=\"2.0\"><channel><title>Big</title>"
		for (i = 1; i <= n; i++)
			printf "<item><guid>%s-%d</guid><title>%s %d</title>" \
			    "<description>%s %d</description></item>\n",
			    tag, i, tag, i, pad, i
		print "</channel></rss>"
	}' >"$T/docs/big.xml"
}
big 1 a
httpd_start "$T/docs" || exit 1
aggd_start
url=$HTTPD_URL/feeds/big.xml
add_wait "$url" --interval 1h
assert_eq "$(feed "$ID" .last_error)" null "first fetch stored"
assert_eq "$(aggctl status --json | jq -c '[.database_errors, .database_error]')" \
    '[0,null]' "status: no database error yet"

# Fill the file system, then serve far more than fits.
dd if=/dev/zero of="$T/db/filler" bs=64k 2>/dev/null
big 2000 b
aggctl refresh --wait "$ID" 2>"$T/err"
rc=$?
assert_eq "$rc" 1 "refresh --wait exits 1 when the items cannot be written"
grep -q "^aggctl: feed $ID ($url): .*database or disk is full" "$T/err" ||
    fail "refresh --wait stderr: $(cat "$T/err")"
ok "refresh --wait names the feed and the error: $(cat "$T/err")"
kill -0 "$AGGD_PID" || fail "aggd died"
err=$(feed "$ID" .last_error)
case $err in
*"database or disk is full"*) ok "last_error: $err" ;;
*) fail "last_error: $err" ;;
esac
assert_eq "$(feed "$ID" .items)" 1 "nothing of the failed fetch stored"
st=$(aggctl status --json)
echo "$st" | jq -e '.database_errors >= 1 and
    (.database_error | test("database or disk is full"))' >/dev/null ||
    fail "status: $st"
ok "status: $(echo "$st" | jq -c '[.database_errors, .database_error]')"

# Space comes back: the next refresh stores everything and clears it all.
rm -f "$T/db/filler"
aggctl refresh --wait "$ID" 2>"$T/err" || fail "refresh after freeing space: $? $(cat "$T/err")"
assert_eq "$(feed "$ID" .last_error)" null "last_error cleared"
assert_eq "$(feed "$ID" .items)" 2001 "the items stored"
assert_eq "$(aggctl status --json | jq -c .database_error)" null \
    "status: the last write succeeded"

# A file size limit (RLIMIT_FSIZE) makes such writes fail with EFBIG and
# would kill aggd with SIGXFSZ, which it ignores: a failed poll instead.
aggd_stop
big 3000 c
ulimit -f 2048
aggd_start
aggctl refresh --wait "$ID" 2>"$T/err"
assert_eq "$?" 1 "over the file size limit: refresh --wait exits 1"
kill -0 "$AGGD_PID" || fail "aggd died of the file size limit"
grep -q "^aggctl: feed $ID ($url): database error: " "$T/err" ||
    fail "over the file size limit: $(cat "$T/err")"
ok "over the file size limit: $(cat "$T/err")"
aggd_stop
