/*
 * policy_int.h: the policy service's server, shared by its connections
 * (policy_srv.c) and its listeners (policy_listen.c).
 */
#ifndef MAILCON_POLICY_INT_H
#define MAILCON_POLICY_INT_H

#include <stdint.h>

#include "policy_proto.h"
#include "policy_srv.h"

struct policy_conn {
	struct policy_srv	*srv;
	int			 in, out;	/* the same but for stdio */
	int			 stdio;
	struct policy_parser	 parser;
	char			 buf[POLICY_OUT_MAX];	/* answers unwritten */
	size_t			 len;
	int64_t			 since;		/* request started (ms) */
	int64_t			 active;	/* last byte read (ms) */
};

struct policy_listener {
	int		 fd;
	char		*unlink;	/* a socket path we made, or NULL */
};

struct policy_srv {
	struct loop		*loop;
	struct policy_deny	*deny;
	struct policy_hooks	 hooks;
	struct policy_listener	 ls[POLICY_LISTEN_MAX];
	size_t			 nls;
	struct policy_conn	**conns;
	size_t			 nconns;
	int			 timer;
	int			 paused;	/* accepting stopped a moment */
	int			 resume;	/* its timer */
	struct policy_counts	 counts;
};

/* Start serving in (out: where answers go; in == out but for stdio). */
void	policy_srv_conn_add(struct policy_srv *s, int in, int out, int stdio);
/* Make room for a connection: close the one idle longest; -1: none is. */
int	policy_srv_make_room(struct policy_srv *s);
/* A listener is readable: accept what waits (a bounded number). */
void	policy_srv_on_accept(int fd, short revents, void *arg);

#endif
