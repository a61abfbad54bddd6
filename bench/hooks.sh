#!/bin/sh
# Hook delivery throughput (issue 8): how many deliveries a second aggd
# makes with a trivial hook (/bin/true), for one feed (its hooks run one at
# a time, in order) and for several feeds (whose hooks may run side by
# side).
#
# For each case: the loopback test server serves F feeds of N/F items
# each; aggd subscribes them with --announce-existing while its hook is
# `sleep 3600`, so every item is stored and announced and its delivery
# waits in the outbox; aggd is stopped (a delivery in flight stays owed)
# and started again with hook = /bin/true.  The clock runs from that start
# to `hooks_pending` reaching 0 (aggctl status --json, polled every 50 ms):
# deliveries/s = N / that time.  aggd's own CPU seconds are printed too.
#
# usage: BUILD=build BENCH_HOOK_ITEMS=5000 BENCH_HOOK_FEEDS="1 16" \
#	     sh bench/hooks.sh
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
case $BUILD in
/*)	;;
*)	BUILD=$top/$BUILD ;;
esac
export BUILD
N=${BENCH_HOOK_ITEMS:-5000}
CASES=${BENCH_HOOK_FEEDS:-"1 16"}
LIMIT=${BENCH_HOOK_LIMIT:-300}	# seconds allowed for one case's deliveries
W=$BUILD/bench-hooks
AGGD=$BUILD/aggd
AGGCTL=$BUILD/aggctl
T=$W
. "$top/tests/integration/httpd.sh"

aggd_pid=

die() {
	echo "bench/hooks.sh: $*" >&2
	exit 1
}

now() {
	date +%s.%N
}

calc() {
	awk "BEGIN { printf \"%.2f\", $1 }"
}

cleanup() {
	if [ -n "$aggd_pid" ]; then
		kill "$aggd_pid" 2>/dev/null
		wait "$aggd_pid" 2>/dev/null
	fi
	httpd_stop >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

ctl() {
	"$AGGCTL" -s "$W/aggd.sock" "$@"
}

# status field $1, or empty when aggd does not answer
status() {
	ctl status --json 2>/dev/null | jq -r ".$1"
}

# wait until status field $1 is $2, up to $3 seconds
wait_status() {
	_ws_end=$(($(date +%s) + $3))
	while [ "$(status "$1")" != "$2" ]; do
		kill -0 "$aggd_pid" 2>/dev/null || die "aggd exited"
		[ "$(date +%s)" -le "$_ws_end" ] ||
		    die "$1 not $2 after $3 s (now $(status "$1"))"
		sleep 0.05
	done
}

aggd_start() {
	"$AGGD" -f -c "$W/aggd.conf" 2>>"$W/aggd.log" &
	aggd_pid=$!
	_as_i=0
	until ctl status >/dev/null 2>&1; do
		kill -0 "$aggd_pid" 2>/dev/null || die "aggd exited at start"
		_as_i=$((_as_i + 1))
		[ "$_as_i" -le 200 ] || die "aggd's socket did not answer"
		sleep 0.05
	done
}

aggd_stop() {
	kill "$aggd_pid" && wait "$aggd_pid"
	_st_rc=$?
	aggd_pid=
	[ "$_st_rc" -eq 0 ] || die "aggd exited $_st_rc on SIGTERM"
}

# CPU seconds (user + system) aggd has used so far
aggd_cpu() {
	awk -v hz="$(getconf CLK_TCK)" \
	    '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' \
	    "/proc/$aggd_pid/stat"
}

config() {
	cat >"$W/aggd.conf" <<EOF
[daemon]
database = $W/aggd.db
socket = $W/aggd.sock
host_delay = 0
hook = $1
hook_timeout = 2h
EOF
}

# one case: $1 feeds sharing N items
run_case() {
	F=$1
	per=$((N / F))
	total=$((per * F))
	[ "$per" -ge 1 ] || die "fewer items than feeds"
	rm -rf "$W"
	mkdir -p "$W/www" || die "cannot make $W"
	i=1
	while [ "$i" -le "$F" ]; do
		awk -v f="$i" -v n="$per" 'BEGIN {
			print "<rss version=\"2.0\"><channel><title>Feed " f \
			    "</title><link>http://example.org/</link>"
			for (k = 1; k <= n; k++)
				printf "<item><guid>f%d-%d</guid><title>Item " \
				    "%d</title><link>http://example.org/%d/%d" \
				    "</link></item>\n", f, k, k, f, k
			print "</channel></rss>"
		}' >"$W/www/f$i.xml"
		i=$((i + 1))
	done
	httpd_start "$W/www" >/dev/null || die "cannot start the test server"
	config "/bin/sleep 3600"
	aggd_start
	i=1
	while [ "$i" -le "$F" ]; do
		ctl add --announce-existing "$HTTPD_URL/feeds/f$i.xml" \
		    >/dev/null || die "add failed"
		i=$((i + 1))
	done
	wait_status items "$total" 120
	wait_status hooks_pending "$total" 10
	aggd_stop
	httpd_stop >/dev/null 2>&1

	config /bin/true
	t0=$(now)
	aggd_start
	wait_status hooks_pending 0 "$LIMIT"
	t1=$(now)
	cpu=$(aggd_cpu)
	failed=$(status hooks_failed)
	aggd_stop
	secs=$(calc "$t1 - $t0")
	printf '%2d feed(s), %5d deliveries: %6.2f s, %7.0f deliveries/s, ' \
	    "$F" "$total" "$secs" "$(calc "$total / ($t1 - $t0)")"
	printf 'aggd CPU %s s, %s failed\n' "$cpu" "$failed"
}

[ -x "$AGGD" ] || die "$AGGD is not built (make)"
command -v jq >/dev/null || die "jq is needed"
echo "hook delivery with hook = /bin/true ($(nproc) CPUs)"
for c in $CASES; do
	run_case "$c"
done
