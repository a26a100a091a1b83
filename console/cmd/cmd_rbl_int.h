/*
 * cmd_rbl_int.h: what cmd_rbl.c (the options and the run) and
 * cmd_rbl_print.c (its table and JSON) share; nothing else includes it.
 */
#ifndef MAILCON_CMD_RBL_INT_H
#define MAILCON_CMD_RBL_INT_H

#include <stddef.h>

#include "rbl/rbl.h"

struct rbl_cmd {
	struct rbl_ip	*ips;
	char		**owners;	/* per address: "mx1, mx2", or NULL */
	size_t		 nips;
	int		 fleet;		/* addresses of several servers */
	char		**zones;	/* NULL-terminated, owned */
	const char	*resolver;
	int		 json;
};

/* The table: zone health, then each address with its zones. */
void	rbl_cmd_text(const struct rbl *r, const struct rbl_cmd *c);
/* The whole run as one JSON document. */
void	rbl_cmd_json(const struct rbl *r, const struct rbl_cmd *c, int rc);

#endif
