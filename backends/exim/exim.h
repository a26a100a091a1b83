/*
 * exim.h: what the files of the Exim backends share (backend.h): the log
 * parser (log.c), the queue listing and the answers of -Mf, -Mt, -Mrm
 * (queue.c), an account's messages read from the spool (spool.c), the
 * suspension of a Debian exim4 + Dovecot server through an ACL's lookup
 * file (accounts.c), and cPanel's account API and its JSON answers
 * (cpanel.c, cpanel_pw.c, cpjson.c).
 */
#ifndef MAILCON_EXIM_H
#define MAILCON_EXIM_H

#include <stddef.h>

#include "backends/backend.h"

/*
 * Ids per batch of -Mf/-Mt/-Mrm: on stdin (480 KB of 23-character ids),
 * which xargs on the server splits into exim processes by its own
 * argument limit; a batch is one deadline.
 */
#define EXIM_BATCH_MAX	20000
/* from this many ids on, two exims at once (exim.c, a string: it is
   written into the script) */
#define EXIM_SPLIT_MIN	"1000"

/*
 * Ids per exim process when the spool read hands them over as it goes
 * (spool.c's take, a string: it is written into the script): a process
 * starts as soon as this many are read, and costs as much as about 150
 * removals
 */
#define EXIM_TAKE_BATCH	"1000"

/* The tool's words: exim, then -C FILE when exim_config is set. */
#define EXIM_TOOL \
	"%{exim_command}", "%{?exim_config}-C", \
	"%{?exim_config}%{exim_config}"

/* log.c: the main log parser and its tag filter. */
int	exim_parse_line(const struct log_header *h,
	    struct mail_event out[MAIL_LINE_EVENTS]);
int	exim_claims(const struct mail_str *prog);

/*
 * queue.c: one line of exim -bpr, -bpi (4.97) or exipick -bpr
 * --show-vars authenticated_id,deliver_freeze (QUEUE_PARSE_MORE until the
 * blank line that ends a message), the end of the output, the ids packed
 * into the console's record and back, and one line of -Mf/-Mt/-Mrm.
 */
int	exim_queue_parse_line(struct queue_parse *st, const char *line,
	    size_t len, struct queue_msg *out);
int	exim_queue_parse_end(struct queue_parse *st, struct queue_msg *out);
size_t	exim_id_pack(const char *id, size_t len, char *out);
size_t	exim_id_unpack(const char *packed, size_t len, char *out);
void	exim_queue_line(enum queue_op op, const char *p, size_t len,
	    struct queue_line *out);

/*
 * spool.c: an account's messages read from the -H spool files, and which
 * of the ids on stdin are still queued (struct backend_queue's select
 * and still), in exipick's form.
 */
extern const char *const exim_spool_select[];
extern const char *const exim_spool_still[];
extern const char *const exim_spool_take_hold[];
extern const char *const exim_spool_take_release[];
extern const char *const exim_spool_take_purge[];

/* wiring.c: does Exim's RCPT or MAIL ACL read the refuse file? */
extern const struct backend_wiring exim_wiring;

/* accounts.c: Debian exim4's part (the refuse file an ACL reads). */
extern const struct backend_accounts exim_accounts;

/* cpanel.c: cPanel's whmapi1 and uapi, both roles. */
extern const struct backend_accounts cpanel_accounts;

/* cpanel_pw.c: an address's password reset and its check. */
extern const struct backend_step cpanel_passwd_set;
extern const struct backend_step cpanel_passwd_check;

/*
 * cpjson.c: judge a whmapi1 answer (metadata.result 1, else
 * metadata.reason) or a uapi answer (result.status 1, else result.errors)
 * printed with --output=json: 1 done, 0 failed with why (plain words,
 * size bytes).  Anything else (not JSON, no status) is a failure.
 */
int	cpanel_answer(const char *out, size_t len, char *why, size_t size);

#endif
