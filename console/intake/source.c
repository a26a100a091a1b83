/* source.c: the registry of log source kinds, and dispatch; see source.h. */
#include <stdio.h>
#include <string.h>

#include "source.h"
#include "core/trace.h"

/* Each kind's ops, in its own file. */
extern const struct source_ops	source_file_ops;	/* follow.c */
extern const struct source_ops	source_command_ops;	/* cmdfollow.c */
extern const struct source_ops	source_ssh_file_ops;	/* rfollow.c */
extern const struct source_ops	source_ssh_journal_ops;	/* jfollow.c */

/* See source.h.  A new kind: its file, and a line here. */
const struct source_ops *const source_kinds[] = {
	&source_file_ops,
	&source_command_ops,
	&source_ssh_file_ops,
	&source_ssh_journal_ops,
	NULL
};

/* See source.h. */
const struct source_ops *
source_kind(const char *name)
{
	size_t	 i;

	for (i = 0; source_kinds[i] != NULL; i++)
		if (strcmp(source_kinds[i]->name, name) == 0)
			return source_kinds[i];
	return NULL;
}

/* FNV-1a of a message, to notice that it changed without keeping it. */
static uint32_t
logsource_hash(const char *s)
{
	uint32_t	 h = 2166136261u;

	for (; s != NULL && *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* See source.h. */
int
logsource_open(struct logsource *ls, const char *kind, const char *owner,
    const struct source_spec *spec, const struct source_cbs *cbs)
{
	memset(ls, 0, sizeof(*ls));
	if ((ls->ops = source_kind(kind)) == NULL)
		return -1;
	snprintf(ls->owner, sizeof(ls->owner), "%s", owner);
	ls->self = ls->ops->open(spec, cbs);
	ls->was = ls->ops->state(ls->self);
	ls->was_starting = logsource_starting(ls);
	ls->was_error = logsource_hash(ls->ops->error(ls->self));
	trace(2, "server %s: %s source %s opened", ls->owner, ls->ops->name,
	    logsource_label(ls));
	return 0;
}

/* See source.h. */
void
logsource_close(struct logsource *ls)
{
	if (ls->ops == NULL)
		return;
	ls->ops->close(ls->self);
	ls->ops = NULL;
	ls->self = NULL;
}

/* See source.h.  Every change is traced here, whichever kind it is. */
int
logsource_check(struct logsource *ls)
{
	enum follow_state	 st = ls->ops->state(ls->self);
	const char		*why = ls->ops->error(ls->self);
	uint32_t		 h = logsource_hash(why);
	int			 starting = logsource_starting(ls);

	if (st == ls->was && h == ls->was_error && starting ==
	    ls->was_starting)
		return 0;
	trace(1, "server %s: source %s: %s -> %s%s%s", ls->owner,
	    logsource_label(ls), ls->was_starting ? "starting" :
	    follow_state_name(ls->was), starting ? "starting" :
	    follow_state_name(st), why != NULL ? ": " : "",
	    why != NULL ? why : "");
	ls->was = st;
	ls->was_error = h;
	ls->was_starting = starting;
	return 1;
}

/* See source.h. */
int
logsource_poll(struct logsource *ls, const struct source_env *env,
    int64_t now_ms, size_t budget)
{
	int	 rc = 0;

	if (!ls->ops->remote || env->ssh != NULL)
		rc = ls->ops->poll(ls->self, env, now_ms, budget);
	if (logsource_check(ls))
		rc |= FOLLOW_CHANGED;
	return rc;
}

/* See source.h. */
enum follow_state
logsource_state(const struct logsource *ls)
{
	return ls->ops->state(ls->self);
}

/* See source.h. */
const char *
logsource_error(const struct logsource *ls)
{
	return ls->ops->error(ls->self);
}

/* See source.h. */
const char *
logsource_label(const struct logsource *ls)
{
	return ls->ops->label(ls->self);
}

/* See source.h. */
int
logsource_starting(const struct logsource *ls)
{
	return ls->ops->starting != NULL && ls->ops->starting(ls->self);
}
