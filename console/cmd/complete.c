/* complete.c: the names the shell completions offer (servers, themes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complete.h"
#include "scan.h"
#include "config/config.h"
#include "tui/theme.h"

/* Print the [server NAME] names of the config file that is in effect. */
static int
complete_servers(const char *config_path)
{
	struct mailcon_config	 cfg;
	char			 err[512];
	size_t			 i;
	int			 rc = EXIT_CLEAN;

	config_init(&cfg);
	if (config_load(&cfg, config_path, err, sizeof(err)) == -1) {
		fprintf(stderr, "mailcon: %s\n", err);
		rc = EXIT_ERROR;
	} else
		for (i = 0; i < cfg.nservers; i++)
			printf("%s\n", cfg.servers[i].name);
	config_free(&cfg);
	return rc;
}

/* Print every theme name --theme takes without a path. */
static int
complete_themes(void)
{
	char	**v = theme_list();
	size_t	 i;

	for (i = 0; v[i] != NULL; i++) {
		printf("%s\n", v[i]);
		free(v[i]);
	}
	free(v);
	return EXIT_CLEAN;
}

/* See complete.h. */
int
cmd_list(int argc, char **argv)
{
	const char	*config_path = NULL;
	int		 i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config_path = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			config_path = argv[i] + 9;
		else {
			fprintf(stderr, "usage: mailcon --list-servers "
			    "[--config FILE] | --list-themes\n");
			return EXIT_ERROR;
		}
	}
	if (strcmp(argv[0], "--list-themes") == 0)
		return complete_themes();
	return complete_servers(config_path);
}
