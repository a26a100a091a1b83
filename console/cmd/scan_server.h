/*
 * scan_server.h: `mailcon scan --by-server`: a central log host's files
 * read offline, each line counted for the server its syslog HOSTNAME
 * names, one detector per server (accounts are per server, as in the
 * console).
 *
 * Which name a line's server has: the [server] whose hostname = (or name,
 * with loghost =) it is, compared without regard to case.  When the config
 * has such servers, any other HOSTNAME is "unknown host" (never trusted to
 * name one); without them, a valid HOSTNAME names itself.  A HOSTNAME
 * that is not a host name (empty, control bytes) is "unknown host"; a
 * line with no host field (Dovecot's log_path, Exim's main log) is
 * "no host".
 */
#ifndef MAILCON_SCAN_SERVER_H
#define MAILCON_SCAN_SERVER_H

#include <stdio.h>

#include "report.h"
#include "config/config.h"
#include "detect/detector.h"

#define SCAN_UNKNOWN_HOST	"unknown host"
#define SCAN_NO_HOST		"no host"

struct scan_servers;

struct scan_servers	*scan_servers_new(const struct mailcon_config *cfg);
void			 scan_servers_free(struct scan_servers *ss);
/* Every detector made from now on gets this context (GeoIP). */
void			 scan_servers_context(struct scan_servers *ss,
			    detect_context_fn fn, void *arg);
/* The detector of the server HOSTNAME host[0..len) names (made when new);
   never NULL. */
struct detector		*scan_servers_det(struct scan_servers *ss,
			    const char *host, size_t len);
/*
 * The report grouped by server: the table (a block per server, worst
 * first) or, with ro->json, one document whose rows each carry "server".
 * Returns EXIT_FOUND when any account reached suspicious, else EXIT_CLEAN.
 */
int			 scan_servers_print(FILE *f, struct scan_servers *ss,
			    const struct scan_stats *st,
			    const struct report_options *ro);

#endif
