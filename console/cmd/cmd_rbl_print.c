/*
 * cmd_rbl_print.c: the outcome of `mailcon rbl` as a table (zone health,
 * then each address with its zones) or as one JSON document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_rbl.h"
#include "cmd_rbl_int.h"
#include "core/json.h"
#include "core/sanitize.h"

/* Print one result as a row of the table. */
static void
rbl_cmd_row(const struct rbl_result *res)
{
	const struct rbl_verdict	*v = &res->v;

	printf("  %-26s %-8s %s\n", res->zone, rbl_status_name(v->status),
	    v->status == RBL_LISTED ? v->meaning :
	    v->status == RBL_CLEAN ? "not listed (NXDOMAIN)" : v->reason);
	if (v->status == RBL_LISTED && v->txt[0] != '\0')
		printf("  %-26s %-8s txt: %s\n", "", "", v->txt);
	if (v->status == RBL_LISTED && res->delist[0] != '\0')
		printf("  %-26s %-8s delist: %s\n", "", "", res->delist);
}

/* The table: zone health, then each address with its zones. */
void
rbl_cmd_text(const struct rbl *r, const struct rbl_cmd *c)
{
	const struct rbl_zone_health	*h;
	const struct rbl_result		*res;
	const struct rbl_link		*l;
	struct rbl_summary		 s;
	char				 url[256], said[300];
	size_t				 i, k;

	rbl_summary(r, &s);
	if (s.resolver_down) {
		/* one cause, said once: not a failed health check per zone */
		rbl_resolver_said(r, said, sizeof(said));
		printf("%s: nothing was checked; ask one that answers "
		    "(--resolver IP, or [rbl] resolver)\n", said);
		printf("summary: %zu unknown; %zu queries in %.2f s\n",
		    s.unknown, s.queries, s.elapsed_ms / 1000.0);
		return;
	}
	for (i = 0; i < rbl_nhealth(r); i++) {
		h = rbl_health(r, i);
		if (h->health != RBL_HEALTH_OK)
			printf("zone %s (%s): %s: %s\n", h->zone,
			    h->family == RBL_V6 ? "IPv6" : "IPv4",
			    rbl_health_name(h->health), h->why);
	}
	for (k = 0; k < c->nips; k++) {
		if (c->fleet && c->owners[k] != NULL)
			printf("%s (%s)\n", c->ips[k].text, c->owners[k]);
		else
			printf("%s\n", c->ips[k].text);
		for (i = 0; i < rbl_nresults(r); i++) {
			res = rbl_result(r, i);
			if (strcmp(res->ip.text, c->ips[k].text) == 0)
				rbl_cmd_row(res);
		}
		for (l = rbl_links; l->name != NULL; l++) {
			rbl_url(l->url, &c->ips[k], url, sizeof(url));
			printf("  %-26s %-8s %s\n", l->name, "see", url);
		}
	}
	printf("summary: %zu listed, %zu clean, %zu unknown, %zu error; "
	    "%zu zone checks failed; %zu queries in %.2f s (peak %zu in "
	    "flight)\n", s.listed, s.clean, s.unknown, s.error, s.zones_bad,
	    s.queries, s.elapsed_ms / 1000.0, s.peak_inflight);
}

/* The status as JSON spells it. */
static const char *
rbl_cmd_json_status(enum rbl_status st)
{
	return st == RBL_LISTED ? "listed" : rbl_status_name(st);
}

/* One result as a JSON object. */
static void
rbl_cmd_json_result(const struct rbl_result *res)
{
	const struct rbl_verdict	*v = &res->v;
	size_t				 i;
	uint32_t			 x;

	printf("{\"ip\":");
	json_cstring(stdout, res->ip.text);
	printf(",\"zone\":");
	json_cstring(stdout, res->zone);
	printf(",\"status\":\"%s\",\"codes\":[",
	    rbl_cmd_json_status(v->status));
	for (i = 0; i < v->ncodes; i++) {
		x = v->codes[i];
		printf("%s\"%u.%u.%u.%u\"", i > 0 ? "," : "", x >> 24,
		    (x >> 16) & 255, (x >> 8) & 255, x & 255);
	}
	printf("],\"meaning\":");
	json_cstring(stdout, v->status == RBL_LISTED ? v->meaning : "");
	printf(",\"reason\":");
	json_cstring(stdout, v->status == RBL_LISTED ||
	    v->status == RBL_CLEAN ? "" : v->reason);
	printf(",\"txt\":");
	json_cstring(stdout, v->txt);
	printf(",\"delist\":");
	json_cstring(stdout, res->delist);
	printf(",\"cached\":%s}", res->cached ? "true" : "false");
}

/* An address and the servers it was checked for (names hold no ", "). */
static void
rbl_cmd_json_address(const struct rbl_cmd *c, size_t k)
{
	const char	*p = c->owners[k], *e;

	printf("%s{\"ip\":", k > 0 ? "," : "");
	json_cstring(stdout, c->ips[k].text);
	printf(",\"servers\":[");
	while (p != NULL && *p != '\0') {
		if ((e = strstr(p, ", ")) == NULL)
			e = p + strlen(p);
		printf("%s\"%.*s\"", p != c->owners[k] ? "," : "",
		    (int)(e - p), p);
		p = *e != '\0' ? e + 2 : e;
	}
	printf("]}");
}

/* The whole run as one JSON document. */
void
rbl_cmd_json(const struct rbl *r, const struct rbl_cmd *c, int rc)
{
	const struct rbl_zone_health	*h;
	const struct rbl_link		*l;
	struct rbl_summary		 s;
	char				 url[256], said[300];
	size_t				 i, k;

	printf("{\"resolver\":");
	json_cstring(stdout, c->resolver != NULL ? c->resolver : "system");
	printf(",\"zones\":[");
	for (i = 0; i < rbl_nhealth(r); i++) {
		h = rbl_health(r, i);
		printf("%s{\"zone\":", i > 0 ? "," : "");
		json_cstring(stdout, h->zone);
		printf(",\"family\":\"%s\",\"health\":\"%s\",\"why\":",
		    h->family == RBL_V6 ? "ipv6" : "ipv4",
		    rbl_health_name(h->health));
		json_cstring(stdout, h->why);
		printf("}");
	}
	printf("],\n\"results\":[");
	for (i = 0; i < rbl_nresults(r); i++) {
		printf("%s\n", i > 0 ? "," : "");
		rbl_cmd_json_result(rbl_result(r, i));
	}
	printf("],\n\"reputation\":[");
	for (k = 0; k < c->nips; k++)
		for (l = rbl_links; l->name != NULL; l++) {
			rbl_url(l->url, &c->ips[k], url, sizeof(url));
			printf("%s{\"ip\":\"%s\",\"name\":\"%s\",\"url\":",
			    k + (size_t)(l - rbl_links) > 0 ? "," : "",
			    c->ips[k].text, l->name);
			json_cstring(stdout, url);
			printf("}");
		}
	printf("],\n\"addresses\":[");
	for (k = 0; k < c->nips; k++)
		rbl_cmd_json_address(c, k);
	rbl_summary(r, &s);
	printf("],\n\"summary\":{\"results\":%zu,\"listed\":%zu,\"clean\":%zu,"
	    "\"unknown\":%zu,\"error\":%zu,\"skipped\":%zu,\"zones_bad\":%zu,"
	    "\"queries\":%zu,\"cache_hits\":%zu,\"peak_inflight\":%zu,"
	    "\"elapsed_ms\":%lld,\"resolver_down\":%s,\"resolver_error\":",
	    s.results, s.listed, s.clean, s.unknown, s.error, s.skipped,
	    s.zones_bad, s.queries, s.cache_hits, s.peak_inflight,
	    (long long)s.elapsed_ms, s.resolver_down ? "true" : "false");
	if (s.resolver_down) {
		rbl_resolver_said(r, said, sizeof(said));
		json_cstring(stdout, said);
	} else
		fputs("null", stdout);
	printf("},\"exit\":%d}\n", rc);
}
