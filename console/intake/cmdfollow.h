/*
 * cmdfollow.h: follow the output of a long-running command as a log, for
 * servers that log to journald (Debian 12 keeps mail logs only there unless
 * rsyslog is installed): `journalctl -f -n 0 -o short-iso -u postfix ...`.
 *
 * The command runs in its own process group with stdout and stderr on
 * non-blocking pipes; cmdfollow_poll() hands complete lines to a callback
 * without ever waiting.  When the command exits it is reaped, its status
 * and first line of stderr become the state's message, and it is started
 * again after a back-off (5 s, doubling to 60 s).  Closing kills the group.
 */
#ifndef MAILCON_CMDFOLLOW_H
#define MAILCON_CMDFOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "follow.h"

struct cmdfollow;

/* argv is copied; the command starts at the first poll. */
struct cmdfollow *cmdfollow_open(char *const argv[]);
void		 cmdfollow_close(struct cmdfollow *c);
/*
 * Read at most max_bytes of output, handing complete lines to cb (the same
 * callback type as follow_poll).  Returns FOLLOW_MORE / FOLLOW_CHANGED bits.
 */
int		 cmdfollow_poll(struct cmdfollow *c, int64_t now_ms,
		     follow_line_cb cb, void *arg, size_t max_bytes);
/* FOLLOW_LIVE while the command runs, else FOLLOW_UNREADABLE. */
enum follow_state cmdfollow_state(const struct cmdfollow *c);
/* "command: why" when not running, else NULL. */
const char	*cmdfollow_error(const struct cmdfollow *c);
/* How many times the command was started. */
unsigned	 cmdfollow_starts(const struct cmdfollow *c);

#endif
