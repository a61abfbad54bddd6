#!/bin/sh
# aggctl status --json: one object with exactly version, uptime, feeds,
# items, unread, transfers, next_fetch, hooks_pending and hooks_failed, of
# the right types (with failing, paused, database_bytes and loop_lag_ms;
# 1032 tests those), counting what the store holds: feeds and items follow
# add and remove, unread follows read, transfers counts a fetch in flight,
# next_fetch is the earliest feed's next_fetch (null with no feed), and the
# hook figures count deliveries owed and those that failed.  Without --json
# it prints the same figures as text.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

# A hook that fails until $T/hook-ok exists.
cat >"$T/hook.sh" <<EOF
#!/bin/sh
cat >/dev/null
[ -e "$T/hook-ok" ]
EOF
chmod +x "$T/hook.sh"
echo "hook = $T/hook.sh" >>"$T/aggd.conf"
it() { echo "$1|item $1|http://example.org/$1"; }
rss a.xml "$(it a1)" "$(it a2)" "$(it a3)"
rss b.xml "$(it b1)" "$(it b2)"
httpd_start "$T/docs" || exit 1
t0=$(date +%s)
aggd_start

st() {
	aggctl status --json | jq -c "$1"
}
# figures: feeds items unread transfers hooks_pending hooks_failed
figures() {
	st '[.feeds, .items, .unread, .transfers, .hooks_pending,
	    .hooks_failed] | map(tostring) | join(" ")' | tr -d '"'
}

aggctl status --json >"$T/status" || fail "status --json exited $?"
assert_eq "$(wc -l <"$T/status" | tr -d ' ')" 1 "one line"
assert_eq "$(jq -c 'keys' "$T/status")" "$(echo '["version","uptime","feeds",
    "items","unread","transfers","next_fetch","hooks_pending",
    "hooks_failed","failing","paused","database_bytes","database_errors",
    "database_error","loop_lag_ms"]' | jq -c sort)" \
    "exactly the status keys of INTERFACE.md, and the database's"
jq -e '(.version | type) == "string" and (.version | length) > 0 and
    ([.uptime, .feeds, .items, .unread, .transfers, .hooks_pending,
    .hooks_failed] | all(type == "number" and . >= 0 and . == floor))' \
    "$T/status" >/dev/null || fail "types: $(cat "$T/status")"
ok "version a string, the figures non-negative integers"
assert_eq "$(figures)" "0 0 0 0 0 0" "a fresh daemon: all zero"
assert_eq "$(st .next_fetch)" null "no feed: next_fetch is null"

# uptime: whole seconds since start, never more than we waited.
up=$(st .uptime)
now=$(date +%s)
[ "$up" -le $((now - t0 + 1)) ] || fail "uptime $up, but started $((now - t0)) s ago"
up2=$(st .uptime)
[ "$up2" -ge "$up" ] || fail "uptime went back: $up then $up2"
ok "uptime"

# Feeds and items.
add_wait "$HTTPD_URL/feeds/a.xml" --interval 1h
id_a=$ID
assert_eq "$(figures)" "1 3 3 0 0 0" "one feed, three unread items"
add_wait "$HTTPD_URL/feeds/b.xml" --interval 2h
id_b=$ID
assert_eq "$(figures)" "2 5 5 0 0 0" "two feeds, five items"
re='^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"$'
st .next_fetch | grep -Eq "$re" || fail "next_fetch: $(st .next_fetch)"
assert_eq "$(st .next_fetch)" "$(aggctl feeds --json | jq -s -c \
    'map(.next_fetch | select(. != null)) | min')" \
    "next_fetch is the earliest feed's"
assert_eq "$(st .next_fetch)" "$(feed "$id_a" .next_fetch | jq -R -c .)" \
    "next_fetch is the 1h feed's"

# unread follows read and unread.
aggctl read --feed "$id_b" || fail "read --feed"
assert_eq "$(figures)" "2 5 3 0 0 0" "unread after read --feed"
aggctl unread "$(aggctl items --json --feed "$id_b" --limit 1 | jq .id)" ||
    fail "unread"
assert_eq "$(figures)" "2 5 4 0 0 0" "unread after unread ITEM"

# transfers: one fetch held by the server for three seconds.
id_d=$(aggctl add "$HTTPD_URL/delay/3/feeds/b.xml") || fail "add delayed"
httpd_wait_count '^/delay/3/' 1 || fail "the delayed fetch never came"
assert_eq "$(st .transfers)" 1 "a fetch in flight"
wait_for fetched "$id_d" || fail "the delayed fetch never finished"
assert_eq "$(st .transfers)" 0 "no fetch in flight"
assert_eq "$(figures)" "3 7 6 0 0 0" "three feeds, seven items"

# remove takes the items with it.
aggctl remove "$id_d" || fail "remove"
assert_eq "$(figures)" "2 5 4 0 0 0" "remove: figures back"

# Hooks: a new item for each feed, announced, and the hook fails; one
# delivery per feed is tried at a time, so two fail and one waits.
rss a.xml "$(it a4)" "$(it a5)" "$(it a1)" "$(it a2)" "$(it a3)"
rss b.xml "$(it b3)" "$(it b1)" "$(it b2)"
refresh_wait "$id_a" "$id_b"
failed2() {
	[ "$(st .hooks_failed)" -ge 2 ]
}
wait_for failed2 || fail "the hooks did not fail: $(aggctl status --json)"
assert_eq "$(figures)" "2 8 7 0 3 2" "three deliveries owed, two failed"
aggctl status >"$T/text" || fail "status (text) exited $?"
[ -s "$T/text" ] || fail "status without --json printed nothing"
grep -q '{' "$T/text" && fail "status without --json printed JSON"
for v in "$(st .version | tr -d '"')" 8 7; do
	grep -q "$v" "$T/text" || fail "status text lacks $v: $(cat "$T/text")"
done
ok "status as text"
# The hook works again: after the retry (10 s) everything is delivered.
: >"$T/hook-ok"
delivered() {
	[ "$(figures)" = "2 8 7 0 0 0" ]
}
WAIT_FOR=60 wait_for delivered || fail "deliveries still owed: $(figures)"
ok "after the retry nothing is owed or failed"

aggd_stop
