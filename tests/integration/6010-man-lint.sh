#!/bin/sh
# The manual pages render without a warning (groff -ww, and mandoc -Tlint
# where mandoc is installed), and they are complete: every aggctl command
# and option, every aggd option and every configuration key appears.  The
# lists come from INTERFACE.md (written out here) and from the programs
# themselves (aggctl --help and each command's --help, aggd --help, and
# config/aggd.conf), so a command, option or key added later without its
# manual entry fails here.
. "$(dirname "$0")/lib.sh"

if ! command -v groff >/dev/null 2>&1; then
	echo "ok - skipped: groff is not installed (Debian: groff-base)"
	exit 0
fi

for page in man/aggd.8 man/aggctl.1 man/aggd.conf.5; do
	[ -f "$page" ] || fail "$page is missing"
	groff -ww -mdoc -Tutf8 -z "$page" >"$T/groff.out" 2>&1 ||
	    fail "groff -ww on $page: $(cat "$T/groff.out")"
	[ ! -s "$T/groff.out" ] ||
	    fail "groff -ww on $page: $(cat "$T/groff.out")"
	ok "$page: groff -ww renders it without a warning"
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -Tlint -W warning "$page" >"$T/mandoc.out" 2>&1 ||
		    fail "mandoc -Tlint on $page: $(cat "$T/mandoc.out")"
		ok "$page: mandoc -Tlint finds nothing"
	fi
	if command -v man >/dev/null 2>&1; then
		MANWIDTH=80 man --warnings=w -l "$page" >/dev/null \
		    2>"$T/man.out" || fail "man -l $page failed"
		[ ! -s "$T/man.out" ] ||
		    fail "man -l $page: $(cat "$T/man.out")"
		ok "$page: man -l renders it without a warning"
	fi
	# What man(1) shows is text, and not empty.
	groff -mdoc -Tutf8 -P-cbou "$page" 2>&1 | grep -q '^SEE ALSO' ||
	    fail "$page: no SEE ALSO section when rendered"
done
command -v mandoc >/dev/null 2>&1 ||
    echo "ok - mandoc -Tlint skipped: mandoc is not installed"

# The sources, for macro checks (.Cm add).
src() {
	cat "$1"
}
# has_option PAGE --NAME: PAGE documents the option with the Fl macro
# (.It Fl \-name, .Op Fl \-json | \-html), not only in an example.
has_option() {
	sed 's/\\-/-/g' "$1" |
	    grep -Eq -- "(Fl |[|] )-${2#--}([^a-z-]|$)"
}

# --- aggctl(1): commands and options ---------------------------------------
cmds="add remove set pause resume feeds items show read unread refresh log
backup follow import export status parse help"
# The commands the built aggctl lists, which may be more.
more=$("$BUILD/aggctl" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p; s/^  \([a-z][a-z]*\)$/\1/p')
for c in $cmds $more; do
	src man/aggctl.1 | grep -Eq "Cm $c( |$)" ||
	    fail "aggctl(1) does not document the command '$c'"
done
ok "aggctl(1) documents every command"

# INTERFACE.md's options, command by command, then every --option the
# built aggctl's help shows.
opts="--title --interval --tag --announce-existing --untag --hook --no-hook
--retain --retain-items --failing --feed --unread --since --after-id --limit
--search --json --html --all --wait --dry-run --base --charset --help
--socket --version"
for c in $cmds $more; do
	"$BUILD/aggctl" "$c" --help 2>/dev/null
done | grep -o -- '--[a-z][a-z-]*' >"$T/opts"
"$BUILD/aggctl" --help | grep -o -- '--[a-z][a-z-]*' >>"$T/opts"
for o in $opts $(sort -u "$T/opts"); do
	has_option man/aggctl.1 "$o" ||
	    fail "aggctl(1) does not document the option '$o'"
done
ok "aggctl(1) documents every option"

for f in AGGD_SOCKET 'JSON OUTPUT' 'EXIT STATUS' EXAMPLES; do
	src man/aggctl.1 | grep -q -- "$f" ||
	    fail "aggctl(1) lacks '$f'"
done
ok "aggctl(1) has its environment, JSON, exit status and examples"

# --- aggd(8): options, environment, signals, files ------------------------
"$BUILD/aggd" --help | grep -o -- '--[a-z][a-z-]*' >"$T/dopts"
for o in --check-config --print-config --help --version $(sort -u "$T/dopts"); do
	has_option man/aggd.8 "$o" ||
	    fail "aggd(8) does not document the option '$o'"
done
for o in c d f v h; do
	src man/aggd.8 | grep -Eq "^\.It Fl $o( |$)" ||
	    fail "aggd(8) does not document the option '-$o'"
done
ok "aggd(8) documents every option"
for e in AGGD_CONFIG XDG_CONFIG_HOME XDG_DATA_HOME XDG_RUNTIME_DIR \
    STATE_DIRECTORY RUNTIME_DIRECTORY NOTIFY_SOCKET WATCHDOG_USEC \
    LISTEN_FDS JOURNAL_STREAM AGG_ITEM_ID AGG_ITEM_GUID AGG_ITEM_TITLE \
    AGG_ITEM_LINK AGG_FEED_ID AGG_FEED_URL AGG_FEED_TITLE; do
	src man/aggd.8 | grep -Eq "Ev $e( |$)" ||
	    fail "aggd(8) does not name the environment variable $e"
done
ok "aggd(8) names every environment variable"
for s in SIGHUP SIGTERM SIGINT 'DATABASE.lock' '64 KiB' 'EXIT STATUS' \
    EXAMPLES READY=1 RELOADING=1 STOPPING=1 WATCHDOG=1 STATUS=; do
	src man/aggd.8 | grep -q -- "$s" || fail "aggd(8) lacks '$s'"
done
ok "aggd(8) has signals, the lock file, the hook contract and systemd"

# --- aggd.conf(5): every key -------------------------------------------------
keys=$(sed -n 's/^#* *\([a-z_][a-z_]*\) *=.*/\1/p' config/aggd.conf | sort -u)
[ -n "$keys" ] || fail "no keys found in config/aggd.conf"
# With --print-config, the daemon's own list (every key it knows).
if "$BUILD/aggd" -c /nonexistent --print-config >"$T/print" 2>/dev/null; then
	keys="$keys $(sed -n 's/^\([a-z_][a-z_]*\) *=.*/\1/p' "$T/print")"
fi
for k in $keys retain retain_items url title tags; do
	src man/aggd.conf.5 | grep -Eq "Cm $k( |$)" ||
	    fail "aggd.conf(5) does not document the key '$k'"
done
ok "aggd.conf(5) documents every key"
