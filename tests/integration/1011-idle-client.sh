#!/bin/sh
# Idle clients are closed (AGGD_CLIENT_TIMEOUT, for tests, sets the 30 s
# to 1 s): one that connects and says nothing, one that stops mid-frame
# after its hello; each gets an error frame saying why, then end of file.
# A client running follow, or waiting on refresh --wait, is not idle and
# stays past the timeout.

. "$(dirname "$0")/lib.sh"

[ -x "$BUILD/tests/sockpeer" ] || fail "$BUILD/tests/sockpeer is not built"
mkdir -p "$T/www"
cat >"$T/www/f.xml" <<'XML'
<rss version="2.0"><channel><title>Slow</title>
<item><guid>a</guid><title>First</title><link>http://example.org/a</link></item>
</channel></rss>
XML
httpd_start "$T/www" || fail "httpd"
AGGD_CLIENT_TIMEOUT=1
export AGGD_CLIENT_TIMEOUT
aggd_start
S=$T/aggd.sock
HELLO='{"hello":"test","version":"0","proto":1}'

# A silent client: closed (sockpeer exits 0), not left open until its own
# 8 s run out (exit 3).
start=$(date +%s)
sockpeer -t 8 "$S" </dev/null >"$T/silent"
assert_eq "$?" 0 "a silent client is closed"
[ $(( $(date +%s) - start )) -lt 6 ] || fail "closed only after 6 s"
assert_eq "$(jq -r .error "$T/silent")" "no hello in 1 s: closing" \
    "the silent client is told why"

# Hello, then half a request.
printf '%s\n{"cmd":"fe' "$HELLO" | sockpeer -t 8 "$S" >"$T/half"
assert_eq "$?" 0 "a client stopped mid-frame is closed"
assert_eq "$(sed -n 2p "$T/half" | jq -r .error)" \
    "no request in 1 s: closing" "the client stopped mid-frame is told why"

# follow stays open past the timeout (sockpeer runs out: exit 3).
printf '%s\n{"cmd":"follow"}\n' "$HELLO" | sockpeer -t 3 "$S" >"$T/follow"
assert_eq "$?" 3 "follow stays open past the timeout"

# refresh --wait on a feed that takes 3 s to answer.
id=$(aggctl add "$HTTPD_URL/delay/3/f.xml") || fail "add"
wait_for sh -c "$BUILD/aggctl -s $S feeds --json | jq -e '.last_fetch' >/dev/null" ||
    fail "the first fetch did not end"
start=$(date +%s)
aggctl refresh --wait "$id" 2>"$T/err" || fail "refresh --wait: $(cat "$T/err")"
[ $(( $(date +%s) - start )) -ge 2 ] || fail "refresh --wait took under 2 s"
ok "refresh --wait is not cut off while it waits"
aggctl status >/dev/null || fail "aggctl status"
aggd_stop
