#!/bin/sh
# Storage (issue 9, "Compact storage"): how many bytes the database takes
# for the bytes the feeds served.  gen-feeds writes N feeds (default 2,000,
# 20 items of about 4 KB each: the polling benchmark's corpus, whose feeds
# depend only on their number), the loopback test server serves them, aggd
# polls each once (`aggctl refresh --wait`) and stops; then the database
# file (checkpointed at exit) is compared with the bytes served, and the
# space each table and index takes is listed (SQLite's dbstat), with how
# the items' text is stored.  The text dictionary is trained once 500
# items are stored and used from then on: in a run of 200 feeds it comes
# too late for any item, and the figure is that of the items before it.
#
# usage: BUILD=build BENCH_FEEDS=2000 sh bench/storage.sh
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
case $BUILD in
/*)	;;
*)	BUILD=$top/$BUILD ;;
esac
N=${BENCH_FEEDS:-2000}
FEEDS=$BUILD/bench-feeds
W=$BUILD/bench-storage
AGGD=$BUILD/aggd
AGGCTL=$BUILD/aggctl
GEN=$BUILD/bench/gen-feeds
HTTPD=$BUILD/tests/httpd

httpd_pid=
aggd_pid=

die() {
	echo "bench/storage.sh: $*" >&2
	exit 1
}

cleanup() {
	[ -n "$aggd_pid" ] && kill "$aggd_pid" 2>/dev/null
	[ -n "$httpd_pid" ] && kill "$httpd_pid" 2>/dev/null
	[ -n "$aggd_pid" ] && wait "$aggd_pid" 2>/dev/null
	[ -n "$httpd_pid" ] && wait "$httpd_pid" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

for b in "$AGGD" "$AGGCTL" "$GEN" "$HTTPD"; do
	[ -x "$b" ] || die "$b is missing: run make bench"
done
command -v sqlite3 >/dev/null || die "sqlite3 is missing"

# The same corpus as bench/poll.sh, generated once (a larger set serves a
# smaller run as it is).
stamp="items=20 size=87000 v=1"
have=$(sed -n "s/^feeds=\([0-9]*\) $stamp\$/\1/p" "$FEEDS/.stamp" 2>/dev/null)
if [ -z "$have" ] || [ "$have" -lt "$N" ]; then
	echo "generating $N feeds into $FEEDS" >&2
	rm -rf "$FEEDS"
	mkdir -p "$FEEDS" || exit 1
	"$GEN" -n "$N" -i 20 -s 87000 "$FEEDS" || die "gen-feeds failed"
	echo "feeds=$N $stamp" >"$FEEDS/.stamp"
fi

rm -rf "$W"
mkdir -p "$W" || exit 1
"$HTTPD" -d "$FEEDS" -p "$W/httpd.port" -l /dev/null 2>"$W/httpd.err" &
httpd_pid=$!
i=0
while [ ! -s "$W/httpd.port" ]; do
	kill -0 "$httpd_pid" 2>/dev/null || die "httpd exited: $(cat "$W/httpd.err")"
	i=$((i + 1))
	[ "$i" -lt 100 ] || die "httpd wrote no port"
	sleep 0.1
done
base=http://127.0.0.1:$(cat "$W/httpd.port")

cat >"$W/aggd.conf" <<EOF
[daemon]
database = $W/aggd.db
socket = $W/aggd.sock
host_delay = 0
max_connections = 16
per_host_connections = 16
interval = 1d
EOF
ctl() {
	"$AGGCTL" -s "$W/aggd.sock" "$@"
}
"$AGGD" -f -c "$W/aggd.conf" 2>"$W/aggd.log" &
aggd_pid=$!
i=0
until ctl status >/dev/null 2>&1; do
	kill -0 "$aggd_pid" 2>/dev/null || die "aggd exited: $(tail -n 1 "$W/aggd.log")"
	i=$((i + 1))
	[ "$i" -lt 100 ] || die "aggd does not answer"
	sleep 0.1
done
awk -v n="$N" -v base="$base" 'BEGIN {
	print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	print "<opml version=\"2.0\"><head><title>bench</title></head><body>"
	for (i = 1; i <= n; i++)
		printf "<outline type=\"rss\" text=\"feed %d\" xmlUrl=\"%s/feed-%05d.xml\"/>\n", i, base, i
	print "</body></opml>"
}' >"$W/feeds.opml"
ctl import "$W/feeds.opml" >/dev/null || die "aggctl import failed"
t0=$(date +%s.%N)
ctl refresh --wait >"$W/refresh.out" 2>&1 ||
    die "refresh --wait failed: $(tail -n 1 "$W/refresh.out")"
t1=$(date +%s.%N)
items=$(ctl status --json | jq -r .items)
kill "$aggd_pid"
wait "$aggd_pid"
aggd_pid=

# "$FEEDS/": find does not enter a starting point that is a symbolic link
# (a feeds directory kept elsewhere and linked in), and then counted none.
served=$(find "$FEEDS/" -name 'feed-*.xml' -printf '%f %s\n' |
    awk -v n="$N" '{ i = substr($1, 6, 5) + 0 } i <= n { s += $2 } END { printf "%d", s }')
[ "$served" -gt 0 ] || die "no feed-*.xml found in $FEEDS"
db=$(stat -c %s "$W/aggd.db")
[ -e "$W/aggd.db-wal" ] && db=$((db + $(stat -c %s "$W/aggd.db-wal")))

echo
echo "storage: $N feeds, $items items, polled in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s"
printf '%-28s %12s\n' "bytes served" "$served"
printf '%-28s %12s  %s%% of served, %s bytes an item\n' "database bytes" "$db" \
    "$(awk "BEGIN { printf \"%.1f\", 100 * $db / $served }")" \
    "$(awk "BEGIN { printf \"%.0f\", $db / ($items > 0 ? $items : 1) }")"
echo
sqlite3 "$W/aggd.db" "SELECT printf('items: %d; text packed with the'
    || ' dictionary %d, packed alone %d, plain %d', count(*),
    sum(substr(content, 1, 1) = X'44'), sum(substr(content, 1, 1) = X'5A'),
    sum(typeof(content) != 'blob')) FROM items" 2>/dev/null
echo "by table and index (dbstat):"
sqlite3 "$W/aggd.db" "SELECT printf('  %-26s %12d', name, sum(pgsize))
    FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC" 2>/dev/null ||
    echo "  (this sqlite3 has no dbstat)"
awk "BEGIN { exit !($db * 2 <= $served) }" &&
    echo "target (at most half the bytes served): met" ||
    echo "target (at most half the bytes served): MISSED"
