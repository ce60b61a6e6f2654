/*
 * amt-testgw: hostile traffic against a relay, paced at --attack-rate
 * messages per second, in round robin:
 *
 *   random  random bytes behind every octet 0 (types 0-15, versions 0-1)
 *   mutate  valid messages of every type with bytes flipped, cut short or
 *           lengthened (their MAC, if any, belongs to another port)
 *   forge   Updates leaving the joined groups and Teardowns, with random
 *           MACs, from the first gateway's exact address and port (raw
 *           IPv4 socket) and from other ports of its address
 *   spoof   Requests from --attack-spoof addresses of --spoof-net, IPv4
 *           or IPv6 (the relay address must be of the same family):
 *           FREEBIND + TRANSPARENT sockets, the source in IP_PKTINFO or
 *           IPV6_PKTINFO; the prefix must be a local route, so the
 *           Queries come back here and are counted
 */
#include "config.h"	/* _GNU_SOURCE: struct in6_pktinfo */

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amt/cksum.h"
#include "amt/mac.h"
#include "testgw.h"

#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT	19
#endif
#ifndef IPV6_TRANSPARENT
#define IPV6_TRANSPARENT	75
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND	78
#endif

#define ATK_NFD		16	/* UDP sockets for each kind */
#define ATK_TICK	0.01	/* seconds between bursts */
#define ATK_DRAIN	1.0	/* wait for answers after the last message */

enum atk_kind { ATK_RANDOM, ATK_MUTATE, ATK_FORGE, ATK_SPOOF, ATK_NKINDS };

struct tg_attack {
	struct tg	*tg;
	int		 fds[ATK_NFD];		/* on the gateway's address */
	int		 spoof_fds[ATK_NFD];	/* on 0.0.0.0 or ::, FREEBIND */
	int		 raw;			/* IPv4 raw, -1 if none */
	struct event	 rd_ev[2 * ATK_NFD];
	struct event	 tick_ev;
	unsigned	 todo[ATK_NKINDS];
	unsigned	 next;			/* round robin */
	uint32_t	 spoof_i;
	bool		 finished;
};

static void
atk_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct tg_attack	*a = arg;
	uint8_t			 buf[2048];
	ssize_t			 n;
	int			 i;

	for (i = 0; i < 64; i++) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1)
			return;
		if (n > 0 && buf[0] == AMT_MEMBERSHIP_QUERY)
			a->tg->c.atk_queries++;
	}
}

static int
atk_socket(int family, bool freebind)
{
	struct sockaddr_storage	ss;
	int			fd, on = 1;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = family;
	if ((fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	if (freebind && family == AF_INET) {
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IP, IP_TRANSPARENT, &on, sizeof(on));
	} else if (freebind) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IPV6, IPV6_TRANSPARENT, &on, sizeof(on));
	}
	if (bind(fd, (struct sockaddr *)&ss,
	    addr_len((struct sockaddr *)&ss)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Attack sockets on the first gateway's address, other ports. */
static int
atk_bind_local(struct tg_attack *a)
{
	struct sockaddr_storage	ss = a->tg->gws[0].local;
	int			fd;

	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = 0;
	if ((fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss,
	    addr_len((struct sockaddr *)&ss)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
atk_open(struct tg_attack *a)
{
	struct tg	*tg = a->tg;
	int		 i;

	for (i = 0; i < ATK_NFD; i++)
		a->fds[i] = a->spoof_fds[i] = -1;
	a->raw = -1;
	if (tg->conf.atk_spoof > 0 &&
	    tg->conf.spoof_net.family != tg->gws[0].relay.ss_family)
		return -1;
	for (i = 0; i < ATK_NFD; i++) {
		a->fds[i] = atk_bind_local(a);
		a->spoof_fds[i] = tg->conf.atk_spoof > 0 ?
		    atk_socket(tg->conf.spoof_net.family, true) : -1;
		if (a->fds[i] == -1 ||
		    (tg->conf.atk_spoof > 0 && a->spoof_fds[i] == -1))
			return -1;
		event_assign(&a->rd_ev[i], tg->base, a->fds[i],
		    EV_READ | EV_PERSIST, atk_read_cb, a);
		event_add(&a->rd_ev[i], NULL);
		if (a->spoof_fds[i] == -1)
			continue;
		event_assign(&a->rd_ev[ATK_NFD + i], tg->base, a->spoof_fds[i],
		    EV_READ | EV_PERSIST, atk_read_cb, a);
		event_add(&a->rd_ev[ATK_NFD + i], NULL);
	}
	if (tg->gws[0].local.ss_family == AF_INET)
		a->raw = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_RAW);
	return 0;
}

static void
atk_random_bytes(uint8_t *p, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)rand();
}

/* Random bytes after octet 0 = (version 0 or 1) | any type. */
static size_t
atk_make_random(uint8_t *p, size_t cap)
{
	size_t	len = 1 + (size_t)rand() % (rand() % 4 == 0 ? cap - 1 : 64);

	atk_random_bytes(p, len);
	p[0] = (uint8_t)((rand() % 8 == 0 ? 0x10 : 0) | rand() % 16);
	return len;
}

/* A small IPv4 multicast datagram (192.0.2.1 -> 232.1.1.1) for Data. */
static const uint8_t	atk_ipv4_hdr[20] = { 0x45, 0, 0, 28, 0, 0, 0x40, 0,
	1, 17, 0, 0, 192, 0, 2, 1, 232, 1, 1, 1 };

static size_t
atk_make_ipv4(uint8_t *p)
{
	uint16_t	c;

	memcpy(p, atk_ipv4_hdr, sizeof(atk_ipv4_hdr));
	c = cksum(p, 20);
	memcpy(p + 10, &c, 2);
	memset(p + 20, 0, 8);
	return 28;
}

/* A valid message of type t, as the first gateway would send it. */
static ssize_t
atk_template(struct tg_attack *a, int t, uint8_t *p, size_t cap)
{
	struct tg_gw	*gw = &a->tg->gws[0];
	struct amt_msg	 m;
	uint8_t		 ip[64];
	uint16_t	 port;
	int		 i;

	if (t == AMT_MEMBERSHIP_UPDATE)
		return rec_build_leave(gw, &a->tg->conf.phases[0],
		    gw->q_nonce, gw->q_mac, p, cap);
	memset(&m, 0, sizeof(m));
	m.type = (uint8_t)t;
	m.nonce = gw->q_nonce;
	memcpy(m.mac, gw->q_mac, AMT_MAC_LEN);
	m.flags = (uint8_t)(rand() % 2);
	/*
	 * A Teardown naming the first gateway is valid with its MAC, from
	 * any port (RFC 7450 5.3.3.5): spoil all six bytes, more than the
	 * at most three byte flips of atk_mutate() can repair.
	 */
	if (t == AMT_TEARDOWN)
		for (i = 0; i < AMT_MAC_LEN; i++)
			m.mac[i] ^= 0xa5;
	addr_canon((struct sockaddr *)&gw->local, m.gw_addr, &port);
	m.gw_port = port;
	ip_from_sa((struct sockaddr *)&gw->relay, &m.relay);
	m.inner = ip;
	m.inner_len = atk_make_ipv4(ip);
	return amt_encode(&m, p, cap);
}

/* One to three of: flip bytes, cut short, lengthen, change octet 1. */
static size_t
atk_mutate(uint8_t *p, size_t len, size_t cap)
{
	int	i, k = 1 + rand() % 3;

	for (i = 0; i < k && len > 0; i++) {
		switch (rand() % 4) {
		case 0:
			p[rand() % len] ^= (uint8_t)(1 + rand() % 255);
			break;
		case 1:
			len = (size_t)rand() % len;
			break;
		case 2:
			if (len < cap - 64) {
				atk_random_bytes(p + len, 64);
				len += (size_t)(1 + rand() % 64);
			}
			break;
		default:
			if (len > 1)
				p[1] = (uint8_t)rand();
			break;
		}
	}
	return len;
}

static int
atk_send_udp(struct tg_attack *a, const uint8_t *p, size_t len)
{
	const struct sockaddr_storage	*to = &a->tg->gws[0].relay;

	return (int)sendto(a->fds[rand() % ATK_NFD], p, len, 0,
	    (const struct sockaddr *)to, addr_len((const struct sockaddr *)to));
}

/* UDP over raw IPv4 from the first gateway's own address and port. */
static int
atk_send_raw(struct tg_attack *a, const uint8_t *p, size_t len)
{
	struct tg_gw	*gw = &a->tg->gws[0];
	struct amt_ip	 src, dst;
	uint8_t		 pkt[2048];
	uint16_t	 ulen = (uint16_t)(8 + len), c;

	if (a->raw == -1 || len > sizeof(pkt) - 28)
		return atk_send_udp(a, p, len);
	ip_from_sa((struct sockaddr *)&gw->local, &src);
	ip_from_sa((struct sockaddr *)&gw->relay, &dst);
	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)((20 + ulen) >> 8);
	pkt[3] = (uint8_t)(20 + ulen);
	pkt[8] = 64;
	pkt[9] = IPPROTO_UDP;
	memcpy(pkt + 12, &src.u.v4, 4);
	memcpy(pkt + 16, &dst.u.v4, 4);
	memcpy(pkt + 20, &((struct sockaddr_in *)&gw->local)->sin_port, 2);
	memcpy(pkt + 22, &((struct sockaddr_in *)&gw->relay)->sin_port, 2);
	pkt[24] = (uint8_t)(ulen >> 8);
	pkt[25] = (uint8_t)ulen;
	memcpy(pkt + 28, p, len);
	c = cksum_l4(&src, &dst, IPPROTO_UDP, pkt + 20, ulen);
	memcpy(pkt + 26, c == 0 ? (const void *)"\xff\xff" : (void *)&c, 2);
	return (int)sendto(a->raw, pkt, 20 + (size_t)ulen, 0,
	    (struct sockaddr *)&gw->relay, sizeof(struct sockaddr_in));
}

/* An Update leaving the groups, or a Teardown, with a random MAC. */
static int
atk_forge(struct tg_attack *a, uint8_t *p, size_t cap)
{
	struct tg_gw	*gw = &a->tg->gws[0];
	uint8_t		 mac[AMT_MAC_LEN];
	ssize_t		 n;
	uint32_t	 nonce = (uint32_t)rand();

	atk_random_bytes(mac, sizeof(mac));
	if (rand() % 2 == 0)
		n = rec_build_leave(gw, &a->tg->conf.phases[0], nonce, mac, p,
		    cap);
	else
		n = atk_template(a, AMT_TEARDOWN, p, cap);
	if (n < 0)
		return -1;
	if (p[0] == AMT_TEARDOWN) {
		memcpy(p + 2, mac, AMT_MAC_LEN);
		memcpy(p + 8, &nonce, 4);
	}
	if (rand() % 2 == 0)
		return atk_send_raw(a, p, (size_t)n);
	return atk_send_udp(a, p, (size_t)n);
}

/*
 * The i-th spoofed source: the prefix plus 1 + i, wrapping before the
 * prefix's last address (IPv6: within the low 32 bits).
 */
static void
atk_spoof_src(const struct tg_conf *c, uint32_t i, struct amt_ip *src)
{
	int		bits = (c->spoof_net.family == AF_INET ? 32 : 128) -
			    c->spoof_plen;
	uint32_t	span = bits >= 32 ? UINT32_MAX - 1 :
			    (1u << bits) - 2, low;

	*src = c->spoof_net;
	memcpy(&low, &src->u.b[c->spoof_net.family == AF_INET ? 0 : 12], 4);
	low = htonl(ntohl(low) + 1 + i % span);
	memcpy(&src->u.b[c->spoof_net.family == AF_INET ? 0 : 12], &low, 4);
}

/* The source address as IP_PKTINFO or IPV6_PKTINFO in cm; its space. */
static size_t
atk_spoof_cmsg(const struct amt_ip *src, struct cmsghdr *cm)
{
	struct in_pktinfo	pi;
	struct in6_pktinfo	pi6;

	const void		*p = &pi6;
	size_t			 len = sizeof(pi6);

	memset(&pi, 0, sizeof(pi));
	memset(&pi6, 0, sizeof(pi6));
	pi.ipi_spec_dst = src->u.v4;
	pi6.ipi6_addr = src->u.v6;
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	if (src->family == AF_INET) {
		p = &pi;
		len = sizeof(pi);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
	}
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), p, len);
	return CMSG_SPACE(len);
}

/* A Request from the next address of the spoofed prefix (R4). */
static int
atk_spoof(struct tg_attack *a)
{
	struct sockaddr		*to = (struct sockaddr *)&a->tg->gws[0].relay;
	uint8_t			 req[8] = { AMT_REQUEST, 0, 0, 0 };
	uint8_t			 cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct iovec		 iov = { req, sizeof(req) };
	struct msghdr		 mh;
	struct amt_ip		 src;
	uint32_t		 nonce = nonce_new();

	memcpy(req + 4, &nonce, 4);
	atk_spoof_src(&a->tg->conf, a->spoof_i++, &src);
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = to;
	mh.msg_namelen = addr_len(to);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	mh.msg_controllen = atk_spoof_cmsg(&src, CMSG_FIRSTHDR(&mh));
	return (int)sendmsg(a->spoof_fds[a->spoof_i % ATK_NFD], &mh, 0);
}

static int
atk_one(struct tg_attack *a, enum atk_kind k)
{
	uint8_t	p[2048];
	ssize_t	n;

	switch (k) {
	case ATK_RANDOM:
		return atk_send_udp(a, p, atk_make_random(p, sizeof(p)));
	case ATK_MUTATE:
		n = atk_template(a, 1 + rand() % AMT_TYPE_MAX, p, 1500);
		if (n < 0)
			return -1;
		return atk_send_udp(a, p, atk_mutate(p, (size_t)n, sizeof(p)));
	case ATK_FORGE:
		return atk_forge(a, p, sizeof(p));
	default:
		return atk_spoof(a);
	}
}

/* The next kind with messages left, round robin; -1 when all sent. */
static int
atk_next_kind(struct tg_attack *a)
{
	int	i, k;

	for (i = 0; i < ATK_NKINDS; i++) {
		k = (int)(a->next++ % ATK_NKINDS);
		if (a->todo[k] > 0) {
			a->todo[k]--;
			return k;
		}
	}
	return -1;
}

static void
atk_tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct tg_attack	*a = arg;
	struct tg		*tg = a->tg;
	unsigned		 i, burst = (unsigned)(tg->conf.atk_rate *
				    ATK_TICK) + 1;
	int			 k;

	if (a->finished)
		return;
	for (i = 0; i < burst; i++) {
		if ((k = atk_next_kind(a)) == -1) {
			if (i == 0) {
				a->finished = true;
				tg_maybe_done(tg);
				return;
			}
			tg_timer(&a->tick_ev, ATK_DRAIN);
			return;
		}
		if (atk_one(a, (enum atk_kind)k) == -1 && errno != EAGAIN)
			tg->c.atk_err++;
		else
			tg->c.atk_sent++;
	}
	tg_timer(&a->tick_ev, ATK_TICK);
}

/* The attack starts after --attack-delay seconds. */
int
atk_start(struct tg *tg)
{
	struct tg_attack	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return -1;
	tg->atk = a;
	a->tg = tg;
	a->todo[ATK_RANDOM] = tg->conf.atk_random;
	a->todo[ATK_MUTATE] = tg->conf.atk_mutate;
	a->todo[ATK_FORGE] = tg->conf.atk_forge;
	a->todo[ATK_SPOOF] = tg->conf.atk_spoof;
	srand((unsigned)nonce_new());
	if (atk_open(a) == -1)
		return -1;
	evtimer_assign(&a->tick_ev, tg->base, atk_tick_cb, a);
	tg_timer(&a->tick_ev, tg->conf.atk_delay);
	return 0;
}

bool
atk_done(const struct tg *tg)
{
	return tg->atk == NULL || tg->atk->finished;
}

void
atk_free(struct tg *tg)
{
	struct tg_attack	*a = tg->atk;
	int			 i;

	if (a == NULL)
		return;
	evtimer_del(&a->tick_ev);
	for (i = 0; i < ATK_NFD; i++) {
		if (a->fds[i] != -1) {
			event_del(&a->rd_ev[i]);
			close(a->fds[i]);
		}
		if (a->spoof_fds[i] != -1) {
			event_del(&a->rd_ev[ATK_NFD + i]);
			close(a->spoof_fds[i]);
		}
	}
	if (a->raw != -1)
		close(a->raw);
	free(a);
	tg->atk = NULL;
}
