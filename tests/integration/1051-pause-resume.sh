#!/bin/sh
# A paused feed is not polled: no request for it reaches the server while a
# feed beside it on the same 2 s interval is polled three more times;
# feeds --json shows disabled "paused" and status counts it.  An explicit
# refresh polls it once and leaves it paused.  resume polls it again; it
# also re-enables a feed disabled by a 410 and polls it at once.  pause of
# an unknown feed among others refuses them all.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

cat >>"$T/aggd.conf" <<CONF
min_interval = 1s
CONF
rss p.xml 'p1|one|http://example.org/p1'
rss q.xml 'q1|one|http://example.org/q1'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/p.xml" --interval 2s
P=$ID
add_wait "$HTTPD_URL/q.xml" --interval 2s
Q=$ID
httpd_wait_count '^/p[.]xml$' 2 || fail "the 2 s feed is not polled"
ok "polled on its interval"

aggctl pause 4242 "$P" 2>"$T/e1" && fail "pause with an unknown feed succeeded"
assert_line "$T/e1" "aggctl: no such feed: 4242" "pause: the unknown is named"
assert_eq "$(feed "$P" .disabled)" false "pause refused: nothing paused"

aggctl pause "$P" >"$T/out" || fail "pause exited $?"
[ ! -s "$T/out" ] || fail "pause printed: $(cat "$T/out")"
assert_eq "$(feed "$P" .disabled)" paused 'disabled is "paused"'
assert_eq "$(feed "$P" .next_fetch)" null "a paused feed has no next_fetch"
assert_eq "$(aggctl status --json | jq .paused)" 1 "status counts it"
# A transfer of it already started may still land: count from the other
# feed's next poll on.
m=$(httpd_count '^/q[.]xml$')
httpd_wait_count '^/q[.]xml$' $((m + 1)) 15 || fail "the other feed stopped"
n=$(httpd_count '^/p[.]xml$')
m=$(httpd_count '^/q[.]xml$')
httpd_wait_count '^/q[.]xml$' $((m + 3)) 15 ||
    fail "the unpaused feed stopped being polled"
assert_eq "$(httpd_count '^/p[.]xml$')" "$n" \
    "no request for the paused feed while the other was polled 3 times"

# A refresh naming it polls it once; it stays paused.
refresh_wait "$P"
assert_eq "$(httpd_count '^/p[.]xml$')" $((n + 1)) "refresh FEED polls it"
assert_eq "$(feed "$P" .disabled)" paused "still paused after the refresh"
# A refresh of all leaves it alone.
refresh_wait
assert_eq "$(httpd_count '^/p[.]xml$')" $((n + 1)) "refresh of all skips it"
# And a restart keeps it paused.
aggd_stop
aggd_start
assert_eq "$(feed "$P" .disabled)" paused "paused across a restart"

aggctl resume "$P" || fail "resume exited $?"
assert_eq "$(feed "$P" .disabled)" false "resumed"
httpd_wait_count '^/p[.]xml$' $((n + 3)) 15 || fail "not polled after resume"
ok "polled again after resume"
assert_eq "$(aggctl status --json | jq .paused)" 0 "status: none paused"

# A feed gone (410) is re-enabled by resume and polled at once.
httpd_set /gone.xml 200 "$(cat "$T/docs/p.xml")" \
    '{"Content-Type": "application/rss+xml"}' || fail "httpd_set"
add_wait "$HTTPD_URL/gone.xml"
G=$ID
httpd_set /gone.xml 410 gone || fail "httpd_set 410"
refresh_failing "$G"
assert_eq "$(feed "$G" .disabled)" "gone (HTTP 410)" "410: disabled"
httpd_set /gone.xml 200 "$(cat "$T/docs/p.xml")" \
    '{"Content-Type": "application/rss+xml"}' || fail "httpd_set"
g=$(httpd_count '^/gone[.]xml$')
aggctl resume "$G" --json >"$T/r.json" || fail "resume of a gone feed"
assert_eq "$(jq -c .resumed "$T/r.json")" "[$G]" "resume --json names it"
httpd_wait_count '^/gone[.]xml$' $((g + 1)) || fail "not polled at once"
wait_for [ "$(feed "$G" .last_status)" = 200 ] || fail "no answer recorded"
assert_eq "$(feed "$G" .disabled)" false "410 feed re-enabled by resume"

aggctl pause 2>"$T/e2" && fail "pause without a feed succeeded"
[ "$(wc -l <"$T/e2")" -eq 1 ] || fail "pause alone: $(cat "$T/e2")"
ok "pause without a feed: one line"
aggctl resume --bogus "$P" 2>"$T/e3" && fail "resume --bogus succeeded"
[ "$(wc -l <"$T/e3")" -eq 1 ] || fail "resume --bogus: $(cat "$T/e3")"
ok "resume: unknown option, one line"
aggd_stop
