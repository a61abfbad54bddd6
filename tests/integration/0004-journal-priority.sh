#!/bin/sh
# Log lines for the journal: when JOURNAL_STREAM is "DEV:INO" of aggd's
# stderr (decimal st_dev and st_ino, as systemd sets it), every line starts
# with its sd-daemon priority, <6> info, <4> warning, <7> debug, and
# carries no "aggd: " prefix.  Without JOURNAL_STREAM, or when it names
# another file, lines start with "aggd: ".  A start-up error is at an
# error priority too.

. "$(dirname "$0")/lib.sh"

# Every line of FILE matches the extended regex RE.
all_lines() {
	[ -s "$1" ] && ! grep -Evq "$2" "$1"
}

# aggd_start appends stderr to $T/aggd.log: make the file first so its
# device and inode are known.
: >"$T/aggd.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/aggd.log") || fail "stat"
export JOURNAL_STREAM
aggd_start -v
# A warning: a SIGHUP with a broken file.
cp "$T/aggd.conf" "$T/good.conf"
echo 'this is not a key' >>"$T/aggd.conf"
kill -HUP "$AGGD_PID"
wait_for grep -q 'reload failed' "$T/aggd.log" || fail "no reload failure"
cp "$T/good.conf" "$T/aggd.conf"
aggd_stop
mv "$T/aggd.log" "$T/journal.log"
all_lines "$T/journal.log" '^<[0-7]>' ||
    fail "lines without a priority: $(grep -Ev '^<[0-7]>' "$T/journal.log" | head -3)"
ok "every line starts with <N>"
grep -Eq '^<6>aggd [0-9.]+ starting' "$T/journal.log" ||
    fail "no '<6>aggd VERSION starting' line: $(head -3 "$T/journal.log")"
ok "start-up line at info, <6>"
grep -q '^<4>reload failed' "$T/journal.log" ||
    fail "no '<4>reload failed' line: $(grep reload "$T/journal.log")"
ok "warning at <4>"
grep -q '^<7>' "$T/journal.log" || fail "no <7> line with -v"
ok "debug at <7>"
grep -q '^<[0-7]>aggd: ' "$T/journal.log" &&
    fail "the program name is repeated after <N>"
ok "no name prefix for the journal"

# Without JOURNAL_STREAM: "aggd: " on every line.
unset JOURNAL_STREAM
aggd_start
aggd_stop
mv "$T/aggd.log" "$T/plain.log"
all_lines "$T/plain.log" '^aggd: ' ||
    fail "lines without 'aggd: ': $(grep -v '^aggd: ' "$T/plain.log" | head -3)"
ok "without JOURNAL_STREAM: 'aggd: ' prefix"

# JOURNAL_STREAM naming another file (stderr was redirected elsewhere).
: >"$T/other"
: >"$T/aggd.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/other")
export JOURNAL_STREAM
aggd_start
aggd_stop
all_lines "$T/aggd.log" '^aggd: ' ||
    fail "another file's JOURNAL_STREAM: $(head -3 "$T/aggd.log")"
ok "JOURNAL_STREAM of another file: 'aggd: ' prefix"

# Garbage in JOURNAL_STREAM is ignored.
: >"$T/aggd.log"
export JOURNAL_STREAM=garbage
aggd_start
aggd_stop
all_lines "$T/aggd.log" '^aggd: ' ||
    fail "JOURNAL_STREAM=garbage: $(head -3 "$T/aggd.log")"
ok "unreadable JOURNAL_STREAM: 'aggd: ' prefix"

# A start-up failure (a bad configuration file) under the journal is an
# error line too: it carries an error priority (<3>, or <2> as fatal
# gives), not the journal's default (info) for unprefixed lines.
: >"$T/start.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/start.log")
export JOURNAL_STREAM
echo 'intervall = 5m' >"$T/bad.conf"
"$BUILD/aggd" -f -c "$T/bad.conf" 2>>"$T/start.log" &
bad=$!
wait_pid "$bad" 10 && fail "aggd started with a bad configuration file"
grep -q 'bad.conf:1' "$T/start.log" ||
    fail "no file:line in the start-up error: $(cat "$T/start.log")"
pfx=$(sed -n '1s/^\(<[0-7]>\|aggd: \).*/\1/p' "$T/start.log")
case $pfx in
'<2>'|'<3>')	pfx=error ;;
esac
assert_eq "$pfx" error "start-up error under the journal has an error priority"
