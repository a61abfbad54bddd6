#!/bin/sh
# A socket_group that cannot be applied stops start with one line, exit 1,
# and no socket left behind: an unknown group is a configuration error,
# and a group the daemon's user is not in (chown refused) is named with
# the reason, whether aggd made the socket's directory or found it.  As
# root the daemon runs as nobody (setpriv); as another user, as itself.

. "$(dirname "$0")/lib.sh"

cat >"$T/unknown.conf" <<EOF
[daemon]
database = $T/aggd.db
socket = $T/run/aggd.sock
socket_group = no-such-group-for-aggd
EOF
"$BUILD/aggd" -f -c "$T/unknown.conf" >"$T/out" 2>"$T/err"
assert_eq "$?" 1 "an unknown group: exit 1"
assert_line "$T/err" \
    "aggd: $T/unknown.conf:4: 'socket_group' in [daemon]: unknown group 'no-such-group-for-aggd'" \
    "an unknown group: one line naming the file, line and group"

# A group we are not in, and a way to run aggd as a user outside it.
group=$(getent group 0 | cut -d: -f1)
if [ "$(id -u)" -eq 0 ]; then
	if ! command -v setpriv >/dev/null 2>&1; then
		echo "ok - # SKIP no setpriv to run aggd as nobody"
		exit 0
	fi
	# exec: "run aggd &" gives $! of aggd itself, for wait_pid to kill.
	run() {
		exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	}
	if ! (run "$BUILD/aggd" --version) >/dev/null 2>&1; then
		echo "ok - # SKIP nobody cannot run $BUILD/aggd"
		exit 0
	fi
	chmod 711 "$T"
	mkdir "$T/nb" && chown 65534:65534 "$T/nb" || fail "mkdir nb"
else
	run() {
		exec "$@"
	}
	for g in $(id -G); do
		if [ "$g" -eq 0 ]; then
			echo "ok - # SKIP we are in group $group"
			exit 0
		fi
	done
	mkdir "$T/nb" || fail "mkdir nb"
fi
[ -n "$group" ] || fail "no group 0"
cat >"$T/nb/aggd.conf" <<EOF
[daemon]
database = $T/nb/aggd.db
socket = $T/nb/run/aggd.sock
socket_group = $group
EOF
chmod 644 "$T/nb/aggd.conf"

# refused WHAT WANT
refused() {
	run "$BUILD/aggd" -f -c "$T/nb/aggd.conf" >"$T/out" 2>"$T/err" &
	_p=$!
	wait_pid "$_p" 5
	assert_eq "$?" 1 "$1: exit 1"
	assert_line "$T/err" "$2" "$1: one line"
	[ ! -e "$T/nb/run/aggd.sock" ] || fail "$1: the socket was left behind"
}
refused "group $group, directory made by aggd" \
    "aggd: cannot give socket directory $T/nb/run to group $group: operation not permitted"
# A directory the daemon's user made beforehand: now the socket fails.
rm -rf "$T/nb/run"
(run mkdir -m 755 "$T/nb/run") || fail "mkdir run"
refused "group $group, an existing directory" \
    "aggd: cannot give socket $T/nb/run/aggd.sock to group $group: operation not permitted"
