# Helpers for the loopback fixture server, build/tests/httpd (its path
# language is described at the top of tests/httpd/httpd.c).  Sourced by
# lib.sh and by tests that need the server alone; POSIX sh.
#
#	httpd_start DOCROOT	start it in the background with its files in
#				$T; sets HTTPD_PORT, HTTPD_PID, HTTPD_URL
#				(http://127.0.0.1:PORT) and HTTPD_LOG; with
#				HTTPD_ADDR set it listens there instead
#	httpd_stop		stop it (SIGTERM, then SIGKILL after 5 s)
#	httpd_requests REGEX	print the log lines (JSON) whose path, query
#				included, matches REGEX (jq's test())
#	httpd_count REGEX	print how many requests matched
#	httpd_wait_count REGEX N [SECONDS]
#				wait (default 10 s) until at least N requests
#				matched; fails on timeout
#	httpd_set PATH STATUS BODY [HEADERS-JSON]
#				program the answer to GET PATH
#
# BUILD is the build directory (default build); a relative one is taken
# from the directory current when this file is sourced (the top of the
# tree), so that tests may cd elsewhere afterwards.

: "${BUILD:=build}"
case $BUILD in
/*)	_httpd_bin=$BUILD/tests/httpd ;;
*)	_httpd_bin=$(pwd)/$BUILD/tests/httpd ;;
esac
HTTPD_PID=

httpd_start() {
	if [ -z "${T:-}" ] || [ ! -d "$T" ]; then
		echo "httpd_start: T (the test's scratch directory) is not set" >&2
		return 1
	fi
	if [ ! -x "$_httpd_bin" ]; then
		echo "httpd_start: $_httpd_bin is not built (make)" >&2
		return 1
	fi
	rm -f "$T/httpd.port"
	"$_httpd_bin" -a "${HTTPD_ADDR:-127.0.0.1}" -d "$1" \
	    -p "$T/httpd.port" -l "$T/httpd.log" \
	    -P "$T/httpd.pid" 2>"$T/httpd.err" &
	HTTPD_PID=$!
	HTTPD_LOG=$T/httpd.log
	# The port file appears (renamed into place) once it listens.
	_httpd_i=0
	while [ ! -s "$T/httpd.port" ]; do
		if ! kill -0 "$HTTPD_PID" 2>/dev/null; then
			echo "httpd_start: server exited: $(cat "$T/httpd.err")" >&2
			HTTPD_PID=
			return 1
		fi
		_httpd_i=$((_httpd_i + 1))
		if [ "$_httpd_i" -gt 200 ]; then
			echo "httpd_start: no port file after 10 s" >&2
			httpd_stop
			return 1
		fi
		sleep 0.05
	done
	HTTPD_PORT=$(cat "$T/httpd.port")
	HTTPD_URL=http://${HTTPD_ADDR:-127.0.0.1}:$HTTPD_PORT
}

httpd_stop() {
	[ -n "$HTTPD_PID" ] || return 0
	kill "$HTTPD_PID" 2>/dev/null
	_httpd_i=0
	while kill -0 "$HTTPD_PID" 2>/dev/null; do
		_httpd_i=$((_httpd_i + 1))
		if [ "$_httpd_i" -gt 100 ]; then
			kill -9 "$HTTPD_PID" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	wait "$HTTPD_PID" 2>/dev/null
	HTTPD_PID=
	return 0
}

httpd_requests() {
	[ -f "$HTTPD_LOG" ] || return 0
	jq -c --arg re "$1" 'select(.path | test($re))' "$HTTPD_LOG"
}

httpd_count() {
	if [ ! -f "$HTTPD_LOG" ]; then
		echo 0
		return 0
	fi
	jq -n --arg re "$1" '[inputs | select(.path | test($re))] | length' \
	    "$HTTPD_LOG"
}

httpd_wait_count() {
	_httpd_i=0
	_httpd_max=$(( ${3:-10} * 20 ))
	while [ "$(httpd_count "$1")" -lt "$2" ]; do
		_httpd_i=$((_httpd_i + 1))
		if [ "$_httpd_i" -gt "$_httpd_max" ]; then
			echo "httpd_wait_count: fewer than $2 requests for $1" \
			    "after ${3:-10} s" >&2
			return 1
		fi
		sleep 0.05
	done
}

httpd_set() {
	_httpd_h=${4:-}
	[ -n "$_httpd_h" ] || _httpd_h='{}'
	jq -nc --arg p "$1" --argjson s "$2" --arg b "$3" \
	    --argjson h "$_httpd_h" \
	    '{path: $p, status: $s, body: $b, headers: $h}' |
	    curl -sS --fail -o /dev/null -X POST --data-binary @- \
	    "$HTTPD_URL/_set"
}
