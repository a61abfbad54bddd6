#!/bin/sh
# The example hooks of examples/hooks/, each run by a real aggd as its hook
# on a real feed from the test server (added with --announce-existing, so
# its two items are announced): maildir-item delivers two messages into
# new/; mail-item hands two to a fake sendmail found first in PATH (aggd
# passes its environment to hooks); webhook-item POSTs each item's JSON to
# the test server; ntfy-item POSTs title, link and token there.  Subjects
# and titles that are not ASCII are RFC 2047 encoded, and decode back.  A
# webhook answered with HTTP 500 fails the delivery, so aggd owes it still.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

H=$top/examples/hooks
for h in mail-item maildir-item webhook-item ntfy-item README.md; do
	[ -f "$H/$h" ] || fail "examples/hooks/$h is missing"
done
for h in mail-item maildir-item webhook-item ntfy-item; do
	[ -x "$H/$h" ] || fail "examples/hooks/$h is not executable"
	sh -n "$H/$h" || fail "sh -n examples/hooks/$h"
done
ok "the example hooks are there, executable and parse"

TITLE='Грузия: парламент и «прозрачность» — café crème, a title long enough to be folded'
PLAIN='A plain "quoted" title'

# stage NAME HOOK-LINE: a fresh daemon with that global hook, and a feed of
# two items (links unique to NAME: one article is announced only once)
# added with --announce-existing.
stage() {
	cat >"$T/aggd.conf" <<EOF2
[daemon]
database = $T/aggd.db
socket = $T/aggd.sock
host_delay = 0
hook = $2
hook_timeout = 20s
EOF2
	rss "$1.xml" "|$TITLE|http://example.org/$1/a" \
	    "|$PLAIN|http://example.org/$1/b"
	aggd_start
	add_wait "$HTTPD_URL/feeds/$1.xml" --announce-existing --title "Feed $1"
}

status() {
	aggctl status --json | jq -r ".$1"
}

# Wait until the deliveries are done: what the hooks made is there, and
# aggd owes nothing.
settled() {
	"$@" && [ "$(status hooks_pending)" = 0 ]
}

# The decoded text of an RFC 2047 header value (Q encoding, UTF-8) read on
# stdin, or the value itself when it holds no encoded word.
rfc2047_decode() {
	v=$(cat)
	case $v in
	*'=?UTF-8?Q?'*) ;;
	*)	printf '%s' "$v"; return ;;
	esac
	printf '%s' "$v" | tr -d ' \t\n' | sed 's/=?UTF-8?Q?//g; s/?=//g' |
	    LC_ALL=C awk '
	function hex(h,  v, i) {
		v = 0
		for (i = 1; i <= 2; i++)
			v = v * 16 + index("0123456789ABCDEF", substr(h, i, 1)) - 1
		return v
	}
	{
		n = length($0)
		for (i = 1; i <= n; i++) {
			c = substr($0, i, 1)
			if (c == "_")
				printf " "
			else if (c == "=") {
				printf "%c", hex(substr($0, i + 1, 2))
				i += 2
			} else
				printf "%s", c
		}
	}'
}

# header FILE NAME: the unfolded value of a message's header.
header() {
	awk -v name="$2" '
	/^$/ { exit }
	found && /^[ \t]/ { sub(/^[ \t]+/, " "); v = v $0; next }
	found { exit }
	tolower(substr($0, 1, length(name) + 1)) == tolower(name) ":" {
		found = 1; v = substr($0, length(name) + 2); sub(/^ /, "", v)
	}
	END { print v }' "$1"
}

# check_message FILE: one message from mail-item or maildir-item.
check_message() {
	subj=$(header "$1" Subject | rfc2047_decode)
	case $subj in
	"$TITLE")	link=http://example.org/$2/a ;;
	"$PLAIN")	link=http://example.org/$2/b ;;
	*)		fail "$1: Subject decodes to '$subj'" ;;
	esac
	grep -qx "$link" "$1" || fail "$1: the body lacks the link $link"
	grep -qx "$subj" "$1" || fail "$1: the body lacks the title"
	assert_eq "$(header "$1" Content-Type)" "text/plain; charset=UTF-8" \
	    "$2: a UTF-8 text body"
	# Header lines are plain ASCII and short (RFC 2047: 76 a line).
	if sed '/^$/q' "$1" | LC_ALL=C grep -q '[^ -~]'; then
		fail "$1: a header holds bytes that are not printable ASCII"
	fi
	if sed '/^$/q' "$1" | awk 'length($0) > 76 { bad = 1 } END { exit !bad }'; then
		fail "$1: a header line is longer than 76 characters"
	fi
	ok "$2: message for '$subj' (Subject $(header "$1" Subject | cut -c1-30)...)"
}

httpd_start "$T/docs" || exit 1

# --- maildir-item ------------------------------------------------------------
stage maildir "$H/maildir-item $T/Maildir me@example.org"
new_count() {
	[ "$(ls "$T/Maildir/new" 2>/dev/null | wc -l)" -eq 2 ]
}
wait_for settled new_count || fail "maildir-item: no two messages in new/"
assert_eq "$(ls "$T/Maildir/tmp" | wc -l)" 0 "maildir-item: tmp/ is left empty"
assert_eq "$(status hooks_failed)" 0 "maildir-item: no delivery failed"
for m in "$T/Maildir/new/"*; do
	case ${m##*/} in
	*[/:]*|.*) fail "maildir-item: bad file name $m" ;;
	esac
	assert_eq "$(header "$m" To)" me@example.org "maildir-item: To:"
	check_message "$m" maildir
done
assert_eq "$(header "$m" From)" '"Feed maildir" <aggd@'"$(hostname)"'>' \
    "maildir-item: From: is the feed"
aggd_stop

# --- mail-item (sendmail) -------------------------------------------------------
mkdir -p "$T/bin" "$T/sent"
cat >"$T/bin/sendmail" <<EOF2
#!/bin/sh
# A fake sendmail(8): keeps its arguments and the message.
f=\$(mktemp "$T/sent/msg.XXXXXX") || exit 1
printf '%s\n' "\$*" >"\$f.args"
cat >"\$f"
EOF2
chmod +x "$T/bin/sendmail"
PATH=$T/bin:$PATH
export PATH
stage mail "$H/mail-item ann@example.org 'Feeds <feeds@example.org>'"
sent_count() {
	[ "$(ls "$T/sent" | grep -c '[.]args$')" -eq 2 ]
}
wait_for settled sent_count || fail "mail-item: sendmail did not get two messages"
assert_eq "$(status hooks_failed)" 0 "mail-item: no delivery failed"
for a in "$T/sent/"*.args; do
	m=${a%.args}
	assert_eq "$(cat "$a")" "-t -oi" "mail-item: sendmail -t -oi"
	assert_eq "$(header "$m" To)" ann@example.org "mail-item: To:"
	assert_eq "$(header "$m" From)" "Feeds <feeds@example.org>" \
	    "mail-item: From: as given"
	header "$m" Message-ID | grep -q '^<aggd[.]item[.][0-9][0-9]*@' ||
	    fail "mail-item: Message-ID '$(header "$m" Message-ID)'"
	[ -n "$(header "$m" Date)" ] || fail "mail-item: no Date:"
	check_message "$m" mail
done
aggd_stop

# A title with a line break cannot add a header (it is encoded).
AGG_ITEM_TITLE='Hello
Bcc: victim@example.org' AGG_ITEM_LINK=http://example.org/x \
    "$H/mail-item" ann@example.org </dev/null || fail "mail-item by hand failed"
m=$(ls -t "$T/sent/"msg.* | grep -v '[.]args$' | head -n 1)
if sed '/^$/q' "$m" | grep -qi '^bcc:'; then
	fail "mail-item: a title's line break made a header"
fi
assert_eq "$(header "$m" Subject | rfc2047_decode)" "Hello
Bcc: victim@example.org" "mail-item: a title with a line break is encoded whole"

# --- webhook-item ---------------------------------------------------------------
stage webhook "$H/webhook-item $HTTPD_URL/status/200/webhook -H 'X-Test: yes'"
posts() {
	[ "$(httpd_count '^/status/200/webhook$')" -eq 2 ]
}
wait_for settled posts || fail "webhook-item: no two POSTs"
assert_eq "$(status hooks_failed)" 0 "webhook-item: no delivery failed"
httpd_requests '^/status/200/webhook$' >"$T/webhook"
assert_eq "$(jq -r .method "$T/webhook" | sort -u)" POST "webhook-item: POST"
assert_eq "$(jq -r '.headers["content-type"]' "$T/webhook" | sort -u)" \
    application/json "webhook-item: Content-Type: application/json"
assert_eq "$(jq -r '.headers["x-test"]' "$T/webhook" | sort -u)" yes \
    "webhook-item: extra curl options reach curl"
assert_eq "$(jq -r '.body | fromjson | .title' "$T/webhook" | sort)" \
    "$(printf '%s\n%s\n' "$PLAIN" "$TITLE" | sort)" \
    "webhook-item: the bodies are the items' JSON"
assert_eq "$(jq -r 'select((.body | fromjson | .id | tostring) != .headers["x-aggd-item"]) | .n' "$T/webhook")" \
    "" "webhook-item: X-Aggd-Item is the item's id"
id=$(jq -r '.body | fromjson | .id' "$T/webhook" | head -n 1)
aggctl show "$id" --json | jq -S . >"$T/show"
jq -r 'select((.body | fromjson | .id) == '"$id"') | .body' "$T/webhook" |
    jq -S 'del(.read)' >"$T/posted"
jq 'del(.read)' "$T/show" | cmp -s - "$T/posted" ||
    fail "webhook-item: the body is not the item's show --json object"
ok "webhook-item: the body is the item's show --json object"
aggd_stop

# --- ntfy-item ----------------------------------------------------------------
NTFY_SERVER=$HTTPD_URL/status/200/ntfy/
NTFY_TOKEN=tk_test
export NTFY_SERVER NTFY_TOKEN
stage ntfy "$H/ntfy-item news-7f3a"
notes() {
	[ "$(httpd_count '^/status/200/ntfy/news-7f3a$')" -eq 2 ]
}
wait_for settled notes || fail "ntfy-item: no two POSTs to the topic"
assert_eq "$(status hooks_failed)" 0 "ntfy-item: no delivery failed"
unset NTFY_SERVER NTFY_TOKEN
httpd_requests '^/status/200/ntfy/news-7f3a$' >"$T/ntfy"
assert_eq "$(jq -r '.headers.authorization' "$T/ntfy" | sort -u)" \
    "Bearer tk_test" "ntfy-item: the token from NTFY_TOKEN"
for n in 1 2; do
	line=$(sed -n "${n}p" "$T/ntfy")
	title=$(printf '%s\n' "$line" | jq -r '.headers.title' | rfc2047_decode)
	click=$(printf '%s\n' "$line" | jq -r '.headers.click')
	body=$(printf '%s\n' "$line" | jq -r '.body')
	case $title in
	"$TITLE")	link=http://example.org/ntfy/a ;;
	"$PLAIN")	link=http://example.org/ntfy/b ;;
	*)		fail "ntfy-item: Title decodes to '$title'" ;;
	esac
	assert_eq "$click" "$link" "ntfy-item: Click: is the link"
	assert_eq "$body" "$link
Feed ntfy" "ntfy-item: the message is the link and the feed"
done
ok "ntfy-item: the titles decode to the items' titles"
aggd_stop

# --- a failing webhook is a failed delivery -----------------------------------
"$H/webhook-item" "$HTTPD_URL/status/500/direct" </dev/null 2>"$T/direct.err"
rc=$?
[ "$rc" -ne 0 ] || fail "webhook-item exited 0 on an HTTP 500"
ok "webhook-item exits $rc on an HTTP 500"
stage failing "$H/webhook-item $HTTPD_URL/status/500/webhook"
failed() {
	[ "$(status hooks_failed)" -ge 1 ]
}
wait_for failed || fail "a webhook answered 500 did not fail the delivery"
assert_eq "$(status hooks_pending)" 2 "both deliveries are still owed"
wait_for grep -q 'hook .*webhook-item.*500' "$T/aggd.log" ||
    fail "curl's error is not in aggd's log"
ok "curl's error reaches aggd's log"
aggd_stop
