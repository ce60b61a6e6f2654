/*
 * Per-tunnel IGMPv3 / MLDv2 router state (R8; RFC 7450 5.3.1, 5.3.3.4).
 *
 * The relay is a router whose pseudo-interface to one tunnel has exactly
 * one "host": the gateway, which reports the whole state of its side.  So
 * this is RFC 3376 6.4 / RFC 3810 7.4 with explicit tracking of that one
 * host: the router state of a group IS the gateway's filter state, and a
 * current-state or filter-mode-change record replaces it, as the host
 * tables of RFC 3376 5.1 / RFC 3810 6.1 do.  Source timers and the queries
 * of the router tables are not needed (RFC 7450 5.3.1 lets a relay drop
 * query generation; the tunnel timer of R13 ages the whole state).
 *
 *   state        record        new state        data plane
 *   INCLUDE(X)   IS_IN/TO_IN(A) INCLUDE(A)      +(A-X) -(X-A)
 *   INCLUDE(X)   IS_EX/TO_EX(B) EXCLUDE(B)      +(*,G) -(X)
 *   INCLUDE(X)   ALLOW(A)       INCLUDE(X+A)    +(A-X)
 *   INCLUDE(X)   BLOCK(A)       INCLUDE(X-A)    -(X*A)
 *   EXCLUDE(X)   IS_IN/TO_IN(A) INCLUDE(A)      +(A) -(*,G)
 *   EXCLUDE(X)   IS_EX/TO_EX(B) EXCLUDE(B)      (excludes asked per packet)
 *   EXCLUDE(X)   ALLOW(A)       EXCLUDE(X-A)
 *   EXCLUDE(X)   BLOCK(A)       EXCLUDE(X+A)
 *
 * A group absent is INCLUDE {}; reaching INCLUDE {} deletes the group.
 * IGMPv2 / MLDv1 reports arrive from mcast.c as TO_EX {} (ASM join) and
 * leaves / dones as TO_IN {} (RFC 3376 7.3.2, RFC 3810 8.3.2).
 *
 * Storage: a tunnel's groups are one array sorted by address (binary
 * search per data packet for membership_excludes); a group's sources are
 * one sorted array of 16-byte slots.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "amt/log.h"
#include "relay.h"

#define MODE_INCLUDE	1
#define MODE_EXCLUDE	2

typedef uint8_t	msrc[16];

struct mgroup {
	msrc		 addr;
	int		 family;
	int		 mode;
	unsigned	 nsrc;
	msrc		*src;		/* sorted, unique */
};

/* A group not in the table: INCLUDE {}. */
static const struct mgroup mgroup_none = { .mode = MODE_INCLUDE };

/* A set of sources: sorted, unique. */
struct mset {
	msrc		*v;
	unsigned	 n;
};

static int
msrc_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(msrc));
}

static bool
mset_has(const struct mset *s, const msrc x)
{
	return s->n != 0 && bsearch(x, s->v, s->n, sizeof(msrc),
	    msrc_cmp) != NULL;
}

/* The record's sources as a set (counts were checked by mcast.c, M1). */
static int
mset_from_record(struct mset *s, const struct mcast_record *rec)
{
	size_t		alen = ip_len(rec->group.family);
	unsigned	i, j;

	s->n = 0;
	s->v = NULL;
	if (rec->nsrc == 0)
		return 0;
	if ((s->v = calloc(rec->nsrc, sizeof(msrc))) == NULL)
		return -1;
	for (i = 0; i < rec->nsrc; i++)
		memcpy(s->v[i], rec->srcs + i * alen, alen);
	qsort(s->v, rec->nsrc, sizeof(msrc), msrc_cmp);
	for (i = j = 0; i < rec->nsrc; i++)
		if (j == 0 || msrc_cmp(s->v[j - 1], s->v[i]) != 0)
			memcpy(s->v[j++], s->v[i], sizeof(msrc));
	s->n = j;
	return 0;
}

/*
 * out = a + b (union) when add, else a - b, keeping order.  With
 * inter, out = a * b.  out->v is allocated.
 */
enum mset_op { MSET_UNION, MSET_MINUS, MSET_INTER };

static int
mset_op(struct mset *out, const struct mset *a, const struct mset *b,
    enum mset_op op)
{
	unsigned	i = 0, j = 0, n = 0;
	int		c;

	out->v = NULL;
	out->n = 0;
	if (a->n + b->n == 0)
		return 0;
	if ((out->v = calloc(a->n + b->n, sizeof(msrc))) == NULL)
		return -1;
	while (i < a->n || j < b->n) {
		if (i == a->n)
			c = 1;
		else if (j == b->n)
			c = -1;
		else
			c = msrc_cmp(a->v[i], b->v[j]);
		if (c < 0 && op != MSET_INTER)
			memcpy(out->v[n++], a->v[i], sizeof(msrc));
		else if (c > 0 && op == MSET_UNION)
			memcpy(out->v[n++], b->v[j], sizeof(msrc));
		else if (c == 0 && op != MSET_MINUS)
			memcpy(out->v[n++], a->v[i], sizeof(msrc));
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	out->n = n;
	return 0;
}

static struct mgroup *
mgroups(const struct tunnel *t)
{
	return t->groups;
}

static int
mgroup_cmp(const struct amt_ip *g, const struct mgroup *m)
{
	if (g->family != m->family)
		return g->family < m->family ? -1 : 1;
	return memcmp(g->u.b, m->addr, sizeof(msrc));
}

/* Index of group g, or -(insertion point) - 1. */
static long
mgroup_find(const struct tunnel *t, const struct amt_ip *g)
{
	long	lo = 0, hi = (long)t->ngroups - 1, mid;
	int	c;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		c = mgroup_cmp(g, &mgroups(t)[mid]);
		if (c == 0)
			return mid;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -lo - 1;
}

/* Capacity of the group array holding n groups: a power of two. */
static unsigned
mgroup_cap(unsigned n)
{
	unsigned	cap = 4;

	if (n == 0)
		return 0;
	while (cap < n)
		cap <<= 1;
	return cap;
}

/* A new group in INCLUDE {} at index pos. */
static struct mgroup *
mgroup_insert(struct tunnel *t, unsigned pos, const struct amt_ip *g)
{
	struct mgroup	*v = t->groups, *m;

	if (mgroup_cap(t->ngroups + 1) != mgroup_cap(t->ngroups)) {
		v = reallocarray(v, mgroup_cap(t->ngroups + 1), sizeof(*v));
		if (v == NULL)
			return NULL;
		t->groups = v;
	}
	memmove(&v[pos + 1], &v[pos], (t->ngroups - pos) * sizeof(*v));
	t->ngroups++;
	m = &v[pos];
	memset(m, 0, sizeof(*m));
	memcpy(m->addr, g->u.b, sizeof(m->addr));
	m->family = g->family;
	m->mode = MODE_INCLUDE;
	return m;
}

static void
mgroup_remove(struct tunnel *t, struct mgroup *m)
{
	struct mgroup	*v = t->groups;
	unsigned	 pos = m - v;

	free(m->src);
	memmove(&v[pos], &v[pos + 1], (t->ngroups - pos - 1) * sizeof(*v));
	if (--t->ngroups == 0) {
		free(t->groups);
		t->groups = NULL;
	}
}

static void
mgroup_ip(const struct mgroup *m, const msrc s, struct amt_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = m->family;
	memcpy(ip->u.b, s, ip_len(m->family));
}

/* Tell the data plane about each source of s: added or deleted. */
static void
mship_fwd_sources(struct tunnel *t, const struct mgroup *m,
    const struct mset *s, bool add)
{
	struct amt_ip	src, grp;
	char		buf[INET6_ADDRSTRLEN];
	unsigned	i;

	mgroup_ip(m, m->addr, &grp);
	for (i = 0; i < s->n; i++) {
		mgroup_ip(m, s->v[i], &src);
		if (!add)
			fwd_sg_del(t->rd, &src, &grp, t);
		else if (fwd_sg_add(t->rd, &src, &grp, t) == -1)
			rlog(t->rd, RLOG_LIMIT, LOG_ERR, "forwarding (%s,...) "
			    "refused", ip_str(&src, buf, sizeof(buf)));
	}
}

/* The data plane's view changes from (m's state) to (mode, set). */
static void
mship_fwd(struct tunnel *t, const struct mgroup *m, int mode,
    const struct mset *set)
{
	struct mset	old = { m->src, m->nsrc }, d;
	struct amt_ip	grp;

	mgroup_ip(m, m->addr, &grp);
	if (m->mode == MODE_INCLUDE && mode == MODE_INCLUDE) {
		if (mset_op(&d, set, &old, MSET_MINUS) == 0)
			mship_fwd_sources(t, m, &d, true);
		free(d.v);
		if (mset_op(&d, &old, set, MSET_MINUS) == 0)
			mship_fwd_sources(t, m, &d, false);
		free(d.v);
	} else if (m->mode == MODE_INCLUDE) {
		/* (*,G) first so no packet falls in a gap. */
		if (fwd_g_add(t->rd, &grp, t) == -1)
			rlog(t->rd, RLOG_LIMIT, LOG_ERR,
			    "forwarding (*,G) refused");
		mship_fwd_sources(t, m, &old, false);
	} else if (mode == MODE_INCLUDE) {
		mship_fwd_sources(t, m, set, true);
		fwd_g_del(t->rd, &grp, t);
	}
}

/*
 * What a group costs against --max-sources: its sources, and one more
 * for the (*,G) join of EXCLUDE mode, so that (S,G) and (*,G) flows
 * count alike.
 */
static unsigned
mgroup_cost(int mode, unsigned nsrc)
{
	return nsrc + (mode == MODE_EXCLUDE);
}

/*
 * R14, RFC 7450 5.3.3.8: at the per-tunnel source limit keep what the
 * group had and ignore additions beyond the limit.  An EXCLUDE list
 * cannot be cut that way (a source left out would be forwarded against
 * the gateway's wish, R10), so a group whose EXCLUDE state does not fit
 * is dropped: the tunnel gets nothing of it (exclude-over-limit).
 */
static int
mship_limit(struct tunnel *t, const struct mgroup *m, int *mode,
    struct mset *set)
{
	struct mset	old = { m->src, m->nsrc }, keep, add, tmp;
	unsigned	other, budget;

	other = t->nsources - mgroup_cost(m->mode, m->nsrc);
	budget = t->rd->conf.max_sources > other ?
	    t->rd->conf.max_sources - other : 0;
	if (mgroup_cost(*mode, set->n) <= budget)
		return 0;
	if (*mode == MODE_EXCLUDE) {
		t->rd->stats.exclude_over_limit++;
		rlog(t->rd, RLOG_LIMIT, LOG_INFO, "tunnel over max-sources: "
		    "EXCLUDE group dropped");
		*mode = MODE_INCLUDE;
		set->n = 0;
		return 0;
	}
	t->rd->stats.limit_ignored++;
	if (mset_op(&keep, set, &old, MSET_INTER) == -1)
		return -1;
	if (mset_op(&add, set, &old, MSET_MINUS) == -1) {
		free(keep.v);
		return -1;
	}
	add.n = budget > keep.n ? budget - keep.n : 0;
	if (keep.n > budget)
		keep.n = budget;
	if (mset_op(&tmp, &keep, &add, MSET_UNION) == 0) {
		free(set->v);
		*set = tmp;
	}
	free(keep.v);
	free(add.v);
	return 0;
}

/*
 * policy.c: INCLUDE sources that may not be joined are left out (they
 * cannot be forwarded anyway); EXCLUDE mode (ASM) where sources are
 * restricted becomes INCLUDE {}.  Excluded sources stay as they are:
 * excluding a bogus source costs nothing upstream.
 */
static void
mship_policy(struct tunnel *t, const struct mgroup *m, int *mode,
    struct mset *set)
{
	struct amt_ip	src;
	unsigned	i, n = 0;

	if (*mode == MODE_EXCLUDE) {
		if (!policy_asm_ok(t->rd)) {
			*mode = MODE_INCLUDE;
			set->n = 0;
		}
		return;
	}
	for (i = 0; i < set->n; i++) {
		mgroup_ip(m, set->v[i], &src);
		if (policy_source_ok(t->rd, &src))
			memmove(set->v[n++], set->v[i], sizeof(msrc));
	}
	set->n = n;
}

/* The new state of m after rec (table at the top of this file). */
static int
mship_next(const struct mgroup *m, uint8_t type, const struct mset *a,
    int *mode, struct mset *set)
{
	struct mset	x = { m->src, m->nsrc };

	switch (type) {
	case MCAST_MODE_IS_INCLUDE:
	case MCAST_CHANGE_TO_INCLUDE:
		*mode = MODE_INCLUDE;
		return mset_op(set, a, a, MSET_INTER);
	case MCAST_MODE_IS_EXCLUDE:
	case MCAST_CHANGE_TO_EXCLUDE:
		*mode = MODE_EXCLUDE;
		return mset_op(set, a, a, MSET_INTER);
	case MCAST_ALLOW_NEW_SOURCES:
		*mode = m->mode;
		return mset_op(set, &x, a, m->mode == MODE_INCLUDE ?
		    MSET_UNION : MSET_MINUS);
	case MCAST_BLOCK_OLD_SOURCES:
		*mode = m->mode;
		return mset_op(set, &x, a, m->mode == MODE_INCLUDE ?
		    MSET_MINUS : MSET_UNION);
	}
	return -1;
}

/* Move group m (index pos or new at -pos-1) to (mode, set). */
static int
mship_set(struct tunnel *t, long pos, const struct amt_ip *g, int mode,
    struct mset *set)
{
	struct mgroup	*m;

	if (pos < 0) {
		if (mode == MODE_INCLUDE && set->n == 0)
			return 0;
		/* R14: no new group beyond the limit. */
		if (t->ngroups >= t->rd->conf.max_groups) {
			t->rd->stats.limit_ignored++;
			return 0;
		}
		if ((m = mgroup_insert(t, -pos - 1, g)) == NULL)
			return -1;
	} else
		m = &mgroups(t)[pos];
	mship_policy(t, m, &mode, set);
	if (mship_limit(t, m, &mode, set) == -1)
		return -1;
	mship_fwd(t, m, mode, set);
	t->nsources = t->nsources - mgroup_cost(m->mode, m->nsrc) +
	    mgroup_cost(mode, set->n);
	free(m->src);
	m->src = set->v;
	m->nsrc = set->n;
	m->mode = mode;
	set->v = NULL;
	if (m->mode == MODE_INCLUDE && m->nsrc == 0)
		mgroup_remove(t, m);
	return 0;
}

int
membership_apply(struct tunnel *t, const struct mcast_record *rec)
{
	struct mset			 a, set;
	const struct mgroup		*m;
	long				 pos;
	int				 mode, rc;

	/* policy.c: link-local and other scoped groups never go upstream */
	if (!ip_is_multicast(&rec->group) || !policy_group_ok(t->rd,
	    &rec->group))
		return 0;
	if (mset_from_record(&a, rec) == -1)
		return -1;
	pos = mgroup_find(t, &rec->group);
	m = pos >= 0 ? &mgroups(t)[pos] : &mgroup_none;
	rc = mship_next(m, rec->type, &a, &mode, &set);
	free(a.v);
	if (rc == -1)
		return -1;
	rc = mship_set(t, pos, &rec->group, mode, &set);
	free(set.v);
	return rc;
}

/*
 * Free the state without telling the data plane: the caller takes the
 * tunnel out of every flow at once with fwd_tunnel_gone() (tunnel.c).
 */
void
membership_clear(struct tunnel *t)
{
	unsigned	i;

	for (i = 0; i < t->ngroups; i++)
		free(mgroups(t)[i].src);
	free(t->groups);
	t->groups = NULL;
	t->ngroups = 0;
	t->nsources = 0;
}

/*
 * RFC 7450 5.3.3.4: in EXCLUDE mode, sources in the list are not
 * forwarded.  The arguments are (group, source) as relay.h says; the
 * group is the multicast one, so either order gives the same answer.
 */
bool
membership_excludes(const struct tunnel *t, const struct amt_ip *g,
    const struct amt_ip *s)
{
	const struct amt_ip	*tmp;
	const struct mgroup	*m;
	struct mset		 set;
	msrc			 key;
	long			 pos;

	if (!ip_is_multicast(g)) {
		tmp = g;
		g = s;
		s = tmp;
	}
	if ((pos = mgroup_find(t, g)) < 0)
		return false;
	m = &mgroups(t)[pos];
	if (m->mode != MODE_EXCLUDE)
		return false;
	memset(key, 0, sizeof(key));
	memcpy(key, s->u.b, ip_len(s->family));
	set.v = m->src;
	set.n = m->nsrc;
	return mset_has(&set, key);
}

void
membership_walk(const struct tunnel *t, void (*cb)(const struct amt_ip *,
    const struct amt_ip *, void *), void *arg)
{
	const struct mgroup	*m;
	struct amt_ip		 grp, src;
	unsigned		 i, j;

	for (i = 0; i < t->ngroups; i++) {
		m = &mgroups(t)[i];
		mgroup_ip(m, m->addr, &grp);
		if (m->mode == MODE_EXCLUDE)
			cb(NULL, &grp, arg);
		for (j = 0; m->mode == MODE_INCLUDE && j < m->nsrc; j++) {
			mgroup_ip(m, m->src[j], &src);
			cb(&src, &grp, arg);
		}
	}
}

/* The state file (statefile.c) saves each group as it is. */
void
membership_each(const struct tunnel *t, void (*cb)(const struct amt_ip *,
    bool, const uint8_t *, unsigned, void *), void *arg)
{
	const struct mgroup	*m;
	struct amt_ip		 g;
	unsigned		 i;

	for (i = 0; i < t->ngroups; i++) {
		m = &mgroups(t)[i];
		memset(&g, 0, sizeof(g));
		g.family = m->family;
		memcpy(g.u.b, m->addr, sizeof(m->addr));
		cb(&g, m->mode == MODE_EXCLUDE, m->nsrc ? m->src[0] : NULL,
		    m->nsrc, arg);
	}
}
