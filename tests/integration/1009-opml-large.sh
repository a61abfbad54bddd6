#!/bin/sh
# An OPML file of thousands of feeds (a whole reader's export) is imported
# whole, in requests that each stay under the daemon's frame limit, and a
# second import of it adds nothing.

. "$(dirname "$0")/lib.sh"

n=3000
{
	echo '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
	i=0
	while [ "$i" -lt "$n" ]; do
		i=$((i + 1))
		echo "<outline text=\"Feed $i\" type=\"rss\" xmlUrl=\"http://127.0.0.1:9/a-rather-long-path/to/feed-number-$i/rss.xml?with=query&amp;and=more\"/>"
	done
	echo '</body></opml>'
} >"$T/big.opml"
# Nothing listens on port 9: the fetches each add starts fail at once.
aggd_start
out=$(aggctl import "$T/big.opml") || fail "import exited $?: $out"
assert_eq "$out" "$n added, 0 already subscribed" "all $n imported"
assert_eq "$(aggctl status --json | jq .feeds)" "$n" "status counts them"
out=$(aggctl import "$T/big.opml") || fail "second import exited $?"
assert_eq "$out" "0 added, $n already subscribed" "a second import adds nothing"
aggd_stop
