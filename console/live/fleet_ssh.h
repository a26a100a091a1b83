/*
 * fleet_ssh.h: the SSH connection to a [loghost] with host = (fleet.h):
 * its files are followed on the log host over this one connection, by
 * the remote follower a server's own logs use (intake/rfollow.h: read
 * only, rotation handled there).
 *
 * The connection is stepped from the loop (its socket, and a timer for
 * deadlines, keepalives and a host name's lookup) once fleet_ssh_poll()
 * was given the loop; without a loop (tests) each poll steps it.  An
 * unknown host key is never accepted here: the state says what to do.
 * Owned by its fleet; freed after the sources that use it.
 */
#ifndef MAILCON_FLEET_SSH_H
#define MAILCON_FLEET_SSH_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct loop;
struct fleet_ssh;
struct ssh_conn;

/* A connection to lh's host (lh->ssh.host set), looked up with resolver
   ("IP[:PORT]", or NULL for the system's) when it is a name. */
struct fleet_ssh *fleet_ssh_new(const struct loghost_config *lh,
		    const char *resolver, int64_t now_ms);
void		 fleet_ssh_free(struct fleet_ssh *x);
/*
 * Move it on (and, the first time, have loop step it from then on); the
 * connection, for the sources' polls.  *changed is 1 when its state
 * changed since the last call, with the new one in status.
 */
struct ssh_conn	*fleet_ssh_poll(struct fleet_ssh *x, struct loop *loop,
		    int64_t now_ms, int *changed, char *status, size_t size);

#endif
