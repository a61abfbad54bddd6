#!/bin/sh
# The fixture server alone, driven by curl: the behaviours the fetching
# tests lean on (file types and sidecar headers, status and Retry-After,
# redirects, conditional GET, gzip, sequences, rotation, programmed answers,
# delays and the request log) answer as tests/httpd/httpd.c says.

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
. tests/integration/httpd.sh

T=$(mktemp -d "${TMPDIR:-/tmp}/aggd-test.XXXXXX") || exit 1
trap 'httpd_stop; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

fail=0
ok() { echo "ok - $1"; }
ko() { echo "not ok - $1"; fail=1; }
check() {
	_what=$1
	shift
	if "$@"; then ok "$_what"; else ko "$_what"; fi
}
# header FILE NAME: the value of a response header from curl -D
header() {
	tr -d '\r' <"$1" | awk -v n="$2" -F': ' 'tolower($1) == tolower(n) {
	    sub(/^[^:]*: /, ""); print; exit }'
}

mkdir "$T/docs"
cat >"$T/docs/feed.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Fixture</title>
<item><title>one</title><guid>1</guid></item>
<item><title>two</title><guid>2</guid></item>
<item><title>three</title><guid>3</guid></item>
</channel></rss>
XML
printf 'Content-Type: text/xml; charset=koi8-r\n' >"$T/docs/koi.xml.headers"
cp "$T/docs/feed.xml" "$T/docs/koi.xml"
echo first >"$T/docs/s.txt.1"
echo third >"$T/docs/s.txt.3"

httpd_start "$T/docs" || exit 1
U=$HTTPD_URL
C="curl -sS --max-time 10"

# A file, its type by extension, and a sidecar's replacement type.
code=$($C -o "$T/body" -D "$T/h" -w '%{http_code}' -H 'X-Probe: 42' \
    "$U/feeds/feed.xml")
check "feed served" test "$code" = 200
check "feed body intact" cmp -s "$T/body" "$T/docs/feed.xml"
check "rss type" test "$(header "$T/h" Content-Type)" = application/rss+xml
$C -o /dev/null -D "$T/h" "$U/feeds/koi.xml"
check "sidecar type" test "$(header "$T/h" Content-Type)" = \
    "text/xml; charset=koi8-r"
check "missing file is 404" test \
    "$($C -o /dev/null -w '%{http_code}' "$U/feeds/nope.xml")" = 404
check "no way out of the docroot" test "$($C --path-as-is -o /dev/null \
    -w '%{http_code}' "$U/feeds/../../etc/passwd")" = 404

# The request log: one JSON line per request, header names lower-cased.
check "request logged with its headers" test "$(httpd_requests \
    '^/feeds/feed[.]xml$' | jq -r '.headers["x-probe"]')" = 42
check "count" test "$(httpd_count '^/feeds/')" = 4

# Status answers and Retry-After.
code=$($C -o /dev/null -D "$T/h" -w '%{http_code}' \
    "$U/status/503/feed.xml?retry-after=120")
check "503" test "$code" = 503
check "retry-after seconds" test "$(header "$T/h" Retry-After)" = 120
$C -o /dev/null -D "$T/h" \
    "$U/status/429/x?retry-after=Wed,%2021%20Oct%202037%2007:28:00%20GMT"
check "retry-after date" test "$(header "$T/h" Retry-After)" = \
    "Wed, 21 Oct 2037 07:28:00 GMT"
check "410" test "$($C -o /dev/null -w '%{http_code}' \
    "$U/status/410/x")" = 410

# Redirects: relative, chained, absolute.
code=$($C -o /dev/null -D "$T/h" -w '%{http_code}' \
    "$U/redirect/301/feeds/feed.xml?a=1")
check "301" test "$code" = 301
check "301 location" test "$(header "$T/h" Location)" = "/feeds/feed.xml?a=1"
check "redirect chain followed" test "$($C -L -o /dev/null \
    -w '%{http_code} %{num_redirects}' "$U/redirect/3/feeds/feed.xml")" = \
    "200 3"
$C -o /dev/null -D "$T/h" "$U/redirect-to?url=file:///etc/passwd&code=307"
check "absolute redirect" test "$(header "$T/h" Location)" = \
    file:///etc/passwd

# Conditional GET.
$C -o /dev/null -D "$T/h" "$U/etag/feed.xml"
etag=$(header "$T/h" ETag)
lm=$(header "$T/h" Last-Modified)
check "etag sent" test -n "$etag"
check "if-none-match gives 304" test "$($C -o /dev/null -w '%{http_code}' \
    -H "If-None-Match: $etag" "$U/etag/feed.xml")" = 304
check "other etag gives 200" test "$($C -o /dev/null -w '%{http_code}' \
    -H 'If-None-Match: "other"' "$U/etag/feed.xml")" = 200
check "if-modified-since gives 304" test "$($C -o /dev/null \
    -w '%{http_code}' -H "If-Modified-Since: $lm" "$U/etag/feed.xml")" = 304

# gzip, only when asked for.
$C -o "$T/gz" -D "$T/h" -H 'Accept-Encoding: gzip' "$U/gzip/feed.xml"
check "gzip encoding" test "$(header "$T/h" Content-Encoding)" = gzip
check "gzip body" sh -c "gzip -dc '$T/gz' | cmp -s - '$T/docs/feed.xml'"
$C -o /dev/null -D "$T/h" "$U/gzip/feed.xml"
check "no gzip unasked" test -z "$(header "$T/h" Content-Encoding)"

# Sequences and rotation, counted per path.
got=
for i in 1 2 3 4; do
	got="$got $($C "$U/seq/s.txt")"
done
check "seq" test "$got" = " first first third third"
first=$($C "$U/rotate/feed.xml" | grep -o '<guid>[0-9]' | tr -d '\n')
second=$($C "$U/rotate/feed.xml" | grep -o '<guid>[0-9]' | tr -d '\n')
check "rotate keeps the first order" test "$first" = "<guid>1<guid>2<guid>3"
check "rotate moves by one" test "$second" = "<guid>2<guid>3<guid>1"

# Programmed answers.
httpd_set /prog 202 hello '{"X-Prog": "yes"}'
check "programmed body" test "$($C -D "$T/h" "$U/prog")" = hello
check "programmed header" test "$(header "$T/h" X-Prog)" = yes

# Delay waits without blocking others; hang never answers.
start=$(date +%s%N)
$C -o /dev/null "$U/delay/1/feeds/feed.xml" &
bg=$!
check "others flow during a delay" test "$($C -o /dev/null \
    -w '%{http_code}' "$U/feeds/feed.xml")" = 200
wait "$bg"
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
check "delay of a second" test "$elapsed" -ge 1000
check "hang times out" test "$(curl -s --max-time 1 -o /dev/null \
    -w '%{http_code}' "$U/hang")" = 000
check "stall times out" sh -c "! curl -s --max-time 1 -o /dev/null \
    '$U/stall/feed.xml'"
check "big is about the size asked" test "$($C -o /dev/null \
    -w '%{size_download}' "$U/big/1000000")" -ge 1000000
check "unknown path is 404" test "$($C -o /dev/null -w '%{http_code}' \
    "$U/what/ever")" = 404
check "server still up" kill -0 "$HTTPD_PID"

exit "$fail"
