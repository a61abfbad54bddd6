#!/bin/sh
# aggctl set changes a subscription and prints it: title (back to the
# feed's own with ""), interval (raised to min_interval and said; "default"
# goes back to it; the feed is rescheduled from its last poll), tags added
# and taken off, a hook or none, retain and retain_items.  A feed of the
# config file is refused by set and remove, naming its section and file.
# remove takes several feeds, all or nothing: one unknown refuses them all.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

cat >>"$T/aggd.conf" <<CONF
min_interval = 1m

[feed "jamnews"]
url = http://127.0.0.1:9/jam.xml
CONF
rss a.xml 'a1|one|http://example.org/a1'
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/a.xml" --tag keep --tag old
A=$ID
cfg=$(aggctl feeds --json | jq -r 'select(.config == "jamnews") | .id')
[ -n "$cfg" ] || fail "the config feed is not listed with its section"

# --json: the feed object, changed.
aggctl set "$A" --title "My title" --tag new --untag old --json \
    >"$T/set.json" 2>"$T/set.err" || fail "set exited $?: $(cat "$T/set.err")"
assert_eq "$(wc -l <"$T/set.json" | tr -d ' ')" 1 "set --json: one line"
assert_eq "$(jq -r .id "$T/set.json")" "$A" "set --json: the feed object"
assert_eq "$(jq -r .title "$T/set.json")" "My title" "set --title"
assert_eq "$(jq -c '.tags | sort' "$T/set.json")" '["keep","new"]' \
    "set --tag/--untag"
[ ! -s "$T/set.err" ] || fail "set said: $(cat "$T/set.err")"
# Without --json it prints the feed as the table does.
aggctl set "$A" >"$T/set.txt" || fail "set FEED alone exited $?"
grep -q "My title" "$T/set.txt" || fail "set prints the feed: $(cat "$T/set.txt")"
aggctl set "$A" --title "" >/dev/null || fail "set --title ''"
assert_eq "$(feed "$A" .title)" Fixture "--title '': the feed's own title"

# Interval: below min_interval raised and said; the due time follows.
last=$(feed "$A" .last_fetch)
aggctl set "$A" --interval 10s >/dev/null 2>"$T/ivl.err" ||
    fail "set --interval 10s exited $?"
assert_line "$T/ivl.err" \
    "aggctl: interval 10s is below min_interval, raised to 1m" \
    "a low interval is raised, and said"
assert_eq "$(feed "$A" .interval)" 60 "interval raised to min_interval"
want=$(jq -rn --arg t "$last" '$t | fromdate + 60 | todate')
assert_eq "$(feed "$A" .next_fetch)" "$want" "rescheduled from the last poll"
assert_eq "$(feed "$A" .next_fetch_reason)" interval "next_fetch_reason"
aggctl set "$A" --interval 2h >/dev/null || fail "set --interval 2h"
assert_eq "$(feed "$A" .interval)" 7200 "set --interval 2h"
aggctl set "$A" --interval default >/dev/null || fail "set --interval default"
assert_eq "$(feed "$A" .interval)" 1800 "--interval default: the default"

# Hook, retention.
aggctl set "$A" --hook "/bin/true --x 'a b'" --retain 30d --retain-items 5 \
    >/dev/null || fail "set --hook --retain --retain-items"
assert_eq "$(feed "$A" '[.hook, .retain, .retain_items] | @json')" \
    '["/bin/true --x '"'"'a b'"'"'",2592000,5]' "hook, retain, retain_items"
aggctl set "$A" --no-hook --retain default --retain-items default \
    >/dev/null || fail "set --no-hook"
assert_eq "$(feed "$A" '[.hook, .retain, .retain_items] | @json')" \
    '[null,null,null]' "--no-hook, default retention"
assert_eq "$(db "SELECT count(*) FROM feeds WHERE id = $A AND retain IS NULL
    AND retain_items IS NULL AND hook IS NULL")" 1 "stored as NULL"

# Errors, each one line naming what was wrong; nothing changes.
aggctl set 999 --title x 2>"$T/e1" && fail "set of an unknown feed succeeded"
assert_line "$T/e1" "aggctl: no such feed: 999" "set: unknown feed"
aggctl set "$cfg" --title x 2>"$T/e2" && fail "set of a config feed succeeded"
assert_line "$T/e2" "aggctl: feed $cfg comes from [feed \"jamnews\"] in \
$T/aggd.conf; change it there" "set: a config feed is refused"
aggctl set "$A" --interval soon 2>"$T/e3" && fail "set --interval soon"
grep -q "^aggctl: set: --interval: invalid duration .soon." "$T/e3" || fail "bad interval: $(cat "$T/e3")"
ok "set: a bad interval is named"
aggctl set "$A" --interval 0 2>"$T/e4" && fail "set --interval 0 succeeded"
[ "$(wc -l <"$T/e4")" -eq 1 ] && grep -q interval "$T/e4" ||
    fail "set --interval 0: $(cat "$T/e4")"
ok "set: interval 0 refused"
aggctl set "$A" --bogus 2>"$T/e5" && fail "set --bogus succeeded"
[ "$(wc -l <"$T/e5")" -eq 1 ] || fail "set --bogus: $(cat "$T/e5")"
ok "set: unknown option, one line"
aggctl set "$A" --tag "a,b" 2>"$T/e6" && fail "set --tag a,b succeeded"
[ "$(wc -l <"$T/e6")" -eq 1 ] || fail "set --tag a,b: $(cat "$T/e6")"
ok "set: a tag with ',' refused"
aggctl set "$A" --hook "/bin/x 'open" 2>"$T/e7" && fail "set --hook unbalanced"
grep -q "^aggctl: hook: " "$T/e7" || fail "bad hook: $(cat "$T/e7")"
ok "set: a hook that cannot be split is refused"
assert_eq "$(feed "$A" .title)" Fixture "failed sets changed nothing"

# remove: a config feed refused with its section, and nothing removed.
aggctl remove "$cfg" 2>"$T/r1" && fail "remove of a config feed succeeded"
assert_line "$T/r1" "aggctl: feed $cfg comes from [feed \"jamnews\"] in \
$T/aggd.conf; remove it there" "remove: a config feed is refused"
[ -n "$(feed "$cfg" .id)" ] || fail "the config feed was removed"

# Several at once, all or nothing.
aggctl add http://127.0.0.1:9/b.xml >/dev/null || fail "add b"
aggctl add http://127.0.0.1:9/c.xml >/dev/null || fail "add c"
B=$(aggctl feeds --json | jq -r 'select(.url | test("b.xml")) | .id')
C=$(aggctl feeds --json | jq -r 'select(.url | test("c.xml")) | .id')
aggctl remove "$B" 777 "$C" 2>"$T/r2" && fail "remove with an unknown succeeded"
assert_line "$T/r2" "aggctl: no such feed: 777" "remove: the unknown is named"
aggctl remove "$B" "$cfg" 2>"$T/r3" && fail "remove with a config feed"
assert_eq "$(aggctl feeds --json | wc -l | tr -d ' ')" 4 "nothing removed"
aggctl remove "$B" http://127.0.0.1:9/c.xml --json >"$T/r.json" ||
    fail "remove of two exited $?"
assert_eq "$(jq -c '.removed | sort' "$T/r.json")" "[$B,$C]" \
    "remove --json names them"
assert_eq "$(aggctl feeds --json | jq -r .id | sort -n | tr '\n' ' ')" \
    "$(printf '%s\n' "$A" "$cfg" | sort -n | tr '\n' ' ')" "both removed"
aggctl remove 2>"$T/r4" && fail "remove without a feed succeeded"
[ "$(wc -l <"$T/r4")" -eq 1 ] || fail "remove alone: $(cat "$T/r4")"
ok "remove without a feed: one line"
aggd_stop
