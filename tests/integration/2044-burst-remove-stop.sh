#!/bin/sh
# A burst of new items is prepared off the loop (packed, made into search
# words, keyed) before it is stored.  Feeds removed while the burst runs
# (queued, in flight, being prepared or stored: whichever the timing
# gives) and a stop in its middle leave nothing half-done: aggd exits 0,
# no item outlives its feed, the database and its search index check
# out, and after a restart every remaining feed is stored whole and found
# by search, phrases across the packed text too.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

N=80
ITEMS=50
# Feed i's item j has the word w<i>x<j> and a paragraph long enough to
# be packed.
awk -v n="$N" -v m="$ITEMS" -v dir="$T/docs" 'BEGIN {
	para = "<p>The council met on the budget &amp; the harvest, and the"
	para = para " museum by the river stayed open through the storm.</p>"
	for (i = 1; i <= n; i++) {
		f = dir "/f" i ".xml"
		print "<?xml version=\"1.0\" encoding=\"utf-8\"?>" >f
		print "<rss version=\"2.0\"><channel><title>f" i "</title>" >f
		print "<link>http://example.org/</link>" >f
		for (j = 1; j <= m; j++) {
			d = "w" i "x" j
			for (k = 0; k < 8; k++)
				d = d " " para
			gsub(/&/, "\\&amp;", d); gsub(/</, "\\&lt;", d)
			printf "<item><guid>f%d-%d</guid><title>item %d of %d</title>",
			    i, j, j, i >f
			printf "<description>%s</description></item>\n", d >f
		}
		print "</channel></rss>" >f
		close(f)
	}
}'
httpd_start "$T/docs" || exit 1
aggd_start

{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<opml version="2.0"><head><title>t</title></head><body>'
	i=1
	while [ "$i" -le "$N" ]; do
		printf '<outline type="rss" text="f%d" xmlUrl="%s/f%d.xml"/>\n' \
		    "$i" "$HTTPD_URL" "$i"
		i=$((i + 1))
	done
	echo '</body></opml>'
} >"$T/feeds.opml"
aggctl import "$T/feeds.opml" >/dev/null || fail "import"
# Every other feed goes while the burst runs, the last subscribed (the
# likeliest still on the way) first; then aggd is stopped.
for id in $(aggctl feeds --json |
    jq -r 'select(.url | test("/f[0-9]*[02468][.]xml$")) | .id' | sort -rn); do
	aggctl remove "$id" >/dev/null || fail "remove $id"
done
aggd_stop TERM
ok "stopped in the middle of the burst: exit 0"

assert_eq "$(db 'PRAGMA integrity_check')" ok "database integrity"
assert_eq "$(db 'SELECT count(*) FROM items
    WHERE feed_id NOT IN (SELECT id FROM feeds)')" 0 \
    "no item outlives its feed"
assert_eq "$(db "INSERT INTO items_fts(items_fts, rank)
    VALUES ('integrity-check', 0); SELECT 'ok'")" ok \
    "search index integrity"

aggd_start
refresh_wait
left=$(aggctl feeds --json | jq -s length)
assert_eq "$left" $((N / 2)) "half the feeds remain"
assert_eq "$(aggctl status --json | jq .items)" $((left * ITEMS)) \
    "every remaining feed stored whole"
assert_eq "$(aggctl items --search w1x7 --json | jq -r .title)" \
    "item 7 of 1" "a word of one item finds it"
assert_eq "$(aggctl items --search w2x7 --json | jq -s length)" 0 \
    "a removed feed's words are gone"
assert_eq "$(aggctl items --search '"museum by the river" w3x50' --json |
    jq -r .title)" "item 50 of 3" "a phrase across the packed text"
aggd_stop
