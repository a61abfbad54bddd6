#!/bin/sh
# aggd starts with no configuration file at all: built-in defaults, the
# database under $STATE_DIRECTORY and the socket (mode 0600) under
# $RUNTIME_DIRECTORY.  --version and --help exit 0.

. "$(dirname "$0")/lib.sh"

out=$("$BUILD/aggd" --version) || fail "aggd --version exited $?"
case $out in
"aggd "[0-9]*) ok "aggd --version: $out" ;;
*)	fail "aggd --version printed '$out'" ;;
esac
"$BUILD/aggd" --help >"$T/help" || fail "aggd --help exited non-zero"
grep -q '^usage: aggd' "$T/help" || fail "aggd --help prints no usage line"
ok "aggd --help"
out=$("$BUILD/aggctl" --version) || fail "aggctl --version exited $?"
"$BUILD/aggctl" --help >/dev/null || fail "aggctl --help exited non-zero"
ok "aggctl --version, --help"

# No -c, no $AGGD_CONFIG, and HOME and XDG_CONFIG_HOME hold no aggd.conf:
# a missing configuration file is not an error.
mkdir -p "$T/cfg"
STATE_DIRECTORY=$T/state RUNTIME_DIRECTORY=$T/rt HOME=$T \
    XDG_CONFIG_HOME=$T/cfg "$BUILD/aggd" -f 2>>"$T/aggd.log" &
AGGD_PID=$!
sock=$T/rt/aggd.sock
wait_for "$BUILD/aggctl" -s "$sock" status >/dev/null 2>&1 ||
    fail "no daemon answered on $sock"
ok "aggd starts with built-in defaults"

mode=$(stat -c %a "$sock")
assert_eq "$mode" 600 "socket mode"
[ -S "$sock" ] || fail "$sock is not a socket"
[ -f "$T/state/aggd.db" ] || fail "no database at $T/state/aggd.db"
ok "database under STATE_DIRECTORY"
# The socket's default is what aggctl finds on its own, too.
RUNTIME_DIRECTORY=$T/rt "$BUILD/aggctl" status >/dev/null ||
    fail "aggctl does not find the socket under RUNTIME_DIRECTORY"
ok "aggctl finds the default socket"
grep -q 'built-in defaults' "$T/aggd.log" ||
    fail "the log does not say the built-in defaults are in use"
ok "log names the built-in defaults"

# --check-config without a file.
STATE_DIRECTORY=$T/state RUNTIME_DIRECTORY=$T/rt HOME=$T \
    XDG_CONFIG_HOME=$T/cfg "$BUILD/aggd" --check-config >/dev/null ||
    fail "--check-config with no file exited non-zero"
ok "--check-config with no file"
AGGD_CONFIG=$T/nonexistent.conf STATE_DIRECTORY=$T/state \
    RUNTIME_DIRECTORY=$T/rt "$BUILD/aggd" --check-config >/dev/null ||
    fail "--check-config with a missing \$AGGD_CONFIG exited non-zero"
ok "a missing \$AGGD_CONFIG is not an error"

aggd_stop
[ ! -e "$sock" ] || fail "socket left behind after SIGTERM"
ok "clean stop"
