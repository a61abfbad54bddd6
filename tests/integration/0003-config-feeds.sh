#!/bin/sh
# [feed "name"] sections are synchronised into the database at start and on
# SIGHUP: they show in aggctl feeds with their url, interval and tags; a
# section added to the file appears after SIGHUP and changed settings are
# taken.  (Nothing listens on 127.0.0.1:9, so fetches fail locally.)

. "$(dirname "$0")/lib.sh"

cp "$T/aggd.conf" "$T/base.conf"
cat >>"$T/aggd.conf" <<'CONF'

[feed "one"]
url = http://127.0.0.1:9/one.xml
interval = 15m
tags = news, local

[feed "two"]
url = http://127.0.0.1:9/two.xml   # inline comment
CONF
aggd_start

# feed_json URL: the feed object whose url is URL, compact, one line.
feed_json() {
	aggctl feeds --json | jq -c --arg u "$1" 'select(.url == $u)'
}

aggctl feeds --json >"$T/feeds" || fail "aggctl feeds --json failed"
assert_eq "$(wc -l <"$T/feeds")" 2 "two feeds from the configuration"
one=$(feed_json http://127.0.0.1:9/one.xml)
[ -n "$one" ] || fail "feed one is missing: $(cat "$T/feeds")"
assert_eq "$(echo "$one" | jq .interval)" 900 "feed one: interval 15m"
assert_eq "$(echo "$one" | jq -c '.tags | sort')" '["local","news"]' \
    "feed one: tags"
two=$(feed_json http://127.0.0.1:9/two.xml)
[ -n "$two" ] || fail "feed two is missing (inline comment in its url?)"
# Without an interval of its own a feed shows the default, 30m.
assert_eq "$(echo "$two" | jq .interval)" 1800 "feed two: default interval"
assert_eq "$(echo "$two" | jq -c .tags)" '[]' "feed two: no tags"
id_one=$(echo "$one" | jq .id)
id_two=$(echo "$two" | jq .id)

# Edit: feed one changes interval and tags, two goes, three comes.
cp "$T/base.conf" "$T/aggd.conf.new"
cat >>"$T/aggd.conf.new" <<'CONF'

[feed "one"]
url = http://127.0.0.1:9/one.xml
interval = 2h
tags = world

[feed "three"]
url = http://127.0.0.1:9/three.xml
interval = 45m
tags = x
CONF
mv "$T/aggd.conf.new" "$T/aggd.conf"
kill -HUP "$AGGD_PID" || fail "cannot send SIGHUP"

has_three() {
	[ -n "$(feed_json http://127.0.0.1:9/three.xml)" ]
}
wait_for has_three || fail "feed three did not appear after SIGHUP"
ok "a new section appears after SIGHUP"
three=$(feed_json http://127.0.0.1:9/three.xml)
assert_eq "$(echo "$three" | jq .interval)" 2700 "feed three: interval"
assert_eq "$(echo "$three" | jq -c .tags)" '["x"]' "feed three: tags"

one=$(feed_json http://127.0.0.1:9/one.xml)
assert_eq "$(echo "$one" | jq .id)" "$id_one" "feed one keeps its id"
assert_eq "$(echo "$one" | jq .interval)" 7200 "feed one: new interval"
assert_eq "$(echo "$one" | jq -c .tags)" '["world"]' "feed one: new tags"

# A section gone from the file leaves its feed as an ordinary
# subscription (its items are the user's).
two=$(feed_json http://127.0.0.1:9/two.xml)
assert_eq "$(echo "$two" | jq .id)" "$id_two" \
    "feed two stays subscribed when its section goes"

# Settings dropped from a section go back to the defaults: feed three
# loses its interval and its tags.
cp "$T/aggd.conf" "$T/aggd.conf.new"
sed -i '/three.xml/,$d' "$T/aggd.conf.new"
echo 'url = http://127.0.0.1:9/three.xml' >>"$T/aggd.conf.new"
echo 'title = Three' >>"$T/aggd.conf.new"
mv "$T/aggd.conf.new" "$T/aggd.conf"
kill -HUP "$AGGD_PID"
three_titled() {
	[ "$(feed_json http://127.0.0.1:9/three.xml | jq -r .title)" = Three ]
}
wait_for three_titled || fail "feed three's title did not change on SIGHUP"
three=$(feed_json http://127.0.0.1:9/three.xml)
assert_eq "$(echo "$three" | jq .interval)" 1800 \
    "feed three: interval back to the default"
# Tags removed from the file are removed from the feed.
assert_eq "$(echo "$three" | jq -c .tags)" '[]' \
    "feed three: tags removed from the file are removed"

# A bad file on SIGHUP is refused and the running configuration kept.
echo 'bogus line' >>"$T/aggd.conf"
kill -HUP "$AGGD_PID"
reload_refused() {
	grep -q 'reload failed' "$T/aggd.log"
}
wait_for reload_refused || fail "no 'reload failed' logged for a bad file"
kill -0 "$AGGD_PID" || fail "aggd died on a bad configuration at SIGHUP"
aggctl status >/dev/null || fail "aggctl status after a refused reload"
assert_eq "$(aggctl feeds --json | wc -l)" 3 "feeds unchanged by a bad reload"

# A section's interval outside min_interval..max_interval is brought
# within them, as aggctl add does, and said (FILE:LINE of the section).
cp "$T/base.conf" "$T/aggd.conf.new"
cat >>"$T/aggd.conf.new" <<'CONF'

[feed "fast"]
url = http://127.0.0.1:9/fast.xml
interval = 10s
[feed "slow"]
url = http://127.0.0.1:9/slow.xml
interval = 3d
CONF
"$BUILD/aggd" --check-config -c "$T/aggd.conf.new" >/dev/null 2>"$T/err" ||
    fail "--check-config refused a too short interval: $(cat "$T/err")"
grep -q "aggd.conf.new:6: feed \"fast\": interval 10s is below min_interval, raised to 1m" \
    "$T/err" || fail "--check-config did not say: $(cat "$T/err")"
ok "--check-config says a too short interval is raised"
mv "$T/aggd.conf.new" "$T/aggd.conf"
kill -HUP "$AGGD_PID"
has_slow() {
	[ -n "$(feed_json http://127.0.0.1:9/slow.xml)" ]
}
wait_for has_slow || fail "feed slow did not appear after SIGHUP"
assert_eq "$(feed_json http://127.0.0.1:9/fast.xml | jq .interval)" 60 \
    "a [feed] interval below min_interval is raised to it"
assert_eq "$(feed_json http://127.0.0.1:9/slow.xml | jq .interval)" 86400 \
    "a [feed] interval above max_interval is lowered to it"
grep -q 'feed "slow": interval 3d is above max_interval, lowered to 1d' \
    "$T/aggd.log" || fail "the lowered interval is not logged"
ok "the change is logged"

aggd_stop
