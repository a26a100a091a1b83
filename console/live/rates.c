/* rates.c: the rates every view shows (rates.h). */
#include "rates.h"

/* See rates.h. */
double
rate_last_minute(uint32_t before, uint32_t now, int sec)
{
	if (sec < 0)
		sec = 0;
	if (sec > 59)
		sec = 59;
	return (double)now + (double)before * (double)(60 - sec) / 60.0;
}

/* See rates.h. */
double
rate_window(const uint32_t *min, int n, int window)
{
	int		 nb = window / 60 + 1, k, start;
	double		 sum = 0;

	if (window < 60)
		window = 60;
	start = n > nb ? n - nb : 0;
	for (k = start; k < n; k++)
		sum += min[k];
	return sum / (window / 60.0);
}

/* Floor of t / 60. */
static int64_t
rate_minute(int64_t t)
{
	return t >= 0 ? t / 60 : -((-t + 59) / 60);
}

/* See rates.h. */
void
rate_minutes(const uint32_t *min, int n, int64_t last_min, int64_t clock,
    int window, double *last, double *avg)
{
	int64_t		 m = rate_minute(clock), at;
	uint32_t	 now = 0, before = 0;
	double		 sum = 0;
	int		 i, nb = window / 60 + 1;

	if (m < last_min)
		m = last_min;	/* a clock behind its own lines: theirs */
	for (i = 0; i < n; i++) {
		at = last_min - (n - 1 - i);
		if (at == m)
			now = min[i];
		else if (at == m - 1)
			before = min[i];
		if (at > m - nb)
			sum += min[i];
	}
	*last = rate_last_minute(before, now, (int)(clock - m * 60));
	*avg = sum / ((window < 60 ? 60 : window) / 60.0);
}
