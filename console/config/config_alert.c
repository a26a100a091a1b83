/*
 * config_alert.c: [alerts]: desktop notifications, the alert command, the
 * rate limit and the dedupe window (notify.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "core/xmalloc.h"

#define ALERT_RATE_MAX		600	/* a minute: beyond, it is no limit */
#define ALERT_TIMEOUT_MAX	300	/* seconds */

/* See notify.h. */
void
alert_config_defaults(struct alert_config *ac)
{
	memset(ac, 0, sizeof(*ac));
	ac->notify = 1;
	ac->rate = ALERT_RATE_DEFAULT;
	ac->dedupe = ALERT_DEDUPE_DEFAULT;
	ac->command_timeout = ALERT_TIMEOUT_DEFAULT;
}

/* Drop the command, if any. */
static void
alert_config_free_command(struct alert_config *ac)
{
	size_t	 i;

	for (i = 0; ac->command != NULL && ac->command[i] != NULL; i++)
		free(ac->command[i]);
	free(ac->command);
	ac->command = NULL;
}

/* See notify.h. */
void
alert_config_free(struct alert_config *ac)
{
	alert_config_free_command(ac);
	memset(ac, 0, sizeof(*ac));
}

/* See config.h. */
int
config_set_alert(struct alert_config *ac, const char *name,
    const char *value, char *err, size_t errlen)
{
	long	 v;
	int	 secs;

	if (strcmp(name, "notify") == 0) {
		if (config_parse_switch(value, &ac->notify) == -1) {
			snprintf(err, errlen, "notify: expected on or off");
			return -1;
		}
	} else if (strcmp(name, "command") == 0) {
		alert_config_free_command(ac);
		if (value[0] == '\0' || strcasecmp(value, "off") == 0)
			return 1;
		ac->command = config_split_argv(value);
		if (ac->command[0] == NULL ||
		    !config_path_ok(ac->command[0])) {
			alert_config_free_command(ac);
			snprintf(err, errlen, "command: expected an absolute "
			    "path and its arguments, like /usr/local/bin/page "
			    "oncall (the alert is passed in MAILCON_ALERT_* "
			    "variables)");
			return -1;
		}
	} else if (strcmp(name, "rate") == 0) {
		if (strcasecmp(value, "off") == 0)
			v = 0;
		else if (config_parse_int(value, 1, ALERT_RATE_MAX, &v) ==
		    -1) {
			snprintf(err, errlen, "rate: expected alerts a minute "
			    "from 1 to %d, or off", ALERT_RATE_MAX);
			return -1;
		}
		ac->rate = (int)v;
	} else if (strcmp(name, "dedupe") == 0) {
		if (strcasecmp(value, "off") == 0)
			ac->dedupe = 0;
		else if (config_parse_duration(value, &secs) == -1) {
			snprintf(err, errlen, "dedupe: expected a duration, "
			    "like 10m, or off");
			return -1;
		} else
			ac->dedupe = secs;
	} else if (strcmp(name, "command_timeout") == 0) {
		if (config_parse_duration(value, &secs) == -1 ||
		    secs > ALERT_TIMEOUT_MAX) {
			snprintf(err, errlen, "command_timeout: expected a "
			    "duration up to %ds, like 10s", ALERT_TIMEOUT_MAX);
			return -1;
		}
		ac->command_timeout = secs;
	} else
		return 0;
	return 1;
}
