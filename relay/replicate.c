/*
 * Replication of captured datagrams to tunnels (RFC 7450 5.3.3.6, spec.md
 * R10, R12, R15).  Each copy is one sendmmsg() entry whose iovec is
 * [06 00, the shared datagram]: no per-tunnel copy.  Entries are batched
 * per relay socket and flushed when a batch is full and at the end of
 * each capture burst.
 *
 * Consecutive entries to one tunnel with datagrams of one size (a stream
 * to few tunnels) leave as one UDP GSO message (UDP_SEGMENT): the kernel
 * routes, filters and bridges the run once and cuts it into ordinary
 * Data datagrams of 2 + size octets at the last moment (or the NIC does).
 * Where GSO is refused (no checksum offload on the route, an MTU too
 * small), the run goes out one datagram per entry.
 *
 * R15, RFC 9601 6.1.4, RFC 6040 4.1: to a tunnel whose gateway set E
 * (tunnel_ecn()), the outer ECN field is the inner one (normal mode), by
 * an IP_TOS / IPV6_TCLASS control message on that message alone; the
 * socket's own value stays 0, the outer DSCP is always 0, and every
 * other tunnel gets outer ECN 0 (compatibility mode).  A GSO run never
 * mixes two outer ECN values.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "amt/log.h"
#include "amt/wire.h"
#include "relay.h"
#include "data.h"

#define FWD_RETRIES	4	/* bounded wait for a full socket buffer */
#define FWD_RETRY_MS	2
#define FWD_SNDBUF	(4 * 1024 * 1024)

/* IP + UDP of the outer header, by tunnel family. */
#define OUTER_V4	(20 + 8)
#define OUTER_V6	(40 + 8)

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif
/* A GSO run: at most the segments every kernel with UDP_SEGMENT takes
 * (UDP_MAX_SEGMENTS, 64 before 6.9), within one IPv4 UDP payload. */
#define FWD_GSO_SEGS	64
#define FWD_GSO_BYTES	(65535 - OUTER_V4)

/*
 * Options on a relay socket that sends Data:
 * R12 / RFC 7450 5.3.3.6.3.1: the outer IPv4 header has DF set;
 * R15 / RFC 9601 6.1.4: outer ECN 0 (compatibility mode) and DSCP 0 by
 * default (IP_TOS / IPV6_TCLASS 0); a message to a tunnel in normal mode
 * sets its ECN with a control message; a larger send buffer absorbs a
 * burst of copies.
 */
void
fwd_sockopts(int fd, int family)
{
	int	pmtu = IP_PMTUDISC_DO, zero = 0, sndbuf = FWD_SNDBUF;

	if (fd < 0)
		return;
	if (family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
		    sizeof(pmtu)) == -1)
			log_warn("IP_MTU_DISCOVER");
		if (setsockopt(fd, IPPROTO_IP, IP_TOS, &zero,
		    sizeof(zero)) == -1)
			log_warn("IP_TOS");
	} else if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &zero,
		    sizeof(zero)) == -1)
			log_warn("IPV6_TCLASS");
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
	    sizeof(sndbuf)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
		    sizeof(sndbuf));
}

int
fwd_batch_init(struct relayd *rd)
{
	struct fwd_table	*ft = rd->fwd;
	unsigned		 i;

	ft->data_hdr[0] = AMT_MULTICAST_DATA;	/* RFC 7450 5.1.6 */
	ft->data_hdr[1] = 0;
	for (i = 0; i < FWD_NBATCH; i++)
		ft->batch[i].fd = -1;
	ft->icmp = mtu_icmp_open(rd->conf.upstream_if, 10);
	return 0;
}

void
fwd_batch_free(struct relayd *rd)
{
	struct fwd_table	*ft = rd->fwd;

	mtu_icmp_close(ft->icmp);
	free(ft->frags[0]);
	free(ft->frags[1]);
}

/* Wait a little for room in a socket buffer; false when none came. */
static bool
fwd_wait_writable(int fd)
{
	struct pollfd	pfd;

	pfd.fd = fd;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	return poll(&pfd, 1, FWD_RETRY_MS) == 1 &&
	    (pfd.revents & POLLOUT) != 0;
}

/* The octets of entry i: its iovec (a GSO run may have zeroed [2]). */
static size_t
fwd_entry_len(const struct fwd_batch *b, unsigned i)
{
	size_t		len = 0;
	unsigned	k;

	for (k = 0; k < b->msg[i].msg_hdr.msg_iovlen; k++)
		len += b->iov[i][k].iov_len;
	return len;
}

static void
fwd_sent(struct relayd *rd, struct fwd_batch *b, unsigned off, unsigned n)
{
	unsigned	i;
	size_t		len;

	for (i = off; i < off + n; i++) {
		len = fwd_entry_len(b, i);
		b->tun[i]->data_packets++;
		b->tun[i]->data_bytes += len;
		rd->stats.data_tx_bytes += len;
		if (b->ecn[i] != 0)
			rd->stats.data_ecn_copied++;
	}
	rd->stats.data_tx_packets += n;
}

/* The messages of one sendmmsg(): runs of batch entries, GSO or not. */
struct fwd_out {
	unsigned	 n;
	struct mmsghdr	 msg[FWD_BATCH];
	unsigned	 first[FWD_BATCH];	/* first entry of the run */
	unsigned	 count[FWD_BATCH];	/* entries in the run */
	union {
		struct cmsghdr	c;
		char		buf[CMSG_SPACE(sizeof(uint16_t)) +
				    CMSG_SPACE(sizeof(int))];
	}		 ctl[FWD_BATCH];
};

/* Entry i continues the run of out's last message (same tunnel, size,
 * outer ECN). */
static bool
fwd_gso_extends(const struct fwd_batch *b, const struct fwd_out *o,
    unsigned i)
{
	unsigned	f = o->first[o->n - 1], c = o->count[o->n - 1];
	size_t		seg = b->iov[f][1].iov_len;

	return b->tun[i] == b->tun[f] && b->ecn[i] == b->ecn[f] &&
	    b->msg[f].msg_hdr.msg_iovlen == 2 &&
	    b->msg[i].msg_hdr.msg_iovlen == 2 &&
	    b->iov[i][1].iov_len == seg && c < FWD_GSO_SEGS &&
	    (c + 1) * (seg + AMT_DATA_HDR_LEN) <= FWD_GSO_BYTES;
}

/*
 * Entries of a run lie next to each other in b->iov, three iovecs each:
 * [06 00, datagram, unused].  Zeroing the unused one makes the run one
 * iovec [06 00, d1, -, 06 00, d2, -, ...] that UDP_SEGMENT cuts into
 * the same Data messages as the entries would have been.
 */
static void
fwd_gso_close(struct fwd_batch *b, unsigned f, unsigned c,
    struct msghdr *mh, struct cmsghdr *cm)
{
	unsigned	 k;
	uint16_t	 seg;

	for (k = f; k < f + c - 1; k++) {
		b->iov[k][2].iov_base = NULL;
		b->iov[k][2].iov_len = 0;
	}
	seg = (uint16_t)(AMT_DATA_HDR_LEN + b->iov[f][1].iov_len);
	mh->msg_iovlen = 3 * c - 1;
	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
}

/* R15: the outer ECN of a message in normal mode, DSCP 0. */
static void
fwd_ecn_cmsg(struct cmsghdr *cm, int family, uint8_t ecn)
{
	int	tos = ecn;

	cm->cmsg_level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	cm->cmsg_type = family == AF_INET6 ? IPV6_TCLASS : IP_TOS;
	cm->cmsg_len = CMSG_LEN(sizeof(tos));
	memcpy(CMSG_DATA(cm), &tos, sizeof(tos));
}

/* The control messages of out's last message: GSO, outer ECN, none. */
static void
fwd_out_close(struct fwd_batch *b, struct fwd_out *o)
{
	struct msghdr	*mh = &o->msg[o->n - 1].msg_hdr;
	struct cmsghdr	*cm;
	unsigned	 f = o->first[o->n - 1], c = o->count[o->n - 1];
	size_t		 len = 0;

	if (c > 1)
		len += CMSG_SPACE(sizeof(uint16_t));
	if (b->ecn[f] != 0)
		len += CMSG_SPACE(sizeof(int));
	if (len == 0)
		return;
	mh->msg_control = o->ctl[o->n - 1].buf;
	mh->msg_controllen = len;
	cm = CMSG_FIRSTHDR(mh);
	if (c > 1)
		fwd_gso_close(b, f, c, mh, cm);
	if (b->ecn[f] == 0)
		return;
	/* After the GSO one, if any (the layout CMSG_NXTHDR walks). */
	if (c > 1)
		cm = (struct cmsghdr *)((char *)cm +
		    CMSG_SPACE(sizeof(uint16_t)));
	fwd_ecn_cmsg(cm, b->tun[f]->gw.ss_family, b->ecn[f]);
}

/* Entries [from, to) of b as messages; with gso, runs coalesced. */
static void
fwd_out_build(struct fwd_batch *b, struct fwd_out *o, unsigned from,
    unsigned to, bool gso)
{
	unsigned	i;

	o->n = 0;
	for (i = from; i < to; i++) {
		if (gso && o->n > 0 && fwd_gso_extends(b, o, i)) {
			o->count[o->n - 1]++;
			continue;
		}
		if (o->n > 0)
			fwd_out_close(b, o);
		o->msg[o->n] = b->msg[i];
		o->first[o->n] = i;
		o->count[o->n++] = 1;
	}
	if (o->n > 0)
		fwd_out_close(b, o);
}

static unsigned
fwd_out_entries(const struct fwd_out *o, unsigned off)
{
	unsigned	n = 0;

	for (; off < o->n; off++)
		n += o->count[off];
	return n;
}

static void	fwd_send_range(struct relayd *, struct fwd_batch *, unsigned,
		    unsigned, bool);

/* One message of o failed for itself: a run goes again one by one. */
static void
fwd_out_failed(struct relayd *rd, struct fwd_batch *b, struct fwd_out *o,
    unsigned off)
{
	if (o->count[off] > 1)
		fwd_send_range(rd, b, o->first[off],
		    o->first[off] + o->count[off], false);
	else
		rd->stats.data_send_errors++;
}

static void
fwd_out_send(struct relayd *rd, struct fwd_batch *b, struct fwd_out *o)
{
	unsigned	off = 0, tries = 0, k;
	int		r;

	while (off < o->n) {
		r = sendmmsg(b->fd, o->msg + off, o->n - off, MSG_DONTWAIT);
		if (r > 0) {
			for (k = off; k < off + (unsigned)r; k++)
				fwd_sent(rd, b, o->first[k], o->count[k]);
			off += (unsigned)r;
			continue;
		}
		if ((errno == EAGAIN || errno == ENOBUFS || errno == EINTR) &&
		    tries++ < FWD_RETRIES) {
			if (errno != EINTR)
				(void)fwd_wait_writable(b->fd);
			continue;
		}
		if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR) {
			/* do not spin: what is left is lost */
			rd->stats.data_send_errors += fwd_out_entries(o, off);
			break;
		}
		/* an error about the message at off alone */
		fwd_out_failed(rd, b, o, off++);
	}
}

static void
fwd_send_range(struct relayd *rd, struct fwd_batch *b, unsigned from,
    unsigned to, bool gso)
{
	struct fwd_out	o;

	fwd_out_build(b, &o, from, to, gso);
	fwd_out_send(rd, b, &o);
}

static void
fwd_send(struct relayd *rd, struct fwd_batch *b)
{
	fwd_send_range(rd, b, 0, b->n, true);
	b->n = 0;
}

void
fwd_flush(struct relayd *rd)
{
	struct fwd_table	*ft = rd->fwd;
	unsigned		 i;

	if (ft == NULL)
		return;
	for (i = 0; i < FWD_NBATCH; i++)
		if (ft->batch[i].n > 0)
			fwd_send(rd, &ft->batch[i]);
	ft->frags_queued = false;
}

/* The batch for fd: its own, an empty one, or the first one flushed. */
static struct fwd_batch *
fwd_batch_for(struct relayd *rd, int fd)
{
	struct fwd_table	*ft = rd->fwd;
	struct fwd_batch	*b, *empty = NULL;
	unsigned		 i;

	for (i = 0; i < FWD_NBATCH; i++) {
		b = &ft->batch[i];
		if (b->n > 0 && b->fd == fd)
			return b;
		if (b->n == 0 && empty == NULL)
			empty = b;
	}
	if (empty == NULL) {
		empty = &ft->batch[0];
		fwd_send(rd, empty);
	}
	empty->fd = fd;
	return empty;
}

/*
 * Queue one Data message to t: 06 00, then niov pieces of datagram, with
 * outer ECN ecn.
 */
static void
fwd_queue(struct relayd *rd, struct tunnel *t, const struct iovec *piece,
    unsigned npiece, uint8_t ecn)
{
	struct fwd_batch	*b;
	struct msghdr		*mh;
	struct iovec		*iov;

	if (t->lsn == NULL || t->lsn->fd < 0) {
		rd->stats.data_send_errors++;
		return;
	}
	b = fwd_batch_for(rd, t->lsn->fd);
	iov = b->iov[b->n];
	iov[0].iov_base = rd->fwd->data_hdr;
	iov[0].iov_len = AMT_DATA_HDR_LEN;
	memcpy(iov + 1, piece, npiece * sizeof(*piece));
	mh = &b->msg[b->n].msg_hdr;
	memset(mh, 0, sizeof(*mh));
	mh->msg_name = &t->gw;
	mh->msg_namelen = addr_len((struct sockaddr *)&t->gw);
	mh->msg_iov = iov;
	mh->msg_iovlen = 1 + npiece;
	b->ecn[b->n] = ecn;
	b->tun[b->n++] = t;
	if (b->n == FWD_BATCH)
		fwd_send(rd, b);
}

/* Per outer family, what to do with the packet. */
enum fwd_fit { FIT_WHOLE, FIT_FRAGS, FIT_DROP };

struct fwd_plan {
	enum fwd_fit	 fit[2];
	bool		 planned[2];
	unsigned	 too_big_mtu;	/* smallest TMTU of a drop; 0: none */
};

static unsigned
fwd_tmtu(const struct relayd *rd, int fam)
{
	unsigned	outer = AMT_DATA_HDR_LEN +
	    (fam == AF_INET6 ? OUTER_V6 : OUTER_V4);

	return rd->conf.tunnel_mtu > outer ? rd->conf.tunnel_mtu - outer : 0;
}

/* RFC 7450 5.3.3.6.2: decide once per outer family and packet. */
static enum fwd_fit
fwd_plan_for(struct relayd *rd, struct fwd_plan *pl,
    const struct fwd_pkt *pkt, int i)
{
	struct fwd_table	*ft = rd->fwd;
	unsigned		 tmtu = fwd_tmtu(rd, i ? AF_INET6 : AF_INET);

	if (pl->planned[i])
		return pl->fit[i];
	pl->planned[i] = true;
	pl->fit[i] = FIT_DROP;
	if (pkt->len <= tmtu)
		pl->fit[i] = FIT_WHOLE;
	else if (pkt->dst.family == AF_INET && !pkt->df) {
		if (ft->frags[i] == NULL)
			ft->frags[i] = malloc(sizeof(*ft->frags[i]));
		if (ft->frags_queued)
			fwd_flush(rd);
		if (ft->frags[i] != NULL &&
		    frag_build(ft->frags[i], pkt, tmtu) == 0) {
			pl->fit[i] = FIT_FRAGS;
			ft->frags_queued = true;
		}
	}
	if (pl->fit[i] == FIT_DROP &&
	    (pl->too_big_mtu == 0 || tmtu < pl->too_big_mtu))
		pl->too_big_mtu = tmtu;
	return pl->fit[i];
}

static void
fwd_one(struct relayd *rd, struct fwd_plan *pl, const struct fwd_pkt *pkt,
    struct tunnel *t)
{
	struct frag_set	*fs;
	struct iovec	 v[2];
	unsigned	 i, k = t->gw.ss_family == AF_INET6;
	uint8_t		 ecn;

	/* R15: normal mode copies the inner ECN; fragments carry it too. */
	ecn = pkt->ecn != 0 && tunnel_ecn(t) ? pkt->ecn : 0;

	switch (fwd_plan_for(rd, pl, pkt, (int)k)) {
	case FIT_WHOLE:
		v[0].iov_base = pkt->ip;
		v[0].iov_len = pkt->len;
		fwd_queue(rd, t, v, 1, ecn);
		break;
	case FIT_FRAGS:
		fs = rd->fwd->frags[k];
		for (i = 0; i < fs->n; i++) {
			v[0].iov_base = fs->hdr[i];
			v[0].iov_len = fs->hlen[i];
			v[1].iov_base = fs->data[i];
			v[1].iov_len = fs->dlen[i];
			fwd_queue(rd, t, v, 2, ecn);
		}
		break;
	case FIT_DROP:
		break;
	}
}

void
fwd_packet(struct relayd *rd, const struct fwd_pkt *pkt)
{
	struct fwd_flow	*sg, *g;
	struct amt_ip	 any;
	struct fwd_plan	 pl;
	unsigned	 i;

	if (rd->fwd == NULL)
		return;
	memset(&any, 0, sizeof(any));
	sg = fwd_flow_find(rd->fwd, &pkt->src, &pkt->dst);
	g = fwd_flow_find(rd->fwd, &any, &pkt->dst);
	if (sg == NULL && g == NULL) {
		rd->stats.data_no_tunnel++;
		return;
	}
	memset(&pl, 0, sizeof(pl));
	for (i = 0; sg != NULL && i < sg->n; i++)
		fwd_one(rd, &pl, pkt, sg->tun[i]);
	/* R10: a tunnel in EXCLUDE mode gets every source it does not
	 * exclude (RFC 3376 6.4). */
	for (i = 0; g != NULL && i < g->n; i++)
		if (!membership_excludes(g->tun[i], &pkt->dst, &pkt->src))
			fwd_one(rd, &pl, pkt, g->tun[i]);
	if (pl.fit[0] == FIT_FRAGS || pl.fit[1] == FIT_FRAGS)
		rd->stats.data_fragmented++;
	if (pl.too_big_mtu != 0) {
		/* RFC 7450 5.3.3.6.2: one ICMP for all tunnels. */
		rd->stats.data_too_big++;
		mtu_icmp_send(rd->fwd->icmp, pkt, pl.too_big_mtu);
	}
}
