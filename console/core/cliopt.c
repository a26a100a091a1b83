/* cliopt.c: command-line option errors, escaped; see cliopt.h. */
#include <getopt.h>
#include <stdio.h>

#include "cliopt.h"
#include "sanitize.h"

/* See cliopt.h. */
void
cliopt_error(const char *cmd, int ch, char *const argv[])
{
	char		 opt[8], shown[256];
	const char	*o = optind > 0 ? argv[optind - 1] : "";

	if ((o[0] != '-' || o[1] != '-') && optopt != 0) {
		/* a short option: the letter, not the group it came in */
		snprintf(opt, sizeof(opt), "-%c", optopt);
		o = opt;
	}
	sanitize_str(shown, sizeof(shown), o);
	if (ch == ':')
		fprintf(stderr, "mailcon%s%s: %s needs a value\n",
		    cmd != NULL ? " " : "", cmd != NULL ? cmd : "", shown);
	else
		fprintf(stderr, "mailcon%s%s: unknown option \"%s\"\n",
		    cmd != NULL ? " " : "", cmd != NULL ? cmd : "", shown);
}
