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
 *   bench-send -m -d GROUP -p PORT -r PPS -t SECONDS [-l LEN]
 *	A multicast source: LEN-octet payloads (default 1316) to GROUP:PORT
 *	at PPS packets per second.
 *
 * Prints "sent S seconds T pps P".
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
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

static uint64_t
send_mcast(const struct amt_ip *grp, unsigned port, double pps, double secs,
    uint8_t *payload, size_t len)
{
	struct sockaddr_storage	 to;
	struct mmsghdr		 msg[BATCH];
	struct iovec		 iov;
	struct timespec		 nap = { 0, 50000 };
	uint64_t		 sent = 0, due;
	double			 t, t0 = now();
	unsigned		 i, k;
	int			 fd, r, ttl = 8;

	ip_to_sa(grp, (uint16_t)port, &to);
	if ((fd = socket(grp->family, SOCK_DGRAM, 0)) == -1)
		err(1, "socket");
	if (grp->family == AF_INET)
		(void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
		    sizeof(ttl));
	else
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
		    sizeof(ttl));
	if (connect(fd, (struct sockaddr *)&to,
	    addr_len((struct sockaddr *)&to)) == -1)
		err(1, "connect");
	iov.iov_base = payload;
	iov.iov_len = len;
	while ((t = now()) - t0 < secs) {
		due = (uint64_t)((t - t0) * pps);
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
	struct amt_ip	 dst;
	uint8_t		*payload;
	uint64_t	 sent;
	double		 secs = 5, pps = 1000, t0;
	size_t		 len = 0;
	unsigned	 base = 20000, n = 1;
	int		 ch, mcast = 0;

	memset(&dst, 0, sizeof(dst));
	while ((ch = getopt(argc, argv, "d:p:n:t:l:r:m")) != -1) {
		switch (ch) {
		case 'd':
			if (ip_parse(optarg, &dst) == -1)
				errx(2, "-d %s", optarg);
			break;
		case 'p': base = (unsigned)atoi(optarg); break;
		case 'n': n = (unsigned)atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'l': len = (size_t)atoi(optarg); break;
		case 'r': pps = atof(optarg); break;
		case 'm': mcast = 1; break;
		default:
			errx(2, "usage: bench-send [-m] -d DST -p PORT [-n N] "
			    "[-r PPS] [-t S] [-l LEN]");
		}
	}
	if (dst.family == 0 || n == 0 || secs <= 0 || secs > 600)
		errx(2, "missing or bad arguments");
	if (len == 0)
		len = mcast ? 1316 : 1346;
	if (len > 65000 || (payload = calloc(1, len)) == NULL)
		errx(1, "payload");
	payload[0] = mcast ? 0x42 : 0x06;	/* raw: looks like AMT Data */
	t0 = now();
	if (mcast)
		sent = send_mcast(&dst, base, pps, secs, payload, len);
	else
		sent = send_raw(&dst, base, n, secs, payload, len);
	t0 = now() - t0;
	printf("sent %llu seconds %.3f pps %.0f\n", (unsigned long long)sent,
	    t0, (double)sent / t0);
	free(payload);
	return 0;
}
