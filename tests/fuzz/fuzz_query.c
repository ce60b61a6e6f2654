/*
 * Fuzz target: the query parser (gateway side of a Membership Query).
 * A query that parses is built again from its fields and must parse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amt/mcast.h"

#define FUZZ_MAX_LEN	65600

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct mcast_query		q, q2;
	struct mcast_query_params	p;
	uint8_t				out[128];
	ssize_t				n;

	if (len > FUZZ_MAX_LEN || mcast_query_parse(data, len, &q) != MCAST_OK)
		return 0;
	if (q.family != AF_INET && q.family != AF_INET6)
		abort();
	memset(&p, 0, sizeof(p));
	p.src = q.src;
	p.qrv = q.qrv;
	p.qqi = q.qqi;
	p.max_resp_ms = q.max_resp_ms;
	n = mcast_build_query(&p, out, sizeof(out));
	if (n < 0 || mcast_query_parse(out, (size_t)n, &q2) != MCAST_OK)
		abort();
	return 0;
}
