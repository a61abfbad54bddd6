#!/bin/sh
# Hooks: each announced item is piped, as JSON on stdin, to the hook (argv
# split like a shell, never run by one), with the AGG_* environment; in
# storage order; first-fetch items are not announced; a failing hook is
# retried and delivered later, the first retry after 10 s (README: "from
# 10 s up to an hour"); hooks_pending/hooks_failed say where things stand.

. "$(dirname "$0")/lib.sh"

mkdir -p "$T/www"
cat >"$T/www/f.xml.1" <<'XML'
<rss version="2.0"><channel><title>Chan $(touch pwned)</title>
<item><guid>a</guid><title>First</title><link>http://example.org/a</link></item>
</channel></rss>
XML
cat >"$T/www/f.xml.2" <<'XML'
<rss version="2.0"><channel><title>Chan $(touch pwned)</title>
<item><guid>c</guid><title>Third `id`</title><link>http://example.org/c</link></item>
<item><guid>b</guid><title>Second</title><link>http://example.org/b</link></item>
<item><guid>a</guid><title>First</title><link>http://example.org/a</link></item>
</channel></rss>
XML
# The hook fails once (exit 3) for item "Second", then succeeds.
cat >"$T/hook.sh" <<'SH'
#!/bin/sh
out=$1
in=$(cat)
if [ "$AGG_ITEM_TITLE" = Second ] && [ ! -e "$out.failed" ]; then
	: >"$out.failed"
	exit 3
fi
printf '%s|%s|%s|%s|%s\n' "$AGG_ITEM_ID" "$AGG_ITEM_GUID" "$AGG_ITEM_TITLE" \
    "$AGG_FEED_TITLE" "$(printf '%s' "$in" | jq -r .title)" >>"$out"
SH
chmod +x "$T/hook.sh"
httpd_start "$T/www" || fail "httpd"
cat >>"$T/aggd.conf" <<EOF
hook = $T/hook.sh "$T/out file"
hook_timeout = 10s
EOF
aggd_start

id=$(aggctl add "$HTTPD_URL/seq/f.xml") || fail "add"
aggctl refresh --wait "$id" || fail "refresh"
# The first fetch (f.xml.1) is stored but not announced.
wait_for sh -c "[ \$($BUILD/aggctl -s $T/aggd.sock items --json | wc -l) -ge 1 ]" ||
    fail "first item not stored"
aggctl refresh --wait "$id" || fail "refresh 2"
assert_eq "$(aggctl items --json | wc -l)" 3 "three items stored"

# Third is delivered; Second fails once, so it and everything after it in
# this feed wait (order per feed), then both go out after the retry.
WAIT_FOR=30 wait_for sh -c "[ -f '$T/out file' ] && [ \$(wc -l <'$T/out file') -ge 2 ]" ||
    fail "hooks not delivered: $(cat "$T/out file" 2>/dev/null)"
[ -e "$T/out file.failed" ] || fail "the failing attempt did not happen"
grep -q 'hook for item [0-9]*: exit 3; retry in 10s$' "$T/aggd.log" ||
    fail "the first retry is not 10 s away: $(grep 'retry in' "$T/aggd.log")"
ok "the first retry waits 10 s"
assert_eq "$(cut -d'|' -f3 "$T/out file" | tr '\n' ,)" "Second,Third \`id\`," \
    "delivered once each, in storage order, after the retry"
assert_eq "$(cut -d'|' -f5 "$T/out file" | head -n 1)" "Second" \
    "the item's JSON on stdin"
assert_eq "$(cut -d'|' -f4 "$T/out file" | head -n 1)" 'Chan $(touch pwned)' \
    "AGG_FEED_TITLE passed as data"
assert_eq "$(cut -d'|' -f2 "$T/out file" | tr '\n' ,)" "b,c," "AGG_ITEM_GUID"
[ ! -e pwned ] && [ ! -e "$T/pwned" ] || fail "a feed's text was run"
ok "no shell ever ran a feed's text"
wait_for sh -c "$BUILD/aggctl -s $T/aggd.sock status --json | jq -e '.hooks_pending == 0' >/dev/null" ||
    fail "hooks_pending not 0: $(aggctl status --json)"
first=$(cut -d'|' -f1 "$T/out file" | head -n 1)
second=$(cut -d'|' -f1 "$T/out file" | tail -n 1)
[ "$first" -lt "$second" ] || fail "ids not in storage order: $first $second"
ok "ids grow with storage order"
aggd_stop
