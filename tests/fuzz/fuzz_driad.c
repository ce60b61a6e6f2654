/*
 * Fuzz the DRIAD parsers of untrusted DNS data (RFC 8777): every input is
 * tried as AMTRELAY RDATA and as a whole DNS response, and what they
 * return must hold its invariants; candidates from a parsed answer are
 * ordered.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amt/driad.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A name prints, and parses back to itself. */
static void
fuzz_name(const struct driad_name *n)
{
	char			s[DRIAD_NAME_STRLEN];
	struct driad_name	back;

	if (n->len < 1 || n->b[n->len - 1] != 0)
		abort();
	if (driad_name_str(n, s, sizeof(s)) == -1 ||
	    driad_name_from_str(s, &back) == -1 || !driad_name_eq(n, &back))
		abort();
}

static void
fuzz_rdata(const uint8_t *data, size_t len)
{
	struct driad_rr	rr;

	switch (driad_rdata_parse(data, len, &rr)) {
	case DRIAD_RR_BAD:
	case DRIAD_RR_UNKNOWN:
		return;
	}
	if ((rr.type == DRIAD_TYPE_NONE && len != 2) ||
	    (rr.type == DRIAD_TYPE_IPV4 && len != 6) ||
	    (rr.type == DRIAD_TYPE_IPV6 && len != 18) || rr.type > 3)
		abort();
	if (rr.type == DRIAD_TYPE_NAME) {
		if (rr.name.len != len - 2)
			abort();
		fuzz_name(&rr.name);
	}
}

static void
fuzz_order(const struct driad_answer *a)
{
	struct driad_cand	c[DRIAD_MAX_RR];
	struct driad_pref	p = { 0, AF_INET };
	size_t			i, n = 0;

	for (i = 0; i < a->nrr; i++) {
		if (a->rr[i].type == DRIAD_TYPE_NAME)
			continue;
		c[n].ip = a->rr[i].ip;
		c[n].precedence = a->rr[i].precedence;
		c[n++].d = a->rr[i].d;
	}
	n = driad_order(c, n, &p);
	for (i = 1; i < n; i++) {
		if (c[i - 1].precedence > c[i].precedence ||
		    ip_eq(&c[i - 1].ip, &c[i].ip))
			abort();
	}
}

static void
fuzz_answer(const uint8_t *data, size_t len)
{
	struct driad_answer	a;
	size_t			i;

	if (driad_answer_parse(data, len, NULL, &a) == -1)
		return;
	if (a.nrr > DRIAD_MAX_RR || a.rcode > 15)
		abort();
	fuzz_name(&a.final);
	for (i = 0; i < a.nrr; i++) {
		if (a.rr[i].type < 1 || a.rr[i].type > 3)
			abort();
		if (a.rr[i].type == DRIAD_TYPE_NAME)
			fuzz_name(&a.rr[i].name);
	}
	fuzz_order(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len > 65535)
		return 0;
	fuzz_rdata(data, len);
	fuzz_answer(data, len);
	return 0;
}
