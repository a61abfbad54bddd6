#!/bin/sh
# RFC 4287: an Atom entry without an author takes its feed's, also when
# the feed names it only after its entries (the daemon holds a fetch's
# items until the document ends), and is matched with it when read again.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

cp tests/data/feeds/atom-author-after-entries.xml "$T/docs/rel.atom"
httpd_start "$T/docs" || exit 1
aggd_start

add_wait "$HTTPD_URL/feeds/rel.atom"
assert_eq "$(feed "$ID" .items)" 2 "both entries stored"
assert_eq "$(aggctl items --json | jq -r 'select(.title == "v1.1.0") | .author')" \
    "Release Bot" "the entry without an author takes the feed's, given after it"
assert_eq "$(aggctl items --json | jq -r 'select(.title == "v1.0.0") | .author')" \
    "Nino" "an entry's own author stays"
# Read again (no validators: a full 200): the author taken is part of
# what the entry is matched by, so nothing counts as changed.
refresh_wait "$ID"
assert_eq "$(aggctl log "$ID" --json | jq -s -c '.[0] | [.status, .new, .changed]')" \
    "[200,0,0]" "the same document read again changes nothing"
aggd_stop
