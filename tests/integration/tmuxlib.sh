# tests/integration/tmuxlib.sh: the console in tmux, for the tests that read
# its screen (test_console_live.sh, test_contain_live.sh,
# test_ssh_console.sh).  Source it (bash) with these set:
#
#	SOCK		the tmux server's socket name (tmux -L), one per test
#	T		the test's directory: SESSION's stderr goes to
#			$T/SESSION.err
#	SCREEN_SESSION	optional: the session screen and wait_screen read
#			when none is named (default c)
#
# then:
#
#	console_run SESSION COLS ROWS [VAR=VALUE...] COMMAND [ARGS]
#			# a fresh session SESSION (any one of that name is
#			# killed first) of COLS x ROWS running
#			# "env TERM=xterm-256color VAR=VALUE... COMMAND ARGS",
#			# kept open 60 s after COMMAND exits
#	screen [SESSION]		# print what SESSION shows
#	wait_screen TEXT SECONDS [SESSION]
#			# until TEXT is on SESSION's screen (status 1 when
#			# SECONDS pass first)
#	tmux_stop	# end SOCK's tmux server; safe from an EXIT trap
#	key KEY...	# send tmux keys to SCREEN_SESSION
#
# A test of the console against the mail stack (stack.sh sourced) starts
# with tmux_stack_test NAME SESSION instead of setting these itself:
# stack_test NAME (stack.sh: T, S=$T/s, MAILCON, MAILGEN, failed=0 and
# the EXIT trap), SOCK=mailcon-NAME-PID, SCREEN_SESSION=SESSION and
# LC_ALL=C.UTF-8 (the console draws its frame in UTF-8), and the EXIT trap
# ends the tmux server first.
#
# The words after ROWS are joined by spaces into the shell command tmux
# runs, as one string: they must not need quoting (the paths of the tests
# do not).

# console_run SESSION COLS ROWS WORDS...: WORDS under env in a fresh session.
console_run()
{
	local name=$1 cols=$2 rows=$3
	shift 3
	tmux -L "$SOCK" kill-session -t "$name" 2>/dev/null
	# -f /dev/null: no ~/.tmux.conf or /etc/tmux.conf of this machine
	tmux -f /dev/null -L "$SOCK" new-session -d -s "$name" -x "$cols" -y "$rows" \
	    "env TERM=xterm-256color $* 2>$T/$name.err; sleep 60"
}

# screen [SESSION]: what SESSION shows now.
screen()
{
	tmux -L "$SOCK" capture-pane -p -t "${1:-${SCREEN_SESSION:-c}}"
}

# wait_screen TEXT SECONDS [SESSION]: until TEXT is on screen.
wait_screen()
{
	local i=0
	while [ $i -lt $(($2 * 10)) ]; do
		screen "${3:-}" | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# tmux_stop: end the tmux server of SOCK and every session in it.
tmux_stop()
{
	tmux -L "$SOCK" kill-server 2>/dev/null
}

# key KEY...: send tmux keys to SCREEN_SESSION.
key()
{
	tmux -L "$SOCK" send-keys -t "$SCREEN_SESSION" "$@"
}

# tmux_stack_test NAME SESSION: a test's directory, socket, session and
# clean-up (see above).
tmux_stack_test()
{
	stack_test "$1"
	SOCK="mailcon-$1-$$"
	SCREEN_SESSION=$2
	export LC_ALL=C.UTF-8
	_test_stops="tmux_stop; $_test_stops"
}
