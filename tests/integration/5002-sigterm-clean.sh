#!/bin/sh
# SIGTERM and SIGINT stop aggd cleanly: exit status 0, the socket file
# removed, the database consistent (integrity check, nothing left in the
# WAL that a reader cannot see), even with a client connected and one
# hanging mid-request.

. "$(dirname "$0")/lib.sh"

for sig in TERM INT; do
	aggd_start
	aggctl add "http://127.0.0.1:9/$sig.xml" >/dev/null || fail "add"
	printf '{"hello":"t","version":"0","proto":1}\n{"cmd":"fe' |
	    sockpeer -t 60 -p "$T/ready.$sig" "$T/aggd.sock" >/dev/null &
	peer=$!
	track_pid "$peer"
	wait_for test -e "$T/ready.$sig" || fail "client did not connect"
	aggd_stop "$sig"
	ok "SIG$sig: exit 0"
	[ ! -e "$T/aggd.sock" ] || fail "SIG$sig: the socket file is left"
	ok "SIG$sig: socket removed"
	# The hanging client was disconnected, not left waiting.
	wait_pid "$peer" 10
	assert_eq "$?" 0 "SIG$sig: the hanging client was closed"
	grep -q stopped "$T/aggd.log" || fail "SIG$sig: no 'stopped' in the log"
	assert_eq "$(sqlite3 "$T/aggd.db" 'PRAGMA integrity_check')" ok \
	    "SIG$sig: database integrity"
	sqlite3 "$T/aggd.db" "SELECT url FROM feeds" | grep -qx \
	    "http://127.0.0.1:9/$sig.xml" || fail "SIG$sig: feed not stored"
	: >"$T/aggd.log"
done

# aggctl reports a daemon that is gone.
aggctl status 2>"$T/err" && fail "status after the stop exited 0"
grep -q '^aggctl: no daemon at ' "$T/err" ||
    fail "after the stop: '$(cat "$T/err")'"
ok "no daemon after the stop"
