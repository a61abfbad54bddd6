#!/bin/sh
# Item text packed with a trained zstd dictionary: once 600 items are
# stored, aggd trains one (off the loop) and packs the items stored after
# it as 'D' frames (the content BLOB's first byte).  Those items read
# back exactly as the feed served them through show (on the loop), items
# --json (a query thread's connection), --search (the index fed with the
# unpacked text) and a hook; again after a restart, and from an aggctl
# backup copy opened by a daemon of its own.  A copy whose dictionary is
# damaged still answers, and the log names the item and the dictionary.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

# gen FILE FIRST COUNT PREFIX: an RSS feed of COUNT items whose summary
# and content are made of words the feeds share (English, Russian,
# Georgian, markup), each with a word of its own ("PREFIXword<K>") for
# search; the expected guid, summary and content go to FILE.tsv.
gen() {
	awk -v first="$2" -v count="$3" -v prefix="$4" -v tsv="$1.tsv" 'BEGIN {
		n = split("river council budget harvest museum storm the of " \
		    "and parliament election Парламент выборы бюджет " \
		    "ახალი პარლამენტი არჩევნები Երևան weather report " \
		    "city mayor school bridge", w, " ")
		srand(first)
		print "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		print "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
		print "<channel><title>Dict " prefix "</title><link>http://example.org/</link>"
		for (k = first; k < first + count; k++) {
			s = "Summary " k ":"
			for (j = 0; j < 20; j++)
				s = s " " w[1 + int(rand() * n)]
			c = "<p>" prefix "word" k
			m = 150 + int(rand() * 150)
			for (j = 0; j < m; j++) {
				c = c " " w[1 + int(rand() * n)]
				if (j % 40 == 39)
					c = c "</p><p>"
			}
			c = c "</p>"
			printf "<item><guid>%s-%d</guid><title>Item %d</title>", prefix, k, k
			printf "<description>%s</description>", s
			printf "<content:encoded><![CDATA[%s]]></content:encoded></item>\n", c
			printf "%s-%d\t%s\t%s\n", prefix, k, s, c >tsv
		}
		print "</channel></rss>"
	}' >"$1"
}

i=1
while [ "$i" -le 6 ]; do
	gen "$T/docs/bulk$i.xml" $((i * 1000)) 100 bulk$i
	i=$((i + 1))
done
# late.xml: one item at first, then 30 more, stored (and announced)
# once the dictionary is there.
gen "$T/docs/late.xml.1" 1 1 late
gen "$T/docs/late.xml.2" 1 31 late
cat >"$T/hook.sh" <<'SH'
#!/bin/sh
cat >"$1/$AGG_ITEM_ID.json"
SH
chmod +x "$T/hook.sh"
mkdir -p "$T/hooked"
cat >>"$T/aggd.conf" <<EOF
hook = $T/hook.sh $T/hooked
EOF
httpd_start "$T/docs" || fail "httpd"
aggd_start

i=1
while [ "$i" -le 6 ]; do
	aggctl add "$HTTPD_URL/bulk$i.xml" >/dev/null || fail "add bulk$i"
	i=$((i + 1))
done
aggctl refresh --wait >/dev/null || fail "refresh of the bulk feeds"
assert_eq "$(aggctl status --json | jq -r .items)" 600 "600 items stored"

# Training ends on its thread; the next commit adopts it.  A 1-item feed
# polled again and again makes those commits.
add_wait "$HTTPD_URL/seq/late.xml"
late=$ID
trained() {
	aggctl refresh --wait "$late" >/dev/null
	grep -q 'text dictionary 1 ([0-9]* bytes) trained on [0-9]* items' \
	    "$T/aggd.log"
}
WAIT_FOR=30 wait_for trained || fail "no text dictionary was trained"
ok "a text dictionary is trained once 600 items are stored"
aggctl status >/dev/null || fail "status after training"

# The poll before adoption took late.xml.2: add its items again by
# polling a copy that gains them only now.
cp "$T/docs/late.xml.1" "$T/docs/late2.xml.1"
gen "$T/docs/late2.xml.2" 1 31 later
add_wait "$HTTPD_URL/seq/late2.xml"
later=$ID
refresh_wait "$later"
sort "$T/docs/late2.xml.2.tsv" >"$T/want.tsv"

# The content column's type and first byte: 44 is 'D', 5A 'Z'.
kinds=$(db "SELECT group_concat(k) FROM (SELECT DISTINCT typeof(content)
    || ':' || hex(substr(content, 1, 1)) AS k FROM items
    WHERE feed_id = $later AND guid != 'late-1')")
assert_eq "$kinds" blob:44 "the items stored after it are 'D' frames"
assert_eq "$(db "SELECT count(*) FROM zdicts")" 1 "one dictionary row"

# check WHAT: every way of reading the new items gives the feed's text.
check() {
	aggctl items --feed "$later" --limit 100 --json |
	    jq -r 'select(.guid != "late-1") | [.guid, .summary, .content] | @tsv' |
	    sort >"$T/got.tsv"
	cmp -s "$T/got.tsv" "$T/want.tsv" ||
	    fail "$1: items --json differs from the feed: $(diff "$T/want.tsv" "$T/got.tsv" | head -5)"
	ok "$1: items --json gives the text served"
	: >"$T/got.tsv"
	for id in $(aggctl items --feed "$later" --limit 100 --json |
	    jq -r 'select(.guid != "late-1") | .id'); do
		aggctl show "$id" --json |
		    jq -r '[.guid, .summary, .content] | @tsv' >>"$T/got.tsv" ||
		    fail "$1: show $id"
	done
	sort -o "$T/got.tsv" "$T/got.tsv"
	cmp -s "$T/got.tsv" "$T/want.tsv" ||
	    fail "$1: show differs from the feed: $(diff "$T/want.tsv" "$T/got.tsv" | head -5)"
	ok "$1: show gives the text served"
	aggctl items --search 'laterword17' --json |
	    jq -r '[.guid, .summary, .content] | @tsv' >"$T/got.tsv"
	assert_eq "$(cat "$T/got.tsv")" "$(grep '^later-17	' "$T/want.tsv")" \
	    "$1: --search finds a word of the packed content, and gives its text"
	assert_eq "$(aggctl items --search 'laterword*' --json | wc -l)" 31 \
	    "$1: --search finds every packed item"
}
check "running"

# 30 new items of late.xml, 31 of late2.xml.
WAIT_FOR=20 wait_for sh -c "[ \$(ls '$T/hooked' | wc -l) -ge 61 ]" ||
    fail "hooks ran for $(ls "$T/hooked" | wc -l) items, want 61"
cat "$T"/hooked/*.json | jq -r 'select(.feed_id == '"$later"') |
    [.guid, .summary, .content] | @tsv' | sort >"$T/got.tsv"
cmp -s "$T/got.tsv" "$T/want.tsv" ||
    fail "the hook's items differ from the feed: $(diff "$T/want.tsv" "$T/got.tsv" | head -5)"
ok "the hook is given the text served"

aggd_stop
aggd_start
check "after a restart"

aggctl backup "$T/copy.db" || fail "backup"
aggd_stop
sed -i "s|^database = .*|database = $T/copy.db|" "$T/aggd.conf"
aggd_start
check "a backup copy"
assert_eq "$(aggctl status --json | jq -r .items)" 663 "the copy's items"
aggd_stop

# A damaged dictionary: the items still list, the log says which.
sqlite3 "$T/copy.db" "DROP TRIGGER zdicts_keep_upd;
    UPDATE zdicts SET dict = zeroblob(length(dict))" || fail "damage"
aggd_start
grep -q 'text dictionary 1 is damaged: item text is packed without one' \
    "$T/aggd.log" || fail "the damaged dictionary is not logged at start"
ok "a damaged dictionary is logged at start"
id=$(aggctl items --search 'laterword17' --json | jq -r .id)
[ -n "$id" ] || fail "the item is no longer found"
aggctl show "$id" --json | jq -e '.content == null' >/dev/null ||
    fail "show $id of a damaged item"
grep -q "item $id: cannot read its text: text dictionary 1 is missing or damaged" \
    "$T/aggd.log" || fail "the damaged item is not named in the log"
ok "an item whose dictionary is damaged is named in the log, not a crash"
assert_eq "$(aggctl items --feed "$later" --json | wc -l)" 32 \
    "the damaged items still list"
aggd_stop
