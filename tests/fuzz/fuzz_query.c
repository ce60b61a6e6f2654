/*
 * Fuzz target: the query parser (gateway side of a Membership Query).
 * A query that parses is built again from its fields and must parse.
 * Each input is tried as it is and with its checksums made right.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amt/mcast.h"
#include "mcast_fix.h"

#define FUZZ_MAX_LEN	65600

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_query(const uint8_t *data, size_t len)
{
	struct mcast_query		q, q2;
	struct mcast_query_params	p;
	uint8_t				out[128];
	ssize_t				n;

	if (mcast_query_parse(data, len, &q) != MCAST_OK)
		return;
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
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	uint8_t	*copy;

	if (len > FUZZ_MAX_LEN)
		return 0;
	fuzz_query(data, len);
	/* Again with right checksums, to reach the query fields. */
	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		return 0;
	if (len > 0)
		memcpy(copy, data, len);
	fix_cksums(copy, len);
	fuzz_query(copy, len);
	free(copy);
	return 0;
}
