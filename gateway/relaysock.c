/*
 * The UDP sockets of a relay session: one connected to the discovery
 * address while discovery runs, one connected to the relay (RFC 7450
 * 5.2.3.2).  Connected sockets give two things: the kernel only delivers
 * datagrams from the peer (the source checks of 5.2.3.3, 5.2.3.4.4 and
 * 5.2.3.5.4), and ICMP errors come back as ECONNREFUSED (5.2.3.9).
 * Datagrams are read in batches with recvmmsg; Data goes to the tun,
 * Advertisements, Queries and ICMP errors to the gateway's input
 * (session_input.c, registered at start).  The sockets take UDP GRO:
 * a run of same-size datagrams from the relay (sent with UDP GSO, or
 * merged by the receiving NIC's GRO) arrives as one buffer with its
 * segment size, and is cut back into the datagrams it was.
 *
 * ECN (RFC 9601 6.1.4, RFC 6040 4.2): the outer TOS / Traffic Class of
 * each buffer comes as a control message (IP_RECVTOS, IPV6_RECVTCLASS)
 * and is combined with the inner ECN in ecn.c.  One value per buffer
 * holds for every segment of it: GRO does not merge datagrams whose TOS
 * or Traffic Class differ (inet_gro_receive and ipv6_gro_receive flush
 * on any difference in them), and a UDP GSO send has one header.
 *
 * What the relay sends reaches the host only as traffic the host asked
 * for (RFC 7450 6.2, G12): an inner packet is written to the tun when its
 * group is joined there and its source allowed by the group's filter (a
 * hash look-up in the local membership database), and never when it is
 * link-local scope or IGMP, MLD or any ICMPv6: queries come inside
 * Membership Queries only (RFC 7450 5.1.4), and the host takes no
 * configuration from the relay.  Drops are counted by reason and logged
 * at most once per reason every RELAYSOCK_LOG_MS.
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amt/buf.h"
#include "amt/clock.h"
#include "amt/log.h"
#include "amt/wire.h"
#include "gateway.h"

#ifndef UDP_NO_CHECK6_RX
#define UDP_NO_CHECK6_RX	102
#endif
#ifndef UDP_GRO
#define UDP_GRO			104
#endif

#define RELAYSOCK_BATCHES	8	/* recvmmsg calls per readable event */
#define RELAYSOCK_RCVBUF	(4 * 1024 * 1024)
#define RELAYSOCK_LOG_MS	5000	/* one drop line per reason */
#define RELAYSOCK_EXT_MAX	8	/* IPv6 extension headers walked */

#define IPPROTO_IGMP_		2
#define IPPROTO_ICMPV6_		58

const char *const gw_drop_names[GD_MAX] = {
	[GD_PASS] = "pass",
	[GD_NOT_JOINED] = "not-joined",
	[GD_SOURCE_EXCLUDED] = "source-excluded",
	[GD_LINK_LOCAL] = "link-local",
	[GD_CONTROL_PROTOCOL] = "control-protocol",
	[GD_MALFORMED] = "malformed",
};

static void	relaysock_read_cb(evutil_socket_t, short, void *);
static void	relaysock_disc_read_cb(evutil_socket_t, short, void *);

/*
 * The receive batch (datagrams as large as UDP allows) and the send path:
 * one message, one inner report and its source lists, each as large as
 * an Update to the relay may be (tun_update_max) with the longest header
 * a gateway sends (a Teardown's).
 */
int
relaysock_start(struct gateway *gw)
{
	gw->tx_buflen = tun_update_max(gw) + AMT_TEARDOWN_LEN;
	gw->rx_buf = malloc((size_t)GW_RX_BATCH * GW_RX_BUFSZ);
	gw->tx_buf = malloc(gw->tx_buflen);
	gw->upd_pkt = malloc(gw->tx_buflen);
	gw->upd_srcs = malloc(gw->tx_buflen);
	if (gw->rx_buf == NULL || gw->tx_buf == NULL || gw->upd_pkt == NULL ||
	    gw->upd_srcs == NULL) {
		log_warn("relay socket buffers");
		relaysock_stop(gw);
		return -1;
	}
	return 0;
}

void
relaysock_stop(struct gateway *gw)
{
	free(gw->rx_buf);
	free(gw->tx_buf);
	free(gw->upd_pkt);
	free(gw->upd_srcs);
	gw->rx_buf = gw->tx_buf = gw->upd_pkt = gw->upd_srcs = NULL;
}

static bool
relaysock_is_icmp_error(int err)
{
	return err == ECONNREFUSED || err == EHOSTUNREACH ||
	    err == ENETUNREACH || err == EHOSTDOWN || err == EPROTO;
}

static int
relaysock_socket(const struct sockaddr *peer)
{
	int	fd, on = 1, rcvbuf = RELAYSOCK_RCVBUF;
	char	a[ADDR_STRLEN];

	fd = socket(peer->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		log_warn("socket");
		return -1;
	}
	/* W6, RFC 7450 5.2.3.3, RFC 6936: accept zero UDP checksums. */
	if (peer->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_UDP,
	    UDP_NO_CHECK6_RX, &on, sizeof(on)) == -1)
		log_warn("UDP_NO_CHECK6_RX");
	/* RFC 9601 6.1.4: the outer ECN of every datagram (ecn.c). */
	if (peer->sa_family == AF_INET ? setsockopt(fd, IPPROTO_IP,
	    IP_RECVTOS, &on, sizeof(on)) == -1 : setsockopt(fd,
	    IPPROTO_IPV6, IPV6_RECVTCLASS, &on, sizeof(on)) == -1)
		log_warn("IP_RECVTOS / IPV6_RECVTCLASS");
	/* Runs of datagrams in one read (Linux 5.0); without it, one by one. */
	if (setsockopt(fd, IPPROTO_UDP, UDP_GRO, &on, sizeof(on)) == -1)
		log_debug("UDP_GRO: %s", strerror(errno));
	/* Bursts of Data while the loop is busy: a large receive buffer. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) == -1 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF,
	    &rcvbuf, sizeof(rcvbuf)) == -1)
		log_debug("SO_RCVBUF: %s", strerror(errno));
	if (connect(fd, peer, addr_len(peer)) == -1) {
		log_warn("connect to %s", addr_str(peer, a, sizeof(a)));
		close(fd);
		return -1;
	}
	return fd;
}

/* One of the two sockets of s (fd and its event) closes. */
static void
relaysock_drop(struct session *s, int *fd, struct event **ev)
{
	s->sock_gen++;
	if (*ev != NULL) {
		event_free(*ev);
		*ev = NULL;
	}
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

/* A socket connected to peer (what), read by cb: into *fd and *ev. */
static int
relaysock_watch(struct session *s, const struct sockaddr *peer, int *fd,
    struct event **ev, event_callback_fn cb, const char *what)
{
	if ((*fd = relaysock_socket(peer)) == -1)
		return -1;
	*ev = event_new(s->gw->base, *fd, EV_READ | EV_PERSIST, cb, s);
	if (*ev == NULL || event_add(*ev, NULL) == -1) {
		log_warnx("cannot watch the %s socket", what);
		relaysock_drop(s, fd, ev);
		return -1;
	}
	return 0;
}

int
relaysock_open(struct session *s, const struct sockaddr *relay)
{
	relaysock_close(s);
	return relaysock_watch(s, relay, &s->fd, &s->rd_ev, relaysock_read_cb,
	    "relay");
}

void
relaysock_close(struct session *s)
{
	relaysock_drop(s, &s->fd, &s->rd_ev);
}

int
relaysock_open_discovery(struct session *s)
{
	relaysock_close_discovery(s);
	return relaysock_watch(s, (struct sockaddr *)&s->disc_sa, &s->disc_fd,
	    &s->disc_ev, relaysock_disc_read_cb, "discovery");
}

void
relaysock_close_discovery(struct session *s)
{
	relaysock_drop(s, &s->disc_fd, &s->disc_ev);
}

/* Encode and send one message on a session socket. */
int
relaysock_send(struct session *s, int fd, const struct amt_msg *m)
{
	uint8_t	*buf = s->gw->tx_buf;
	ssize_t	 len;
	int	 err;

	if (fd == -1)
		return -1;
	if ((len = amt_encode(m, buf, s->gw->tx_buflen)) < 0) {
		log_warnx("cannot encode %s: %s", amt_type_name(m->type),
		    amt_strerror((int)len));
		return -1;
	}
	if (send(fd, buf, (size_t)len, 0) == len)
		return 0;
	err = errno;
	s->gw->st.send_errors++;
	if (relaysock_is_icmp_error(err))
		s->gw->input->icmp(s, err);
	else
		log_debug("send %s: %s", amt_type_name(m->type),
		    strerror(err));
	return -1;
}

static void
relaysock_addr(struct amt_ip *a, int family, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->u.b, p, ip_len(family));
}

/* An IPv4 header that holds (RFC 791 3.1); IGMP is never Data. */
static int
relaysock_inner4(const uint8_t *p, size_t len)
{
	size_t	hl = (size_t)(p[0] & 0x0f) * 4;
	size_t	tot = (size_t)p[2] << 8 | p[3];

	if (len < 20 || hl < 20 || tot < hl || tot > len)
		return GD_MALFORMED;
	return p[9] == IPPROTO_IGMP_ ? GD_CONTROL_PROTOCOL : GD_PASS;
}

/*
 * An IPv6 header that holds, and its extension headers (RFC 8200 4) up
 * to the upper layer: ICMPv6 (MLD, Neighbor Discovery, Router
 * Advertisements, Redirects) is never Data.
 */
static int
relaysock_inner6(const uint8_t *p, size_t len)
{
	size_t	end = 40 + ((size_t)p[4] << 8 | p[5]), off = 40, hl;
	uint8_t	nh = p[6];
	int	i;

	if (len < 40 || end > len)
		return GD_MALFORMED;
	for (i = 0; i < RELAYSOCK_EXT_MAX; i++) {
		if (nh == IPPROTO_ICMPV6_)
			return GD_CONTROL_PROTOCOL;
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_FRAGMENT && nh != IPPROTO_DSTOPTS &&
		    nh != IPPROTO_AH)
			return GD_PASS;
		if (off + 8 > end)
			return GD_MALFORMED;
		if (nh == IPPROTO_FRAGMENT)
			hl = 8;
		else if (nh == IPPROTO_AH)
			hl = ((size_t)p[off + 1] + 2) * 4;
		else
			hl = ((size_t)p[off + 1] + 1) * 8;
		nh = p[off];
		if ((off += hl) > end)
			return GD_MALFORMED;
	}
	return GD_MALFORMED;
}

/*
 * G7, G12: what may become of the inner packet p: GD_PASS, a GD_* drop,
 * or -1 for a unicast destination (RFC 7450 5.2.3.3).  Its addresses go
 * to src and dst.
 */
static int
relaysock_classify(struct gateway *gw, const uint8_t *p, size_t len,
    struct amt_ip *src, struct amt_ip *dst)
{
	int	why, fam;

	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (len >= 20 && (p[0] >> 4) == 4) {
		fam = AF_INET;
		why = relaysock_inner4(p, len);
	} else if (len >= 40 && (p[0] >> 4) == 6) {
		fam = AF_INET6;
		why = relaysock_inner6(p, len);
	} else
		return GD_MALFORMED;
	if (why == GD_MALFORMED)
		return why;
	relaysock_addr(src, fam, p + (fam == AF_INET ? 12 : 8));
	relaysock_addr(dst, fam, p + (fam == AF_INET ? 16 : 24));
	if (!ip_is_multicast(dst))
		return -1;
	if (why != GD_PASS)
		return why;
	if (mcast_is_linklocal(dst))
		return GD_LINK_LOCAL;
	return lmdb_permits(&gw->db, dst, src);
}

/* A drop counted, and logged at most once per reason per interval. */
static void
relaysock_refuse(struct session *s, int why, const struct amt_ip *src,
    const struct amt_ip *dst)
{
	struct gateway	*gw = s->gw;
	uint64_t	 now = clock_mono_ms();
	char		 r[ADDR_STRLEN], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	gw->st.data_drops[why]++;
	if (gw->drop_logged[why] != 0 &&
	    now - gw->drop_logged[why] < RELAYSOCK_LOG_MS)
		return;
	gw->drop_logged[why] = now;
	if (src->family == AF_UNSPEC)
		snprintf(a, sizeof(a), "?");
	else
		ip_str(src, a, sizeof(a));
	if (dst->family == AF_UNSPEC)
		snprintf(b, sizeof(b), "?");
	else
		ip_str(dst, b, sizeof(b));
	log_warnx("relay %s: Data %s -> %s not delivered: %s (%llu so far)",
	    addr_str((struct sockaddr *)&s->relay_sa, r, sizeof(r)), a, b,
	    gw_drop_names[why],
	    (unsigned long long)gw->st.data_drops[why]);
}

/*
 * RFC 7450 5.2.3.3, 6.2: Data from the relay (the connected socket) goes
 * to the tun when the host asked for it (relaysock_classify).  The inner
 * packet lies in the writable datagram dg; with ecn, RFC 6040 4.2 is
 * applied to it.
 */
static void
relaysock_deliver(struct session *s, const struct amt_msg *m, uint8_t *dg,
    uint8_t outer)
{
	struct gateway	*gw = s->gw;
	const uint8_t	*p = m->inner;
	uint8_t		*w = dg + (m->inner - dg);
	struct amt_ip	 src, dst;
	int		 why;

	why = relaysock_classify(gw, p, m->inner_len, &src, &dst);
	if (why == -1) {
		gw->st.data_not_multicast++;
		return;
	}
	if (why != GD_PASS) {
		relaysock_refuse(s, why, &src, &dst);
		return;
	}
	if (gw->conf.ecn && ecn_decap(w, m->inner_len, outer, &gw->st) == -1)
		return;
	if (tun_write(gw, p, m->inner_len) == 0) {
		s->cnt.data_packets++;
		s->cnt.data_bytes += m->inner_len;
	}
}

static void
relaysock_dispatch(struct session *s, uint8_t *p, size_t len, uint8_t outer,
    bool disc)
{
	struct gw_stats	*st = &s->gw->st;
	struct amt_msg	 m;
	int		 rc;

	if ((rc = amt_decode(p, len, &m)) != AMT_OK) {
		/* W2: other versions and types are ignored and counted. */
		if (rc == AMT_ERR_TYPE)
			st->unexpected_type++;
		else
			st->rx_bad_message++;
		return;
	}
	switch (m.type) {
	case AMT_MULTICAST_DATA:
		if (disc)
			st->data_unexpected_source++;
		else
			relaysock_deliver(s, &m, p, outer);
		break;
	case AMT_RELAY_ADVERTISEMENT:
		s->gw->input->advert(s, &m, disc);
		break;
	case AMT_MEMBERSHIP_QUERY:
		if (disc)
			st->query_ignored++;
		else
			s->gw->input->query(s, &m);
		break;
	default:
		/* RFC 7450 5.2.3.2: a gateway ignores anything else. */
		st->unexpected_type++;
		break;
	}
}

/*
 * The GRO segment size of a received buffer (0: one datagram) and its
 * outer ECN field (Not-ECT when the kernel gave none).
 */
static size_t
relaysock_cmsgs(struct msghdr *mh, uint8_t *ecn)
{
	struct cmsghdr	*cm;
	int		 seg = 0, tc;
	uint8_t		 tos;

	*ecn = ECN_NOT_ECT;
	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_UDP && cm->cmsg_type == UDP_GRO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(seg)))
			memcpy(&seg, CMSG_DATA(cm), sizeof(seg));
		else if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_TOS && cm->cmsg_len >= CMSG_LEN(1)) {
			memcpy(&tos, CMSG_DATA(cm), 1);
			*ecn = tos & ECN_MASK;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_TCLASS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(tc))) {
			memcpy(&tc, CMSG_DATA(cm), sizeof(tc));
			*ecn = (uint8_t)tc & ECN_MASK;
		}
	}
	return seg > 0 ? (size_t)seg : 0;
}

/* The datagrams of one buffer; -1 if a handler replaced the socket. */
static int
relaysock_segments(struct session *s, uint8_t *p, size_t len, size_t seg,
    uint8_t outer, bool disc)
{
	unsigned	gen = s->sock_gen;
	size_t		off, n;

	if (seg == 0 || seg > len)
		seg = len;
	for (off = 0; off < len; off += n) {
		n = len - off < seg ? len - off : seg;
		s->gw->st.rx_datagrams++;
		relaysock_dispatch(s, p + off, n, outer, disc);
		/* The handler may have closed or replaced this socket. */
		if (s->sock_gen != gen)
			return -1;
	}
	return 0;
}

/* One recvmmsg batch; returns the number read, 0 when drained, -1. */
static int
relaysock_batch(struct session *s, int fd, bool disc)
{
	struct mmsghdr	msgs[GW_RX_BATCH];
	struct iovec	iov[GW_RX_BATCH];
	union {
		struct cmsghdr	c;
		char		buf[2 * CMSG_SPACE(sizeof(int))];
	}		ctl[GW_RX_BATCH];
	uint8_t		*buf = s->gw->rx_buf;
	int		 n, i;
	size_t		 seg;
	uint8_t		 outer;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < GW_RX_BATCH; i++) {
		iov[i].iov_base = buf + (size_t)i * GW_RX_BUFSZ;
		iov[i].iov_len = GW_RX_BUFSZ;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_control = &ctl[i];
		msgs[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
	}
	if ((n = recvmmsg(fd, msgs, GW_RX_BATCH, MSG_DONTWAIT, NULL)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		if (relaysock_is_icmp_error(errno))
			s->gw->input->icmp(s, errno);
		else
			log_warn("recvmmsg");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
			s->gw->st.rx_datagrams++;
			s->gw->st.rx_truncated++;
			continue;
		}
		seg = relaysock_cmsgs(&msgs[i].msg_hdr, &outer);
		if (relaysock_segments(s, iov[i].iov_base, msgs[i].msg_len, seg,
		    outer, disc) == -1)
			return -1;
	}
	return n;
}

/*
 * A bounded number of batches per event, so that the tun and timers get
 * their turn; an error (ICMP) ends the burst: no tight loop on a failing
 * socket (G9).
 */
static void
relaysock_drain(struct session *s, int fd, bool disc)
{
	int	i, n;

	for (i = 0; i < RELAYSOCK_BATCHES; i++) {
		if ((n = relaysock_batch(s, fd, disc)) < GW_RX_BATCH)
			break;
	}
}

static void
relaysock_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	relaysock_drain(arg, fd, false);
}

static void
relaysock_disc_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	relaysock_drain(arg, fd, true);
}
