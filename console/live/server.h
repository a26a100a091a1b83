/*
 * server.h: one mail server as the console sees it: the log files it
 * follows, its own detector (accounts are per server), and the counters
 * the servers view shows.  Lines become events here and nowhere else.
 */
#ifndef MAILCON_SERVER_H
#define MAILCON_SERVER_H

#include <stdint.h>

#include "backends/logline.h"
#include "config/config.h"
#include "detect/detector.h"
#include "intake/clockguard.h"
#include "intake/follow.h"
#include "intake/source.h"

#define SERVER_MINUTES	60	/* sparkline length */

struct logring;
struct loop;
struct msgring;
struct queue_read;
struct ssh_conn;

/* A log of a server: a source of any kind (a followed file, a command's
   output, a file on a server behind SSH, the journal of one: source.h),
   and the clock of its lines. */
struct source {
	struct server		*server;
	struct logsource	 in;		/* no kind: server_line() only */
	const struct logsource	*feed;		/* no kind, lines routed from
						   a log host's stream: its
						   state (fleet.h) */
	const char		*feed_why;	/* and why the log host cannot
						   be read ("" when it can),
						   or NULL */
	struct log_clock	 clock;
	struct clockguard	 guard;		/* the time the detector counts */
	uint64_t		 guard_told;	/* guard findings reported */
	uint64_t		 unparsed;
};

enum server_state {
	SRV_STARTING,	/* nothing read yet */
	SRV_LIVE,	/* every log file followed */
	SRV_PARTIAL,	/* some log files missing or unreadable */
	SRV_DOWN	/* no log file readable */
};

struct server {
	char			*name;
	const struct server_config *cfg;	/* how its actions run */
	struct ssh_conn		*ssh;		/* NULL: a local server */
	struct loop		*loop;		/* watches its sources'
						   children; NULL: polled */
	unsigned		 index;
	struct source		*sources;
	size_t			 nsources;
	struct detector		*det;
	enum server_state	 state;
	enum server_state	 alerted;	/* the state an alert was about */
	char			 status[1024];	/* why not live, plain words */
	int			 no_source;	/* nothing to read (no source,
						   or none there): loud */
	int			 journal_fallback;	/* its default remote
						   log missing: its journal */
	int			 from_start, utc;	/* how it was opened */
	char			 chose[256];	/* the source it chose at run
						   time, said once; "" */
	char			 told[1024];	/* headless: the status printed */
	/* outbound messages per minute, oldest first, last = this minute */
	uint32_t		 out_min[SERVER_MINUTES];
	int64_t			 out_min_now;	/* minute of out_min's last */
	uint64_t		 lines;
	uint64_t		 events;
	uint64_t		 messages;
	uint64_t		 deferred;	/* delivery attempts deferred */
	uint64_t		 auth_fail;
	int64_t			 last_event;	/* log time of the newest event */
	enum level		 worst;		/* worst account level now */
	/* the queue, from the last complete read (-1: never read) */
	int64_t			 queue_total;
	int64_t			 queue_deferred;
	/* messages by queue (enum queue_name of act/queue.h), last read */
#define SERVER_QUEUE_STATES	8
	uint64_t		 queue_by[SERVER_QUEUE_STATES];
	char			 queue_status[256];
	char			**queue_argv;	/* NULL: no queue reads */
	int			 queue_interval;	/* seconds */
	struct queue_read	*qr;		/* running read, or NULL */
	/* the last read's messages per account (detector index), by the
	   queue ids its logins submitted: a forged sender cannot hide them */
	uint32_t		*queue_owned;
	size_t			 nqueue_owned;
	int64_t			 queue_attributed;
	int64_t			 queue_next_ms;	/* when to start the next */
	/* where lines go besides the detector */
	struct logring		*log;
	struct msgring		*msgs;
	int			 changed;	/* something to redraw */
	/* every event, after the detector (history) */
	void			(*on_event)(void *, const struct server *,
				    const struct mail_event *);
	void			*on_event_arg;
	/* an account the last event confirmed (detector_on_confirm), for
	   on_event to act on at once; "" when none */
	char			 confirmed[520];	/* DETECT_NAME_MAX + 1 */
	/* every line as read, before it is parsed (watch --lines) */
	void			(*on_line)(void *, const struct server *,
				    const char *line, size_t len);
	/* a part of a log that could not be read (rfollow.h) */
	void			(*on_gap)(void *, const struct server *,
				    const char *path, const char *why);
	uint64_t		 gaps;
	/* a log's clock jumped (clockguard.h); what in plain words */
	void			(*on_clock)(void *, const struct server *,
				    const char *path, const char *what);
	uint64_t		 clock_anomalies;	/* lines, all sources */
	uint64_t		 clock_steps;
	char			 clock_note[256];	/* the latest, "" none */
	/* journal entries journalctl printed as "[N blob data]" */
	uint64_t		 unreadable;
	/* a server whose lines come through a log host (fleet.h) */
	int64_t			 fed_ms;	/* monotonic ms of its last line */
	int			 silent;	/* no line for the log host's
						   silent minutes while others
						   log there */
	char			 silent_why[192];
	uint64_t		 unreadable_told;	/* by the console */
	int64_t			 unreadable_at;		/* ms it was told */
};

struct server	*server_new(const struct server_config *sc, unsigned index,
		    const struct detect_config *dc, int from_start, int utc,
		    struct logring *log, struct msgring *msgs);
void		 server_free(struct server *s);
/*
 * Read what the log files have, at most budget bytes each; returns nonzero
 * when a file still has more (poll again soon).
 */
int		 server_poll(struct server *s, int64_t now_ms, size_t budget);
/*
 * Recompute the state and status line from the connection and the
 * sources now, between polls (so that what is printed about a server
 * comes in the order it happened); 1 when either changed.
 */
int		 server_refresh(struct server *s);
/* Handle one log line as if read from a file (tests, the demo). */
void		 server_line(struct server *s, struct source *src,
		    const char *line, size_t len);
/* The same with its header split already (h of line; a log host's
   stream is split once to route it: fleet.h). */
void		 server_line_split(struct server *s, struct source *src,
		    const char *line, size_t len, const struct log_header *h);
/* The log files of a server behind SSH when its config names none. */
#define SERVER_REMOTE_LOG	"/var/log/mail.log"

/* Start, advance or finish the periodic queue read; never blocks. */
void		 server_queue(struct server *s, int64_t now_ms);
/*
 * Age windows and the per-minute counters to the server's arrival clock at
 * monotonic time now_ms: its logs' time, aged by the time since their
 * latest line (never the wall clock: a server whose clock is hours off
 * keeps its own time, see clockguard.h).
 */
void		 server_tick(struct server *s, int64_t now_ms);
/* The server's arrival clock at now_ms, or -1 before any line. */
int64_t		 server_clock(const struct server *s, int64_t now_ms);
const char	*server_state_name(enum server_state st);

#endif
