#!/bin/sh
# Parser throughput against a bare expat pass over the same bytes
# (bench/bench-parse.c).  BENCH_FEED names a feed file to use instead of
# the generated one.
set -u
BUILD=${BUILD:-build}
exec "$BUILD/bench/bench-parse" -n "${BENCH_RUNS:-5}" ${BENCH_FEED:+"$BENCH_FEED"}
