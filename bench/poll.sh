#!/bin/sh
# Polling at scale (issue 4, "Speed and scale").  nginx serves N generated
# feeds (default 10,000 of about 85 KB and 20 items each) on 127.0.0.1 with
# ETag and Last-Modified; then
#
#   reference: curl with 64 parallel transfers fetches every URL, once
#	cold and once warm (If-None-Match from the ETags it saved: all 304);
#   aggd: with every feed subscribed, `aggctl refresh --wait` once cold
#	(everything new) and once warm (all 304).
#
# For each it prints wall time, CPU seconds, aggd's peak memory (VmHWM,
# reset before each cycle), items stored per second and the statuses nginx
# logged.  The feeds are generated once into $BUILD/bench-feeds/; the rest
# lives in $BUILD/bench-poll/, made anew on each run.
#
# usage: BUILD=build BENCH_FEEDS=500 sh bench/poll.sh
#
# The subscriptions are made while nginx is down, so the fetch that `add`
# starts at once fails fast and the cold cycle is the first to store items.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
case $BUILD in
/*)	;;
*)	BUILD=$top/$BUILD ;;
esac
N=${BENCH_FEEDS:-10000}
PARALLEL=64
FEEDS=$BUILD/bench-feeds
W=$BUILD/bench-poll
AGGD=$BUILD/aggd
AGGCTL=$BUILD/aggctl
GEN=$BUILD/bench/gen-feeds

nginx_pid=
aggd_pid=
aggd_error=

die() {
	echo "bench/poll.sh: $*" >&2
	exit 1
}

now() {
	date +%s.%N
}

# seconds between two now()s, and other arithmetic sh cannot do
calc() {
	awk "BEGIN { printf \"%.2f\", $1 }"
}

# CPU seconds (user + system) used so far by this shell's waited-for
# children; `times` must run in this shell, not in a $(...) subshell.
children_cpu() {
	times >"$W/times.out"
	awk 'NR == 2 {
		split($1, u, /[ms]/); split($2, s, /[ms]/)
		printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' \
	    "$W/times.out"
}

# statuses nginx logged after line $1 of its access log: "200:9990 304:10"
statuses_since() {
	tail -n "+$(($1 + 1))" "$W/nginx/access.log" | awk '
	    { n[$1]++ } END { for (s in n) printf "%s%s:%d", sep, s, n[s]; sep = " " }'
}

log_lines() {
	wc -l <"$W/nginx/access.log" | tr -d ' '
}

cleanup() {
	[ -n "$aggd_pid" ] && kill "$aggd_pid" 2>/dev/null
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
	[ -n "$aggd_pid" ] && wait "$aggd_pid" 2>/dev/null
	[ -n "$nginx_pid" ] && wait "$nginx_pid" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

# --- tools ---------------------------------------------------------------
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "installing nginx-light" >&2
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y -q nginx-light; } >"$BUILD/nginx-install.log" 2>&1 ||
		    die "cannot install nginx-light (see $BUILD/nginx-install.log)"
		NGINX=/usr/sbin/nginx
	else
		die "nginx is missing: apt-get install nginx-light"
	fi
fi
for cmd in curl jq awk; do
	command -v "$cmd" >/dev/null || die "$cmd is missing"
done
[ -x "$GEN" ] || die "$GEN is missing: run make bench"

# --- feeds, generated once -------------------------------------------------
# A feed's text depends only on its number, so a larger set serves a
# smaller run as it is.
stamp="items=20 size=87000 v=1"
have=$(sed -n "s/^feeds=\([0-9]*\) $stamp\$/\1/p" "$FEEDS/.stamp" 2>/dev/null)
if [ -z "$have" ] || [ "$have" -lt "$N" ]; then
	echo "generating $N feeds into $FEEDS" >&2
	rm -rf "$FEEDS"
	mkdir -p "$FEEDS" || exit 1
	"$GEN" -n "$N" -i 20 -s 87000 "$FEEDS" || die "gen-feeds failed"
	echo "feeds=$N $stamp" >"$FEEDS/.stamp"
fi
total_mb=$(find "$FEEDS/" -name 'feed-*.xml' -printf '%f %s\n' |
    awk -v n="$N" '{ i = substr($1, 6, 5) + 0 } i <= n { s += $2 }
    END { printf "%d", s / 1048576 }')

rm -rf "$W"
mkdir -p "$W/nginx/tmp" "$W/etags" "$W/aggd" || exit 1

# --- nginx -----------------------------------------------------------------
# nginx_start PORT: run nginx in the foreground of a background job; 0 once
# it answers, 1 if it could not bind (so another port can be tried).
nginx_start() {
	cat >"$W/nginx/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log warn;
events {
	worker_connections 4096;
}
http {
	log_format st '\$status';
	access_log $W/nginx/access.log st;
	types {
		application/rss+xml xml;
	}
	default_type application/octet-stream;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	keepalive_timeout 120s;
	open_file_cache max=20000 inactive=120s;
	etag on;
	if_modified_since exact;
	client_body_temp_path $W/nginx/tmp/body;
	proxy_temp_path $W/nginx/tmp/proxy;
	fastcgi_temp_path $W/nginx/tmp/fastcgi;
	uwsgi_temp_path $W/nginx/tmp/uwsgi;
	scgi_temp_path $W/nginx/tmp/scgi;
	server {
		listen 127.0.0.1:$1;
		root $FEEDS;
	}
}
EOF
	: >>"$W/nginx/access.log"
	"$NGINX" -p "$W/nginx" -c "$W/nginx/nginx.conf" -e "$W/nginx/error.log" &
	nginx_pid=$!
	i=0
	while ! curl -s -o /dev/null --max-time 1 \
	    "http://127.0.0.1:$1/feed-00001.xml"; do
		if ! kill -0 "$nginx_pid" 2>/dev/null; then
			wait "$nginx_pid" 2>/dev/null
			nginx_pid=
			return 1
		fi
		i=$((i + 1))
		[ "$i" -lt 100 ] || die "nginx does not answer (see $W/nginx/error.log)"
		sleep 0.1
	done
	# The probe is no part of any cycle.
	return 0
}

nginx_stop() {
	kill "$nginx_pid" 2>/dev/null
	wait "$nginx_pid" 2>/dev/null
	nginx_pid=
}

# Below the ephemeral range (32768 up): the 10,000 failed fetches of the
# subscriptions may hold any port in it when nginx comes back.
port=
for try in 1 2 3 4 5 6 7 8 9 10; do
	p=$(awk -v s="$try$$" 'BEGIN { srand(s); print 20000 + int(rand() * 12000) }')
	if nginx_start "$p"; then
		port=$p
		break
	fi
done
[ -n "$port" ] || die "nginx could not listen (see $W/nginx/error.log)"
base=http://127.0.0.1:$port

# --- reference: curl ---------------------------------------------------------
awk -v n="$N" -v base="$base" -v dir="$W/etags" 'BEGIN {
	for (i = 1; i <= n; i++) {
		f = sprintf("%05d", i)
		printf "url = \"%s/feed-%s.xml\"\noutput = \"/dev/null\"\n", base, f
		printf "etag-save = \"%s/%s\"\n", dir, f
		if (i < n)
			print "next"
	}
}' >"$W/curl-cold.cfg"
sed 's/^etag-save/etag-compare/' "$W/curl-cold.cfg" >"$W/curl-warm.cfg"

# run_curl NAME CONFIG: sets wall, cpu, st
run_curl() {
	l0=$(log_lines)
	children_cpu >"$W/cpu0"
	t0=$(now)
	curl -sS --parallel --parallel-max "$PARALLEL" -K "$2" \
	    2>"$W/curl-$1.err" ||
	    die "curl $1 failed: $(tail -n 1 "$W/curl-$1.err")"
	t1=$(now)
	children_cpu >"$W/cpu1"
	wall=$(calc "$t1 - $t0")
	cpu=$(calc "$(cat "$W/cpu1") - $(cat "$W/cpu0")")
	st=$(statuses_since "$l0")
}

run_curl cold "$W/curl-cold.cfg"
curl_cold="$wall $cpu $st"
run_curl warm "$W/curl-warm.cfg"
curl_warm="$wall $cpu $st"
nginx_stop

# --- aggd --------------------------------------------------------------------
ctl() {
	"$AGGCTL" -s "$W/aggd/aggd.sock" "$@"
}

# aggd's CPU seconds so far and its peak RSS in MB
aggd_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{
		sub(/^.*\) /, ""); printf "%.3f", ($12 + $13) / hz }' \
	    "/proc/$aggd_pid/stat"
}
# the same for the loop's own thread (its tid is the pid): the figure
# the cold cycle's wall time follows while the loop is the busy one
aggd_loop_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{
		sub(/^.*\) /, ""); printf "%.3f", ($12 + $13) / hz }' \
	    "/proc/$aggd_pid/task/$aggd_pid/stat"
}
aggd_hwm() {
	awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$aggd_pid/status"
}
aggd_items() {
	n=$(ctl status --json 2>/dev/null | jq -r '.items // empty')
	if [ -z "$n" ] && command -v sqlite3 >/dev/null; then
		n=$(sqlite3 "$W/aggd/aggd.db" 'SELECT count(*) FROM items' \
		    2>/dev/null)
	fi
	echo "${n:-?}"
}

# run_aggd NAME: one `refresh --wait`; sets wall, cpu, hwm, items, st
run_aggd() {
	# Writing 5 to clear_refs resets VmHWM: each cycle gets its own peak.
	echo 5 >"/proc/$aggd_pid/clear_refs" 2>/dev/null
	l0=$(log_lines)
	i0=$(aggd_items)
	c0=$(aggd_cpu)
	lc0=$(aggd_loop_cpu)
	t0=$(now)
	if ! ctl refresh --wait >"$W/refresh-$1.out" 2>&1; then
		aggd_error="aggctl refresh --wait ($1) failed: $(tail -n 1 "$W/refresh-$1.out")"
		return 1
	fi
	t1=$(now)
	c1=$(aggd_cpu)
	lc1=$(aggd_loop_cpu)
	hwm=$(aggd_hwm)
	wall=$(calc "$t1 - $t0")
	cpu=$(calc "$c1 - $c0")
	items=$(aggd_items)
	case $items$i0 in
	*[!0-9]*)	items=? ;;
	*)		items=$((items - i0)) ;;
	esac
	st=$(statuses_since "$l0")
	# How late the loop's 100 ms probe fired (the last 1,024 samples,
	# taken while transfers ran: mostly this cycle's).
	lag=$(ctl status --json 2>/dev/null | jq -c .loop_lag_ms)
	printf 'aggd %s: loop thread CPU %s s, loop lag %s\n' "$1" \
	    "$(calc "$lc1 - $lc0")" "$lag" >>"$W/lag"
}

aggd_bench() {
	[ -x "$AGGD" ] && [ -x "$AGGCTL" ] || {
		aggd_error="$AGGD or $AGGCTL is not built"
		return 1
	}
	cat >"$W/aggd/aggd.conf" <<EOF
[daemon]
database = $W/aggd/aggd.db
socket = $W/aggd/aggd.sock
host_delay = 0
max_connections = $PARALLEL
per_host_connections = $PARALLEL
interval = 1d
EOF
	"$AGGD" -f -c "$W/aggd/aggd.conf" 2>"$W/aggd/aggd.log" &
	aggd_pid=$!
	i=0
	until ctl status >/dev/null 2>&1; do
		if ! kill -0 "$aggd_pid" 2>/dev/null; then
			aggd_pid=
			aggd_error="aggd exited: $(tail -n 1 "$W/aggd/aggd.log")"
			return 1
		fi
		i=$((i + 1))
		if [ "$i" -gt 100 ]; then
			aggd_error="aggd does not answer on $W/aggd/aggd.sock"
			return 1
		fi
		sleep 0.1
	done

	# Subscribe with nginx down: OPML import if aggctl has it, else add.
	awk -v n="$N" -v base="$base" 'BEGIN {
		print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		print "<opml version=\"2.0\"><head><title>bench</title></head><body>"
		for (i = 1; i <= n; i++)
			printf "<outline type=\"rss\" text=\"feed %d\" xmlUrl=\"%s/feed-%05d.xml\"/>\n", i, base, i
		print "</body></opml>"
	}' >"$W/feeds.opml"
	echo "subscribing $N feeds" >&2
	if ! ctl import "$W/feeds.opml" >"$W/import.out" 2>&1; then
		echo "aggctl import failed ($(tail -n 1 "$W/import.out")); using aggctl add" >&2
		i=1
		while [ "$i" -le "$N" ]; do
			if ! ctl add "$(printf '%s/feed-%05d.xml' "$base" "$i")" \
			    >/dev/null 2>"$W/add.err"; then
				aggd_error="aggctl add failed: $(tail -n 1 "$W/add.err")"
				return 1
			fi
			i=$((i + 1))
		done
	fi
	nfeeds=$(ctl status --json 2>/dev/null | jq -r '.feeds // empty')
	if [ "$nfeeds" != "$N" ]; then
		aggd_error="aggd has ${nfeeds:-?} feeds after subscribing $N"
		return 1
	fi
	# Let the fetches that subscribing started fail against the closed
	# port before the clock starts.
	i=0
	while [ "$(ctl status --json 2>/dev/null | jq -r '.transfers // 0')" != 0 ]; do
		i=$((i + 1))
		[ "$i" -lt 600 ] || break
		sleep 0.1
	done

	# The port can be briefly held by a socket of the failed fetches
	# (10,000 of them just ran through the ephemeral range): retry.
	i=0
	until nginx_start "$port"; do
		i=$((i + 1))
		[ "$i" -lt 20 ] || break
		sleep 0.5
	done
	[ "$i" -lt 20 ] || {
		aggd_error="nginx cannot listen on $port again"
		return 1
	}
	run_aggd cold || return 1
	aggd_cold="$wall $cpu $hwm $items $st"
	run_aggd warm || return 1
	aggd_warm="$wall $cpu $hwm $items $st"
}

aggd_cold=
aggd_warm=
aggd_bench

# --- report ------------------------------------------------------------------
# row NAME WALL CPU RSS ITEMS STATUSES...
row() {
	name=$1 wall=$2 cpu=$3 rss=$4 items=$5
	shift 5
	rate=-
	case $items in
	''|-|\?|*[!0-9]*)	;;
	# Parenthesised: a bare ">" in awk's printf is an output redirection.
	*)	rate=$(awk "BEGIN { printf \"%.0f\", ($wall > 0 ? $items / $wall : 0) }") ;;
	esac
	printf '%-12s %8s %7s %9s %8s %9s  %s\n' "$name" "$wall" "$cpu" \
	    "$rss" "$items" "$rate" "$*"
}

echo
echo "polling $N feeds ($total_mb MB) from nginx on 127.0.0.1," \
    "$PARALLEL transfers in flight, $(nproc) CPUs"
printf '%-12s %8s %7s %9s %8s %9s  %s\n' "" "wall s" "CPU s" "peak MB" \
    "items" "items/s" "statuses"
# shellcheck disable=SC2086
row "curl cold" $(echo "$curl_cold" | awk '{ print $1, $2 }') - - \
    $(echo "$curl_cold" | cut -d' ' -f3-)
# shellcheck disable=SC2086
row "curl warm" $(echo "$curl_warm" | awk '{ print $1, $2 }') - - \
    $(echo "$curl_warm" | cut -d' ' -f3-)
if [ -n "$aggd_warm" ]; then
	# shellcheck disable=SC2086
	row "aggd cold" $aggd_cold
	# shellcheck disable=SC2086
	row "aggd warm" $aggd_warm
	set -- $aggd_cold
	cw=$1 cr=$3
	set -- $aggd_warm
	ww=$1 wc=$2 wr=$3
	cat "$W/lag" 2>/dev/null
	verdict() { awk "BEGIN { exit !($1) }" && echo met || echo MISSED; }
	echo
	echo "targets (at 10,000 feeds): cold wall < 15 s: $(verdict "$cw < 15");" \
	    "warm wall < 2 s: $(verdict "$ww < 2");" \
	    "warm CPU < 1.5 s: $(verdict "$wc < 1.5");" \
	    "peak < 64 MB: $(verdict "$cr < 64 && $wr < 64")"
else
	echo "aggd        not measured: $aggd_error"
	exit 1
fi
