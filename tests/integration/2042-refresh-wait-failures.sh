#!/bin/sh
# refresh --wait reports failures: once the polls are over, one stderr
# line per feed whose poll failed ("aggctl: feed ID (URL): ERROR") and exit
# status 1; 0 when all went well, and also when a feed was only skipped
# for a Retry-After.  The daemon's final ok frame carries them as
# "failed": [{"id","url","error"}].  A feed named twice is waited on once
# (this used to hang), and a feed removed while its poll is in flight is
# a failure that is answered at once, not a hang.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

rss a.xml 'a1|one|http://example.org/a1'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/feeds/a.xml"
a=$ID
bad=$HTTPD_URL/status/404/b.xml
add_wait "$bad"
b=$ID
ra=$HTTPD_URL/status/503/c.xml?retry-after=600
add_wait "$ra"
c=$ID

aggctl refresh --wait "$a" 2>"$T/err" || fail "refresh --wait of a good feed exited $?"
assert_eq "$(cat "$T/err")" "" "a good feed: nothing on stderr"

aggctl refresh --wait "$a" "$b" 2>"$T/err"
assert_eq "$?" 1 "one feed failed: exit 1"
assert_line "$T/err" "aggctl: feed $b ($bad): HTTP 404" "its line names it and its error"

# Everything: the 404 fails, the 503 is inside its Retry-After (its own
# stderr line, no failure).
aggctl refresh --wait 2>"$T/err"
assert_eq "$?" 1 "refresh --wait of all: exit 1"
grep -q "^aggctl: feed $b ($bad): HTTP 404\$" "$T/err" || fail "all: $(cat "$T/err")"
grep -q "^aggctl: feed $c .*Retry-After" "$T/err" || fail "all: $(cat "$T/err")"
assert_eq "$(wc -l <"$T/err" | tr -d ' ')" 2 "all: the failure and the skipped feed"
aggctl refresh --wait "$c" 2>"$T/err" || fail "only skipped: exited $?"
grep -q "Retry-After" "$T/err" || fail "skipped: $(cat "$T/err")"
ok "a feed skipped for Retry-After: exit 0"

# The frame itself.
printf '%s\n%s\n' '{"hello":"aggctl","version":"0","proto":1}' \
    "{\"cmd\":\"refresh\",\"feeds\":[\"$a\",\"$b\"],\"wait\":true}" |
    sockpeer -l 2 -t 10 "$T/aggd.sock" >"$T/frames"
assert_eq "$(sed -n 2p "$T/frames" | jq -c .data)" \
    "{\"feeds\":2,\"failed\":[{\"id\":$b,\"url\":\"$bad\",\"error\":\"HTTP 404\"}]}" \
    "the ok frame lists the failure"

# Named twice: waited on once.
aggctl refresh --wait "$a" "$a" 2>"$T/err" &
p=$!
wait_pid "$p" 10
assert_eq "$?" 0 "a feed named twice: answered, exit 0"

# Removed while in flight: answered at once (before the server's 5 s are
# up), as a failure.
slow=$HTTPD_URL/delay/5/feeds/a.xml
add_wait "$slow"
d=$ID
aggctl refresh --wait "$d" 2>"$T/err" &
p=$!
httpd_wait_count '^/delay/5/' 2 || fail "the refresh never came"
aggctl remove "$d" || fail "remove"
wait_pid "$p" 3
assert_eq "$?" 1 "removed in flight: answered, exit 1"
grep -q "^aggctl: feed $d ($slow): .*removed" "$T/err" ||
    fail "removed in flight: $(cat "$T/err")"
ok "removed in flight: $(cat "$T/err")"
kill -0 "$AGGD_PID" || fail "aggd died"
aggd_stop
