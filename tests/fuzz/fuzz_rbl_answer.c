/*
 * fuzz_rbl_answer.c: libFuzzer target for the DNS answer parser
 * (rbl_answer_parse in console/rbl/rbl_answer.c), which reads what a resolver
 * sends back: network input, never trusted.  Checks what a parsed answer
 * holds stays in bounds, and what is made of it: for every way a query can
 * end and for a catalogue zone as for an unknown one, the verdict's texts
 * are terminated within their buffers, its codes within bounds, its TXT
 * free of control bytes, and "clean" only ever comes of an NXDOMAIN.
 *
 * Links console/rbl/rbl_answer.c, console/rbl/rbl_zone.c, console/core/sanitize.c,
 * console/core/json.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rbl/rbl_zone.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Abort unless s is NUL-terminated within size. */
static void
check_str(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		abort();
}

/* Abort on a verdict no input may produce. */
static void
check_verdict(const struct rbl_verdict *v, enum rbl_qerr qerr,
    const struct rbl_answer *a)
{
	size_t	 i;

	if (v->status < RBL_PENDING || v->status > RBL_ERROR ||
	    v->ncodes > RBL_CODES_MAX)
		abort();
	check_str(v->meaning, sizeof(v->meaning));
	check_str(v->reason, sizeof(v->reason));
	check_str(v->txt, sizeof(v->txt));
	/* the one answer that means "not listed" */
	if (v->status == RBL_CLEAN && (qerr != RBL_Q_ANSWER || a->rcode != 3))
		abort();
	if (v->status == RBL_LISTED && (qerr != RBL_Q_ANSWER ||
	    a->rcode != 0 || v->ncodes == 0))
		abort();
	for (i = 0; v->txt[i] != '\0'; i++)
		if ((unsigned char)v->txt[i] < 0x20 ||
		    (unsigned char)v->txt[i] == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct rbl_zone	*zones[2] = { &rbl_zones[0], NULL };
	struct rbl_answer	 a;
	struct rbl_verdict	 v;
	int			 q, z;

	if (rbl_answer_parse(data, size, &a) != 0)
		return 0;
	if (a.na > RBL_CODES_MAX || a.txtlen >= sizeof(a.txt) ||
	    a.txt[a.txtlen] != '\0' || a.ttl > 0x7fffffff ||
	    a.negttl < -1 || a.negttl > 0x7fffffff ||
	    a.rcode < 0 || a.rcode > 15)
		abort();
	for (z = 0; z < 2; z++)
		for (q = RBL_Q_ANSWER; q <= RBL_Q_OTHER; q++) {
			rbl_classify(zones[z], (enum rbl_qerr)q, &a, 1000, &v);
			rbl_verdict_txt(&v, &a);
			check_verdict(&v, (enum rbl_qerr)q, &a);
		}
	return 0;
}
