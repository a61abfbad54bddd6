#!/bin/sh
# A damaged database is refused at start (PRAGMA quick_check), with one
# line naming the file and pointing to the README's recovery section,
# exit 1: junk over a page in the middle of a real database, and junk over
# its header.  The recovery the README gives (sqlite3 .recover) then makes
# a database aggd starts on.

. "$(dirname "$0")/lib.sh"

# refused WHAT: aggd exits 1 with the one damaged-database line.
refused() {
	"$BUILD/aggd" -f -c "$T/aggd.conf" >"$T/out" 2>"$T/err" &
	_p=$!
	wait_pid "$_p" 10
	assert_eq "$?" 1 "$1: exit 1"
	case $(sed -n 1p "$T/err") in
	"aggd: database $T/aggd.db is damaged ("?*"): copy out what can be read with sqlite3 $T/aggd.db .recover (or .dump) | sqlite3 NEW.db, see \"If the database is damaged\" in the README")
		ok "$1: the line names the database and the way out" ;;
	*)	fail "$1: stderr: $(cat "$T/err")" ;;
	esac
	[ "$(wc -l <"$T/err")" -eq 1 ] || grep -q LeakSanitizer "$T/err" ||
	    fail "$1: more than one line: $(cat "$T/err")"
	[ ! -e "$T/aggd.sock" ] || fail "$1: a socket was left behind"
}

aggd_start
i=0
while [ "$i" -lt 40 ]; do
	aggctl add "http://127.0.0.1:9/feed-$i.xml" --title "feed $i" \
	    >/dev/null || fail "add feed $i"
	i=$((i + 1))
done
aggd_stop
[ ! -s "$T/aggd.db-wal" ] || fail "the WAL was not checkpointed at stop"
cp "$T/aggd.db" "$T/good.db"
pagesize=$(od -An -tu1 -j16 -N2 "$T/aggd.db" | awk '{ print $1 * 256 + $2 }')
pages=$(( $(stat -c %s "$T/aggd.db") / pagesize ))
[ "$pages" -ge 4 ] || fail "only $pages pages"
# The page junked: an index's (feed_aliases_feed), so .dump still reads
# every table and the recovery below works whatever pages later schemas
# add; without a sqlite3 shell, the middle one.
junkpage=$((pages / 2))
if command -v sqlite3 >/dev/null 2>&1; then
	junkpage=$(sqlite3 "$T/good.db" "SELECT rootpage - 1 FROM sqlite_master
	    WHERE name = 'feed_aliases_feed'") || fail "rootpage"
fi
# Junk over the whole middle page, a fixed pattern so every run is alike.
yes 'junk junk junk' | head -c "$pagesize" >"$T/junk"
dd if="$T/junk" of="$T/aggd.db" bs="$pagesize" seek="$junkpage" \
    count=1 conv=notrunc 2>/dev/null || fail "dd"
refused "junk over page $((junkpage + 1)) of $pages"

cp "$T/good.db" "$T/aggd.db"
dd if="$T/junk" of="$T/aggd.db" bs=100 count=1 conv=notrunc 2>/dev/null ||
    fail "dd"
refused "junk over the header"

# The README's recovery: .recover where the sqlite3 shell has it (it
# needs SQLITE_ENABLE_DBPAGE_VTAB, which some distributions leave out),
# else .dump.
cp "$T/good.db" "$T/aggd.db"
dd if="$T/junk" of="$T/aggd.db" bs="$pagesize" seek="$junkpage" \
    count=1 conv=notrunc 2>/dev/null || fail "dd"
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "ok - # SKIP no sqlite3 shell for the recovery"
	exit 0
fi
how=.recover
sqlite3 "$T/aggd.db" .recover >"$T/recover.sql" 2>/dev/null || how=.dump
[ "$how" = .recover ] || sqlite3 "$T/aggd.db" .dump >"$T/recover.sql" ||
    fail "sqlite3 .dump"
sqlite3 "$T/new.db" <"$T/recover.sql" >/dev/null 2>&1
# .dump leaves out the schema version, which aggd's migrations go by.
v=$(sqlite3 "$T/aggd.db" 'PRAGMA user_version') || fail "user_version"
sqlite3 "$T/new.db" "PRAGMA user_version = $v" || fail "set user_version"
mv "$T/aggd.db" "$T/damaged.db"
mv "$T/new.db" "$T/aggd.db"
aggd_start
n=$(aggctl feeds --json | wc -l)
[ "$n" -gt 0 ] || fail "no feed left after the recovery"
ok "aggd starts on the database recovered with $how ($n of 40 feeds)"
aggd_stop
