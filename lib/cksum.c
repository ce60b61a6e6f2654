/*
 * Internet checksum (RFC 1071) and the checksums built on it.
 *
 * A running sum (cksum_add, cksum_pseudo) is the plain 32-bit sum of the
 * big-endian 16-bit words, kept small by folding carries as it goes;
 * cksum_fold turns it into the one's complement of the folded sum, in
 * network byte order, ready to be copied into a packet.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "amt/buf.h"
#include "amt/cksum.h"

#define IPPROTO_UDP_	17
#define IPPROTO_TCP_	6
#define IPPROTO_ICMP_	1
#define IPPROTO_ICMPV6_	58

/* Where an upper-layer protocol keeps its checksum, or -1. */
static int
cksum_field_offset(uint8_t proto, size_t len)
{
	size_t	off;

	switch (proto) {
	case IPPROTO_UDP_:
		off = 6;
		break;
	case IPPROTO_TCP_:
		off = 16;
		break;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		off = 2;
		break;
	default:
		return -1;
	}
	return off + 2 <= len ? (int)off : -1;
}

/* Fold a wide one's complement sum to 16 bits (end-around carry). */
static uint32_t
cksum_fold64(uint64_t acc)
{
	acc = (acc & 0xffffffffU) + (acc >> 32);
	acc = (acc & 0xffffffffU) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)((acc & 0xffff) + (acc >> 16));
}

/*
 * RFC 1071 2(B): the sum is independent of byte order, so the words are
 * added in host order, 32 bits at a time into a 64-bit accumulator (2^32
 * additions before it can overflow), and the folded result is swapped to
 * network order once at the end.
 */
uint32_t
cksum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t	*p = data;
	uint64_t	 acc = 0;
	uint32_t	 w;
	uint16_t	 h;
	uint8_t		 last[2] = { 0, 0 };

	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w, p, sizeof(w));
		acc += w;
	}
	if (len >= 2) {
		memcpy(&h, p, sizeof(h));
		acc += h;
		p += 2;
		len -= 2;
	}
	/* RFC 1071 4.1: an odd last byte is padded with a zero byte. */
	if (len == 1) {
		last[0] = p[0];
		memcpy(&h, last, sizeof(h));
		acc += h;
	}
	h = ntohs((uint16_t)cksum_fold64(acc));
	return cksum_fold64((uint64_t)sum + h);
}

uint16_t
cksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

uint16_t
cksum(const void *data, size_t len)
{
	return cksum_fold(cksum_add(0, data, len));
}

/*
 * RFC 768 (IPv4: src, dst, zero, protocol, length) and RFC 8200 8.1
 * (IPv6: src, dst, 32-bit length, zero, next header) sum to the same
 * words for lengths below 65536; the 32-bit form covers both.
 */
uint32_t
cksum_pseudo(const struct amt_ip *src, const struct amt_ip *dst,
    uint8_t proto, uint32_t len)
{
	size_t		alen = src->family == AF_INET6 ? 16 : 4;
	uint32_t	sum;

	sum = cksum_add(0, src->u.b, alen);
	sum = cksum_add(sum, dst->u.b, alen);
	sum += proto;
	sum += len >> 16;
	sum += len & 0xffff;
	return sum;
}

uint16_t
cksum_l4(const struct amt_ip *src, const struct amt_ip *dst, uint8_t proto,
    const void *data, size_t len)
{
	uint32_t	sum;

	sum = cksum_pseudo(src, dst, proto, (uint32_t)len);
	return cksum_fold(cksum_add(sum, data, len));
}

bool
cksum_ok(const void *data, size_t len)
{
	return cksum(data, len) == 0;
}

/* Zeroed addresses of one family, for the pseudo-header. */
static void
cksum_addrs_init(struct amt_ip *src, struct amt_ip *dst, int family)
{
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	src->family = dst->family = family;
}

/* Store the checksum of the upper-layer bytes at l4 (len bytes). */
static int
cksum_store(const struct amt_ip *src, const struct amt_ip *dst,
    uint8_t proto, uint8_t *l4, size_t len)
{
	struct wbuf	w;
	uint16_t	c;
	int		off;

	if ((off = cksum_field_offset(proto, len)) == -1)
		return -1;
	wbuf_init(&w, l4, len);
	w.len = len;
	wbuf_set_n16(&w, (size_t)off, 0);
	if (proto == IPPROTO_ICMP_)
		c = cksum(l4, len);	/* RFC 792: no pseudo-header */
	else
		c = cksum_l4(src, dst, proto, l4, len);
	/* RFC 768: a computed zero is sent as all ones. */
	if (proto == IPPROTO_UDP_ && c == 0)
		c = 0xffff;
	return wbuf_set_n16(&w, (size_t)off, ntohs(c));
}

static int
cksum_finish_v4(uint8_t *pkt, size_t len)
{
	struct rbuf	r;
	struct amt_ip	src, dst;
	uint8_t		vhl, proto;
	uint16_t	tot, frag;
	size_t		hl;

	cksum_addrs_init(&src, &dst, AF_INET);
	rbuf_init(&r, pkt, len);
	rbuf_get_u8(&r, &vhl);
	rbuf_skip(&r, 1);
	rbuf_get_n16(&r, &tot);
	rbuf_skip(&r, 2);
	rbuf_get_n16(&r, &frag);
	rbuf_skip(&r, 1);
	rbuf_get_u8(&r, &proto);
	rbuf_skip(&r, 2);
	rbuf_get_bytes(&r, src.u.b, 4);
	rbuf_get_bytes(&r, dst.u.b, 4);
	if (r.err)
		return -1;
	hl = (size_t)(vhl & 0x0f) * 4;
	/* A fragment (MF or an offset) has no whole payload to sum. */
	if ((vhl >> 4) != 4 || hl < 20 || tot < hl || tot > len ||
	    (frag & 0x3fff) != 0)
		return -1;
	return cksum_store(&src, &dst, proto, pkt + hl, tot - hl);
}

static int
cksum_finish_v6(uint8_t *pkt, size_t len)
{
	struct rbuf	r;
	struct amt_ip	src, dst;
	uint8_t		nh, hlen;
	uint16_t	plen;

	cksum_addrs_init(&src, &dst, AF_INET6);
	rbuf_init(&r, pkt, len);
	rbuf_skip(&r, 4);
	rbuf_get_n16(&r, &plen);
	rbuf_get_u8(&r, &nh);
	rbuf_skip(&r, 1);
	rbuf_get_bytes(&r, src.u.b, 16);
	rbuf_get_bytes(&r, dst.u.b, 16);
	if (r.err || (pkt[0] >> 4) != 6 || (size_t)plen + 40 > len)
		return -1;
	rbuf_init(&r, pkt + 40, plen);
	/*
	 * Skip Hop-by-Hop and Destination Options only: a Routing header
	 * changes the pseudo-header destination, a Fragment header means
	 * there is no whole payload.
	 */
	while (nh == 0 || nh == 60) {
		if (rbuf_get_u8(&r, &nh) == -1 || rbuf_get_u8(&r, &hlen) == -1 ||
		    rbuf_skip(&r, (size_t)hlen * 8 + 6) == -1)
			return -1;
	}
	return cksum_store(&src, &dst, nh, pkt + 40 + r.pos, plen - r.pos);
}

int
cksum_finish_l4(uint8_t *pkt, size_t len)
{
	if (pkt == NULL || len < 1)
		return -1;
	switch (pkt[0] >> 4) {
	case 4:
		return cksum_finish_v4(pkt, len);
	case 6:
		return cksum_finish_v6(pkt, len);
	}
	return -1;
}
