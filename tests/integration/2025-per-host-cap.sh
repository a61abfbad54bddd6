#!/bin/sh
# per_host_connections caps the transfers in flight to one host: with 1,
# two slow feeds (each answer takes a second) on one server are fetched
# one after the other; with 2 (and no host_delay) side by side.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1'
cp "$T/docs/a.xml" "$T/docs/b.xml"
cp "$T/docs/a.xml" "$T/docs/c.xml"
cp "$T/docs/a.xml" "$T/docs/d.xml"
cat >>"$T/aggd.conf" <<CONF
per_host_connections = 1
CONF
httpd_start "$T/docs" || exit 1

# start_gap A B: seconds between the first requests for A and B, in
# fixed notation (jq may print 2.9e-05, which bc cannot read).
start_gap() {
	jq -s --arg a "$1" --arg b "$2" '
	    (map(select(.path == $a)) | .[0].time) as $x |
	    (map(select(.path == $b)) | .[0].time) as $y |
	    ($y - $x) | fabs' "$HTTPD_LOG" | xargs printf '%.6f\n'
}
fetched2() { fetched "$1" && fetched "$2"; }

aggd_start
id_a=$(aggctl add "$HTTPD_URL/delay/1/feeds/a.xml") || fail "add a"
id_b=$(aggctl add "$HTTPD_URL/delay/1/feeds/b.xml") || fail "add b"
wait_for fetched2 "$id_a" "$id_b" || fail "a and b not fetched"
gap=$(start_gap /delay/1/feeds/a.xml /delay/1/feeds/b.xml)
assert_eq "$(echo "$gap >= 0.9" | bc)" 1 \
    "one connection per host: the second waits for the first ($gap s)"
aggd_stop

sed -i 's/^per_host_connections = 1$/per_host_connections = 2/' "$T/aggd.conf"
aggd_start
id_c=$(aggctl add "$HTTPD_URL/delay/1/feeds/c.xml") || fail "add c"
id_d=$(aggctl add "$HTTPD_URL/delay/1/feeds/d.xml") || fail "add d"
wait_for fetched2 "$id_c" "$id_d" || fail "c and d not fetched"
gap=$(start_gap /delay/1/feeds/c.xml /delay/1/feeds/d.xml)
assert_eq "$(echo "$gap < 0.5" | bc)" 1 \
    "two connections per host: side by side ($gap s)"
aggd_stop
