#!/bin/sh
# A delivery owed when aggd dies (SIGKILL, no clean shutdown) is made after
# it starts again: at least once, never lost.

. "$(dirname "$0")/lib.sh"

mkdir -p "$T/www"
cat >"$T/www/f.xml.1" <<'XML'
<rss version="2.0"><channel><title>C</title>
<item><guid>a</guid><title>A</title></item>
</channel></rss>
XML
cat >"$T/www/f.xml.2" <<'XML'
<rss version="2.0"><channel><title>C</title>
<item><guid>b</guid><title>B</title></item>
<item><guid>a</guid><title>A</title></item>
</channel></rss>
XML
# The hook hangs until released, so the delivery is in flight when aggd
# is killed.
cat >"$T/hook.sh" <<'SH'
#!/bin/sh
cat >/dev/null
[ -e "$1.release" ] || { echo $$ >"$1.pid"; : >"$1.started"; sleep 60; exit 1; }
printf '%s\n' "$AGG_ITEM_TITLE" >>"$1"
SH
chmod +x "$T/hook.sh"
httpd_start "$T/www" || fail "httpd"
echo "hook = $T/hook.sh $T/out" >>"$T/aggd.conf"
aggd_start

id=$(aggctl add "$HTTPD_URL/seq/f.xml") || fail "add"
aggctl refresh --wait "$id" || fail "refresh"
aggctl refresh --wait "$id" || fail "refresh 2"
wait_for test -e "$T/out.started" || fail "hook never started"
assert_eq "$(aggctl status --json | jq .hooks_pending)" 1 "one delivery owed"
kill -9 "$AGGD_PID"
wait_pid "$AGGD_PID" >/dev/null 2>&1
AGGD_PID=
# The old hook is still sleeping, in its own process group (aggd made it
# a group leader): stop that group by the PID it wrote.
kill -- "-$(cat "$T/out.pid")" 2>/dev/null
: >"$T/out.release"
aggd_start
wait_for test -s "$T/out" || fail "the owed delivery was not made after restart"
assert_eq "$(cat "$T/out")" "B" "delivered after the crash"
wait_for sh -c "$BUILD/aggctl -s $T/aggd.sock status --json | jq -e '.hooks_pending == 0' >/dev/null" ||
    fail "still pending"
aggd_stop
