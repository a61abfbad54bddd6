#!/bin/sh
# Subscriptions live in the database: after SIGTERM (exit 0) and a new
# start, every feed is there with the same id, URL, title, interval and
# tags, and new ids keep growing past the old ones.

. "$(dirname "$0")/lib.sh"

aggd_start
aggctl add http://127.0.0.1:9/one.xml >/dev/null || fail "add one"
aggctl add --title Two --interval 3h --tag a --tag b \
    http://127.0.0.1:9/two.xml >/dev/null || fail "add two"
aggctl add http://127.0.0.1:9/three.xml >/dev/null || fail "add three"
aggctl remove http://127.0.0.1:9/three.xml || fail "remove three"
shape='[.id, .url, .title, .interval, (.tags | sort)]'
aggctl feeds --json | jq -c "$shape" >"$T/before" || fail "feeds before"
assert_eq "$(wc -l <"$T/before")" 2 "two feeds before the restart"
max=$(aggctl feeds --json | jq -s 'map(.id) | max')

aggd_stop
ok "SIGTERM: exit 0"
[ -f "$T/aggd.db" ] || fail "no database file after the stop"
aggd_start
aggctl feeds --json | jq -c "$shape" >"$T/after" || fail "feeds after"
cmp -s "$T/before" "$T/after" ||
    fail "feeds differ after the restart: $(diff "$T/before" "$T/after")"
ok "feeds are the same after the restart"

# Ids are never reused, even the removed feed's.
id=$(aggctl add http://127.0.0.1:9/four.xml) || fail "add four"
[ "$id" -gt "$((max + 1))" ] ||
    fail "new id $id reuses a removed feed's id (max was $max)"
ok "ids keep growing across restarts"
assert_eq "$(aggctl add http://127.0.0.1:9/one.xml)" \
    "$(jq -r 'select(.[1] == "http://127.0.0.1:9/one.xml") | .[0]' \
    "$T/before")" "a known URL answers its old id after the restart"

# A second restart, with SIGINT this time.
aggd_stop INT
aggd_start
assert_eq "$(aggctl feeds --json | wc -l)" 3 "three feeds after SIGINT"
assert_eq "$(aggctl status --json | jq .feeds)" 3 "status counts them"
aggd_stop
