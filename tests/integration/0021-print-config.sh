#!/bin/sh
# aggd --print-config prints the effective configuration in the file's own
# syntax: every key of config/aggd.conf (the file that documents them all)
# with its value, defaults included, an optional key that is not set as a
# comment, and the [feed] sections.  What it prints reads back: with -c it
# passes --check-config and prints the same again (a round trip), values
# that need quotes (a comment sign, white space at an end) keep them.  A
# bad file is refused as at start: one line, exit 1.

. "$(dirname "$0")/lib.sh"

# Built-in defaults: every documented key is there.
"$BUILD/aggd" --print-config -c "$T/none.conf" >"$T/defaults" 2>"$T/err"
assert_eq "$?" 0 "--print-config with no file: exit 0"
[ ! -s "$T/err" ] || fail "--print-config wrote on stderr: $(cat "$T/err")"
keys=$(awk '/\[feed/ { exit } /^# [a-z_]+ += ?/ { print $2 }' config/aggd.conf)
[ -n "$keys" ] || fail "no keys found in config/aggd.conf"
for k in $keys; do
	grep -Eq "^(# )?$k =" "$T/defaults" ||
	    fail "key $k missing from --print-config: $(cat "$T/defaults")"
done
ok "every key of config/aggd.conf is printed ($(echo $keys | wc -w))"
grep -qx 'interval = 30m' "$T/defaults" || fail "interval not at 30m"
grep -qx 'max_feed_size = 16M' "$T/defaults" || fail "max_feed_size not 16M"
grep -qx 'hook_timeout = 1m' "$T/defaults" || fail "hook_timeout not 1m"
grep -qx 'host_delay = 1s' "$T/defaults" || fail "host_delay not 1s"
grep -qx '# hook =' "$T/defaults" || fail "an unset hook is not a comment"
ok "defaults printed with their values"

# Everything set, with values that need care.
group=$(id -gn)
cat >"$T/full.conf" <<EOF
[daemon]
database = $T/full.db
socket = $T/full.sock   # a comment after the value
socket_group = $group
interval = 1h30m
min_interval = 5m
max_interval = 2d
max_connections = 7
per_host_connections = 3
host_delay = 0
timeout = 45s
max_feed_size = 1536K
user_agent = "agent # with a hash "
hook = /bin/echo --flag "two words" 'x # y'
hook_timeout = 2m

[feed "one"]
url = http://127.0.0.1:9/one.xml
title = "  padded title"
interval = 20m
tags = news, caucasus
hook = /bin/true

[feed "two words"]
url = http://127.0.0.1:9/two.xml
EOF
"$BUILD/aggd" --print-config -c "$T/full.conf" >"$T/p1" 2>"$T/err" ||
    fail "--print-config on a full file: $(cat "$T/err")"
for want in "socket = $T/full.sock" "socket_group = $group" \
    'interval = 1h30m' 'host_delay = 0s' 'max_feed_size = 1536K' \
    'user_agent = "agent # with a hash "' \
    "hook = /bin/echo --flag \"two words\" 'x # y'" \
    'title = "  padded title"' 'interval = 20m' 'tags = news caucasus' \
    '[feed "two words"]'; do
	grep -qxF "$want" "$T/p1" || fail "'$want' not printed: $(cat "$T/p1")"
done
ok "set values printed, quoted where the parser needs it"

# The round trip: the printed file is a valid configuration that prints
# the same (but for the first line, which names the file).
"$BUILD/aggd" --check-config -c "$T/p1" >"$T/out" 2>"$T/err"
assert_eq "$?" 0 "--check-config accepts what --print-config printed"
"$BUILD/aggd" --print-config -c "$T/p1" >"$T/p2" 2>"$T/err" ||
    fail "--print-config on its own output: $(cat "$T/err")"
sed 1d "$T/p1" >"$T/p1.body"
sed 1d "$T/p2" >"$T/p2.body"
diff -u "$T/p1.body" "$T/p2.body" >"$T/diff" ||
    fail "the round trip changed the configuration: $(cat "$T/diff")"
ok "round trip: printed, read back, printed the same"
sed 1d "$T/defaults" >"$T/d1"
"$BUILD/aggd" --print-config -c "$T/defaults" | sed 1d >"$T/d2"
diff -u "$T/d1" "$T/d2" >"$T/diff" ||
    fail "the defaults' round trip changed them: $(cat "$T/diff")"
ok "round trip of the defaults"

# A bad file: one line, exit 1, nothing on stdout.
printf '[daemon]\nintervall = 2h\n' >"$T/bad.conf"
"$BUILD/aggd" --print-config -c "$T/bad.conf" >"$T/out" 2>"$T/err"
assert_eq "$?" 1 "--print-config on a bad file: exit 1"
assert_line "$T/err" "aggd: $T/bad.conf:2: unknown key 'intervall' in [daemon]" \
    "--print-config on a bad file: one line"
[ ! -s "$T/out" ] || fail "--print-config on a bad file printed: $(cat "$T/out")"
ok "a bad file prints nothing"
