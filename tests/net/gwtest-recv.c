/*
 * gwtest-recv: a multicast receiver that joins on one interface (the
 * gateway's tun) and counts what gwtest-send sent, exactly: unique
 * sequence numbers per group, duplicates, gaps.
 *
 * One socket per group, bound to the group address (so that
 * IP_MULTICAST_ALL cannot mix groups) with IP_MULTICAST_ALL off too.
 * With -s the join is source-specific (MCAST_JOIN_SOURCE_GROUP), else
 * any-source (MCAST_JOIN_GROUP).
 *
 * usage: gwtest-recv -g GROUP [-c NGROUPS] [-p PORT] -i IF [-s SOURCE]
 *	      [-n EXPECT] [-w SECONDS] [-o FILE] [-P] [-1] [-E]
 * -n: stop once every group has EXPECT unique packets; -w: stop after
 * SECONDS; -o: keep the summary line in FILE (rewritten every 100 ms);
 * -P: print rate and loss every second; -1: stop at the first packet and
 * report the time from the join to it; -E: count the ECN field of every
 * packet received (IP_RECVTOS, IPV6_RECVTCLASS).  The summary, printed
 * at exit:
 *	received=N unique=N dup=N lost=N groups_seen=N groups_complete=N
 *	first_ms=N first_us=N (join to first packet) last_seq=N bad=N
 *	maxgap=N (the longest run of sequence numbers missing)
 * and with -E: ecn_not_ect=N ecn_ect1=N ecn_ect0=N ecn_ce=N.
 */
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "amt/addr.h"
#include "amt/buf.h"
#include "gwtest-common.h"

#define RECV_MAXGROUPS	256
#define RECV_BITS	(1U << 20)

struct rgroup {
	int		 fd;
	uint8_t		*seen;		/* bitmap of sequence numbers */
	uint64_t	 unique;
	uint64_t	 minseq;
	uint64_t	 maxseq;
	uint64_t	 beyond;	/* numbers past the bitmap */
};

struct receiver {
	struct amt_ip	 group;
	struct amt_ip	 source;
	unsigned	 ngroups;
	uint16_t	 port;
	unsigned	 ifindex;
	uint64_t	 expect;
	unsigned	 seconds;
	const char	*out;
	int		 progress;
	int		 first_only;
	int		 ecn;		/* -E */
	uint64_t	 ecn_count[4];	/* Not-ECT, ECT(1), ECT(0), CE */
	struct rgroup	 g[RECV_MAXGROUPS];
	uint64_t	 received;
	uint64_t	 dup;
	uint64_t	 bad;
	uint64_t	 join_ns;
	uint64_t	 first_ns;
	uint64_t	 last_seq;
};

static int
recv_join(const struct receiver *r, int fd, const struct amt_ip *g)
{
	struct group_source_req	gsr;
	struct group_req	gr;
	int			lvl;

	lvl = g->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	if (r->source.family == 0) {
		memset(&gr, 0, sizeof(gr));
		gr.gr_interface = r->ifindex;
		ip_to_sa(g, 0, &gr.gr_group);
		return (setsockopt(fd, lvl, MCAST_JOIN_GROUP, &gr,
		    sizeof(gr)));
	}
	memset(&gsr, 0, sizeof(gsr));
	gsr.gsr_interface = r->ifindex;
	ip_to_sa(g, 0, &gsr.gsr_group);
	ip_to_sa(&r->source, 0, &gsr.gsr_source);
	return (setsockopt(fd, lvl, MCAST_JOIN_SOURCE_GROUP, &gsr,
	    sizeof(gsr)));
}

static int
recv_open(struct receiver *r, unsigned i)
{
	struct sockaddr_storage	ss;
	struct amt_ip		g;
	int			fd, off = 0, buf = 8 << 20, on = 1;

	gwtest_group(&r->group, i, &g);
	if ((fd = socket(g.family, SOCK_DGRAM, 0)) == -1)
		return (-1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (g.family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof(off));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &off,
		    sizeof(off));
	ip_to_sa(&g, r->port, &ss);
	if (bind(fd, (struct sockaddr *)&ss,
	    addr_len((struct sockaddr *)&ss)) == -1)
		return (-1);
	if (recv_join(r, fd, &g) == -1)
		return (-1);
	if (r->ecn && (g.family == AF_INET ? setsockopt(fd, IPPROTO_IP,
	    IP_RECVTOS, &on, sizeof(on)) : setsockopt(fd, IPPROTO_IPV6,
	    IPV6_RECVTCLASS, &on, sizeof(on))) == -1)
		return (-1);
	r->g[i].fd = fd;
	if ((r->g[i].seen = calloc(RECV_BITS / 8, 1)) == NULL)
		return (-1);
	return (0);
}

/* One datagram of gwtest-send: "GWT1" stream seq(8) sent-at(8) index. */
static void
recv_count(struct receiver *r, struct rgroup *rg, const uint8_t *p,
    size_t len)
{
	struct rbuf	rb;
	uint8_t		magic[4];
	uint32_t	stream, hi, lo;
	uint64_t	seq;

	rbuf_init(&rb, p, len);
	rbuf_get_bytes(&rb, magic, 4);
	rbuf_get_n32(&rb, &stream);
	rbuf_get_n32(&rb, &hi);
	rbuf_get_n32(&rb, &lo);
	if (rb.err || memcmp(magic, "GWT1", 4) != 0) {
		r->bad++;
		return;
	}
	seq = (uint64_t)hi << 32 | lo;
	if (r->received++ == 0)
		r->first_ns = gwtest_now();
	r->last_seq = seq;
	if (seq >= RECV_BITS) {
		rg->beyond++;
		rg->unique++;
	} else if (rg->seen[seq / 8] & (1U << (seq % 8))) {
		r->dup++;
		return;
	} else {
		rg->seen[seq / 8] |= 1U << (seq % 8);
		rg->unique++;
	}
	if (seq > rg->maxseq || rg->unique == 1)
		rg->maxseq = seq;
	if (seq < rg->minseq || rg->unique == 1)
		rg->minseq = seq;
}

/* The ECN field of a received datagram, from its TOS / TCLASS cmsg. */
static void
recv_ecn(struct receiver *r, struct msghdr *mh)
{
	struct cmsghdr	*cm;
	uint8_t		 tos;
	int		 tc;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TOS) {
			memcpy(&tos, CMSG_DATA(cm), 1);
			r->ecn_count[tos & 3]++;
			return;
		}
		if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_TCLASS) {
			memcpy(&tc, CMSG_DATA(cm), sizeof(tc));
			r->ecn_count[tc & 3]++;
			return;
		}
	}
}

static void
recv_drain(struct receiver *r, struct rgroup *rg)
{
	uint8_t		buf[65536];
	char		ctl[CMSG_SPACE(sizeof(int))];
	struct iovec	iov;
	struct msghdr	mh;
	ssize_t		n;
	int		i;

	for (i = 0; i < 256; i++) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		n = recvmsg(rg->fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			return;
		if (r->ecn)
			recv_ecn(r, &mh);
		recv_count(r, rg, buf, (size_t)n);
	}
}

/*
 * Packets missing in a group: with -n, every number from 0 to EXPECT-1
 * was due; without, the gaps between the lowest and the highest seen (a
 * receiver that joins a running stream misses its start by design).
 */
static uint64_t
recv_lost(const struct receiver *r, const struct rgroup *rg)
{
	uint64_t	top;

	if (r->expect == 0)
		return (rg->unique ? rg->maxseq - rg->minseq + 1 - rg->unique :
		    0);
	top = rg->unique && rg->maxseq >= r->expect ? rg->maxseq + 1 :
	    r->expect;
	return (top > rg->unique ? top - rg->unique : 0);
}

/* The longest run of numbers missing between the lowest and highest. */
static uint64_t
recv_maxgap(const struct rgroup *rg)
{
	uint64_t	seq, run = 0, best = 0, top;

	if (rg->unique == 0)
		return 0;
	top = rg->maxseq < RECV_BITS ? rg->maxseq : RECV_BITS - 1;
	for (seq = rg->minseq; seq <= top; seq++) {
		if (rg->seen[seq / 8] & (1U << (seq % 8)))
			run = 0;
		else if (++run > best)
			best = run;
	}
	return best;
}

/* Totals over the groups. */
static void
recv_summary(const struct receiver *r, char *line, size_t len)
{
	uint64_t	unique = 0, lost = 0, first_us = 0, gap = 0;
	unsigned	i, seen = 0, complete = 0;

	for (i = 0; i < r->ngroups; i++) {
		const struct rgroup *rg = &r->g[i];

		if (recv_maxgap(rg) > gap)
			gap = recv_maxgap(rg);
		unique += rg->unique;
		lost += recv_lost(r, rg);
		if (rg->unique > 0)
			seen++;
		if (r->expect != 0 && rg->unique >= r->expect)
			complete++;
	}
	if (r->received > 0)
		first_us = (r->first_ns - r->join_ns) / 1000ULL;
	snprintf(line, len, "received=%llu unique=%llu dup=%llu lost=%llu "
	    "groups_seen=%u groups_complete=%u first_ms=%llu first_us=%llu "
	    "last_seq=%llu bad=%llu maxgap=%llu\n",
	    (unsigned long long)r->received,
	    (unsigned long long)unique, (unsigned long long)r->dup,
	    (unsigned long long)lost, seen, complete,
	    (unsigned long long)(first_us / 1000),
	    (unsigned long long)first_us, (unsigned long long)r->last_seq,
	    (unsigned long long)r->bad, (unsigned long long)gap);
	if (r->ecn && strlen(line) > 0 && strlen(line) < len) {
		line[strlen(line) - 1] = '\0';
		snprintf(line + strlen(line), len - strlen(line),
		    " ecn_not_ect=%llu ecn_ect1=%llu ecn_ect0=%llu "
		    "ecn_ce=%llu\n", (unsigned long long)r->ecn_count[0],
		    (unsigned long long)r->ecn_count[1],
		    (unsigned long long)r->ecn_count[2],
		    (unsigned long long)r->ecn_count[3]);
	}
}

static void
recv_write(const struct receiver *r)
{
	char	line[512], tmp[4096];
	FILE	*f;

	recv_summary(r, line, sizeof(line));
	snprintf(tmp, sizeof(tmp), "%s.tmp", r->out);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fputs(line, f);
	fclose(f);
	rename(tmp, r->out);
}

static int
recv_done(const struct receiver *r)
{
	unsigned	i;

	if (r->first_only && r->received > 0)
		return (1);
	if (r->expect == 0)
		return (0);
	for (i = 0; i < r->ngroups; i++)
		if (r->g[i].unique < r->expect)
			return (0);
	return (1);
}

static void
recv_progress(const struct receiver *r, uint64_t *last_rx, unsigned t)
{
	uint64_t	unique = 0, lost = 0;
	unsigned	i;

	for (i = 0; i < r->ngroups; i++) {
		unique += r->g[i].unique;
		if (r->g[i].unique > 0)
			lost += r->g[i].maxseq - r->g[i].minseq + 1 -
			    r->g[i].unique;
	}
	printf("t=%2us  rate=%6llu pkt/s  received=%llu  lost=%llu\n", t,
	    (unsigned long long)(r->received - *last_rx),
	    (unsigned long long)unique, (unsigned long long)lost);
	fflush(stdout);
	*last_rx = r->received;
}

static void
recv_loop(struct receiver *r)
{
	struct pollfd	pfd[RECV_MAXGROUPS];
	uint64_t	start = gwtest_now(), tick = start, last_rx = 0, now;
	unsigned	i, sec = 0;

	for (i = 0; i < r->ngroups; i++) {
		pfd[i].fd = r->g[i].fd;
		pfd[i].events = POLLIN;
	}
	while (!gwtest_stopped() && !recv_done(r)) {
		if (poll(pfd, r->ngroups, 100) > 0)
			for (i = 0; i < r->ngroups; i++)
				if (pfd[i].revents & POLLIN)
					recv_drain(r, &r->g[i]);
		now = gwtest_now();
		if (r->seconds != 0 &&
		    now - start >= r->seconds * 1000000000ULL)
			break;
		if (now - tick >= 100000000ULL) {
			tick = now;
			if (r->out != NULL)
				recv_write(r);
		}
		if (r->progress && now - start >= (sec + 1) * 1000000000ULL)
			recv_progress(r, &last_rx, ++sec);
	}
}

static void
recv_usage(void)
{
	fprintf(stderr, "usage: gwtest-recv -g GROUP [-c NGROUPS] [-p PORT] "
	    "-i IF [-s SOURCE] [-n EXPECT] [-w SECONDS] [-o FILE] [-P] "
	    "[-1] [-E]\n");
	exit(2);
}

static void
recv_args(struct receiver *r, int argc, char **argv)
{
	int	ch;

	while ((ch = getopt(argc, argv, "1c:Eg:i:n:o:p:Ps:w:")) != -1) {
		switch (ch) {
		case '1': r->first_only = 1; break;
		case 'c': r->ngroups = strtoul(optarg, NULL, 10); break;
		case 'E': r->ecn = 1; break;
		case 'g': if (ip_parse(optarg, &r->group) == -1) recv_usage();
			break;
		case 'i': r->ifindex = if_nametoindex(optarg); break;
		case 'n': r->expect = strtoull(optarg, NULL, 10); break;
		case 'o': r->out = optarg; break;
		case 'p': r->port = (uint16_t)strtoul(optarg, NULL, 10); break;
		case 'P': r->progress = 1; break;
		case 's': if (ip_parse(optarg, &r->source) == -1) recv_usage();
			break;
		case 'w': r->seconds = strtoul(optarg, NULL, 10); break;
		default: recv_usage();
		}
	}
	if (r->group.family == 0 || r->ifindex == 0 || r->ngroups == 0 ||
	    r->ngroups > RECV_MAXGROUPS || (r->source.family != 0 &&
	    r->source.family != r->group.family))
		recv_usage();
}

static void
recv_free(struct receiver *r)
{
	unsigned	i;

	for (i = 0; i < r->ngroups; i++) {
		if (r->g[i].fd > 0)
			close(r->g[i].fd);
		free(r->g[i].seen);
	}
	free(r);
}

int
main(int argc, char **argv)
{
	struct receiver	*r;
	char		 line[512];
	unsigned	 i;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return (1);
	r->ngroups = 1;
	r->port = 5000;
	recv_args(r, argc, argv);
	gwtest_signals();
	r->join_ns = gwtest_now();
	for (i = 0; i < r->ngroups; i++)
		if (recv_open(r, i) == -1) {
			perror("gwtest-recv: join");
			return (1);
		}
	if (r->out != NULL)
		recv_write(r);
	recv_loop(r);
	if (r->out != NULL)
		recv_write(r);
	recv_summary(r, line, sizeof(line));
	fputs(line, stdout);
	recv_free(r);
	return (0);
}
