/*
 * relay-quirks: a small AMT relay (RFC 7450) that behaves like the relays
 * deployed in the field, built from the library's encoders, for
 * gw-interop.sh.  It answers Discovery with an Advertisement and Request
 * with a Membership Query (MAC: mac_compute over the gateway's address,
 * port and nonce), takes Updates whose MAC verifies, and forwards the
 * IPv4/IPv6 multicast it captures on an interface (AF_PACKET) to the
 * gateways that joined its (S,G), as Data.
 *
 * usage: relay-quirks -a ADDR [-a ADDR] -i UPSTREAM_IF [--advertise ADDR]
 *	      [--ignore-p 4|6] [--no-router-alert] [--zero-fields]
 *	      [--linux-p-bit] [--drop-reserved] [--set-l N] [--stale-nonce]
 *	      [--qqi SECONDS]
 *
 * --ignore-p F       every Query is of family F (4: IGMPv3, 6: MLDv2),
 *                    whatever P says (the old relay of the captures)
 * --no-router-alert  IPv4 Query without Router Alert (44 octets), MLDv2
 *                    without Hop-by-Hop header
 * --zero-fields      Query from 0.0.0.0 / ::, Max Resp Code 0, S set,
 *                    QRV 0, QQIC 0 (the old relay's MLD Query and worse)
 * --linux-p-bit      P read at 0x80 of octet 1 (drivers/net/amt.c)
 * --drop-reserved    drop a Discovery or Request with any other bit of
 *                    octet 1 set (the Linux relay drops them)
 * --set-l N          L in the first N Queries (a relay at capacity)
 * --stale-nonce      each Query follows one for the gateway's previous
 *                    nonce (a late answer to an earlier Request)
 * --advertise ADDR   the relay address of the Advertisements
 * --qqi S            QQI of the Queries (125)
 *
 * One line on stdout per event: "request FLAGS", "query FAMILY L",
 * "stale", "join S G", "update-bad-mac", "data N" (every 100 sent).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amt/addr.h"
#include "amt/cksum.h"
#include "amt/mac.h"
#include "amt/mcast.h"
#include "amt/wire.h"

#define RQ_MAXSOCK	4
#define RQ_MAXFLOW	32

struct rq_flow {
	int			 fd;		/* the socket of the tunnel */
	struct sockaddr_storage	 gw;
	struct amt_ip		 src, grp;
};

struct rq {
	int			 fds[RQ_MAXSOCK];
	struct amt_ip		 addrs[RQ_MAXSOCK];
	int			 nfd;
	int			 cap;		/* AF_PACKET */
	struct amt_ip		 advertise;
	uint8_t			 key[MAC_KEY_LEN];
	int			 ignore_p;	/* 0, AF_INET, AF_INET6 */
	bool			 no_ra, zero, linux_p, drop_rsv, stale;
	unsigned		 set_l, qqi;
	uint32_t		 last_nonce;	/* of the last Request */
	struct rq_flow		 flows[RQ_MAXFLOW];
	int			 nflow;
	unsigned long		 sent;
};

static void
rq_usage(void)
{
	fprintf(stderr, "usage: relay-quirks -a ADDR [-a ADDR] -i IF "
	    "[--advertise ADDR] [--ignore-p 4|6] [--no-router-alert]\n"
	    "\t[--zero-fields] [--linux-p-bit] [--drop-reserved] "
	    "[--set-l N] [--stale-nonce] [--qqi S]\n");
	exit(2);
}

static void
rq_mac(const struct rq *r, const struct sockaddr *gw, uint32_t nonce,
    uint8_t mac[AMT_MAC_LEN])
{
	uint8_t		a[16];
	uint16_t	port;

	addr_canon(gw, a, &port);
	mac_compute(r->key, a, port, nonce, mac);
}

/* The IPv4 header checksum, IGMP or ICMPv6 checksum of a query again. */
static void
rq_query_cksums(uint8_t *q, size_t len)
{
	struct amt_ip	s, d;
	uint16_t	c;
	size_t		hl;

	if ((q[0] >> 4) == 4) {
		hl = (size_t)(q[0] & 0x0f) * 4;
		memset(q + 10, 0, 2);
		c = cksum(q, hl);
		memcpy(q + 10, &c, 2);
		memset(q + hl + 2, 0, 2);
		c = cksum(q + hl, len - hl);
		memcpy(q + hl + 2, &c, 2);
		return;
	}
	hl = q[6] == 58 ? 40 : 48;
	memset(&s, 0, sizeof(s));
	memset(&d, 0, sizeof(d));
	s.family = d.family = AF_INET6;
	memcpy(s.u.b, q + 8, 16);
	memcpy(d.u.b, q + 24, 16);
	memset(q + hl + 2, 0, 2);
	c = cksum_l4(&s, &d, 58, q + hl, len - hl);
	memcpy(q + hl + 2, &c, 2);
}

/* --no-router-alert: the option (IPv4) or Hop-by-Hop header (IPv6) out. */
static size_t
rq_strip_ra(uint8_t *q, size_t len)
{
	if ((q[0] >> 4) == 4) {
		memmove(q + 20, q + 24, len - 24);
		q[0] = 0x45;
		q[3] = (uint8_t)(len - 4);
		return len - 4;
	}
	memmove(q + 40, q + 48, len - 48);
	q[5] = (uint8_t)(len - 48);
	q[6] = 58;
	return len - 8;
}

/* --zero-fields: source unspecified, MRC 0, S set, QRV 0, QQIC 0. */
static void
rq_zero_fields(uint8_t *q)
{
	size_t	hl;

	if ((q[0] >> 4) == 4) {
		hl = (size_t)(q[0] & 0x0f) * 4;
		memset(q + 12, 0, 4);
		q[hl + 1] = 0;
		q[hl + 8] = 0x08;
		q[hl + 9] = 0;
		return;
	}
	hl = q[6] == 58 ? 40 : 48;
	memset(q + 8, 0, 16);
	memset(q + hl + 4, 0, 2);
	q[hl + 24] = 0x08;
	q[hl + 25] = 0;
}

/* The General Query of family af, quirks applied; its length. */
static size_t
rq_build_query(const struct rq *r, int af, uint8_t *q, size_t cap)
{
	struct mcast_query_params	p;
	ssize_t				n;
	int				i;

	memset(&p, 0, sizeof(p));
	ip_parse(af == AF_INET ? "10.2.0.1" : "fe80::1", &p.src);
	for (i = 0; i < r->nfd; i++)
		if (r->addrs[i].family == af)
			p.src = r->addrs[i];
	p.qqi = r->qqi;
	if ((n = mcast_build_query(&p, q, cap)) < 0)
		abort();
	if (r->no_ra)
		n = (ssize_t)rq_strip_ra(q, (size_t)n);
	if (r->zero)
		rq_zero_fields(q);
	rq_query_cksums(q, (size_t)n);
	return (size_t)n;
}

static void
rq_send(int fd, const struct amt_msg *m, const struct sockaddr *to)
{
	uint8_t	buf[512];
	ssize_t	n;

	if ((n = amt_encode(m, buf, sizeof(buf))) < 0 ||
	    sendto(fd, buf, (size_t)n, 0, to, addr_len(to)) != n)
		perror("relay-quirks: send");
}

static void
rq_query(struct rq *r, int fd, const struct sockaddr *gw, uint32_t nonce,
    int af)
{
	struct amt_msg	m;
	uint8_t		q[128];

	memset(&m, 0, sizeof(m));
	m.type = AMT_MEMBERSHIP_QUERY;
	m.nonce = nonce;
	rq_mac(r, gw, nonce, m.mac);
	if (r->set_l > 0) {
		r->set_l--;
		m.flags = AMT_QUERY_FLAG_L;
	}
	m.inner = q;
	m.inner_len = rq_build_query(r, af, q, sizeof(q));
	rq_send(fd, &m, gw);
	printf("query %d %d\n", af == AF_INET ? 4 : 6, m.flags != 0);
}

/* Request: P where this relay reads it, or ignored; L, stale first. */
static void
rq_request(struct rq *r, int fd, const struct amt_msg *req,
    const struct sockaddr *gw)
{
	uint8_t	pbit = r->linux_p ? AMT_REQ_FLAG_P_LINUX : AMT_REQ_FLAG_P;
	int	af;

	printf("request %02x\n", req->flags);
	if (r->drop_rsv && (req->flags & ~pbit) != 0)
		return;
	af = (req->flags & pbit) ? AF_INET6 : AF_INET;
	if (r->ignore_p != 0)
		af = r->ignore_p;
	if (r->stale && r->last_nonce != 0 && r->last_nonce != req->nonce) {
		rq_query(r, fd, gw, r->last_nonce, af);
		printf("stale\n");
	}
	r->last_nonce = req->nonce;
	rq_query(r, fd, gw, req->nonce, af);
}

static void
rq_flow_set(struct rq *r, int fd, const struct sockaddr *gw,
    const struct amt_ip *g, const struct amt_ip *s, bool on)
{
	char	a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int	i;

	for (i = 0; i < r->nflow; i++) {
		if (ip_eq(&r->flows[i].grp, g) && ip_eq(&r->flows[i].src, s) &&
		    addr_eq((struct sockaddr *)&r->flows[i].gw, gw)) {
			if (!on)
				r->flows[i] = r->flows[--r->nflow];
			return;
		}
	}
	if (!on || r->nflow == RQ_MAXFLOW)
		return;
	r->flows[r->nflow].fd = fd;
	memcpy(&r->flows[r->nflow].gw, gw, addr_len(gw));
	r->flows[r->nflow].src = *s;
	r->flows[r->nflow].grp = *g;
	r->nflow++;
	printf("join %s %s\n", ip_str(s, a, sizeof(a)), ip_str(g, b,
	    sizeof(b)));
}

/* Update: the MAC, then the (S,G) of each record (SSM only). */
static void
rq_update(struct rq *r, int fd, const struct amt_msg *m,
    const struct sockaddr *gw)
{
	struct mcast_report	rep;
	struct mcast_record	rec;
	struct amt_ip		s;
	uint8_t			mac[AMT_MAC_LEN];
	uint16_t		i;
	bool			on;

	rq_mac(r, gw, m->nonce, mac);
	if (!mac_equal(mac, m->mac)) {
		printf("update-bad-mac\n");
		return;
	}
	if (mcast_report_parse(m->inner, m->inner_len, &rep) != MCAST_OK)
		return;
	while (mcast_report_next(&rep, &rec) == 1) {
		on = rec.type != MCAST_BLOCK_OLD_SOURCES;
		for (i = 0; i < rec.nsrc; i++) {
			memset(&s, 0, sizeof(s));
			s.family = rec.group.family;
			memcpy(s.u.b, rec.srcs + (size_t)i * ip_len(s.family),
			    ip_len(s.family));
			rq_flow_set(r, fd, gw, &rec.group, &s, on);
		}
	}
}

static void
rq_control(struct rq *r, int fd)
{
	struct sockaddr_storage	 gw;
	socklen_t		 slen = sizeof(gw);
	struct amt_msg		 m, adv;
	uint8_t			 buf[2048];
	ssize_t			 n;
	int			 i;

	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&gw, &slen);
	if (n <= 0 || amt_decode(buf, (size_t)n, &m) != AMT_OK)
		return;
	if (m.type == AMT_RELAY_DISCOVERY) {
		if (r->drop_rsv && m.flags != 0)
			return;
		memset(&adv, 0, sizeof(adv));
		adv.type = AMT_RELAY_ADVERTISEMENT;
		adv.nonce = m.nonce;
		adv.relay = r->advertise;
		for (i = 0; adv.relay.family == AF_UNSPEC && i < r->nfd; i++)
			if (r->fds[i] == fd)
				adv.relay = r->addrs[i];
		rq_send(fd, &adv, (struct sockaddr *)&gw);
	} else if (m.type == AMT_REQUEST)
		rq_request(r, fd, &m, (struct sockaddr *)&gw);
	else if (m.type == AMT_MEMBERSHIP_UPDATE)
		rq_update(r, fd, &m, (struct sockaddr *)&gw);
	fflush(stdout);
}

/* A captured IP datagram: Data to every tunnel that wants its (S,G). */
static void
rq_capture(struct rq *r)
{
	uint8_t		 pkt[2048 + AMT_DATA_HDR_LEN];
	uint8_t		*ip = pkt + AMT_DATA_HDR_LEN;
	struct amt_ip	 s, g;
	ssize_t		 n;
	int		 i;

	n = recv(r->cap, ip, sizeof(pkt) - AMT_DATA_HDR_LEN, 0);
	if (n < 20)
		return;
	memset(&s, 0, sizeof(s));
	memset(&g, 0, sizeof(g));
	if ((ip[0] >> 4) == 4) {
		s.family = g.family = AF_INET;
		memcpy(s.u.b, ip + 12, 4);
		memcpy(g.u.b, ip + 16, 4);
	} else if ((ip[0] >> 4) == 6 && n >= 40) {
		s.family = g.family = AF_INET6;
		memcpy(s.u.b, ip + 8, 16);
		memcpy(g.u.b, ip + 24, 16);
	} else
		return;
	/* veth offload: the checksum may be unfinished (AF_PACKET). */
	cksum_finish_l4(ip, (size_t)n);
	pkt[0] = AMT_MULTICAST_DATA;
	pkt[1] = 0;
	for (i = 0; i < r->nflow; i++) {
		if (!ip_eq(&r->flows[i].src, &s) || !ip_eq(&r->flows[i].grp, &g))
			continue;
		if (sendto(r->flows[i].fd, pkt, (size_t)n + AMT_DATA_HDR_LEN,
		    0, (struct sockaddr *)&r->flows[i].gw,
		    addr_len((struct sockaddr *)&r->flows[i].gw)) > 0 &&
		    ++r->sent % 100 == 0)
			printf("data %lu\n", r->sent);
	}
	fflush(stdout);
}

static int
rq_listen(const char *addr)
{
	struct sockaddr_storage	ss;
	int			fd;

	if (addr_parse(addr, AMT_PORT, &ss) == -1)
		rq_usage();
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&ss,
	    addr_len((struct sockaddr *)&ss)) == -1) {
		perror(addr);
		exit(1);
	}
	return fd;
}

static int
rq_capture_open(const char *ifname)
{
	struct sockaddr_ll	sll;
	int			fd;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	if ((sll.sll_ifindex = (int)if_nametoindex(ifname)) == 0)
		rq_usage();
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	if (fd == -1 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		perror(ifname);
		exit(1);
	}
	return fd;
}

static const struct option rq_opts[] = {
	{ "advertise", required_argument, NULL, 'A' },
	{ "ignore-p", required_argument, NULL, 'p' },
	{ "no-router-alert", no_argument, NULL, 'r' },
	{ "zero-fields", no_argument, NULL, 'z' },
	{ "linux-p-bit", no_argument, NULL, 'x' },
	{ "drop-reserved", no_argument, NULL, 'd' },
	{ "set-l", required_argument, NULL, 'l' },
	{ "stale-nonce", no_argument, NULL, 's' },
	{ "qqi", required_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 }
};

static void
rq_options(struct rq *r, int argc, char **argv)
{
	int	c;

	while ((c = getopt_long(argc, argv, "a:i:", rq_opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (r->nfd == RQ_MAXSOCK || ip_parse(optarg,
			    &r->addrs[r->nfd]) == -1)
				rq_usage();
			r->fds[r->nfd++] = rq_listen(optarg);
			break;
		case 'i': r->cap = rq_capture_open(optarg); break;
		case 'A':
			if (ip_parse(optarg, &r->advertise) == -1)
				rq_usage();
			break;
		case 'p': r->ignore_p = atoi(optarg) == 6 ? AF_INET6 : AF_INET;
			break;
		case 'r': r->no_ra = true; break;
		case 'z': r->zero = true; break;
		case 'x': r->linux_p = true; break;
		case 'd': r->drop_rsv = true; break;
		case 'l': r->set_l = (unsigned)atoi(optarg); break;
		case 's': r->stale = true; break;
		case 'q': r->qqi = (unsigned)atoi(optarg); break;
		default: rq_usage();
		}
	}
	if (r->nfd == 0 || r->cap == -1)
		rq_usage();
}

int
main(int argc, char **argv)
{
	struct pollfd	pfd[RQ_MAXSOCK + 1];
	struct rq	r;
	int		i;

	memset(&r, 0, sizeof(r));
	r.cap = -1;
	r.qqi = 125;
	if (mac_lib_init() == -1)
		return 1;
	for (i = 0; i < MAC_KEY_LEN; i++)
		r.key[i] = (uint8_t)rand_range(0, 255);
	rq_options(&r, argc, argv);
	for (i = 0; i < r.nfd; i++)
		pfd[i] = (struct pollfd){ r.fds[i], POLLIN, 0 };
	pfd[r.nfd] = (struct pollfd){ r.cap, POLLIN, 0 };
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (poll(pfd, (nfds_t)r.nfd + 1, -1) == -1)
			continue;
		for (i = 0; i < r.nfd; i++)
			if (pfd[i].revents & POLLIN)
				rq_control(&r, r.fds[i]);
		if (pfd[r.nfd].revents & POLLIN)
			rq_capture(&r);
	}
}
