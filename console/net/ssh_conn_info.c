/*
 * ssh_conn_info.c: what a connection shows: the names of its states, its
 * status line, its fingerprints and counters; see ssh_conn.h.
 */
#include <stdio.h>

#include "ssh_int.h"

static const char *ssh_state_names[SSH_NSTATES] = {
	"resolving", "connecting", "handshake", "authenticating", "live", "stale",
	"retrying", "hostkey-unknown", "hostkey-mismatch", "auth-failed",
	"no-commands", "failed"
};

/* See ssh_conn.h. */
const char *
ssh_state_name(enum ssh_state st)
{
	if ((unsigned)st >= SSH_NSTATES)
		return "?";
	return ssh_state_names[st];
}

/* See ssh_conn.h. */
enum ssh_state
ssh_conn_state(const struct ssh_conn *c)
{
	return c->state;
}

/* See ssh_conn.h. */
const char *
ssh_conn_error(const struct ssh_conn *c)
{
	return c->error;
}

/* See ssh_conn.h. */
const char *
ssh_conn_name(const struct ssh_conn *c)
{
	return c->name;
}

/* See ssh_conn.h. */
unsigned
ssh_conn_attempts(const struct ssh_conn *c)
{
	return c->attempts;
}

/* See ssh_conn.h. */
const char *
ssh_conn_fingerprint(const struct ssh_conn *c)
{
	return c->fp;
}

/* See ssh_conn.h. */
const char *
ssh_conn_known_fingerprint(const struct ssh_conn *c)
{
	return c->state == SSH_HOSTKEY_MISMATCH ? c->known_fp : "";
}

/* See ssh_conn.h. */
int64_t
ssh_conn_retry_in_ms(const struct ssh_conn *c, int64_t now_ms)
{
	if (c->state != SSH_RETRYING)
		return -1;
	return c->retry_at > now_ms ? c->retry_at - now_ms : 0;
}

/* See ssh_conn.h. */
void
ssh_conn_status(const struct ssh_conn *c, int64_t now_ms, char *buf,
    size_t size)
{
	int64_t	 ms;

	switch (c->state) {
	case SSH_RETRYING:
		ms = ssh_conn_retry_in_ms(c, now_ms);
		snprintf(buf, size, "retrying in %lld s: %s",
		    (long long)((ms + 999) / 1000), c->error);
		break;
	case SSH_STALE:
		snprintf(buf, size, "stale: nothing heard for %lld s",
		    (long long)((now_ms - c->last_rx) / 1000));
		break;
	case SSH_RESOLVING:
		snprintf(buf, size, "resolving %s", c->host);
		break;
	case SSH_CONNECTING:
	case SSH_HANDSHAKE:
	case SSH_AUTHENTICATING:
	case SSH_LIVE:
		snprintf(buf, size, "%s", ssh_state_name(c->state));
		break;
	default:
		snprintf(buf, size, "%s: %s", ssh_state_name(c->state),
		    c->error);
		break;
	}
}
