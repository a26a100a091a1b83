/*
 * sesspids.h: which processes serve an account's SMTP sessions, as the
 * log's headers name them ("postfix/smtpd[4242]: ..." lines with its
 * login), so a suspension can end the sessions already open.
 *
 * A session process serves one session after another (Postfix's smtpd:
 * up to max_use), so a pid is the account's only while the newest line
 * of that pid with a login is the account's and no end of a session
 * (EV_DISCONNECT, smtpd's "disconnect from") came after it: after that
 * the process is idle or serves another client.  Older ones are forgotten
 * (a ring of the last SESSPIDS_RING lines).  What this gives is a
 * candidate list: the log is text any local user can forge (logger -t),
 * and a pid may have exited or been reused since, so the backend's step
 * checks every pid before any signal (backends/backend.h, sessions_end).
 */
#ifndef MAILCON_SESSPIDS_H
#define MAILCON_SESSPIDS_H

#include <stddef.h>
#include <stdint.h>

#define SESSPIDS_RING	8192	/* lines with a login and a pid kept */
#define ACT_SESSION_AGE	3600	/* s: a login line older than this names
				   no open session (smtpd's own limits end
				   a session far sooner) */
#define ACT_ADDR_AGE	600	/* s: the addresses of its logins kept for
				   a suspension: the sessions a botnet opens
				   are short, and an older address may be an
				   office's shared one */

struct cidr;
struct sesspids;
struct mail_event;

struct sesspids	*sesspids_new(void);
void		 sesspids_free(struct sesspids *sp);
/*
 * Note an event's pid (an SMTP event with a login and a pid, or the end
 * of an SMTP session with a pid), and the client address of a login or a
 * submission (of any service, with or without a pid: Dovecot's auth
 * process logs every login it looks up, before the session sends
 * anything); others are ignored.
 */
void		 sesspids_note(struct sesspids *sp, unsigned server,
		     const struct mail_event *ev);
/*
 * The pids whose newest line with a login is server's account, that line
 * no older than max_age seconds before now (log time), newest first,
 * decimal, one space between, into buf (at most max of them, as many as
 * fit); returns how many.
 */
size_t		 sesspids_of(const struct sesspids *sp, unsigned server,
		     const char *account, int64_t now, int64_t max_age,
		     char *buf, size_t size, size_t max);

/* Why addresses were left out of sesspids_addrs_of()'s list. */
struct sesspids_spared {
	size_t		 shared;	/* another account logged in or sent
					   from it in the same window */
	size_t		 listed;	/* in the never list (the server's
					   shared_addresses) */
};

/*
 * The client addresses of server's account's logins and submissions, no
 * older than max_age seconds before now (log time), newest first, each
 * once, as mail_ip_format() writes them, one space between, into buf (at
 * most max of them, as many as fit); returns how many.  A candidate list
 * like the pids': the backend ends only connections of its own session
 * processes from these addresses.
 *
 * Left out, and counted in *spared (NULL: not counted), are the addresses
 * the account shares: one another account logged in from or sent from
 * in the same window (a webmail, an office's or a carrier's NAT; a failed
 * login of another name does not count, or a hijacker could shield its
 * address by trying one), and those in never (n networks, the admin's
 * list).  Ending a connection from such an address could end another
 * user's session; the account's own sessions there are still ended by
 * their pids.  One pass over the ring and one over its window.
 */
size_t		 sesspids_addrs_of(const struct sesspids *sp, unsigned server,
		     const char *account, int64_t now, int64_t max_age,
		     const struct cidr *never, size_t n,
		     struct sesspids_spared *spared, char *buf, size_t size,
		     size_t max);
/*
 * What spared counts, in words for the result and the audit ("2
 * addresses shared with other accounts left out of the session cut"),
 * into buf; "" when nothing was left out.
 */
void		 sesspids_spared_say(const struct sesspids_spared *spared,
		     char *buf, size_t size);

#endif
