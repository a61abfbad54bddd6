#!/bin/sh
# Shell completion for aggctl: bash (completion/aggctl.bash, driven through
# its completion function with COMP_WORDS and COMP_CWORD set, as bash
# does) completes commands, each command's options, and the feed ids and
# tags of a running daemon; a daemon that does not answer costs at most
# about a second and gives no candidates.  zsh (completion/_aggctl), where
# zsh is installed: the file parses, loads under compinit, and its daemon
# query finds the same ids and tags.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

command -v bash >/dev/null 2>&1 || {
	echo "ok - skipped: bash is not installed"
	exit 0
}
[ -f completion/aggctl.bash ] || fail "completion/aggctl.bash is missing"

# complete WORD...: the candidates bash offers for the last WORD, sorted,
# space-separated.  The first WORD is the program as typed.
complete_bash() {
	bash -c '
		. completion/aggctl.bash || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$(( $# - 1 ))
		COMP_LINE="$*"
		_aggctl
		printf "%s\n" "${COMPREPLY[@]}"
	' complete_bash "$@" | sort | tr '\n' ' ' | sed 's/ $//'
}

bash -n completion/aggctl.bash || fail "bash -n completion/aggctl.bash"
assert_eq "$(bash -c '. completion/aggctl.bash && complete -p aggctl')" \
    "complete -F _aggctl aggctl" "the bash completion registers for aggctl"

assert_eq "$(complete_bash aggctl '')" \
    "add backup export feeds follow help import items log parse pause read refresh remove resume set show status unread" \
    "every command"
assert_eq "$(complete_bash aggctl re)" "read refresh remove resume" \
    "commands by prefix"
assert_eq "$(complete_bash aggctl -s /x it)" "items" \
    "the command after -s SOCKET"
assert_eq "$(complete_bash aggctl items --)" \
    "--after-id --feed --help --json --limit --search --since --tag --unread" \
    "the options of items"
assert_eq "$(complete_bash aggctl items --unread --s)" "--search --since" \
    "options of items by prefix, after another"
assert_eq "$(complete_bash aggctl set 1 --no)" "--no-hook" "an option of set"
assert_eq "$(complete_bash aggctl set 1 --interval '')" "default" \
    "set --interval offers default"
assert_eq "$(complete_bash aggctl help ad)" "add" "help completes commands"

# File names for import, parse and backup.
mkdir -p "$T/files/sub"
: >"$T/files/feeds.opml"
: >"$T/files/feed.xml"
: >"$T/files/notes.txt"
assert_eq "$(complete_bash aggctl import "$T/files/")" \
    "$T/files/feed.xml $T/files/feeds.opml $T/files/sub" \
    "import offers OPML (and XML) files and directories"
assert_eq "$(complete_bash aggctl parse "$T/files/n")" "$T/files/notes.txt" \
    "parse offers any file"
assert_eq "$(complete_bash aggctl backup "$T/files/f")" \
    "$T/files/feed.xml $T/files/feeds.opml" "backup offers file names"

# Feed ids and tags from a running daemon, through the socket given on
# the line being completed.  The first feed's title holds a fake "id" key
# and a tag: neither may be taken for one.
rss one.xml '1|one|http://example.org/1'
rss two.xml '2|two|http://example.org/2'
httpd_start "$T/docs" || exit 1
aggd_start
add_wait "$HTTPD_URL/feeds/one.xml" --tag news --tag 'caucasus' \
    --title 'x","id":99,"tags":["bogus"],"y":"'
id1=$ID
add_wait "$HTTPD_URL/feeds/two.xml" --tag 'long reads'
id2=$ID
add_wait "$HTTPD_URL/feeds/two.xml?third"
id3=$ID
want=$(printf '%s\n' "$id1" "$id2" "$id3" | sort | tr '\n' ' ' | sed 's/ $//')
A="$BUILD/aggctl"
assert_eq "$(complete_bash "$A" -s "$T/aggd.sock" remove '')" "$want" \
    "remove offers the daemon's feed ids"
assert_eq "$(complete_bash "$A" --socket="$T/aggd.sock" refresh "$id1" '')" \
    "$want" "refresh offers them too (with --socket=)"
assert_eq "$(complete_bash "$A" --socket = "$T/aggd.sock" refresh '')" \
    "$want" "refresh offers them too (--socket=, split at = as bash does)"
assert_eq "$(complete_bash "$A" -s "$T/aggd.sock" items --feed '')" "$want" \
    "items --feed offers feed ids"
assert_eq "$(complete_bash "$A" -s "$T/aggd.sock" items --feed = '')" \
    "$want" "items --feed= offers feed ids"
assert_eq "$(complete_bash "$A" -s "$T/aggd.sock" items --tag '')" \
    "caucasus long reads news" "items --tag offers the daemon's tags"
assert_eq "$(complete_bash "$A" -s "$T/aggd.sock" items --tag 'lo')" \
    "long reads" "a tag with a space is one candidate"
assert_eq "$(complete_bash "$A" -s "$T/aggd.sock" set "$id1" --untag n)" \
    "news" "set --untag offers tags"
# With the socket in AGGD_SOCKET and aggctl found in PATH.
assert_eq "$(AGGD_SOCKET=$T/aggd.sock PATH=$BUILD:$PATH complete_bash aggctl pause '')" \
    "$want" "AGGD_SOCKET and aggctl from PATH"
assert_eq "$(complete_bash "$A" -s "$T/nowhere.sock" remove '')" "" \
    "no daemon: no ids, no error"

# A daemon that does not answer (stopped) costs about a second.
kill -STOP "$AGGD_PID"
start=$(date +%s)
got=$(complete_bash "$A" -s "$T/aggd.sock" remove '')
took=$(( $(date +%s) - start ))
kill -CONT "$AGGD_PID"
assert_eq "$got" "" "a stopped daemon gives no candidates"
[ "$took" -le 3 ] || fail "completion waited $took s for a stopped daemon"
ok "completion gave up on a stopped daemon after $took s"

# --- zsh ---------------------------------------------------------------------
if ! command -v zsh >/dev/null 2>&1; then
	echo "ok - zsh skipped: zsh is not installed"
	exit 0
fi
[ -f completion/_aggctl ] || fail "completion/_aggctl is missing"
zsh -n completion/_aggctl || fail "zsh -n completion/_aggctl"
ok "zsh parses completion/_aggctl"
head -n 1 completion/_aggctl | grep -qx '#compdef aggctl' ||
    fail "completion/_aggctl does not start with #compdef aggctl"
out=$(zsh -fc 'autoload -U compinit && compinit -u -D &&
    . ./completion/_aggctl && print -r -- $_comps[aggctl]' 2>&1)
assert_eq "$out" "_aggctl" "zsh loads it under compinit and binds aggctl"
# Autoloaded from fpath, as an installed file is.
mkdir -p "$T/zfunc"
cp completion/_aggctl "$T/zfunc/"
out=$(zsh -fc 'fpath=("$1" $fpath); autoload -U compinit && compinit -u -D &&
    print -r -- $_comps[aggctl]' zsh "$T/zfunc" 2>&1)
assert_eq "$out" "_aggctl" "compinit finds it in fpath"
zq() {
	zsh -fc 'autoload -U compinit && compinit -u -D && . ./completion/_aggctl &&
	    _aggctl_prog=$1 _aggctl_sock=$2 _aggctl_daemon $3' zq "$@" |
	    sort | tr '\n' ' ' | sed 's/ $//'
}
assert_eq "$(zq "$A" "$T/aggd.sock" ids)" "$want" \
    "zsh: the daemon's feed ids"
assert_eq "$(zq "$A" "$T/aggd.sock" tags)" "caucasus long reads news" \
    "zsh: the daemon's tags"

# Real completion: an interactive zsh on a pseudo-terminal (zsh/zpty)
# gets LINE and a TAB; a compadd wrapper records what the completion
# system was offered.  Each step waits for a marker line, so the keys
# never race zsh's start.
cat >"$T/zdrive.zsh" <<'ZEOF'
zmodload zsh/zpty || exit 1
out=$1
waitfor() {
	local i
	for i in {1..200}; do
		[[ -f $out ]] && grep -qx $1 $out && return 0
		sleep 0.05
	done
	print -u2 "zdrive: no $1 after 10 s"
	return 1
}
zpty z zsh -f -i
zpty -w z 'PS1="" RPROMPT=""; autoload -U compinit; compinit -u -D; . ./completion/_aggctl'
zpty -w z "compadd() { local -a a; builtin compadd -O a \"\$@\"; print -rl -- \$a >>${(q)out}; builtin compadd \"\$@\" }"
zpty -w z "print -r -- READY >>${(q)out}"
waitfor READY || { zpty -d z; exit 1 }
zpty -w -n z "$2"$'\t'
zpty -w -n z $'\C-u'
zpty -w z "print -r -- DONE >>${(q)out}"
waitfor DONE
rc=$?
zpty -d z
exit $rc
ZEOF
complete_zsh() {
	rm -f "$T/zcands"
	zsh -f "$T/zdrive.zsh" "$T/zcands" "$1" >/dev/null ||
	    fail "zsh did not complete '$1'"
	grep -v -x -e READY -e DONE -e '' "$T/zcands" | sort -u |
	    tr '\n' ' ' | sed 's/ $//'
}
assert_eq "$(complete_zsh 'aggctl it')" items "zsh: a command by prefix"
assert_eq "$(complete_zsh 'aggctl items --')" \
    "--after-id --feed --help --json --limit --search --since --tag --unread" \
    "zsh: the options of items"
assert_eq "$(complete_zsh "$A -s $T/aggd.sock remove ")" "$want" \
    "zsh: remove offers the daemon's feed ids"
assert_eq "$(complete_zsh "$A -s $T/aggd.sock items --tag ")" \
    "caucasus long reads news" "zsh: items --tag offers the daemon's tags"
