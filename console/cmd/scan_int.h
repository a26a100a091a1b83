/*
 * scan_int.h: what scan.c and scan_opts.c share: the checks of the
 * options that are more than a flag.
 */
#ifndef MAILCON_SCAN_INT_H
#define MAILCON_SCAN_INT_H

#include <stdint.h>

#include "report.h"

/* A level name for --min-level (any case); -1 when unknown. */
int	scan_parse_level(const char *s);
/* One output: the table, --json, --csv or --summary; -1 said why not. */
int	scan_check_formats(const struct report_options *ro, int detail,
	    int summary);
/*
 * --since and --until (NULL: not given) in the logs' zone into *from and
 * *to (-1: open): -1 with a message on stderr when one is not a time or
 * they leave nothing between them.
 */
int	scan_period(const char *since, const char *until, int utc,
	    int64_t *from, int64_t *to);

#endif
