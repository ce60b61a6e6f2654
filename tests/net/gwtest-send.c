/*
 * gwtest-send: a counted, rate-limited multicast sender for the gateway
 * scenarios and benchmarks.
 *
 * Each datagram carries a header that lets a receiver count loss exactly:
 *	"GWT1" stream(4) seq(8) sent-at(8, CLOCK_MONOTONIC ns) group-index(4)
 * padded with zeros to the payload length.  Sequence numbers run from 0
 * per group.
 *
 * Two modes:
 *	socket: an ordinary UDP socket sends to GROUP:PORT out of IF;
 *	tun (-T): complete IPv4/IPv6 UDP datagrams are written into an
 *	    existing tun interface, which is the kernel's raw limit for what
 *	    amtgwd does with decapsulated data (benchmarks).
 *
 * usage: gwtest-send -g GROUP [-c NGROUPS] [-p PORT] [-i IF] [-s SOURCE]
 *	      [-n COUNT] [-r PPS] [-l LEN] [-t TTL] [-T TUN] [-I STREAM]
 *	      [-E TOS]
 * COUNT is per group (0: until SIGTERM); PPS is the total rate (0: as
 * fast as possible).  -E: the IPv4 TOS or IPv6 Traffic Class of the
 * socket's datagrams, ECN bits included (socket mode).  Prints "sent=N"
 * when done.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if_tun.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "amt/addr.h"
#include "amt/buf.h"
#include "amt/cksum.h"
#include "gwtest-common.h"

#define SEND_MAXLEN	9000
#define SEND_HDRLEN	28

struct sender {
	struct amt_ip	 group;
	struct amt_ip	 source;
	unsigned	 ngroups;
	uint16_t	 port;
	const char	*ifname;
	const char	*tun;
	uint64_t	 count;
	uint64_t	 pps;
	size_t		 len;
	int		 ttl;
	int		 tos;		/* -E; -1: the kernel's */
	uint32_t	 stream;
	int		 fd;
	uint64_t	 sent;
	uint64_t	 errors;
};

static void
send_payload(const struct sender *s, struct wbuf *wb, uint64_t seq,
    unsigned gi)
{
	uint64_t	now = gwtest_now();

	wbuf_add_bytes(wb, "GWT1", 4);
	wbuf_add_n32(wb, s->stream);
	wbuf_add_n32(wb, (uint32_t)(seq >> 32));
	wbuf_add_n32(wb, (uint32_t)seq);
	wbuf_add_n32(wb, (uint32_t)(now >> 32));
	wbuf_add_n32(wb, (uint32_t)now);
	wbuf_add_n32(wb, gi);
	wbuf_add_zero(wb, s->len - SEND_HDRLEN);
}

static int
send_open_socket(struct sender *s)
{
	unsigned	ifindex = 0;
	int		loop = 0, lvl, fd;
	struct sockaddr_storage ss;

	if (s->ifname != NULL && (ifindex = if_nametoindex(s->ifname)) == 0) {
		fprintf(stderr, "gwtest-send: no interface %s\n", s->ifname);
		return (-1);
	}
	if ((fd = socket(s->group.family, SOCK_DGRAM, 0)) == -1)
		return (-1);
	if (s->source.family != 0) {
		ip_to_sa(&s->source, 0, &ss);
		if (bind(fd, (struct sockaddr *)&ss,
		    addr_len((struct sockaddr *)&ss)) == -1) {
			perror("gwtest-send: bind");
			return (-1);
		}
	}
	if (s->group.family == AF_INET) {
		struct ip_mreqn	mr;

		memset(&mr, 0, sizeof(mr));
		mr.imr_ifindex = ifindex;
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr));
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &s->ttl,
		    sizeof(s->ttl));
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop,
		    sizeof(loop));
		if (s->tos != -1 && setsockopt(fd, IPPROTO_IP, IP_TOS,
		    &s->tos, sizeof(s->tos)) == -1)
			return (-1);
	} else {
		lvl = IPPROTO_IPV6;
		setsockopt(fd, lvl, IPV6_MULTICAST_IF, &ifindex,
		    sizeof(ifindex));
		setsockopt(fd, lvl, IPV6_MULTICAST_HOPS, &s->ttl,
		    sizeof(s->ttl));
		setsockopt(fd, lvl, IPV6_MULTICAST_LOOP, &loop, sizeof(loop));
		if (s->tos != -1 && setsockopt(fd, lvl, IPV6_TCLASS, &s->tos,
		    sizeof(s->tos)) == -1)
			return (-1);
	}
	s->fd = fd;
	return (0);
}

static int
send_open_tun(struct sender *s)
{
	struct ifreq	ifr;
	int		fd;

	if (s->source.family != s->group.family) {
		fprintf(stderr, "gwtest-send: -T needs -s of the group's "
		    "family\n");
		return (-1);
	}
	if ((fd = open("/dev/net/tun", O_RDWR)) == -1)
		return (-1);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->tun);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		perror("gwtest-send: TUNSETIFF");
		return (-1);
	}
	s->fd = fd;
	return (0);
}

/* An IPv4 or IPv6 header, then UDP with its checksum, then the payload. */
static size_t
send_build_ip(const struct sender *s, const struct amt_ip *g, uint8_t *pkt,
    size_t cap, uint64_t seq, unsigned gi)
{
	struct wbuf	wb;
	size_t		iphl, ulen = 8 + s->len;
	uint16_t	sum;

	iphl = s->group.family == AF_INET ? 20 : 40;
	wbuf_init(&wb, pkt, cap);
	if (s->group.family == AF_INET) {
		wbuf_add_n16(&wb, 0x4500);
		wbuf_add_n16(&wb, (uint16_t)(iphl + ulen));
		wbuf_add_n32(&wb, 0x00004000);		/* DF */
		wbuf_add_u8(&wb, (uint8_t)s->ttl);
		wbuf_add_u8(&wb, IPPROTO_UDP);
		wbuf_add_n16(&wb, 0);
		wbuf_add_bytes(&wb, s->source.u.b, 4);
		wbuf_add_bytes(&wb, g->u.b, 4);
	} else {
		wbuf_add_n32(&wb, 0x60000000);
		wbuf_add_n16(&wb, (uint16_t)ulen);
		wbuf_add_u8(&wb, IPPROTO_UDP);
		wbuf_add_u8(&wb, (uint8_t)s->ttl);
		wbuf_add_bytes(&wb, s->source.u.b, 16);
		wbuf_add_bytes(&wb, g->u.b, 16);
	}
	wbuf_add_n16(&wb, 40000);
	wbuf_add_n16(&wb, s->port);
	wbuf_add_n16(&wb, (uint16_t)ulen);
	wbuf_add_n16(&wb, 0);
	send_payload(s, &wb, seq, gi);
	if (wb.err)
		return (0);
	if (s->group.family == AF_INET) {
		sum = cksum(pkt, iphl);
		memcpy(pkt + 10, &sum, 2);
	}
	sum = cksum_l4(&s->source, g, IPPROTO_UDP, pkt + iphl, ulen);
	memcpy(pkt + iphl + 6, &sum, 2);
	return (wb.len);
}

static void
send_one(struct sender *s, uint64_t seq, unsigned gi)
{
	uint8_t			pkt[SEND_MAXLEN + 64];
	struct amt_ip		g;
	struct sockaddr_storage	ss;
	struct wbuf		wb;
	ssize_t			n;
	size_t			len;

	gwtest_group(&s->group, gi, &g);
	if (s->tun != NULL) {
		len = send_build_ip(s, &g, pkt, sizeof(pkt), seq, gi);
		n = write(s->fd, pkt, len);
	} else {
		wbuf_init(&wb, pkt, sizeof(pkt));
		send_payload(s, &wb, seq, gi);
		len = wb.len;
		ip_to_sa(&g, s->port, &ss);
		n = sendto(s->fd, pkt, len, 0, (struct sockaddr *)&ss,
		    addr_len((struct sockaddr *)&ss));
	}
	if (n == (ssize_t)len)
		s->sent++;
	else
		s->errors++;
}

/* Paced: packet k leaves at start + k / pps. */
static void
send_loop(struct sender *s)
{
	uint64_t	start = gwtest_now(), k = 0, due;
	struct timespec	ts;

	while (!gwtest_stopped() && (s->count == 0 || k < s->count * s->ngroups)) {
		if (s->pps != 0) {
			due = start + k * 1000000000ULL / s->pps;
			if (due > gwtest_now() + 50000) {
				ts.tv_sec = due / 1000000000ULL;
				ts.tv_nsec = due % 1000000000ULL;
				clock_nanosleep(CLOCK_MONOTONIC,
				    TIMER_ABSTIME, &ts, NULL);
			}
		}
		send_one(s, k / s->ngroups, k % s->ngroups);
		k++;
	}
}

static void
send_usage(void)
{
	fprintf(stderr, "usage: gwtest-send -g GROUP [-c NGROUPS] [-p PORT] "
	    "[-i IF] [-s SOURCE] [-n COUNT] [-r PPS] [-l LEN] [-t TTL] "
	    "[-T TUN] [-I STREAM] [-E TOS]\n");
	exit(2);
}

static void
send_args(struct sender *s, int argc, char **argv)
{
	int	ch;

	while ((ch = getopt(argc, argv, "c:E:g:i:I:l:n:p:r:s:t:T:")) != -1) {
		switch (ch) {
		case 'c': s->ngroups = strtoul(optarg, NULL, 10); break;
		case 'E': s->tos = (int)strtol(optarg, NULL, 0) & 0xff; break;
		case 'g': if (ip_parse(optarg, &s->group) == -1) send_usage();
			break;
		case 'i': s->ifname = optarg; break;
		case 'I': s->stream = strtoul(optarg, NULL, 0); break;
		case 'l': s->len = strtoul(optarg, NULL, 10); break;
		case 'n': s->count = strtoull(optarg, NULL, 10); break;
		case 'p': s->port = (uint16_t)strtoul(optarg, NULL, 10); break;
		case 'r': s->pps = strtoull(optarg, NULL, 10); break;
		case 's': if (ip_parse(optarg, &s->source) == -1) send_usage();
			break;
		case 't': s->ttl = atoi(optarg); break;
		case 'T': s->tun = optarg; break;
		default: send_usage();
		}
	}
	if (s->group.family == 0 || s->ngroups == 0 ||
	    s->len < SEND_HDRLEN || s->len > SEND_MAXLEN)
		send_usage();
}

int
main(int argc, char **argv)
{
	struct sender	s;

	memset(&s, 0, sizeof(s));
	s.ngroups = 1;
	s.port = 5000;
	s.len = 1316;
	s.ttl = 16;
	s.tos = -1;
	s.stream = (uint32_t)getpid();
	send_args(&s, argc, argv);
	gwtest_signals();
	if ((s.tun != NULL ? send_open_tun(&s) : send_open_socket(&s)) == -1) {
		perror("gwtest-send");
		return (1);
	}
	send_loop(&s);
	printf("sent=%llu errors=%llu\n", (unsigned long long)s.sent,
	    (unsigned long long)s.errors);
	return (0);
}
