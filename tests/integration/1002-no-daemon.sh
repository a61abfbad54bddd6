#!/bin/sh
# Without a daemon, aggctl fails with one line naming the socket:
# "aggctl: no daemon at PATH: reason", for a missing socket file and for a
# stale one nobody listens on.

. "$(dirname "$0")/lib.sh"

sock=$T/nothing/aggd.sock
"$BUILD/aggctl" -s "$sock" status >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -ne 0 ] || fail "aggctl status without a daemon exited 0"
ok "status without a daemon exits $rc"
assert_line "$T/err" \
    "aggctl: no daemon at $sock: no such file or directory" "the line"
[ ! -s "$T/out" ] || fail "printed on stdout: $(cat "$T/out")"

# $AGGD_SOCKET is used without -s.
AGGD_SOCKET=$sock "$BUILD/aggctl" feeds 2>"$T/err" &&
    fail "aggctl feeds without a daemon exited 0"
assert_line "$T/err" \
    "aggctl: no daemon at $sock: no such file or directory" \
    "\$AGGD_SOCKET names the socket"

# A socket file left behind by a dead daemon: connection refused.
aggd_start
kill -KILL "$AGGD_PID"
wait "$AGGD_PID" 2>/dev/null
AGGD_PID=
[ -S "$T/aggd.sock" ] || fail "no stale socket after SIGKILL"
aggctl status 2>"$T/err" && fail "status on a stale socket exited 0"
assert_line "$T/err" \
    "aggctl: no daemon at $T/aggd.sock: connection refused" \
    "a stale socket: connection refused"

# And aggd starts over a stale socket (nobody answers on it).
aggd_start
ok "aggd starts over a stale socket"
# But not over a live one: a second aggd (on another database, or the
# database lock would stop it first) refuses and leaves the first.
printf '[daemon]\ndatabase = %s\nsocket = %s\n' "$T/other.db" \
    "$T/aggd.sock" >"$T/other.conf"
"$BUILD/aggd" -f -c "$T/other.conf" 2>"$T/err2" &
p2=$!
wait_pid "$p2" 10
rc=$?
[ "$rc" -ne 0 ] || fail "a second aggd on the same socket exited 0"
grep -q 'another aggd is listening' "$T/err2" ||
    fail "second aggd: '$(cat "$T/err2")'"
aggctl status >/dev/null || fail "the first aggd stopped answering"
ok "a second aggd does not steal the socket"
aggd_stop
