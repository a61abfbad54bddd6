#!/bin/sh
# A start-up failure after the configuration was read (the socket busy
# with another aggd, a database that cannot be created) is one line on
# stderr and exit 1, with -f and without, and no progress lines before
# it (INTERFACE.md: "one clear line on stderr").  A good start still logs
# its progress.

. "$(dirname "$0")/lib.sh"

# once NAME CONF WANT: aggd with and without -f exits 1, stderr is WANT.
once() {
	for _fg in -f -d; do
		# shellcheck disable=SC2086
		"$BUILD/aggd" $_fg -c "$2" >"$T/out" 2>"$T/err" &
		_pid=$!
		wait_pid "$_pid" 10
		assert_eq "$?" 1 "$1 (aggd $_fg): exit 1"
		assert_line "$T/err" "$3" "$1 (aggd $_fg): one line"
		[ ! -s "$T/out" ] || fail "$1: aggd wrote on stdout"
	done
}

aggd_start
grep -q 'starting' "$T/aggd.log" || fail "no 'starting' line in the log"
grep -q "listening on $T/aggd.sock" "$T/aggd.log" ||
    fail "no 'listening on' line in the log"
ok "a good start logs its progress"
# Another database (the same one would be refused for its lock first).
printf '[daemon]\ndatabase = %s\nsocket = %s\n' "$T/other.db" \
    "$T/aggd.sock" >"$T/other.conf"
once busy "$T/other.conf" "aggd: another aggd is listening on $T/aggd.sock"
kill -0 "$AGGD_PID" || fail "the running aggd died"
aggd_stop

: >"$T/file"
cat >"$T/baddb.conf" <<EOF
[daemon]
database = $T/file/aggd.db
socket = $T/s/aggd.sock
EOF
once database "$T/baddb.conf" \
    "aggd: cannot open database $T/file/aggd.db: lock file $T/file/aggd.db.lock: not a directory"
[ ! -e "$T/s/aggd.sock" ] || fail "the socket was left behind"
ok "no socket left behind"
