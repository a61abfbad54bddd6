#!/bin/sh
# A bad configuration file stops aggd before it starts: exit 1 and one line
# on stderr, "aggd: FILE:LINE: reason".  --check-config says the same, and
# exits 0 on a good file.

. "$(dirname "$0")/lib.sh"

# refused NAME WANT-STDERR: $T/NAME.conf (already written) is refused by
# both aggd -c and aggd --check-config with exactly WANT-STDERR.
refused() {
	_f=$T/$1.conf
	"$BUILD/aggd" -f -c "$_f" >"$T/out" 2>"$T/err" &
	_pid=$!
	wait_pid "$_pid" 10
	_rc=$?
	assert_eq "$_rc" 1 "$1: aggd -c exits 1"
	assert_line "$T/err" "$2" "$1: aggd -c stderr"
	[ ! -e "$T/aggd.sock" ] || fail "$1: a socket was created"
	"$BUILD/aggd" --check-config -c "$_f" >"$T/out" 2>"$T/err"
	_rc=$?
	assert_eq "$_rc" 1 "$1: --check-config exits 1"
	assert_line "$T/err" "$2" "$1: --check-config stderr"
}

# The good file lib.sh wrote, with every key.
cat >>"$T/aggd.conf" <<'CONF'
interval = 30m
min_interval = 1m         # inline comment
max_interval = 1d
max_connections = 64
per_host_connections = 2
timeout = 30s
max_feed_size = 16M
user_agent = "aggd-test/1 (+http://127.0.0.1/)"
hook = /bin/true --flag 'two words'
hook_timeout = 60s

[feed "local"]
url = http://127.0.0.1:9/feed.xml
interval = 15m
hook = /bin/true
CONF
"$BUILD/aggd" --check-config -c "$T/aggd.conf" >"$T/out" 2>"$T/err" ||
    fail "--check-config refused a good file: $(cat "$T/err")"
ok "--check-config accepts a good file with every key"

cp "$T/aggd.conf" "$T/unknown-key.conf"
# Line 6 in the [daemon] section (lib.sh wrote 4 lines).
sed -i '5a intervall = 10m' "$T/unknown-key.conf"
refused unknown-key \
    "aggd: $T/unknown-key.conf:6: unknown key 'intervall' in [daemon]"

cat >"$T/bad-duration.conf" <<'CONF'
[daemon]
# a comment
interval = 10 minutes
CONF
refused bad-duration "aggd: $T/bad-duration.conf:3: 'interval' in [daemon]: invalid duration\
 '10 minutes' (use e.g. 30s, 15m, 2h, 1d)"

cat >"$T/bad-size.conf" <<'CONF'
[daemon]
max_feed_size = 16Q
CONF
refused bad-size "aggd: $T/bad-size.conf:2: 'max_feed_size' in [daemon]: invalid size '16Q'\
 (use e.g. 512K, 16M, 1G)"

cat >"$T/no-url.conf" <<'CONF'
[daemon]
interval = 1h

[feed "a"]
url = http://127.0.0.1:9/a

[feed "nourl"]
interval = 2h
CONF
refused no-url "aggd: $T/no-url.conf:7: feed \"nourl\" has no url"

cat >"$T/garbage.conf" <<'CONF'
[daemon]
interval = 1h
this is not a key value line
CONF
refused garbage "aggd: $T/garbage.conf:3: expected 'key = value'"

cat >"$T/unknown-section.conf" <<'CONF'
[daemon]
[deamon]
CONF
refused unknown-section \
    "aggd: $T/unknown-section.conf:2: unknown section [deamon]"

cat >"$T/dup-feed.conf" <<'CONF'
[feed "x"]
url = http://127.0.0.1:9/x
[feed "x"]
url = http://127.0.0.1:9/y
CONF
refused dup-feed \
    "aggd: $T/dup-feed.conf:3: feed \"x\" already defined at line 1"

cat >"$T/feed-scheme.conf" <<'CONF'
[feed "f"]
url = file:///etc/passwd
CONF
refused feed-scheme \
    "aggd: $T/feed-scheme.conf:2: 'url' in [feed \"f\"]: url must be http:// or https://"

cat >"$T/bad-hook.conf" <<'CONF'
[daemon]
hook = /bin/echo 'unterminated
CONF
refused bad-hook "aggd: $T/bad-hook.conf:2: 'hook' in [daemon]: unterminated ' quote"

# Bounds that cross: the line of the later of the two keys.
cat >"$T/bounds.conf" <<'CONF'
[daemon]
min_interval = 2h
# a comment
max_interval = 1h
CONF
refused bounds "aggd: $T/bounds.conf:4: min_interval 2h is above\
 max_interval 1h"

# A file that cannot be read (a directory): one line, reason in lower case.
mkdir "$T/dir.conf"
refused dir "aggd: $T/dir.conf: is a directory"

# A missing file is not an error, even when named with -c: the built-in
# defaults apply, and --check-config says so, naming the file.
"$BUILD/aggd" --check-config -c "$T/missing.conf" >"$T/out" 2>"$T/err"
rc=$?
assert_eq "$rc" 0 "--check-config -c on a missing file exits 0"
grep -q "$T/missing.conf" "$T/out" ||
    fail "--check-config on a missing file: '$(cat "$T/out")'"
ok "--check-config names the missing file"
