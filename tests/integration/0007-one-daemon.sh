#!/bin/sh
# One daemon per database: a second aggd on the database in use (with a
# socket of its own) refuses to start with one line naming the database
# and the first's pid, exit 1, and touches nothing (no socket made, the
# first still serving).  Once the first stops, a new one starts.  The lock
# survives the fork of a detached aggd (-d).

. "$(dirname "$0")/lib.sh"

printf '[daemon]\ndatabase = %s\nsocket = %s\n' "$T/aggd.db" \
    "$T/other/aggd.sock" >"$T/other.conf"

# second FLAG PID: a second aggd (with FLAG) exits 1 naming PID.
second() {
	# shellcheck disable=SC2086
	"$BUILD/aggd" $1 -c "$T/other.conf" >"$T/out" 2>"$T/err" &
	_p=$!
	wait_pid "$_p" 5
	assert_eq "$?" 1 "second aggd $1: exit 1"
	assert_line "$T/err" \
	    "aggd: database $T/aggd.db is in use by another aggd (pid $2)" \
	    "second aggd $1: one line naming the database and pid"
	[ ! -e "$T/other/aggd.sock" ] || fail "the second aggd made a socket"
	ok "second aggd $1: no socket made"
}

aggd_start
aggctl add http://127.0.0.1:9/a.xml >/dev/null || fail "add"
second -f "$AGGD_PID"
second -d "$AGGD_PID"
aggctl status >/dev/null || fail "the first aggd stopped answering"
assert_eq "$(aggctl feeds --json | jq -r .url)" http://127.0.0.1:9/a.xml \
    "the first aggd keeps working"
aggd_stop
aggd_start
ok "after the first stops, a new one starts"
aggd_stop

# Detached: the daemon that stays is the forked child; its lock holds.
"$BUILD/aggd" -d -c "$T/aggd.conf" 2>>"$T/aggd.log" ||
    fail "a detached aggd did not start"
wait_for aggctl status >/dev/null 2>&1 || fail "the detached aggd does not answer"
dpid=$(cat "$T/aggd.db.lock")
track_pid "$dpid"
kill -0 "$dpid" 2>/dev/null || fail "no process $dpid (from the lock file)"
ok "the lock file names the detached daemon ($dpid)"
second -f "$dpid"
kill "$dpid"
wait_for sh -c "! kill -0 $dpid 2>/dev/null" || fail "detached aggd did not stop"
aggd_start
ok "a new aggd starts after the detached one stopped"
aggd_stop
