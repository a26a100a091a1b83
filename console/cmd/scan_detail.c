/* scan_detail.c: per-account addresses and queue ids; see scan_detail.h. */
#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "scan_detail.h"
#include "core/csv.h"
#include "core/json.h"
#include "core/u64map.h"
#include "core/xmalloc.h"
#include "detect/detect_detail.h"

#define SD_TEXT_ROWS	20	/* addresses and ids in the table, each */
#define SD_NAME_MAX	512	/* the detector takes no longer login */

enum sd_state { SD_QUEUED, SD_HELD, SD_REMOVED, SD_DELETED, SD_EXPIRED };

static const char *const sd_state_names[] = {
	"queued", "held", "removed", "deleted", "expired"
};

struct sd_qid {
	char		 id[33];	/* NUL-terminated (Postfix long: 32) */
	struct mail_ip	 ip;
	uint8_t		 state;		/* enum sd_state */
	uint32_t	 acct;
	int64_t		 at;
	uint64_t	 seq;		/* submission order */
};

struct sd_ip {
	struct mail_ip	 ip;
	uint32_t	 acct;
	uint64_t	 messages;	/* submissions from it */
	uint64_t	 logins;	/* other logins (IMAP, POP3, AUTH) */
	int64_t		 first, last;
};

struct sd_acct {
	uint64_t	 ips_more;	/* addresses not kept */
	uint64_t	 qids_more;	/* queue ids not kept */
	uint32_t	 nips;		/* addresses kept */
	size_t		 q0, qn;	/* its range of qord (finished) */
	size_t		 i0, in;	/* its range of iord */
};

struct scan_detail {
	struct u64map	 qmap;		/* queue id -> index + 1 in q */
	struct sd_qid	*q;
	size_t		 nq, qcap;
	struct u64map	 imap;		/* (account, address) -> index + 1 */
	struct sd_ip	*ips;
	size_t		 nip, ipcap;
	struct sd_acct	*acct;
	size_t		 nacct;
	uint64_t	 seq;
	size_t		*qord, *iord;	/* by account, after finish */
};

/* See scan_detail.h. */
struct scan_detail *
scan_detail_new(void)
{
	struct scan_detail	*sd = xcalloc(1, sizeof(*sd));

	u64map_init(&sd->qmap, SCAN_DETAIL_QIDS);
	u64map_init(&sd->imap, SCAN_DETAIL_IPS);
	return sd;
}

/* See scan_detail.h. */
void
scan_detail_free(struct scan_detail *sd)
{
	if (sd == NULL)
		return;
	u64map_free(&sd->qmap);
	u64map_free(&sd->imap);
	free(sd->q);
	free(sd->ips);
	free(sd->acct);
	free(sd->qord);
	free(sd->iord);
	free(sd);
}

/* The account record of index i, grown as accounts come. */
static struct sd_acct *
sd_acct(struct scan_detail *sd, long i)
{
	size_t	 n = sd->nacct;

	if ((size_t)i >= n) {
		while (n <= (size_t)i)
			n = n > 0 ? n * 2 : 256;
		sd->acct = xreallocarray(sd->acct, n, sizeof(*sd->acct));
		memset(sd->acct + sd->nacct, 0, (n - sd->nacct) *
		    sizeof(*sd->acct));
		sd->nacct = n;
	}
	return &sd->acct[i];
}

/* The detector's index of the event's login, or -1. */
static long
sd_index(struct detector *d, const struct mail_event *ev)
{
	char	 name[SD_NAME_MAX + 1];

	if (ev->account.len == 0 || ev->account.len >= sizeof(name))
		return -1;
	memcpy(name, ev->account.p, ev->account.len);
	name[ev->account.len] = '\0';
	return detector_find(d, name);
}

/* The key of (account, address). */
static uint64_t
sd_ip_key(long acct, const struct mail_ip *ip)
{
	uint8_t	 b[21];

	memcpy(b, &acct, 4);
	b[4] = ip->family;
	memcpy(b + 5, ip->bytes, 16);
	return u64map_key(b, sizeof(b), 0);
}

/* A login or a submission by account i from ev's client. */
static void
sd_login(struct scan_detail *sd, long i, const struct mail_event *ev,
    int message)
{
	struct sd_acct	*a = sd_acct(sd, i);
	struct sd_ip	*e;
	uint64_t	*v;
	int		 fresh;

	if (ev->client.family != 4 && ev->client.family != 6)
		return;
	v = a->nips < DETECT_EXACT_IPS ? u64map_get(&sd->imap,
	    sd_ip_key(i, &ev->client), 1, &fresh) : u64map_get(&sd->imap,
	    sd_ip_key(i, &ev->client), 0, &fresh);
	if (v == NULL) {
		a->ips_more++;
		return;
	}
	if (fresh) {
		if (sd->nip == sd->ipcap) {
			sd->ipcap = sd->ipcap ? sd->ipcap * 2 : 256;
			sd->ips = xreallocarray(sd->ips, sd->ipcap,
			    sizeof(*sd->ips));
		}
		e = &sd->ips[sd->nip];
		memset(e, 0, sizeof(*e));
		e->ip = ev->client;
		e->acct = (uint32_t)i;
		e->first = ev->time;
		*v = ++sd->nip;
		a->nips++;
	}
	e = &sd->ips[*v - 1];
	if (message)
		e->messages++;
	else
		e->logins++;
	e->last = ev->time;
}

/* A message the login of account i submitted. */
static void
sd_submit(struct scan_detail *sd, long i, const struct mail_event *ev)
{
	struct sd_qid	*q;
	uint64_t	*v;
	int		 fresh;

	if (ev->qid.len == 0 || ev->qid.len >= sizeof(q->id))
		return;
	if ((v = u64map_get(&sd->qmap, u64map_key(ev->qid.p, ev->qid.len, 0),
	    1, &fresh)) == NULL) {
		sd_acct(sd, i)->qids_more++;
		return;
	}
	if (fresh) {
		if (sd->nq == sd->qcap) {
			sd->qcap = sd->qcap ? sd->qcap * 2 : 1024;
			sd->q = xreallocarray(sd->q, sd->qcap, sizeof(*sd->q));
		}
		*v = ++sd->nq;
	}
	/* a reused id is the new message's */
	q = &sd->q[*v - 1];
	memcpy(q->id, ev->qid.p, ev->qid.len);
	q->id[ev->qid.len] = '\0';
	q->ip = ev->client;
	q->acct = (uint32_t)i;
	q->at = ev->time;
	q->state = SD_QUEUED;
	q->seq = sd->seq++;
}

/* What became of a queue id that was kept. */
static void
sd_state(struct scan_detail *sd, const struct mail_event *ev,
    enum sd_state st)
{
	uint64_t	*v;

	if (ev->qid.len == 0 || (v = u64map_get(&sd->qmap,
	    u64map_key(ev->qid.p, ev->qid.len, 0), 0, NULL)) == NULL)
		return;
	/* removed after expiry stays expired: that says more */
	if (st == SD_REMOVED && sd->q[*v - 1].state == SD_EXPIRED)
		return;
	sd->q[*v - 1].state = (uint8_t)st;
}

/* See scan_detail.h. */
void
scan_detail_feed(struct scan_detail *sd, struct detector *d,
    const struct mail_event *ev)
{
	long	 i;

	switch (ev->kind) {
	case EV_SUBMIT:
		if ((i = sd_index(d, ev)) < 0)
			return;
		sd_login(sd, i, ev, 1);
		sd_submit(sd, i, ev);
		break;
	case EV_AUTH_OK:
		if ((i = sd_index(d, ev)) >= 0)
			sd_login(sd, i, ev, 0);
		break;
	case EV_HELD:
		sd_state(sd, ev, SD_HELD);
		break;
	case EV_RELEASED:
		sd_state(sd, ev, SD_QUEUED);
		break;
	case EV_REMOVED:
		sd_state(sd, ev, SD_REMOVED);
		break;
	case EV_DELETED:
		sd_state(sd, ev, SD_DELETED);
		break;
	case EV_EXPIRED:
		sd_state(sd, ev, SD_EXPIRED);
		break;
	default:
		break;
	}
}

static const struct scan_detail *sd_sorting;

/* Queue ids by account, then in the order they came. */
static int
sd_qcmp(const void *a, const void *b)
{
	const struct sd_qid *x = &sd_sorting->q[*(const size_t *)a];
	const struct sd_qid *y = &sd_sorting->q[*(const size_t *)b];

	if (x->acct != y->acct)
		return x->acct < y->acct ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Addresses by account, then most used first, then by address. */
static int
sd_icmp(const void *a, const void *b)
{
	const struct sd_ip *x = &sd_sorting->ips[*(const size_t *)a];
	const struct sd_ip *y = &sd_sorting->ips[*(const size_t *)b];
	uint64_t	 nx = x->messages + x->logins;
	uint64_t	 ny = y->messages + y->logins;

	if (x->acct != y->acct)
		return x->acct < y->acct ? -1 : 1;
	if (nx != ny)
		return nx > ny ? -1 : 1;
	if (x->ip.family != y->ip.family)
		return x->ip.family < y->ip.family ? -1 : 1;
	return memcmp(x->ip.bytes, y->ip.bytes, sizeof(x->ip.bytes));
}

/* See scan_detail.h. */
void
scan_detail_finish(struct scan_detail *sd)
{
	size_t	 i;

	sd->qord = xcalloc(sd->nq + 1, sizeof(*sd->qord));
	sd->iord = xcalloc(sd->nip + 1, sizeof(*sd->iord));
	for (i = 0; i < sd->nq; i++)
		sd->qord[i] = i;
	for (i = 0; i < sd->nip; i++)
		sd->iord[i] = i;
	sd_sorting = sd;
	qsort(sd->qord, sd->nq, sizeof(*sd->qord), sd_qcmp);
	qsort(sd->iord, sd->nip, sizeof(*sd->iord), sd_icmp);
	sd_sorting = NULL;
	for (i = 0; i < sd->nq; i++) {
		struct sd_acct *a = sd_acct(sd, sd->q[sd->qord[i]].acct);

		if (a->qn++ == 0)
			a->q0 = i;
	}
	for (i = 0; i < sd->nip; i++) {
		struct sd_acct *a = sd_acct(sd, sd->ips[sd->iord[i]].acct);

		if (a->in++ == 0)
			a->i0 = i;
	}
}

/* The account record of index, or a zero one. */
static const struct sd_acct *
sd_of(const struct scan_detail *sd, long index)
{
	static const struct sd_acct	 none;

	if (index < 0 || (size_t)index >= sd->nacct)
		return &none;
	return &sd->acct[index];
}

/* An address as text. */
static const char *
sd_ip_text(const struct mail_ip *ip, char *buf, size_t size)
{
	if (inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->bytes, buf,
	    (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
	return buf;
}

/* See scan_detail.h. */
void
scan_detail_json(FILE *f, const struct scan_detail *sd, long index)
{
	const struct sd_acct	*a = sd_of(sd, index);
	const struct sd_ip	*e;
	const struct sd_qid	*q;
	char			 ip[64];
	size_t			 i;

	fputs(",\"logins\":[", f);
	for (i = 0; i < a->in; i++) {
		e = &sd->ips[sd->iord[a->i0 + i]];
		fprintf(f, "%s{\"ip\":\"%s\",\"messages\":%llu,\"logins\":%llu,"
		    "\"first\":", i > 0 ? "," : "", sd_ip_text(&e->ip, ip,
		    sizeof(ip)), (unsigned long long)e->messages,
		    (unsigned long long)e->logins);
		json_time(f, e->first);
		fputs(",\"last\":", f);
		json_time(f, e->last);
		putc('}', f);
	}
	fprintf(f, "],\"logins_more\":%llu,\"queue_ids\":[",
	    (unsigned long long)a->ips_more);
	for (i = 0; i < a->qn; i++) {
		q = &sd->q[sd->qord[a->q0 + i]];
		fputs(i > 0 ? ",{\"id\":" : "{\"id\":", f);
		json_cstring(f, q->id);
		fputs(",\"ip\":", f);
		if (q->ip.family == 4 || q->ip.family == 6)
			fprintf(f, "\"%s\"", sd_ip_text(&q->ip, ip, sizeof(ip)));
		else
			fputs("null", f);
		fputs(",\"at\":", f);
		json_time(f, q->at);
		fprintf(f, ",\"state\":\"%s\"}", sd_state_names[q->state]);
	}
	fprintf(f, "],\"queue_ids_more\":%llu",
	    (unsigned long long)a->qids_more);
}

/* See scan_detail.h. */
void
scan_detail_text(FILE *f, const struct scan_detail *sd, long index,
    int indent)
{
	const struct sd_acct	*a = sd_of(sd, index);
	const struct sd_ip	*e;
	const struct sd_qid	*q;
	char			 ip[64], t1[32], t2[32];
	size_t			 i, queued = 0;

	if (a->in > 0) {
		fprintf(f, "%*slogin addresses: %zu%s\n", indent, "", a->in,
		    a->ips_more > 0 ? " kept" : "");
		fprintf(f, "%*s  %-39s %7s %7s  %-19s  %s\n", indent, "",
		    "ADDRESS", "MSGS", "LOGINS", "FIRST SEEN (UTC)",
		    "LAST SEEN");
		for (i = 0; i < a->in && i < SD_TEXT_ROWS; i++) {
			e = &sd->ips[sd->iord[a->i0 + i]];
			fprintf(f, "%*s  %-39s %7llu %7llu  %s  %s\n", indent,
			    "", sd_ip_text(&e->ip, ip, sizeof(ip)),
			    (unsigned long long)e->messages,
			    (unsigned long long)e->logins,
			    report_time(e->first, t1, sizeof(t1)),
			    report_time(e->last, t2, sizeof(t2)));
		}
		if (a->in > SD_TEXT_ROWS || a->ips_more > 0)
			fprintf(f, "%*s  and %llu more (--json and --csv list "
			    "all that were kept)\n", indent, "",
			    (unsigned long long)(a->in - (a->in >
			    SD_TEXT_ROWS ? SD_TEXT_ROWS : a->in) +
			    a->ips_more));
	}
	if (a->qn == 0)
		return;
	for (i = 0; i < a->qn; i++) {
		q = &sd->q[sd->qord[a->q0 + i]];
		queued += q->state == SD_QUEUED || q->state == SD_HELD;
	}
	fprintf(f, "%*squeue ids: %zu, %zu still queued or held as the log "
	    "tells\n", indent, "", a->qn, queued);
	fprintf(f, "%*s  %-23s %-8s %-19s  %s\n", indent, "", "QUEUE ID",
	    "STATE", "SUBMITTED (UTC)", "FROM");
	for (i = 0; i < a->qn && i < SD_TEXT_ROWS; i++) {
		q = &sd->q[sd->qord[a->q0 + i]];
		fprintf(f, "%*s  %-23s %-8s %s  %s\n", indent, "", q->id,
		    sd_state_names[q->state], report_time(q->at, t1,
		    sizeof(t1)), q->ip.family != 0 ? sd_ip_text(&q->ip, ip,
		    sizeof(ip)) : "-");
	}
	if (a->qn > SD_TEXT_ROWS || a->qids_more > 0)
		fprintf(f, "%*s  and %llu more (--json and --csv list all that "
		    "were kept)\n", indent, "", (unsigned long long)(a->qn -
		    (a->qn > SD_TEXT_ROWS ? SD_TEXT_ROWS : a->qn) +
		    a->qids_more));
}

/* Append text to a growing field. */
static void
sd_cat(char **buf, size_t *len, size_t *cap, const char *text)
{
	size_t	 n = strlen(text);

	if (*len + n + 2 > *cap) {
		*cap = (*len + n + 2) * 2;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	if (*len > 0)
		(*buf)[(*len)++] = ' ';
	memcpy(*buf + *len, text, n + 1);
	*len += n;
}

/* See scan_detail.h. */
void
scan_detail_csv(FILE *f, const struct scan_detail *sd, long index)
{
	const struct sd_acct	*a = sd_of(sd, index);
	const struct sd_ip	*e;
	const struct sd_qid	*q;
	char			*buf = NULL, one[96], ip[64];
	size_t			 i, len = 0, cap = 0;
	int			 pass;

	for (i = 0; i < a->in; i++) {
		e = &sd->ips[sd->iord[a->i0 + i]];
		snprintf(one, sizeof(one), "%s=%llu", sd_ip_text(&e->ip, ip,
		    sizeof(ip)), (unsigned long long)(e->messages + e->logins));
		sd_cat(&buf, &len, &cap, one);
	}
	csv_field(f, buf != NULL ? buf : "", len, 0);
	for (pass = 0; pass < 2; pass++) {
		len = 0;
		for (i = 0; i < a->qn; i++) {
			q = &sd->q[sd->qord[a->q0 + i]];
			if (pass == 0 || q->state == SD_QUEUED ||
			    q->state == SD_HELD)
				sd_cat(&buf, &len, &cap, q->id);
		}
		csv_field(f, buf != NULL && len > 0 ? buf : "", len, 0);
	}
	free(buf);
}
