#!/bin/sh
# aggctl explains itself and names what was wrong: `aggctl help COMMAND`
# and `aggctl COMMAND --help` give the same text, which explains each
# option; aggctl --help lists every command of INTERFACE.md with a line
# each; an unknown option, a missing argument, a bad duration or number,
# and a feed or item that does not exist are one "aggctl: " line naming
# it, exit 1.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

all="add remove set pause resume feeds items show read unread refresh log
backup follow import export status parse"

"$BUILD/aggctl" --help >"$T/help" || fail "aggctl --help exited $?"
for c in $all; do
	grep -Eq "^  $c  +[a-z]" "$T/help" || fail "aggctl --help: no line for $c"
done
ok "aggctl --help: a line for every command"

# help COMMAND = COMMAND --help, each option explained (no daemon needed).
for c in add remove feeds items show read unread refresh follow import \
    export status parse; do
	"$BUILD/aggctl" -s "$T/none.sock" help "$c" >"$T/h1" 2>"$T/err" ||
	    fail "help $c exited $?: $(cat "$T/err")"
	"$BUILD/aggctl" -s "$T/none.sock" "$c" --help >"$T/h2" 2>"$T/err" ||
	    fail "$c --help exited $?: $(cat "$T/err")"
	cmp -s "$T/h1" "$T/h2" || fail "help $c and $c --help differ"
	grep -q "^usage: aggctl $c" "$T/h1" || fail "help $c: no usage line"
	# Every option of the usage line has a line of its own below.
	for o in $(sed -n 1p "$T/h1" | grep -o -- '--[a-z-]*' | sort -u); do
		grep -Eq "^  $o( |$)" "$T/h1" ||
		    fail "help $c does not explain $o: $(cat "$T/h1")"
	done
	[ "$(wc -l <"$T/h1")" -ge 5 ] || fail "help $c says too little"
done
ok "help COMMAND and COMMAND --help explain every option"
"$BUILD/aggctl" help items | grep -q "'\*' for an unread item" ||
    fail "items --help does not explain the unread mark"
ok "items --help explains the unread mark"

aggd_start
# one_line ARGS... WANT: aggctl ARGS fails with exactly the line WANT.
one_line() {
	_want=$(eval "printf '%s' \"\${$#}\"")
	_n=$(($# - 1))
	_args=
	_i=0
	for _a in "$@"; do
		_i=$((_i + 1))
		[ "$_i" -le "$_n" ] || break
		_args="$_args '$_a'"
	done
	eval "aggctl $_args" >"$T/out" 2>"$T/err" &&
	    fail "aggctl$_args succeeded"
	assert_line "$T/err" "$_want" "aggctl$_args"
	[ ! -s "$T/out" ] || fail "aggctl$_args printed on stdout: $(cat "$T/out")"
}
one_line status --bogus \
    "aggctl: status: unknown option '--bogus' (see 'aggctl help status')"
one_line feeds --json=yes \
    "aggctl: feeds: option '--json' takes no value (see 'aggctl help feeds')"
one_line items --limit \
    "aggctl: items: option '--limit' needs an argument (see 'aggctl help items')"
one_line items --limit many \
    "aggctl: items: --limit: not a number: 'many' (see 'aggctl help items')"
one_line add --interval 10minutes http://127.0.0.1:9/x.xml \
    "aggctl: add: --interval: invalid duration '10minutes' (use e.g. 30s, 15m, 2h, 1d) (see 'aggctl help add')"
one_line add "aggctl: add: missing URL (see 'aggctl help add')"
one_line show "aggctl: show: missing ITEM (see 'aggctl help show')"
one_line show 1 2 "aggctl: show: unexpected argument '2' (see 'aggctl help show')"
one_line read "aggctl: read: give items, --feed FEED or --all (see 'aggctl help read')"
one_line import "aggctl: import: missing FILE.opml (see 'aggctl help import')"
one_line remove 4242 "aggctl: no such feed: 4242"
one_line items --feed http://127.0.0.1:9/nothing.xml \
    "aggctl: no such feed: http://127.0.0.1:9/nothing.xml"
one_line show 4242 "aggctl: no such item: 4242"
one_line help frobnicate "aggctl: unknown command 'frobnicate' (see 'aggctl --help')"
one_line -s "$T/aggd.sock" status -x \
    "aggctl: status: unknown option '-x' (see 'aggctl help status')"

# --json everywhere: one object for single results.
printf '<opml version="2.0"><body/></opml>\n' >"$T/empty.opml"
assert_eq "$(aggctl import --json "$T/empty.opml" | jq -c '[.added, .existing]')" \
    "[0,0]" "import --json: one object"
assert_eq "$(aggctl status --json | jq -r .version)" \
    "$("$BUILD/aggd" --version | awk '{print $NF}')" "status --json"
aggctl export --json >"$T/exp" || fail "export --json exited $?"
assert_eq "$(wc -c <"$T/exp" | tr -d ' ')" 0 "export --json: no feeds, no lines"
aggd_stop
