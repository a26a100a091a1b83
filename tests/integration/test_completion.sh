#!/bin/bash
# test_completion.sh: the bash and zsh completions (console/dist/completion).
#
#  bash: the completion is sourced and _mailcon called with COMP_WORDS as
#  bash would: commands, act's actions, --min-level's levels; each
#  command's options are exactly the ones its --help (or usage line)
#  names, so a new option cannot be left out; --server offers the
#  [server]s of the config in use (the user's file, the system file, or
#  the --config on the line); --theme the themes, a user's own too.
#  zsh: a real zsh (zsh -f, compinit) in tmux, keys typed, the listing
#  read off the screen: commands, actions, servers, themes, options.
#
# Uses $MAILCON (build/mailcon) as `mailcon` on PATH.  Needs bash, zsh and
# tmux (tests/deps.sh).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/testlib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
MAILCON=${MAILCON:-$ROOT/build/mailcon}
COMP=$ROOT/console/dist/completion
export LC_ALL=C.UTF-8

T=$(mktemp -d /tmp/mccomp.XXXXXX) || exit 1
SOCK="mccomp-$$"
failed=0
. "$HERE/tmuxlib.sh"
cleanup()
{
	tmux_stop
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$MAILCON" ] || die "no $MAILCON (run make)"
command -v zsh >/dev/null 2>&1 || die "zsh is missing (sh tests/deps.sh installs it)"

# mailcon on PATH; a user with two servers and a theme of their own; a
# system file with another server; a third config given with --config.
mkdir -p "$T/bin" "$T/home" "$T/cfg/mailcon/themes" "$T/etc/mailcon"
ln -s "$MAILCON" "$T/bin/mailcon"
printf '[server mx-user1]\nlogs = /var/log/mail.log\n[server mx_user2]\nlogs = /var/log/mail.log\n' \
    >"$T/cfg/mailcon/config"
printf 'ok = green default\n' >"$T/cfg/mailcon/themes/mine.theme"
printf '[server mx-system]\nlogs = /var/log/mail.log\n' \
    >"$T/etc/mailcon/mailcon.conf"
printf '[server other.example]\nlogs = /var/log/mail.log\n' >"$T/other.conf"
export PATH="$T/bin:$PATH" HOME="$T/home" XDG_CONFIG_HOME="$T/cfg"
export MAILCON_SYSCONFDIR="$T/etc"
unset MAILCON_THEMEDIR MAILCON_DATADIR

# ===== bash =================================================================
# comp WORD...: the completions bash offers for the last WORD, sorted, one
# a line.
comp()
{
	bash --norc --noprofile -c '
	    . "$1"; shift
	    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
	    _mailcon mailcon "${COMP_WORDS[COMP_CWORD]}" \
	        "${COMP_WORDS[COMP_CWORD - 1]}"
	    printf "%s\n" "${COMPREPLY[@]}"' bash "$COMP/mailcon.bash" "$@" |
	    sort
}

# want WHAT EXPECTED WORD...: the completions of WORD... are EXPECTED
# (words, any order).
want()
{
	local what=$1 expected got
	expected=$(printf '%s\n' $2 | sort)
	shift 2
	got=$(comp "$@")
	[ "$got" = "$expected" ] ||
	    fail "bash: $what: got [$(echo $got)], want [$(echo $expected)]"
}

want "commands" "scan watch act rbl policy check" mailcon ""
want "a command by its start" "rbl" mailcon r
want "act's actions" "suspend unsuspend reset-password hold release purge" \
    mailcon act ""
want "--min-level" "suspicious" mailcon scan --min-level s
want "scan's options by their start" "--since --summary" mailcon scan --s
want "servers of the user's file" "mx-user1 mx_user2" \
    mailcon act suspend --server ""
want "servers of --config" "other.example" \
    mailcon act hold --config "$T/other.conf" --server ""
# bash splits --opt=VALUE into --opt, =, VALUE
want "servers of --config=FILE, after --server=" "other.example" \
    mailcon act hold --config = "$T/other.conf" --server = ""
want "after --server= itself" "mx-user1 mx_user2" mailcon act hold --server =
want "themes, the user's own too" "256 default light mine mono" \
    mailcon --theme ""
want "themes by their start" "light" mailcon --theme l
mv "$T/cfg/mailcon/config" "$T/cfg/mailcon/config.off"
want "servers of the system file, without a user file" "mx-system" \
    mailcon rbl --server ""
mv "$T/cfg/mailcon/config.off" "$T/cfg/mailcon/config"
comp mailcon scan "$T/oth" | grep -qxF "$T/other.conf" ||
    fail "bash: scan does not complete file names: $(comp mailcon scan "$T/oth")"

# Each command's options are the ones its --help names (and --help).
help_opts()
{
	("$MAILCON" "$@" 2>&1 | grep -oE -- '--[a-z][a-z-]+'; echo --help) |
	    sort -u
}
for cmd in scan act rbl policy check; do
	got=$(comp mailcon "$cmd" -- | sort -u)
	expected=$(help_opts "$cmd" --help)
	[ "$got" = "$expected" ] ||
	    fail "bash: $cmd's options: completion [$(echo $got)], --help [$(echo $expected)]"
done
# watch: the options of its usage line (the console's --help covers both)
got=$(comp mailcon watch -- | sort -u)
expected=$( ("$MAILCON" watch --help | sed -n '/mailcon watch/,/^$/p' |
    grep -oE -- '--[a-z][a-z-]+'; echo --help; echo --utc) | sort -u)
[ "$got" = "$expected" ] ||
    fail "bash: watch's options: completion [$(echo $got)], usage [$(echo $expected)]"
# the console: its --help's options but watch's own (and the line that
# names watch --headless), and the top-level ones
got=$(comp mailcon -- | sort -u)
expected=$( ("$MAILCON" --help | sed '/^Commands:/,$d' |
    grep -oE -- '--[a-z][a-z-]+'
    "$MAILCON" watch --help | sed '/mailcon watch/,/^$/d' |
    grep -v '(watch)' | grep -v 'watch --headless' |
    grep -oE -- '--[a-z][a-z-]+') | sort -u)
[ "$got" = "$expected" ] ||
    fail "bash: the console's options: completion [$(echo $got)], --help [$(echo $expected)]"

# ===== zsh ==================================================================
mkdir -p "$T/zdot"
# the test's own rc only: not the machine's /etc/zsh/zshrc
echo 'unsetopt global_rcs' >"$T/zdot/.zshenv"
cat >"$T/zdot/.zshrc" <<EOF
fpath=($COMP \$fpath)
autoload -Uz compinit && compinit -u -d $T/zdot/compdump
unsetopt list_ambiguous
PS1='zsh> '
EOF
tmux -L "$SOCK" new-session -d -s z -x 160 -y 40 \
    "env ZDOTDIR=$T/zdot PATH=$PATH HOME=$T/home XDG_CONFIG_HOME=$T/cfg MAILCON_SYSCONFDIR=$T/etc TERM=xterm-256color zsh -i"
wait_screen "zsh>" 20 z || die "zsh did not start: $(screen z)"

# ztab TEXT WANT...: type TEXT and Tab in a fresh line; each WANT on screen.
ztab()
{
	local text=$1 w i=0
	shift
	tmux -L "$SOCK" send-keys -t z C-u C-l
	# a clean screen first: nothing of the last listing may count
	while [ "$(screen z | grep -v '^ *$')" != "zsh>" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	tmux -L "$SOCK" send-keys -t z -l "$text"
	tmux -L "$SOCK" send-keys -t z Tab
	for w in "$@"; do
		wait_screen "$w" 10 z ||
		    { fail "zsh: '$text<Tab>' does not offer $w: $(screen z)"; break; }
	done
	tmux -L "$SOCK" send-keys -t z C-c
}
ztab "mailcon " scan watch act rbl check "report hijacked"
ztab "mailcon act " suspend unsuspend reset-password hold release purge
ztab "mailcon act suspend --server " mx-user1 mx_user2
ztab "mailcon rbl --config $T/other.conf --server=" "--server=other.example"
ztab "mailcon rbl --config=$T/other.conf --server " other.example
ztab "mailcon --theme " 256 default light mine mono
ztab "mailcon scan --" --json --csv --summary --detail --since --until --min-level --allow --config --year --utc --quiet
ztab "mailcon watch --" --headless --from-start --lines --config

exit "$failed"
