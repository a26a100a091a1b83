/*
 * config_keys.c: every key the configuration accepts, by section: the
 * console's own in one table, then the [server] keys each mail system's
 * backend declares (backend.h, its options).  config_handler refuses a key
 * that is in neither before any section parses it, so these are the
 * parser's whole vocabulary: the example configuration
 * (console/dist/mailcon.conf) and the man page are checked against them
 * (tests/unit/test_config_keys.c), and a key added to a parser but not
 * here is refused as unknown.
 */
#include <string.h>

#include "config.h"
#include "detect/detector.h"

struct config_key {
	const char	*section;	/* "server" stands for "server NAME" */
	const char	*name;
};

/* The [detect] signal thresholds are signal_name()'s, not listed here. */
static const struct config_key config_keys[] = {
	{ "detect", "window" },
	{ "detect", "baseline_min_history" },
	{ "detect", "baseline_min_rate" },
	{ "detect", "ratio_min_attempts" },
	{ "detect", "new_ip_min_history" },
	{ "detect", "novelty_window" },
	{ "detect", "geoip" },
	{ "detect", "queue_min_messages" },
	{ "detect", "allow" },
	{ "detect", "max_accounts" },

	{ "server", "logs" },
	{ "server", "log_command" },
	{ "server", "queue" },
	{ "server", "queue_command" },
	{ "server", "queue_interval" },
	{ "server", "backend" },
	{ "server", "auth" },
	{ "server", "suspend_command" },
	{ "server", "unsuspend_command" },
	{ "server", "password_command" },
	{ "server", "outbound_ips" },
	{ "server", "shared_addresses" },
	{ "server", "host" },
	{ "server", "port" },
	{ "server", "user" },
	{ "server", "key" },
	{ "server", "known_hosts" },
	{ "server", "keepalive" },
	{ "server", "sudo" },
	{ "server", "journal" },
	{ "server", "journal_directory" },
	{ "server", "loghost" },
	{ "server", "hostname" },
	{ "server", "group" },

	{ "loghost", "logs" },
	{ "loghost", "log_command" },
	{ "loghost", "silent" },
	{ "loghost", "host" },
	{ "loghost", "port" },
	{ "loghost", "user" },
	{ "loghost", "key" },
	{ "loghost", "known_hosts" },
	{ "loghost", "keepalive" },

	{ "rbl", "zones" },
	{ "rbl", "resolver" },
	{ "rbl", "interval" },
	{ "rbl", "timeout" },
	{ "rbl", "concurrency" },

	{ "watch", "level" },
	{ "watch", "contain" },

	{ "policy", "enabled" },
	{ "policy", "listen" },
	{ "policy", "server" },

	{ "alerts", "notify" },
	{ "alerts", "command" },
	{ "alerts", "command_timeout" },
	{ "alerts", "rate" },
	{ "alerts", "dedupe" },

	{ "console", "theme" },
	{ "console", "history" },
	{ "console", "history_days" },
	{ "console", "history_max_mb" },
	{ "console", "resolver" },

	{ "logs", "year" },
	{ "logs", "timezone" },
};

#define CONFIG_NKEYS	(sizeof(config_keys) / sizeof(config_keys[0]))

/* See config.h. */
int
config_key_known(const char *section, const char *name)
{
	size_t	 i;
	int	 known = -1;

	if (strncmp(section, "server ", 7) == 0)
		section = "server";
	else if (strncmp(section, "loghost ", 8) == 0)
		section = "loghost";
	if (strcmp(section, "detect") == 0)
		for (i = 0; i < SIG_COUNT; i++)
			if (strcmp(name, signal_name((enum signal_id)i)) == 0)
				return 1;
	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(config_keys[i].section, section) != 0)
			continue;
		if (strcmp(config_keys[i].name, name) == 0)
			return 1;
		known = 0;
	}
	if (strcmp(section, "server") == 0 &&
	    backend_option_find(name, NULL) != NULL)
		return 1;
	return known;
}

/* See config.h. */
int
config_key_at(size_t i, const char **section, const char **name)
{
	const struct backend_option	*o;

	if (i < SIG_COUNT) {
		*section = "detect";
		*name = signal_name((enum signal_id)i);
		return 1;
	}
	i -= SIG_COUNT;
	if (i < CONFIG_NKEYS) {
		*section = config_keys[i].section;
		*name = config_keys[i].name;
		return 1;
	}
	if ((o = backend_option_at(i - CONFIG_NKEYS, NULL)) == NULL)
		return 0;
	*section = "server";
	*name = o->name;
	return 1;
}
