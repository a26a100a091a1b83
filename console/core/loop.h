/*
 * loop.h: the console's one event loop (in the manner of tmux and tig).
 *
 * A single poll() over registered file descriptors, timers and a self-pipe
 * for signals.  Callbacks run on the loop's thread and must not block; a
 * library that only blocks runs on a worker that writes to a pipe the loop
 * watches.  Redraw is deferred: handlers mark things dirty and the loop's
 * idle callback draws once per wake-up.
 */
#ifndef MAILCON_LOOP_H
#define MAILCON_LOOP_H

#include <stdint.h>

struct loop;

typedef void	(*loop_fd_cb)(int fd, short revents, void *arg);
typedef void	(*loop_timer_cb)(void *arg);
typedef void	(*loop_signal_cb)(int signo, void *arg);
typedef void	(*loop_idle_cb)(void *arg);

struct loop	*loop_new(void);
void		 loop_free(struct loop *l);

/* Watch fd for events (POLLIN/POLLOUT); 0, or -1 when fd is already watched. */
int		 loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb cb,
		     void *arg);
void		 loop_set_events(struct loop *l, int fd, short events);
void		 loop_del_fd(struct loop *l, int fd);

/* A timer firing every interval_ms (one-shot when repeat is 0); returns an
   id for loop_del_timer. */
int		 loop_add_timer(struct loop *l, int interval_ms, int repeat,
		     loop_timer_cb cb, void *arg);
void		 loop_del_timer(struct loop *l, int id);

/* Deliver signo through the loop (never in signal context). */
int		 loop_add_signal(struct loop *l, int signo, loop_signal_cb cb,
		     void *arg);

/* Called once after each batch of callbacks, before sleeping again. */
void		 loop_set_idle(struct loop *l, loop_idle_cb cb, void *arg);

/* Run until loop_stop(); returns 0, or -1 when poll() fails. */
int		 loop_run(struct loop *l);
void		 loop_stop(struct loop *l);

/* Monotonic milliseconds, as the loop sees them. */
int64_t		 loop_now_ms(void);

#endif
