#!/bin/sh
# An item owed to a hook is never removed by retention before it is
# delivered: with retain_items = 1 and a hook that waits for a go-ahead,
# both announced items stay while their deliveries are pending; once the
# hook has them, the older one goes.

. "$(dirname "$0")/lib.sh"

mkdir -p "$T/www"
cat >"$T/www/f.xml" <<'XML'
<rss version="2.0"><channel><title>C</title>
<item><guid>b</guid><title>B</title><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate></item>
<item><guid>a</guid><title>A</title><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>
</channel></rss>
XML
cat >"$T/hook.sh" <<'SH'
#!/bin/sh
cat >/dev/null
while [ ! -e "$1.go" ]; do sleep 0.1; done
echo "$AGG_ITEM_TITLE" >>"$1"
SH
chmod +x "$T/hook.sh"
httpd_start "$T/www" || fail "httpd"
printf 'hook = %s %s\nhook_timeout = 60s\nretain_items = 1\n' \
    "$T/hook.sh" "$T/out" >>"$T/aggd.conf"
aggd_start

aggctl add --announce-existing "$HTTPD_URL/f.xml" >/dev/null || fail "add"
nitems() {
	[ "$(aggctl items --json | wc -l)" -eq "$1" ]
}
wait_for nitems 2 || fail "items not stored"
# Retention looks at the feed a second after it stored items, and again
# every few seconds while items are held: give it that long to do wrong.
sleep 3
assert_eq "$(aggctl items --json | jq -r .title | tr '\n' ,)" "B,A," \
    "both items kept while their deliveries are pending"
touch "$T/out.go"
WAIT_FOR=20 wait_for nitems 1 || fail "the delivered older item was not removed"
assert_eq "$(aggctl items --json | jq -r .title)" "B" "the newest is kept"
assert_eq "$(tr '\n' , <"$T/out")" "A,B," "both were delivered first"
aggd_stop
