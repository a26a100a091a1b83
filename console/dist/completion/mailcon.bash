# bash completion for mailcon(1): commands, options, actions, and the
# server and theme names, which mailcon gives itself (--list-servers,
# --list-themes: the config file it would read, the theme directories it
# would search), so they are never out of step with what it accepts.
# Needs nothing of the bash-completion package.

# "--config FILE" as given on the line so far, for --list-servers (bash
# splits --config=FILE into three words: --config, =, FILE).
_mailcon_config()
{
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == --config ]] || continue
		[[ ${COMP_WORDS[i + 1]} == = ]] && ((i++))
		printf '%s\n' --config "${COMP_WORDS[i + 1]}"
		return
	done
}

# COMPREPLY from a list of words (one a line) that start with cur.
_mailcon_words()
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -W "$1" -- "$2"))
}

# The completion function: _mailcon with COMP_WORDS and COMP_CWORD set.
_mailcon()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]}
	local bin=${COMP_WORDS[0]} cmd="" opts IFS=$' \t\n'
	local -a cfg

	COMPREPLY=()
	# --option=VALUE: the option is the word before the '='
	if [[ $prev == = ]] && ((COMP_CWORD > 2)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == = ]]; then
		prev=${COMP_WORDS[COMP_CWORD - 1]} cur=""
	fi
	((COMP_CWORD > 1)) && cmd=${COMP_WORDS[1]}
	case $cmd in
	scan|watch|act|rbl|policy|check) ;;
	*) cmd="" ;;
	esac

	case $prev in
	--config|--deny-file|--trace)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--theme)
		_mailcon_words "$("$bin" --list-themes 2>/dev/null)" "$cur"
		if [[ $cur == */* ]]; then
			compopt -o filenames 2>/dev/null
			COMPREPLY+=($(compgen -f -- "$cur"))
		fi
		return
		;;
	--server)
		mapfile -t cfg < <(_mailcon_config)
		_mailcon_words "$("$bin" --list-servers "${cfg[@]}" 2>/dev/null)" \
		    "$cur"
		return
		;;
	--min-level)
		_mailcon_words $'ok\nwatch\nsuspicious\ncritical' "$cur"
		return
		;;
	--speed|--year|--timeout|--concurrency|--account|--zones|--resolver|--allow|--since|--until|--listen)
		return		# a value of the user's
		;;
	esac

	case $cmd in
	"")
		if ((COMP_CWORD == 1)) && [[ $cur != -* ]]; then
			_mailcon_words $'scan\nwatch\nact\nrbl\npolicy\ncheck' "$cur"
			return
		fi
		opts="--config --theme --from-start --demo --speed --utc
		    --read-only --trace --help --version --list-servers
		    --list-themes"
		;;
	scan)
		opts="--json --csv --summary --detail --by-server --since --until
		    --min-level --allow --config --year --utc --quiet --help"
		if [[ $cur != -* ]]; then
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
			return
		fi
		;;
	watch)
		opts="--headless --config --from-start --lines --trace --utc
		    --help"
		;;
	act)
		if ((COMP_CWORD == 2)) && [[ $cur != -* ]]; then
			_mailcon_words $'suspend\nunsuspend\nreset-password\nhold\nrelease\npurge' "$cur"
			return
		fi
		opts="--account --server --dry-run --verbose --yes --no-hold
		    --verify --timeout --config --utc --help"
		;;
	rbl)
		opts="--server --zones --resolver --timeout --concurrency --json
		    --config --help"
		;;
	policy)
		opts="--listen --server --deny-file --trace --config --help"
		;;
	check)
		opts="--server --config --help"
		;;
	esac
	[[ $cur == -* || -z $cur ]] &&
	    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}

complete -F _mailcon mailcon
