#!/bin/sh
# The charset in the Content-Type is passed to the parser: a feed in
# KOI8-R without an encoding declaration, served as text/xml;
# charset=koi8-r, is stored as the right text.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

# "Привет" in KOI8-R.
title=$(printf 'Привет' | iconv -f utf-8 -t koi8-r)
printf '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>K</title>
<item><guid>k1</guid><title>%s</title></item></channel></rss>\n' "$title" \
    >"$T/docs/koi.xml"
printf 'Content-Type: text/xml; charset=koi8-r\n' >"$T/docs/koi.xml.headers"
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/feeds/koi.xml"
assert_eq "$(feed "$ID" .last_error)" null "no error"
assert_eq "$(db "SELECT title FROM items WHERE guid = 'k1'")" "Привет" \
    "the title read as KOI8-R"
aggd_stop
