/*
 * detect_names.c: the detector's documented defaults and the names of its
 * signals, levels and kinds of evidence (see detector.h).
 */
#include <stdio.h>
#include <string.h>

#include "detect_int.h"

void
detect_config_defaults(struct detect_config *cfg)
{
	static const struct signal_limits lim[SIG_COUNT] = {
		[SIG_AUTH_IPS] = { 3, 6, 20 },
		[SIG_AUTH_NETS] = { 3, 5, 15 },
		[SIG_MSG_RATE] = { 10, 50, 200 },
		[SIG_RCPT_RATE] = { 50, 200, 1000 },
		[SIG_BASELINE] = { 5, 10, 50 },
		[SIG_FANOUT] = { 20, 100, 500 },
		[SIG_FAIL_RATIO] = { 30, 50, 80 },
		[SIG_GUESSED] = { 3, 8, 20 },
		[SIG_QUEUE_SHARE] = { 30, 50, 80 },
		[SIG_NEW_IPS] = { 6, 12, 30 },
		[SIG_NEW_NETS] = { 3, 4, 8 },
		[SIG_COUNTRIES] = { 3, 5, 10 },
		[SIG_NEW_BURST] = { 3, 4, 10 },
		[SIG_NEW_FANOUT] = { 3, 5, 20 },
	};

	memset(cfg, 0, sizeof(*cfg));
	cfg->window = 600;
	memcpy(cfg->limits, lim, sizeof(lim));
	cfg->baseline_min_history = 86400;
	cfg->baseline_min_rate = 5;
	cfg->ratio_min_attempts = 20;
	cfg->queue_min_messages = 100;
	cfg->new_ip_min_history = 86400;
	cfg->novelty_window = 21600;
	cfg->allow = NULL;
	cfg->max_accounts = 1000000;
}

const char *
signal_name(enum signal_id id)
{
	static const char *const names[SIG_COUNT] = {
		"auth_ips", "auth_nets", "msg_rate", "rcpt_rate", "baseline",
		"fanout", "fail_ratio", "guessed", "queue_share", "new_ips",
		"new_nets", "countries", "new_burst", "new_fanout"
	};

	return (unsigned)id < SIG_COUNT ? names[id] : "unknown";
}

const char *
level_name(enum level l)
{
	static const char *const names[] = {
		"ok", "watch", "suspicious", "critical"
	};

	return (unsigned)l <= LEVEL_CRITICAL ? names[l] : "unknown";
}

char *
evidence_format(unsigned mask, char *buf, size_t len)
{
	static const char *const names[] = {
		"logins from many or new places", "volume",
		"deliveries refused", "a guessed password"
	};
	size_t		 i, o = 0;
	int		 n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(mask & (1u << i)))
			continue;
		n = snprintf(buf + o, len - o, "%s%s", o > 0 ? ", " : "",
		    names[i]);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
	if (o == 0)
		snprintf(buf, len, "none");
	return buf;
}
