/*
 * config.h: mailcon's INI configuration.
 *
 * Read from --config FILE, else $XDG_CONFIG_HOME/mailcon/config (else
 * ~/.config/mailcon/config); a missing default file means the defaults.
 * Unknown sections and keys are errors: a typo must not silently disable a
 * threshold.  See mailcon(1) for every key.
 */
#ifndef MAILCON_CONFIG_H
#define MAILCON_CONFIG_H

#include <stddef.h>

#include "detector.h"

struct mailcon_config {
	struct detect_config	 detect;
	char			*path;		/* file read, NULL for defaults */
	int			 year;		/* [logs] year: 0 infers */
	int			 utc;		/* [logs] timezone = UTC */
	size_t			 nallow;
};

/*
 * Load path (or the default location when path is NULL) into *cfg, which
 * starts from the defaults.  On error returns -1 with a one-line message
 * naming the file and line in err; cfg must still be freed.
 */
int	config_load(struct mailcon_config *cfg, const char *path, char *err,
	    size_t errlen);
void	config_init(struct mailcon_config *cfg);
void	config_free(struct mailcon_config *cfg);
/* Add an account to the allow-list (the --allow option). */
void	config_allow(struct mailcon_config *cfg, const char *account);
/* The default file's path, or NULL when neither variable is set. */
char	*config_default_path(void);

/* Parsers shared with the command line; 0 on success, -1 on bad input. */
int	config_parse_duration(const char *s, int *seconds);
int	config_parse_limits(const char *s, struct signal_limits *out);

#endif
