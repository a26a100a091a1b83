/*
 * main.c: mailcon's entry point: global options and the command table.
 */
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <curses.h>
#include <sqlite3.h>
#include <ares.h>

#include "cmd/cmd_act.h"
#include "cmd/cmd_policy.h"
#include "cmd/cmd_rbl.h"
#include "cmd/check.h"
#include "cmd/complete.h"
#include "cmd/scan.h"
#include "config/config.h"
#include "core/paths.h"
#include "core/sanitize.h"
#include "detect/geo.h"
#include "live/app.h"
#include "tui/console.h"

struct command {
	const char	*name;
	int		(*run)(int, char **);
	const char	*summary;
};

static const struct command commands[] = {
	{ "scan", cmd_scan, "report hijacked-looking accounts in mail logs" },
	{ "watch", cmd_watch, "unattended: alert and contain (--headless)" },
	{ "act", cmd_act, "suspend, reset, hold, release or purge an account" },
	{ "rbl", cmd_rbl, "where are our addresses listed (DNS blocklists)" },
	{ "policy", cmd_policy, "refuse suspended accounts inline (Postfix "
	    "policy service)" },
	{ "check", cmd_check, "check the set-up: servers, logs, queue, "
	    "wiring" },
	{ NULL, NULL, NULL }
};

/* Print the top-level usage with the command table. */
static void
usage(FILE *f)
{
	const struct command	*c;

	fputs("usage: mailcon [--help | --version | --list-themes]\n"
	    "       mailcon --list-servers [--config FILE]\n"
	    "       mailcon [--config FILE] [--theme NAME] [--demo]   (the console)\n"
	    "               [-v --trace FILE]\n"
	    "       mailcon COMMAND [ARG...]\n"
	    "An incident console for mail administrators: finds accounts\n"
	    "whose passwords leaked, from Postfix and Dovecot logs.\n\n"
	    "Commands:\n", f);
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fputs("\nRun 'mailcon COMMAND --help' for a command's options; "
	    "see mailcon(1).\n", f);
}

/*
 * Print the version, the versions of the libraries in use, and where this
 * binary looks for its configuration and data (what `make install`
 * compiled in, or MAILCON_DATADIR and MAILCON_SYSCONFDIR).
 */
static void
version(void)
{
	char	 data[PATH_MAX], themes[PATH_MAX], sys[PATH_MAX];
	char	*user = config_default_path(), *used = config_find();

	printf("mailcon %s\nzlib %s, %s, sqlite %s, c-ares %s, "
	    "libmaxminddb %s\n", MAILCON_VERSION, zlibVersion(),
	    curses_version(), sqlite3_libversion(), ares_version(NULL),
	    geo_lib_version());
	printf("config: %s%s%s; in use: %s\n", user != NULL ? user : "",
	    user != NULL ? ", else " : "", paths_sysconfig(sys, sizeof(sys)),
	    used != NULL ? used : "none (the defaults)");
	printf("data: %s; themes: %s\n", paths_datadir(data, sizeof(data)),
	    paths_themedir(themes, sizeof(themes)));
	free(user);
	free(used);
}

int
main(int argc, char **argv)
{
	const struct command	*c;
	char			 shown[128];

	setlocale(LC_ALL, "");
	sanitize_locale();
	opterr = 0;		/* options are refused by us, escaped */
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0)) {
			usage(stdout);
			return EXIT_CLEAN;
		}
		if (argc >= 2 && (strcmp(argv[1], "--version") == 0 ||
		    strcmp(argv[1], "-V") == 0)) {
			version();
			return EXIT_CLEAN;
		}
		if (argc >= 2 && (strcmp(argv[1], "--list-servers") == 0 ||
		    strcmp(argv[1], "--list-themes") == 0))
			return cmd_list(argc - 1, argv + 1);
		return cmd_console(argc, argv);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		version();
		return EXIT_CLEAN;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "mailcon: unknown command \"%s\"; try 'mailcon "
	    "--help'\n", sanitize_str(shown, sizeof(shown), argv[1]));
	return EXIT_ERROR;
}
