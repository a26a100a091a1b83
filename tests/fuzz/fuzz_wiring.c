/*
 * fuzz_wiring.c: libFuzzer target for the backends' wiring judges
 * (backends/backend.h, struct backend_wiring: Postfix's on postconf -nx
 * and -Px, Dovecot's on doveconf -n) on arbitrary bytes: the first byte
 * picks the backend, the rest is the read's output.  Checks that every
 * finding stays in bounds: no more than asked for, a known part and
 * state, its texts terminated within their arrays, a fix for every
 * finding that is missing.
 *
 * Links backends/ only.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"

#define FUZZ_MAX	12

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The options of the server under test: set, so every judge runs. */
static const char *
fuzz_opt(void *arg, const char *name, char *const **words)
{
	*words = NULL;
	if (strcmp(name, "sasl_access_map") == 0)
		return "/etc/postfix/sasl_access";
	if (strcmp(name, "deny_file") == 0)
		return "/etc/dovecot/deny";
	if (strcmp(name, "passwd_file") == 0)
		return "/etc/dovecot/users";
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mail_backend *b;
	struct wiring_finding	 f[FUZZ_MAX + 1];
	struct backend_env	 env;
	char			*copy;
	size_t			 n, i;

	if (size < 1)
		return 0;
	b = data[0] & 1 ? &backend_dovecot : &backend_postfix;
	memset(&env, 0, sizeof(env));
	env.opt = fuzz_opt;
	/* a copy of exactly the bytes: reads past them are ASan's to see */
	if ((copy = malloc(size - 1 > 0 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	memset(&f[FUZZ_MAX], 0xa5, sizeof(f[FUZZ_MAX]));
	n = b->wiring->judge(copy, size - 1, &env, f, FUZZ_MAX);
	if (n > FUZZ_MAX)
		abort();
	for (i = 0; i < sizeof(f[FUZZ_MAX]); i++)
		if (((unsigned char *)&f[FUZZ_MAX])[i] != 0xa5)
			abort();
	for (i = 0; i < n; i++) {
		if (f[i].part > WIRE_FILE || f[i].state > WIRE_NOTE)
			abort();
		if (memchr(f[i].text, '\0', sizeof(f[i].text)) == NULL ||
		    memchr(f[i].fix, '\0', sizeof(f[i].fix)) == NULL)
			abort();
		if (f[i].state == WIRE_MISSING && f[i].fix[0] == '\0' &&
		    f[i].part != WIRE_CONFIG)
			abort();
	}
	free(copy);
	return 0;
}
