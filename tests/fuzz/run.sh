#!/bin/sh
# Run every libFuzzer target in DIR for a bounded time, each from a copy of
# its seed corpus (tests/fuzz/corpus/<target>/, left untouched); crashes
# and leaks land in $BUILD/fuzz-artifacts.  FUZZ_TIME is the seconds per
# target (default 60).  The exit status says whether anything was found.
#
# usage: tests/fuzz/run.sh DIR
set -u
dir=${1:?usage: tests/fuzz/run.sh DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
time=${FUZZ_TIME:-60}
art=${BUILD:-build}/fuzz-artifacts
mkdir -p "$art"
found=
for bin in "$dir"/fuzz-*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	target=${name#fuzz-}
	work=$(mktemp -d)
	[ -d "tests/fuzz/corpus/$target" ] &&
	    cp -r "tests/fuzz/corpus/$target/." "$work/"
	echo "== $name: ${time}s"
	if ! "$bin" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=262144 -print_final_stats=1 \
	    -artifact_prefix="$art/$name-" "$work" >"$art/$name.log" 2>&1; then
		found="$found $name"
		tail -n 30 "$art/$name.log"
	fi
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)' \
	    "$art/$name.log"
	rm -rf "$work"
done
if [ -n "$found" ]; then
	echo "fuzz: findings in:$found (see $art)"
	exit 1
fi
echo "fuzz: no findings"
