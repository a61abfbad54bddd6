#!/bin/sh
# The configuration checks: every refusal is "aggd: FILE:LINE: reason"
# naming the key and its section (a bad value, a key given twice, a second
# [daemon], two feed sections with one URL, a socket path too long for a
# Unix socket); a hook that is not installed is a warning on stderr, at
# --check-config and at start, not a refusal; a UTF-8 byte-order mark is
# accepted.

. "$(dirname "$0")/lib.sh"

# check NAME WANT: --check-config refuses $T/NAME.conf with the one line WANT.
check() {
	"$BUILD/aggd" --check-config -c "$T/$1.conf" >"$T/out" 2>"$T/err"
	assert_eq "$?" 1 "$1: --check-config exits 1"
	assert_line "$T/err" "$2" "$1: the line names the key and section"
}

printf '[daemon]\n# the transfer limit\ntimeout = 0\n' >"$T/zero.conf"
check zero "aggd: $T/zero.conf:3: 'timeout' in [daemon]: duration must be above 0"

printf '[daemon]\ninterval = 1h\nmax_connections = 4\ninterval = 2h\n' \
    >"$T/dupkey.conf"
check dupkey "aggd: $T/dupkey.conf:4: duplicate key 'interval' in [daemon] (first at line 2)"

printf '[daemon]\ninterval = 1h\n\n[daemon]\ntimeout = 5s\n' >"$T/dupsec.conf"
check dupsec "aggd: $T/dupsec.conf:4: duplicate section [daemon] (first at line 1)"

printf '[feed "a"]\nurl = http://127.0.0.1:9/f\n[feed "b"]\nurl = http://127.0.0.1:9/f\n' \
    >"$T/dupurl.conf"
check dupurl "aggd: $T/dupurl.conf:4: 'url' in [feed \"b\"]: http://127.0.0.1:9/f is already feed \"a\" (line 1)"

long=/tmp/$(printf '%0110d' 0).sock
printf '[daemon]\nsocket = %s\n' "$long" >"$T/longsock.conf"
check longsock "aggd: $T/longsock.conf:2: 'socket' in [daemon]: path is 120 bytes, a socket's can have at most 107"

# A missing hook: a warning naming it, and the file is good.
cat >>"$T/aggd.conf" <<EOF
hook = $T/not-yet-installed --flag
EOF
"$BUILD/aggd" --check-config -c "$T/aggd.conf" >"$T/out" 2>"$T/err"
assert_eq "$?" 0 "a missing hook: --check-config exits 0"
assert_line "$T/err" "aggd: $T/aggd.conf:5: 'hook' in [daemon]: $T/not-yet-installed: no such file or directory (a warning: it may be installed later)" \
    "a missing hook: one warning line"
assert_eq "$(cat "$T/out")" "$T/aggd.conf: ok" "a missing hook: the file is ok"

# A byte-order mark before the first section.
printf '\357\273\277[daemon]\ninterval = 1h\n' >"$T/bom.conf"
"$BUILD/aggd" --check-config -c "$T/bom.conf" >"$T/out" 2>"$T/err"
assert_eq "$?" 0 "a byte-order mark: accepted"

# At start, the warning is in the log and the daemon runs.
aggd_start || fail "aggd did not start with a missing hook"
grep -q "'hook' in \[daemon\]: $T/not-yet-installed: no such file" \
    "$T/aggd.log" || fail "the warning is not in the log"
ok "a missing hook: the warning is logged at start"
aggd_stop || fail "aggd did not stop cleanly"
ok "stopped"
