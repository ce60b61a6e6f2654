/*
 * Fuzz the configuration file parser (conf_load_buf) with a table of
 * every kind.  Beyond not crashing: whatever parses prints (conf_dump)
 * and parses back to the same configuration.
 */
#include <sys/socket.h>
#include <net/if.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amt/conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fconf {
	bool			flag;
	uint8_t			u8;
	uint16_t		u16;
	unsigned		u32;
	uint64_t		u64;
	unsigned		dur;
	char			str[32];
	char			ifname[IF_NAMESIZE];
	struct amt_ip		addr;
	struct conf_addrs	addrs;
	struct conf_prefixes	prefixes;
	struct sockaddr_storage	sa;
};

#define O(n, k, m)	.name = n, .kind = k, CONF_FIELD(struct fconf, m)
static const struct conf_opt fopts[] = {
	{ O("flag", CONF_BOOL, flag) },
	{ O("u8", CONF_UINT, u8), .min = 1, .max = 200 },
	{ O("u16", CONF_UINT, u16), .max = 65535 },
	{ O("u32", CONF_UINT, u32), .min = 5, .max = 4000000000u },
	{ O("u64", CONF_UINT, u64), .max = UINT64_MAX },
	{ O("dur", CONF_DURATION, dur), .min = 1, .max = 7 * 86400 },
	{ O("str", CONF_STRING, str) },
	{ O("ifname", CONF_IFNAME, ifname) },
	{ O("addr", CONF_ADDR, addr), .flags = CONF_F_UNICAST },
	{ O("addrs", CONF_ADDRS, addrs) },
	{ O("prefixes", CONF_PREFIXES, prefixes) },
	{ O("sa", CONF_SOCKADDR, sa), .min = 2268 },
	CONF_END
};

/* Defaults inside the bounds, as a daemon's are. */
static void
fdefaults(struct fconf *c)
{
	memset(c, 0, sizeof(*c));
	c->u8 = 1;
	c->u32 = 5;
	c->dur = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fconf	 a, b;
	char		 err[256], *out = NULL;
	size_t		 outlen = 0;
	FILE		*f;

	if (len > 4 * CONF_LINE_MAX)
		return 0;
	fdefaults(&a);
	if (conf_load_buf(fopts, "fuzz", (const char *)data, len, &a, err,
	    sizeof(err)) == -1) {
		if (strncmp(err, "fuzz:", 5) != 0)
			abort();
		return 0;
	}
	if ((f = open_memstream(&out, &outlen)) == NULL)
		abort();
	conf_dump(fopts, &a, f);
	fclose(f);
	fdefaults(&b);
	if (conf_load_buf(fopts, "dump", out, outlen, &b, err,
	    sizeof(err)) == -1 || memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	free(out);
	return 0;
}
