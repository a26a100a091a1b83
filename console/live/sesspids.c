/*
 * sesspids.c: the session processes of each account, from the log's
 * headers; see sesspids.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sesspids.h"
#include "backends/event.h"
#include "core/cidr.h"
#include "core/xmalloc.h"

struct sp_entry {
	uint64_t	 hash;		/* of the login, ASCII case folded;
					   0: the session ended */
	int64_t		 time;		/* log time */
	uint32_t	 pid;
	unsigned	 server;
};

/* The address of a login or submission of an account. */
struct sp_addr {
	uint64_t	 hash;		/* of the login, as sp_entry's */
	int64_t		 time;		/* log time */
	struct mail_ip	 ip;
	uint8_t		 login;		/* a login or a submission that
					   succeeded (not a failed login) */
	unsigned	 server;
};

struct sesspids {
	struct sp_entry	 ring[SESSPIDS_RING];
	size_t		 next;		/* where the next goes */
	size_t		 n;		/* entries in use */
	struct sp_addr	 addrs[SESSPIDS_RING];
	size_t		 anext, an;	/* the same, of addrs */
};

/* FNV-1a of a login, case folded as mail servers compare logins; never 0. */
static uint64_t
sp_hash(const char *p, size_t len)
{
	uint64_t	 h = 14695981039346656037ULL;
	size_t		 i;
	unsigned char	 ch;

	for (i = 0; i < len; i++) {
		ch = (unsigned char)p[i];
		if (ch >= 'A' && ch <= 'Z')
			ch += 'a' - 'A';
		h = (h ^ ch) * 1099511628211ULL;
	}
	return h != 0 ? h : 1;
}

/* See sesspids.h. */
struct sesspids *
sesspids_new(void)
{
	return xcalloc(1, sizeof(struct sesspids));
}

/* See sesspids.h. */
void
sesspids_free(struct sesspids *sp)
{
	free(sp);
}

/* Note the client address of a login or a submission, of any service. */
static void
sesspids_note_addr(struct sesspids *sp, unsigned server,
    const struct mail_event *ev)
{
	struct sp_addr	*e;

	if (ev->account.len == 0 || (ev->client.family != 4 &&
	    ev->client.family != 6))
		return;
	switch (ev->kind) {
	case EV_AUTH_OK:
	case EV_AUTH_FAIL:
	case EV_SUBMIT:
		break;
	default:
		return;
	}
	e = &sp->addrs[sp->anext];
	e->hash = sp_hash(ev->account.p, ev->account.len);
	e->time = ev->time;
	e->ip = ev->client;
	e->login = ev->kind != EV_AUTH_FAIL;
	e->server = server;
	sp->anext = (sp->anext + 1) % SESSPIDS_RING;
	if (sp->an < SESSPIDS_RING)
		sp->an++;
}

/* See sesspids.h. */
void
sesspids_note(struct sesspids *sp, unsigned server,
    const struct mail_event *ev)
{
	struct sp_entry	*e;

	if (sp == NULL)
		return;
	sesspids_note_addr(sp, server, ev);
	if (ev->pid == 0 || ev->service != SVC_SMTP)
		return;
	switch (ev->kind) {
	case EV_AUTH_OK:
	case EV_AUTH_FAIL:
	case EV_SUBMIT:
	case EV_REJECTED:
		if (ev->account.len == 0)
			return;
		break;
	case EV_DISCONNECT:
		break;
	default:
		return;
	}
	e = &sp->ring[sp->next];
	/* the end of a session: a hash no login has, so the pid is nobody's
	   until its next line with a login */
	e->hash = ev->kind == EV_DISCONNECT ? 0 :
	    sp_hash(ev->account.p, ev->account.len);
	e->time = ev->time;
	e->pid = ev->pid;
	e->server = server;
	sp->next = (sp->next + 1) % SESSPIDS_RING;
	if (sp->n < SESSPIDS_RING)
		sp->n++;
}

/* Add pid to the open-addressed set seen (2 * SESSPIDS_RING slots);
   0 when it was there already. */
static int
sp_first(uint32_t *seen, uint32_t pid)
{
	size_t	 i = (pid * 2654435761u) % (2 * SESSPIDS_RING);

	while (seen[i] != 0) {
		if (seen[i] == pid)
			return 0;
		i = (i + 1) % (2 * SESSPIDS_RING);
	}
	seen[i] = pid;
	return 1;
}

/* Append word to the list in buf (len bytes so far, n words), a space
   before it unless first; -1, buf as it was, when it does not fit. */
static int
sp_append(char *buf, size_t size, size_t *len, size_t n, const char *word)
{
	int	 w = snprintf(buf + *len, size - *len, "%s%s", n > 0 ? " " : "",
	    word);

	if (w < 0 || (size_t)w >= size - *len) {
		buf[*len] = '\0';
		return -1;
	}
	*len += (size_t)w;
	return 0;
}

/* See sesspids.h. */
size_t
sesspids_of(const struct sesspids *sp, unsigned server, const char *account,
    int64_t now, int64_t max_age, char *buf, size_t size, size_t max)
{
	const struct sp_entry	*e;
	uint32_t		*seen;
	uint64_t		 h = sp_hash(account, strlen(account));
	size_t			 i, n = 0, len = 0;
	char			 word[16];

	if (size > 0)
		buf[0] = '\0';
	if (sp == NULL || size == 0)
		return 0;
	seen = xcalloc(2 * SESSPIDS_RING, sizeof(*seen));
	for (i = 0; i < sp->n && n < max; i++) {
		e = &sp->ring[(sp->next + SESSPIDS_RING - 1 - i) %
		    SESSPIDS_RING];
		if (e->server != server || !sp_first(seen, e->pid))
			continue;
		/* its newest line is another login's: not this account's */
		if (e->hash != h || e->time < now - max_age)
			continue;
		snprintf(word, sizeof(word), "%u", (unsigned)e->pid);
		if (sp_append(buf, size, &len, n, word) == -1)
			break;
		n++;
	}
	free(seen);
	return n;
}

/*
 * sesspids_addrs_of()'s set of addresses: 2 * SESSPIDS_RING slots, open
 * addressed, each 0 (free) or the ring index of the address's first entry
 * plus one, with SP_* flags above (64 KiB in all).
 */
#define SP_SLOTS	(2 * SESSPIDS_RING)
#define SP_INDEX	0xffffu
#define SP_MINE		0x10000u	/* the account's */
#define SP_OTHER	0x20000u	/* another account's login or
					   submission */
#define SP_DONE		0x40000u	/* listed, or counted as spared */
_Static_assert(SESSPIDS_RING < SP_INDEX, "a ring index fits a slot");

/* The slot of e's address in seen; taken for it when it is not there
   and add is set, else NULL.  Two multiplications an address: the
   window's every line is looked up. */
static uint32_t *
sp_addr_slot(const struct sesspids *sp, uint32_t *seen,
    const struct sp_addr *e, int add)
{
	uint64_t	 a, b, h;
	size_t		 i;

	memcpy(&a, e->ip.bytes, 8);
	memcpy(&b, e->ip.bytes + 8, 8);
	h = (a ^ e->ip.family) * 0x9e3779b97f4a7c15ULL ^
	    b * 0xff51afd7ed558ccdULL;
	for (i = (h ^ (h >> 32)) % SP_SLOTS; seen[i] != 0;
	    i = (i + 1) % SP_SLOTS)
		if (memcmp(&sp->addrs[(seen[i] & SP_INDEX) - 1].ip, &e->ip,
		    sizeof(e->ip)) == 0)
			return &seen[i];
	if (!add)
		return NULL;
	seen[i] = (uint32_t)(e - sp->addrs) + 1;
	return &seen[i];
}

/* See sesspids.h. */
size_t
sesspids_addrs_of(const struct sesspids *sp, unsigned server,
    const char *account, int64_t now, int64_t max_age,
    const struct cidr *never, size_t nnever, struct sesspids_spared *spared,
    char *buf, size_t size, size_t max)
{
	const struct sp_addr	*e;
	uint32_t		*seen, *slot;
	uint64_t		 h = sp_hash(account, strlen(account));
	size_t			 i, n = 0, len = 0;
	char			 ip[64];

	if (spared != NULL)
		memset(spared, 0, sizeof(*spared));
	if (size > 0)
		buf[0] = '\0';
	if (sp == NULL || size == 0)
		return 0;
	seen = xcalloc(SP_SLOTS, sizeof(*seen));
	/* the account's addresses in the window, then which of them
	   another account's logins used there too */
	for (i = 0; i < sp->an; i++) {
		e = &sp->addrs[i];
		if (e->hash == h && e->server == server &&
		    e->time >= now - max_age)
			*sp_addr_slot(sp, seen, e, 1) |= SP_MINE;
	}
	for (i = 0; i < sp->an; i++) {
		e = &sp->addrs[i];
		if (e->hash != h && e->login && e->server == server &&
		    e->time >= now - max_age &&
		    (slot = sp_addr_slot(sp, seen, e, 0)) != NULL)
			*slot |= SP_OTHER;
	}
	for (i = 0; i < sp->an && n < max; i++) {
		e = &sp->addrs[(sp->anext + SESSPIDS_RING - 1 - i) %
		    SESSPIDS_RING];
		/* newest first: an address is said once */
		if (e->server != server || e->hash != h ||
		    e->time < now - max_age)
			continue;
		slot = sp_addr_slot(sp, seen, e, 0);
		if (*slot & SP_DONE)
			continue;
		*slot |= SP_DONE;
		if (cidr_list_contains(never, nnever, &e->ip)) {
			if (spared != NULL)
				spared->listed++;
			continue;
		}
		if (*slot & SP_OTHER) {
			if (spared != NULL)
				spared->shared++;
			continue;
		}
		if (mail_ip_format(&e->ip, ip, sizeof(ip))[0] == '\0')
			continue;
		if (sp_append(buf, size, &len, n, ip) == -1)
			break;
		n++;
	}
	free(seen);
	return n;
}

/* See sesspids.h. */
void
sesspids_spared_say(const struct sesspids_spared *spared, char *buf,
    size_t size)
{
	char	 shared[96], listed[64];

	if (size == 0)
		return;
	buf[0] = shared[0] = listed[0] = '\0';
	if (spared == NULL || spared->shared + spared->listed == 0)
		return;
	if (spared->shared > 0)
		snprintf(shared, sizeof(shared), "%zu address%s shared with "
		    "other accounts", spared->shared, spared->shared == 1 ?
		    "" : "es");
	if (spared->listed > 0)
		snprintf(listed, sizeof(listed), "%zu%s in shared_addresses",
		    spared->listed, spared->shared > 0 ? "" :
		    spared->listed == 1 ? " address" : " addresses");
	snprintf(buf, size, "%s%s%s left out of the session cut", shared,
	    spared->shared > 0 && spared->listed > 0 ? " and " : "", listed);
}
