/*
 * dovecot.c: Dovecot as mailcon sees it (backend.h): the authentication
 * role.  Its logs say who failed to log in from where (a successful SMTP
 * AUTH is the MTA's to log); suspend refuses the login through a deny
 * passdb and a password reset rewrites its passwd-file (accounts.c).
 */
#include <stddef.h>

#include "dovecot.h"
#include "backends/backend.h"
#include "backends/redact.h"

/* The [server] keys it reads. */
static const struct backend_option dovecot_options[] = {
	{ "deny_file", BOPT_PATH, NULL,
	    "suspend: the file of Dovecot's deny passdb, first among the "
	    "passdbs", NULL },
	{ "passwd_file", BOPT_PATH, NULL,
	    "reset-password: Dovecot's passwd-file", NULL },
	{ "password_scheme", BOPT_WORD, "SHA512-CRYPT",
	    "the scheme of the new hash (doveadm pw -s)",
	    "a doveadm pw scheme, like SHA512-CRYPT" },
	{ "doveadm", BOPT_COMMAND, "doveadm", "how to run doveadm",
	    "a command, like /usr/bin/doveadm -c /etc/dovecot/dovecot.conf" },
	{ NULL, BOPT_PATH, NULL, NULL, NULL }
};

static const char *const dovecot_logs[] = { "/var/log/dovecot.log", NULL };
static const char *const dovecot_probe[] = { "/usr/bin/doveadm",
	"/etc/dovecot/dovecot.conf", NULL };

static const char *const dovecot_units[] = { "dovecot.service", NULL };

static const struct backend_discovery dovecot_discovery = {
	.logs = dovecot_logs,
	.journal_units = dovecot_units,
	.probe = dovecot_probe,
};

const struct mail_backend backend_dovecot = {
	.name = "dovecot",
	.roles = BROLE_AUTH,
	.parse_line = dovecot_parse_line,
	.claims = dovecot_claims,
	.redact = dovecot_redact,
	.options = dovecot_options,
	.discover = &dovecot_discovery,
	.accounts = &dovecot_accounts,
	.wiring = &dovecot_wiring,
};
