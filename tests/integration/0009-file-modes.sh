#!/bin/sh
# Every file aggd creates is private from its first byte whatever the
# user's umask (here 022): the database, its -wal and -shm (SQLite gives
# them the database's mode when it creates them), the lock file,
# the socket 0600 and the directories 0700; with socket_group the socket
# is 0660 and its directory 0750, in that group.  Hooks run with the
# user's umask, not aggd's.

. "$(dirname "$0")/lib.sh"

umask 022
mkdir -p "$T/www"
cat >"$T/www/f.xml" <<'XML'
<rss version="2.0"><channel><title>Modes</title>
<item><guid>a</guid><title>First</title><link>http://example.org/a</link></item>
</channel></rss>
XML
cat >"$T/hook.sh" <<'SH'
#!/bin/sh
cat >/dev/null
: >"$1/hook-$AGG_ITEM_ID"
SH
chmod +x "$T/hook.sh"
httpd_start "$T/www" || fail "httpd"
cat >"$T/aggd.conf" <<EOF
[daemon]
database = $T/data/aggd.db
socket = $T/run/aggd.sock
host_delay = 0
hook = $T/hook.sh $T
EOF

# mode FILE WANT
mode() {
	[ -e "$1" ] || fail "no $1"
	assert_eq "$(stat -c %a "$1")" "$2" "mode of ${1#"$T"/}"
}

"$BUILD/aggd" -f -c "$T/aggd.conf" 2>>"$T/aggd.log" &
AGGD_PID=$!
S=$T/run/aggd.sock
wait_for "$BUILD/aggctl" -s "$S" status >/dev/null 2>&1 ||
    fail "aggd does not answer on $S"
"$BUILD/aggctl" -s "$S" add "$HTTPD_URL/f.xml" --announce-existing \
    >/dev/null || fail "add"
wait_for test -e "$T/hook-1" || fail "the hook did not run"
[ -e "$T/data/aggd.db-wal" ] || fail "no WAL while aggd runs"
mode "$T/data" 700
mode "$T/data/aggd.db" 600
mode "$T/data/aggd.db-wal" 600
mode "$T/data/aggd.db-shm" 600
mode "$T/data/aggd.db.lock" 600
mode "$T/run" 700
mode "$S" 600
mode "$T/hook-1" 644
aggd_stop

# An older aggd left its files 0644: they are made private at start.
chmod 644 "$T/data/aggd.db"
: >"$T/data/aggd.db-wal"
chmod 644 "$T/data/aggd.db-wal"
"$BUILD/aggd" -f -c "$T/aggd.conf" 2>>"$T/aggd.log" &
AGGD_PID=$!
wait_for "$BUILD/aggctl" -s "$S" status >/dev/null 2>&1 ||
    fail "aggd does not answer on $S"
mode "$T/data/aggd.db" 600
mode "$T/data/aggd.db-wal" 600
aggd_stop

# socket_group: a group we are in (our own), on a directory aggd makes.
group=$(id -gn)
cat >"$T/group.conf" <<EOF
[daemon]
database = $T/g/aggd.db
socket = $T/g/run/aggd.sock
socket_group = $group
EOF
"$BUILD/aggd" -f -c "$T/group.conf" 2>>"$T/aggd.log" &
AGGD_PID=$!
S=$T/g/run/aggd.sock
wait_for "$BUILD/aggctl" -s "$S" status >/dev/null 2>&1 ||
    fail "aggd does not answer on $S"
mode "$S" 660
mode "$T/g/run" 750
assert_eq "$(stat -c %G "$S") $(stat -c %G "$T/g/run")" "$group $group" \
    "socket and directory in group $group"
mode "$T/g/aggd.db" 600
aggd_stop
