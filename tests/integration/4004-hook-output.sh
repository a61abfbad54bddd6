#!/bin/sh
# A hook's stdout and stderr are captured, not inherited: each line reaches
# aggd's log tagged with the hook and the item (stderr at warning, stdout at
# info), control bytes and bad UTF-8 escaped, long lines cut; past 64 KiB of
# log per run the rest is read, counted and dropped, so a hook writing 20 MB
# grows the log by far less, and it is still delivered.
#
# Four feeds, one new item each (title flood, fail, binary, long), one hook
# that acts on the title.

. "$(dirname "$0")/lib.sh"

mkdir -p "$T/www"
for f in flood fail binary long; do
	cat >"$T/www/$f.xml.1" <<XML
<rss version="2.0"><channel><title>$f</title>
<item><guid>$f-0</guid><title>seed</title></item>
</channel></rss>
XML
	cat >"$T/www/$f.xml.2" <<XML
<rss version="2.0"><channel><title>$f</title>
<item><guid>$f-1</guid><title>$f</title></item>
<item><guid>$f-0</guid><title>seed</title></item>
</channel></rss>
XML
done
cat >"$T/hook.sh" <<'SH'
#!/bin/sh
out=$1
cat >/dev/null
case $AGG_ITEM_TITLE in
flood)	yes | head -c 20000000 ;;
fail)	if [ ! -e "$out.failed" ]; then
		: >"$out.failed"
		echo "no route to the moon" >&2
		exit 1
	fi
	echo "second try" ;;
binary)	printf 'esc \033[31mred\001 bad \377\376 crlf\r\n'
	printf 'utf8 caf\303\251 end' ;;
long)	head -c 5000 /dev/zero | tr '\0' x
	echo
	echo "after the long line" ;;
esac
echo "$AGG_ITEM_TITLE" >>"$out"
SH
chmod +x "$T/hook.sh"
httpd_start "$T/www" || fail "httpd"
cat >>"$T/aggd.conf" <<EOF
hook = $T/hook.sh $T/out
hook_timeout = 20s
EOF
# The log is the journal's stream, as under systemd: stdout and stderr
# both, and every line says its priority.
: >"$T/aggd.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/aggd.log") || fail "stat"
export JOURNAL_STREAM
aggd_start >>"$T/aggd.log"

for f in flood fail binary long; do
	id=$(aggctl add "$HTTPD_URL/seq/$f.xml") || fail "add $f"
	eval "id_$f=\$id"
done
# The first fetches store the seeds, unannounced; the second ones announce.
wait_for sh -c "[ \$($BUILD/aggctl -s $T/aggd.sock items --json | wc -l) -eq 4 ]" ||
    fail "the seeds not stored"
before=$(wc -c <"$T/aggd.log")
for f in flood fail binary long; do
	eval "aggctl refresh --wait \$id_$f" || fail "refresh $f again"
done
item() {
	aggctl items --json | jq -r --arg t "$1" 'select(.title == $t) | .id'
}
delivered() {
	[ -f "$T/out" ] && grep -qx "$1" "$T/out"
}
WAIT_FOR=20 wait_for delivered flood || fail "the flooding hook not delivered"
ok "a hook writing 20 MB is delivered"
wait_for grep -q "bytes of output dropped" "$T/aggd.log" ||
    fail "no 'dropped' line"
hook="hook $T/hook.sh (feed $id_flood, item $(item flood))"
grep -q "^<4>$hook: 19[0-9]\{6\} bytes of output dropped (over 64 KiB)\$" \
    "$T/aggd.log" ||
    fail "no '$hook: N bytes of output dropped (over 64 KiB)' line: $(grep dropped "$T/aggd.log")"
ok "the log names the hook and the item and says how much was dropped"
grep -q "^<6>$hook: y\$" "$T/aggd.log" || fail "no stdout line at info"
ok "stdout lines at info, tagged"

hook="hook $T/hook.sh (feed $id_fail, item $(item fail))"
wait_for grep -q "^<4>$hook: no route to the moon\$" "$T/aggd.log" ||
    fail "no tagged stderr line: $(grep moon "$T/aggd.log")"
ok "a stderr line at warning, tagged"
grep -q "hook for item $(item fail): exit 1; retry in 10s\$" "$T/aggd.log" ||
    fail "exit 1 not retried"
WAIT_FOR=30 wait_for delivered fail || fail "the failed delivery not retried"
grep -q "^<6>$hook: second try\$" "$T/aggd.log" || fail "no second try"
ok "the failed hook is retried and delivered"

hook="hook $T/hook.sh (feed $id_binary, item $(item binary))"
wait_for delivered binary || fail "binary not delivered"
grep -Fqx "<6>$hook: esc \\x1b[31mred\\x01 bad \\xff\\xfe crlf" "$T/aggd.log" ||
    fail "control bytes not escaped: $(grep -a "$hook" "$T/aggd.log" | od -c | head)"
grep -Fqx "<6>$hook: utf8 café end" "$T/aggd.log" ||
    fail "UTF-8 or the last line without a newline: $(grep -a utf8 "$T/aggd.log")"
! LC_ALL=C grep -q "$(printf '[\001\033\r\376\377]')" "$T/aggd.log" ||
    fail "raw control bytes reached the log"
ok "control bytes and bad UTF-8 escaped, UTF-8 kept"

hook="hook $T/hook.sh (feed $id_long, item $(item long))"
wait_for delivered long || fail "long not delivered"
grep -q "^<6>$hook: x\{1024\} \[cut\]\$" "$T/aggd.log" ||
    fail "the long line not cut at 1024 bytes"
grep -q "^<6>$hook: after the long line\$" "$T/aggd.log" ||
    fail "the line after the long one lost"
grep -q "^<4>$hook: 3976 bytes of output dropped (the rest of lines over 1024 bytes)\$" \
    "$T/aggd.log" || fail "the cut bytes not counted: $(grep "$hook" "$T/aggd.log" | cut -c 1-200)"
ok "a long line is cut, and the next one kept"

wait_for sh -c "$BUILD/aggctl -s $T/aggd.sock status --json | jq -e '.hooks_pending == 0' >/dev/null" ||
    fail "hooks_pending not 0"
after=$(wc -c <"$T/aggd.log")
[ $((after - before)) -lt 200000 ] ||
    fail "the log grew by $((after - before)) bytes"
ok "the log grew by $((after - before)) bytes for 20 MB of output"
aggd_stop
