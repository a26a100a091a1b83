/*
 * scan_detail.h: what scan --detail adds per account, for forensics: the
 * addresses that logged in as it (messages and mailbox logins from each,
 * first and last seen) and the queue ids its logins produced (when, from
 * where, and what the log says became of each: queued, held, removed
 * after delivery or bounce, deleted by an admin, expired).
 *
 * Fed the same events as the detector, after it, and keyed by its account
 * index, so names compare as logins do.  Bounded: SCAN_DETAIL_QIDS queue
 * ids and SCAN_DETAIL_IPS addresses in all, DETECT_EXACT_IPS addresses per
 * account; what is not kept is counted and said ("and N more").
 */
#ifndef MAILCON_SCAN_DETAIL_H
#define MAILCON_SCAN_DETAIL_H

#include <stdio.h>

#include "detect/detector.h"

#define SCAN_DETAIL_QIDS	(1u << 20)
#define SCAN_DETAIL_IPS		(1u << 20)

struct scan_detail;

struct scan_detail *scan_detail_new(void);
void		 scan_detail_free(struct scan_detail *sd);
/* One event, after detector_feed() took it. */
void		 scan_detail_feed(struct scan_detail *sd, struct detector *d,
		    const struct mail_event *ev);
/* Sort what was kept by account; call once, after the last event. */
void		 scan_detail_finish(struct scan_detail *sd);
/*
 * Account index's members of a JSON object, each after a comma:
 * "logins":[{"ip","messages","logins","first","last"}...] (most used
 * first), "logins_more", "queue_ids":[{"id","ip","at","state"}...] (in
 * order), "queue_ids_more".
 */
void		 scan_detail_json(FILE *f, const struct scan_detail *sd,
		    long index);
/* The same as lines under the account in the table, indented. */
void		 scan_detail_text(FILE *f, const struct scan_detail *sd,
		    long index, int indent);
/* Three CSV fields: login_addresses ("IP=N ..."), queue_ids, queued_ids. */
void		 scan_detail_csv(FILE *f, const struct scan_detail *sd,
		    long index);

#endif
