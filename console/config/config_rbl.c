/*
 * config_rbl.c: the configuration of the DNS blocklist check: [rbl] and
 * the outbound_ips key of [server NAME].  Values are checked here with the
 * same rules as the command line (rbl_zone.h), so a typo in a zone or an
 * address stops the start rather than silently checking nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "core/xmalloc.h"
#include "net/resolve.h"
#include "rbl/rbl.h"

/* See config.h. */
void
config_rbl_init(struct rbl_config *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->interval = 3600;
	rc->timeout_ms = RBL_TIMEOUT_MS;
	rc->concurrency = RBL_CONCURRENCY;
}

/* See config.h. */
void
config_rbl_free(struct mailcon_config *cfg)
{
	size_t	 i;

	config_free_strv(cfg->rbl.zones);
	free(cfg->rbl.resolver);
	config_rbl_init(&cfg->rbl);
	for (i = 0; i < cfg->nservers; i++) {
		config_free_strv(cfg->servers[i].outbound_ips);
		cfg->servers[i].outbound_ips = NULL;
	}
}

/* See config.h. */
int
config_rbl_interval(const struct mailcon_config *cfg)
{
	size_t	 i;

	if (cfg->rbl.interval_set)
		return cfg->rbl.interval;
	for (i = 0; i < cfg->nservers; i++)
		if (cfg->servers[i].outbound_ips != NULL)
			return cfg->rbl.interval;
	return 0;
}

/* See config.h. */
char **
config_split_list(const char *s)
{
	char		**v = xcalloc(1, sizeof(char *));
	size_t		 n = 0;
	const char	*start;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '\0')
			return v;
		start = s;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != ',')
			s++;
		v = xreallocarray(v, n + 2, sizeof(char *));
		v[n++] = xstrndup(start, (size_t)(s - start));
		v[n] = NULL;
	}
}

/* "1500ms", "2s" or "2": a query timeout from 100 ms to 60 s. */
static int
config_rbl_timeout(const char *s, int *ms)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno != 0 || v <= 0)
		return -1;
	if (strcmp(end, "ms") != 0) {
		if (*end != '\0' && strcmp(end, "s") != 0)
			return -1;
		if (v > 60)
			return -1;
		v *= 1000;
	}
	if (v < 100 || v > 60000)
		return -1;
	*ms = (int)v;
	return 0;
}

/* See config.h. */
int
config_set_resolver(char **slot, const char *value, char *err,
    size_t errlen)
{
	char	 csv[80];

	free(*slot);
	*slot = NULL;
	if (strcasecmp(value, "system") == 0)
		return 0;
	if (resolver_server_parse(value, csv, sizeof(csv), err, errlen) == -1)
		return -1;
	*slot = xstrdup(value);
	return 0;
}

/* See config.h. */
int
config_set_rbl(struct rbl_config *rc, const char *name, const char *value,
    char *err, size_t errlen)
{
	char	 why[256], one[RBL_ZONE_MAX + 1], **v;
	size_t	 i;
	long	 n;
	int	 secs;

	if (strcmp(name, "zones") == 0) {
		v = config_split_list(value);
		for (i = 0; v[i] != NULL; i++) {
			if (rbl_zone_name(v[i], one, sizeof(one), why,
			    sizeof(why)) == -1) {
				snprintf(err, errlen, "zones: %s", why);
				config_free_strv(v);
				return -1;
			}
			free(v[i]);
			v[i] = xstrdup(one);
		}
		if (i == 0) {
			snprintf(err, errlen, "zones: expected zone names "
			    "separated by commas, like zen.spamhaus.org, "
			    "bl.spamcop.net");
			free(v);
			return -1;
		}
		config_free_strv(rc->zones);
		rc->zones = v;
	} else if (strcmp(name, "resolver") == 0) {
		if (config_set_resolver(&rc->resolver, value, err,
		    errlen) == -1)
			return -1;
	} else if (strcmp(name, "interval") == 0) {
		rc->interval_set = 1;
		if (strcasecmp(value, "off") == 0)
			rc->interval = 0;
		else if (config_parse_duration(value, &secs) == -1 ||
		    secs < 60) {
			snprintf(err, errlen, "interval: expected a duration "
			    "of at least 1m, like 1h, or off");
			return -1;
		} else
			rc->interval = secs;
	} else if (strcmp(name, "timeout") == 0) {
		if (config_rbl_timeout(value, &rc->timeout_ms) == -1) {
			snprintf(err, errlen, "timeout: expected 100ms to 60s, "
			    "like 5s or 1500ms");
			return -1;
		}
	} else if (strcmp(name, "concurrency") == 0) {
		if (config_parse_int(value, 1, 1024, &n) == -1) {
			snprintf(err, errlen, "concurrency: expected a whole "
			    "number from 1 to 1024");
			return -1;
		}
		rc->concurrency = (int)n;
	} else
		return 0;
	return 1;
}

/* See config.h. */
int
config_set_outbound(struct server_config *sc, const char *name,
    const char *value, char *err, size_t errlen)
{
	struct rbl_ip	 ip;
	char		 why[160], **v;
	size_t		 i;

	if (strcmp(name, "outbound_ips") != 0)
		return 0;
	v = config_split_list(value);
	for (i = 0; v[i] != NULL; i++) {
		if (rbl_ip_parse(v[i], &ip, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "outbound_ips: %s", why);
			config_free_strv(v);
			return -1;
		}
		free(v[i]);
		v[i] = xstrdup(ip.text);
	}
	if (i == 0) {
		snprintf(err, errlen, "outbound_ips: expected IP addresses "
		    "separated by commas");
		free(v);
		return -1;
	}
	config_free_strv(sc->outbound_ips);
	sc->outbound_ips = v;
	return 1;
}
