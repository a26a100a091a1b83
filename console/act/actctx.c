/* actctx.c: the operator, the audit and queue-id ownership for actions. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actctx.h"
#include "audit.h"
#include "core/action.h"
#include "detect/detect_detail.h"
#include "store/store.h"

/* See actctx.h. */
int
act_owns(const char *qid, size_t len, void *arg)
{
	const struct act_owner	*o = arg;

	return o->index >= 0 &&
	    detector_qid_owner(o->det, qid, len) == o->index;
}

/* detector_foreach_range callback: the account's counts. */
static void
act_numbers_cb(const struct account_report *r, void *arg)
{
	struct act_numbers	*n = arg;

	n->found = 1;
	n->messages = r->messages;
	n->before_flag = r->messages_before_flag;
	n->before_confirmed = r->messages_before_confirmed;
	n->flagged_at = r->flagged_at;
	n->confirmed_at = r->confirmed_at;
}

/* See actctx.h. */
void
act_numbers_get(struct detector *det, const char *account,
    struct act_numbers *n)
{
	long	 idx;

	memset(n, 0, sizeof(*n));
	n->flagged_at = n->confirmed_at = -1;
	if (det != NULL && (idx = detector_find(det, account)) >= 0)
		(void)detector_foreach_range(det, (size_t)idx, 1,
		    act_numbers_cb, n);
}

/* See actctx.h. */
void
act_numbers_say(const struct act_numbers *n, char *buf, size_t size)
{
	int	 len;

	buf[0] = '\0';
	if (!n->found)
		return;
	if (n->flagged_at < 0) {
		snprintf(buf, size, "%llu messages queued in all, never "
		    "flagged", (unsigned long long)n->messages);
		return;
	}
	len = snprintf(buf, size, "%llu messages queued after it was "
	    "flagged", (unsigned long long)(n->messages - n->before_flag));
	if (n->confirmed_at >= 0 && len > 0 && (size_t)len < size)
		snprintf(buf + len, size - (size_t)len, ", %llu after it was "
		    "confirmed", (unsigned long long)(n->messages -
		    n->before_confirmed));
}

/* See actctx.h. */
void
act_counts(char *buf, size_t size, void *arg)
{
	const struct act_owner	*o = arg;
	struct act_numbers	 n;

	act_numbers_get(o->det, o->account, &n);
	act_numbers_say(&n, buf, size);
}

/* See actctx.h. */
void
act_operator(char *buf, size_t size)
{
	const char	*sudo = getenv("SUDO_USER");
	struct passwd	*pw;
	char		 why[256];

	/* $SUDO_USER is only believed for root: anyone can set it */
	if (getuid() == 0 && sudo != NULL &&
	    action_account_ok(sudo, why, sizeof(why))) {
		snprintf(buf, size, "%s", sudo);
		return;
	}
	if ((pw = getpwuid(getuid())) != NULL)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "uid %lu", (unsigned long)getuid());
}

/* See actctx.h. */
struct audit *
act_audit_open(const struct mailcon_config *cfg, char *err, size_t errlen)
{
	char	 path[4096];

	if (cfg->history != NULL)
		snprintf(path, sizeof(path), "%s", cfg->history);
	else if (store_default_path(path, sizeof(path), err, errlen) == -1)
		return NULL;
	return audit_open(path, err, errlen);
}
