/*
 * cmdrun_int.h: what cmdrun.c (the run, and its local process) and
 * cmdrun_ssh.c (its SSH exec channel) share; nothing else includes it.
 */
#ifndef MAILCON_CMDRUN_INT_H
#define MAILCON_CMDRUN_INT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "cmdrun.h"

enum cmdrun_state { CR_RUNNING, CR_KILLED, CR_DONE, CR_FAILED };

#define CMDRUN_SECRETS	4	/* lines of a secret input looked for */

/* One output stream: its pipe (here) and what is kept of it. */
struct cmdrun_buf {
	struct cmdrun	*r;
	int		 stream;	/* CMDRUN_STDOUT, CMDRUN_STDERR */
	int		 fd;		/* here: our end; -1 at EOF */
	char		 text[CMDRUN_OUT_MAX + 1];
	size_t		 len;
};

struct cmdrun {
	enum cmdrun_state state;
	/* here */
	pid_t		 pid;
	int		 infd, execfd;
	char		*input;
	size_t		 inlen, inoff;
	char		*secret;	/* the input's lines, when secret */
	size_t		 secretlen;
	const char	*secrets[CMDRUN_SECRETS + 1];
	size_t		 budget;
	/* over SSH */
	struct ssh_conn	*ssh;		/* borrowed */
	struct ssh_exec	*rx;
	char		 server[128];	/* via's, copied */
	char		 user[128];
	int		 sudo;
	/* either */
	struct cmdrun_buf out, err;
	cmdrun_cb	 cb;
	void		*arg;
	int64_t		 deadline;
	int		 deadline_ms;
	int		 status;
	char		 name[256];	/* sanitised, " on SERVER" added */
	char		 hint[128];
	char		 what[1024];
	int		 said_all;	/* what holds all stderr told */
	char		 error[CMDRUN_OUT_MAX + 1024];
};

/* Take bytes of a stream: keep what fits (stderr always), hand on. */
void	cmdrun_take(struct cmdrun *r, int stream, const char *p, size_t n);
/* The run is over: scrub the secret input from its output, for good. */
void	cmdrun_ended(struct cmdrun *r);
/* The run failed: what (printf) becomes its reason and error. */
void	cmdrun_fail(struct cmdrun *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* cmdrun_ssh.c: start on r->ssh (0, or -1 with err), and step. */
int	cmdrun_ssh_start(struct cmdrun *r, const struct cmdrun_spec *spec,
	    int64_t now_ms, char *err, size_t errlen);
int	cmdrun_ssh_step(struct cmdrun *r, int64_t now_ms);
int	cmdrun_ssh_wait(struct cmdrun *r);

#endif
