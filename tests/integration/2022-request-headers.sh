#!/bin/sh
# What every request says about itself: a User-Agent naming aggd and its
# version (or the configured user_agent), and an Accept header naming the
# feed types.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/feeds/a.xml"
httpd_requests '^/feeds/a[.]xml$' | head -n 1 >"$T/req"
ua=$(jq -r '.headers["user-agent"] // empty' "$T/req")
version=$("$BUILD/aggd" --version | grep -o '[0-9][0-9.]*' | head -n 1)
case $ua in
*"aggd/$version"*) ok "User-Agent names aggd/$version: $ua" ;;
*) fail "User-Agent '$ua' lacks aggd/$version" ;;
esac
accept=$(jq -r '.headers.accept // empty' "$T/req")
for type in application/rss+xml application/atom+xml application/feed+json \
    application/rdf+xml application/xml text/xml; do
	case $accept in
	*"$type"*) ;;
	*) fail "Accept '$accept' does not name $type" ;;
	esac
done
ok "Accept names the feed types: $accept"

# A configured user_agent replaces it.
aggd_stop
echo 'user_agent = test-agent/1.0 (+https://example.org/)' >>"$T/aggd.conf"
aggd_start
refresh_wait "$ID"
assert_eq "$(httpd_requests '^/feeds/a[.]xml$' | tail -n 1 |
    jq -r '.headers["user-agent"]')" 'test-agent/1.0 (+https://example.org/)' \
    "user_agent from the configuration"
aggd_stop
