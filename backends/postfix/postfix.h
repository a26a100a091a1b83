/* postfix.h: what the files of backends/postfix/ share. */
#ifndef MAILCON_POSTFIX_H
#define MAILCON_POSTFIX_H

#include <stddef.h>

#include "backends/backend.h"

/* Ids per postsuper process: about 3,000 a second, never one each. */
#define POSTSUPER_BATCH_MAX	10000

/* A Postfix tool's template words, with -c DIR when the server names its
   instance (postfix_config). */
#define PF_TOOL(name) \
	name, "%{?postfix_config}-c", "%{?postfix_config}%{postfix_config}"

/* log.c: the log parser and its tag filter (backend.h). */
int	postfix_parse_line(const struct log_header *h,
	    struct mail_event *out);
int	postfix_claims(const struct mail_str *prog);

/*
 * postqueue.c: one line of `postqueue -j` (one JSON object per message)
 * into *m; QUEUE_PARSE_*.  Pure, no allocation: the queue id is decoded
 * into the message, the sender straight into its hash, recipients are
 * counted, everything else (delay reasons, unknown fields) is checked and
 * skipped.  Structure is strict JSON; string contents are bytes (Postfix
 * passes a non-UTF-8 sender through, and such a message must not vanish
 * from the summary).
 */
int	postqueue_parse(const char *line, size_t len, struct queue_msg *m);
/* The same as the queue's parse_line (no state: one message a line). */
int	postqueue_parse_line(struct queue_parse *st, const char *line,
	    size_t len, struct queue_msg *out);

/* postsuper.c: the queue ops' line parser (backend.h). */
void	postsuper_line(enum queue_op op, const char *p, size_t len,
	    struct queue_line *out);

/* maincf.c: the last value main.cf's text gives key (the first word
   after '='): 1 with it in buf, or 0. */
int	maincf_param(const char *text, size_t len, const char *key,
	    char *buf, size_t size);
/* The discovery's parsers (backend.h). */
int	maincf_maillog(const char *text, size_t len, char *buf, size_t size);
size_t	maincf_outbound(const char *text, size_t len,
	    struct backend_value *out, size_t max);

/* accounts.c: the check_sasl_access map's steps. */
extern const struct backend_accounts postfix_accounts;

/* wiring.c: does Postfix read that map (postconf -nx, -Px)? */
extern const struct backend_wiring postfix_wiring;

#endif
