/*
 * Datagrams larger than the tunnel MTU (RFC 7450 5.3.3.6.2, R12):
 * IPv4 with DF clear is cut into IPv4 fragments (RFC 791 3.2), each sent
 * as a Data message of its own; the others are dropped and the source is
 * told with ICMP "fragmentation needed" (RFC 1191) or ICMPv6 Packet Too
 * Big (RFC 4443 3.2), at most a few per second.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "amt/buf.h"
#include "amt/cksum.h"
#include "amt/clock.h"
#include "amt/log.h"
#include "data.h"

#define ICMP_UNREACH		3
#define ICMP_UNREACH_NEEDFRAG	4
#define ICMP6_PACKET_TOO_BIG	2
#define ICMP6_MIN_MTU		1280
#define IPOPT_COPIED		0x80

struct mtu_icmp {
	int		fd4;
	int		fd6;
	unsigned	per_second;
	time_t		second;
	unsigned	sent;
};

/*
 * RFC 791 3.1: options whose copied flag is clear go in the first
 * fragment only.  Write the options of a later fragment into out, padded
 * to a multiple of 4 octets; returns their length.
 */
static size_t
frag_copied_options(const uint8_t *opt, size_t len, uint8_t *out)
{
	size_t	i = 0, o = 0, olen;

	while (i < len && opt[i] != 0) {
		if (opt[i] == 1) {		/* NOP */
			i++;
			continue;
		}
		if (i + 1 >= len || (olen = opt[i + 1]) < 2 || i + olen > len)
			break;
		if (opt[i] & IPOPT_COPIED) {
			memcpy(out + o, opt + i, olen);
			o += olen;
		}
		i += olen;
	}
	while (o % 4 != 0)
		out[o++] = 0;			/* End of Option List */
	return o;
}

/* The header of one fragment: the original's with new length/offset. */
static void
frag_header(struct frag_set *fs, unsigned k, const struct data_pkt *pkt,
    size_t hlen, size_t dlen, uint16_t frag)
{
	struct wbuf	w;
	uint8_t		*h = fs->hdr[k];

	memcpy(h, pkt->ip, 20);
	if (hlen > 20 && k == 0)
		memcpy(h + 20, pkt->ip + 20, hlen - 20);
	else if (pkt->hlen > 20)
		hlen = 20 + frag_copied_options(pkt->ip + 20, pkt->hlen - 20,
		    h + 20);
	wbuf_init(&w, h, hlen);
	w.len = hlen;
	h[0] = (uint8_t)(0x40 | hlen / 4);
	wbuf_set_n16(&w, 2, (uint16_t)(hlen + dlen));
	wbuf_set_n16(&w, 6, frag);
	wbuf_set_n16(&w, 10, 0);
	wbuf_set_n16(&w, 10, ntohs(cksum(h, hlen)));
	fs->hlen[k] = hlen;
}

int
frag_build(struct frag_set *fs, const struct data_pkt *pkt, size_t maxlen)
{
	size_t		 off = 0, dlen, step, total = pkt->len - pkt->hlen;
	uint16_t	 base = pkt->frag & FWD_IPV4_OFF, frag;
	bool		 more = (pkt->frag & FWD_IPV4_MF) != 0;

	if (pkt->dst.family != AF_INET || maxlen < pkt->hlen + 8)
		return -1;
	step = (maxlen - pkt->hlen) & ~(size_t)7;
	for (fs->n = 0; off < total; fs->n++) {
		if (fs->n == FRAG_MAX)
			return -1;
		dlen = total - off > step ? step : total - off;
		frag = (uint16_t)(base + off / 8);
		if (frag > FWD_IPV4_OFF)
			return -1;
		if (off + dlen < total || more)
			frag |= FWD_IPV4_MF;
		frag_header(fs, fs->n, pkt, pkt->hlen, dlen, frag);
		fs->data[fs->n] = pkt->ip + pkt->hlen + off;
		fs->dlen[fs->n] = dlen;
		off += dlen;
	}
	return fs->n > 0 ? 0 : -1;
}

static int
mtu_raw_socket(int family, int proto, const char *ifname)
{
	int	fd;

	if ((fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    proto)) == -1)
		return -1;
	if (ifname != NULL && ifname[0] != '\0' &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	    (socklen_t)strlen(ifname)) == -1)
		log_warn("SO_BINDTODEVICE %s (ICMP)", ifname);
	/* It only sends: filter everything it would receive. */
	(void)shutdown(fd, SHUT_RD);
	return fd;
}

struct mtu_icmp *
mtu_icmp_open(const char *ifname, unsigned per_second)
{
	struct mtu_icmp	*mi;

	if ((mi = calloc(1, sizeof(*mi))) == NULL)
		return NULL;
	mi->per_second = per_second;
	if ((mi->fd4 = mtu_raw_socket(AF_INET, IPPROTO_ICMP, ifname)) == -1)
		log_warn("ICMP socket: no fragmentation-needed messages");
	if ((mi->fd6 = mtu_raw_socket(AF_INET6, IPPROTO_ICMPV6,
	    ifname)) == -1)
		log_warn("ICMPv6 socket: no Packet Too Big messages");
	return mi;
}

void
mtu_icmp_close(struct mtu_icmp *mi)
{
	if (mi == NULL)
		return;
	if (mi->fd4 != -1)
		close(mi->fd4);
	if (mi->fd6 != -1)
		close(mi->fd6);
	free(mi);
}

/* Build the ICMP or ICMPv6 message about pkt into out. */
static size_t
mtu_icmp_build(const struct data_pkt *pkt, unsigned mtu, uint8_t *out,
    size_t cap)
{
	struct wbuf	w;
	size_t		quote;

	wbuf_init(&w, out, cap);
	if (pkt->dst.family == AF_INET) {
		/* RFC 1191 4: header and 64 bits of the datagram */
		quote = pkt->hlen + 8 < pkt->len ? pkt->hlen + 8 : pkt->len;
		wbuf_add_u8(&w, ICMP_UNREACH);
		wbuf_add_u8(&w, ICMP_UNREACH_NEEDFRAG);
		wbuf_add_n16(&w, 0);
		wbuf_add_n16(&w, 0);
		wbuf_add_n16(&w, (uint16_t)(mtu > 0xffff ? 0xffff : mtu));
		wbuf_add_bytes(&w, pkt->ip, quote);
		wbuf_set_n16(&w, 2, ntohs(cksum(out, w.len)));
	} else {
		/* RFC 4443 3.2: as much as fits in the minimum MTU; the
		 * kernel fills in the ICMPv6 checksum of a raw socket. */
		quote = ICMP6_MIN_MTU - 40 - 8;
		if (quote > pkt->len)
			quote = pkt->len;
		wbuf_add_u8(&w, ICMP6_PACKET_TOO_BIG);
		wbuf_add_u8(&w, 0);
		wbuf_add_n16(&w, 0);
		wbuf_add_n32(&w, mtu);
		wbuf_add_bytes(&w, pkt->ip, quote);
	}
	return w.err ? 0 : w.len;
}

int
mtu_icmp_send(struct mtu_icmp *mi, const struct data_pkt *pkt, unsigned mtu)
{
	struct sockaddr_storage	 ss;
	uint8_t			 msg[ICMP6_MIN_MTU];
	size_t			 len;
	time_t			 now = clock_mono_s();
	int			 fd;

	if (mi == NULL || ip_is_any(&pkt->src))
		return -1;
	fd = pkt->dst.family == AF_INET ? mi->fd4 : mi->fd6;
	if (fd == -1)
		return -1;
	if (now != mi->second) {
		mi->second = now;
		mi->sent = 0;
	}
	if (mi->sent >= mi->per_second)
		return -1;		/* rate limit */
	if ((len = mtu_icmp_build(pkt, mtu, msg, sizeof(msg))) == 0)
		return -1;
	ip_to_sa(&pkt->src, 0, &ss);
	if (sendto(fd, msg, len, 0, (struct sockaddr *)&ss,
	    addr_len((struct sockaddr *)&ss)) == -1)
		return -1;
	mi->sent++;
	return 0;
}
