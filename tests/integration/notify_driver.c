/*
 * notify_driver.c: post a scripted sequence of alerts through
 * console/alert/notify.c, for tests/integration/test_notify.sh.
 *
 *	notify_driver [-su] [-r RATE] [-d DEDUPE_SECONDS] [-w WAIT_MS] < script
 *
 * Each line of the script is one step, fields separated by tabs, "-" for
 * none; \xNN, \t, \n and \\ are decoded in text fields:
 *
 *	post OFFSET_MS KIND LEVEL SERVER ACCOUNT KEY TITLE BODY
 *	poll OFFSET_MS
 *
 * (KIND: account, containment, listed, stale; LEVEL: ok, watch,
 * suspicious, critical).  Offsets are added to the clock at the start, so
 * a script can move a minute on without waiting.  Prints "post N RESULT"
 * for each post, "event ..." for what the notifier tells, and at the end,
 * after waiting for the desktop (at most WAIT_MS, 15000), "state NAME: REASON".
 * With -s, waits (at most WAIT_MS) for the desktop to answer before the
 * script, as a console is started long before its first alert: the
 * script's clock may then jump without overtaking the connection.
 * With -u, the wait at the end is only until the state is known (a post
 * to a service that never answers stays pending for good).
 * Exit 0, or 2 on a bad script.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert/notify.h"
#include "core/loop.h"

static const char *const results[] = {
	"posted", "fallback", "duplicate", "limited"
};
static const char *const states[] = {
	"starting", "available", "unavailable", "off"
};

/* Print what the notifier tells, one line each. */
static void
on_event(const struct notify_event *ev, void *arg)
{
	switch (ev->type) {
	case NOTIFY_EV_STATE:
		printf("event state %s: %s\n", states[ev->state], ev->text);
		break;
	case NOTIFY_EV_UNSHOWN:
		printf("event unshown: %s\n", ev->text);
		break;
	case NOTIFY_EV_HOOK_DONE:
		printf("event hook-done: %s\n", ev->text);
		break;
	case NOTIFY_EV_HOOK_FAILED:
		printf("event hook-failed: %s\n", ev->text);
		break;
	}
	fflush(stdout);
}

/* Decode \xNN, \t, \n, \\ in place; "-" is NULL. */
static char *
decode(char *s)
{
	char	*o = s, *p = s, hex[3] = { 0, 0, 0 };

	if (strcmp(s, "-") == 0)
		return NULL;
	while (*p != '\0') {
		if (p[0] == '\\' && p[1] == 'x' && p[2] != '\0' &&
		    p[3] != '\0') {
			hex[0] = p[2];
			hex[1] = p[3];
			*o++ = (char)strtol(hex, NULL, 16);
			p += 4;
		} else if (p[0] == '\\' && p[1] == 't') {
			*o++ = '\t';
			p += 2;
		} else if (p[0] == '\\' && p[1] == 'n') {
			*o++ = '\n';
			p += 2;
		} else if (p[0] == '\\' && p[1] == '\\') {
			*o++ = '\\';
			p += 2;
		} else
			*o++ = *p++;
	}
	*o = '\0';
	return s;
}

/* The index of name in names[0..n), or -1. */
static int
lookup(const char *const *names, int n, const char *name)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (name != NULL && strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/* Split line on tabs into at most max fields; how many. */
static int
split(char *line, char **f, int max)
{
	int	 n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		if ((line = strchr(line, '\t')) == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

/* One "post" line: the alert through notifier_post(). */
static int
post(struct notifier *n, char **f, int nf, int64_t t0, int seq)
{
	static const char *const kinds[] = {
		"account", "containment", "listed", "stale"
	};
	static const char *const levels[] = {
		"ok", "watch", "suspicious", "critical"
	};
	struct alert	 a;
	int		 k, l;

	if (nf != 9 || (k = lookup(kinds, 4, f[2])) == -1 ||
	    (l = lookup(levels, 4, f[3])) == -1)
		return -1;
	memset(&a, 0, sizeof(a));
	a.kind = (enum alert_kind)k;
	a.level = (enum level)l;
	a.server = decode(f[4]);
	a.account = decode(f[5]);
	a.key = decode(f[6]);
	a.title = decode(f[7]);
	a.body = decode(f[8]);
	a.time = 1777636800;
	printf("post %d %s\n", seq, results[notifier_post(n, &a,
	    t0 + atoll(f[1]))]);
	fflush(stdout);
	return 0;
}

/* Step the notifier until its state is known (-u); -1 after wait_ms. */
static int
wait_state(struct notifier *n, int wait_ms)
{
	struct pollfd	 pfd[NOTIFY_MAX_FDS];
	int64_t		 now, until = loop_now_ms() + wait_ms;
	const char	*why;
	int		 ms;

	for (;;) {
		now = loop_now_ms();
		notifier_poll(n, now);
		if (notifier_state(n, &why) != NOTIFY_STARTING)
			return 0;
		if (now >= until)
			return -1;
		ms = notifier_wait_ms(n, now);
		if (ms < 0 || ms > 50)
			ms = 50;
		(void)poll(pfd, notifier_fds(n, pfd, NOTIFY_MAX_FDS), ms);
	}
}

int
main(int argc, char *argv[])
{
	struct alert_config	 cfg;
	struct notifier		*n;
	const char		*why;
	char			 line[8192], err[256], *f[9];
	int64_t			 t0;
	int			 ch, nf, seq = 0, wait_ms = 15000, settle = 0;
	int			 until_state = 0;
	enum notify_state	 st;

	alert_config_defaults(&cfg);
	while ((ch = getopt(argc, argv, "sur:d:w:")) != -1) {
		switch (ch) {
		case 'r':
			cfg.rate = atoi(optarg);
			break;
		case 'd':
			cfg.dedupe = atoi(optarg);
			break;
		case 's':
			settle = 1;
			break;
		case 'u':
			until_state = 1;
			break;
		case 'w':
			wait_ms = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: notify_driver [-su] [-r rate] "
			    "[-d dedupe] [-w wait_ms] < script\n");
			return 2;
		}
	}
	if ((n = notifier_new(&cfg, on_event, NULL, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "notifier_new: %s\n", err);
		return 1;
	}
	if (settle)
		(void)notifier_drain(n, wait_ms);
	t0 = loop_now_ms();
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		nf = split(line, f, 9);
		if (strcmp(f[0], "post") == 0 && post(n, f, nf, t0, ++seq) == 0)
			;
		else if (strcmp(f[0], "poll") == 0 && nf == 2)
			notifier_poll(n, t0 + atoll(f[1]));
		else {
			fprintf(stderr, "bad script line: %s\n", f[0]);
			return 2;
		}
		/* as the loop would between events */
		notifier_poll(n, loop_now_ms());
	}
	if (until_state ? wait_state(n, wait_ms) == -1 :
	    notifier_drain(n, wait_ms) == -1)
		printf("drain timed out\n");
	st = notifier_state(n, &why);
	printf("state %s: %s\n", states[st], why);
	fflush(stdout);
	notifier_free(n);
	return 0;
}
