#!/bin/sh
# Run every benchmark, bench/*.sh but this one, in turn; each prints its
# own report.  A failing benchmark does not stop the others; the exit
# status says whether any failed.
#
# usage: BUILD=build sh bench/run.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
export BUILD
failed=
for b in bench/*.sh; do
	[ "$b" = bench/run.sh ] && continue
	echo "== $b"
	sh "$b" || failed="$failed $b"
done
if [ -n "$failed" ]; then
	echo "failed:$failed" >&2
	exit 1
fi
