/*
 * Fuzz target for the AMT message codec (lib/wire.c): decode; whatever
 * decodes must encode, decode again to the same message, and encode again
 * to the same bytes.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amt/wire.h"

#define FUZZ_MAX_INPUT	4096

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_same(const struct amt_msg *a, const struct amt_msg *b)
{
	return a->type == b->type && a->nonce == b->nonce &&
	    memcmp(a->mac, b->mac, sizeof(a->mac)) == 0 &&
	    a->relay.family == b->relay.family &&
	    memcmp(&a->relay.u, &b->relay.u, sizeof(a->relay.u)) == 0 &&
	    a->gw_port == b->gw_port &&
	    memcmp(a->gw_addr, b->gw_addr, sizeof(a->gw_addr)) == 0 &&
	    a->inner_len == b->inner_len &&
	    (a->inner_len == 0 ||
	    memcmp(a->inner, b->inner, a->inner_len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct amt_msg	m1, m2;
	uint8_t		out1[FUZZ_MAX_INPUT], out2[FUZZ_MAX_INPUT];
	ssize_t		n1, n2;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (amt_decode(data, size, &m1) != AMT_OK)
		return 0;
	if ((n1 = amt_encode(&m1, out1, sizeof(out1))) < 0 ||
	    (size_t)n1 > size)
		abort();
	if (amt_decode(out1, (size_t)n1, &m2) != AMT_OK ||
	    !fuzz_same(&m1, &m2) || m2.flags != out1[1])
		abort();
	n2 = amt_encode(&m2, out2, sizeof(out2));
	if (n2 != n1 || memcmp(out1, out2, (size_t)n1) != 0)
		abort();
	return 0;
}
