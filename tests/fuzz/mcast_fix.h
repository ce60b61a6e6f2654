/*
 * For the IGMP/MLD fuzz targets: a copy of the input with its IPv4
 * header, IGMP or ICMPv6 checksums made right, so that the fuzzer reaches
 * the record and query parsers instead of stopping at a checksum.
 */
#ifndef FUZZ_MCAST_FIX_H
#define FUZZ_MCAST_FIX_H

#include <stdint.h>
#include <string.h>

#include "amt/cksum.h"

static void
fuzz_fix_v4(uint8_t *b, size_t len)
{
	size_t		hl = (size_t)(b[0] & 0x0f) * 4, tot;
	uint16_t	c;

	tot = (size_t)(b[2] << 8 | b[3]);
	if (tot > len)
		tot = len;
	if (hl < 20 || hl + 4 > tot)
		return;
	b[10] = b[11] = 0;
	c = cksum(b, hl);
	memcpy(b + 10, &c, 2);
	b[hl + 2] = b[hl + 3] = 0;
	c = cksum(b + hl, tot - hl);
	memcpy(b + hl + 2, &c, 2);
}

static void
fuzz_fix_v6(uint8_t *b, size_t len)
{
	struct amt_ip	src, dst;
	size_t		end, off;
	uint16_t	c;

	if (len < 48 || b[6] != 0)
		return;
	end = 40 + (size_t)(b[4] << 8 | b[5]);
	if (end > len)
		end = len;
	off = 40 + ((size_t)b[41] + 1) * 8;
	if (off + 4 > end)
		return;
	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.family = dst.family = AF_INET6;
	memcpy(src.u.b, b + 8, 16);
	memcpy(dst.u.b, b + 24, 16);
	b[off + 2] = b[off + 3] = 0;
	c = cksum_l4(&src, &dst, 58, b + off, end - off);
	memcpy(b + off + 2, &c, 2);
}

/* Fix the checksums of b in place (as far as its bytes allow). */
static void
fuzz_fix_cksums(uint8_t *b, size_t len)
{
	if (len >= 20 && (b[0] >> 4) == 4)
		fuzz_fix_v4(b, len);
	else if ((b[0] >> 4) == 6)
		fuzz_fix_v6(b, len);
}

#endif
