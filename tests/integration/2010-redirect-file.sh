#!/bin/sh
# A redirect to file:// (or any scheme but http and https) is refused with
# an error; nothing is read, nothing stored, the URL is not moved even by
# a permanent redirect.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

mkdir "$T/secret"
rss secret.xml 'x1|secret|http://example.org/x1'
mv "$T/docs/secret.xml" "$T/secret/feed.xml"
httpd_start "$T/docs" || exit 1
aggd_start

for code in 302 301; do
	url="$HTTPD_URL/redirect-to?url=file://$T/secret/feed.xml&code=$code"
	add_wait "$url"
	err=$(feed "$ID" .last_error)
	[ "$err" != null ] || fail "$code to file://: no error"
	ok "$code to file://: $err"
	assert_eq "$(feed "$ID" .items)" 0 "$code to file://: nothing stored"
	assert_eq "$(feed "$ID" .url)" "$url" "$code to file://: URL unchanged"
	assert_eq "$(feed "$ID" .next_fetch_reason)" backoff "$code: backoff"
done
add_wait "$HTTPD_URL/redirect-to?url=ftp://127.0.0.1:$HTTPD_PORT/x.xml"
[ "$(feed "$ID" .last_error)" != null ] || fail "redirect to ftp: no error"
ok "redirect to ftp://: $(feed "$ID" .last_error)"
assert_eq "$(db 'SELECT count(*) FROM items')" 0 "no items at all"
aggd_stop
