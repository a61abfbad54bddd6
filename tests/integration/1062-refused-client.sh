#!/bin/sh
# Who may not use the socket is told so.  A socket the user cannot open
# (EACCES) is "cannot connect to ...: permission denied (are you in the
# socket's group?)", not "no daemon".  A user the daemon refuses (not
# root, not its uid, not in socket_group: here nobody, given the group as
# a supplementary one so that the file lets it through) reads the
# daemon's reason before the close.  Needs root to run aggctl as nobody
# (setpriv).

. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "ok - # SKIP needs root to run aggctl as another user"
	exit 0
fi
if ! command -v setpriv >/dev/null 2>&1; then
	echo "ok - # SKIP no setpriv"
	exit 0
fi
group=$(getent group 0 | cut -d: -f1)
[ -n "$group" ] || fail "no group 0"
getent group "$group" | cut -d: -f4 | tr ',' '\n' | grep -qx nobody &&
    { echo "ok - # SKIP nobody is in group $group"; exit 0; }
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
nobody "$BUILD/aggctl" --version >/dev/null 2>&1 ||
    { echo "ok - # SKIP nobody cannot run $BUILD/aggctl"; exit 0; }
chmod 711 "$T"

# The socket in a directory of its own that nobody may traverse, group
# 0 on both: the file lets group 0 in, the daemon does not let nobody in.
mkdir -m 750 "$T/run"
cat >>"$T/aggd.conf" <<EOF
socket_group = $group
EOF
sed -i "s|^socket = .*|socket = $T/run/aggd.sock|" "$T/aggd.conf"
"$BUILD/aggd" -f -c "$T/aggd.conf" 2>"$T/aggd.log" &
AGGD_PID=$!
wait_for "$BUILD/aggctl" -s "$T/run/aggd.sock" status >/dev/null 2>&1 ||
    fail "aggd did not start"
ok "aggd started with socket_group $group"

# EACCES: nobody, no group 0, cannot reach the socket.
nobody "$BUILD/aggctl" -s "$T/run/aggd.sock" status >"$T/out" 2>"$T/err" &&
    fail "nobody reached the socket"
assert_line "$T/err" "aggctl: cannot connect to $T/run/aggd.sock: permission denied (are you in the socket's group?)" \
    "EACCES is said as such, not as no daemon"

# Refused by the daemon: group 0 as a supplementary group gets through the
# file's permissions; the daemon, which reads the group database, says no.
setpriv --reuid=65534 --regid=65534 --groups=0 "$BUILD/aggctl" \
    -s "$T/run/aggd.sock" status >"$T/out" 2>"$T/err" &&
    fail "the daemon let nobody in"
assert_line "$T/err" "aggctl: refused by the daemon at $T/run/aggd.sock: uid 65534 may not use this socket (only root, uid 0 and group $group may)" \
    "a refused client is told why"
grep -q "refused uid 65534" "$T/aggd.log" || fail "the refusal is not logged"
ok "the refusal is logged"
kill -0 "$AGGD_PID" || fail "aggd died"
kill -TERM "$AGGD_PID"
wait_pid "$AGGD_PID" 10 || fail "aggd did not stop cleanly"
AGGD_PID=
ok "stopped"
