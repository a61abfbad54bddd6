# bash completion for aggctl(1)                              -*- shell-script -*-
#
# Completes aggctl's commands, each command's options, file names for
# import, parse and backup, and feed ids and tags asked of the running
# daemon.  The daemon is asked with "aggctl feeds --json" (the socket given
# with -s on the line being completed, if any), read with awk so that jq is
# not needed, quietly and under a one-second timeout: a daemon that does not
# answer gives no candidates, never a hang.
#
# Install as /usr/share/bash-completion/completions/aggctl, or source it.

_aggctl_commands='add remove set pause resume feeds items show read unread
refresh log backup follow import export status parse help'

# The options of one command; every command takes --json and --help.
_aggctl_options()
{
	case $1 in
	add)	echo --title --interval --tag --announce-existing ;;
	set)	echo --title --interval --tag --untag --hook --no-hook \
		    --retain --retain-items ;;
	feeds)	echo --failing --tag ;;
	items)	echo --feed --tag --unread --since --after-id --limit \
		    --search ;;
	show)	echo --html ;;
	read|unread) echo --feed --all ;;
	refresh) echo --wait ;;
	log)	echo --limit ;;
	follow)	echo --feed --after-id ;;
	import)	echo --dry-run ;;
	parse)	echo --base --charset ;;
	esac
	echo --json --help
}

# Print the daemon's feed ids (ids) or tags (tags), one a line.  The JSON
# Lines of "feeds --json" are scanned outside strings only, so a title
# that contains "id": cannot pass for a key.
_aggctl_daemon()
{
	local prog=$1 what=$2 sock=$3
	local -a cmd=("$prog")

	[[ -n $sock ]] && cmd+=(-s "$sock")
	if type -P timeout >/dev/null 2>&1; then
		cmd=(timeout 1 "${cmd[@]}")
	fi
	"${cmd[@]}" feeds --json </dev/null 2>/dev/null | awk -v what="$what" '
	{
		n = length($0); depth = 0; key = ""; s = ""; instr = 0
		for (i = 1; i <= n; i++) {
			c = substr($0, i, 1)
			if (instr) {
				if (c == "\\") {
					i++; c = substr($0, i, 1)
					if (c == "n" || c == "t" || c == "r")
						c = " "
					else if (c == "u") {
						i += 4; c = "?"
					}
					s = s c
				} else if (c == "\"") {
					instr = 0
					if (depth == 1 && expect_key)
						key = s
					else if (depth == 2 && key == "tags" &&
					    what == "tags")
						print s
				} else
					s = s c
				continue
			}
			if (c == "\"") { instr = 1; s = ""; continue }
			if (c == "{" || c == "[") { depth++; expect_key = (c == "{"); continue }
			if (c == "}" || c == "]") { depth--; continue }
			if (c == ",") { if (depth == 1) expect_key = 1; continue }
			if (c == ":") {
				expect_key = 0
				if (depth == 1 && key == "id" && what == "ids") {
					v = substr($0, i + 1)
					sub(/^[ \t]*/, "", v)
					if (match(v, /^[0-9]+/))
						print substr(v, 1, RLENGTH)
				}
				continue
			}
		}
	}' | sort -u
}

_aggctl()
{
	local cur prev prog sock= cmd= i w opts
	local IFS=$'\n'

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	(( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# With = in COMP_WORDBREAKS (the default), --feed=3 is three words.
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	prog=${COMP_WORDS[0]}
	# The aggctl being completed, if it runs; else the one in PATH.
	prog=${prog/#\~/$HOME}
	[[ -x $prog || -n $(type -P "$prog" 2>/dev/null) ]] || prog=aggctl

	# Find the socket and the command: the first word that is neither
	# a global option nor the argument of -s.
	for (( i = 1; i < COMP_CWORD; i++ )); do
		w=${COMP_WORDS[i]}
		case $w in
		-s|--socket)
			(( i++ ))
			[[ ${COMP_WORDS[i]} == = ]] && (( i++ ))
			sock=${COMP_WORDS[i]} ;;
		--socket=*) sock=${w#--socket=} ;;
		-*)	;;
		*)	cmd=$w; break ;;
		esac
	done
	sock=${sock/#\~/$HOME}

	if [[ -z $cmd ]]; then
		case $prev in
		-s|--socket)
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
			return 0 ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W $'-s\n--socket\n-h\n--help\n--version' -- "$cur"))
		else
			IFS=$' \t\n'
			COMPREPLY=($(compgen -W "$_aggctl_commands" -- "$cur"))
		fi
		return 0
	fi

	# The argument of an option.
	case $prev in
	--feed)
		COMPREPLY=($(compgen -W "$(_aggctl_daemon "$prog" ids "$sock")" -- "$cur"))
		return 0 ;;
	--tag|--untag)
		COMPREPLY=($(compgen -W "$(_aggctl_daemon "$prog" tags "$sock")" -- "$cur"))
		return 0 ;;
	--interval)
		[[ $cmd == set ]] && COMPREPLY=($(compgen -W default -- "$cur"))
		return 0 ;;
	--hook)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -c -- "$cur"))
		return 0 ;;
	--charset)
		IFS=$' \t\n'
		COMPREPLY=($(compgen -W 'utf-8 windows-1251 windows-1252 koi8-r koi8-u iso-8859-1 iso-8859-2 iso-8859-5 utf-16le utf-16be' -- "$cur"))
		return 0 ;;
	--title|--since|--after-id|--limit|--search|--base|--retain|--retain-items)
		return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		IFS=$' \t\n'
		opts=$(_aggctl_options "$cmd")
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return 0
	fi

	case $cmd in
	remove|set|pause|resume|refresh|log)
		COMPREPLY=($(compgen -W "$(_aggctl_daemon "$prog" ids "$sock")" -- "$cur")) ;;
	import)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -X '!*.opml' -- "$cur")
		    $(compgen -f -X '!*.OPML' -- "$cur")
		    $(compgen -f -X '!*.xml' -- "$cur")
		    $(compgen -d -- "$cur")) ;;
	parse)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		[[ -z $cur || $cur == - ]] && COMPREPLY+=(-) ;;
	backup)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	help)
		IFS=$' \t\n'
		COMPREPLY=($(compgen -W "$_aggctl_commands" -- "$cur")) ;;
	esac
	return 0
}
complete -F _aggctl aggctl
