#!/bin/sh
# --help and --version of both programs exit 0 and print on stdout (the
# version the daemon reports in status); an unknown aggctl command and
# aggctl add without a URL exit non-zero with one "aggctl: " line on stderr
# and nothing on stdout, and add stores nothing.  Usage errors (an unknown
# option, no command) are one line too (INTERFACE.md).

. "$(dirname "$0")/lib.sh"

aggd_start

for prog in aggd aggctl; do
	for opt in --help --version; do
		"$BUILD/$prog" "$opt" >"$T/out" 2>"$T/err" ||
		    fail "$prog $opt exited $?"
		[ -s "$T/out" ] || fail "$prog $opt printed nothing on stdout"
		[ ! -s "$T/err" ] || fail "$prog $opt wrote on stderr: $(cat "$T/err")"
		ok "$prog $opt"
	done
	"$BUILD/$prog" --help | grep -qi "usage: $prog" ||
	    fail "$prog --help does not say 'usage: $prog'"
	assert_eq "$("$BUILD/$prog" --version | wc -l)" 1 "$prog --version: one line"
done
ok "help texts name the program"
# aggctl's help lists every command of INTERFACE.md.
"$BUILD/aggctl" --help >"$T/help"
for c in add remove feeds items show read unread refresh follow import \
    export status parse; do
	grep -Eq "(^|[ ;|])$c( |$)" "$T/help" || fail "aggctl --help lacks $c"
done
ok "aggctl --help lists every command"
# Every command takes --help: its usage on stdout, exit 0, no daemon needed.
for c in add remove feeds items show read unread refresh follow import \
    export status parse; do
	"$BUILD/aggctl" -s "$T/nothing.sock" "$c" --help >"$T/out" 2>"$T/err" ||
	    fail "aggctl $c --help exited $?: $(cat "$T/err")"
	grep -q "^usage: aggctl $c" "$T/out" ||
	    fail "aggctl $c --help: $(cat "$T/out")"
done
ok "every command's --help"
# -h is --help too, for both.
"$BUILD/aggctl" -h >/dev/null || fail "aggctl -h exited $?"
"$BUILD/aggd" -h | grep -q 'usage: aggd' || fail "aggd -h: no usage"
ok "-h is --help"

# The versions agree with each other and with the running daemon.
v_aggd=$("$BUILD/aggd" --version | awk '{print $NF}')
v_aggctl=$("$BUILD/aggctl" --version | awk '{print $NF}')
assert_eq "$v_aggctl" "$v_aggd" "aggd and aggctl have the same version"
assert_eq "$(aggctl status --json | jq -r .version)" "$v_aggd" \
    "status reports the daemon's version"

# An unknown command: one line, non-zero, nothing on stdout.
aggctl frobnicate >"$T/out" 2>"$T/err" && fail "unknown command succeeded"
assert_line "$T/err" "$(sed -n 1p "$T/err")" "unknown command: one line"
grep -q "^aggctl: unknown command 'frobnicate'" "$T/err" ||
    fail "unknown command: $(cat "$T/err")"
ok "unknown command named"
[ ! -s "$T/out" ] || fail "unknown command printed on stdout"

# add without a URL, with and without a daemon.
n=$(aggctl feeds --json | wc -l)
for sock in "$T/aggd.sock" "$T/nothing.sock"; do
	"$BUILD/aggctl" -s "$sock" add >"$T/out" 2>"$T/err" &&
	    fail "add without a URL succeeded ($sock)"
	grep -q '^aggctl: ' "$T/err" || fail "add without a URL: $(cat "$T/err")"
	assert_line "$T/err" "$(sed -n 1p "$T/err")" "add without a URL: one line"
	[ ! -s "$T/out" ] || fail "add without a URL printed $(cat "$T/out")"
done
aggctl add --title T >/dev/null 2>&1 && fail "add --title T succeeded"
assert_eq "$(aggctl feeds --json | wc -l)" "$n" "add without a URL stored nothing"

# Usage errors: non-zero; INTERFACE.md asks for one clear line on stderr.
for args in "--bogus" ""; do
	# shellcheck disable=SC2086
	"$BUILD/aggctl" -s "$T/aggd.sock" $args >"$T/out" 2>"$T/err" &&
	    fail "aggctl '$args' succeeded"
	[ -s "$T/err" ] || fail "aggctl '$args': nothing on stderr"
	assert_eq "$(wc -l <"$T/err" | tr -d ' ')" 1 \
	    "aggctl '$args': one line on stderr"
done
"$BUILD/aggd" --bogus >"$T/out" 2>"$T/err" && fail "aggd --bogus succeeded"
[ -s "$T/err" ] || fail "aggd --bogus: nothing on stderr"
assert_eq "$(wc -l <"$T/err" | tr -d ' ')" 1 "aggd --bogus: one line on stderr"

kill -0 "$AGGD_PID" || fail "aggd died"
aggd_stop
