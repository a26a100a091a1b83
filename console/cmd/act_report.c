/*
 * act_report.c: what `mailcon act` says on the terminal (act_report.h).
 * Every name and text from a log or a command is sanitised before it is
 * printed; a generated password is printed once, here, and nowhere else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act_report.h"
#include "core/exitcodes.h"
#include "core/loop.h"
#include "core/sanitize.h"

/* contain_request.progress: a line a second once it takes over one. */
void
act_on_progress(void *arg, size_t done, size_t total)
{
	struct act_progress	*p = arg;
	int64_t			 now = loop_now_ms();

	if (p->start == 0)
		p->start = now;
	if (now - p->start < 1000 || now - p->told < 1000)
		return;
	p->told = now;
	fprintf(stderr, "mailcon: act: %s: %zu of %zu so far\n", p->verb,
	    done, total);
}

/* Ask on the terminal; 1 only for an explicit yes. */
int
act_confirm(const char *question)
{
	char	 line[16];

	if (!isatty(STDIN_FILENO))
		return 0;
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

/* Count what a queue action would touch, for the question. */
size_t
act_count(struct contain_request req)
{
	struct contain	*c;
	size_t		 n;

	req.count_only = 1;
	c = contain_start(&req, NULL, loop_now_ms());
	(void)contain_wait(c);
	n = contain_result(c)->outcome == CO_DONE ?
	    contain_result(c)->selected : 0;
	contain_free(c);
	return n;
}

/* Print the result; the exit status. */
int
act_report(const struct contain_request *req, const struct contain_result *r,
    int verbose)
{
	const char	*what = r->outcome == CO_DONE ? "done" :
	    r->outcome == CO_PARTIAL ? "PARTLY DONE" :
	    r->outcome == CO_REFUSED ? "refused" : "FAILED";
	char		 account[256], text[sizeof(r->text) * 4];
	char		 verify[sizeof(r->verify) * 4];

	/* a refused name may hold a newline or escape: never raw */
	sanitize_text(account, sizeof(account), req->account,
	    strlen(req->account));
	/* the texts hold pieces of stderr (sanitised) and the name */
	sanitize_line(text, sizeof(text), r->text, strlen(r->text));
	sanitize_line(verify, sizeof(verify), r->verify, strlen(r->verify));

	if (req->dry_run && r->outcome == CO_DONE) {
		/* its parts are sanitised or checked by their grammar */
		fputs(r->summary, stdout);
		if (verbose) {
			/* shell lines to copy: quoted, no byte the grammar
			   refused */
			fputs("\nThe commands, in order:\n", stdout);
			fputs(r->commands, stdout);
			printf("# %s\n", text);
		} else
			fputs("(--verbose shows the exact commands and "
			    "scripts)\n", stdout);
		/* it described the run: the summary says what failed */
		return EXIT_CLEAN;
	}
	printf("%s %s on %s: %s: %s\n", contain_action_name(req->action),
	    account, req->server->name, what, text);
	if (verify[0] != '\0')
		printf("verification: %s\n", verify);
	if (req->action == CA_RESET && r->password[0] != '\0' &&
	    r->outcome == CO_DONE)
		printf("new password for %s (shown once, never stored): %s\n",
		    account, r->password);
	if (r->outcome == CO_REFUSED)
		return EXIT_ERROR;
	return r->outcome == CO_DONE && r->verified != 0 ? EXIT_CLEAN :
	    EXIT_FOUND;
}
