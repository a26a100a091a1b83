/*
 * ssh_hostkey.h: SSH host keys against known_hosts files, as OpenSSH
 * judges them: the key of exactly the type the server offered, under the
 * name "[host]:port" (plain "host" for port 22).
 *
 * Several files are read (the user's ~/.ssh/known_hosts, read-only, and
 * mailcon's own, which ssh_hostkey_append() writes after the operator
 * accepted a key).  A key found in any file is a match; else an entry of
 * the same type with another key, or a matching "@revoked" line, is a
 * mismatch (a hard stop); else an entry of another type is a hard stop
 * too (as ssh(1) has it: a man in the middle may hold a key of one type
 * only, and the server's known key would never be asked for); else the
 * host is unknown.  Lines libssh2 cannot parse (certificates,
 * security-key types) are skipped one by one rather than ending the file,
 * so one odd line in a user's file does not hide the rest.
 *
 * Fingerprints are written as OpenSSH writes them: "SHA256:" and the
 * base64 of the SHA-256 of the key blob, without padding.
 */
#ifndef MAILCON_SSH_HOSTKEY_H
#define MAILCON_SSH_HOSTKEY_H

#include <stddef.h>

#include <libssh2.h>

#define SSH_FP_MAX	64	/* "SHA256:" + 43 + NUL fits */
#define SSH_HK_FILES	2	/* the user's file and mailcon's own */

enum ssh_hk_result {
	SSH_HK_MATCH,
	SSH_HK_MISMATCH,	/* another key of this type, or revoked */
	SSH_HK_NOTFOUND,
	SSH_HK_OTHER_TYPE,	/* only a key of another type is known */
	SSH_HK_ERROR		/* no key from the server, or out of memory */
};

/* What a check found; strings are plain ASCII, safe to show. */
struct ssh_hk_check {
	enum ssh_hk_result	 result;
	char			 type[32];	/* "ssh-ed25519", ... */
	char			 offered[SSH_FP_MAX];	/* the server's key */
	char			 known[SSH_FP_MAX];	/* mismatch, other
						   type: the file's */
	char			 known_type[32];	/* other type: its type */
	char			 file[256];	/* mismatch, other type: which
						   file */
	int			 revoked;	/* mismatch: @revoked line */
};

/* The fingerprint of a key blob into out (at least SSH_FP_MAX bytes). */
void	ssh_fingerprint(const unsigned char *blob, size_t len, char *out,
	    size_t size);
/* The fingerprint of a base64 key as known_hosts holds it; -1 if not
   base64. */
int	ssh_fingerprint_b64(const char *b64, char *out, size_t size);
/* The key type's name as in known_hosts ("ssh-ed25519"), for a
   LIBSSH2_HOSTKEY_TYPE_*; "unknown" for others. */
const char *ssh_hostkey_type_name(int type);
/* "[host]:port", or "host" for port 22: the known_hosts name. */
void	ssh_hostkey_name(const char *host, int port, char *out, size_t size);

/*
 * Check the host key session offered (after its handshake) for host and
 * port against files[0..nfiles) (NULL or missing files are skipped).
 */
void	ssh_hostkey_check(LIBSSH2_SESSION *session, const char *host,
	    int port, const char *const files[], size_t nfiles,
	    struct ssh_hk_check *out);
/*
 * The host key algorithms to offer, those with an entry for this host
 * first (as OpenSSH does, so a known ecdsa key is not met with an
 * "unknown" ed25519 one), only those this libssh2 supports.  Into out;
 * "" when nothing is known.
 */
void	ssh_hostkey_prefs(LIBSSH2_SESSION *session, const char *host,
	    int port, const char *const files[], size_t nfiles, char *out,
	    size_t size);
/*
 * Append "[host]:port TYPE BASE64" for a key blob to file (created 0600;
 * its directory must exist) and sync it.  0, or -1 with err set.
 */
int	ssh_hostkey_append(const char *file, const char *host, int port,
	    int type, const unsigned char *blob, size_t len, char *err,
	    size_t errlen);

#endif
