#!/bin/sh
# 301 and 308 move the feed: its stored URL becomes the target, it keeps
# its id and items, and the old URL stays an alias (add prints the same id,
# remove by the old URL works).  A chain is a move only when every hop was
# permanent: 301 then 302 leaves the URL alone.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1' 'a2|two|http://example.org/a2'
rss b.xml 'b1|one|http://example.org/b1'
rss c.xml 'c1|one|http://example.org/c1'
httpd_start "$T/docs" || exit 1
aggd_start

for code in 301 308; do
	case $code in 301) f=a.xml n=2 ;; 308) f=b.xml n=1 ;; esac
	old=$HTTPD_URL/redirect/$code/feeds/$f
	new=$HTTPD_URL/feeds/$f
	add_wait "$old"
	assert_eq "$(feed "$ID" .last_status)" 200 "$code: fetched"
	assert_eq "$(feed "$ID" .url)" "$new" "$code: the stored URL is the target"
	assert_eq "$(feed "$ID" .items)" "$n" "$code: items stored"
	assert_eq "$(aggctl add "$old")" "$ID" "$code: adding the old URL gives the id"
	assert_eq "$(aggctl add "$new")" "$ID" "$code: adding the new URL gives the id"
	assert_eq "$(aggctl feeds --json | jq -s length)" \
	    "$([ $code = 301 ] && echo 1 || echo 2)" "$code: no feed added"

	# The next poll goes straight to the new URL.
	before=$(httpd_count "^/redirect/$code/")
	refresh_wait "$ID"
	assert_eq "$(httpd_count "^/redirect/$code/")" "$before" \
	    "$code: the old URL is not asked again"
	assert_eq "$(httpd_count "^/feeds/$f\$")" 2 "$code: the new one is"
	assert_eq "$(feed "$ID" .items)" "$n" "$code: the same items"
	eval "id_$code=\$ID"
done

# Remove by the old URL.
aggctl remove "$HTTPD_URL/redirect/301/feeds/a.xml" ||
    fail "remove by the old URL failed"
assert_eq "$(aggctl feeds --json | jq --argjson i "$id_301" \
    'select(.id == $i) | .id')" "" "removed by the old URL"
assert_eq "$(db "SELECT count(*) FROM items WHERE feed_id = $id_301")" 0 \
    "its items went with it"
# The alias went too: the old URL is a new feed now.
new_id=$(aggctl add "$HTTPD_URL/redirect/301/feeds/a.xml") || fail "re-add"
[ "$new_id" != "$id_301" ] || fail "re-adding the removed feed's alias gave its old id"
ok "the alias is gone with the feed"
aggctl remove "$new_id" >/dev/null

# 301 then 302: not every hop permanent, no move.
old=$HTTPD_URL/redirect/301/redirect/302/feeds/c.xml
add_wait "$old"
assert_eq "$(feed "$ID" .last_status)" 200 "301+302: fetched"
assert_eq "$(feed "$ID" .url)" "$old" "301+302: the URL is kept"
assert_eq "$(feed "$ID" .items)" 1 "301+302: items stored"
aggd_stop
