/*
 * Host joins on the upstream interface (R9; RFC 7450 5.3.1): the
 * relay is a host there and asks for each (S,G) with
 * MCAST_JOIN_SOURCE_GROUP and each (*,G) with MCAST_JOIN_GROUP.  The
 * kernel limits joins per socket (net.ipv4.igmp_max_memberships groups,
 * net.ipv4.igmp_max_msf / net.ipv6.mld_max_msf sources per group), so the
 * joins are spread over a pool of sockets, each join placed on a socket
 * with room.  These sockets never read: they are not bound to any port,
 * receive nothing, and the data comes through capture.c.
 *
 * Bounded work, whatever gateways ask: a join is placed in O(1) (for
 * an (S,G), the socket last seen with room for more sources of G, so
 * that one group's sources share few sockets; else the socket being
 * filled, else one that a leave gave room to, else a new one), so that N
 * joins cost O(N) and no socket's list grows beyond the kernel's
 * per-socket limits; a socket leaves the pool in O(1).  Packing sources
 * matters at close: the kernel's work to drop a socket's membership
 * grows with the sources of the group, and each close takes its routing
 * lock, so 50,000 (S,G) of 250 groups on 250 full sockets close about
 * ten times faster than on 2,500 sockets of one source per group.  The
 * number of joins is capped (max-upstream-groups, limits.c sizes it)
 * and so is the number of sockets (the descriptor limit, less a
 * reserve); a join over either cap, or refused by the kernel for lack of
 * memory or descriptors, fails here and forward.c retries it later.
 * Leaves are queued and made from the loop in slices (RELAY_SLICE_US):
 * a teardown or expiry of many tunnels with thousands of flows costs
 * the loop nothing at once; a flow joined again while its leave waits
 * just stays joined.
 * Shutdown closes the sockets, which leaves every group at once (R16).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "amt/log.h"
#include "relay.h"

#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL	29
#endif

#define UP_V6_GROUPS	64	/* no sysctl; socket option memory bounds it */
#define UP_JHASH	16384	/* joins hashed: chains of a few at 50,000 */
#define UP_GHINT	4096	/* group -> a socket with room for sources */

/* One group as joined on one socket. */
struct up_group {
	struct amt_ip	 g;
	unsigned	 nsrc;		/* (S,G) joins on this socket */
	bool		 any;		/* joined as (*,G) */
};

struct up_sock {
	int		 fd;
	int		 family;
	unsigned	 idx;		/* in upstream.socks */
	bool		 roomy;		/* on the family's list of room */
	struct up_sock	*next_roomy;
	unsigned	 max_groups;	/* lowered when the kernel says ENOBUFS */
	unsigned	 max_srcs;
	struct up_group	*groups;
	unsigned	 ngroups;
	unsigned	 cap;
};

/* One flow joined: which socket holds it. */
struct up_join {
	struct amt_ip	 s;		/* AF_UNSPEC: (*,G) */
	struct amt_ip	 g;
	struct up_sock	*sk;
	struct up_join	*next;
	bool		 leaving;	/* on the leave queue */
	TAILQ_ENTRY(up_join) lentry;
};

struct upstream {
	unsigned	 ifindex;
	unsigned	 max_groups[2];	/* [0] IPv4, [1] IPv6 */
	unsigned	 max_srcs[2];
	struct up_sock	**socks;
	unsigned	 nsocks;
	unsigned	 cap;
	unsigned	 max_socks;	/* descriptors the pool may hold */
	struct up_sock	*cur[2];	/* being filled, per family */
	struct up_sock	*roomy[2];	/* given room by a leave */
	struct up_join	*jhash[UP_JHASH];
	struct up_sock	*ghint[UP_GHINT];	/* a hint: checked before use */
	unsigned	 njoins;	/* with the leaves still queued */
	TAILQ_HEAD(, up_join) leaveq;
	struct event	 leave_ev;
	struct relayd	*rd;
};

static unsigned
up_sysctl(const char *path, unsigned def)
{
	FILE		*fp;
	unsigned	 v;

	if ((fp = fopen(path, "r")) == NULL)
		return def;
	if (fscanf(fp, "%u", &v) != 1 || v == 0)
		v = def;
	fclose(fp);
	return v;
}

static unsigned
up_jhash(const struct amt_ip *s, const struct amt_ip *g)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < ip_len(s->family); i++)
		h = (h ^ s->u.b[i]) * 16777619u;
	for (i = 0; i < ip_len(g->family); i++)
		h = (h ^ g->u.b[i]) * 16777619u;
	return h % UP_JHASH;
}

static unsigned
up_ghash(const struct amt_ip *g)
{
	struct amt_ip	none;

	memset(&none, 0, sizeof(none));
	return up_jhash(&none, g) % UP_GHINT;
}

static struct up_group *
up_group_find(struct up_sock *sk, const struct amt_ip *g)
{
	unsigned	i;

	for (i = 0; i < sk->ngroups; i++)
		if (ip_eq(&sk->groups[i].g, g))
			return &sk->groups[i];
	return NULL;
}

/* Has sk room for this join?  Never mix (*,G) and (S,G) of one group. */
static bool
up_sock_fits(struct up_sock *sk, const struct amt_ip *s,
    const struct amt_ip *g)
{
	struct up_group	*gr;

	if (sk->family != g->family)
		return false;
	if ((gr = up_group_find(sk, g)) == NULL)
		return sk->ngroups < sk->max_groups;
	if (s == NULL || gr->any)
		return false;
	return gr->nsrc < sk->max_srcs;
}

static struct up_sock *
up_sock_new(struct upstream *up, int family)
{
	struct up_sock	*sk, **p;
	int		 zero = 0, small = 256, k = family == AF_INET6;

	if (up->nsocks == up->cap) {
		if ((p = reallocarray(up->socks, up->cap ? up->cap * 2 : 8,
		    sizeof(*p))) == NULL)
			return NULL;
		up->socks = p;
		up->cap = up->cap ? up->cap * 2 : 8;
	}
	if (up->nsocks >= up->max_socks) {
		errno = EMFILE;			/* kept for the rest */
		return NULL;
	}
	if ((sk = calloc(1, sizeof(*sk))) == NULL)
		return NULL;
	if ((sk->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		free(sk);
		return NULL;
	}
	/* It never binds a port, so nothing is delivered to it; still. */
	(void)setsockopt(sk->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (family == AF_INET)
		(void)setsockopt(sk->fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero,
		    sizeof(zero));
	else
		(void)setsockopt(sk->fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL,
		    &zero, sizeof(zero));
	sk->family = family;
	sk->max_groups = up->max_groups[k];
	sk->max_srcs = up->max_srcs[k];
	sk->idx = up->nsocks;
	up->socks[up->nsocks++] = sk;
	return sk;
}

static void
up_sock_close(struct upstream *up, struct up_sock *sk)
{
	struct up_sock	**pp;
	int		  k = sk->family == AF_INET6;
	unsigned	  i;

	up->socks[sk->idx] = up->socks[--up->nsocks];
	up->socks[sk->idx]->idx = sk->idx;
	if (up->cur[k] == sk)
		up->cur[k] = NULL;
	for (i = 0; i < sk->ngroups; i++)
		if (up->ghint[up_ghash(&sk->groups[i].g)] == sk)
			up->ghint[up_ghash(&sk->groups[i].g)] = NULL;
	/* Rare (a socket empties while on the list): a walk is fine. */
	for (pp = &up->roomy[k]; sk->roomy && *pp != NULL;
	    pp = &(*pp)->next_roomy)
		if (*pp == sk) {
			*pp = sk->next_roomy;
			break;
		}
	close(sk->fd);
	free(sk->groups);
	free(sk);
}

/* MCAST_{JOIN,LEAVE}_{SOURCE_,}GROUP on sk. */
static int
up_sockopt(struct upstream *up, struct up_sock *sk, const struct amt_ip *s,
    const struct amt_ip *g, bool join)
{
	struct group_source_req	gsr;
	struct group_req	gr;
	int			level, opt;

	level = sk->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	memset(&gsr, 0, sizeof(gsr));
	memset(&gr, 0, sizeof(gr));
	if (s == NULL) {
		gr.gr_interface = up->ifindex;
		ip_to_sa(g, 0, &gr.gr_group);
		opt = join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP;
		return setsockopt(sk->fd, level, opt, &gr, sizeof(gr));
	}
	gsr.gsr_interface = up->ifindex;
	ip_to_sa(g, 0, &gsr.gsr_group);
	ip_to_sa(s, 0, &gsr.gsr_source);
	opt = join ? MCAST_JOIN_SOURCE_GROUP : MCAST_LEAVE_SOURCE_GROUP;
	return setsockopt(sk->fd, level, opt, &gsr, sizeof(gsr));
}

static int
up_account(struct up_sock *sk, const struct amt_ip *s,
    const struct amt_ip *g)
{
	struct up_group	*gr, *p;

	if ((gr = up_group_find(sk, g)) == NULL) {
		if (sk->ngroups == sk->cap) {
			if ((p = reallocarray(sk->groups, sk->cap ?
			    sk->cap * 2 : 4, sizeof(*p))) == NULL)
				return -1;
			sk->groups = p;
			sk->cap = sk->cap ? sk->cap * 2 : 4;
		}
		gr = &sk->groups[sk->ngroups++];
		memset(gr, 0, sizeof(*gr));
		gr->g = *g;
	}
	if (s == NULL)
		gr->any = true;
	else
		gr->nsrc++;
	return 0;
}

/* Try sk; on ENOBUFS/ENOMEM lower its limits so it is not tried again. */
static int
up_try(struct upstream *up, struct up_sock *sk, const struct amt_ip *s,
    const struct amt_ip *g)
{
	struct up_group	*gr;

	if (up_sockopt(up, sk, s, g, true) == 0) {
		if (up_account(sk, s, g) == 0)
			return 0;
		(void)up_sockopt(up, sk, s, g, false);
		return -1;
	}
	if (errno != ENOBUFS && errno != ENOMEM)
		return -2;			/* not a matter of room */
	if ((gr = up_group_find(sk, g)) != NULL)
		sk->max_srcs = gr->nsrc;
	else
		sk->max_groups = sk->ngroups;
	return -1;
}

/* A socket that may take the join: the current one, else one with room. */
static struct up_sock *
up_candidate(struct upstream *up, const struct amt_ip *s,
    const struct amt_ip *g)
{
	struct up_sock	*sk;
	int		 k = g->family == AF_INET6;

	sk = up->ghint[up_ghash(g)];
	if (s != NULL && sk != NULL && up_sock_fits(sk, s, g))
		return sk;
	if (up->cur[k] != NULL && up_sock_fits(up->cur[k], s, g))
		return up->cur[k];
	/* A socket that does not fit this join leaves the list until its
	 * next leave: each is looked at O(1) times per leave. */
	while ((sk = up->roomy[k]) != NULL) {
		up->roomy[k] = sk->next_roomy;
		sk->roomy = false;
		if (up_sock_fits(sk, s, g))
			return sk;
	}
	if ((sk = up_sock_new(up, g->family)) != NULL)
		up->cur[k] = sk;
	return sk;
}

static struct up_sock *
up_place(struct upstream *up, const struct amt_ip *s, const struct amt_ip *g)
{
	struct up_sock	*sk;
	unsigned	 tries;
	int		 r;

	for (tries = 0; tries < 4; tries++) {
		if ((sk = up_candidate(up, s, g)) == NULL)
			return NULL;
		if ((r = up_try(up, sk, s, g)) == 0) {
			if (s != NULL)
				up->ghint[up_ghash(g)] = sk;
			return sk;
		}
		if (sk->ngroups == 0)
			up_sock_close(up, sk);
		else if (sk == up->cur[g->family == AF_INET6])
			up->cur[g->family == AF_INET6] = NULL;
		if (r == -2)
			return NULL;
	}
	errno = ENOBUFS;
	return NULL;
}

static struct up_join *
up_join_find(struct upstream *up, const struct amt_ip *s,
    const struct amt_ip *g, struct up_join ***prevp)
{
	struct up_join	**pp, *j;
	struct amt_ip	  none;

	memset(&none, 0, sizeof(none));
	if (s == NULL)
		s = &none;
	pp = &up->jhash[up_jhash(s, g)];
	for (; (j = *pp) != NULL; pp = &j->next) {
		if (ip_eq(&j->s, s) && ip_eq(&j->g, g)) {
			if (prevp != NULL)
				*prevp = pp;
			return j;
		}
	}
	return NULL;
}

/*
 * Join (S,G), or (*,G) when s is NULL, on the upstream interface: 0,
 * UPSTREAM_FULL past max-upstream-groups, or -1 (the kernel refused,
 * no descriptor or memory; logged, rate-limited).
 */
int
upstream_join(struct relayd *rd, const struct amt_ip *s,
    const struct amt_ip *g)
{
	struct upstream	*up = rd->up;
	struct up_join	*j;
	char		 sb[INET6_ADDRSTRLEN], gb[INET6_ADDRSTRLEN];

	if (up == NULL || !ip_is_multicast(g) ||
	    (s != NULL && s->family != g->family))
		return -1;
	if ((j = up_join_find(up, s, g, NULL)) != NULL) {
		if (j->leaving) {		/* wanted again: stays */
			TAILQ_REMOVE(&up->leaveq, j, lentry);
			j->leaving = false;
		}
		return 0;
	}
	if (up->njoins >= rd->max_upstream)
		return UPSTREAM_FULL;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	if ((j->sk = up_place(up, s, g)) == NULL) {
		log_limited(&rd->rlog[RLOG_UPSTREAM], LOG_ERR, errno,
		    "upstream join (%s,%s) on %s, will retry", s ? ip_str(s,
		    sb, sizeof(sb)) : "*", ip_str(g, gb, sizeof(gb)),
		    rd->conf.upstream_if);
		free(j);
		return -1;
	}
	if (s != NULL)
		j->s = *s;
	j->g = *g;
	j->next = up->jhash[up_jhash(&j->s, g)];
	up->jhash[up_jhash(&j->s, g)] = j;
	up->njoins++;
	log_debug("upstream join (%s,%s) on socket %d", s ? ip_str(s, sb,
	    sizeof(sb)) : "*", ip_str(g, gb, sizeof(gb)), j->sk->fd);
	return 0;
}

static void
up_unjoin(struct relayd *rd, struct upstream *up, struct up_join *j)
{
	struct up_sock	*sk = j->sk;
	struct up_group	*gr;
	const struct amt_ip *s = j->s.family == AF_UNSPEC ? NULL : &j->s;
	int		 k = sk->family == AF_INET6;

	if (up_sockopt(up, sk, s, &j->g, false) == -1)
		log_limited(&rd->rlog[RLOG_UPSTREAM], LOG_ERR, errno,
		    "upstream leave");
	if ((gr = up_group_find(sk, &j->g)) != NULL) {
		if (s == NULL)
			gr->any = false;
		else if (gr->nsrc > 0)
			gr->nsrc--;
		/* A hint names a socket that holds a group of its slot,
		 * so that no hint outlives its socket. */
		if (!gr->any && gr->nsrc == 0) {
			if (up->ghint[up_ghash(&j->g)] == sk)
				up->ghint[up_ghash(&j->g)] = NULL;
			*gr = sk->groups[--sk->ngroups];
		} else if (s != NULL)
			up->ghint[up_ghash(&j->g)] = sk;
	}
	up->njoins--;
	if (sk->ngroups == 0)
		up_sock_close(up, sk);
	else if (!sk->roomy && sk != up->cur[k]) {
		sk->roomy = true;
		sk->next_roomy = up->roomy[k];
		up->roomy[k] = sk;
	}
}

/* One slice of the leave queue. */
static void
up_leave_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct upstream	 *up = arg;
	struct up_join	 *j, **pp;
	uint64_t	  start = clock_mono_us();

	while ((j = TAILQ_FIRST(&up->leaveq)) != NULL) {
		if (relay_slice_over(start)) {
			relay_slice_next(&up->leave_ev);
			return;
		}
		TAILQ_REMOVE(&up->leaveq, j, lentry);
		for (pp = &up->jhash[up_jhash(&j->s, &j->g)]; *pp != j;
		    pp = &(*pp)->next)
			;
		*pp = j->next;
		up_unjoin(up->rd, up, j);
		free(j);
	}
}

/* Leave (S,G), or (*,G) when s is NULL: queued, made in a later slice. */
void
upstream_leave(struct relayd *rd, const struct amt_ip *s,
    const struct amt_ip *g)
{
	struct upstream	 *up = rd->up;
	struct up_join	 *j;

	if (up == NULL || (j = up_join_find(up, s, g, NULL)) == NULL ||
	    j->leaving)
		return;
	j->leaving = true;
	TAILQ_INSERT_TAIL(&up->leaveq, j, lentry);
	relay_slice_next(&up->leave_ev);
}

int
upstream_start(struct relayd *rd)
{
	struct upstream	*up;

	if ((up = calloc(1, sizeof(*up))) == NULL)
		return -1;
	if ((up->ifindex = if_nametoindex(rd->conf.upstream_if)) == 0) {
		log_warn("upstream interface \"%s\"", rd->conf.upstream_if);
		free(up);
		return -1;
	}
	up->max_groups[0] = up_sysctl(
	    "/proc/sys/net/ipv4/igmp_max_memberships", 20);
	up->max_srcs[0] = up_sysctl("/proc/sys/net/ipv4/igmp_max_msf", 10);
	up->max_groups[1] = UP_V6_GROUPS;
	up->max_srcs[1] = up_sysctl("/proc/sys/net/ipv6/mld_max_msf", 64);
	up->max_socks = rd->max_upstream_socks;
	up->rd = rd;
	TAILQ_INIT(&up->leaveq);
	evtimer_assign(&up->leave_ev, rd->base, up_leave_cb, up);
	rd->up = up;
	return 0;
}

/*
 * R16: leave every group, close every socket.  Closing a socket leaves
 * its groups in the kernel (one report per group changed), so the
 * joins are only freed here: 50,000 of them take well under a second.
 */
void
upstream_stop(struct relayd *rd)
{
	struct upstream	*up = rd->up;
	struct up_join	*j;
	unsigned	 i;

	if (up == NULL)
		return;
	evtimer_del(&up->leave_ev);
	while (up->nsocks > 0)
		up_sock_close(up, up->socks[up->nsocks - 1]);
	for (i = 0; i < UP_JHASH; i++) {
		while ((j = up->jhash[i]) != NULL) {
			up->jhash[i] = j->next;
			free(j);
		}
	}
	free(up->socks);
	free(up);
	rd->up = NULL;
}

/* Joins in place now (show stats, /metrics). */
unsigned
upstream_count(const struct relayd *rd)
{
	return rd->up != NULL ? rd->up->njoins : 0;
}
