/*
 * mcsend: send COUNT UDP datagrams of LEN bytes to each of NGROUPS
 * consecutive groups (IPv4 or IPv6) from SOURCE out of IF at PPS packets
 * per second in total, for the relay scenarios.  -F df sets the IPv4 DF
 * bit (no local fragmentation), -F nodf clears it (R12 tests); -T sets
 * the TOS / traffic class, ECN bits included (R15 tests).
 *
 * usage: mcsend -g GROUP [-c NGROUPS] [-s SOURCE] [-i IF] [-p PORT]
 *               [-n COUNT] [-r PPS] [-l LEN] [-t TTL] [-F df|nodf]
 *               [-T TOS]
 * Prints "sent=N errors=N"; exits 0 when every datagram was sent.
 */
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "amt/addr.h"

struct mcsend {
	struct amt_ip	 group;
	struct amt_ip	 src;
	unsigned	 ngroups;
	unsigned	 ifindex;
	uint16_t	 port;
	unsigned long	 count;
	double		 pps;
	size_t		 len;
	int		 ttl;
	int		 df;		/* -1 default, 0 clear, 1 set */
	int		 tos;		/* -T: TOS / traffic class (ECN) */
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: mcsend -g group [-c ngroups] [-s source] "
	    "[-i if] [-p port] [-n count]\n"
	    "              [-r pps] [-l len] [-t ttl] [-F df|nodf] "
	    "[-T tos]\n");
	exit(2);
}

static void
parse_opt(struct mcsend *m, int ch, const char *arg)
{
	switch (ch) {
	case 'g':
		if (ip_parse(arg, &m->group) == -1)
			usage();
		break;
	case 's':
		if (ip_parse(arg, &m->src) == -1)
			usage();
		break;
	case 'c':
		m->ngroups = (unsigned)atoi(arg);
		break;
	case 'i':
		if ((m->ifindex = if_nametoindex(arg)) == 0)
			usage();
		break;
	case 'p':
		m->port = (uint16_t)atoi(arg);
		break;
	case 'n':
		m->count = strtoul(arg, NULL, 10);
		break;
	case 'r':
		m->pps = atof(arg);
		break;
	case 'l':
		m->len = (size_t)atoi(arg);
		break;
	case 't':
		m->ttl = atoi(arg);
		break;
	case 'F':
		m->df = strcmp(arg, "df") == 0;
		break;
	case 'T':
		m->tos = (int)strtol(arg, NULL, 0);
		break;
	default:
		usage();
	}
}

static void
parse(struct mcsend *m, int argc, char **argv)
{
	int	ch;

	memset(m, 0, sizeof(*m));
	m->ngroups = 1;
	m->port = 5001;
	m->count = 10;
	m->len = 100;
	m->ttl = 8;
	m->df = -1;
	while ((ch = getopt(argc, argv, "g:c:s:i:p:n:r:l:t:F:T:")) != -1)
		parse_opt(m, ch, optarg);
	if (!ip_is_multicast(&m->group) || m->ngroups == 0 ||
	    m->len > 65000 || (m->src.family != 0 &&
	    m->src.family != m->group.family))
		usage();
}

static int
open_v4(const struct mcsend *m, int fd)
{
	struct ip_mreqn	mr;
	int		pmtu, zero = 0;

	memset(&mr, 0, sizeof(mr));
	mr.imr_ifindex = (int)m->ifindex;
	if (m->src.family != 0)
		mr.imr_address = m->src.u.v4;
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &m->ttl,
	    sizeof(m->ttl)) || setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP,
	    &zero, sizeof(zero)) || setsockopt(fd, IPPROTO_IP, IP_TOS,
	    &m->tos, sizeof(m->tos)))
		return -1;
	if (m->df == -1)
		return 0;
	pmtu = m->df ? IP_PMTUDISC_PROBE : IP_PMTUDISC_DONT;
	return setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
	    sizeof(pmtu));
}

static int
open_v6(const struct mcsend *m, int fd)
{
	int	zero = 0;

	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &m->ifindex,
	    sizeof(m->ifindex)) || setsockopt(fd, IPPROTO_IPV6,
	    IPV6_MULTICAST_HOPS, &m->ttl, sizeof(m->ttl)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero,
	    sizeof(zero)) || setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS,
	    &m->tos, sizeof(m->tos)))
		return -1;
	return 0;
}

static int
open_socket(const struct mcsend *m)
{
	struct sockaddr_storage	ss;
	int			fd;

	if ((fd = socket(m->group.family, SOCK_DGRAM, 0)) == -1)
		return -1;
	if (m->src.family != 0) {
		ip_to_sa(&m->src, 0, &ss);
		if (bind(fd, (struct sockaddr *)&ss,
		    addr_len((struct sockaddr *)&ss)) == -1)
			return -1;
	}
	if ((m->group.family == AF_INET ? open_v4(m, fd) : open_v6(m, fd)))
		return -1;
	return fd;
}

/* Group number i: the last 32 bits of the first group plus i. */
static void
group_at(const struct mcsend *m, unsigned i, struct sockaddr_storage *ss)
{
	struct amt_ip	g = m->group;
	uint32_t	v;
	size_t		off = ip_len(g.family) - 4;

	memcpy(&v, g.u.b + off, 4);
	v = htonl(ntohl(v) + i);
	memcpy(g.u.b + off, &v, 4);
	ip_to_sa(&g, m->port, ss);
}

static void
pace(const struct mcsend *m, const struct timespec *t0, unsigned long n)
{
	struct timespec	t;
	double		at;

	if (m->pps <= 0)
		return;
	at = n / m->pps;
	t.tv_sec = t0->tv_sec + (time_t)at;
	t.tv_nsec = t0->tv_nsec + (long)((at - (time_t)at) * 1e9);
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
}

int
main(int argc, char **argv)
{
	struct mcsend		m;
	struct sockaddr_storage	to;
	struct timespec		t0;
	unsigned char		*buf;
	unsigned long		n, sent = 0, errors = 0;
	int			fd;

	parse(&m, argc, argv);
	if ((fd = open_socket(&m)) == -1 ||
	    (buf = calloc(1, m.len + 16)) == NULL) {
		perror("mcsend");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; n < m.count * m.ngroups; n++) {
		pace(&m, &t0, n);
		group_at(&m, (unsigned)(n % m.ngroups), &to);
		memcpy(buf, &n, sizeof(n));
		if (sendto(fd, buf, m.len, 0, (struct sockaddr *)&to,
		    addr_len((struct sockaddr *)&to)) == -1) {
			if (errors++ == 0)
				perror("mcsend: sendto");
		} else
			sent++;
	}
	printf("sent=%lu errors=%lu\n", sent, errors);
	free(buf);
	close(fd);
	return errors == 0 ? 0 : 1;
}
