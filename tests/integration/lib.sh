# The library every integration script sources (POSIX sh):
#
#	. "$(dirname "$0")/lib.sh"
#
# It moves to the top of the tree, makes a scratch directory T (removed on
# exit unless KEEP=1) and writes $T/aggd.conf with the [daemon] section
# pointing the database and socket into T; a script appends more before
# calling aggd_start.  HOME and the XDG directories point into T too, so
# nothing outside it is read or written.
#
#	aggd_start [ARGS]	start $BUILD/aggd -f -c $T/aggd.conf ARGS in
#				the background (stderr to $T/aggd.log), set
#				AGGD_PID, wait up to 10 s until aggctl status
#				answers; fails if aggd exits first
#	aggd_stop [SIGNAL]	send SIGTERM (or SIGNAL), wait up to 10 s for
#				aggd to exit and fail unless its status is 0
#	aggctl ARGS		$BUILD/aggctl -s $T/aggd.sock ARGS
#	sockpeer ARGS		$BUILD/tests/sockpeer (tests/tools/sockpeer.c)
#	wait_for CMD...		run CMD until it succeeds, up to WAIT_FOR
#				seconds (default 10); status 1 on timeout
#	wait_pid PID [SECONDS]	wait for a child to exit (default 10 s, then
#				SIGKILL); returns its exit status
#	track_pid PID		kill PID from the exit trap too
#	fail MSG		print MSG and the tail of aggd.log, exit 1
#	assert_eq GOT WANT MSG	fail MSG unless GOT = WANT
#	ok MSG			print "ok - MSG"
#	assert_line FILE WANT MSG
#				FILE (a captured stderr) is the one line
#				WANT; a LeakSanitizer report after it (the
#				programs exit(1) holding memory) is a TODO
#	todo_eq GOT WANT MSG	like assert_eq for a known bug not fixed yet:
#				a mismatch prints "not ok - MSG # TODO" and
#				goes on (fails with STRICT=1); a match says
#				the marker can go
#
# The exit trap kills everything started here by PID (aggd, the HTTP
# server via httpd_stop when tests/integration/httpd.sh is there, and
# tracked PIDs), never by name.  BUILD (default build) is made absolute.

top=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
cd "$top" || exit 1
: "${BUILD:=build}"
case $BUILD in
/*)	;;
*)	BUILD=$top/$BUILD ;;
esac
export BUILD

if [ -f "$top/tests/integration/httpd.sh" ]; then
	. "$top/tests/integration/httpd.sh"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/aggd-test.XXXXXX") || exit 1
AGGD_PID=
_lib_pids=

# Keep the daemon and aggctl away from the user's own files and daemon.
unset AGGD_CONFIG AGGD_SOCKET NOTIFY_SOCKET JOURNAL_STREAM \
    STATE_DIRECTORY RUNTIME_DIRECTORY
export HOME="$T/home"
export XDG_CONFIG_HOME="$T/home/.config"
export XDG_DATA_HOME="$T/home/.local/share"
export XDG_RUNTIME_DIR="$T/home/run"
mkdir -p "$HOME"

cat >"$T/aggd.conf" <<EOF
[daemon]
database = $T/aggd.db
socket = $T/aggd.sock
host_delay = 0
EOF

ok() {
	echo "ok - $*"
}

fail() {
	echo "FAIL: $*" >&2
	if [ -s "$T/aggd.log" ]; then
		echo "--- last lines of $T/aggd.log:" >&2
		tail -n 20 "$T/aggd.log" >&2
	fi
	exit 1
}

assert_eq() {
	if [ "$1" != "$2" ]; then
		fail "$3: got '$1', want '$2'"
	fi
	ok "$3"
}

todo_eq() {
	if [ "$1" = "$2" ]; then
		echo "ok - $3 # TODO passes now: make it an assert_eq"
	elif [ "${STRICT:-0}" = 1 ]; then
		fail "$3 (known bug): got '$1', want '$2'"
	else
		echo "not ok - $3: got '$1', want '$2' # TODO known bug"
	fi
}

assert_line() {
	assert_eq "$(sed -n 1p "$1")" "$2" "$3"
	if [ "$(wc -l <"$1")" -ne 1 ]; then
		if grep -q LeakSanitizer "$1"; then
			todo_eq "a leak report" "" "$3: nothing after the line"
		else
			fail "$3: more than one line: $(cat "$1")"
		fi
	fi
}

aggctl() {
	"$BUILD/aggctl" -s "$T/aggd.sock" "$@"
}

sockpeer() {
	"$BUILD/tests/sockpeer" "$@"
}

wait_for() {
	_wf_i=0
	_wf_max=$(( ${WAIT_FOR:-10} * 20 ))
	until "$@"; do
		_wf_i=$((_wf_i + 1))
		[ "$_wf_i" -le "$_wf_max" ] || return 1
		sleep 0.05
	done
	return 0
}

# A watchdog kills the child if it outlives the bound; the watchdog itself
# is stopped (and its sleep with it) as soon as the child is gone.
wait_pid() {
	(
		trap 'kill "$_wp_s" 2>/dev/null; exit 0' TERM
		sleep "${2:-10}" &
		_wp_s=$!
		wait "$_wp_s"
		kill -KILL "$1" 2>/dev/null
	) &
	_wp_dog=$!
	wait "$1"
	_wp_rc=$?
	kill "$_wp_dog" 2>/dev/null
	wait "$_wp_dog" 2>/dev/null
	return "$_wp_rc"
}

track_pid() {
	_lib_pids="$_lib_pids $1"
}

_aggd_up() {
	kill -0 "$AGGD_PID" 2>/dev/null || return 2
	aggctl status >/dev/null 2>&1
}

aggd_start() {
	[ -z "$AGGD_PID" ] || fail "aggd_start: aggd is already running"
	"$BUILD/aggd" -f -c "$T/aggd.conf" "$@" 2>>"$T/aggd.log" &
	AGGD_PID=$!
	_as_i=0
	while :; do
		_aggd_up
		case $? in
		0)	return 0 ;;
		2)	wait "$AGGD_PID"
			_as_rc=$?
			AGGD_PID=
			fail "aggd exited ($_as_rc) before its socket answered" ;;
		esac
		_as_i=$((_as_i + 1))
		[ "$_as_i" -le 200 ] ||
		    fail "aggd's socket did not answer within 10 s"
		sleep 0.05
	done
}

aggd_stop() {
	[ -n "$AGGD_PID" ] || fail "aggd_stop: aggd is not running"
	kill "-${1:-TERM}" "$AGGD_PID" ||
	    fail "aggd_stop: cannot signal aggd ($AGGD_PID)"
	wait_pid "$AGGD_PID" 10
	_st_rc=$?
	AGGD_PID=
	[ "$_st_rc" -eq 0 ] ||
	    fail "aggd exited with status $_st_rc after SIG${1:-TERM}"
}

_lib_cleanup() {
	if [ -n "$AGGD_PID" ]; then
		kill "$AGGD_PID" 2>/dev/null
		wait_pid "$AGGD_PID" 5 2>/dev/null
		AGGD_PID=
	fi
	for _cl_p in $_lib_pids; do
		# A tracked PID may be the subshell of "aggctl ... &" or
		# "sockpeer ... &" (shell functions): its children go first.
		pkill -P "$_cl_p" 2>/dev/null
		kill "$_cl_p" 2>/dev/null
		wait_pid "$_cl_p" 5 2>/dev/null
	done
	if command -v httpd_stop >/dev/null 2>&1; then
		httpd_stop
	fi
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap _lib_cleanup EXIT
trap 'exit 1' INT TERM HUP
