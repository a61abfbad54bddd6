#!/bin/sh
# aggd stays in the foreground by default: started without -f (and without
# NOTIFY_SOCKET), the process the shell started is the one that serves, and
# it logs to stderr.  -f changes nothing.  -d detaches: the command returns
# 0 once the daemon serves, and the daemon is another process (the pid in
# the database's lock file), which SIGTERM stops.

. "$(dirname "$0")/lib.sh"

# Without -f: $! is the daemon itself; had it forked, $! would have exited.
"$BUILD/aggd" -c "$T/aggd.conf" 2>>"$T/aggd.log" &
AGGD_PID=$!
wait_for aggctl status >/dev/null 2>&1 || fail "no answer without -f"
kill -0 "$AGGD_PID" 2>/dev/null || fail "the process started is gone: it forked"
assert_eq "$(cat "$T/aggd.db.lock")" "$AGGD_PID" \
    "without -f the started process is the daemon"
grep -q "^aggd: listening on $T/aggd.sock" "$T/aggd.log" ||
    fail "no progress on stderr in the foreground"
ok "in the foreground it logs to stderr"
aggd_stop
aggctl status >/dev/null 2>&1 && fail "a daemon still answers after SIGTERM"
ok "SIGTERM to the started process stops it"

# -f: the same.
"$BUILD/aggd" -f -c "$T/aggd.conf" 2>>"$T/aggd.log" &
AGGD_PID=$!
wait_for aggctl status >/dev/null 2>&1 || fail "no answer with -f"
assert_eq "$(cat "$T/aggd.db.lock")" "$AGGD_PID" "-f: the same process"
aggd_stop

# -d: returns once the daemon serves; the daemon is its child.
: >"$T/d.err"
"$BUILD/aggd" -d -c "$T/aggd.conf" 2>"$T/d.err" &
starter=$!
wait_pid "$starter" 10
assert_eq "$?" 0 "-d: the command exits 0"
dpid=$(cat "$T/aggd.db.lock")
track_pid "$dpid"
[ "$dpid" != "$starter" ] || fail "-d: the daemon is the process started"
kill -0 "$dpid" 2>/dev/null || fail "-d: no daemon (pid $dpid)"
aggctl status >/dev/null || fail "-d: the detached daemon does not answer"
ok "-d: a detached daemon ($dpid) serves"
# Once detached it logs to syslog: its stderr is /dev/null.
[ "$(readlink "/proc/$dpid/fd/2")" = /dev/null ] ||
    fail "-d: stderr is $(readlink "/proc/$dpid/fd/2")"
ok "-d: stderr let go"
kill "$dpid"
wait_for sh -c "! kill -0 $dpid 2>/dev/null" || fail "-d: did not stop"
ok "-d: SIGTERM stops it"
