/*
 * Fuzz target: the reader of amtrelayd's state file (relay/statefile_read.c).
 * Each input is tried as it is, and with a valid envelope (magic,
 * version, length, checksum) around it, so that the body parser is
 * reached too.  Every tunnel and group handed over must be within the
 * counts the reader checked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "statefile.h"

#define FUZZ_MAX_LEN	65536

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_count {
	uint32_t	tunnels;
	uint32_t	groups;
	unsigned	sum;
};

static void
fuzz_tunnel(const struct sf_tunnel *t, void *arg)
{
	struct fuzz_count	*c = arg;

	c->tunnels++;
	c->groups = t->ngroups;
}

static void
fuzz_group(const struct sf_group *g, void *arg)
{
	struct fuzz_count	*c = arg;

	if (c->groups-- == 0 || g->nsrc > UINT16_MAX)
		abort();
	/* The sources lie inside the input: read them all. */
	if (g->nsrc > 0)
		c->sum += g->srcs[g->nsrc * 16 - 1];
}

static void
fuzz_one(const uint8_t *p, size_t len)
{
	const struct sf_ops	ops = { fuzz_tunnel, fuzz_group };
	struct fuzz_count	c = { 0, 0, 0 };
	struct sf_header	h;
	char			err[128];

	if (sf_parse(p, len, &h, &ops, &c, err, sizeof(err)) == 0 &&
	    c.tunnels != h.ntunnels)
		abort();
}

/* body -> "AMTRSTAT" version length body checksum */
static void
fuzz_wrapped(const uint8_t *body, size_t blen)
{
	uint8_t	*p;
	size_t	 len = SF_HEAD_LEN + blen + SF_SUM_LEN;

	if ((p = malloc(len)) == NULL)
		return;
	memcpy(p, SF_MAGIC, SF_MAGIC_LEN);
	p[8] = p[9] = p[10] = 0;
	p[11] = SF_VERSION;
	p[12] = (uint8_t)(blen >> 24);
	p[13] = (uint8_t)(blen >> 16);
	p[14] = (uint8_t)(blen >> 8);
	p[15] = (uint8_t)blen;
	memcpy(p + SF_HEAD_LEN, body, blen);
	sf_checksum(p, SF_HEAD_LEN + blen, p + SF_HEAD_LEN + blen);
	fuzz_one(p, len);
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len > FUZZ_MAX_LEN)
		return 0;
	fuzz_one(data, len);
	fuzz_wrapped(data, len);
	return 0;
}
