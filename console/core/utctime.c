/* utctime.c: log times for display (utctime.h). */
#include <time.h>

#include "utctime.h"

/* See utctime.h. */
const char *
utc_format(int64_t t, int how, char *buf, size_t size)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, how == UTC_DATETIME ? "%Y-%m-%d %H:%M:%S" :
	    "%H:%M:%S", &tm) == 0)
		return "-";
	return buf;
}
