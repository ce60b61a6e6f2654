/*
 * The send batches of the data plane (RFC 7450 5.3.3.6, R10,
 * R12, R15).  Each Data message is one sendmmsg() entry whose iovec is
 * [06 00, pieces of the shared datagram]: no per-tunnel copy.  Entries
 * are batched per relay socket and flushed when a batch is full and at
 * the end of each capture burst.
 *
 * Consecutive entries to one tunnel with datagrams of one size (a stream
 * to few tunnels) leave as one UDP GSO message (UDP_SEGMENT): the kernel
 * routes, filters and bridges the run once and cuts it into ordinary
 * Data datagrams of 2 + size octets at the last moment (or the NIC does).
 * Where GSO is refused (no checksum offload on the route, an MTU too
 * small), the run goes out one datagram per entry.
 *
 * R15, RFC 9601 6.1.4, RFC 6040 4.1: an entry with a non-zero outer ECN
 * (a tunnel in normal mode) gets it by an IP_TOS / IPV6_TCLASS control
 * message on that message alone; the socket's own value stays 0, the
 * outer DSCP is always 0.  A GSO run never mixes two outer ECN values.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
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

#define BATCH_RETRIES	4	/* bounded wait for a full socket buffer */
#define BATCH_RETRY_MS	2
#define BATCH_SNDBUF	(4 * 1024 * 1024)

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif
/* A GSO run: at most the segments every kernel with UDP_SEGMENT takes
 * (UDP_MAX_SEGMENTS, 64 before 6.9), within one IPv4 UDP payload. */
#define BATCH_GSO_SEGS	64
#define BATCH_GSO_BYTES	(65535 - DATA_OUTER_V4)

/* One sendmmsg() batch per relay socket. */
#define BATCH_LEN	256
#define BATCH_N		4

struct batch {
	int			 fd;
	unsigned		 n;
	struct mmsghdr		 msg[BATCH_LEN];
	struct iovec		 iov[BATCH_LEN][3];
	struct tunnel		*tun[BATCH_LEN];
	uint8_t			 ecn[BATCH_LEN];	/* outer ECN (R15) */
};

/* The messages of one sendmmsg(): runs of batch entries, GSO or not. */
struct batch_out {
	unsigned	 n;
	struct mmsghdr	 msg[BATCH_LEN];
	unsigned	 first[BATCH_LEN];	/* first entry of the run */
	unsigned	 count[BATCH_LEN];	/* entries in the run */
	union {
		struct cmsghdr	c;
		char		buf[CMSG_SPACE(sizeof(uint16_t)) +
				    CMSG_SPACE(sizeof(int))];
	}		 ctl[BATCH_LEN];
};

struct batches {
	uint8_t			 data_hdr[2];	/* 06 00 */
	struct batch		 batch[BATCH_N];
	struct batch_out	 out[2];	/* by gso: off, on */
};

/*
 * Options on a relay socket that sends Data:
 * R12 / RFC 7450 5.3.3.6.3.1: the outer IPv4 header has DF set;
 * R15 / RFC 9601 6.1.4: outer ECN 0 (compatibility mode) and DSCP 0 by
 * default (IP_TOS / IPV6_TCLASS 0); a message to a tunnel in normal mode
 * sets its ECN with a control message; a larger send buffer absorbs a
 * burst of copies.
 */
void
batch_sockopts(int fd, int family)
{
	int	pmtu = IP_PMTUDISC_DO, zero = 0, sndbuf = BATCH_SNDBUF;

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

/* The batches, and the Data options on every relay socket. */
int
batch_start(struct relayd *rd)
{
	struct batches	*bs;
	struct listener	*l;
	unsigned	 i;

	if ((bs = calloc(1, sizeof(*bs))) == NULL) {
		log_warn("batch_start");
		return -1;
	}
	bs->data_hdr[0] = AMT_MULTICAST_DATA;	/* RFC 7450 5.1.6 */
	bs->data_hdr[1] = 0;
	for (i = 0; i < BATCH_N; i++)
		bs->batch[i].fd = -1;
	rd->batches = bs;
	TAILQ_FOREACH(l, &rd->listeners, entry)
		batch_sockopts(l->fd, l->addr.family);
	return 0;
}

void
batch_stop(struct relayd *rd)
{
	batch_flush(rd);
	free(rd->batches);
	rd->batches = NULL;
}

/* Wait a little for room in a socket buffer; false when none came. */
static bool
batch_wait_writable(int fd)
{
	struct pollfd	pfd;

	pfd.fd = fd;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	return poll(&pfd, 1, BATCH_RETRY_MS) == 1 &&
	    (pfd.revents & POLLOUT) != 0;
}

/* The octets of entry i: its iovec (a GSO run may have zeroed [2]). */
static size_t
batch_entry_len(const struct batch *b, unsigned i)
{
	size_t		len = 0;
	unsigned	k;

	for (k = 0; k < b->msg[i].msg_hdr.msg_iovlen; k++)
		len += b->iov[i][k].iov_len;
	return len;
}

static void
batch_sent(struct relayd *rd, struct batch *b, unsigned off, unsigned n)
{
	unsigned	i;
	size_t		len;

	for (i = off; i < off + n; i++) {
		len = batch_entry_len(b, i);
		b->tun[i]->data_packets++;
		b->tun[i]->data_bytes += len;
		rd->stats.data_tx_bytes += len;
		if (b->ecn[i] != 0)
			rd->stats.data_ecn_copied++;
	}
	rd->stats.data_tx_packets += n;
}


/* Entry i continues the run of out's last message (same tunnel, size,
 * outer ECN). */
static bool
batch_gso_extends(const struct batch *b, const struct batch_out *o,
    unsigned i)
{
	unsigned	f = o->first[o->n - 1], c = o->count[o->n - 1];
	size_t		seg = b->iov[f][1].iov_len;

	return b->tun[i] == b->tun[f] && b->ecn[i] == b->ecn[f] &&
	    b->msg[f].msg_hdr.msg_iovlen == 2 &&
	    b->msg[i].msg_hdr.msg_iovlen == 2 &&
	    b->iov[i][1].iov_len == seg && c < BATCH_GSO_SEGS &&
	    (c + 1) * (seg + AMT_DATA_HDR_LEN) <= BATCH_GSO_BYTES;
}

/*
 * Entries of a run lie next to each other in b->iov, three iovecs each:
 * [06 00, datagram, unused].  Zeroing the unused one makes the run one
 * iovec [06 00, d1, -, 06 00, d2, -, ...] that UDP_SEGMENT cuts into
 * the same Data messages as the entries would have been.
 */
static void
batch_gso_close(struct batch *b, unsigned f, unsigned c,
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
batch_ecn_cmsg(struct cmsghdr *cm, int family, uint8_t ecn)
{
	int	tos = ecn;

	cm->cmsg_level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	cm->cmsg_type = family == AF_INET6 ? IPV6_TCLASS : IP_TOS;
	cm->cmsg_len = CMSG_LEN(sizeof(tos));
	memcpy(CMSG_DATA(cm), &tos, sizeof(tos));
}

/* The control messages of out's last message: GSO, outer ECN, none. */
static void
batch_out_close(struct batch *b, struct batch_out *o)
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
		batch_gso_close(b, f, c, mh, cm);
	if (b->ecn[f] == 0)
		return;
	/* After the GSO one, if any (the layout CMSG_NXTHDR walks). */
	if (c > 1)
		cm = (struct cmsghdr *)((char *)cm +
		    CMSG_SPACE(sizeof(uint16_t)));
	batch_ecn_cmsg(cm, b->tun[f]->gw.ss_family, b->ecn[f]);
}

/* Entries [from, to) of b as messages; with gso, runs coalesced. */
static void
batch_out_build(struct batch *b, struct batch_out *o, unsigned from,
    unsigned to, bool gso)
{
	unsigned	i;

	o->n = 0;
	for (i = from; i < to; i++) {
		if (gso && o->n > 0 && batch_gso_extends(b, o, i)) {
			o->count[o->n - 1]++;
			continue;
		}
		if (o->n > 0)
			batch_out_close(b, o);
		o->msg[o->n] = b->msg[i];
		o->first[o->n] = i;
		o->count[o->n++] = 1;
	}
	if (o->n > 0)
		batch_out_close(b, o);
}

static unsigned
batch_out_entries(const struct batch_out *o, unsigned off)
{
	unsigned	n = 0;

	for (; off < o->n; off++)
		n += o->count[off];
	return n;
}

static void	batch_send_range(struct relayd *, struct batch *, unsigned,
		    unsigned, bool);

/* One message of o failed for itself: a run goes again one by one. */
static void
batch_out_failed(struct relayd *rd, struct batch *b, struct batch_out *o,
    unsigned off)
{
	if (o->count[off] > 1)
		batch_send_range(rd, b, o->first[off],
		    o->first[off] + o->count[off], false);
	else
		rd->stats.data_send_errors++;
}

static void
batch_out_send(struct relayd *rd, struct batch *b, struct batch_out *o)
{
	unsigned	off = 0, tries = 0, k;
	int		r;

	while (off < o->n) {
		r = sendmmsg(b->fd, o->msg + off, o->n - off, MSG_DONTWAIT);
		if (r > 0) {
			for (k = off; k < off + (unsigned)r; k++)
				batch_sent(rd, b, o->first[k], o->count[k]);
			off += (unsigned)r;
			continue;
		}
		/* an earlier datagram's ICMP error (listen.c): not sent */
		if (listen_icmp_errno(errno) && tries++ < BATCH_RETRIES) {
			if (rd->icmp_seen != NULL)
				rd->icmp_seen(rd, b->fd);
			continue;
		}
		if ((errno == EAGAIN || errno == ENOBUFS || errno == EINTR) &&
		    tries++ < BATCH_RETRIES) {
			if (errno != EINTR)
				(void)batch_wait_writable(b->fd);
			continue;
		}
		if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR) {
			/* do not spin: what is left is lost */
			rd->stats.data_send_errors += batch_out_entries(o, off);
			break;
		}
		/* an error about the message at off alone */
		batch_out_failed(rd, b, o, off++);
	}
}

static void
batch_send_range(struct relayd *rd, struct batch *b, unsigned from,
    unsigned to, bool gso)
{
	/* Two: a failed run goes again one by one from inside a send. */
	struct batch_out	*o = &rd->batches->out[gso];

	batch_out_build(b, o, from, to, gso);
	batch_out_send(rd, b, o);
}

static void
batch_send(struct relayd *rd, struct batch *b)
{
	batch_send_range(rd, b, 0, b->n, true);
	b->n = 0;
}

void
batch_flush(struct relayd *rd)
{
	struct batches	*bs = rd->batches;
	unsigned	 i;

	if (bs == NULL)
		return;
	for (i = 0; i < BATCH_N; i++)
		if (bs->batch[i].n > 0)
			batch_send(rd, &bs->batch[i]);
}

/* The batch for fd: its own, an empty one, or the first one flushed. */
static struct batch *
batch_for(struct relayd *rd, int fd)
{
	struct batches	*bs = rd->batches;
	struct batch	*b, *empty = NULL;
	unsigned	 i;

	for (i = 0; i < BATCH_N; i++) {
		b = &bs->batch[i];
		if (b->n > 0 && b->fd == fd)
			return b;
		if (b->n == 0 && empty == NULL)
			empty = b;
	}
	if (empty == NULL) {
		empty = &bs->batch[0];
		batch_send(rd, empty);
	}
	empty->fd = fd;
	return empty;
}

/*
 * Queue one Data message to t: 06 00, then niov pieces of datagram, with
 * outer ECN ecn.
 */
void
batch_queue(struct relayd *rd, struct tunnel *t, const struct iovec *piece,
    unsigned npiece, uint8_t ecn)
{
	struct batch	*b;
	struct msghdr	*mh;
	struct iovec	*iov;

	if (t->lsn == NULL || t->lsn->fd < 0) {
		rd->stats.data_send_errors++;
		return;
	}
	b = batch_for(rd, t->lsn->fd);
	iov = b->iov[b->n];
	iov[0].iov_base = rd->batches->data_hdr;
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
	if (b->n == BATCH_LEN)
		batch_send(rd, b);
}
