/*
 * config_policy.c: the [policy] keys: the policy service that
 * `mailcon watch --headless` runs beside its containment (console/policy/,
 * mailcon(1) "POLICY SERVICE").
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>

#include "config.h"

/* See config.h. */
int
config_set_policy(struct policy_config *pc, const char *name,
    const char *value, char *err, size_t errlen)
{
	if (strcmp(name, "enabled") == 0) {
		if (strcasecmp(value, "yes") == 0 ||
		    strcasecmp(value, "on") == 0)
			pc->enabled = 1;
		else if (strcasecmp(value, "no") == 0 ||
		    strcasecmp(value, "off") == 0)
			pc->enabled = 0;
		else {
			snprintf(err, errlen, "enabled: expected yes or no");
			return -1;
		}
		return 1;
	}
	if (strcmp(name, "listen") == 0) {
		char	**v = config_split_list(value);

		if (v == NULL || v[0] == NULL) {
			config_free_strv(v);
			snprintf(err, errlen, "listen: give unix:/PATH, "
			    "127.0.0.1:PORT or [::1]:PORT (comma-separated)");
			return -1;
		}
		config_free_strv(pc->listen);
		pc->listen = v;
		return 1;
	}
	if (strcmp(name, "server") == 0) {
		free(pc->server);
		pc->server = strdup(value);
		return 1;
	}
	return 0;
}

/* See config.h. */
void
config_policy_free(struct policy_config *pc)
{
	config_free_strv(pc->listen);
	free(pc->server);
	memset(pc, 0, sizeof(*pc));
}
