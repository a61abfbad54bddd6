#!/bin/sh
# aggctl items --search: full text over the words of each item's title,
# summary and content (markup dropped, entities decoded).  Words must all
# match; "a phrase"; prefix*; OR; -word excludes.  Case-insensitive in
# Latin, Cyrillic and Armenian, Georgian as written, Latin diacritics
# ignored.  A word only inside a tag's attribute is not found.  Newest
# first, with --feed, --unread and --since.  The index follows an item
# whose text changes and a feed that is removed.  A malformed query gets
# one clear error line (no SQL), and operators or punctuation in the text
# cannot change the query.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

# item GUID DATE TITLE DESCRIPTION(escaped HTML)
item() {
	printf '<item><guid>%s</guid><pubDate>%s</pubDate><title>%s</title>' \
	    "$1" "$2" "$3"
	printf '<description>%s</description></item>\n' "$4"
}
doc() {
	f=$1
	shift
	{
		echo '<?xml version="1.0" encoding="utf-8"?>'
		echo '<rss version="2.0"><channel><title>S</title>'
		echo '<link>http://example.org/</link>'
		cat
		echo '</channel></rss>'
	} >"$T/docs/$f"
}
{
item s1 'Mon, 02 Sep 2024 10:00:00 GMT' 'Parliament passes the law' \
    '&lt;p&gt;The &lt;b&gt;court&lt;/b&gt; said so&lt;/p&gt;'
item s2 'Mon, 02 Sep 2024 11:00:00 GMT' 'Парламент принял закон' \
    'Депутаты голосовали'
item s3 'Mon, 02 Sep 2024 12:00:00 GMT' 'ახალი კანონი' 'პარლამენტმა მიიღო'
item s4 'Mon, 02 Sep 2024 13:00:00 GMT' 'Café culture' 'crème brûlée'
item s5 'Mon, 02 Sep 2024 14:00:00 GMT' 'Links' \
    '&lt;a href="http://example.org/hiddenword" title="alsohidden"&gt;visible&lt;/a&gt;'
item s6 'Mon, 02 Sep 2024 15:00:00 GMT' 'Entities' \
    '&lt;p&gt;caf&amp;eacute; au lait, &amp;#x41C;осква&lt;/p&gt;'
item s7 'Mon, 02 Sep 2024 16:00:00 GMT' 'Խորհրդարան' 'Armenian'
item s8 'Mon, 02 Sep 2024 17:00:00 GMT' 'Parliamentary session' 'no trial'
} | doc a.xml
item t1 'Tue, 03 Sep 2024 10:00:00 GMT' 'Parliament again' 'elsewhere' |
    doc b.xml
httpd_start "$T/docs" || exit 1
aggd_start
add_wait "$HTTPD_URL/feeds/a.xml"
id_a=$ID
add_wait "$HTTPD_URL/feeds/b.xml"
id_b=$ID

# guids ARGS...: the guids items prints, in order, on one line.
guids() {
	aggctl items --json "$@" >"$T/out" 2>"$T/err" ||
	    fail "items $* exited $?: $(cat "$T/err")"
	jq -r .guid "$T/out" | tr '\n' ' ' | sed 's/ $//'
}
s() {
	guids --search "$@"
}

# Operators.
assert_eq "$(s 'law court')" s1 "words: all must match"
assert_eq "$(s 'law AND court')" s1 "AND may be written"
assert_eq "$(s 'law trial')" "" "words: one missing, no match"
assert_eq "$(s '"passes the law"')" s1 "a phrase"
assert_eq "$(s '"law passes"')" "" "a phrase is in order"
assert_eq "$(s 'parl*')" "t1 s8 s1" "prefix, newest first"
assert_eq "$(s 'trial OR court')" "s8 s1" "OR"
assert_eq "$(s 'parl* -court')" "t1 s8" "-word excludes"
assert_eq "$(s 'parl* -"passes the law" -again')" s8 "-\"phrase\" excludes"
assert_eq "$(s '"court said so"')" s1 "a phrase across markup"
assert_eq "$(s '"law court"')" "" "words apart are no phrase"
assert_eq "$(s 'parl* -"law court"')" "t1 s8 s1" \
    "-\"phrase\" keeps an item with the words apart"
assert_eq "$(s '"creme brulee"')" s4 "a phrase, diacritics ignored"
assert_eq "$(s '"brulee creme"')" "" "a phrase, diacritics ignored, in order"
assert_eq "$(s '"creme bru"*')" s4 "a phrase ending in a prefix"
assert_eq "$(s '"law passes" OR culture')" s4 "a phrase OR a word"
assert_eq "$(s '"ПРИНЯЛ ЗАКОН"')" s2 "a Cyrillic phrase, any case"
assert_eq "$(s 'session OR again court')" "" "OR binds tighter than AND"
assert_eq "$(s 'visible OR trial parl*')" s8 "(a OR b) AND c"

# Scripts and case.
assert_eq "$(s 'парламент')" s2 "Cyrillic, lower case finds Парламент"
assert_eq "$(s 'ПАРЛАМЕНТ')" s2 "Cyrillic, upper case"
assert_eq "$(s 'кодекс OR закон')" s2 "Cyrillic OR"
assert_eq "$(s 'კანონი')" s3 "Georgian"
assert_eq "$(s 'პარლამენტ*')" s3 "Georgian prefix"
assert_eq "$(s 'խորհրդարան')" s7 "Armenian, lower case finds upper"
assert_eq "$(s 'cafe')" "s6 s4" "diacritics ignored (cafe finds café)"
assert_eq "$(s 'CRÈME brulee')" s4 "diacritics and case"

# Markup and entities.
assert_eq "$(s hiddenword)" "" "a word only in an attribute: not found"
assert_eq "$(s alsohidden)" "" "nor in another attribute"
assert_eq "$(s href)" "" "tag and attribute names are not words"
assert_eq "$(s visible)" s5 "the link's text is"
assert_eq "$(s 'café lait')" s6 "an entity-encoded word (caf&eacute;)"
assert_eq "$(s 'москва')" s6 "a numeric reference (&#x41C;осква)"
assert_eq "$(s 'said so')" s1 "text across tags"

# Combined with --feed, --unread, --since, --limit.
assert_eq "$(s 'parl*' --feed "$id_b")" t1 "--search with --feed"
assert_eq "$(s 'parl*' --feed "$id_a" --limit 1)" s8 "with --limit"
assert_eq "$(s 'parl*' --since 2024-09-02T16:00:00Z)" "t1 s8" "with --since"
aggctl read "$(aggctl items --json --search again | jq -r .id)" >/dev/null ||
    fail "read"
assert_eq "$(s 'parl*' --unread)" "s8 s1" "with --unread"

# Text the user types is never FTS5 syntax.
for q in 'NEAR(law court)' 'title:law' '^law' 'law + court' '(law' \
    'law)' '{title}: law' 'law"' 'a"b' '*law' "law'" 'x AND-y'; do
	aggctl items --json --search "$q" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		grep -qi 'sql\|fts5\|syntax error' "$T/err" &&
		    fail "'$q': an SQL error reached the user: $(cat "$T/err")"
		grep -q '^aggctl: bad search: ' "$T/err" ||
		    fail "'$q': unclear error: $(cat "$T/err")"
	fi
done
ok "operators and punctuation in the text cannot inject syntax"
assert_eq "$(s 'NEAR(law court)')" "" "NEAR( is a word, not a function"
assert_eq "$(s 'law court)')" s1 "a stray parenthesis is punctuation"

# Malformed queries: one clear line, exit 1, daemon fine.
bad() {
	aggctl items --search "$1" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -ne 0 ] || fail "'$1': exit 0, want an error"
	assert_eq "$(cat "$T/err")" "aggctl: bad search: $2" "bad query '$1'"
}
bad '"unclosed phrase' "unclosed quote"
bad 'OR' "OR must stand between two words"
bad 'law OR' "OR must stand between two words"
bad 'OR law' "OR must stand between two words"
bad 'law OR OR court' "OR must stand between two words"
bad '-law' "only excluded words: give a word to find"
bad '-law -court' "only excluded words: give a word to find"
bad 'law OR -court' "OR cannot join an excluded word"
bad '*' "'*' must end a word"
bad '""' "empty phrase"
bad '   ' "nothing to search for"
kill -0 "$AGGD_PID" || fail "aggd died"

# The index follows the item: a changed title is found by its new words
# only; a removed feed's items are gone from it.
sed -i 's/Parliamentary session/Senate hearing/' "$T/docs/a.xml"
refresh_wait "$id_a"
assert_eq "$(s senate)" s8 "a changed item: found by its new words"
assert_eq "$(s session)" "" "and no longer by its old ones"
aggctl remove "$id_b" >/dev/null || fail "remove"
assert_eq "$(s again)" "" "a removed feed's items: gone from the index"
assert_eq "$(db "SELECT count(*) FROM items_fts WHERE items_fts MATCH 'again'")" \
    0 "and from the index itself"
assert_eq "$(s 'parl*')" s1 "the rest still found"
aggd_stop
ok "done"
