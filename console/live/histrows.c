/* histrows.c: log gaps beside incidents, and the history view's order. */
#include <stdio.h>
#include <string.h>

#include "histrows.h"
#include "core/textfit.h"
#include "core/xmalloc.h"

/* See histrows.h. */
int
histrows_add_gap(struct app *a, const char *server, const char *path,
    const char *why, int64_t at, int earlier)
{
	struct gap	*g;

	/*
	 * A gap comes at most once per restart of a remote follower, but
	 * the server says when: a broken or hostile one must not make the
	 * list grow without end.  The history file still records them all.
	 */
	if (a->ngaps >= HISTROWS_GAPS_MAX) {
		a->gaps_unlisted++;
		return -1;
	}
	if (a->ngaps == a->capgaps) {
		a->capgaps = a->capgaps ? a->capgaps * 2 : 8;
		a->gaps = xreallocarray(a->gaps, a->capgaps, sizeof(*a->gaps));
	}
	g = &a->gaps[a->ngaps++];
	memset(g, 0, sizeof(*g));
	snprintf(g->server, sizeof(g->server), "%s", server);
	snprintf(g->path, sizeof(g->path), "%s", path);
	(void)textfit(g->why, sizeof(g->why), why != NULL ? why : "");
	g->at = at;
	g->earlier = earlier;
	return 0;
}

/* Does gap g come before incident n? */
static int
histrows_gap_first(const struct gap *g, const struct incident *n)
{
	if (g->earlier != n->earlier)
		return g->earlier;
	return g->at < n->opened;
}

/* See histrows.h. */
size_t
histrows_merge(const struct incident *inc, size_t ninc, const struct gap *gap,
    size_t ngap, struct hist_row *out)
{
	size_t	 i = 0, j = 0, k = 0;

	while (i < ninc || j < ngap) {
		if (j < ngap && (i == ninc ||
		    histrows_gap_first(&gap[j], &inc[i]))) {
			out[k].index = (uint32_t)j++;
			out[k].gap = 1;
		} else {
			out[k].index = (uint32_t)i++;
			out[k].gap = 0;
		}
		k++;
	}
	return k;
}

/* See histrows.h. */
void
histrows_build(struct app *a)
{
	size_t	 n = a->nincidents + a->ngaps;

	if (a->caphist < n) {
		a->caphist = n + 64;
		a->hist = xreallocarray(a->hist, a->caphist,
		    sizeof(*a->hist));
	}
	a->nhist = histrows_merge(a->incidents, a->nincidents, a->gaps,
	    a->ngaps, a->hist);
}
