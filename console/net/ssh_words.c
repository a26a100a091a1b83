/*
 * ssh_words.c: libssh2's errors in words an operator can act on.
 * libssh2 describes where in its code a call failed ("transport read",
 * "Unable to send userauth-publickey request", "Waiting for USERAUTH
 * response"), which means nothing to an admin at night; its error code
 * says what happened, and that is what is put into words here.  Only
 * errors without a translation show libssh2's own text, marked as such.
 */
#include <stdio.h>
#include <string.h>

#include <libssh2.h>

#include "ssh_int.h"
#include "core/sanitize.h"

/* What each libssh2 error code means, in plain words. */
static const struct ssh_word {
	int		 rc;
	const char	*words;
} ssh_word_table[] = {
	{ LIBSSH2_ERROR_SOCKET_DISCONNECT,
	  "the server closed the connection" },
	{ LIBSSH2_ERROR_SOCKET_RECV,
	  "the connection broke while reading from the server" },
	{ LIBSSH2_ERROR_SOCKET_SEND,
	  "the connection broke while sending to the server" },
	{ LIBSSH2_ERROR_SOCKET_NONE,
	  "the connection broke" },
	{ LIBSSH2_ERROR_BAD_SOCKET,
	  "the connection broke" },
	{ LIBSSH2_ERROR_SOCKET_TIMEOUT,
	  "the server did not answer in time" },
	{ LIBSSH2_ERROR_TIMEOUT,
	  "the server did not answer in time" },
	{ LIBSSH2_ERROR_BANNER_RECV,
	  "the server sent no SSH greeting" },
	{ LIBSSH2_ERROR_BANNER_SEND,
	  "the SSH greeting could not be sent" },
	{ LIBSSH2_ERROR_KEX_FAILURE,
	  "the key exchange failed: no method both sides know, or the "
	  "server broke it off" },
	{ LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE,
	  "the key exchange failed: no method both sides know, or the "
	  "server broke it off" },
	{ LIBSSH2_ERROR_METHOD_NONE,
	  "the server and this client have no method in common" },
	{ LIBSSH2_ERROR_METHOD_NOT_SUPPORTED,
	  "the server and this client have no method in common" },
	{ LIBSSH2_ERROR_HOSTKEY_INIT,
	  "the server's host key is of a kind this client cannot check" },
	{ LIBSSH2_ERROR_HOSTKEY_SIGN,
	  "the server's host key signature did not verify" },
	{ LIBSSH2_ERROR_INVALID_MAC,
	  "data from the server failed its integrity check (a broken or "
	  "tampered link)" },
	{ LIBSSH2_ERROR_DECRYPT,
	  "data from the server did not decrypt (a broken or tampered "
	  "link)" },
	{ LIBSSH2_ERROR_ENCRYPT,
	  "data for the server could not be encrypted" },
	{ LIBSSH2_ERROR_PROTO,
	  "the server broke the SSH protocol" },
	{ LIBSSH2_ERROR_OUT_OF_BOUNDARY,
	  "the server broke the SSH protocol" },
	{ LIBSSH2_ERROR_AUTHENTICATION_FAILED,
	  "the server refused it" },
	{ LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED,
	  "the server refused it" },
	{ LIBSSH2_ERROR_PASSWORD_EXPIRED,
	  "the login's password has expired" },
	{ LIBSSH2_ERROR_FILE,
	  "the key file could not be read or decoded" },
	{ LIBSSH2_ERROR_KEYFILE_AUTH_FAILED,
	  "the key file could not be read or decoded" },
	{ LIBSSH2_ERROR_AGENT_PROTOCOL,
	  "ssh-agent did not answer as expected" },
	{ LIBSSH2_ERROR_CHANNEL_FAILURE,
	  "the server refused to open a channel (its MaxSessions?)" },
	{ LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED,
	  "the server refused to run the command" },
	{ LIBSSH2_ERROR_REQUEST_DENIED,
	  "the server refused the request" },
	{ LIBSSH2_ERROR_CHANNEL_CLOSED,
	  "the server had closed the channel" },
	{ LIBSSH2_ERROR_CHANNEL_EOF_SENT,
	  "the server had closed the channel" },
	{ LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED,
	  "the server sent more than it was allowed to" },
	{ LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED,
	  "the server sent more than it was allowed to" },
	{ LIBSSH2_ERROR_CHANNEL_OUTOFORDER,
	  "the server answered out of order" },
	{ LIBSSH2_ERROR_CHANNEL_UNKNOWN,
	  "the server spoke of a channel that does not exist" },
	{ LIBSSH2_ERROR_ALLOC,
	  "out of memory" },
	{ LIBSSH2_ERROR_EAGAIN,
	  "the server had not answered yet" },
	{ LIBSSH2_ERROR_BAD_USE,
	  "mailcon made a call out of order (a bug: please report it)" },
};

/* See ssh_int.h. */
void
ssh_words(int rc, const char *lib, size_t liblen, const char *bye,
    char *buf, size_t size)
{
	char	 said[160];
	size_t	 i;

	for (i = 0; i < sizeof(ssh_word_table) / sizeof(ssh_word_table[0]);
	    i++) {
		if (ssh_word_table[i].rc != rc)
			continue;
		/* the server's own words when it said goodbye */
		if (bye != NULL && bye[0] != '\0' &&
		    (rc == LIBSSH2_ERROR_SOCKET_DISCONNECT ||
		    rc == LIBSSH2_ERROR_SOCKET_RECV ||
		    rc == LIBSSH2_ERROR_SOCKET_SEND))
			snprintf(buf, size, "the server closed the connection "
			    "(\"%s\")", bye);
		else
			snprintf(buf, size, "%s", ssh_word_table[i].words);
		return;
	}
	if (lib == NULL || liblen == 0) {
		snprintf(buf, size, "SSH error %d", rc);
		return;
	}
	sanitize_text(said, sizeof(said), lib, liblen);
	snprintf(buf, size, "SSH error %d (libssh2: %s)", rc, said);
}
