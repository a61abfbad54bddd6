#!/bin/sh
# aggctl parse without a daemon: the JSON is printed either way, the exit
# status is 0 exactly when "error" is null, "-" reads stdin, and usage
# errors and unreadable files are one "aggctl: " line on stderr with
# nothing on stdout (INTERFACE.md).

. "$(dirname "$0")/lib.sh"

P="$BUILD/aggctl"
cat >"$T/ok.xml" <<'XML'
<rss version="2.0"><channel><title>T</title>
<item><title>a</title><link>/a</link></item></channel></rss>
XML
printf '<rss version="2.0"><channel><title>T</title><item><title>a' \
    >"$T/cut.xml"
echo '<html><body>no feed</body></html>' >"$T/page.html"

"$P" parse "$T/ok.xml" >"$T/out" || fail "clean parse exited $?"
assert_eq "$(jq -c '[.format, .error]' "$T/out")" '["rss2.0",null]' \
    "clean parse: format, error null, status 0"
"$P" parse --base http://h.example/f.xml - <"$T/ok.xml" >"$T/out" ||
    fail "parse - exited $?"
assert_eq "$(jq -r '.items[0].link' "$T/out")" http://h.example/a \
    "parse - reads stdin; --base makes links absolute"
for f in cut.xml page.html; do
	"$P" parse "$T/$f" >"$T/out" 2>"$T/err"
	assert_eq "$?" 1 "$f: status 1"
	jq -e '.error | type == "string"' "$T/out" >/dev/null ||
	    fail "$f: error is not a string: $(cat "$T/out")"
	ok "$f: the JSON is printed, with its error"
done

# One line on stderr, nothing on stdout, for each kind of failure.
for args in "--bogus $T/ok.xml" "" "$T/ok.xml $T/ok.xml" \
    "$T/missing.xml"; do
	# shellcheck disable=SC2086
	"$P" parse $args >"$T/out" 2>"$T/err" &&
	    fail "parse '$args' succeeded"
	grep -q '^aggctl: ' "$T/err" || fail "parse '$args': $(cat "$T/err")"
	assert_line "$T/err" "$(sed -n 1p "$T/err")" "parse '$args': one line"
	[ ! -s "$T/out" ] || fail "parse '$args' printed on stdout"
done
assert_eq "$(cat "$T/err")" \
    "aggctl: cannot open $T/missing.xml: no such file or directory" \
    "a missing file is named, with the reason in lower case"
"$P" parse --help >"$T/out" || fail "parse --help exited $?"
grep -q '^usage: aggctl parse' "$T/out" || fail "parse --help: $(cat "$T/out")"
ok "parse --help"
