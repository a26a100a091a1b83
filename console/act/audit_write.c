/*
 * audit_write.c: the jobs of the audit's writes (an intent before a command
 * runs, its outcome after, the result of verifying it), built in the
 * caller's thread: every value redacted and copied there, so a secret never
 * reaches the worker, the database or its -wal file; then handed to the
 * worker (audit.c), or written at once by audit_intent_sync().
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_int.h"
#include "core/sanitize.h"
#include "core/secret.h"
#include "core/xmalloc.h"

/* A copy of s with every one of the caller's secrets as <secret>. */
static char *
audit_scrub(const struct audit_rec *rec, const char *s)
{
	size_t	 n;

	if (s == NULL)
		return NULL;
	return secret_scrub_copy(s, strlen(s), rec->secrets, &n);
}

/*
 * A copy of len bytes of p with the secrets scrubbed, sanitised and cut at
 * max bytes (NULL stays).  Scrubbed first: a secret cut by the limit
 * would leave its first part behind.
 */
static char *
audit_clean(const char *p, size_t len, size_t max,
    const char *const *secrets)
{
	char	*out, *raw;
	size_t	 n;

	if (p == NULL)
		return NULL;
	raw = secret_scrub_copy(p, len, secrets, &len);
	out = xmalloc(max + 8);
	n = sanitize_text_utf8(out, max + 1, raw, len > max ? max : len);
	/* Escapes widen text: a nearly full buffer may have been cut. */
	if (len > max || n + 8 > max)
		snprintf(out + n, 8, " [cut]");
	explicit_bzero(raw, len);
	free(raw);
	return out;
}

/* Build the intent job of rec: redacted, secrets never copied. */
static struct audit_job *
audit_intent_job(struct audit *a, const struct audit_rec *rec)
{
	struct audit_job	*j;
	size_t			 n;

	if (rec->argc < 0 || rec->argc > AUDIT_MAX_ARGS ||
	    rec->action == NULL) {
		audit_set_error(a, "audit log: an intent without an action "
		    "or with too many words; the action is refused");
		return NULL;
	}
	j = xcalloc(1, sizeof(*j));
	j->type = JOB_INTENT;
	j->t = rec->started != 0 ? rec->started : (int64_t)time(NULL);
	j->s[0] = audit_scrub(rec, rec->operator);
	j->s[1] = audit_scrub(rec, rec->server);
	j->s[2] = audit_scrub(rec, rec->account);
	j->s[3] = audit_scrub(rec, rec->action);
	j->s[4] = audit_scrub(rec, rec->target);
	if (rec->argv != NULL) {
		n = (size_t)audit_command(rec, NULL, 0) + 1;
		j->s[5] = xmalloc(n);
		audit_command(rec, j->s[5], n);
	}
	return j;
}

/* See audit.h. */
int
audit_intent(struct audit *a, const struct audit_rec *rec, audit_cb cb,
    void *arg)
{
	struct audit_job	*j;

	if (a == NULL || (j = audit_intent_job(a, rec)) == NULL)
		return -1;
	j->cb = cb;
	j->arg = arg;
	audit_queue(a, j);
	return 0;
}

/* See audit.h. */
int64_t
audit_intent_sync(struct audit *a, const struct audit_rec *rec)
{
	struct audit_job	*j;
	int64_t			 id;

	if (a == NULL || (j = audit_intent_job(a, rec)) == NULL)
		return -1;
	pthread_mutex_lock(&a->dblock);
	audit_exec(a, j);
	pthread_mutex_unlock(&a->dblock);
	id = j->failed ? -1 : j->id;
	if (j->failed)
		audit_set_error(a, j->err);
	audit_job_free(j);
	return id;
}

/* See audit.h. */
int
audit_outcome(struct audit *a, int64_t id, enum audit_state state,
    int exit_status, const char *counts, const char *stderr_text,
    size_t stderr_len, const char *const *secrets, audit_cb cb, void *arg)
{
	struct audit_job	*j;

	if (a == NULL)
		return -1;
	j = xcalloc(1, sizeof(*j));
	j->type = JOB_OUTCOME;
	j->id = id;
	j->t = (int64_t)time(NULL);
	j->state = state;
	j->exit_status = exit_status;
	j->s[0] = counts != NULL ? audit_clean(counts, strlen(counts), 512,
	    secrets) : NULL;
	j->s[1] = audit_clean(stderr_text, stderr_len, AUDIT_STDERR_MAX,
	    secrets);
	j->cb = cb;
	j->arg = arg;
	audit_queue(a, j);
	return 0;
}

/* See audit.h. */
int
audit_verified(struct audit *a, int64_t id, int ok, const char *text,
    const char *const *secrets, audit_cb cb, void *arg)
{
	struct audit_job	*j;
	char			*clean;
	size_t			 n;

	if (a == NULL)
		return -1;
	j = xcalloc(1, sizeof(*j));
	j->type = JOB_VERIFIED;
	j->id = id;
	j->t = (int64_t)time(NULL);
	if (ok)
		j->s[0] = xstrdup("ok");
	else {
		clean = audit_clean(text != NULL ? text : "",
		    text != NULL ? strlen(text) : 0, 1024, secrets);
		n = strlen(clean) + sizeof("failed: ");
		j->s[0] = xmalloc(n);
		snprintf(j->s[0], n, "failed: %s", clean);
		free(clean);
	}
	j->cb = cb;
	j->arg = arg;
	audit_queue(a, j);
	return 0;
}
