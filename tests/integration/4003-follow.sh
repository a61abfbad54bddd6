#!/bin/sh
# aggctl follow prints announced items as they are stored (JSON Lines,
# flushed per line); --after-id replays what was announced after N first.

. "$(dirname "$0")/lib.sh"

mkdir -p "$T/www"
printf '%s\n' '<rss version="2.0"><channel><title>C</title>' \
    '<item><guid>a</guid><title>A</title></item></channel></rss>' >"$T/www/f.xml.1"
printf '%s\n' '<rss version="2.0"><channel><title>C</title>' \
    '<item><guid>b</guid><title>B</title></item>' \
    '<item><guid>a</guid><title>A</title></item></channel></rss>' >"$T/www/f.xml.2"
printf '%s\n' '<rss version="2.0"><channel><title>C</title>' \
    '<item><guid>c</guid><title>C</title></item>' \
    '<item><guid>b</guid><title>B</title></item>' \
    '<item><guid>a</guid><title>A</title></item></channel></rss>' >"$T/www/f.xml.3"
httpd_start "$T/www" || fail "httpd"
aggd_start

id=$(aggctl add "$HTTPD_URL/seq/f.xml") || fail "add"
# The add fetches at once (f.xml.1: stored, not announced).
wait_for sh -c "$BUILD/aggctl -s $T/aggd.sock feeds --json | jq -e '.last_status == 200' >/dev/null" ||
    fail "first fetch did not happen"
assert_eq "$(aggctl items --json | jq -r .title)" "A" "first fetch stored"
a=$(aggctl items --json | jq -r .id)
# --after-id makes the start deterministic: nothing after A is missed even
# if follow connects after the next fetch.
aggctl follow --json --after-id "$a" >"$T/follow.out" 2>"$T/follow.err" &
fpid=$!
track_pid "$fpid"
aggctl refresh --wait "$id" || fail "refresh 2"
wait_for test -s "$T/follow.out" || fail "follow printed nothing"
assert_eq "$(jq -r .title "$T/follow.out")" "B" \
    "follow shows the new item, not the first fetch's"
aggctl refresh --wait "$id" || fail "refresh 3"
wait_for sh -c "[ \$(wc -l <'$T/follow.out') -ge 2 ]" || fail "second item not followed"
assert_eq "$(jq -r .title "$T/follow.out" | tr '\n' ,)" "B,C," "in order"
kill "$fpid"
b=$(jq -r 'select(.title == "B") | .id' "$T/follow.out")
aggctl follow --json --after-id "$b" >"$T/replay.out" &
rpid=$!
track_pid "$rpid"
wait_for test -s "$T/replay.out" || fail "replay printed nothing"
assert_eq "$(jq -r .title "$T/replay.out")" "C" "--after-id replays after N"
kill "$rpid"
aggd_stop
