/*
 * config_section.c: the keys of [detect], [logs] and [console] (config.c
 * routes them here).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_route.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"

/* Split a comma- or space-separated list of accounts into the allow-list;
   -1 with the name that is not an account in err. */
static int
config_parse_allow(struct mailcon_config *cfg, const char *value, char *err,
    size_t errlen)
{
	const char	*p = value, *start;
	char		*one;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return 0;
		start = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != ',')
			p++;
		one = xstrndup(start, (size_t)(p - start));
		if (!account_is_valid(one, strlen(one))) {
			char	 shown[80];

			sanitize_text(shown, sizeof(shown), one, strlen(one));
			snprintf(err, errlen, "allow: \"%s\" is not an "
			    "account name; expected account names separated "
			    "by commas", shown);
			free(one);
			return -1;
		}
		config_allow(cfg, one);
		free(one);
	}
}

/* Keys of [detect] other than the per-signal thresholds. */
int
config_set_detect(struct config_parse *cp, const char *name, const char *value)
{
	struct detect_config	*d = &cp->cfg->detect;
	long			 v;
	int			 i;

	for (i = 0; i < SIG_COUNT; i++) {
		if (strcmp(name, signal_name(i)) != 0)
			continue;
		if (config_parse_limits(value, &d->limits[i]) == -1) {
			snprintf(cp->error, sizeof(cp->error), "%s: expected "
			    "three increasing numbers (watch suspicious "
			    "critical) or \"off\"", name);
			return 0;
		}
		return 1;
	}
	if (strcmp(name, "window") == 0) {
		if (config_parse_duration(value, &d->window) == -1 ||
		    d->window < 60) {
			snprintf(cp->error, sizeof(cp->error), "window: "
			    "expected a duration of at least 1m, like 10m");
			return 0;
		}
	} else if (strcmp(name, "baseline_min_history") == 0) {
		if (config_parse_duration(value,
		    &d->baseline_min_history) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "%s: expected a duration, like 1h", name);
			return 0;
		}
	} else if (strcmp(name, "new_ip_min_history") == 0) {
		if (config_parse_duration(value,
		    &d->new_ip_min_history) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "%s: expected a duration, like 1d", name);
			return 0;
		}
	} else if (strcmp(name, "novelty_window") == 0) {
		int	 w;

		if (config_parse_duration(value, &w) == -1 || w < 3600 ||
		    w > 86400 || w % 3600 != 0) {
			snprintf(cp->error, sizeof(cp->error), "%s: expected "
			    "whole hours from 1h to 24h, like 6h", name);
			return 0;
		}
		d->novelty_window = w;
	} else if (strcmp(name, "geoip") == 0) {
		/* the last setting wins */
		config_free_strv(cp->cfg->geoip);
		cp->cfg->geoip = NULL;
		if (config_split_paths(name, value, &cp->cfg->geoip,
		    cp->error, sizeof(cp->error)) == -1)
			return 0;
	} else if (strcmp(name, "baseline_min_rate") == 0) {
		const char	*end;

		if (config_parse_number(value, &end, &d->baseline_min_rate)
		    == -1 || *end != '\0') {
			snprintf(cp->error, sizeof(cp->error),
			    "%s: expected messages per minute", name);
			return 0;
		}
	} else if (strcmp(name, "ratio_min_attempts") == 0 ||
	    strcmp(name, "queue_min_messages") == 0) {
		if (config_parse_int(value, 1, INT_MAX, &v) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "%s: expected a whole number above 0", name);
			return 0;
		}
		if (name[0] == 'r')
			d->ratio_min_attempts = (int)v;
		else
			d->queue_min_messages = (int)v;
	} else if (strcmp(name, "max_accounts") == 0) {
		if (config_parse_int(value, 1, 100000000, &v) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "%s: expected a whole number from 1 to 100000000",
			    name);
			return 0;
		}
		d->max_accounts = (size_t)v;
	} else if (strcmp(name, "allow") == 0) {
		if (config_parse_allow(cp->cfg, value, cp->error,
		    sizeof(cp->error)) == -1)
			return 0;
	} else {
		snprintf(cp->error, sizeof(cp->error),
		    "unknown key \"%.64s\" in [detect]", name);
		return 0;
	}
	return 1;
}

/* Keys of [logs]: how to read timestamps. */
int
config_set_logs(struct config_parse *cp, const char *name, const char *value)
{
	long	 v;

	if (strcmp(name, "year") == 0) {
		if (config_parse_int(value, 1970, 9999, &v) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "year: expected a year like 2026");
			return 0;
		}
		cp->cfg->year = (int)v;
	} else if (strcmp(name, "timezone") == 0) {
		if (strcasecmp(value, "utc") == 0)
			cp->cfg->utc = 1;
		else if (strcasecmp(value, "local") == 0)
			cp->cfg->utc = 0;
		else {
			snprintf(cp->error, sizeof(cp->error),
			    "timezone: expected \"local\" or \"UTC\" (set TZ "
			    "for another zone)");
			return 0;
		}
	} else {
		snprintf(cp->error, sizeof(cp->error),
		    "unknown key \"%.64s\" in [logs]", name);
		return 0;
	}
	return 1;
}

/* Keys of [console]. */
int
config_set_console(struct config_parse *cp, const char *name,
    const char *value)
{
	struct mailcon_config	*cfg = cp->cfg;

	if (strcmp(name, "theme") == 0) {
		free(cfg->theme);
		cfg->theme = xstrdup(value);
	} else if (strcmp(name, "history") == 0) {
		free(cfg->history);
		cfg->history = NULL;
		cfg->history_off = strcasecmp(value, "off") == 0;
		if (!cfg->history_off) {
			if (value[0] != '/') {
				snprintf(cp->error, sizeof(cp->error), "history: "
				    "expected an absolute path or off");
				return 0;
			}
			cfg->history = xstrdup(value);
		}
	} else if (strcmp(name, "history_days") == 0) {
		long	 v;

		if (config_parse_int(value, 2, 3650, &v) == -1) {
			snprintf(cp->error, sizeof(cp->error), "history_days: "
			    "expected whole days from 2 to 3650");
			return 0;
		}
		cfg->history_days = (int)v;
	} else if (strcmp(name, "history_max_mb") == 0) {
		long	 v;

		if (config_parse_int(value, 1, 1048576, &v) == -1) {
			snprintf(cp->error, sizeof(cp->error),
			    "history_max_mb: expected whole megabytes from 1 "
			    "to 1048576");
			return 0;
		}
		cfg->history_max_mb = (int)v;
	} else if (strcmp(name, "resolver") == 0) {
		if (config_set_resolver(&cfg->resolver, value, cp->error,
		    sizeof(cp->error)) == -1)
			return 0;
	} else {
		snprintf(cp->error, sizeof(cp->error),
		    "unknown key \"%.64s\" in [console]", name);
		return 0;
	}
	return 1;
}
