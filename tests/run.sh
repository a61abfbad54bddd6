#!/bin/sh
# Run the test suite: unit tests (cmocka, TAP output), the parser corpus
# (tests/data/feeds/<case>.<ext> beside <case>.json, optional <case>.args)
# and the integration scripts.  Logs are kept only for failures, under
# $BUILD/test-logs.  The last line is "N passed, N failed".
#
# usage: tests/run.sh [unit|corpus|fuzz|integration]...
set -u
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
logs=$BUILD/test-logs
rm -rf "$logs"
mkdir -p "$logs"
pass=0
fail=0

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $1${2:+ (log: $2)}"; }

run_unit() {
	for t in "$BUILD"/tests/test-*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log=$logs/$name.log
		CMOCKA_MESSAGE_OUTPUT=TAP timeout 120 "$t" >"$log" 2>&1
		rc=$?
		n_ok=$(grep -c '^ok ' "$log")
		n_ko=$(grep -c '^not ok ' "$log")
		pass=$((pass + n_ok))
		if [ "$n_ko" -gt 0 ] || [ "$rc" -ne 0 ]; then
			[ "$n_ko" -gt 0 ] || n_ko=1
			fail=$((fail + n_ko))
			grep '^not ok ' "$log" | sed "s/^/FAIL: $name: /"
			echo "FAIL: $name exited $rc (log: $log)"
		else
			rm -f "$log"
		fi
	done
}

run_corpus() {
	for exp in tests/data/feeds/*.json; do
		[ -e "$exp" ] || continue
		case=${exp%.json}
		name=$(basename "$case")
		in=
		for f in "$case".*; do
			case $f in *.json|*.args) ;; *) in=$f ;; esac
		done
		[ -n "$in" ] || { ko "corpus/$name: no input beside $exp"; continue; }
		args=
		[ -f "$case.args" ] && args=$(cat "$case.args")
		log=$logs/corpus-$name.log
		# shellcheck disable=SC2086
		timeout 20 "$BUILD/aggctl" parse $args "$in" >"$log.out" 2>"$log"
		rc=$?
		want_rc=0
		[ "$(jq -r '.error == null' "$exp")" = true ] || want_rc=1
		if [ "$rc" -ne "$want_rc" ]; then
			ko "corpus/$name: exit $rc, expected $want_rc" "$log"
		elif ! jq -S . "$log.out" >"$log.got" 2>>"$log"; then
			ko "corpus/$name: output is not JSON" "$log"
		elif ! jq -S . "$exp" | diff -u - "$log.got" >>"$log"; then
			ko "corpus/$name: output differs" "$log"
		else
			ok
			rm -f "$log" "$log.out" "$log.got"
		fi
	done
}

# The fuzz targets' replay mains over their seed corpora: each target must
# run its whole corpus without a crash (and, under ASan, without a report).
run_fuzz() {
	for t in "$BUILD"/tests/fuzz-*-replay; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log=$logs/$name.log
		if timeout 120 "$t" >"$log" 2>&1; then
			ok
			rm -f "$log"
		else
			ko "fuzz/$name" "$log"
		fi
	done
}

run_integration() {
	for t in tests/integration/[0-9]*.sh; do
		[ -e "$t" ] || continue
		name=$(basename "$t" .sh)
		log=$logs/$name.log
		if BUILD=$BUILD timeout 120 sh "$t" >"$log" 2>&1; then
			ok
			rm -f "$log"
		else
			ko "integration/$name" "$log"
			tail -n 15 "$log" | sed 's/^/    /'
		fi
	done
}

[ $# -gt 0 ] || set -- unit corpus fuzz integration
for part in "$@"; do
	"run_$part"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
