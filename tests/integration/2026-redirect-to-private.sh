#!/bin/sh
# A feed on a public address may not be redirected to a non-public one:
# the check is made on the address actually connected to.  This needs a
# network namespace of its own, where a public address (203.0.113.7, a
# documentation address no packet leaves for) sits on the loopback
# interface beside 127.0.0.1: as root with unshare(1) and ip(8).  Without
# them the test says so and passes.

if [ -z "${AGG_NETNS:-}" ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 ||
	    ! command -v ip >/dev/null 2>&1 || ! unshare -n true 2>/dev/null
	then
		echo "ok - skipped: needs root, unshare(1) and ip(8)"
		exit 0
	fi
	AGG_NETNS=1 exec unshare -n sh "$0" "$@"
fi
if ! ip link set lo up || ! ip addr add 203.0.113.7/32 dev lo; then
	echo "FAIL: cannot set up the network namespace"
	exit 1
fi

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1' 'a2|two|http://example.org/a2'

# The private side: a second server on 127.0.0.1 with its own log.
"$BUILD/tests/httpd" -d "$T/docs" -p "$T/priv.port" -l "$T/priv.log" \
    2>"$T/priv.err" &
track_pid $!
wait_for test -s "$T/priv.port" || fail "the private server did not start"
PRIV=http://127.0.0.1:$(cat "$T/priv.port")

HTTPD_ADDR=203.0.113.7 httpd_start "$T/docs" || exit 1
aggd_start

# Public to public: followed.
add_wait "$HTTPD_URL/redirect/302/feeds/a.xml"
assert_eq "$(feed "$ID" .last_status)" 200 "public to public: followed"
assert_eq "$(feed "$ID" .items)" 2 "public to public: items stored"

# Public to loopback: refused before a request is sent.
add_wait "$HTTPD_URL/redirect-to?url=$PRIV/feeds/a.xml&code=302"
assert_eq "$(feed "$ID" .last_error)" \
    "redirect to a non-public address refused" "public to loopback: refused"
assert_eq "$(feed "$ID" .items)" 0 "public to loopback: nothing stored"
assert_eq "$(wc -l <"$T/priv.log" | tr -d ' ')" 0 \
    "public to loopback: the private server got no request"

# A 301 is refused the same way, and the feed does not move.
url=$HTTPD_URL/redirect-to?url=$PRIV/feeds/a.xml\&code=301
add_wait "$url"
assert_eq "$(feed "$ID" .last_error)" \
    "redirect to a non-public address refused" "301 to loopback: refused"
assert_eq "$(feed "$ID" .url)" "$url" "301 to loopback: the URL stays"

# A feed added on the private address itself is fetched.
add_wait "$PRIV/feeds/a.xml"
assert_eq "$(feed "$ID" .last_status)" 200 "a private feed is fetched"
aggd_stop
