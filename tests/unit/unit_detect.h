/*
 * unit_detect.h: what the detector's tests share: addresses, an account's
 * report copied out of detector_foreach, its reasons and their levels.
 * Header only (static), since the Makefile builds each test_*.c alone;
 * include after <cmocka.h>.
 */
#ifndef MAILCON_UNIT_DETECT_H
#define MAILCON_UNIT_DETECT_H

#include <stdio.h>
#include <string.h>

#include "detect/detector.h"

/* IPv4 a.b.c.d as a struct mail_ip. */
static inline struct mail_ip
ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	struct mail_ip	 ip;

	memset(&ip, 0, sizeof(ip));
	ip.family = 4;
	ip.bytes[0] = (uint8_t)a;
	ip.bytes[1] = (uint8_t)b;
	ip.bytes[2] = (uint8_t)c;
	ip.bytes[3] = (uint8_t)d;
	return ip;
}

/*
 * One message of acct from ip at t under queue id qid: its submission,
 * its envelope of nrcpt recipients (none when 0), one delivery of kind to
 * rcpt, and its removal.
 */
static inline void
unit_send(struct detector *d, int64_t t, const char *acct, struct mail_ip ip,
    const char *qid, unsigned nrcpt, enum mail_event_kind kind,
    const char *rcpt)
{
	struct mail_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_SUBMIT;
	ev.time = t;
	ev.account.p = acct;
	ev.account.len = strlen(acct);
	ev.client = ip;
	ev.qid.p = qid;
	ev.qid.len = strlen(qid);
	detector_feed(d, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.time = t;
	ev.qid.p = qid;
	ev.qid.len = strlen(qid);
	if (nrcpt > 0) {
		ev.kind = EV_QUEUED;
		ev.nrcpt = nrcpt;
		detector_feed(d, &ev);
	}
	ev.kind = kind;
	ev.rcpt.p = rcpt;
	ev.rcpt.len = strlen(rcpt);
	detector_feed(d, &ev);
	ev.kind = EV_REMOVED;
	memset(&ev.rcpt, 0, sizeof(ev.rcpt));
	detector_feed(d, &ev);
}

struct find {
	const char		*name;
	int			 found;
	struct account_report	 r;
	char			 why[DETECT_REASONS][256];
};

/* detector_foreach callback: copy the report for one account. */
static inline void
find_cb(const struct account_report *r, void *arg)
{
	struct find	*f = arg;
	int		 i;

	if (strcmp(r->account, f->name) != 0)
		return;
	f->found = 1;
	f->r = *r;
	for (i = 0; i < r->nreasons; i++) {
		snprintf(f->why[i], sizeof(f->why[i]), "%s", r->reasons[i]);
		f->r.reasons[i] = f->why[i];
	}
}

/* The report of one account now (fails the test when it is unknown). */
static inline struct account_report
report(struct detector *d, const char *name, struct find *f)
{
	memset(f, 0, sizeof(*f));
	f->name = name;
	detector_foreach(d, find_cb, f);
	assert_true(f->found);
	return f->r;
}

/* The reason of r containing text, or NULL. */
static inline const char *
reason(const struct account_report *r, const char *text)
{
	int	 i;

	for (i = 0; i < r->nreasons; i++)
		if (strstr(r->reasons[i], text) != NULL)
			return r->reasons[i];
	return NULL;
}

/* Whether some reason of r contains text. */
static inline int
has_reason(const struct account_report *r, const char *text)
{
	return reason(r, text) != NULL;
}

/*
 * The level the reason containing text names ("suspicious at 50"), or -1
 * when no reason contains it: the signal's own level, before the rule
 * that keeps volume one level above who sends.
 */
static inline int
reason_level(const struct account_report *r, const char *text)
{
	const char	*s = reason(r, text);

	if (s == NULL)
		return -1;
	if (strstr(s, "critical at ") != NULL)
		return LEVEL_CRITICAL;
	if (strstr(s, "suspicious at ") != NULL)
		return LEVEL_SUSPICIOUS;
	return strstr(s, "watch at ") != NULL ? LEVEL_WATCH : -1;
}

/* A detector with the default configuration. */
static inline struct detector *
det_default(void)
{
	struct detect_config	 cfg;
	struct detector		*d;

	detect_config_defaults(&cfg);
	d = detector_new(&cfg);
	assert_non_null(d);
	return d;
}

#endif
