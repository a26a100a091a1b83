/*
 * postfix.c: Postfix as mailcon sees it (backend.h): the MTA role.  Its
 * logs say who authenticated from where and what became of their mail
 * (log.c), its queue is listed with postqueue -j (postqueue.c) and moved
 * with postsuper, the ids on stdin (postsuper.c), an account's mail is
 * refused through a check_sasl_access map (accounts.c), and main.cf says
 * where it logs and which address it sends from (maincf.c).
 */
#include <stddef.h>

#include "postfix.h"
#include "backends/backend.h"
#include "backends/redact.h"

/* The [server] keys it reads. */
static const struct backend_option postfix_options[] = {
	{ "postfix_config", BOPT_PATH, NULL,
	    "Postfix's configuration directory, given as -c to postqueue, "
	    "postsuper and postmap", NULL },
	{ "sasl_access_map", BOPT_PATH, NULL,
	    "suspend: the source of Postfix's check_sasl_access hash:FILE",
	    NULL },
	{ "postfix_queue_directory", BOPT_PATH, NULL,
	    "ending sessions: Postfix's queue_directory, so that the step "
	    "need not ask postconf each time", NULL },
	{ "postfix_daemon_directory", BOPT_PATH, NULL,
	    "ending sessions: Postfix's daemon_directory, so that the step "
	    "need not ask postconf each time", NULL },
	{ NULL, BOPT_PATH, NULL, NULL, NULL }
};

static const char *const postqueue_list[] = { PF_TOOL("postqueue"), "-j",
	NULL };
static const char *const postsuper_tool[] = { PF_TOOL("postsuper"), NULL };
static const char *const hold_args[] = { "-h", "-", NULL };
static const char *const release_args[] = { "-H", "-", NULL };
static const char *const delete_args[] = { "-d", "-", NULL };

/*
 * The queues postsuper may be told to look in alone ("postsuper -d -
 * deferred"): without one it looks for each id in maildrop, incoming,
 * active, deferred and hold in turn (postsuper.c, delete_one), a failed
 * lstat(2) in each before the right one.  Only the queues a message stays
 * in: one in active or incoming is moving, and goes without a name.
 */
static const char *const pf_queue_words[] = { "deferred", "hold", NULL };

/*
 * postsuper -h|-H|-d -: the ids on stdin, never ALL (every account's);
 * it prints a summary at the end of every run, even of none.
 */
#define PF_OP(words) { .args = (words), .ids = QIDS_STDIN, \
	.batch_max = POSTSUPER_BATCH_MAX, .summary = 1, \
	.line = postsuper_line, .queue_words = pf_queue_words }

static const struct backend_queue_op pf_hold = PF_OP(hold_args);
static const struct backend_queue_op pf_release = PF_OP(release_args);
static const struct backend_queue_op pf_delete = PF_OP(delete_args);

static const struct backend_queue postfix_queue = {
	.list = postqueue_list,
	.list_name = "postqueue -j",
	.where = "postfix_config",
	.hint = "is Postfix installed and postsuper in PATH?",
	.id_valid = queue_id_is_valid,
	.parse_line = postqueue_parse_line,
	.tool = postsuper_tool,
	.op = {
		[QOP_HOLD] = &pf_hold,
		[QOP_RELEASE] = &pf_release,
		[QOP_DELETE] = &pf_delete,
	},
};

/* Where syslog puts the mail facility on the usual systems. */
static const char *const postfix_logs[] = { "/var/log/mail.log",
	"/var/log/maillog", "/var/log/mail/mail.log", "/var/log/mail.info",
	NULL };
static const char *const postfix_probe[] = { "/usr/sbin/postqueue",
	"/etc/postfix/main.cf", NULL };
static const char *const postfix_local_queue[] = { "/usr/sbin/postqueue",
	"-j", NULL };

/* Debian's postfix.service starts the instance postfix@-.service, whose
   daemons log; other systems run postfix.service itself. */
static const char *const postfix_units[] = { "postfix@-.service",
	"postfix.service", NULL };

static const struct backend_discovery postfix_discovery = {
	.logs = postfix_logs,
	.config_dir_option = "postfix_config",
	.config_dir = "/etc/postfix",
	.config_file = "main.cf",
	.config_log = maincf_maillog,
	.config_outbound = maincf_outbound,
	.probe = postfix_probe,
	.local_queue = postfix_local_queue,
	.journal_units = postfix_units,
};

const struct mail_backend backend_postfix = {
	.name = "postfix",
	.roles = BROLE_MTA,
	.parse_line = postfix_parse_line,
	.claims = postfix_claims,
	.redact = postfix_redact,
	.options = postfix_options,
	.discover = &postfix_discovery,
	.queue = &postfix_queue,
	.accounts = &postfix_accounts,
	.wiring = &postfix_wiring,
};
