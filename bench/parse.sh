#!/bin/sh
# Parser throughput against a bare expat pass over the same bytes
# (bench/bench-parse.c), on two large feeds: the generated mix of
# bench-parse (entities, CDATA with dashes and quotes, enclosures) and a
# 70 MB WordPress-shaped feed from gen-feeds.  BENCH_FEED names a feed
# file to use instead of both.
set -u
BUILD=${BUILD:-build}
runs=${BENCH_RUNS:-8}
if [ -n "${BENCH_FEED:-}" ]; then
	exec "$BUILD/bench/bench-parse" -n "$runs" "$BENCH_FEED"
fi
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM
echo "parse: generated feed"
"$BUILD/bench/bench-parse" -n "$runs" || exit 1
"$BUILD/bench/gen-feeds" -n 1 -i 16000 -s 70000000 "$dir" >/dev/null ||
	exit 1
echo "parse: WordPress-shaped feed"
"$BUILD/bench/bench-parse" -n "$runs" "$dir/feed-00001.xml"
