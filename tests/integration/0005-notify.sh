#!/bin/sh
# systemd notification (Type=notify): with NOTIFY_SOCKET naming a datagram
# socket, aggd sends READY=1 once it serves, RELOADING=1 and then READY=1
# around a SIGHUP, and STOPPING=1 on SIGTERM, each in its own datagram and
# in that order.  Under NOTIFY_SOCKET it never forks, even without -f.
# sockpeer -u prints one datagram per line (newlines inside as "\n").

. "$(dirname "$0")/lib.sh"

sockpeer -u "$T/notify.sock" >"$T/notify.out" 2>"$T/notify.err" &
peer=$!
track_pid "$peer"
wait_for test -S "$T/notify.sock" ||
    fail "the datagram listener did not bind: $(cat "$T/notify.err")"

# The assignments of datagram N (1-based), one per line.
dgram() {
	sed -n "$1p" "$T/notify.out" | sed 's/\\n/\n/g'
}
# The first assignment of each datagram, space-separated.
kinds() {
	sed 's/\\n.*//' "$T/notify.out" | tr '\n' ' ' | sed 's/ $//'
}
has_lines() {
	[ "$(wc -l <"$T/notify.out")" -ge "$1" ]
}

export NOTIFY_SOCKET="$T/notify.sock"
aggd_start
wait_for has_lines 1 || fail "no datagram after start"
dgram 1 | grep -qx 'READY=1' ||
    fail "first datagram has no READY=1: '$(sed -n 1p "$T/notify.out")'"
ok "READY=1 once started"
# READY=1 comes after the socket is served, so a client may talk at once.
aggctl status >/dev/null || fail "status after READY=1"

kill -HUP "$AGGD_PID" || fail "cannot send SIGHUP"
wait_for has_lines 3 || fail "fewer than three datagrams after SIGHUP: $(kinds)"
assert_eq "$(kinds)" "READY=1 RELOADING=1 READY=1" \
    "SIGHUP: RELOADING=1 then READY=1"
dgram 3 | grep -qx 'READY=1' || fail "third datagram: $(sed -n 3p "$T/notify.out")"
grep -q 'configuration .* reloaded' "$T/aggd.log" ||
    fail "no reload line in the log"
aggctl status >/dev/null || fail "status after the reload"
ok "still serving after the reload"

aggd_stop
wait_for has_lines 4 || fail "no datagram after SIGTERM: $(kinds)"
assert_eq "$(kinds)" "READY=1 RELOADING=1 READY=1 STOPPING=1" \
    "SIGTERM: STOPPING=1, last"
dgram 4 | grep -qx 'STOPPING=1' || fail "fourth datagram: $(sed -n 4p "$T/notify.out")"

# Without -f: under NOTIFY_SOCKET aggd stays in the foreground, so the
# process we started is the one that serves and says READY=1.
: >"$T/notify.out"
"$BUILD/aggd" -c "$T/aggd.conf" 2>>"$T/aggd.log" &
AGGD_PID=$!
wait_for has_lines 1 || fail "no READY=1 without -f"
assert_eq "$(kinds)" "READY=1" "READY=1 without -f"
wait_for aggctl status >/dev/null 2>&1 || fail "no answer without -f"
# Had it forked, the process we signal would be gone (exit 0) and the
# child would go on answering without a STOPPING=1.
aggd_stop
wait_for has_lines 2 || fail "no STOPPING=1 without -f"
assert_eq "$(kinds)" "READY=1 STOPPING=1" "STOPPING=1 without -f"
aggctl status >/dev/null 2>&1 && fail "a daemon still answers after SIGTERM"
ok "no fork under NOTIFY_SOCKET"
