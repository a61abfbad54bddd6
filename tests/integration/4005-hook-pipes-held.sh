#!/bin/sh
# Hooks and their output pipes, when the pipes and the process part ways:
#
#  - a hook that exits 0 while a child it started keeps stdout open is
#    delivered at once; what the child writes is still logged, tagged; at
#    hook_timeout aggd stops reading and closes the pipes;
#  - a hook that closes its stdout and stderr and keeps running is stopped
#    by hook_timeout and retried;
#
# and aggd holds no more pipes afterwards than before.

. "$(dirname "$0")/lib.sh"

mkdir -p "$T/www"
for f in linger closed; do
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
case $AGG_ITEM_TITLE in
linger)	(sleep 1; echo "from the child"; exec sleep 8) &
	echo $! >"$out.child"
	echo linger >>"$out"
	exit 0 ;;
closed)	exec >&- 2>&-
	echo closed >>"$out"
	exec sleep 30 ;;
esac
SH
chmod +x "$T/hook.sh"
httpd_start "$T/www" || fail "httpd"
cat >>"$T/aggd.conf" <<EOF
hook = $T/hook.sh $T/out
hook_timeout = 3s
EOF
aggd_start

# the pipes aggd holds (its sockets come and go with curl's connections)
pipes() {
	for _p_fd in /proc/"$AGGD_PID"/fd/*; do
		readlink "$_p_fd"
	done | grep -c '^pipe:'
}

for f in linger closed; do
	id=$(aggctl add "$HTTPD_URL/seq/$f.xml") || fail "add $f"
	eval "id_$f=\$id"
done
wait_for sh -c "[ \$($BUILD/aggctl -s $T/aggd.sock items --json | wc -l) -eq 2 ]" ||
    fail "the seeds not stored"
before=$(pipes)
aggctl refresh --wait "$id_linger" "$id_closed" || fail "refresh"
item() {
	aggctl items --json | jq -r --arg t "$1" 'select(.title == $t) | .id'
}

wait_for grep -qx linger "$T/out" || fail "the linger hook did not run"
wait_for test -s "$T/out.child" || fail "no child pid"
track_pid "$(cat "$T/out.child")"
linger=$(item linger)
wait_for sh -c "[ \$(sqlite3 '$T/aggd.db' 'SELECT count(*) FROM deliveries WHERE item_id = $linger') -eq 0 ]" ||
    fail "the lingering hook's delivery not done at its exit"
ok "a hook that exits 0 is delivered, though its child holds its output"
hook="hook $T/hook.sh (feed $id_linger, item $linger)"
wait_for grep -q "$hook: from the child\$" "$T/aggd.log" ||
    fail "the child's output not logged"
ok "what the child writes after the hook exited is logged, tagged"
wait_for grep -q "$hook: exited, but its output is still open (something it started?); time is up, closing it" \
    "$T/aggd.log" || fail "the held output not closed at hook_timeout"
ok "the held output is closed at hook_timeout"

closed=$(item closed)
wait_for grep -q "hook for item $closed: timed out after 3s, stopping it" \
    "$T/aggd.log" || fail "the hook with closed pipes not timed out"
wait_for grep -q "hook for item $closed: timed out; retry in 10s" \
    "$T/aggd.log" || fail "the timed-out hook not retried"
ok "a hook that closed its pipes and runs on is stopped at hook_timeout"

until [ "$(pipes)" -eq "$before" ]; do
	_i=$((${_i:-0} + 1))
	[ "$_i" -le 100 ] ||
	    fail "aggd holds $(pipes) pipes, $before before the hooks"
	sleep 0.05
done
ok "no pipe left open"
aggd_stop
