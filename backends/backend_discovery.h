/*
 * backend_discovery.h: where a server's logs and configuration are, as a
 * backend describes them (struct mail_backend's discovery, backend.h).
 */
#ifndef MAILCON_BACKEND_DISCOVERY_H
#define MAILCON_BACKEND_DISCOVERY_H

#include <stddef.h>


/* A value a configuration gives (outbound addresses, with the key). */
struct backend_value {
	const char	*key;		/* "smtp_bind_address": static */
	char		 value[256];
};

/*
 * What to look for on a server, and pure parsers of what is found: the
 * console reads the files and runs the commands (never a tool that could
 * hang: a configuration file is read, not asked of postconf).
 *
 * config is the file config_dir_option names (a directory; config_dir
 * when the option is not set) plus "/" config_file.  Its text goes to
 * config_log (the log file it says the MTA writes, 1, or 0) and to
 * config_outbound (the addresses it sends from, each with its key).
 */
struct backend_discovery {
	const char *const	*logs;		/* files looked for, in order */
	const char		*config_dir_option;
	const char		*config_dir;
	const char		*config_file;
	int			(*config_log)(const char *text, size_t len,
				    char *buf, size_t size);
	size_t			(*config_outbound)(const char *text,
				    size_t len, struct backend_value *out,
				    size_t max);
	/* paths whose presence says this system is installed (the probe) */
	const char *const	*probe;
	/* paths whose presence says it is another flavour of it, found
	   later in the registry (plain Exim is not cPanel's) */
	const char *const	*probe_not;
	/* argv that lists this machine's queue when no server is
	   configured; used when argv[0] is there to run */
	const char *const	*local_queue;
	/* the systemd units whose journal is its log (journalctl -u),
	   followed when none of logs is there; NULL: none */
	const char *const	*journal_units;
};


#endif /* MAILCON_BACKEND_DISCOVERY_H */
