/*
 * cmd_rbl.c: `mailcon rbl [IP...]`: where are our addresses listed?  The
 * same checker (rbl.h) the console uses, run to the end and printed as a
 * table or JSON.  Without addresses: every configured server's
 * outbound_ips (each address named with its servers); one server on this
 * machine without them has its addresses found here (rbl_discover.h), and
 * so has this machine when no server is configured.  A server behind SSH,
 * or one of several, without outbound_ips is refused by name: this
 * machine's interfaces are not its addresses, and checking them instead
 * would make the fleet look clean.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_rbl.h"
#include "cmd_rbl_int.h"
#include "scan.h"
#include "config/config.h"
#include "config/discover.h"
#include "core/cliopt.h"
#include "core/json.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "core/xmalloc.h"
#include "net/resolve.h"
#include "rbl/rbl.h"
#include "rbl/rbl_discover.h"

/* See cmd_rbl.h. */
void
rbl_usage(FILE *f)
{
	fputs("usage: mailcon rbl [IP...] [--server NAME] [--zones Z,...]\n"
	    "                  [--resolver IP[:PORT]] [--timeout MS] "
	    "[--concurrency N]\n"
	    "                  [--json] [--config FILE]\n"
	    "Check addresses against DNS blocklists (DNSBL).\n"
	    "\n"
	    "  IP...             addresses to check; without them, every "
	    "configured\n"
	    "                    server's outbound_ips (all are needed when "
	    "there are\n"
	    "                    several); for one server on this machine "
	    "without\n"
	    "                    them, or none configured, the addresses its "
	    "MTA's\n"
	    "                    configuration binds to (Postfix: "
	    "smtp_bind_address)\n"
	    "                    and this machine's public interface "
	    "addresses\n"
	    "  --server NAME     the [server NAME] whose addresses to check\n"
	    "  --zones Z,...     blocklist zones (default: [rbl] zones, else\n"
	    "                    Spamhaus ZEN, SpamCop, Barracuda, "
	    "UCEPROTECT,\n"
	    "                    PSBL, Mailspike)\n"
	    "  --resolver IP[:PORT]  ask this resolver, not the system's\n"
	    "  --timeout MS      per query (default 5000)\n"
	    "  --concurrency N   queries in flight at most (default 32)\n"
	    "  --json            one JSON document on stdout\n"
	    "  --config FILE     read FILE instead of the default config\n"
	    "\n"
	    "Only NXDOMAIN from a zone that passes its health check "
	    "(127.0.0.2\nlisted, 127.0.0.1 not) is \"clean\"; a resolver that "
	    "answers nothing is\nsaid once.  Found addresses are public only "
	    "(not private, shared or\ndocumentation ranges).\n"
	    "Exit status: 0 all clean, 1 listed somewhere, 2 bad input,\n"
	    "3 some answers unknown (timeout, SERVFAIL, refused, broken "
	    "zone)\n  and nothing listed.\n", f);
}

/* Name owner (may be NULL) among the servers of address i. */
static void
rbl_cmd_own(struct rbl_cmd *c, size_t i, const char *owner)
{
	char	*was = c->owners[i];
	size_t	 n;

	if (owner == NULL)
		return;
	if (was == NULL) {
		c->owners[i] = xstrdup(owner);
		return;
	}
	n = strlen(was) + strlen(owner) + 3;
	c->owners[i] = xmalloc(n);
	snprintf(c->owners[i], n, "%s, %s", was, owner);
	free(was);
}

/* Add one address of owner (a server's name, or NULL). */
static void
rbl_cmd_add_ip(struct rbl_cmd *c, const struct rbl_ip *ip, const char *owner)
{
	size_t	 i;

	for (i = 0; i < c->nips; i++)
		if (strcmp(c->ips[i].text, ip->text) == 0) {
			rbl_cmd_own(c, i, owner);
			return;
		}
	c->ips = xreallocarray(c->ips, c->nips + 1, sizeof(*c->ips));
	c->owners = xreallocarray(c->owners, c->nips + 1,
	    sizeof(*c->owners));
	c->ips[c->nips] = *ip;
	c->owners[c->nips] = NULL;
	rbl_cmd_own(c, c->nips++, owner);
}

/* Add one address of owner; -1 with a message when it is not one. */
static int
rbl_cmd_add(struct rbl_cmd *c, const char *s, const char *owner)
{
	struct rbl_ip	 ip;
	char		 err[160];

	if (rbl_ip_parse(s, &ip, err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: rbl: %s\n", err);
		return -1;
	}
	rbl_cmd_add_ip(c, &ip, owner);
	return 0;
}

/*
 * The addresses of sc (NULL: this machine, no server configured): its
 * outbound_ips, else, on this machine, the ones found here.  -1 with a
 * message when there are none.
 */
static int
rbl_cmd_one_server(struct rbl_cmd *c, const struct server_config *sc)
{
	struct rbl_found	*found;
	char			 skipped[512];
	size_t			 i, n;

	if (sc != NULL && sc->outbound_ips != NULL) {
		for (i = 0; sc->outbound_ips[i] != NULL; i++)
			if (rbl_cmd_add(c, sc->outbound_ips[i], sc->name) == -1)
				return -1;
		return 0;
	}
	if (sc != NULL && (sc->ssh.host != NULL || sc->loghost != NULL)) {
		fprintf(stderr, "mailcon: rbl: server %s is %s and has no "
		    "outbound_ips: its addresses cannot be found from here; "
		    "set outbound_ips in [server %s], or give the "
		    "addresses\n", sc->name, sc->ssh.host != NULL ?
		    "reached over SSH" : "followed through a log host",
		    sc->name);
		return -1;
	}
	n = discover_rbl(sc, &found, skipped, sizeof(skipped));
	for (i = 0; i < n; i++) {
		if (!c->json)
			fprintf(stderr, "mailcon: rbl: checking %s (%s)\n",
			    found[i].ip.text, found[i].source);
		rbl_cmd_add_ip(c, &found[i].ip, sc != NULL ? sc->name : NULL);
	}
	free(found);
	if (n == 0) {
		fprintf(stderr, "mailcon: rbl: no public outbound address "
		    "found%s%s%s; give addresses, or set outbound_ips in "
		    "[server NAME]\n", skipped[0] != '\0' ? " (skipped: " :
		    "", skipped, skipped[0] != '\0' ? ")" : "");
		return -1;
	}
	return 0;
}

/*
 * Every server's outbound_ips.  Those without them are named and nothing
 * is checked: which machine they send from is not known here.
 */
static int
rbl_cmd_fleet(struct rbl_cmd *c, const struct mailcon_config *cfg)
{
	char	 missing[512] = "";
	size_t	 i, n = 0, len;

	for (i = 0; i < cfg->nservers; i++) {
		if (cfg->servers[i].outbound_ips != NULL)
			continue;
		len = strlen(missing);
		if (len + 1 < sizeof(missing))
			snprintf(missing + len, sizeof(missing) - len, "%s%s",
			    n > 0 ? ", " : "", cfg->servers[i].name);
		n++;
	}
	if (n > 0) {
		fprintf(stderr, "mailcon: rbl: %zu of the %zu servers in %s "
		    "have no outbound_ips (%s): nothing checked; set "
		    "outbound_ips in their [server] sections, check one with "
		    "--server NAME, or give the addresses\n", n,
		    cfg->nservers, cfg->path != NULL ? cfg->path : "the config",
		    missing);
		return -1;
	}
	c->fleet = 1;
	for (i = 0; i < cfg->nservers; i++)
		if (rbl_cmd_one_server(c, &cfg->servers[i]) == -1)
			return -1;
	return 0;
}

/* The addresses of the server named (NULL: of every server). */
static int
rbl_cmd_server_ips(struct rbl_cmd *c, const struct mailcon_config *cfg,
    const char *name)
{
	char	 shown[80];
	size_t	 i;

	if (name == NULL && cfg->nservers > 1)
		return rbl_cmd_fleet(c, cfg);
	if (name == NULL)
		return rbl_cmd_one_server(c, cfg->nservers == 1 ?
		    &cfg->servers[0] : NULL);
	for (i = 0; i < cfg->nservers; i++)
		if (strcmp(cfg->servers[i].name, name) == 0)
			return rbl_cmd_one_server(c, &cfg->servers[i]);
	sanitize_text(shown, sizeof(shown), name, strlen(name));
	fprintf(stderr, "mailcon: rbl: no server \"%s\" in %s\n", shown,
	    cfg->path != NULL ? cfg->path : "the config");
	return -1;
}

/* The default zones of the catalogue. */
static char **
rbl_cmd_default_zones(void)
{
	const struct rbl_zone	*z;
	char			**v = xcalloc(1, sizeof(char *));
	size_t			 n = 0;

	for (z = rbl_zones; z->name != NULL; z++)
		if (z->by_default) {
			v = xreallocarray(v, n + 2, sizeof(char *));
			v[n++] = xstrdup(z->name);
			v[n] = NULL;
		}
	return v;
}

/* Parse a whole number in [min, max] from an option. */
static int
rbl_cmd_number(const char *opt, const char *s, long min, long max, int *out)
{
	char	*end;
	long	 v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "mailcon: rbl: %s: expected %ld to %ld\n", opt,
		    min, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* Run the check and print it; the exit status. */
static int
rbl_cmd_run(struct rbl_cmd *c, const struct rbl_options *opt)
{
	struct rbl		*r;
	struct rbl_summary	 s;
	char			 err[512];
	size_t			 nz;
	int			 rc;

	if ((r = rbl_new(opt, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mailcon: rbl: %s\n", err);
		return EXIT_ERROR;
	}
	for (nz = 0; c->zones[nz] != NULL; nz++)
		;
	if (rbl_start(r, c->ips, c->nips, (const char *const *)c->zones, nz,
	    loop_now_ms(), err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: rbl: %s\n", err);
		rbl_free(r);
		return EXIT_ERROR;
	}
	rbl_wait(r);
	rbl_summary(r, &s);
	if (s.listed > 0)
		rc = EXIT_FOUND;
	else if (s.unknown > 0 || s.error > 0 || s.zones_bad > 0)
		rc = RBL_EXIT_UNKNOWN;
	else
		rc = EXIT_CLEAN;
	if (c->json)
		rbl_cmd_json(r, c, rc);
	else
		rbl_cmd_text(r, c);
	rbl_free(r);
	return rc;
}

/* See cmd_rbl.h. */
int
cmd_rbl(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server",	required_argument,	NULL, 's' },
		{ "zones",	required_argument,	NULL, 'z' },
		{ "resolver",	required_argument,	NULL, 'r' },
		{ "timeout",	required_argument,	NULL, 't' },
		{ "concurrency", required_argument,	NULL, 'n' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct mailcon_config	 cfg;
	struct rbl_cmd		 c;
	struct rbl_options	 opt;
	const char		*config_path = NULL, *server = NULL;
	const char		*zones = NULL;
	char			 err[512], one[RBL_ZONE_MAX + 1], csv[80];
	int			 ch, rc = EXIT_ERROR, timeout = 0, conc = 0;
	size_t			 i;

	memset(&c, 0, sizeof(c));
	memset(&opt, 0, sizeof(opt));
	config_init(&cfg);
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			server = optarg;
			break;
		case 'z':
			zones = optarg;
			break;
		case 'r':
			c.resolver = optarg;
			break;
		case 't':
			if (rbl_cmd_number("--timeout", optarg, 100, 60000,
			    &timeout) == -1)
				goto out;
			break;
		case 'n':
			if (rbl_cmd_number("--concurrency", optarg, 1, 1024,
			    &conc) == -1)
				goto out;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'j':
			c.json = 1;
			break;
		case 'h':
			rbl_usage(stdout);
			rc = EXIT_CLEAN;
			goto out;
		default:
			cliopt_error("rbl", ch, argv);
			rbl_usage(stderr);
			goto out;
		}
	}
	if (config_load(&cfg, config_path, err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: rbl: %s\n", err);
		goto out;
	}
	if (c.resolver == NULL)
		c.resolver = cfg.rbl.resolver;
	if (c.resolver != NULL && resolver_server_parse(c.resolver, csv,
	    sizeof(csv), err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: rbl: %s\n", err);
		goto out;
	}
	if (zones != NULL)
		c.zones = config_split_list(zones);
	else if (cfg.rbl.zones != NULL) {
		c.zones = config_split_list("");
		for (i = 0; cfg.rbl.zones[i] != NULL; i++) {
			c.zones = xreallocarray(c.zones, i + 2, sizeof(char *));
			c.zones[i] = xstrdup(cfg.rbl.zones[i]);
			c.zones[i + 1] = NULL;
		}
	} else
		c.zones = rbl_cmd_default_zones();
	if (c.zones[0] == NULL) {
		fprintf(stderr, "mailcon: rbl: --zones: no zone given\n");
		goto out;
	}
	for (i = 0; c.zones[i] != NULL; i++)
		if (rbl_zone_name(c.zones[i], one, sizeof(one), err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "mailcon: rbl: %s\n", err);
			goto out;
		}
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (rbl_cmd_add(&c, argv[i], NULL) == -1)
			goto out;
	if (c.nips == 0 && rbl_cmd_server_ips(&c, &cfg, server) == -1)
		goto out;
	opt.resolver = c.resolver;
	opt.timeout_ms = timeout > 0 ? timeout : cfg.rbl.timeout_ms;
	opt.concurrency = conc > 0 ? conc : cfg.rbl.concurrency;
	rc = rbl_cmd_run(&c, &opt);
out:
	for (i = 0; c.zones != NULL && c.zones[i] != NULL; i++)
		free(c.zones[i]);
	free(c.zones);
	for (i = 0; i < c.nips; i++)
		free(c.owners[i]);
	free(c.owners);
	free(c.ips);
	config_free(&cfg);
	return rc;
}
