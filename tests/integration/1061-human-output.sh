#!/bin/sh
# The human tables and show as text: feeds shows title, tags, state and a
# failing feed's reason; items names each item's feed by its title; in a
# pipe nothing is cut, on a terminal (when script(1) can give one) rows fit
# its width with an ellipsis; show renders the content's HTML as text
# (paragraphs, entities decoded, script dropped, links listed), --html
# prints it as stored, --json the item object.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

long="A feed title long enough that no narrow terminal could ever show it whole, not even close"
mkdir -p "$T/docs"
cat >"$T/docs/html.xml" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>$long</title><link>http://example.org/</link>
<item><guid>h1</guid><title>Rich item</title><link>http://example.org/h1</link>
<author>ann@example.org (Ann)</author>
<category>cats</category>
<content:encoded><![CDATA[<p>First &amp; foremost, caf&eacute;.</p><script>alert("gone")</script><p>Read <a href="http://example.org/more">more here</a>.</p><ul><li>one</li><li>two</li></ul>]]></content:encoded>
</item></channel></rss>
EOF
httpd_start "$T/docs" || exit 1
aggd_start
add_wait "$HTTPD_URL/feeds/html.xml" --tag news --tag long-tag-name
good=$ID
ID=$(aggctl add "$HTTPD_URL/status/404/missing.xml") || fail "add"
bad=$ID
wait_for fetched "$bad" || fail "the 404 feed was never fetched"

# feeds through a pipe: whole values, the tags, the reason of the failure.
aggctl feeds >"$T/feeds" || fail "feeds exited $?"
grep -q "$long" "$T/feeds" || fail "feeds cut the title in a pipe: $(cat "$T/feeds")"
grep -q "long-tag-name,news" "$T/feeds" || fail "feeds lacks the tags: $(cat "$T/feeds")"
grep -q "^$bad  *error " "$T/feeds" || fail "the 404 feed is not 'error': $(cat "$T/feeds")"
grep -q "^  *HTTP 404" "$T/feeds" || fail "the reason is not shown: $(cat "$T/feeds")"
! grep -q "…" "$T/feeds" || fail "an ellipsis in a pipe: $(cat "$T/feeds")"
ok "feeds in a pipe: title whole, tags, state and reason"

# items: the feed's title, not its id.
aggctl items >"$T/items" || fail "items exited $?"
grep -q "Rich item" "$T/items" || fail "items: $(cat "$T/items")"
grep "Rich item" "$T/items" | grep -q "$long" ||
    fail "items does not name the feed by its title: $(cat "$T/items")"
ok "items names the feed by its title"

# On a terminal 60 columns wide: every line fits, cut with an ellipsis.
if script -qec true /dev/null >/dev/null 2>&1; then
	script -qec "stty cols 60; $BUILD/aggctl -s $T/aggd.sock feeds; \
	    $BUILD/aggctl -s $T/aggd.sock items" /dev/null </dev/null |
	    tr -d '\r' >"$T/tty"
	grep -q "…" "$T/tty" || fail "no ellipsis on a terminal: $(cat "$T/tty")"
	while IFS= read -r l; do
		n=$(printf '%s' "$l" | LC_ALL=C.UTF-8 wc -m)
		[ "$n" -le 60 ] || fail "a line of $n columns: '$l'"
	done <"$T/tty"
	ok "on a 60-column terminal every line fits"
else
	echo "ok - # SKIP script(1) cannot give a terminal"
fi

item=$(aggctl items --json | jq -r 'select(.guid == "h1") | .id')
aggctl show "$item" >"$T/show" || fail "show exited $?"
grep -q "^Title: *Rich item$" "$T/show" || fail "show: no title: $(cat "$T/show")"
grep -q "^Feed: *$long$" "$T/show" || fail "show: no feed title: $(cat "$T/show")"
grep -q "^Categories: *cats$" "$T/show" || fail "show: no categories: $(cat "$T/show")"
grep -q "^First & foremost, café\.$" "$T/show" ||
    fail "show: entities not decoded: $(cat "$T/show")"
grep -q "alert" "$T/show" && fail "show: the script was not dropped: $(cat "$T/show")"
grep -q "<p>" "$T/show" && fail "show: markup left: $(cat "$T/show")"
grep -q "^Read more here\[1\]\.$" "$T/show" || fail "show: the link is not marked: $(cat "$T/show")"
grep -q "^\[1\] http://example.org/more$" "$T/show" ||
    fail "show: the link is not listed: $(cat "$T/show")"
grep -q "^- one$" "$T/show" || fail "show: no list: $(cat "$T/show")"
# paragraphs: a blank line between them
awk '/^First/ { f = NR } /^Read more/ { r = NR } END { exit !(r == f + 2) }' \
    "$T/show" || fail "show: paragraphs not separated: $(cat "$T/show")"
ok "show renders the HTML as text"
aggctl show --html "$item" >"$T/html" || fail "show --html exited $?"
grep -q '<script>alert("gone")</script>' "$T/html" || fail "show --html: $(cat "$T/html")"
ok "show --html prints the content as stored"
assert_eq "$(aggctl show --json "$item" | jq -r .guid)" h1 "show --json"
aggd_stop
