#!/bin/sh
# aggctl add, feeds and remove over the control socket: add prints the id
# alone on a line, a known URL (as given or normalised) answers its id and
# changes nothing, --json gives the feed object, a too short interval is
# raised and said, tags are kept, remove works by id and by URL, and
# unknown feeds and non-http URLs are refused with one "aggctl: " line.

. "$(dirname "$0")/lib.sh"

aggd_start

out=$(aggctl add http://127.0.0.1:9/a.xml) || fail "add exited $?"
case $out in
*[!0-9]*|'') fail "add printed '$out', not an id alone" ;;
esac
id_a=$out
ok "add prints the id ($id_a)"
assert_eq "$(aggctl feeds --json | wc -l)" 1 "one feed listed"

# The same URL again, and spellings that normalise to it.
assert_eq "$(aggctl add http://127.0.0.1:9/a.xml)" "$id_a" \
    "adding the same URL prints the same id"
aggctl add http://LocalHost:80/c.xml >"$T/id_c" || fail "add c"
id_c=$(cat "$T/id_c")
assert_eq "$(aggctl add http://localhost/c.xml)" "$id_c" \
    "host case and default port: same id"
assert_eq "$(aggctl add HTTP://LOCALHOST/c.xml)" "$id_c" \
    "scheme and host case: same id"
aggctl add https://localhost:443/d.xml >"$T/id_d" || fail "add d"
id_d=$(cat "$T/id_d")
assert_eq "$(aggctl add https://LOCALHOST/d.xml)" "$id_d" \
    "https default port 443: same id"
assert_eq "$(aggctl feeds --json | wc -l)" 3 "still one entry per feed"
[ "$id_c" != "$id_a" ] && [ "$id_d" != "$id_c" ] ||
    fail "different feeds got the same id"
ok "different URLs get different ids"
# The path is not folded: its case matters.
id_e=$(aggctl add http://127.0.0.1:9/A.xml) || fail "add A.xml"
[ "$id_e" != "$id_a" ] || fail "a path differing in case is a new feed"
ok "path case is significant"

# --json: one feed object with the keys of INTERFACE.md.
aggctl add --json --title 'Tagged' --tag news --tag local \
    --interval 2h http://127.0.0.1:9/t.xml >"$T/t.json" ||
    fail "add --json failed"
assert_eq "$(wc -l <"$T/t.json")" 1 "add --json prints one line"
keys=$(jq -c 'keys_unsorted | sort' "$T/t.json") ||
    fail "add --json output is not JSON: $(cat "$T/t.json")"
assert_eq "$keys" "$(echo '["id","url","title","link","interval","tags",
    "last_fetch","last_status","last_error","next_fetch",
    "next_fetch_reason","items","unread","disabled","config","hook",
    "retain","retain_items"]' | jq -c sort)" \
    "feed object keys"
assert_eq "$(jq -r .url "$T/t.json")" http://127.0.0.1:9/t.xml "json url"
assert_eq "$(jq -r .title "$T/t.json")" Tagged "json title from --title"
assert_eq "$(jq .interval "$T/t.json")" 7200 "json interval"
assert_eq "$(jq -c '.tags | sort' "$T/t.json")" '["local","news"]' \
    "json tags from --tag"
assert_eq "$(jq .disabled "$T/t.json")" false "json disabled"
assert_eq "$(jq '.id | type' "$T/t.json")" '"number"' "json id is a number"
assert_eq "$(jq '[.items, .unread]' -c "$T/t.json")" '[0,0]' \
    "json items and unread"
id_t=$(jq .id "$T/t.json")
# The same object in the listing.
assert_eq "$(aggctl feeds --json | jq -c --argjson i "$id_t" \
    'select(.id == $i) | [.url, .title, .interval, (.tags | sort)]')" \
    '["http://127.0.0.1:9/t.xml","Tagged",7200,["local","news"]]' \
    "feeds --json shows what add stored"
# Adding a known URL with --json gives its object, unchanged.
assert_eq "$(aggctl add --json --title Other http://127.0.0.1:9/t.xml |
    jq -c '[.id, .title]')" "[$id_t,\"Tagged\"]" \
    "adding a known URL changes nothing"

# An interval below min_interval (1m by default) is raised, and said.
id_s=$(aggctl add --interval 10s http://127.0.0.1:9/s.xml 2>"$T/err") ||
    fail "add --interval 10s failed: $(cat "$T/err")"
case $id_s in
*[!0-9]*|'') fail "add --interval 10s printed '$id_s'" ;;
esac
grep -q '^aggctl: .*min_interval' "$T/err" ||
    fail "no notice on stderr about min_interval: '$(cat "$T/err")'"
ok "raised interval is said on stderr"
assert_eq "$(aggctl feeds --json | jq --argjson i "$id_s" \
    'select(.id == $i) | .interval')" 60 "interval raised to min_interval"
aggctl add --interval soon http://127.0.0.1:9/x.xml >/dev/null 2>"$T/err" &&
    fail "add --interval soon succeeded"
grep -q '^aggctl: add: --interval: invalid duration' "$T/err" ||
    fail "bad --interval: stderr '$(cat "$T/err")'"
ok "a bad --interval is refused"

# The human table lists every feed.
aggctl feeds >"$T/table" || fail "aggctl feeds failed"
for u in http://127.0.0.1:9/a.xml Tagged; do
	grep -q "$u" "$T/table" || fail "feeds table lacks $u"
done
ok "feeds table"

# Remove by id, then by URL.
n=$(aggctl feeds --json | wc -l)
aggctl remove "$id_a" || fail "remove by id failed"
assert_eq "$(aggctl feeds --json | jq --argjson i "$id_a" \
    'select(.id == $i)')" "" "removed by id"
aggctl remove https://localhost/d.xml || fail "remove by URL failed"
assert_eq "$(aggctl feeds --json | jq --argjson i "$id_d" \
    'select(.id == $i)')" "" "removed by (normalised) URL"
assert_eq "$(aggctl feeds --json | wc -l)" $((n - 2)) "two feeds fewer"

# Unknown feeds.
aggctl remove "$id_a" >"$T/out" 2>"$T/err" && fail "remove of a removed id"
grep -q '^aggctl: ' "$T/err" || fail "remove unknown: '$(cat "$T/err")'"
assert_line "$T/err" "$(sed -n 1p "$T/err")" "remove unknown: one line"
[ ! -s "$T/out" ] || fail "remove unknown printed on stdout"
aggctl remove http://127.0.0.1:9/never.xml 2>"$T/err" &&
    fail "remove of an unknown URL succeeded"
grep -q '^aggctl: ' "$T/err" || fail "remove unknown URL: '$(cat "$T/err")'"
ok "remove unknown feeds fails with aggctl: ..."

# Only http and https.
n=$(aggctl feeds --json | wc -l)
for u in file:///etc/passwd ftp://127.0.0.1/x gopher://127.0.0.1/ \
    'http://' 'http:///nohost' 'http://127.0.0.1:9/a b'; do
	aggctl add "$u" >"$T/out" 2>"$T/err" && fail "add '$u' succeeded"
	grep -q '^aggctl: ' "$T/err" || fail "add '$u': '$(cat "$T/err")'"
	[ ! -s "$T/out" ] || fail "add '$u' printed '$(cat "$T/out")'"
done
assert_eq "$(aggctl feeds --json | wc -l)" "$n" "refused URLs are not stored"
ok "non-http URLs refused"

kill -0 "$AGGD_PID" || fail "aggd died"
aggd_stop
