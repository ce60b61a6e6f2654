/*
 * Native multicast from the upstream interface (R10): an
 * AF_PACKET socket (SOCK_DGRAM: frames start at the IP header) with a
 * classic BPF filter for multicast destinations and a TPACKET_V3 ring, so
 * that one wake-up of the event loop walks every block the kernel has
 * filled.  Each datagram is checked, its checksum finished if the sender
 * left it to offload (TP_STATUS_CSUMNOTREADY, seen on veth), and handed
 * to the forwarding code; the batch of copies is flushed before the
 * block goes back to the kernel.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amt/buf.h"
#include "amt/cksum.h"
#include "amt/ecn.h"
#include "amt/log.h"
#include "relay.h"
#include "data.h"

/*
 * Ring geometry: 64 blocks of 128 KiB (8 MiB), a partial block handed
 * over after 4 ms.  At a high rate blocks fill by size (about 90
 * datagrams of 1316 octets each, 40 ms of ring at 150,000/s); at a low
 * rate with many tunnels they retire by time, so the block count bounds
 * how long the relay may be late: 64 x 4 ms.  Measured on a busy 2-core
 * host, 8 blocks of 256 KiB with 2 ms lost a third of a 100,000/s
 * stream and 30 % of a 1,500/s stream going to 100 tunnels.
 */
#define CAP_BLOCK_SIZE	(1u << 17)
#define CAP_BLOCK_NR	64u
#define CAP_FRAME_SIZE	(1u << 11)
#define CAP_RETIRE_MS	4u
#define CAP_SNAPLEN	65535u

struct capture {
	int		 fd;
	uint8_t		*ring;
	size_t		 ring_len;
	unsigned	 cur;		/* next block to look at */
	struct event	 ev;
	struct relayd	*rd;
};

/*
 * Multicast destinations only: IPv4 224/4 without the local network
 * control block 224.0.0.0/24 (IGMP, routing protocols); IPv6 ff00::/8
 * without interface- and link-local scopes (MLD, ND).  Offsets are from
 * the IP header (SOCK_DGRAM).
 */
static struct sock_filter cap_filter[] = {
	/* 0 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
	/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 5),
	/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
	/* 3 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf0000000),
	/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xe0000000, 0, 9),
	/* 5 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
	/* 6 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0xe0000100, 6, 7),
	/* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 6),
	/* 8 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 24),
	/* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xff, 0, 4),
	/* 10 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 25),
	/* 11 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x0f),
	/* 12 */ BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 2, 0, 1),
	/* 13 */ BPF_STMT(BPF_RET | BPF_K, CAP_SNAPLEN),
	/* 14 */ BPF_STMT(BPF_RET | BPF_K, 0),
};

/* Check an IPv4 header (RFC 791 3.1) and fill pkt; -1 if bad. */
static int
cap_parse_v4(struct data_pkt *pkt, size_t caplen)
{
	struct rbuf	r;
	uint8_t		vhl, tos;
	uint16_t	tot, frag;

	rbuf_init(&r, pkt->ip, caplen);
	rbuf_get_u8(&r, &vhl);
	rbuf_get_u8(&r, &tos);
	rbuf_get_n16(&r, &tot);
	rbuf_skip(&r, 2);
	rbuf_get_n16(&r, &frag);
	rbuf_skip(&r, 4);
	pkt->src.family = pkt->dst.family = AF_INET;
	rbuf_get_bytes(&r, pkt->src.u.b, 4);
	rbuf_get_bytes(&r, pkt->dst.u.b, 4);
	pkt->hlen = (size_t)(vhl & 0x0f) * 4;
	if (r.err || vhl >> 4 != 4 || pkt->hlen < 20 || tot < pkt->hlen ||
	    tot > caplen || !cksum_ok(pkt->ip, pkt->hlen))
		return -1;
	pkt->len = tot;			/* drop link-layer padding */
	pkt->df = (frag & FWD_IPV4_DF) != 0;
	pkt->frag = frag & (FWD_IPV4_MF | FWD_IPV4_OFF);
	pkt->ecn = tos & ECN_MASK;
	return 0;
}

/* Check an IPv6 header (RFC 8200 3); jumbograms are not forwarded. */
static int
cap_parse_v6(struct data_pkt *pkt, size_t caplen)
{
	struct rbuf	r;
	uint8_t		v, tc;
	uint16_t	plen;

	rbuf_init(&r, pkt->ip, caplen);
	rbuf_get_u8(&r, &v);
	rbuf_get_u8(&r, &tc);
	rbuf_skip(&r, 2);
	rbuf_get_n16(&r, &plen);
	rbuf_skip(&r, 2);
	pkt->src.family = pkt->dst.family = AF_INET6;
	rbuf_get_bytes(&r, pkt->src.u.b, 16);
	rbuf_get_bytes(&r, pkt->dst.u.b, 16);
	if (r.err || v >> 4 != 6 || plen == 0 || 40u + plen > caplen)
		return -1;
	pkt->hlen = 40;
	pkt->len = 40u + plen;
	pkt->df = true;
	pkt->frag = 0;
	/* the Traffic Class straddles octets 0 and 1; ECN is its low 2 bits */
	pkt->ecn = (tc >> 4) & ECN_MASK;
	return 0;
}

static void
cap_frame(struct capture *cap, struct tpacket3_hdr *h)
{
	struct relayd	*rd = cap->rd;
	struct data_pkt	 pkt;
	int		 r;

	memset(&pkt, 0, sizeof(pkt));
	pkt.ip = (uint8_t *)h + h->tp_net;
	if (h->tp_snaplen < h->tp_len || h->tp_snaplen < 1)
		r = -1;			/* truncated */
	else if (pkt.ip[0] >> 4 == 4)
		r = cap_parse_v4(&pkt, h->tp_snaplen);
	else
		r = cap_parse_v6(&pkt, h->tp_snaplen);
	if (r == -1 || !ip_is_multicast(&pkt.dst)) {
		rd->stats.data_bad_packet++;
		return;
	}
	/* A locally sent frame may leave its UDP checksum to offload. */
	if (h->tp_status & TP_STATUS_CSUMNOTREADY) {
		if (cksum_finish_l4(pkt.ip, pkt.len) == -1) {
			rd->stats.data_bad_packet++;
			return;
		}
		rd->stats.data_csum_fixed++;
	}
	rd->stats.data_rx_packets++;
	rd->stats.data_rx_bytes += pkt.len;
	repl_packet(rd, &pkt);
}

static void
cap_block(struct capture *cap, struct tpacket_block_desc *bd)
{
	struct tpacket3_hdr		*h;
	uint32_t			 i, n = bd->hdr.bh1.num_pkts;
	uint8_t				*base = (uint8_t *)bd;
	size_t				 off = bd->hdr.bh1.offset_to_first_pkt;

	for (i = 0; i < n && off + sizeof(*h) <= CAP_BLOCK_SIZE; i++) {
		h = (struct tpacket3_hdr *)(base + off);
		if ((size_t)h->tp_net + h->tp_snaplen + off > CAP_BLOCK_SIZE)
			break;
		cap_frame(cap, h);
		if (h->tp_next_offset == 0)
			break;
		off += h->tp_next_offset;
	}
}

/*
 * Woken with no block ready: a pending socket error (ENETDOWN when the
 * interface goes away) keeps the descriptor readable.  Reading SO_ERROR
 * clears it, so the loop does not spin.
 */
static void
cap_error(struct capture *cap)
{
	socklen_t	len = sizeof(int);
	int		e = 0;

	if (getsockopt(cap->fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 &&
	    e != 0)
		log_warnx("capture on %s: %s", cap->rd->conf.upstream_if,
		    strerror(e));
}

/* Datagrams the kernel dropped because the ring was full. */
static void
cap_drops(struct capture *cap)
{
	struct tpacket_stats_v3	st;
	socklen_t		len = sizeof(st);

	/* reading the statistics resets them */
	if (getsockopt(cap->fd, SOL_PACKET, PACKET_STATISTICS, &st,
	    &len) == 0)
		cap->rd->stats.data_rx_dropped += st.tp_drops;
}

static void
cap_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct capture			*cap = arg;
	struct tpacket_block_desc	*bd;
	unsigned			 n;

	/* Every block the kernel has handed over, at most a ring's worth. */
	for (n = 0; n < CAP_BLOCK_NR; n++) {
		bd = (struct tpacket_block_desc *)(cap->ring +
		    (size_t)cap->cur * CAP_BLOCK_SIZE);
		if ((__atomic_load_n(&bd->hdr.bh1.block_status,
		    __ATOMIC_ACQUIRE) & TP_STATUS_USER) == 0)
			break;
		cap_block(cap, bd);
		/* the copies point into the block: send before releasing */
		batch_flush(cap->rd);
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
		    __ATOMIC_RELEASE);
		cap->cur = (cap->cur + 1) % CAP_BLOCK_NR;
	}
	if (n == 0)
		cap_error(cap);
	cap_drops(cap);
}

static int
cap_socket(struct capture *cap, unsigned ifindex)
{
	struct sock_fprog	fprog;
	struct tpacket_req3	req;
	struct sockaddr_ll	sll;
	int			one = 1, v3 = TPACKET_V3;

	fprog.len = sizeof(cap_filter) / sizeof(cap_filter[0]);
	fprog.filter = cap_filter;
	memset(&req, 0, sizeof(req));
	req.tp_block_size = CAP_BLOCK_SIZE;
	req.tp_block_nr = CAP_BLOCK_NR;
	req.tp_frame_size = CAP_FRAME_SIZE;
	req.tp_frame_nr = CAP_BLOCK_SIZE / CAP_FRAME_SIZE * CAP_BLOCK_NR;
	req.tp_retire_blk_tov = CAP_RETIRE_MS;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)ifindex;
	/* Protocol 0 until the filter is on, so nothing unfiltered queues. */
	if ((cap->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(cap->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog,
	    sizeof(fprog)) == -1 ||
	    setsockopt(cap->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
	    sizeof(one)) == -1 ||
	    setsockopt(cap->fd, SOL_PACKET, PACKET_VERSION, &v3,
	    sizeof(v3)) == -1 ||
	    setsockopt(cap->fd, SOL_PACKET, PACKET_RX_RING, &req,
	    sizeof(req)) == -1 ||
	    bind(cap->fd, (struct sockaddr *)&sll, sizeof(sll)) == -1)
		return -1;
	cap->ring_len = (size_t)CAP_BLOCK_SIZE * CAP_BLOCK_NR;
	cap->ring = mmap(NULL, cap->ring_len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_LOCKED, cap->fd, 0);
	if (cap->ring == MAP_FAILED)
		cap->ring = mmap(NULL, cap->ring_len, PROT_READ | PROT_WRITE,
		    MAP_SHARED, cap->fd, 0);
	if (cap->ring == MAP_FAILED) {
		cap->ring = NULL;
		return -1;
	}
	return 0;
}

int
capture_start(struct relayd *rd)
{
	struct capture	*cap;
	unsigned	 ifindex;

	if ((ifindex = if_nametoindex(rd->conf.upstream_if)) == 0) {
		log_warn("capture: interface \"%s\"", rd->conf.upstream_if);
		return -1;
	}
	if ((cap = calloc(1, sizeof(*cap))) == NULL)
		return -1;
	cap->rd = rd;
	cap->fd = -1;
	if (cap_socket(cap, ifindex) == -1) {
		log_warn("capture on %s", rd->conf.upstream_if);
		if (cap->fd != -1)
			close(cap->fd);
		free(cap);
		return -1;
	}
	event_assign(&cap->ev, rd->base, cap->fd, EV_READ | EV_PERSIST,
	    cap_read_cb, cap);
	event_add(&cap->ev, NULL);
	rd->cap = cap;
	log_debug("capturing multicast on %s (ring %zu KiB)",
	    rd->conf.upstream_if, cap->ring_len / 1024);
	return 0;
}

void
capture_stop(struct relayd *rd)
{
	struct capture	*cap = rd->cap;

	if (cap == NULL)
		return;
	event_del(&cap->ev);
	batch_flush(rd);
	munmap(cap->ring, cap->ring_len);
	close(cap->fd);
	free(cap);
	rd->cap = NULL;
}
