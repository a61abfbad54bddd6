#!/bin/sh
# What curl reports is said in a user's words.  A URL whose scheme curl
# will not fetch is "not supported", not a redirect refusal, unless a
# redirect led there; a header line over curl's limit (100 KiB) is
# "response headers too large", not "Out of memory"; headers too large in
# all are named as such.  aggctl add and the config take only http and
# https, so the gopher:// feed comes from a database written by hand.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1'
cp "$T/docs/a.xml" "$T/docs/line.xml"
cp "$T/docs/a.xml" "$T/docs/many.xml"
# One header line of 200 KB; then 40 lines of 90 KB (each under the
# per-line limit, 3.6 MB in all).
a() {
	head -c "$1" /dev/zero | tr '\0' a
}
{ printf 'X-Big: '; a 200000; echo; } >"$T/docs/line.xml.headers"
for i in $(seq 40); do
	printf 'X-Big%s: ' "$i"
	a 90000
	echo
done >"$T/docs/many.xml.headers"
httpd_start "$T/docs" || exit 1
aggd_start

# err ID: refresh --wait ID, which must fail, and print its one line.
err() {
	aggctl refresh --wait "$1" 2>"$T/err" &&
	    fail "refresh --wait $1 exited 0"
	cat "$T/err"
}

sqlite3 -cmd '.timeout 10000' "$T/aggd.db" "INSERT INTO feeds (url, norm_url, added)
    VALUES ('gopher://127.0.0.1:$HTTPD_PORT/x', 'gopher://127.0.0.1:$HTTPD_PORT/x',
    1)" || fail "insert the gopher feed"
id=$(aggctl feeds --json | jq -r 'select(.url | startswith("gopher:")) | .id')
line=$(err "$id")
case $line in
*redirect*) fail "no redirect, but: $line" ;;
"aggctl: feed $id (gopher://127.0.0.1:$HTTPD_PORT/x): URL scheme not supported"*)
	ok "gopher:// without a redirect: $line" ;;
*) fail "gopher://: $line" ;;
esac
case $(feed "$id" .last_error) in
"URL scheme not supported"*) ok "last_error says so too" ;;
*) fail "gopher:// last_error: $(feed "$id" .last_error)" ;;
esac

add_wait "$HTTPD_URL/redirect-to?url=gopher://127.0.0.1:$HTTPD_PORT/x"
case $(feed "$ID" .last_error) in
"redirect to a scheme other than http or https refused"*)
	ok "gopher:// after a redirect: $(feed "$ID" .last_error)" ;;
*) fail "redirect to gopher://: $(feed "$ID" .last_error)" ;;
esac

add_wait "$HTTPD_URL/feeds/line.xml"
line=$(err "$ID")
case $line in
*"response headers too large"*) ok "a 200 KB header line: $line" ;;
*) fail "a 200 KB header line: $line" ;;
esac
case $line in
*[Oo]"ut of memory"*) fail "a 200 KB header line: $line" ;;
esac

add_wait "$HTTPD_URL/feeds/many.xml"
case $(feed "$ID" .last_error) in
*[Tt]"oo large response headers"*|*"response headers too large"*)
	ok "3.6 MB of headers: $(feed "$ID" .last_error)" ;;
*) fail "3.6 MB of headers: $(feed "$ID" .last_error)" ;;
esac
assert_eq "$(feed "$ID" .items)" 0 "nothing stored from either"
aggd_stop
