/*
 * recent.h: messages in the last 60 seconds, exactly, per account and per
 * server, counted from the message ring (detect/msgring.h) once per
 * snapshot, while the ring reaches back that far (20,000 messages: any
 * rate under 333 a second).  Beyond that, the rate over the last 60 s is
 * estimated from the per-minute counts (rates.h), so the views show the
 * same figure either way and never wait for it.
 */
#ifndef MAILCON_RECENT_H
#define MAILCON_RECENT_H

#include <stdint.h>

struct app;

/* Count the last 60 s of every server at monotonic time now_ms. */
void	recent_count(struct app *a, int64_t now_ms);
/*
 * Messages of the account (detector index) in the last 60 s: exact when
 * the ring reached back, else estimate (the caller's, from the minutes).
 */
double	recent_account(const struct app *a, unsigned server, uint32_t index,
	    double estimate);
/* The same for a server's outbound messages. */
double	recent_server(const struct app *a, unsigned server, double estimate);
void	recent_free(struct app *a);

#endif
