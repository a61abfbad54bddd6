#!/bin/sh
# sd_notify under a notify socket of the test's own (sockpeer -T -u stamps
# each datagram) with WATCHDOG_USEC: READY=1 comes with a STATUS= of live
# figures; WATCHDOG=1 arrives at about half WATCHDOG_USEC, from the event
# loop: a stopped daemon (SIGSTOP) sends none, and they resume on SIGCONT;
# STATUS= follows a change of figures (a feed added, and failing);
# SIGHUP sends RELOADING=1 with MONOTONIC_USEC then READY=1, a failed
# reload says so in STATUS= until a good one clears it; SIGTERM sends
# STOPPING=1.  A WATCHDOG_PID naming another process means no pings.

. "$(dirname "$0")/lib.sh"

sockpeer -T -u "$T/notify.sock" >"$T/notify.out" 2>"$T/notify.err" &
track_pid $!
wait_for test -S "$T/notify.sock" ||
    fail "the datagram listener did not bind: $(cat "$T/notify.err")"

# Lines are "MS DATAGRAM"; \n inside a datagram is written "\n".
msgs() {
	cut -d' ' -f2- "$T/notify.out"
}
count() {
	msgs | grep -c "$1"
}
at_least() {
	[ "$(count "$1")" -ge "$2" ]
}

export NOTIFY_SOCKET="$T/notify.sock"
export WATCHDOG_USEC=400000
aggd_start
wait_for at_least '^READY=1' 1 || fail "no READY=1"
msgs | grep -m 1 '^READY=1' >"$T/ready"
grep -q '^READY=1\\nSTATUS=0 feeds, 0 failing, 0 transfers, 0 hooks pending$' \
    "$T/ready" || fail "READY=1 without the live STATUS: $(cat "$T/ready")"
ok "READY=1 with STATUS=0 feeds, 0 failing, 0 transfers, 0 hooks pending"

# Pings at half of 400 ms: 10 of them take about 2 s.
wait_for at_least '^WATCHDOG=1$' 10 || fail "fewer than 10 WATCHDOG=1 in 10 s"
# The mean gap says the pace; a loaded machine may delay one ping, never
# bring one early.
grep ' WATCHDOG=1$' "$T/notify.out" | cut -d' ' -f1 | awk '
    NR > 1 { d = $1 - prev; if (min == "" || d < min) min = d; sum += d }
    { prev = $1 }
    END { printf "%d %d\n", min, sum / (NR - 1) }' >"$T/gaps"
read -r min mean <"$T/gaps"
[ "$min" -ge 150 ] && [ "$mean" -ge 170 ] && [ "$mean" -le 300 ] ||
    fail "watchdog gaps: shortest $min ms, mean $mean ms, want about 200"
ok "WATCHDOG=1 every ~200 ms (mean $mean ms) for WATCHDOG_USEC=400000"

# A stalled loop stops the pings: SIGSTOP for a second (five intervals).
kill -STOP "$AGGD_PID" || fail "cannot stop aggd"
sleep 0.3	# a ping in flight lands
n=$(count '^WATCHDOG=1$')
sleep 1
n2=$(count '^WATCHDOG=1$')
kill -CONT "$AGGD_PID"
assert_eq "$n2" "$n" "no WATCHDOG=1 while the daemon is stopped"
wait_for at_least '^WATCHDOG=1$' $((n2 + 3)) || fail "no pings after SIGCONT"
ok "pings resume after SIGCONT"

# STATUS follows the figures: a feed that cannot be fetched (nothing
# listens on 127.0.0.1:9) is counted, then counted as failing.
aggctl add http://127.0.0.1:9/feed.xml >/dev/null || fail "aggctl add"
WAIT_FOR=25 wait_for at_least '^STATUS=1 feeds, 1 failing, 0 transfers' 1 ||
    fail "STATUS did not follow: $(msgs | grep '^STATUS' | tail -n 3)"
ok "STATUS=1 feeds, 1 failing once the feed fails"

# A failed reload, then a good one.
nr=$(count '^RELOADING=1')
cp "$T/aggd.conf" "$T/good.conf"
echo 'intervall = 2h' >>"$T/aggd.conf"
kill -HUP "$AGGD_PID"
wait_for at_least '^RELOADING=1' $((nr + 1)) || fail "no RELOADING=1"
msgs | grep '^RELOADING=1' | tail -n 1 |
    grep -q '^RELOADING=1\\nMONOTONIC_USEC=[0-9][0-9]*$' ||
    fail "RELOADING=1 without MONOTONIC_USEC"
ok "SIGHUP: RELOADING=1 with MONOTONIC_USEC"
nready=$(count '^READY=1')
wait_for at_least '^READY=1' 2 || fail "no READY=1 after the failed reload"
msgs | grep '^READY=1' | tail -n 1 >"$T/ready"
grep -q "^READY=1\\\\nSTATUS=reload failed: $T/aggd.conf:[0-9]*: unknown key 'intervall' in \[daemon\]; 1 feeds" \
    "$T/ready" || fail "the failure is not in STATUS: $(cat "$T/ready")"
ok "a failed reload: READY=1, STATUS says reload failed and why"
# Live updates keep saying it.
cp "$T/good.conf" "$T/aggd.conf"
kill -HUP "$AGGD_PID"
wait_for at_least '^READY=1' $((nready + 1)) || fail "no READY=1 after the good reload"
msgs | grep '^READY=1' | tail -n 1 >"$T/ready"
grep -q '^READY=1\\nSTATUS=1 feeds, 1 failing' "$T/ready" ||
    fail "a good reload did not clear the failure: $(cat "$T/ready")"
ok "a good reload clears the failure from STATUS"

aggd_stop
wait_for at_least '^STOPPING=1$' 1 || fail "no STOPPING=1"
ok "SIGTERM: STOPPING=1"

# WATCHDOG_PID of another process: no pings.
: >"$T/notify.out"
export WATCHDOG_PID=1
aggd_start
wait_for at_least '^READY=1' 1 || fail "no READY=1 (WATCHDOG_PID=1)"
sleep 1
assert_eq "$(count '^WATCHDOG=1$')" 0 "WATCHDOG_PID of another process: no pings"
aggd_stop
