/*
 * rates.h: message rates as every view shows them, so that the servers
 * view, the accounts view and an account's detail agree: the last 60
 * seconds (a 17-second burst of 400 messages is 400/min, not 40) beside
 * the average over the detector's window (10 minutes by default), both
 * from per-minute counts.  Pure.
 */
#ifndef MAILCON_RATES_H
#define MAILCON_RATES_H

#include <stdint.h>

/*
 * Messages per minute over the last 60 s: the current minute's count
 * (sec seconds into it) and the part of the minute before that lies in
 * those 60 s (counts are per minute, so that part is prorated).
 */
double	rate_last_minute(uint32_t before, uint32_t now, int sec);
/*
 * Messages per minute over a window of window seconds, from the counts of
 * its minutes, oldest first, the last one the current (partial) minute,
 * as the detector counts it: window / 60 + 1 buckets over window / 60
 * minutes.  n may be more (the oldest are left out) or fewer.
 */
double	rate_window(const uint32_t *min, int n, int window);

/*
 * Both rates of per-minute counts min[0..n), oldest first, the last one of
 * minute last_min, at log time clock (a later minute than last_min means
 * the minutes between had nothing).
 */
void	rate_minutes(const uint32_t *min, int n, int64_t last_min,
	    int64_t clock, int window, double *last, double *avg);

#endif
