#!/bin/sh
# The socket's directory is the daemon's own: aggd refuses, with one line
# and exit 1, a directory others or its group can write (mode 0777, the
# /tmp/aggd-UID another user made first), a symbolic link, and (as root)
# one owned by another user; it uses one of its own at mode 0755
# (systemd's RuntimeDirectory=).  Nothing is created in a refused one.

. "$(dirname "$0")/lib.sh"

# refused NAME DIR WANT: aggd with its socket in DIR exits 1 with WANT.
refused() {
	printf '[daemon]\ndatabase = %s\nsocket = %s\n' "$T/aggd.db" \
	    "$2/aggd.sock" >"$T/dir.conf"
	"$BUILD/aggd" -f -c "$T/dir.conf" >"$T/out" 2>"$T/err" &
	_p=$!
	wait_pid "$_p" 5
	assert_eq "$?" 1 "$1: exit 1"
	assert_line "$T/err" "$3" "$1: one line"
	[ ! -e "$2/aggd.sock" ] || fail "$1: a socket was made in $2"
}

mkdir "$T/open" && chmod 777 "$T/open"
refused "a directory anyone can write" "$T/open" \
    "aggd: socket directory $T/open is writable by others (mode 0777): refusing to use it"
mkdir "$T/grp" && chmod 770 "$T/grp"
refused "a directory its group can write" "$T/grp" \
    "aggd: socket directory $T/grp is writable by its group (mode 0770): refusing to use it"
mkdir "$T/real" && chmod 700 "$T/real" && ln -s "$T/real" "$T/link"
refused "a symbolic link" "$T/link" \
    "aggd: socket directory $T/link is a symbolic link: refusing to use it"

if [ "$(id -u)" -eq 0 ]; then
	mkdir "$T/theirs" && chmod 700 "$T/theirs" &&
	    chown 65534 "$T/theirs" || fail "chown"
	refused "a directory another user owns" "$T/theirs" \
	    "aggd: socket directory $T/theirs is owned by uid 65534, not by aggd's uid 0: refusing to use it"
else
	echo "ok - # SKIP a directory another user owns: needs root"
fi

# Our own at 0755 is fine, as systemd's RuntimeDirectory= makes it ($T
# holds the socket in lib.sh's configuration).
chmod 755 "$T"
aggd_start
ok "a directory of our own at mode 0755"
aggd_stop
