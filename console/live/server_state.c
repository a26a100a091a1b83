/*
 * server_state.c: a server's state line (live, partial, down, starting
 * and why) from the states of its log sources and its SSH connection.
 */
#include <stdio.h>
#include <string.h>

#include "server.h"
#include "server_int.h"
#include "core/loop.h"
#include "net/ssh_conn.h"

/* See server.h. */
const char *
server_state_name(enum server_state st)
{
	switch (st) {
	case SRV_STARTING:
		return "starting";
	case SRV_LIVE:
		return "live";
	case SRV_PARTIAL:
		return "partial";
	default:
		return "down";
	}
}

/* A source's state, whatever kind it is; one with none is not read,
   one fed by a log host is as live as the log host's stream. */
enum follow_state
source_state(const struct source *src)
{
	if (src->feed != NULL)
		return logsource_state(src->feed);
	return src->in.ops != NULL ? logsource_state(&src->in) :
	    FOLLOW_MISSING;
}

/* Why a source is not live. */
static const char *
source_error(const struct source *src)
{
	if (src->feed != NULL)
		return logsource_error(src->feed);
	return src->in.ops != NULL ? logsource_error(&src->in) : NULL;
}

/* Nothing read yet and nothing wrong, for any source. */
static int
source_starting(const struct source *src)
{
	if (src->feed != NULL)
		return logsource_starting(src->feed);
	return src->in.ops != NULL && logsource_starting(&src->in);
}

/* Recompute the state line from the sources' states. */
void
server_update_state(struct server *s)
{
	size_t		 i, live = 0, missing = 0;
	const char	*why = NULL;

	s->no_source = 0;
	if (s->ssh != NULL && ssh_conn_state(s->ssh) == SSH_HOSTKEY_MISMATCH &&
	    ssh_conn_known_fingerprint(s->ssh)[0] != '\0') {
		/* both fingerprints first: a path in the text may be long
		   (a revoked key has one, which the text shows) */
		snprintf(s->status, sizeof(s->status), "hostkey-mismatch: "
		    "known %s, offered %s: %s",
		    ssh_conn_known_fingerprint(s->ssh),
		    ssh_conn_fingerprint(s->ssh), ssh_conn_error(s->ssh));
		s->state = SRV_DOWN;
		return;
	}
	if (s->ssh != NULL && ssh_conn_state(s->ssh) != SSH_LIVE) {
		ssh_conn_status(s->ssh, loop_now_ms(), s->status,
		    sizeof(s->status));
		s->state = ssh_conn_state(s->ssh) == SSH_STALE ?
		    SRV_PARTIAL : SRV_DOWN;
		return;
	}
	/* a log host it is fed by, out of reach (its SSH connection) */
	for (i = 0; i < s->nsources; i++)
		if (s->sources[i].feed_why != NULL &&
		    s->sources[i].feed_why[0] != '\0') {
			s->state = SRV_DOWN;
			snprintf(s->status, sizeof(s->status), "%s",
			    s->sources[i].feed_why);
			return;
		}
	for (i = 0; i < s->nsources; i++) {
		const struct source *src = &s->sources[i];

		if (source_starting(src)) {
			s->state = SRV_STARTING;
			snprintf(s->status, sizeof(s->status), "starting");
			return;
		}
		if (source_state(src) == FOLLOW_LIVE)
			live++;
		else if (source_state(src) == FOLLOW_MISSING)
			missing++;
		if (source_state(src) != FOLLOW_LIVE && why == NULL)
			why = source_error(src);
	}
	if (s->nsources == 0) {
		s->state = SRV_DOWN;
		why = "no log file, log_command or journal to follow: set "
		    "logs = or log_command = in its [server]";
	} else if (live == s->nsources && s->silent) {
		/* the stream is live, this server says nothing in it */
		s->state = SRV_PARTIAL;
		why = s->silent_why;
	} else if (live == s->nsources)
		s->state = SRV_LIVE;
	else if (live > 0)
		s->state = SRV_PARTIAL;
	else
		s->state = SRV_DOWN;
	/* nothing to read (no source, or none of them there) must not look
	   like a quiet server; a broken one says its own why */
	s->no_source = s->nsources == 0 || missing == s->nsources;
	snprintf(s->status, sizeof(s->status), "%s%s", s->no_source ?
	    "NO LOG SOURCE: " : "", why != NULL ? why : "following");
}
