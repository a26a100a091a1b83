/*
 * geo.c: address context through libmaxminddb (see geo.h).
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "core/dhash.h"

#define GEO_MAX		4	/* databases at most */
#define GEO_CACHE	4096	/* cached answers (a power of two) */

struct geo_cached {
	uint64_t	 key;		/* 0: empty */
	uint32_t	 asn;
	char		 cc[2];
	uint8_t		 found;
};

struct geo {
	MMDB_s		 db[GEO_MAX];
	char		*path[GEO_MAX];
	int		 n;
	unsigned long	 errors;
	char		 first_error[256];
	struct geo_cached cache[GEO_CACHE];
};

/* Append one "PATH: why" to err, "; "-separated. */
static void
geo_complain(char *err, size_t errlen, const char *path, const char *why)
{
	size_t	 o = strlen(err);

	if (o + 1 >= errlen)
		return;
	snprintf(err + o, errlen - o, "%s%s: %s", o > 0 ? "; " : "", path,
	    why);
}

struct geo *
geo_open(char *const *paths, char *err, size_t errlen)
{
	struct geo	*g;
	int		 i, rc;
	char		 why[256];

	if (errlen > 0)
		err[0] = '\0';
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		snprintf(err, errlen, "GeoIP: out of memory");
		return NULL;
	}
	for (i = 0; paths != NULL && paths[i] != NULL; i++) {
		if (g->n == GEO_MAX) {
			geo_complain(err, errlen, paths[i], "left out: at most "
			    "4 GeoIP databases");
			continue;
		}
		errno = 0;
		rc = MMDB_open(paths[i], MMDB_MODE_MMAP, &g->db[g->n]);
		if (rc == MMDB_SUCCESS &&
		    (g->path[g->n] = strdup(paths[i])) != NULL) {
			g->n++;
			continue;
		}
		if (rc == MMDB_SUCCESS) {
			MMDB_close(&g->db[g->n]);
			snprintf(why, sizeof(why), "out of memory");
		} else if ((rc == MMDB_FILE_OPEN_ERROR ||
		    rc == MMDB_IO_ERROR) && errno != 0)
			snprintf(why, sizeof(why), "cannot read it (%s): "
			    "install a GeoLite2 or DB-IP lite database there "
			    "(geoipupdate) or fix [detect] geoip; networks are "
			    "prefixes meanwhile", strerror(errno));
		else
			snprintf(why, sizeof(why), "not a MaxMind database "
			    "(%s): download it again; networks are prefixes "
			    "meanwhile", MMDB_strerror(rc));
		geo_complain(err, errlen, paths[i], why);
	}
	if (g->n == 0) {
		free(g);
		return NULL;
	}
	return g;
}

void
geo_close(struct geo *g)
{
	int	 i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++) {
		MMDB_close(&g->db[i]);
		free(g->path[i]);
	}
	free(g);
}

/* Note a failed lookup in database i. */
static void
geo_failed(struct geo *g, int i, int rc)
{
	if (g->errors++ == 0)
		snprintf(g->first_error, sizeof(g->first_error), "%s: %s",
		    g->path[i], MMDB_strerror(rc));
}

/* Copy a string value into buf (bytes below 0x20 and 0x7f become '?'). */
static void
geo_copy(char *buf, size_t len, const MMDB_entry_data_s *v)
{
	size_t	 i, n = v->data_size < len - 1 ? v->data_size : len - 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v->utf8_string[i];

		buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[n] = '\0';
}

/* Look ip up in every database; 1 when something is known. */
static int
geo_lookup(struct geo *g, const struct mail_ip *ip, struct ip_context *out,
    int want_org)
{
	struct sockaddr_in	 s4;
	struct sockaddr_in6	 s6;
	const struct sockaddr	*sa;
	MMDB_lookup_result_s	 r;
	MMDB_entry_data_s	 v;
	int			 i, rc, mmerr, found = 0;

	if (ip->family == 4) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, ip->bytes, 4);
		sa = (const struct sockaddr *)&s4;
	} else {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, ip->bytes, 16);
		sa = (const struct sockaddr *)&s6;
	}
	for (i = 0; i < g->n; i++) {
		r = MMDB_lookup_sockaddr(&g->db[i], sa, &mmerr);
		if (mmerr != MMDB_SUCCESS) {
			geo_failed(g, i, mmerr);
			continue;
		}
		if (!r.found_entry)
			continue;
		if (out->cc[0] == '\0') {
			rc = MMDB_get_value(&r.entry, &v, "country", "iso_code",
			    NULL);
			if (rc != MMDB_SUCCESS || !v.has_data)
				rc = MMDB_get_value(&r.entry, &v,
				    "registered_country", "iso_code", NULL);
			if (rc == MMDB_SUCCESS && v.has_data &&
			    v.type == MMDB_DATA_TYPE_UTF8_STRING &&
			    v.data_size == 2) {
				geo_copy(out->cc, sizeof(out->cc), &v);
				found = 1;
			} else if (rc != MMDB_SUCCESS &&
			    rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
				geo_failed(g, i, rc);
		}
		if (out->asn == 0) {
			rc = MMDB_get_value(&r.entry, &v,
			    "autonomous_system_number", NULL);
			if (rc == MMDB_SUCCESS && v.has_data &&
			    v.type == MMDB_DATA_TYPE_UINT32) {
				out->asn = v.uint32;
				found = 1;
			} else if (rc != MMDB_SUCCESS &&
			    rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
				geo_failed(g, i, rc);
		}
		if (want_org && out->org[0] == '\0' &&
		    MMDB_get_value(&r.entry, &v,
		    "autonomous_system_organization", NULL) == MMDB_SUCCESS &&
		    v.has_data && v.type == MMDB_DATA_TYPE_UTF8_STRING)
			geo_copy(out->org, sizeof(out->org), &v);
	}
	return found;
}

int
geo_context(void *arg, const struct mail_ip *ip, struct ip_context *out,
    int want_org)
{
	struct geo		*g = arg;
	struct geo_cached	*c;
	uint64_t		 key;
	int			 found;

	memset(out, 0, sizeof(*out));
	if (g == NULL || (ip->family != 4 && ip->family != 6))
		return 0;
	key = dhash_bytes(ip->bytes, ip->family == 4 ? 4 : 16, 0) | 1;
	c = &g->cache[key & (GEO_CACHE - 1)];
	if (!want_org && c->key == key) {
		memcpy(out->cc, c->cc, 2);
		out->cc[2] = '\0';
		out->asn = c->asn;
		return c->found;
	}
	found = geo_lookup(g, ip, out, want_org);
	c->key = key;
	memcpy(c->cc, out->cc, 2);
	c->asn = out->asn;
	c->found = (uint8_t)found;
	return found;
}

unsigned long
geo_errors(struct geo *g, char *err, size_t errlen)
{
	unsigned long	 n;

	if (g == NULL || g->errors == 0)
		return 0;
	n = g->errors;
	snprintf(err, errlen, "%s", g->first_error);
	g->errors = 0;
	return n;
}

const char *
geo_lib_version(void)
{
	return MMDB_lib_version();
}
