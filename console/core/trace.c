/* trace.c: the -v trace, written by a thread of its own; see trace.h. */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sanitize.h"
#include "trace.h"
#include "xmalloc.h"

int	trace_level;

/* The queue between the loop's thread and the writer. */
static pthread_mutex_t	 trace_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 trace_cond = PTHREAD_COND_INITIALIZER;
static struct {
	pthread_t	 thread;
	int		 running;
	int		 stop;
	int		 fd;
	char		*q;		/* queued text */
	size_t		 len;
	unsigned long long dropped;	/* lines the queue had no room for */
} tr;

/* Write all of p, retrying after a signal; errors are dropped (a trace
   that cannot be written must not stop the console). */
static void
trace_write_all(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/* The writer: take what is queued, write it, until told to stop. */
static void *
trace_writer(void *arg)
{
	sigset_t		 all;
	char			*buf, note[128];
	size_t			 len;
	unsigned long long	 dropped;
	int			 stop;

	/* signals are the loop's business */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		pthread_mutex_lock(&trace_lock);
		while (tr.len == 0 && tr.dropped == 0 && !tr.stop)
			pthread_cond_wait(&trace_cond, &trace_lock);
		buf = tr.q;
		len = tr.len;
		dropped = tr.dropped;
		stop = tr.stop;
		tr.q = NULL;
		tr.len = 0;
		tr.dropped = 0;
		pthread_mutex_unlock(&trace_lock);
		if (len > 0)
			trace_write_all(tr.fd, buf, len);
		free(buf);
		if (dropped > 0) {
			snprintf(note, sizeof(note), "trace: %llu line(s) "
			    "dropped here: the file could not keep up\n",
			    dropped);
			trace_write_all(tr.fd, note, strlen(note));
		}
		if (stop && len == 0)
			return NULL;
	}
}

/* See trace.h. */
void
trace_log(int level, const char *fmt, ...)
{
	char		 msg[TRACE_LINE_MAX], line[TRACE_LINE_MAX + 64];
	struct timespec	 ts;
	struct tm	 tm;
	va_list		 ap;
	size_t		 n;

	if (level > trace_level || !tr.running)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ld %d ",
	    ts.tv_nsec / 1000000, level);
	/* no control byte of a log reaches the file, whoever called */
	n += sanitize_line(line + n, sizeof(line) - n - 1, msg, strlen(msg));
	line[n++] = '\n';
	pthread_mutex_lock(&trace_lock);
	if (tr.len + n > TRACE_QUEUE_MAX)
		tr.dropped++;
	else {
		tr.q = xreallocarray(tr.q, tr.len + n, 1);
		memcpy(tr.q + tr.len, line, n);
		tr.len += n;
	}
	pthread_cond_signal(&trace_cond);
	pthread_mutex_unlock(&trace_lock);
}

/* See trace.h. */
int
trace_open(const char *path, int level, char *err, size_t errlen)
{
	char	 shown[256];
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
	    O_NOCTTY, 0600)) == -1) {
		snprintf(err, errlen, "cannot write the trace to %s: %s",
		    sanitize_str(shown, sizeof(shown), path), strerror(errno));
		return -1;
	}
	tr.fd = fd;
	tr.stop = 0;
	if (pthread_create(&tr.thread, NULL, trace_writer, NULL) != 0) {
		close(fd);
		snprintf(err, errlen, "cannot start the trace writer");
		return -1;
	}
	tr.running = 1;
	trace_level = level < 1 ? 1 : level;
	trace_log(1, "mailcon %s trace, level %d, pid %ld; times are UTC",
	    MAILCON_VERSION, trace_level, (long)getpid());
	return 0;
}

/* See trace.h. */
void
trace_close(void)
{
	if (!tr.running)
		return;
	trace_log(1, "trace ends");
	trace_level = 0;
	pthread_mutex_lock(&trace_lock);
	tr.stop = 1;
	pthread_cond_signal(&trace_cond);
	pthread_mutex_unlock(&trace_lock);
	pthread_join(tr.thread, NULL);
	tr.running = 0;
	free(tr.q);
	tr.q = NULL;
	tr.len = 0;
	close(tr.fd);
}
