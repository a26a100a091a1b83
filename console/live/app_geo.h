/*
 * app_geo.h: the GeoIP databases of [detect] geoip, opened once for every
 * server's detector of the console and the headless watch.
 */
#ifndef MAILCON_APP_GEO_H
#define MAILCON_APP_GEO_H

#include "app.h"

/*
 * Open the configured databases and give every server's detector their
 * context; say once what networks are (and why a database was left out).
 * Call after the servers are made, before history seeds them.
 */
void	app_geo_open(struct app *a);
/* Close them (after the servers are freed). */
void	app_geo_close(void);

#endif
