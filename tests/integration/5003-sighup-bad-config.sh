#!/bin/sh
# A SIGHUP with a broken configuration file keeps the daemon running on the
# configuration it has: the socket still answers, nothing of the broken
# file is taken (not even its good parts), and a log line says the reload
# failed, naming the file and line; systemd hears READY=1 with the failure
# in STATUS.  Once the file is fixed, the next SIGHUP applies it.  A
# relative -c path names the same file on SIGHUP after aggd has daemonised
# (and changed directory).  (Nothing listens on 127.0.0.1:9, so fetches
# fail locally.)

. "$(dirname "$0")/lib.sh"

sockpeer -u "$T/notify.sock" >"$T/notify.out" 2>"$T/notify.err" &
track_pid $!
wait_for test -S "$T/notify.sock" ||
    fail "the datagram listener did not bind: $(cat "$T/notify.err")"
export NOTIFY_SOCKET="$T/notify.sock"

cp "$T/aggd.conf" "$T/base.conf"
cat >>"$T/aggd.conf" <<'CONF'
interval = 30m

[feed "one"]
url = http://127.0.0.1:9/one.xml
interval = 15m
CONF
cp "$T/aggd.conf" "$T/first.conf"
aggd_start

# urls: the feeds' URLs and intervals, sorted, on one line.
urls() {
	aggctl feeds --json | jq -r '"\(.url) \(.interval)"' | sort |
	    tr '\n' ' '
}
failures() {
	grep -c 'reload failed' "$T/aggd.log"
}
ndgrams() {
	wc -l <"$T/notify.out"
}
reloads() {
	grep -c 'configuration .* reloaded' "$T/aggd.log"
}
# The datagrams from the last RELOADING=1 on (STATUS= lines with live
# figures may come between), and the first READY=1 among them.
since_reload() {
	awk '/^RELOADING=1/ { n = NR } { l[NR] = $0 }
	    END { if (n) for (i = n; i <= NR; i++) print l[i] }' \
	    "$T/notify.out"
}
ready_after_reload() {
	since_reload | grep -m 1 '^READY=1'
}
nreloading() {
	grep -c '^RELOADING=1' "$T/notify.out"
}
# at_least FUNCTION N: FUNCTION prints N or more (for wait_for).
at_least() {
	[ "$("$1")" -ge "$2" ]
}
want_first='http://127.0.0.1:9/one.xml 900 '
assert_eq "$(urls)" "$want_first" "started with feed one at 15m"

# hup_broken WHAT LINE: SIGHUP with the current (broken) file, which must be
# refused with a log line naming aggd.conf:LINE, leaving everything as it
# was.
hup_broken() {
	_n=$(failures)
	_d=$(nreloading)
	kill -HUP "$AGGD_PID" || fail "cannot send SIGHUP"
	wait_for at_least failures $((_n + 1)) ||
	    fail "$1: no 'reload failed' line in the log"
	grep 'reload failed' "$T/aggd.log" | tail -n 1 >"$T/line"
	grep -q "aggd[.]conf:$2: " "$T/line" ||
	    fail "$1: the failure does not name aggd.conf:$2: $(cat "$T/line")"
	ok "$1: reload failed, logged with file and line"
	kill -0 "$AGGD_PID" 2>/dev/null || fail "$1: aggd died"
	aggctl status >/dev/null || fail "$1: the socket does not answer"
	ok "$1: still running and answering"
	assert_eq "$(urls)" "$want_first" "$1: the running configuration kept"
	wait_for at_least nreloading $((_d + 1)) &&
	    wait_for ready_after_reload >/dev/null ||
	    fail "$1: no READY=1 after RELOADING=1: $(cat "$T/notify.out")"
	since_reload | sed -n 1p | grep -q '^RELOADING=1\\nMONOTONIC_USEC=[0-9]*$' ||
	    fail "$1: RELOADING=1 without MONOTONIC_USEC: $(since_reload)"
	ready_after_reload | grep -q \
	    "^READY=1\\\\nSTATUS=reload failed: .*aggd[.]conf:$2: " ||
	    fail "$1: READY=1 without the failure: $(ready_after_reload)"
	ok "$1: systemd told READY=1 with the failure"
}

# A syntax error after good changes: the good changes are not taken either.
cp "$T/base.conf" "$T/aggd.conf"
cat >>"$T/aggd.conf" <<'CONF'
interval = 2h

[feed "one"]
url = http://127.0.0.1:9/one.xml

[feed "two"]
url = http://127.0.0.1:9/two.xml
this line is not a key
CONF
line=$(grep -n 'not a key' "$T/aggd.conf" | cut -d: -f1)
hup_broken "syntax error" "$line"

# An unknown key in [daemon].
cp "$T/first.conf" "$T/aggd.conf"
echo 'intervall = 2h' >>"$T/aggd.conf"
hup_broken "unknown key" "$(wc -l <"$T/aggd.conf")"

# A feed that is not http.
cp "$T/first.conf" "$T/aggd.conf"
printf '\n[feed "ftp"]\nurl = ftp://127.0.0.1/x.xml\n' >>"$T/aggd.conf"
hup_broken "ftp feed" "$(wc -l <"$T/aggd.conf")"

# Fixed: the next SIGHUP applies it (the [daemon] interval now reaches feed
# one, which lost its own; feed two comes).
cp "$T/base.conf" "$T/aggd.conf"
cat >>"$T/aggd.conf" <<'CONF'
interval = 2h

[feed "one"]
url = http://127.0.0.1:9/one.xml

[feed "two"]
url = http://127.0.0.1:9/two.xml
CONF
n=$(reloads)
d=$(nreloading)
kill -HUP "$AGGD_PID" || fail "cannot send SIGHUP"
wait_for at_least reloads $((n + 1)) ||
    fail "no 'reloaded' line after fixing the file"
ok "the fixed file is reloaded"
assert_eq "$(urls)" \
    'http://127.0.0.1:9/one.xml 7200 http://127.0.0.1:9/two.xml 7200 ' \
    "the fixed configuration is applied"
wait_for at_least nreloading $((d + 1)) &&
    wait_for ready_after_reload >/dev/null || fail "no READY=1 after the fix"
ready_after_reload | grep -q 'reload failed' &&
    fail "the failure stays in STATUS after a good reload: $(ready_after_reload)"
ok "systemd told READY=1 without a failure"
aggd_stop

# Daemonised (-d, no NOTIFY_SOCKET) with a relative -c path: aggd moves
# to / when it forks, and a SIGHUP must still read the file it was given.
unset NOTIFY_SOCKET
rel=$(basename "$T").conf
sed "s|^database = .*|database = $T/rel.db|" "$T/first.conf" >"$T/$rel"
(cd "$T" && "$BUILD/aggd" -d -c "$rel" 2>>"$T/aggd.log") ||
    fail "daemonised aggd exited $?"
wait_for aggctl status >/dev/null 2>&1 || fail "the daemonised aggd does not answer"
# Its PID: the process whose command line is ours (our scratch name is in it).
daemon_pid() {
	for _p in /proc/[0-9]*; do
		[ "$(tr '\0' ' ' 2>/dev/null <"$_p/cmdline")" = \
		    "$BUILD/aggd -d -c $rel " ] && echo "${_p#/proc/}"
	done
}
pid=$(daemon_pid)
case $pid in
''|*[!0-9]*) fail "cannot find the daemonised aggd: '$pid'" ;;
esac
track_pid "$pid"
printf '\n[feed "two"]\nurl = http://127.0.0.1:9/two.xml\n' >>"$T/$rel"
kill -HUP "$pid" || fail "cannot send SIGHUP to $pid"
two() {
	aggctl feeds --json | grep -q two.xml
}
WAIT_FOR=10 wait_for two || fail "SIGHUP did not re-read the relative -c path"
assert_eq "$(aggctl feeds --json | jq -r .url | sort | tr '\n' ' ')" \
    'http://127.0.0.1:9/one.xml http://127.0.0.1:9/two.xml ' \
    "SIGHUP re-reads a relative -c path after daemonising"
kill "$pid"
gone() {
	! kill -0 "$pid" 2>/dev/null
}
wait_for gone || fail "the daemonised aggd did not stop"
