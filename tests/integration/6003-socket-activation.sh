#!/bin/sh
# Socket activation: under systemd-socket-activate (which binds the socket,
# waits for a first client, then runs aggd with LISTEN_FDS=1), aggd serves
# the socket it is handed instead of refusing it ("another aggd is
# listening"): aggctl works through it, the configured socket is never
# made, the passed one is neither replaced nor re-moded, and at exit aggd
# leaves it in place for the service manager.  Skipped where
# systemd-socket-activate is missing.

. "$(dirname "$0")/lib.sh"

if ! command -v systemd-socket-activate >/dev/null 2>&1; then
	echo "ok - # SKIP no systemd-socket-activate (apt-get install systemd)"
	exit 0
fi

S=$T/act/aggd.sock
mkdir -m 755 "$T/act"
systemd-socket-activate -l "$S" --fdname=control \
    "$BUILD/aggd" -c "$T/aggd.conf" 2>>"$T/aggd.log" &
AGGD_PID=$!
wait_for test -S "$S" || fail "systemd-socket-activate did not bind $S"
ino=$(stat -c %i "$S")
mode=$(stat -c %a "$S")
# The first client starts aggd (the same PID: it execs).  An aggd that
# ignored the passed socket would leave the client waiting: bounded.
timeout 10 "$BUILD/aggctl" -s "$S" status --json >"$T/status" 2>"$T/err" ||
    fail "aggctl through the passed socket: $(cat "$T/err")"
assert_eq "$(jq -r .version "$T/status")" "$("$BUILD/aggd" --version | cut -d' ' -f2)" \
    "aggctl status answered through the passed socket"
grep -q 'another aggd is listening' "$T/aggd.log" &&
    fail "aggd refused the passed socket"
grep -q "listening on $S, passed by the service manager" "$T/aggd.log" ||
    fail "no line naming the passed socket"
ok "the passed socket is served, and said so"
timeout 10 "$BUILD/aggctl" -s "$S" add http://127.0.0.1:9/a.xml >/dev/null ||
    fail "aggctl add through the passed socket"
assert_eq "$(timeout 10 "$BUILD/aggctl" -s "$S" feeds --json | jq -r .url)" \
    http://127.0.0.1:9/a.xml "a second client on the passed socket"
[ ! -e "$T/aggd.sock" ] || fail "the configured socket was made too"
ok "the configured socket is not made"
assert_eq "$(stat -c %i "$S") $(stat -c %a "$S")" "$ino $mode" \
    "the passed socket is the same file with the same mode"
# The passed descriptor is close-on-exec: a hook would not inherit it.
fdflags=$(awk '/^flags:/ { print $2 }' "/proc/$AGGD_PID/fdinfo/3")
# fdinfo's flags are octal, O_CLOEXEC 02000000.
[ $((fdflags & 02000000)) -ne 0 ] ||
    fail "descriptor 3 lacks close-on-exec (flags $fdflags)"
ok "descriptor 3 is close-on-exec ($fdflags)"
aggd_stop
[ -S "$S" ] || fail "aggd removed the passed socket at exit"
ok "the passed socket stays after aggd exits"

# LISTEN_PID of another process: the variables are not ours, and aggd
# makes its own socket as usual.
LISTEN_PID=1 LISTEN_FDS=1 "$BUILD/aggd" -c "$T/aggd.conf" 2>>"$T/aggd.log" &
AGGD_PID=$!
wait_for aggctl status >/dev/null 2>&1 ||
    fail "LISTEN_PID of another process: no socket of its own"
ok "LISTEN_PID of another process is ignored"
aggd_stop
