#!/bin/sh
# The installed units pass systemd-analyze verify (the binary they name
# exists, the man pages of Documentation= are found among the installed
# ones when the tree has them), and aggd.service rates 2.0 or less in
# systemd-analyze security --offline=yes without PrivateUsers= (which
# would hide the uids of aggctl's clients).  The socket unit owns
# /run/aggd/aggd.sock, mode 0660, group aggd, which the sysusers.d file
# creates.  Skipped, with a message, where systemd-analyze is missing.

. "$(dirname "$0")/lib.sh"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "ok - # SKIP no systemd-analyze (apt-get install systemd)"
	exit 0
fi

# Installed under T (no DESTDIR), so that ExecStart= names a real file.
P=$T/usr
make -s install BUILD="$BUILD" PREFIX="$P" SYSCONFDIR="$T/etc" \
    SYSTEMDDIR="$T/system" SYSTEMDUSERDIR="$T/user" \
    SYSUSERSDIR="$T/sysusers.d" >"$T/install.out" 2>&1 ||
    fail "make install: $(tail -n 5 "$T/install.out")"

# Documentation= names man pages: found among the installed ones.  A tree
# without them yet can only say so.
export MANPATH="$P/share/man"
verify() {
	systemd-analyze verify "$@" >"$T/verify.out" 2>&1
	_rc=$?
	if [ ! -f man/aggd.8 ] || [ ! -f man/aggctl.1 ] ||
	    [ ! -f man/aggd.conf.5 ]; then
		if grep -v "Command 'man .*' failed" "$T/verify.out" \
		    >"$T/verify.rest"; then
			fail "systemd-analyze verify $*: $(cat "$T/verify.rest")"
		fi
		echo "ok - # SKIP man pages not in this tree: their lines ignored"
		return 0
	fi
	[ "$_rc" -eq 0 ] && [ ! -s "$T/verify.out" ] ||
	    fail "systemd-analyze verify $*: $(cat "$T/verify.out")"
}
verify "$T/system/aggd.service" "$T/system/aggd.socket"
ok "systemd-analyze verify: system units"
mkdir -p "$XDG_RUNTIME_DIR"
verify --user "$T/user/aggd.service" "$T/user/aggd.socket"
ok "systemd-analyze verify: user units"

systemd-analyze security --offline=yes "$T/system/aggd.service" \
    >"$T/security.out" 2>&1 || fail "systemd-analyze security: $(tail -n 3 "$T/security.out")"
score=$(sed -n 's/.*Overall exposure level for aggd.service: \([0-9.]*\).*/\1/p' \
    "$T/security.out")
[ -n "$score" ] || fail "no score in: $(tail -n 3 "$T/security.out")"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
    fail "exposure $score is above 2.0: $(grep '✗' "$T/security.out")"
ok "systemd-analyze security: $score (2.0 or less)"
grep -q '^PrivateUsers=' "$T/system/aggd.service" &&
    fail "PrivateUsers= hides the clients' uids"
ok "no PrivateUsers="

# What the socket unit and the service promise each other.
s=$T/system/aggd.socket
for l in ListenStream=/run/aggd/aggd.sock SocketMode=0660 SocketGroup=aggd; do
	grep -qx "$l" "$s" || fail "aggd.socket lacks $l"
done
for l in Type=notify NotifyAccess=main Requires=aggd.socket User=aggd \
    StateDirectory=aggd RuntimeDirectoryPreserve=yes; do
	grep -qx "$l" "$T/system/aggd.service" || fail "aggd.service lacks $l"
done
grep -q '^WatchdogSec=[1-9]' "$T/system/aggd.service" ||
    fail "aggd.service has no WatchdogSec="
grep -Eq '^[ug] aggd ' "$T/sysusers.d/aggd.conf" ||
    fail "the sysusers.d file does not make aggd"
grep -qx 'ListenStream=%t/aggd.sock' "$T/user/aggd.socket" ||
    fail "the user socket is not in XDG_RUNTIME_DIR"
ok "socket unit and service agree: group aggd, notify, watchdog"
