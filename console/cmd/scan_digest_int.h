/*
 * scan_digest_int.h: the digest's tables, shared by scan_digest.c (which
 * fills them from the events) and scan_digest_print.c (which prints them).
 */
#ifndef MAILCON_SCAN_DIGEST_INT_H
#define MAILCON_SCAN_DIGEST_INT_H

#include <stdint.h>

#include "backends/backend.h"
#include "core/u64map.h"

#define DG_QIDS		(1u << 21)	/* queue ids followed */
#define DG_SET		(1u << 20)	/* senders, recipients, domains */
#define DG_IPS		65536		/* client addresses */
#define DG_REASONS	4096		/* distinct reasons per kind */
#define DG_HOURS	(24 * 400)	/* hours of traffic */
#define DG_ACCTS	8		/* accounts told apart per address */
#define DG_TOP		10		/* rows of each top list */
#define DG_REASON_LEN	160		/* a reason's text, at most */
#define DG_REASON_SHOWN	64		/* of which printed */

#define QF_RECEIVED	0x1		/* a client handed it over */
#define QF_SIZED	0x2		/* its envelope was counted */
#define QF_DEFERRED	0x4		/* counted as deferred */

enum { H_RECV, H_DLVR, H_DEFER, H_BOUNCE, H_REJECT, H_AUTHF, H_NCOL };

struct dg_ip {
	struct mail_ip	 ip;
	uint64_t	 messages, logins, fails;
	uint64_t	 acct[DG_ACCTS];	/* hashes of its logins */
	uint8_t		 nacct, more;
	char		 fail_acct[64];	/* a login that failed from it, raw
					   (NUL-terminated, maybe cut) */
};

struct dg_reason {
	char		 text[DG_REASON_LEN + 1];
	uint64_t	 n;
};

struct dg_reasons {
	struct u64map	 map;
	struct dg_reason *v;
	size_t		 n, cap;
	uint64_t	 other;		/* not kept: the table was full */
};

struct scan_digest {
	int		 utc;
	uint64_t	 recv, dlvr, deferrals, deferred, bounced, rejected;
	uint64_t	 held, expired, deleted, bytes, rcpts_env;
	uint64_t	 authf, auth_ok;
	struct u64map	 qids;
	struct u64map	 senders, rcpts, rdoms;
	uint64_t	 lost;		/* events a full table could not tell */
	struct u64map	 ipmap;
	struct dg_ip	*ips;
	size_t		 nip, ipcap;
	struct dg_reasons defer, bounce, reject;
	uint64_t	(*hours)[H_NCOL];
	size_t		 nhours;
	int64_t		 hour0;		/* UTC start of the first hour */
	int64_t		 cache_lo, cache_hi;	/* the hour last looked up */
};

#endif
