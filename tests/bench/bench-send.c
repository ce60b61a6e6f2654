/*
 * bench-send: the two senders of the relay benchmark.
 *
 *   bench-send -d DST -p BASEPORT -n N -t SECONDS [-l LEN]
 *	The machine's raw limit: LEN-octet UDP datagrams (default 1346, what
 *	the relay sends for a 1316-octet payload: 2 + 20 + 8 + 1316) to N
 *	destinations DST:BASEPORT+i, one datagram to each destination in
 *	turn, batched 64 per sendmmsg(): the relay's own pattern without
 *	the relay.
 *
 *   bench-send -m -d GROUP -p PORT -r PPS -t SECONDS [-l LEN] [-c COUNT]
 *	   [-f | -F] [-S SOURCE] [-T TOS]
 *	A multicast source: LEN-octet payloads (default 1316) to GROUP:PORT
 *	at PPS packets per second, at most COUNT of them; -f: IPv4 DF clear
 *	(the kernel may fragment), -F: DF set; sent from SOURCE, with the
 *	IPv4 TOS octet TOS (ECN bits included).
 *
 * Prints "sent S seconds T pps P".
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "amt/addr.h"

#define BATCH	64

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t
send_raw(const struct amt_ip *dst, unsigned base, unsigned n, double secs,
    uint8_t *payload, size_t len)
{
	struct sockaddr_storage	*to;
	struct mmsghdr		 msg[BATCH];
	struct iovec		 iov;
	uint64_t		 sent = 0;
	double			 t0 = now();
	unsigned		 i, next = 0;
	int			 fd, r, sndbuf = 4 << 20;

	if ((to = calloc(n, sizeof(*to))) == NULL)
		err(1, "calloc");
	for (i = 0; i < n; i++)
		ip_to_sa(dst, (uint16_t)(base + i), &to[i]);
	if ((fd = socket(dst->family, SOCK_DGRAM, 0)) == -1)
		err(1, "socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
	    sizeof(sndbuf));
	iov.iov_base = payload;
	iov.iov_len = len;
	while (now() - t0 < secs) {
		memset(msg, 0, sizeof(msg));
		for (i = 0; i < BATCH; i++) {
			msg[i].msg_hdr.msg_name = &to[next];
			msg[i].msg_hdr.msg_namelen =
			    addr_len((struct sockaddr *)&to[next]);
			msg[i].msg_hdr.msg_iov = &iov;
			msg[i].msg_hdr.msg_iovlen = 1;
			next = (next + 1) % n;
		}
		if ((r = sendmmsg(fd, msg, BATCH, 0)) > 0)
			sent += (uint64_t)r;
	}
	close(fd);
	free(to);
	return sent;
}

struct mcast_opts {
	struct amt_ip	 grp;
	struct amt_ip	 src;		/* family 0: the kernel's choice */
	unsigned	 port;
	double		 pps;
	double		 secs;
	uint64_t	 count;
	int		 pmtu;		/* -1: the default */
	int		 tos;		/* -1: the default */
};

static int
mcast_socket(const struct mcast_opts *o)
{
	struct sockaddr_storage	to, from;
	int			fd, ttl = 8;

	if ((fd = socket(o->grp.family, SOCK_DGRAM, 0)) == -1)
		err(1, "socket");
	if (o->grp.family == AF_INET)
		(void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
		    sizeof(ttl));
	else
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
		    sizeof(ttl));
	if (o->pmtu != -1 && setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER,
	    &o->pmtu, sizeof(o->pmtu)) == -1)
		err(1, "IP_MTU_DISCOVER");
	if (o->tos != -1 && setsockopt(fd, IPPROTO_IP, IP_TOS, &o->tos,
	    sizeof(o->tos)) == -1)
		err(1, "IP_TOS");
	if (o->src.family != 0) {
		ip_to_sa(&o->src, 0, &from);
		if (bind(fd, (struct sockaddr *)&from,
		    addr_len((struct sockaddr *)&from)) == -1)
			err(1, "bind");
	}
	ip_to_sa(&o->grp, (uint16_t)o->port, &to);
	if (connect(fd, (struct sockaddr *)&to,
	    addr_len((struct sockaddr *)&to)) == -1)
		err(1, "connect");
	return fd;
}

static uint64_t
send_mcast(const struct mcast_opts *o, uint8_t *payload, size_t len)
{
	struct mmsghdr		 msg[BATCH];
	struct iovec		 iov;
	struct timespec		 nap = { 0, 50000 };
	uint64_t		 sent = 0, due;
	double			 t, t0 = now();
	unsigned		 i, k;
	int			 fd, r;

	fd = mcast_socket(o);
	iov.iov_base = payload;
	iov.iov_len = len;
	while ((t = now()) - t0 < o->secs && sent < o->count) {
		due = (uint64_t)((t - t0) * o->pps);
		if (due > o->count)
			due = o->count;
		if (due <= sent) {
			nanosleep(&nap, NULL);
			continue;
		}
		k = due - sent > BATCH ? BATCH : (unsigned)(due - sent);
		memset(msg, 0, sizeof(msg));
		for (i = 0; i < k; i++) {
			msg[i].msg_hdr.msg_iov = &iov;
			msg[i].msg_hdr.msg_iovlen = 1;
		}
		if ((r = sendmmsg(fd, msg, k, 0)) > 0)
			sent += (uint64_t)r;
	}
	close(fd);
	return sent;
}

int
main(int argc, char **argv)
{
	struct mcast_opts	 o;
	uint8_t			*payload;
	uint64_t		 sent;
	double			 t0;
	size_t			 len = 0;
	unsigned		 n = 1;
	int			 ch, mcast = 0;

	memset(&o, 0, sizeof(o));
	o.port = 20000;
	o.pps = 1000;
	o.secs = 5;
	o.count = UINT64_MAX;
	o.pmtu = o.tos = -1;
	while ((ch = getopt(argc, argv, "d:p:n:t:l:r:mc:fFS:T:")) != -1) {
		switch (ch) {
		case 'd':
			if (ip_parse(optarg, &o.grp) == -1)
				errx(2, "-d %s", optarg);
			break;
		case 'p': o.port = (unsigned)atoi(optarg); break;
		case 'n': n = (unsigned)atoi(optarg); break;
		case 't': o.secs = atof(optarg); break;
		case 'l': len = (size_t)atoi(optarg); break;
		case 'r': o.pps = atof(optarg); break;
		case 'm': mcast = 1; break;
		case 'c': o.count = strtoull(optarg, NULL, 10); break;
		case 'f': o.pmtu = IP_PMTUDISC_DONT; break;
		case 'F': o.pmtu = IP_PMTUDISC_DO; break;
		case 'S':
			if (ip_parse(optarg, &o.src) == -1)
				errx(2, "-S %s", optarg);
			break;
		case 'T': o.tos = (int)strtol(optarg, NULL, 0); break;
		default:
			errx(2, "usage: bench-send [-m] -d DST -p PORT [-n N] "
			    "[-r PPS] [-t S] [-l LEN] [-c COUNT] [-f|-F] "
			    "[-S SRC] [-T TOS]");
		}
	}
	if (o.grp.family == 0 || n == 0 || o.secs <= 0 || o.secs > 600)
		errx(2, "missing or bad arguments");
	if (len == 0)
		len = mcast ? 1316 : 1346;
	if (len > 65000 || (payload = calloc(1, len)) == NULL)
		errx(1, "payload");
	payload[0] = mcast ? 0x42 : 0x06;	/* raw: looks like AMT Data */
	t0 = now();
	if (mcast)
		sent = send_mcast(&o, payload, len);
	else
		sent = send_raw(&o.grp, o.port, n, o.secs, payload, len);
	t0 = now() - t0;
	printf("sent %llu seconds %.3f pps %.0f\n", (unsigned long long)sent,
	    t0, (double)sent / t0);
	free(payload);
	return 0;
}
