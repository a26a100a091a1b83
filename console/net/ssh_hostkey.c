/* ssh_hostkey.c: SSH host keys against known_hosts; see ssh_hostkey.h. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ssh_hostkey.h"
#include "core/xmalloc.h"

#define HK_MAX_BLOB	16384	/* larger than any host key */

/* The key types we know, in the order offered when none is known. */
static const struct hk_type {
	int		 type;		/* LIBSSH2_HOSTKEY_TYPE_* */
	int		 known;		/* LIBSSH2_KNOWNHOST_KEY_* */
	const char	*name;		/* in known_hosts */
	const char	*algs;		/* for method_pref */
} hk_types[] = {
	{ LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519,
	  "ssh-ed25519", "ssh-ed25519" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256,
	  "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384,
	  "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521,
	  "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521" },
	{ LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA,
	  "ssh-rsa", "rsa-sha2-512,rsa-sha2-256,ssh-rsa" },
};
#define HK_NTYPES	(sizeof(hk_types) / sizeof(hk_types[0]))

/* The table entry of a LIBSSH2_HOSTKEY_TYPE_*, or NULL. */
static const struct hk_type *
hk_type(int type)
{
	size_t	 i;

	for (i = 0; i < HK_NTYPES; i++)
		if (hk_types[i].type == type)
			return &hk_types[i];
	return NULL;
}

/* See ssh_hostkey.h. */
const char *
ssh_hostkey_type_name(int type)
{
	const struct hk_type	*t = hk_type(type);

	return t != NULL ? t->name : "unknown";
}

/* See ssh_hostkey.h. */
void
ssh_hostkey_name(const char *host, int port, char *out, size_t size)
{
	if (port == 22)
		snprintf(out, size, "%s", host);
	else
		snprintf(out, size, "[%s]:%d", host, port);
}

/* See ssh_hostkey.h. */
void
ssh_fingerprint(const unsigned char *blob, size_t len, char *out,
    size_t size)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned char	 b64[EVP_MAX_MD_SIZE * 2];
	unsigned int	 mdlen = 0;
	int		 n;

	if (EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		snprintf(out, size, "SHA256:?");
		return;
	}
	n = EVP_EncodeBlock(b64, md, (int)mdlen);
	/* OpenSSH drops the padding. */
	while (n > 0 && b64[n - 1] == '=')
		n--;
	snprintf(out, size, "SHA256:%.*s", n, (const char *)b64);
}

/* Decode base64 text (no spaces) into a new buffer; NULL if invalid. */
static unsigned char *
hk_b64_decode(const char *b64, size_t *lenp)
{
	unsigned char	*blob;
	size_t		 len = strlen(b64), pad = 0;
	int		 n;

	if (len == 0 || len % 4 != 0 || len > HK_MAX_BLOB)
		return NULL;
	while (pad < 2 && b64[len - 1 - pad] == '=')
		pad++;
	blob = xmalloc(len);
	n = EVP_DecodeBlock(blob, (const unsigned char *)b64, (int)len);
	if (n < 0 || (size_t)n < pad) {
		free(blob);
		return NULL;
	}
	*lenp = (size_t)n - pad;
	return blob;
}

/* See ssh_hostkey.h. */
int
ssh_fingerprint_b64(const char *b64, char *out, size_t size)
{
	unsigned char	*blob;
	size_t		 len;

	if ((blob = hk_b64_decode(b64, &len)) == NULL) {
		snprintf(out, size, "SHA256:?");
		return -1;
	}
	ssh_fingerprint(blob, len, out, size);
	free(blob);
	return 0;
}

/* The base64 of a blob, NUL-terminated; free it. */
static char *
hk_b64_encode(const unsigned char *blob, size_t len)
{
	char	*b64;

	b64 = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)b64, blob, (int)len);
	return b64;
}

/*
 * Load one known_hosts file line by line.  Returns NULL when it cannot be
 * read (a missing file is normal).  When revoked_b64 is given and an
 * "@revoked" line names exactly that key (any host: OpenSSH refuses a
 * revoked key everywhere), *revoked is set.
 */
static LIBSSH2_KNOWNHOSTS *
hk_load(LIBSSH2_SESSION *s, const char *file, const char *revoked_b64,
    int *revoked)
{
	LIBSSH2_KNOWNHOSTS	*kh;
	FILE			*fp;
	char			*line = NULL, *p, *tok, *save;
	size_t			 cap = 0;
	ssize_t			 n;
	int			 field;

	if (file == NULL || (fp = fopen(file, "re")) == NULL)
		return NULL;
	if ((kh = libssh2_knownhost_init(s)) == NULL) {
		fclose(fp);
		return NULL;
	}
	while ((n = getline(&line, &cap, fp)) != -1) {
		p = line + strspn(line, " \t");
		if (strncmp(p, "@revoked", 8) == 0) {
			/* "@revoked HOSTS TYPE BASE64" */
			field = 0;
			for (tok = strtok_r(p, " \t\r\n", &save); tok != NULL;
			    tok = strtok_r(NULL, " \t\r\n", &save))
				if (++field == 4 && revoked_b64 != NULL &&
				    strcmp(tok, revoked_b64) == 0)
					*revoked = 1;
			continue;
		}
		if (*p == '@')
			continue;	/* @cert-authority: not supported */
		/* A line libssh2 cannot parse is skipped, not fatal. */
		(void)libssh2_knownhost_readline(kh, p, strlen(p),
		    LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	}
	free(line);
	fclose(fp);
	return kh;
}

/* The typemask for checkp of a LIBSSH2_HOSTKEY_TYPE_*. */
static int
hk_mask(int type)
{
	const struct hk_type	*t = hk_type(type);

	return LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
	    (t != NULL ? t->known : LIBSSH2_KNOWNHOST_KEY_UNKNOWN);
}

/* The known key an entry holds, and the file it is in, into out. */
static void
hk_known(struct ssh_hk_check *out, const struct libssh2_knownhost *found,
    const char *file)
{
	if (found == NULL || found->key == NULL ||
	    ssh_fingerprint_b64(found->key, out->known,
	    sizeof(out->known)) == -1)
		snprintf(out->known, sizeof(out->known), "SHA256:?");
	snprintf(out->file, sizeof(out->file), "%s", file);
}

/*
 * The host has no key of the offered type in any file: is one of another
 * type known?  The first one found goes into out (OTHER_TYPE).
 */
static void
hk_other_type(LIBSSH2_SESSION *s, const char *host, int port, int type,
    const char *const files[], size_t nfiles, struct ssh_hk_check *out)
{
	LIBSSH2_KNOWNHOSTS	*kh;
	struct libssh2_knownhost *found;
	size_t			 i, t;

	for (i = 0; i < nfiles && out->result == SSH_HK_NOTFOUND; i++) {
		if ((kh = hk_load(s, files[i], NULL, NULL)) == NULL)
			continue;
		for (t = 0; t < HK_NTYPES; t++) {
			if (hk_types[t].type == type)
				continue;
			/* a made-up key: MISMATCH means an entry of that type */
			found = NULL;
			if (libssh2_knownhost_checkp(kh, host, port, "x", 1,
			    hk_mask(hk_types[t].type), &found) !=
			    LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
				continue;
			out->result = SSH_HK_OTHER_TYPE;
			snprintf(out->known_type, sizeof(out->known_type), "%s",
			    hk_types[t].name);
			hk_known(out, found, files[i]);
			break;
		}
		libssh2_knownhost_free(kh);
	}
}

/* See ssh_hostkey.h. */
void
ssh_hostkey_check(LIBSSH2_SESSION *s, const char *host, int port,
    const char *const files[], size_t nfiles, struct ssh_hk_check *out)
{
	LIBSSH2_KNOWNHOSTS	*kh;
	struct libssh2_knownhost *found;
	const char		*key;
	char			*b64;
	size_t			 len, i;
	int			 type, rc, revoked;

	memset(out, 0, sizeof(*out));
	out->result = SSH_HK_ERROR;
	if ((key = libssh2_session_hostkey(s, &len, &type)) == NULL)
		return;
	snprintf(out->type, sizeof(out->type), "%s",
	    ssh_hostkey_type_name(type));
	ssh_fingerprint((const unsigned char *)key, len, out->offered,
	    sizeof(out->offered));
	b64 = hk_b64_encode((const unsigned char *)key, len);
	out->result = SSH_HK_NOTFOUND;
	for (i = 0; i < nfiles; i++) {
		revoked = 0;
		if ((kh = hk_load(s, files[i], b64, &revoked)) == NULL)
			continue;
		found = NULL;
		rc = libssh2_knownhost_checkp(kh, host, port, key, len,
		    hk_mask(type), &found);
		if (revoked) {
			/* one key: the offered one is the revoked one */
			out->result = SSH_HK_MISMATCH;
			out->revoked = 1;
			out->known[0] = '\0';
			snprintf(out->file, sizeof(out->file), "%s", files[i]);
		} else if (rc == LIBSSH2_KNOWNHOST_CHECK_MATCH)
			out->result = SSH_HK_MATCH;	/* any file will do */
		else if (rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH &&
		    out->result == SSH_HK_NOTFOUND) {
			out->result = SSH_HK_MISMATCH;
			hk_known(out, found, files[i]);
		}
		libssh2_knownhost_free(kh);
		/* A revoked key stays refused whatever another file says. */
		if (out->revoked)
			break;
	}
	free(b64);
	if (out->result == SSH_HK_NOTFOUND)
		hk_other_type(s, host, port, type, files, nfiles, out);
}

/*
 * Append to out those of the comma-separated algs that this libssh2
 * supports.  libssh2 1.10 drops an unsupported name from a method_pref
 * list with an overlapping memcpy(): it must never see one.
 */
static void
hk_append_supported(char *out, size_t size, const char *algs,
    const char **sup, int nsup)
{
	char		 copy[128], *name, *last;
	int		 i;

	snprintf(copy, sizeof(copy), "%s", algs);
	for (name = strtok_r(copy, ",", &last); name != NULL;
	    name = strtok_r(NULL, ",", &last))
		for (i = 0; i < nsup; i++)
			if (strcmp(sup[i], name) == 0) {
				snprintf(out + strlen(out), size - strlen(out),
				    "%s%s", out[0] != '\0' ? "," : "", name);
				break;
			}
}

/* See ssh_hostkey.h. */
void
ssh_hostkey_prefs(LIBSSH2_SESSION *s, const char *host, int port,
    const char *const files[], size_t nfiles, char *out, size_t size)
{
	LIBSSH2_KNOWNHOSTS	*kh;
	const char		**sup = NULL;
	int			 known[HK_NTYPES] = { 0 }, any = 0, nsup, pass;
	size_t			 i, t;

	for (i = 0; i < nfiles; i++) {
		if ((kh = hk_load(s, files[i], NULL, NULL)) == NULL)
			continue;
		/*
		 * A made-up key of each type: anything but NOTFOUND means
		 * the file has an entry of that type for this host, hashed
		 * names included.
		 */
		for (t = 0; t < HK_NTYPES; t++)
			if (libssh2_knownhost_checkp(kh, host, port, "x", 1,
			    hk_mask(hk_types[t].type), NULL) !=
			    LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
				any = known[t] = 1;
		libssh2_knownhost_free(kh);
	}
	if (size > 0)
		out[0] = '\0';
	if (!any || size == 0)
		return;
	if ((nsup = libssh2_session_supported_algs(s, LIBSSH2_METHOD_HOSTKEY,
	    &sup)) <= 0)
		return;		/* no preference: libssh2's own order */
	/* The types known_hosts has for this host first, then the rest. */
	for (pass = 1; pass >= 0; pass--)
		for (t = 0; t < HK_NTYPES; t++)
			if (known[t] == pass)
				hk_append_supported(out, size,
				    hk_types[t].algs, sup, nsup);
	libssh2_free(s, (void *)sup);
}

/* See ssh_hostkey.h. */
int
ssh_hostkey_append(const char *file, const char *host, int port, int type,
    const unsigned char *blob, size_t len, char *err, size_t errlen)
{
	struct stat	 st;
	char		 name[300], last = '\n', *b64, *line;
	int		 fd, e, ok;
	size_t		 n;

	if (hk_type(type) == NULL) {
		snprintf(err, errlen, "host key type %d is not supported",
		    type);
		return -1;
	}
	if ((fd = open(file, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1) {
		snprintf(err, errlen, "cannot open %s: %s", file,
		    strerror(errno));
		return -1;
	}
	/* Never glue our line to a last line without its newline. */
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    pread(fd, &last, 1, st.st_size - 1) != 1)
		last = '\n';
	ssh_hostkey_name(host, port, name, sizeof(name));
	b64 = hk_b64_encode(blob, len);
	n = strlen(name) + strlen(b64) + 64;
	line = xmalloc(n);
	snprintf(line, n, "%s%s %s %s\n", last != '\n' ? "\n" : "", name,
	    ssh_hostkey_type_name(type), b64);
	n = strlen(line);
	ok = write(fd, line, n) == (ssize_t)n && fsync(fd) == 0;
	e = errno;
	free(line);
	free(b64);
	if (close(fd) == -1 && ok) {
		ok = 0;
		e = errno;
	}
	if (!ok) {
		snprintf(err, errlen, "cannot write %s: %s", file,
		    strerror(e));
		return -1;
	}
	return 0;
}
