#!/bin/sh
# aggctl sends nothing to a socket a stranger could have put there: it
# refuses, with one line and exit 1, a socket owned by another user, one
# whose directory another user owns or anyone can write, and (checked
# after connecting, with SO_PEERCRED) a daemon running as another user
# even when the files look right.  As root the other user is nobody
# (setpriv); without root only the directory mode is tried.  A daemon
# under systemd's DynamicUser= (a uid in 61184-65519 owning its directory
# in a root-owned one, as /run/aggd in /run) is accepted.

. "$(dirname "$0")/lib.sh"

S=$T/aggd.sock
# refused WHAT WANT: aggctl status exits 1 with the one line WANT.
refused() {
	aggctl status >"$T/out" 2>"$T/err"
	assert_eq "$?" 1 "$1: exit 1"
	assert_line "$T/err" "$2" "$1: one line"
	[ ! -s "$T/out" ] || fail "$1: aggctl printed an answer"
}

aggd_start
chmod 777 "$T"
refused "a socket directory anyone can write" \
    "aggctl: refusing socket $S: its directory $T is writable by others (mode 0777)"
chmod 700 "$T"
aggctl status >/dev/null || fail "aggctl refuses its own daemon"
ok "aggctl talks to its own daemon"

if [ "$(id -u)" -ne 0 ]; then
	echo "ok - # SKIP sockets owned by another user: needs root"
	aggd_stop
	exit 0
fi
chown 65534 "$S" || fail "chown socket"
refused "a socket owned by another user" \
    "aggctl: refusing socket $S: owned by uid 65534, not by you or the daemon's user"
chown 0 "$S"
chown 65534 "$T"
refused "a socket directory owned by another user" \
    "aggctl: refusing socket $S: its directory $T is owned by uid 65534, not by you or the daemon's user"
chown 0 "$T"
aggctl status >/dev/null || fail "aggctl refuses root's daemon"
aggd_stop

# A daemon of another user's, its files handed to root afterwards: only
# the peer's credentials give it away.
if ! command -v setpriv >/dev/null 2>&1 ||
    ! setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$BUILD/aggd" --version >/dev/null 2>&1; then
	echo "ok - # SKIP nobody cannot run $BUILD/aggd"
	exit 0
fi
chmod 711 "$T"
mkdir "$T/nb" && chown 65534:65534 "$T/nb" || fail "mkdir nb"
printf '[daemon]\ndatabase = %s\nsocket = %s\n' "$T/nb/aggd.db" \
    "$T/nb/aggd.sock" >"$T/nb.conf"
chmod 644 "$T/nb.conf"
setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$BUILD/aggd" -f -c "$T/nb.conf" 2>>"$T/aggd.log" &
nbpid=$!
track_pid "$nbpid"
wait_for test -S "$T/nb/aggd.sock" || fail "nobody's aggd made no socket"
S=$T/nb/aggd.sock
"$BUILD/aggctl" -s "$S" status >"$T/out" 2>"$T/err"
assert_eq "$?" 1 "a socket of nobody's: exit 1"
assert_line "$T/err" \
    "aggctl: refusing socket $S: owned by uid 65534, not by you or the daemon's user" \
    "a socket of nobody's: one line"
chown 0 "$T/nb" "$S" || fail "chown"
"$BUILD/aggctl" -s "$S" status >"$T/out" 2>"$T/err"
assert_eq "$?" 1 "nobody's daemon behind root's files: exit 1"
assert_line "$T/err" \
    "aggctl: refusing socket $S: the daemon there runs as uid 65534, not as you or the daemon's user" \
    "nobody's daemon behind root's files: one line"
kill "$nbpid"
wait_pid "$nbpid" 10

# DynamicUser=: uid 61200 owns its directory in $T (root's, mode 0711).
mkdir "$T/dyn" && chown 61200:61200 "$T/dyn" && chmod 755 "$T/dyn" ||
    fail "mkdir dyn"
printf '[daemon]\ndatabase = %s\nsocket = %s\n' "$T/dyn/aggd.db" \
    "$T/dyn/aggd.sock" >"$T/dyn.conf"
chmod 644 "$T/dyn.conf"
setpriv --reuid=61200 --regid=61200 --clear-groups \
    "$BUILD/aggd" -f -c "$T/dyn.conf" 2>>"$T/aggd.log" &
dynpid=$!
track_pid "$dynpid"
wait_for test -S "$T/dyn/aggd.sock" || fail "uid 61200's aggd made no socket"
"$BUILD/aggctl" -s "$T/dyn/aggd.sock" status >/dev/null ||
    fail "aggctl refuses a DynamicUser= daemon in its own directory"
ok "a DynamicUser= daemon in a directory root handed out"
kill "$dynpid"
wait_pid "$dynpid" 10
