/*
 * cmdfollow.h: follow the output of a long-running command as a log, for
 * servers that log to journald (Debian 12 keeps mail logs only there unless
 * rsyslog is installed): `journalctl -f -n 0 -o short-iso -u postfix ...`.
 *
 * The command is a job (core/job.h): its own process group, stdout and
 * stderr on pipes that the loop watches (opened with a loop) or that
 * cmdfollow_poll() reads (without one), complete lines handed to a
 * callback, never a wait.  When the command exits it is reaped (from
 * SIGCHLD with a loop), a last line without its newline is handed on as
 * FOLLOW_LINE_PARTIAL, its status and first line of stderr become the
 * state's message, and it is started again after a back-off (5 s,
 * doubling to 60 s).  Closing kills the group.
 */
#ifndef MAILCON_CMDFOLLOW_H
#define MAILCON_CMDFOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "follow.h"

struct cmdfollow;
struct loop;

/* argv is copied; the command starts at the first poll.  Lines go to the
   callback each cmdfollow_poll() gives. */
struct cmdfollow *cmdfollow_open(char *const argv[]);
/*
 * The same with its output read by loop l as it comes (NULL: by
 * cmdfollow_poll()), lines to cb with arg.
 */
struct cmdfollow *cmdfollow_open_loop(char *const argv[], struct loop *l,
		     follow_line_cb cb, void *arg);
void		 cmdfollow_close(struct cmdfollow *c);
/*
 * Start the command when it is due; read at most max_bytes of output,
 * handing complete lines to cb (the same callback type as follow_poll;
 * NULL: the one given before), and notice its end.  Returns FOLLOW_MORE /
 * FOLLOW_CHANGED bits.
 */
int		 cmdfollow_poll(struct cmdfollow *c, int64_t now_ms,
		     follow_line_cb cb, void *arg, size_t max_bytes);
/* FOLLOW_LIVE while the command runs, else FOLLOW_UNREADABLE. */
enum follow_state cmdfollow_state(const struct cmdfollow *c);
/* "command: why" when not running, else NULL. */
const char	*cmdfollow_error(const struct cmdfollow *c);
/* How many times the command was started. */
unsigned	 cmdfollow_starts(const struct cmdfollow *c);
/* Its argv[0], for messages. */
const char	*cmdfollow_name(const struct cmdfollow *c);

#endif
