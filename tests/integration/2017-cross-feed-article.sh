#!/bin/sh
# The same article in two feeds (same guid when it is a URL, or the same
# normalised link) is stored for each feed and announced once: by the
# feed that stored it first.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

# Each feed first has an item of its own (its first fetch), then the
# shared articles appear in both.
rss a.xml.1 'http://example.org/a-own|a own|http://example.org/a-own'
rss b.xml.1 'http://example.org/b-own|b own|http://example.org/b-own'
# s1: the same guid URL (links differ); s2: guids differ (not URLs),
# links the same once normalised.
rss a.xml.2 'http://example.org/s1|shared 1|http://example.org/s1?from=a' \
    'a-s2|shared 2|http://EXAMPLE.org:80/s2' \
    'http://example.org/a-own|a own|http://example.org/a-own'
rss b.xml.2 'http://example.org/s1|shared 1|http://example.org/s1?from=b' \
    'b-s2|shared 2|http://example.org/s2' \
    'http://example.org/b-own|b own|http://example.org/b-own'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/seq/a.xml"
id_a=$ID
add_wait "$HTTPD_URL/seq/b.xml"
id_b=$ID
refresh_wait "$id_a"
refresh_wait "$id_b"

assert_eq "$(feed "$id_a" .items)" 3 "feed a has three items"
assert_eq "$(feed "$id_b" .items)" 3 "feed b has three items"
for t in 'shared 1' 'shared 2'; do
	assert_eq "$(db "SELECT count(*) FROM items WHERE title = '$t'")" 2 \
	    "$t: stored for both feeds"
	assert_eq "$(db "SELECT group_concat(feed_id || '=' || announced, ' ')
	    FROM (SELECT feed_id, announced FROM items WHERE title = '$t'
	    ORDER BY feed_id)")" "$id_a=1 $id_b=0" \
	    "$t: announced once, by the first feed"
done
assert_eq "$(aggctl items --json --feed "$id_b" | jq -s length)" 3 \
    "aggctl items lists it under b as well"

# A third feed carrying it again, added later with --announce-existing:
# the article is known, so not announced even then.
rss c.xml 'http://example.org/s1|shared 1|http://example.org/s1'
add_wait "$HTTPD_URL/feeds/c.xml" --announce-existing
assert_eq "$(db "SELECT announced FROM items WHERE feed_id = $ID")" 0 \
    "an article already stored is not announced again"
aggd_stop
