#!/bin/sh
# aggctl items: JSON Lines of item objects with exactly the keys of
# INTERFACE.md, newest first by published (else first_seen), ties by id
# (the later stored first); --limit, --feed by id and by URL, --unread,
# --since (RFC 3339 time, date), --after-id (only greater ids, in id
# order), --search (words of the title, summary or content; punctuation
# separates words and is never an operator) and their combinations.  Times are RFC 3339 UTC with Z, an
# enclosure's length is an integer or null, categories an array.  Without
# --json, on a pipe, it prints a table and exits 0.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

cat >"$T/docs/a.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Feed A</title><link>http://example.org/</link>
<item><guid>a1</guid><title>Alpha one</title><link>http://example.org/a1</link>
 <pubDate>Thu, 05 Sep 2024 14:30:00 +0000</pubDate>
 <author>ann@example.org (Ann)</author>
 <category>x</category><category>y</category>
 <description>first summary</description>
 <enclosure url="http://example.org/a1.mp3" type="audio/mpeg" length="12345"/>
</item>
<item><guid>a2</guid><title>Alpha two</title><link>http://example.org/a2</link>
 <pubDate>Mon, 02 Sep 2024 10:00:00 +0200</pubDate>
 <enclosure url="http://example.org/a2.ogg" type="audio/ogg"/></item>
<item><guid>a3</guid><title>Undated three</title><link>http://example.org/a3</link>
 <description>a 100% sure thing</description></item>
<item><guid>a4</guid><title>Alpha four</title><link>http://example.org/a4</link>
 <pubDate>Thu, 05 Sep 2024 14:30:00 GMT</pubDate>
 <content:encoded><![CDATA[<p>the needle is in the content</p>]]></content:encoded>
</item>
<item><guid>a5</guid><title>Old five</title><link>http://example.org/a5</link>
 <dc:date>2001-01-01T00:00:00Z</dc:date>
 <description>snake_case here</description></item>
<item><guid>a6</guid><title>Undated six</title><link>http://example.org/a6</link>
 <pubDate>not a date at all</pubDate></item>
</channel></rss>
EOF
cat >"$T/docs/b.atom" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Feed B</title>
<id>urn:b</id><updated>2024-09-04T12:00:00Z</updated>
<entry><id>urn:b1</id><title>Beta Needle one</title>
 <link href="http://example.org/b1"/><published>2024-09-04T12:00:00+02:00</published>
 <updated>2024-09-04T13:00:00Z</updated><author><name>Bea</name></author>
 <category term="z"/><summary>snakeXcase</summary></entry>
<entry><id>urn:b2</id><title>Beta two</title><link href="http://example.org/b2"/>
 <published>2024-08-01T00:00:00Z</published>
 <updated>2024-08-01T00:00:00Z</updated></entry>
</feed>
EOF
httpd_start "$T/docs" || exit 1
aggd_start
url_a=$HTTPD_URL/feeds/a.xml
url_b=$HTTPD_URL/feeds/b.atom
add_wait "$url_a"
id_a=$ID
add_wait "$url_b"
id_b=$ID

# guids ARGS: the guids aggctl items --json ARGS lists, in order, on one line.
guids() {
	aggctl items --json "$@" >"$T/list" || fail "aggctl items --json $* exited $?"
	jq -r '.guid | ltrimstr("urn:")' "$T/list" | tr '\n' ' ' | sed 's/ $//'
}
# id GUID: the item id of GUID.
id() {
	aggctl items --json |
	    jq -r --arg g "$1" 'select((.guid | ltrimstr("urn:")) == $g) | .id'
}

aggctl items --json >"$T/all" || fail "aggctl items --json exited $?"
assert_eq "$(wc -l <"$T/all" | tr -d ' ')" 8 "eight items, one line each"
jq -e -s 'all(.[]; type == "object")' "$T/all" >/dev/null ||
    fail "not JSON Lines of objects: $(head -c 300 "$T/all")"
ok "each line is one JSON object"
assert_eq "$(jq -c 'keys' "$T/all" | sort -u)" "$(echo '["id","feed_id",
    "feed_url","guid","title","link","author","published","updated",
    "summary","content","categories","enclosures","first_seen","read"]' |
    jq -c sort)" "exactly the item keys of INTERFACE.md"

# Types.
jq -e -s 'all(.[]; (.id | type) == "number" and (.feed_id | type) ==
    "number" and (.read | type) == "boolean" and
    (.categories | type) == "array" and all(.categories[]; type == "string")
    and (.enclosures | type) == "array" and (.first_seen | type) == "string")' \
    "$T/all" >/dev/null || fail "types: $(cat "$T/all")"
ok "types of id, feed_id, read, categories, enclosures, first_seen"
re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
jq -e -s --arg re "$re" 'all(.[]; [.published, .updated, .first_seen] |
    all(.[]; . == null or (type == "string" and test($re))))' "$T/all" \
    >/dev/null || fail "times not RFC 3339 UTC: $(jq -c \
    '[.published, .updated, .first_seen]' "$T/all")"
ok "times are RFC 3339 UTC with Z, or null"
jq -e -s 'all(.[].enclosures[]; (.length | type) == "number" or
    .length == null) and all(.[].enclosures[].length | numbers; . == floor)' \
    "$T/all" >/dev/null || fail "enclosure lengths: $(jq -c .enclosures "$T/all")"
ok "enclosure length is an integer or null"

# Values of a few items.
one() {
	jq -c --arg g "$1" "select((.guid | ltrimstr(\"urn:\")) == \$g) | $2" \
	    "$T/all"
}
assert_eq "$(one a1 '[.feed_id, .feed_url, .title, .link, .published,
    .updated, .categories, .enclosures, .summary, .read]')" \
    "[$id_a,\"$url_a\",\"Alpha one\",\"http://example.org/a1\",\"2024-09-05T14:30:00Z\",null,[\"x\",\"y\"],[{\"url\":\"http://example.org/a1.mp3\",\"type\":\"audio/mpeg\",\"length\":12345}],\"first summary\",false]" \
    "a1 as stored"
assert_eq "$(one a2 '[.published, .enclosures[0].length]')" \
    '["2024-09-02T08:00:00Z",null]' "a2: +0200 in UTC; no length is null"
assert_eq "$(one a4 .content)" '"<p>the needle is in the content</p>"' \
    "a4: content kept as markup"
assert_eq "$(one a6 .published)" null "a6: an unreadable date is null"
assert_eq "$(one b1 '[.feed_id, .feed_url, .author, .published, .updated,
    .categories]')" \
    "[$id_b,\"$url_b\",\"Bea\",\"2024-09-04T10:00:00Z\",\"2024-09-04T13:00:00Z\",[\"z\"]]" \
    "b1 as stored"

# Order: newest first by published, else first_seen, ties by id, later
# stored first; the undated items were first seen now, after 2024.
assert_eq "$(jq -s -c 'map(.id)' "$T/all")" "$(jq -s -c \
    'sort_by([(.published // .first_seen), .id]) | reverse | map(.id)' \
    "$T/all")" "sorted by published else first_seen, then id"
all=$(guids)
case $all in
'a3 a6 '*|'a6 a3 '*) ;;
*)	fail "undated items not first: $all" ;;
esac
if [ "$(id a1)" -gt "$(id a4)" ]; then tie="a1 a4"; else tie="a4 a1"; fi
assert_eq "${all#a? a? }" "$tie b1 a2 b2 a5" "dated items newest first"

# --limit
assert_eq "$(guids --limit 3)" "$(echo "$all" | cut -d' ' -f1-3)" \
    "--limit 3: the first three"
assert_eq "$(guids --limit 1)" "$(echo "$all" | cut -d' ' -f1)" "--limit 1"
assert_eq "$(guids --limit 100)" "$all" "--limit above the count"

# --feed by id and by URL, alone and with --limit.
assert_eq "$(guids --feed "$id_b")" "b1 b2" "--feed ID"
assert_eq "$(guids --feed "$url_b")" "b1 b2" "--feed URL"
a_only=$(echo "$all" | tr ' ' '\n' | grep '^a' | tr '\n' ' ' | sed 's/ $//')
assert_eq "$(guids --feed "$url_a")" "$a_only" "--feed URL of A"
assert_eq "$(guids --feed "$id_a" --limit 2)" \
    "$(echo "$a_only" | cut -d' ' -f1-2)" "--feed with --limit"
aggctl items --feed 9999 --json >"$T/out" 2>"$T/err" &&
    fail "--feed of an unknown feed succeeded"
grep -q '^aggctl: ' "$T/err" || fail "--feed unknown: '$(cat "$T/err")'"
ok "--feed of an unknown feed fails"

# --since: an RFC 3339 time, a date (midnight UTC).
assert_eq "$(guids --since 2024-09-04T10:00:00Z)" \
    "$(echo "$all" | cut -d' ' -f1-5)" "--since TIME (inclusive)"
assert_eq "$(guids --since 2024-09-04T10:00:01Z)" \
    "$(echo "$all" | cut -d' ' -f1-4)" "--since TIME one second later"
assert_eq "$(guids --since 2024-09-03)" "$(echo "$all" | cut -d' ' -f1-5)" \
    "--since DATE"
assert_eq "$(guids --since 2024-09-02T08:00:00+00:00)" \
    "$(echo "$all" | cut -d' ' -f1-6)" "--since with a +00:00 offset"
assert_eq "$(guids --since 2000-01-01 --feed "$id_b")" "b1 b2" \
    "--since with --feed"
aggctl items --since yesterdayish >"$T/out" 2>"$T/err" &&
    fail "--since yesterdayish succeeded"
assert_line "$T/err" "$(sed -n 1p "$T/err")" "--since unreadable: one line"
grep -q '^aggctl: ' "$T/err" || fail "--since unreadable: $(cat "$T/err")"

# --after-id N: only greater ids, in id order.
ids=$(jq -s -r 'map(.id) | sort | map(tostring) | join(" ")' "$T/all")
n=$(echo "$ids" | cut -d' ' -f3)
aggctl items --json --after-id "$n" >"$T/list" || fail "--after-id exited $?"
assert_eq "$(jq -r .id "$T/list" | tr '\n' ' ' | sed 's/ $//')" \
    "$(echo "$ids" | cut -d' ' -f4-)" "--after-id: greater ids, ascending"
aggctl items --json --after-id "$n" --limit 2 >"$T/list"
assert_eq "$(jq -r .id "$T/list" | tr '\n' ' ' | sed 's/ $//')" \
    "$(echo "$ids" | cut -d' ' -f4-5)" "--after-id with --limit"
aggctl items --json --after-id 0 >"$T/list"
assert_eq "$(jq -r .id "$T/list" | tr '\n' ' ' | sed 's/ $//')" "$ids" \
    "--after-id 0: all, ascending"
aggctl items --json --after-id 0 --feed "$id_b" >"$T/list"
assert_eq "$(jq -r .guid "$T/list" | sort | tr '\n' ' ')" "urn:b1 urn:b2 " \
    "--after-id with --feed"
max=$(echo "$ids" | awk '{print $NF}')
assert_eq "$(guids --after-id "$max")" "" "--after-id of the newest: none"

# --search: words of the title, summary, content (1030 tests the syntax).
assert_eq "$(guids --search needle | tr ' ' '\n' | sort | tr '\n' ' ')" \
    "a4 b1 " "--search: content and title"
assert_eq "$(guids --search 'first summ*')" a1 "--search: summary"
assert_eq "$(guids --search '100%')" a3 "--search: % is no operator"
assert_eq "$(guids --search '100%sure')" a3 "--search: 100%sure is 100 sure"
assert_eq "$(guids --search snake_case)" a5 "--search: _ separates words"
assert_eq "$(guids --search needle --feed "$id_b")" b1 "--search with --feed"
assert_eq "$(guids --search nothing-like-this)" "" "--search: no match"

# --unread once some are read.
aggctl read "$(id a1)" "$(id b2)" || fail "aggctl read exited $?"
assert_eq "$(guids --unread)" "$(echo "$all" | tr ' ' '\n' |
    grep -v -e '^a1$' -e '^b2$' | tr '\n' ' ' | sed 's/ $//')" \
    "--unread leaves out read items"
assert_eq "$(guids --unread --feed "$id_b")" b1 "--unread with --feed"
assert_eq "$(guids --unread --limit 2)" "$(guids --unread | cut -d' ' -f1-2)" \
    "--unread with --limit"
assert_eq "$(guids --search Alpha --unread | tr ' ' '\n' | sort |
    tr '\n' ' ')" "a2 a4 " "--search with --unread"

# Without --json on a pipe: a table, one line per item and a header.
aggctl items >"$T/table" 2>"$T/err" || fail "aggctl items (table) exited $?"
[ ! -s "$T/err" ] || fail "aggctl items (table) wrote on stderr: $(cat "$T/err")"
assert_eq "$(wc -l <"$T/table" | tr -d ' ')" 9 "table: a header and 8 rows"
for t in 'Alpha one' 'Undated six' 'Beta Needle one'; do
	grep -q "$t" "$T/table" || fail "table lacks '$t': $(cat "$T/table")"
done
grep -q '{' "$T/table" && fail "the table is JSON: $(head -2 "$T/table")"
ok "table lists the titles"
aggctl items --search nothing-like-this >"$T/table" ||
    fail "empty table exited $?"
ok "an empty list exits 0"

# Longer than one page of the daemon's keyset paging (256 rows): 300
# undated items (all tied on first_seen) and 300 tied on one date.
{
	echo '<?xml version="1.0"?><rss version="2.0"><channel><title>C</title>'
	i=1
	while [ "$i" -le 600 ]; do
		printf '<item><guid>c%d</guid><title>c %d</title>' "$i" "$i"
		[ "$i" -le 300 ] ||
		    printf '<pubDate>Sun, 01 Sep 2024 00:00:00 GMT</pubDate>'
		printf '</item>\n'
		i=$((i + 1))
	done
	echo '</channel></rss>'
} >"$T/docs/c.xml"
add_wait "$HTTPD_URL/feeds/c.xml"
id_c=$ID
aggctl items --json --feed "$id_c" >"$T/c" || fail "items --feed C exited $?"
assert_eq "$(jq -s -c '[length, (map(.id) | unique | length)]' "$T/c")" \
    '[600,600]' "600 items over several pages, each once"
assert_eq "$(jq -s -c 'map(.id)' "$T/c")" "$(jq -s -c \
    'sort_by([(.published // .first_seen), .id]) | reverse | map(.id)' \
    "$T/c")" "pages keep the order across ties"
aggctl items --json >"$T/all" || fail "items exited $?"
assert_eq "$(jq -s 'map(.id) | unique | length' "$T/all")" 608 \
    "all 608 items listed once"
assert_eq "$(jq -s -c 'map(.id)' "$T/all")" "$(jq -s -c \
    'sort_by([(.published // .first_seen), .id]) | reverse | map(.id)' \
    "$T/all")" "the whole list in order"
assert_eq "$(aggctl items --json --limit 300 | jq -s -c 'map(.id)')" \
    "$(jq -s -c '.[:300] | map(.id)' "$T/all")" "--limit 300 across a page"
n=$(jq -s 'map(.id) | min' "$T/c")
aggctl items --json --after-id "$n" >"$T/after" || fail "--after-id exited $?"
assert_eq "$(jq -s -c 'map(.id)' "$T/after")" \
    "$(jq -s -c --argjson n "$n" 'map(.id | select(. > $n)) | sort' \
    "$T/all")" "--after-id over several pages"
assert_eq "$(aggctl items --json --unread | wc -l | tr -d ' ')" 606 \
    "--unread over several pages"

aggd_stop
