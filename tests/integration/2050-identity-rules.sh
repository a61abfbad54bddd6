#!/bin/sh
# An item's identity never changes under it.  Six feeds change between
# nine polls the ways real feeds do: guids appear, disappear, are given
# for some items and not others, change on every poll while links stay,
# repeat within one document; some items have no link; a forum's posts
# all link to their thread.  Through every poll each item is stored once
# (never a duplicate), two genuinely different items are never merged,
# each new item is announced exactly once (hook and follow), and an item
# whose text changes is updated in place.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

POLLS=9

# doc FILE ITEM...: an RSS document; ITEM is
# "guid|title|link|day|enclosure|description", an empty field left out
# (day: the day of January 2024 it was published).
doc() {
	_d_f=$T/docs/$1
	shift
	{
		echo '<?xml version="1.0" encoding="utf-8"?>'
		echo '<rss version="2.0"><channel><title>Fixture</title>'
		echo '<link>http://example.org/</link>'
		for _d_i in "$@"; do
			echo "$_d_i" | awk -F'|' '{
			    printf "<item>"
			    if ($1 != "")
				printf "<guid isPermaLink=\"false\">%s" \
				    "</guid>", $1
			    if ($2 != "")
				printf "<title>%s</title>", $2
			    if ($3 != "")
				printf "<link>%s</link>", $3
			    if ($4 != "")
				printf "<pubDate>%02d Jan 2024 10:00:00 GMT" \
				    "</pubDate>", $4
			    if ($5 != "")
				printf "<enclosure url=\"%s\" length=\"1\"" \
				    " type=\"audio/mpeg\"/>", $5
			    if ($6 != "")
				printf "<description>%s</description>", $6
			    printf "</item>\n"
			}'
		done
		echo '</channel></rss>'
	} >"$_d_f"
}

# A: guids appear, disappear and come back (links always there); a2's
# text changes on the sixth poll.
a() { echo "$2|a$1|http://a.example/$1|$1||$3"; }
doc a.xml.1 "$(a 3)" "$(a 2)" "$(a 1)"
doc a.xml.2 "$(a 3 g3)" "$(a 2 g2)" "$(a 1 g1)"
doc a.xml.3 "$(a 4 g4)" "$(a 3 g3)" "$(a 2 g2)" "$(a 1 g1)"
doc a.xml.4 "$(a 4)" "$(a 3)" "$(a 2)" "$(a 1)"
doc a.xml.5 "$(a 5)" "$(a 4 g4)" "$(a 3)" "$(a 2 g2)" "$(a 1)"
doc a.xml.6 "$(a 5 g5)" "$(a 4 g4)" "$(a 3 g3)" "$(a 2 g2 edited)" \
    "$(a 1 g1)"
doc a.xml.7 "$(a 6 g6)" "$(a 5 g5)" "$(a 4 g4)" "$(a 3 g3)" \
    "$(a 2 g2 edited)" "$(a 1 g1)"
doc a.xml.8 "$(a 6)" "$(a 5)" "$(a 4)" "$(a 3)" "$(a 2 '' edited)" "$(a 1)"
cp "$T/docs/a.xml.7" "$T/docs/a.xml.9"

# B: the partial case: three items with guids, then one new without a
# guid and one new without a link; later they gain what they lacked, a
# third arrives with neither, an old one loses its guid.
b() { echo "$2|b$1|$3||$4|"; }
bl() { echo "http://b.example/$1"; }
doc b.xml.1 "$(b 3 g3 "$(bl 3)")" "$(b 2 g2 "$(bl 2)")" "$(b 1 g1 "$(bl 1)")"
doc b.xml.2 "$(b 5 g5 '')" "$(b 4 '' "$(bl 4)")" "$(b 3 g3 "$(bl 3)")" \
    "$(b 2 g2 "$(bl 2)")" "$(b 1 g1 "$(bl 1)")"
doc b.xml.4 "$(b 5 g5 "$(bl 5)")" "$(b 4 g4 "$(bl 4)")" \
    "$(b 3 g3 "$(bl 3)")" "$(b 2 g2 "$(bl 2)")" "$(b 1 g1 "$(bl 1)")"
doc b.xml.5 "$(b 6 '' '')" "$(b 5 g5 "$(bl 5)")" "$(b 4 g4 "$(bl 4)")" \
    "$(b 3 g3 "$(bl 3)")" "$(b 2 g2 "$(bl 2)")" "$(b 1 g1 "$(bl 1)")"
doc b.xml.6 "$(b 6 g6 '')" "$(b 5 g5 "$(bl 5)")" "$(b 4 g4 "$(bl 4)")" \
    "$(b 3 g3 "$(bl 3)")" "$(b 2 g2 "$(bl 2)")" "$(b 1 g1 "$(bl 1)")"
doc b.xml.7 "$(b 7 g7 "$(bl 7)")" "$(b 6 g6 '')" "$(b 5 g5 "$(bl 5)")" \
    "$(b 4 g4 "$(bl 4)")" "$(b 3 g3 "$(bl 3)")" "$(b 2 g2 "$(bl 2)")" \
    "$(b 1 '' "$(bl 1)")"
doc b.xml.9 "$(b 7 g7 "$(bl 7)")" "$(b 6 g6 '')" "$(b 5 g5 "$(bl 5)")" \
    "$(b 4 g4 "$(bl 4)")" "$(b 3 g3 "$(bl 3)")" "$(b 2 g2 "$(bl 2)")" \
    "$(b 1 g1 "$(bl 1)")"

# C: a guid that changes on every poll (a timestamp in it) while links
# and dates stay; new items on the third and sixth polls, the second one
# without a guid.
c() { echo "$2|c$1|http://c.example/$1?utm=x|$1||"; }
for n in $(seq 1 $POLLS); do
	set -- "$(c 3 "t$n-3")" "$(c 2 "t$n-2")" "$(c 1 "t$n-1")"
	[ "$n" -lt 3 ] || set -- "$(c 4 "t$n-4")" "$@"
	[ "$n" -lt 6 ] || set -- "$(c 5 '')" "$@"
	doc "c.xml.$n" "$@"
done

# D: a forum whose reliable guids are posts and whose links are their
# thread (the fragment names the post); replies share the thread's title.
# Each poll brings two posts and the older ones drop out.
p() { echo "post$1|Re: thread $2|http://d.example/t/$2#p$1|$1||post $1"; }
for n in $(seq 1 $POLLS); do
	doc "d.xml.$n" "$(p $((2 * n)) one)" "$(p $((2 * n - 1)) two)"
done

# E: a podcast: no links, each episode an enclosure; guids disappear on
# the third poll and come back, a new episode comes without one.
e() { echo "$2|e$1||$1|http://e.example/$1.mp3|"; }
doc e.xml.1 "$(e 2 g2)" "$(e 1 g1)"
doc e.xml.2 "$(e 3 g3)" "$(e 2 g2)" "$(e 1 g1)"
doc e.xml.3 "$(e 3)" "$(e 2)" "$(e 1)"
doc e.xml.4 "$(e 3 g3)" "$(e 2 g2)" "$(e 1 g1)"
doc e.xml.5 "$(e 4)" "$(e 3 g3)" "$(e 2 g2)" "$(e 1 g1)"

# F: the same guid on every item, then fixed, then broken again.
f() { echo "$2|f$1|http://f.example/$1|$1||"; }
doc f.xml.1 "$(f 3 same)" "$(f 2 same)" "$(f 1 same)"
doc f.xml.2 "$(f 4 same)" "$(f 3 same)" "$(f 2 same)" "$(f 1 same)"
doc f.xml.3 "$(f 4 g4)" "$(f 3 g3)" "$(f 2 g2)" "$(f 1 g1)"
doc f.xml.5 "$(f 5 same)" "$(f 4 same)" "$(f 3 same)" "$(f 2 same)" \
    "$(f 1 same)"
doc f.xml.7 "$(f 5 g5)" "$(f 4 g4)" "$(f 3 g3)" "$(f 2 g2)" "$(f 1 g1)"

# Each announced item goes to the hook, which records feed and title.
cat >"$T/hook.sh" <<'SH'
#!/bin/sh
cat >/dev/null
printf '%s|%s|%s|%s\n' "$AGG_FEED_ID" "$AGG_ITEM_ID" "$AGG_ITEM_TITLE" \
    "$AGG_ITEM_LINK" >>"$1"
SH
chmod +x "$T/hook.sh"
cat >>"$T/aggd.conf" <<EOF
hook = $T/hook.sh $T/hooked
EOF
httpd_start "$T/docs" || exit 1
aggd_start
aggctl follow --json >"$T/follow.out" 2>"$T/follow.err" &
track_pid $!

ids=
for x in a b c d e f; do
	add_wait "$HTTPD_URL/seq/$x.xml"
	eval "id_$x=\$ID"
	ids="$ids $ID"
done

# An item's own identity, for counting: its title, but for the forum's
# posts, which share their thread's title, the link (its fragment names
# the post).
IDENT="CASE WHEN title LIKE 'Re: %' THEN link ELSE title END"
no_duplicates() {
	db "SELECT feed_id || ':' || $IDENT || ' x' || count(*) FROM items
	    GROUP BY feed_id, $IDENT HAVING count(*) > 1"
}

poll=1
while :; do
	dups=$(no_duplicates)
	[ -z "$dups" ] || fail "poll $poll: stored twice: $dups"
	[ "$poll" -lt "$POLLS" ] || break
	refresh_wait $ids
	poll=$((poll + 1))
done
ok "$POLLS polls, no item stored twice"

# What each feed should hold: every distinct item it ever served; and
# how many of them came after its first fetch (those are announced).
want() {
	case $1 in
	a) echo 6 3 ;; b) echo 7 4 ;; c) echo 5 2 ;;
	d) echo $((2 * POLLS)) $((2 * POLLS - 2)) ;; e) echo 4 2 ;;
	f) echo 5 2 ;;
	esac
}
total=0
announced=0
for x in a b c d e f; do
	eval "id=\$id_$x"
	set -- $(want "$x")
	n=$1
	total=$((total + n))
	assert_eq "$(feed "$id" .items)" "$n" "feed $x: $n items (feeds --json)"
	assert_eq "$(aggctl items --json --feed "$id" | jq -s length)" "$n" \
	    "feed $x: $n items (items --json)"
	assert_eq "$(db "SELECT count(DISTINCT $IDENT) FROM items
	    WHERE feed_id = $id")" "$n" "feed $x: $n distinct items"
	assert_eq "$(db "SELECT count(*) FROM items WHERE feed_id = $id
	    AND announced = 1")" "$2" "feed $x: $2 announced"
	announced=$((announced + $2))
done
assert_eq "$(db 'SELECT count(*) FROM items')" "$total" "$total items in all"
assert_eq "$(db "SELECT key_mode FROM feeds WHERE id = $id_d")" guid \
    "the forum keeps its guids"
assert_eq "$(db "SELECT count(*) FROM items WHERE feed_id = $id_a
    AND title = 'a2' AND summary = 'edited'")" 1 "a changed item is updated"

# Announced: every item not in its feed's first fetch, once.
assert_eq "$(db 'SELECT count(*) FROM items WHERE announced = 1')" \
    "$announced" "$announced items announced"
WAIT_FOR=30 wait_for sh -c "[ -f '$T/hooked' ] &&
    [ \$(wc -l <'$T/hooked') -ge $announced ]" ||
    fail "hooks: $(cat "$T/hooked" 2>/dev/null | wc -l) of $announced"
wait_for sh -c "$BUILD/aggctl -s $T/aggd.sock status --json |
    jq -e '.hooks_pending == 0' >/dev/null" || fail "hooks still pending"
assert_eq "$(wc -l <"$T/hooked")" "$announced" "the hook ran $announced times"
assert_eq "$(cut -d'|' -f1,3,4 "$T/hooked" | sort | uniq -d)" "" \
    "no item reached the hook twice"
wait_for sh -c "[ \$(wc -l <'$T/follow.out') -ge $announced ]" ||
    fail "follow: $(wc -l <"$T/follow.out") of $announced"
assert_eq "$(wc -l <"$T/follow.out")" "$announced" \
    "follow printed $announced items"
assert_eq "$(jq -r '"\(.feed_id)|\(.title)|\(.link)"' "$T/follow.out" |
    sort | uniq -d)" "" "no item followed twice"
aggd_stop
