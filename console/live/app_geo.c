/* app_geo.c: the console's GeoIP databases (see app_geo.h). */
#include <stdio.h>

#include "app_act.h"
#include "app_geo.h"
#include "detect/geo.h"
#include "server.h"

/* One set of databases for the whole process. */
static struct geo	*app_geo;

/* See app_geo.h. */
void
app_geo_open(struct app *a)
{
	char	 err[1024];
	size_t	 i;

	if (app_geo != NULL)
		return;
	app_geo = geo_open(a->cfg->geoip, err, sizeof(err));
	if (err[0] != '\0') {
		/* a warning, not an error: detection goes on without it */
		app_note(a, 0, "GeoIP: %s", err);
		if (a->headless)
			app_act_print("warning: GeoIP: %s", err);
	}
	for (i = 0; i < a->nservers && app_geo != NULL; i++)
		detector_set_context(a->servers[i]->det, geo_context, app_geo);
	/* the console says it in the account detail (has_context), where
	   a country would be: the status line is for what needs action */
	if (a->headless && a->nservers > 0)
		app_act_print("networks: %s",
		    detector_networks(a->servers[0]->det));
}

/* See app_geo.h. */
void
app_geo_close(void)
{
	geo_close(app_geo);
	app_geo = NULL;
}
