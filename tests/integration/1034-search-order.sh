#!/bin/sh
# A search lists its matches in the listing's order (newest first by
# published, else first seen, ties by id), whatever order they were stored
# in: a feed added later with an archive of old items, items in a shuffled
# document, items without a date, several pages of results.  A date far
# in the future sorts as a day after the item was first seen, so it does
# not hold the top of every listing; its published date is kept as given.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

now=$(date +%s)
# items PREFIX N STEP: N items "PREFIX<k>" dated STEP seconds apart going
# back from now (STEP "none": undated; a negative STEP: a base in 2020),
# in a shuffled order, every one holding the word "common".
items() {
	awk -v n="$2" 'BEGIN { srand(7); for (i = 1; i <= n; i++) a[i] = i;
	    for (i = n; i > 1; i--) { j = int(rand() * i) + 1;
	    t = a[i]; a[i] = a[j]; a[j] = t }
	    for (i = 1; i <= n; i++) print a[i] }' |
	while read -r k; do
		printf '<item><guid>%s%s</guid><title>common %s%s</title>' \
		    "$1" "$k" "$1" "$k"
		case $3 in
		none)	;;
		-*)	printf '<pubDate>%s</pubDate>' "$(date -u -d \
			    "@$((1590000000 + k * ${3#-}))" \
			    '+%a, %d %b %Y %H:%M:%S GMT')" ;;
		*)	printf '<pubDate>%s</pubDate>' "$(date -u -d \
			    "@$((now - k * $3))" \
			    '+%a, %d %b %Y %H:%M:%S GMT')" ;;
		esac
		printf '<description>item %s of %s</description></item>\n' \
		    "$k" "$1"
	done
}
doc() {
	{
		echo '<?xml version="1.0" encoding="utf-8"?>'
		echo '<rss version="2.0"><channel><title>S</title>'
		echo '<link>http://example.org/</link>'
		cat
		echo '</channel></rss>'
	} >"$T/docs/$1"
}

{
	items n 300 60
	printf '<item><guid>future</guid><title>common future</title>'
	printf '<pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate></item>\n'
} | doc new.xml
items old 300 -3600 | doc old.xml
items undated 40 none | doc undated.xml
httpd_start "$T/docs" || exit 1
aggd_start
add_wait "$HTTPD_URL/feeds/new.xml"
id_new=$ID
add_wait "$HTTPD_URL/feeds/old.xml"
add_wait "$HTTPD_URL/feeds/undated.xml"
assert_eq "$(aggctl status --json | jq .items)" 641 "all items stored"

# list ARGS...: the guids items prints, in order, one per line.
list() {
	aggctl items --json "$@" >"$T/out" 2>"$T/err" ||
	    fail "items $* exited $?: $(cat "$T/err")"
	jq -r .guid "$T/out"
}
same() {
	list --limit 1000 "$@" >"$T/listed"
	list --limit 1000 --search common "$@" >"$T/found"
	[ -s "$T/listed" ] || fail "nothing listed for $*"
	cmp -s "$T/listed" "$T/found" ||
	    fail "search order differs from the listing's ($*): $(diff \
	    "$T/listed" "$T/found" | head -5 | tr '\n' ' ')"
	ok "search in the listing's order: $* ($(wc -l <"$T/found") items)"
}
same
same --feed "$id_new"
same --since 3h
aggctl read --feed "$id_new" >/dev/null || fail "read"
same --unread
assert_eq "$(list --search common --limit 1)" future \
    "first: the future date, capped at a day after it was seen"
assert_eq "$(list --search common --limit 1 | wc -l)" 1 "--limit 1"
assert_eq "$(list --search 'common old1*' --limit 3 | tr '\n' ' ')" \
    "old199 old198 old197 " "an archive's items by their own dates"
aggctl items --json --search future >"$T/out" || fail "items future"
assert_eq "$(jq -r .published "$T/out")" 2099-01-01T00:00:00Z \
    "the future date is kept as published"
aggd_stop
