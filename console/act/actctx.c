/* actctx.c: the operator, the audit and queue-id ownership for actions. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
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
