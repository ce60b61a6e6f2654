/*
 * Checksums of IGMP and MLD datagrams made right in place (mcast_fix.h).
 */
#include <netinet/in.h>
#include <string.h>

#include "amt/cksum.h"
#include "mcast_fix.h"

void
fix_ip4_cksums(uint8_t *b, size_t hl, size_t len)
{
	uint16_t	c;

	b[10] = b[11] = 0;
	c = cksum(b, hl);
	memcpy(b + 10, &c, 2);
	b[hl + 2] = b[hl + 3] = 0;
	c = cksum(b + hl, len - hl);
	memcpy(b + hl + 2, &c, 2);
}

void
fix_icmp6_cksum(uint8_t *b, size_t off, size_t len)
{
	struct amt_ip	src, dst;
	uint16_t	c;

	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.family = dst.family = AF_INET6;
	memcpy(src.u.b, b + 8, 16);
	memcpy(dst.u.b, b + 24, 16);
	b[off + 2] = b[off + 3] = 0;
	c = cksum_l4(&src, &dst, 58, b + off, len - off);
	memcpy(b + off + 2, &c, 2);
}

/* Up to the total length, if the header and 4 octets of IGMP fit. */
static void
fix_v4(uint8_t *b, size_t len)
{
	size_t	hl = (size_t)(b[0] & 0x0f) * 4, tot;

	tot = (size_t)(b[2] << 8 | b[3]);
	if (tot > len)
		tot = len;
	if (hl < 20 || hl + 4 > tot)
		return;
	fix_ip4_cksums(b, hl, tot);
}

/* After a first Hop-by-Hop header, up to the payload length. */
static void
fix_v6(uint8_t *b, size_t len)
{
	size_t	end, off;

	if (len < 48 || b[6] != 0)
		return;
	end = 40 + (size_t)(b[4] << 8 | b[5]);
	if (end > len)
		end = len;
	off = 40 + ((size_t)b[41] + 1) * 8;
	if (off + 4 > end)
		return;
	fix_icmp6_cksum(b, off, end);
}

void
fix_cksums(uint8_t *b, size_t len)
{
	if (len >= 20 && (b[0] >> 4) == 4)
		fix_v4(b, len);
	else if ((b[0] >> 4) == 6)
		fix_v6(b, len);
}
