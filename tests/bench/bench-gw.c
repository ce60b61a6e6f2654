/*
 * bench-gw: N AMT gateways in one process, for the relay benchmark.
 *
 *   bench-gw -r RELAY -l LOCAL -p BASEPORT -n N -s SOURCE -g GROUP \
 *            [-o STATUSFILE] [-t SECONDS] [-R REFRESH] [-c] [-k K] [-K K]
 *            [-x] [-E]
 *
 * Each of N UDP sockets (LOCAL:BASEPORT+i) holds a tunnel: Request ->
 * Membership Query -> Membership Update with the Query's nonce and MAC,
 * carrying an IGMPv3/MLDv2 report that includes SOURCE in GROUP; the
 * exchange is repeated every REFRESH seconds (and retried after 1 s when
 * no Query came).  Every Multicast Data message is counted per port.
 * With -c the sockets only count (the raw sender's datagrams).  With -k K
 * (-K K) gateway i asks for GROUP (SOURCE) plus i mod K in the last octet;
 * with -x the report is EXCLUDE {SOURCE} (every other source of GROUP).
 * With -E the Requests set E (RFC 9601 6.1.4.2: the gateway propagates
 * ECN), so that the relay copies the inner ECN to the outer header.
 * STATUSFILE is rewritten every 200 ms: "ready R total T queries Q".
 */
#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "amt/addr.h"
#include "amt/mac.h"
#include "amt/mcast.h"
#include "amt/wire.h"

#define GW_BATCH	64
#define GW_BUFLEN	256
#define GW_REQ_BURST	256	/* Requests sent per loop turn */
#define GW_OUTSTANDING	1024	/* gateways waiting for a Query at once */

struct gw {
	int		 fd;
	uint32_t	 nonce;
	double		 next_req;	/* when to send the next Request */
	bool		 waiting;	/* Request sent, no Query yet */
	unsigned	 tries;		/* Requests without a Query */
	uint64_t	 data;
};

struct bench {
	struct gw		*gw;
	unsigned		 n;
	struct sockaddr_storage	 relay;
	struct amt_ip		 local, src, grp;
	bool			 count_only;
	unsigned		 kgrp, ksrc;
	bool			 exclude;
	bool			 ecn;		/* -E: E in Requests (RFC 9601) */
	double			 refresh;
	uint64_t		 total, queries, requests;
	unsigned		 ready;
	unsigned		 outstanding;	/* gateways waiting */
	uint8_t			 rbuf[GW_BATCH][GW_BUFLEN];
	volatile sig_atomic_t	 stop;
};

static struct bench	*bench_sig;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
on_signal(int sig)
{
	(void)sig;
	bench_sig->stop = 1;
}

static int
gw_open(const struct bench *b, uint16_t port, int ep, unsigned idx)
{
	struct sockaddr_storage	ss;
	struct epoll_event	ev;
	int			fd, rcv = 1 << 20;

	ip_to_sa(&b->local, port, &ss);
	if ((fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1)
		err(1, "socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	if (bind(fd, (struct sockaddr *)&ss, addr_len((struct sockaddr *)&ss))
	    == -1)
		err(1, "bind port %u", port);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = idx;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		err(1, "epoll_ctl");
	return fd;
}

static void
gw_request(struct bench *b, struct gw *g, double t)
{
	struct amt_msg	m;
	uint8_t		buf[64];
	ssize_t		len;

	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	m.flags = b->grp.family == AF_INET6 ? AMT_REQ_FLAG_P : 0;
	if (b->ecn)
		m.flags |= AMT_REQ_FLAG_E;
	m.nonce = g->nonce = nonce_new();
	if ((len = amt_encode(&m, buf, sizeof(buf))) < 0)
		errx(1, "encode Request");
	(void)sendto(g->fd, buf, (size_t)len, 0, (struct sockaddr *)&b->relay,
	    addr_len((struct sockaddr *)&b->relay));
	if (!g->waiting)
		b->outstanding++;
	g->waiting = true;
	b->requests++;
	/* RFC 7450 5.2.3.5.3: retry after a random time in
	 * [1, min(2^n, 120)] s (capped lower here for the benchmark) */
	if (g->tries < 4)
		g->tries++;
	g->next_req = t + 1.0 + (double)rand_range(0,
	    (1000u << g->tries) - 1000) / 1000;
}

static void
gw_update(struct bench *b, struct gw *g, const struct amt_msg *q)
{
	struct mcast_record	rec;
	struct amt_msg		m;
	uint8_t			inner[128], buf[256];
	ssize_t			ilen, len;

	struct amt_ip		src = b->src;
	unsigned		i = (unsigned)(g - b->gw);

	memset(&rec, 0, sizeof(rec));
	rec.type = b->exclude ? MCAST_MODE_IS_EXCLUDE : MCAST_MODE_IS_INCLUDE;
	rec.group = b->grp;
	rec.group.u.b[ip_len(rec.group.family) - 1] += (uint8_t)(i % b->kgrp);
	src.u.b[ip_len(src.family) - 1] += (uint8_t)(i % b->ksrc);
	rec.nsrc = 1;
	rec.srcs = src.u.b;
	if ((ilen = mcast_build_report(&b->local, &rec, 1, inner,
	    sizeof(inner))) < 0)
		errx(1, "build report");
	memset(&m, 0, sizeof(m));
	m.type = AMT_MEMBERSHIP_UPDATE;
	m.nonce = q->nonce;
	memcpy(m.mac, q->mac, sizeof(m.mac));
	m.inner = inner;
	m.inner_len = (size_t)ilen;
	if ((len = amt_encode(&m, buf, sizeof(buf))) < 0)
		errx(1, "encode Update");
	(void)sendto(g->fd, buf, (size_t)len, 0, (struct sockaddr *)&b->relay,
	    addr_len((struct sockaddr *)&b->relay));
}

static void
gw_datagram(struct bench *b, struct gw *g, const uint8_t *p, size_t len,
    double t)
{
	struct amt_msg	m;

	if (len < 1)
		return;
	if ((p[0] & 0x0f) == AMT_MULTICAST_DATA) {
		if (g->data++ == 0) {
			b->ready++;
			g->next_req = t + b->refresh;
		}
		b->total++;
		return;
	}
	if (b->count_only || len > GW_BUFLEN ||
	    amt_decode(p, len, &m) != AMT_OK ||
	    m.type != AMT_MEMBERSHIP_QUERY || !g->waiting ||
	    m.nonce != g->nonce)
		return;
	b->queries++;
	g->waiting = false;
	g->tries = 0;
	b->outstanding--;
	gw_update(b, g, &m);
	/* until Data flows, an Update lost in a burst is retried soon */
	g->next_req = t + (g->data > 0 ? b->refresh : 2.0);
}

static void
gw_read(struct bench *b, struct gw *g, double t)
{
	struct mmsghdr	msg[GW_BATCH];
	struct iovec	iov[GW_BATCH];
	int		i, r, rounds;

	for (rounds = 0; rounds < 16; rounds++) {
		memset(msg, 0, sizeof(msg));
		for (i = 0; i < GW_BATCH; i++) {
			iov[i].iov_base = b->rbuf[i];
			iov[i].iov_len = GW_BUFLEN;
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
		}
		r = recvmmsg(g->fd, msg, GW_BATCH, MSG_DONTWAIT, NULL);
		if (r <= 0)
			return;
		for (i = 0; i < r; i++)
			gw_datagram(b, g, b->rbuf[i], msg[i].msg_len, t);
		if (r < GW_BATCH)
			return;
	}
}

static void
write_status(const struct bench *b, const char *path)
{
	char	tmp[4096];
	FILE	*fp;

	if (path == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL)
		return;
	fprintf(fp, "ready %u total %llu queries %llu requests %llu\n",
	    b->ready, (unsigned long long)b->total,
	    (unsigned long long)b->queries, (unsigned long long)b->requests);
	fclose(fp);
	rename(tmp, path);
}

static void
run(struct bench *b, int ep, const char *status, double limit)
{
	struct epoll_event	ev[256];
	double			t, t0 = now(), last = 0;
	unsigned		i, sent, cur = 0;
	int			n, k;

	while (!b->stop && (t = now()) - t0 < limit) {
		for (sent = 0, i = 0; !b->count_only && i < b->n &&
		    sent < GW_REQ_BURST; i++, cur = (cur + 1) % b->n) {
			if (b->gw[cur].next_req <= t &&
			    (b->gw[cur].waiting || b->outstanding < GW_OUTSTANDING)) {
				gw_request(b, &b->gw[cur], t);
				sent++;
			}
		}
		n = epoll_wait(ep, ev, 256, sent ? 0 : 20);
		for (k = 0; k < n; k++)
			gw_read(b, &b->gw[ev[k].data.u32], t);
		if (t - last >= 0.2) {
			write_status(b, status);
			last = t;
		}
	}
	write_status(b, status);
}

int
main(int argc, char **argv)
{
	struct bench	 b;
	const char	*status = NULL;
	double		 limit = 600;
	unsigned	 base = 20000, i;
	int		 ch, ep;

	memset(&b, 0, sizeof(b));
	b.n = 1;
	b.refresh = 60;
	b.kgrp = b.ksrc = 1;
	while ((ch = getopt(argc, argv, "r:l:p:n:s:g:o:t:R:ck:K:xE")) != -1) {
		switch (ch) {
		case 'r':
			if (addr_parse(optarg, AMT_PORT, &b.relay) == -1)
				errx(1, "-r %s", optarg);
			break;
		case 'l':
			if (ip_parse(optarg, &b.local) == -1)
				errx(1, "-l %s", optarg);
			break;
		case 'p': base = (unsigned)atoi(optarg); break;
		case 'n': b.n = (unsigned)atoi(optarg); break;
		case 's':
			if (ip_parse(optarg, &b.src) == -1)
				errx(1, "-s %s", optarg);
			break;
		case 'g':
			if (ip_parse(optarg, &b.grp) == -1)
				errx(1, "-g %s", optarg);
			break;
		case 'o': status = optarg; break;
		case 't': limit = atof(optarg); break;
		case 'R': b.refresh = atof(optarg); break;
		case 'c': b.count_only = true; break;
		case 'k': b.kgrp = (unsigned)atoi(optarg); break;
		case 'K': b.ksrc = (unsigned)atoi(optarg); break;
		case 'x': b.exclude = true; break;
		case 'E': b.ecn = true; break;
		default:
			errx(2, "usage: bench-gw -r RELAY -l LOCAL -p PORT "
			    "-n N -s SRC -g GRP [-o FILE] [-t S] [-R S] [-c] [-E]");
		}
	}
	if (b.local.family == 0 || b.n == 0 || base + b.n > 65536 ||
	    b.kgrp == 0 || b.kgrp > 200 || b.ksrc == 0 || b.ksrc > 200 ||
	    (!b.count_only && (b.relay.ss_family == 0 ||
	    b.grp.family == 0 || b.src.family != b.grp.family)))
		errx(2, "missing or inconsistent arguments");
	if (mac_lib_init() == -1)
		errx(1, "libsodium");
	if ((b.gw = calloc(b.n, sizeof(*b.gw))) == NULL)
		err(1, "calloc");
	if ((ep = epoll_create1(0)) == -1)
		err(1, "epoll_create1");
	for (i = 0; i < b.n; i++)
		b.gw[i].fd = gw_open(&b, (uint16_t)(base + i), ep, i);
	bench_sig = &b;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	run(&b, ep, status, limit);
	printf("ports %u ready %u total %llu queries %llu\n", b.n, b.ready,
	    (unsigned long long)b.total, (unsigned long long)b.queries);
	for (i = 0; i < b.n; i++)
		close(b.gw[i].fd);
	free(b.gw);
	return 0;
}
