/*
 * geo.h: country and network (AS) of an address, from the MaxMind-format
 * databases the admin installs (GeoLite2 or DB-IP lite, Country and ASN;
 * Debian's geoipupdate keeps them current), read with libmaxminddb.
 *
 * Several databases may be given: a country database and an ASN database
 * are separate files, and each answer takes the country from the first
 * database that has one and the AS from the first that has one.  The files
 * are mapped, not read; a lookup touches a few pages of them.  Answers are
 * kept in a small direct-mapped cache, as logins repeat addresses.
 *
 * Bad input never stops detection: a database that is missing, unreadable
 * or not a MaxMind database is left out with one line saying so; an
 * address the databases do not know, or a lookup that fails inside a
 * damaged file, is "unknown" (the second is counted and said once).
 */
#ifndef MAILCON_GEO_H
#define MAILCON_GEO_H

#include <stddef.h>

#include "detector.h"

struct geo;

/*
 * Open the databases at paths (NULL-terminated).  Returns NULL when none
 * could be opened; err then says why (empty when paths is empty).  When
 * some but not all opened, the handle is returned and err names the ones
 * left out.  err is one line naming each path and what to do.
 */
struct geo	*geo_open(char *const *paths, char *err, size_t errlen);
void		 geo_close(struct geo *g);

/* A detect_context_fn: arg is the struct geo. */
int		 geo_context(void *arg, const struct mail_ip *ip,
		     struct ip_context *out, int want_org);

/*
 * Lookups that failed inside a database since the last call, with the
 * first error in err ("PATH: what libmaxminddb said"); 0 when none.
 */
unsigned long	 geo_errors(struct geo *g, char *err, size_t errlen);

/* The libmaxminddb version, for --version. */
const char	*geo_lib_version(void);

#endif
