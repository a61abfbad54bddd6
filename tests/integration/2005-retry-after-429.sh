#!/bin/sh
# 429 with Retry-After: the feed waits what the server said
# (next_fetch_reason "retry-after", next_fetch that far ahead), and
# aggctl refresh on it says so on stderr, exits 0 and makes no request.
# The HTTP-date form is honoured too, and 503 with Retry-After likewise.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

httpd_start "$T/docs" || exit 1
aggd_start

now=$(date +%s)
add_wait "$HTTPD_URL/status/429/a.xml?retry-after=600"
assert_eq "$(feed "$ID" .last_status)" 429 "last_status 429"
assert_eq "$(feed "$ID" .next_fetch_reason)" retry-after \
    "next_fetch_reason retry-after"
nf=$(feed "$ID" '.next_fetch | fromdateiso8601')
[ "$nf" -ge $((now + 590)) ] && [ "$nf" -le $((now + 620)) ] ||
    fail "next_fetch $nf is not about 600 s after $now"
ok "next_fetch is 600 s ahead"
[ "$(feed "$ID" .last_error)" != null ] || fail "no last_error for a 429"
ok "last_error: $(feed "$ID" .last_error)"

n=$(httpd_count '^/status/429/')
aggctl refresh "$ID" >"$T/out" 2>"$T/err" || fail "refresh exited $?"
grep -q 'Retry-After' "$T/err" || fail "refresh stderr: '$(cat "$T/err")'"
grep -q "/status/429/a.xml" "$T/err" ||
    fail "refresh stderr does not name the feed: '$(cat "$T/err")'"
ok "refresh says it on stderr and exits 0"
aggctl refresh --wait "$ID" 2>"$T/err" || fail "refresh --wait exited $?"
grep -q 'Retry-After' "$T/err" || fail "refresh --wait: '$(cat "$T/err")'"
# A refresh of everything skips it too; a feed polled alongside shows
# that the refresh itself went through.
rss b.xml 'b1|one|http://example.org/b1'
id_b=$(aggctl add "$HTTPD_URL/feeds/b.xml") || fail "add b"
wait_for fetched "$id_b" || fail "b never fetched"
aggctl refresh --wait 2>"$T/err" || fail "refresh all exited $?"
grep -q 'Retry-After' "$T/err" || fail "refresh all: '$(cat "$T/err")'"
assert_eq "$(httpd_count '^/feeds/b[.]xml$')" 2 "the other feed was polled"
assert_eq "$(httpd_count '^/status/429/')" "$n" \
    "no request inside the Retry-After"
assert_eq "$(feed "$ID" .next_fetch_reason)" retry-after "still retry-after"

# The HTTP-date form, and a 503 with Retry-After.
date=$(date -u -d "@$((now + 3600))" '+%a,%%20%d%%20%b%%20%Y%%20%H:%M:%S%%20GMT')
add_wait "$HTTPD_URL/status/429/d.xml?retry-after=$date"
assert_eq "$(feed "$ID" .next_fetch_reason)" retry-after "HTTP-date: retry-after"
nf=$(feed "$ID" '.next_fetch | fromdateiso8601')
[ "$nf" -ge $((now + 3590)) ] && [ "$nf" -le $((now + 3610)) ] ||
    fail "HTTP-date: next_fetch $nf is not $((now + 3600))"
ok "HTTP-date: next_fetch is that date"
add_wait "$HTTPD_URL/status/503/e.xml?retry-after=120"
assert_eq "$(feed "$ID" .last_status)" 503 "503: last_status"
assert_eq "$(feed "$ID" .next_fetch_reason)" retry-after "503: retry-after"
aggd_stop
