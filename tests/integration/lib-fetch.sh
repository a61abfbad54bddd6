# Helpers for the fetching tests (family 2), sourced after lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/lib-fetch.sh"
#
# It makes $T/docs, the fixture server's document root; a script writes
# its feeds there and then calls httpd_start "$T/docs" and aggd_start.
#
#	feed ID EXPR		jq EXPR (raw output) on feed ID's object from
#				aggctl feeds --json
#	fetched ID		true once feed ID has finished a fetch
#	add_wait URL [ARGS]	aggctl add URL ARGS, then wait for the first
#				fetch to finish; sets ID (fails the test on
#				error; call it outside $(...))
#	refresh_wait ID...	aggctl refresh --wait ID..., failing the test
#				on a non-zero exit
#	refresh_failing ID...	aggctl refresh --wait ID... for polls meant to
#				fail: it must exit 1 with only "aggctl: feed"
#				lines on stderr (kept in $T/refresh.err)
#	db SQL			sqlite3 on $T/aggd.db (read-only queries)
#	now_ms			the time in milliseconds
#	status_while PID [FILE]	ask status every 0.2 s while PID runs (and
#				FILE does not exist), failing the test on an
#				answer later than 2 s; sets STATUS_N (answers)
#				and STATUS_MAXRSS (aggd's largest RSS, KB)
#	polled_on_time SINCE MS	fails unless fast.xml, a feed on a 1 s
#				interval, was polled about once a second in the
#				MS ms since SINCE=$(httpd_count 'fast\.xml')
#	rss FILE [ITEM]...	write an RSS 2.0 document to $T/docs/FILE; each
#				ITEM is "guid|title|link" (an empty field is
#				left out)

mkdir -p "$T/docs"

feed() {
	aggctl feeds --json | jq -r --argjson i "$1" "select(.id == \$i) | $2"
}

fetched() {
	[ "$(feed "$1" .last_fetch)" != null ]
}

add_wait() {
	_aw_url=$1
	shift
	ID=$(aggctl add "$@" "$_aw_url") || fail "add $_aw_url failed"
	case $ID in
	*[!0-9]*|'') fail "add $_aw_url printed '$ID'" ;;
	esac
	wait_for fetched "$ID" || fail "feed $ID ($_aw_url) never fetched"
}

refresh_wait() {
	aggctl refresh --wait "$@" ||
	    fail "aggctl refresh --wait $* exited $?"
}

refresh_failing() {
	aggctl refresh --wait "$@" 2>"$T/refresh.err"
	_rf_rc=$?
	[ "$_rf_rc" -eq 1 ] ||
	    fail "aggctl refresh --wait $* exited $_rf_rc, want 1"
	[ -s "$T/refresh.err" ] && ! grep -qv '^aggctl: feed ' "$T/refresh.err" ||
	    fail "aggctl refresh --wait $*: stderr '$(cat "$T/refresh.err")'"
}

db() {
	sqlite3 -cmd '.timeout 10000' "$T/aggd.db" "$1"
}

rss() {
	_rss_f=$T/docs/$1
	shift
	{
		echo '<?xml version="1.0" encoding="utf-8"?>'
		echo '<rss version="2.0"><channel><title>Fixture</title>'
		echo '<link>http://example.org/</link>'
		for _rss_i in "$@"; do
			_rss_g=${_rss_i%%|*}
			_rss_r=${_rss_i#*|}
			_rss_t=${_rss_r%%|*}
			_rss_l=${_rss_r#*|}
			printf '<item>'
			[ -z "$_rss_g" ] || printf '<guid>%s</guid>' "$_rss_g"
			[ -z "$_rss_t" ] || printf '<title>%s</title>' "$_rss_t"
			[ -z "$_rss_l" ] || printf '<link>%s</link>' "$_rss_l"
			printf '</item>\n'
		done
		echo '</channel></rss>'
	} >"$_rss_f"
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

status_while() {
	STATUS_N=0
	STATUS_MAXRSS=0
	while { [ -z "${2:-}" ] || [ ! -e "$2" ]; } &&
	    kill -0 "$1" 2>/dev/null; do
		_sw_t0=$(now_ms)
		timeout 20 "$BUILD/aggctl" -s "$T/aggd.sock" status --json \
		    >"$T/st" 2>&1 ||
		    fail "status failed during the query: $(cat "$T/st")"
		_sw_ms=$(($(now_ms) - _sw_t0))
		[ "$_sw_ms" -lt 2000 ] ||
		    fail "status took $_sw_ms ms during the query"
		_sw_rss=$(ps -o rss= -p "$AGGD_PID" | tr -d ' ')
		[ "${_sw_rss:-0}" -le "$STATUS_MAXRSS" ] ||
		    STATUS_MAXRSS=$_sw_rss
		STATUS_N=$((STATUS_N + 1))
		sleep 0.2
	done
}

polled_on_time() {
	_pt_n=$(($(httpd_count 'fast\.xml') - $1))
	[ "$_pt_n" -ge 2 ] && [ "$_pt_n" -ge $(($2 / 1000 - 2)) ] ||
	    fail "the 1 s feed was polled $_pt_n times in $2 ms"
	ok "the 1 s feed kept being polled ($_pt_n times in $2 ms)"
}
