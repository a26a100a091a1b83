/*
 * config_route.h: between config.c, which reads the file and routes each
 * key by its section, and the files of the sections it routes to.  Not
 * for the rest of the program (config.h is).
 */
#ifndef MAILCON_CONFIG_ROUTE_H
#define MAILCON_CONFIG_ROUTE_H

#include "config.h"

/* The load in progress: what the keys set, and the first error. */
struct config_parse {
	struct mailcon_config	*cfg;
	char			 error[256];	/* first error, without the line */
};

/*
 * A key of [detect], [logs], [console] (config_section.c) or [server
 * NAME] (config_server.c): 1 when set, 0 with cp->error saying why not.
 */
int	config_set_detect(struct config_parse *cp, const char *name,
	    const char *value);
int	config_set_logs(struct config_parse *cp, const char *name,
	    const char *value);
int	config_set_console(struct config_parse *cp, const char *name,
	    const char *value);
int	config_set_server(struct config_parse *cp, const char *server,
	    const char *name, const char *value);
/* After the file: what only a whole [server NAME] section can tell; -1
   with err naming the server. */
int	config_check_servers(struct mailcon_config *cfg, char *err,
	    size_t errlen);

#endif
