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
