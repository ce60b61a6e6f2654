/*
 * Local membership database: the per-group filter mode and source list of
 * the host stack on the tun, as its IGMPv3/MLDv2 reports describe it
 * (RFC 3376 3.2, RFC 3810 4.2: the interface state).  A group in INCLUDE
 * mode with no sources is no membership; it is kept only while its
 * state-change retransmissions are pending.  Groups are kept in a list
 * (in the order joined, for reports) and in a hash index: the data path
 * looks up the group of every packet it delivers (lmdb_permits).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "amt/mcast.h"
#include "gateway.h"

void
lmdb_init(struct lmdb *db)
{
	size_t	i;

	TAILQ_INIT(&db->groups);
	for (i = 0; i < LMDB_BUCKETS; i++)
		LIST_INIT(&db->index[i]);
	db->ngroups = 0;
}

/* FNV-1a over the group address, folded to a bucket. */
static struct lgroup_bucket *
lmdb_bucket(struct lmdb *db, const struct amt_ip *group)
{
	size_t		len = ip_len(group->family), i;
	uint32_t	h = 2166136261u;

	for (i = 0; i < len; i++)
		h = (h ^ group->u.b[i]) * 16777619u;
	return &db->index[(h ^ (h >> 16)) & (LMDB_BUCKETS - 1)];
}

static void
lgroup_free(struct lmdb *db, struct lgroup *g)
{
	TAILQ_REMOVE(&db->groups, g, entry);
	LIST_REMOVE(g, hentry);
	db->ngroups--;
	free(g->srcs);
	free(g);
}

void
lmdb_clear(struct lmdb *db)
{
	struct lgroup	*g;

	while ((g = TAILQ_FIRST(&db->groups)) != NULL)
		lgroup_free(db, g);
}

/* Drop INCLUDE {} groups that have nothing left to retransmit. */
void
lmdb_prune(struct lmdb *db)
{
	struct lgroup	*g, *next;

	for (g = TAILQ_FIRST(&db->groups); g != NULL; g = next) {
		next = TAILQ_NEXT(g, entry);
		if (!lgroup_active(g) && g->rexmit == 0)
			lgroup_free(db, g);
	}
}

/* One repeat of the state changes went (G6): true if more are left. */
bool
lmdb_rexmit_done(struct lmdb *db)
{
	struct lgroup	*g;
	bool		 more = false;

	TAILQ_FOREACH(g, &db->groups, entry) {
		if (g->rexmit > 0 && --g->rexmit > 0)
			more = true;
	}
	return more;
}

bool
lgroup_active(const struct lgroup *g)
{
	return g->mode == LM_EXCLUDE || g->nsrc > 0;
}

struct lgroup *
lmdb_find(struct lmdb *db, const struct amt_ip *group)
{
	struct lgroup	*g;

	LIST_FOREACH(g, lmdb_bucket(db, group), hentry) {
		if (ip_eq(&g->group, group))
			return g;
	}
	return NULL;
}

static struct lgroup *
lmdb_get(struct lmdb *db, const struct amt_ip *group)
{
	struct lgroup	*g;

	if ((g = lmdb_find(db, group)) != NULL)
		return g;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->group = *group;
	g->mode = LM_INCLUDE;
	TAILQ_INSERT_TAIL(&db->groups, g, entry);
	LIST_INSERT_HEAD(lmdb_bucket(db, group), g, hentry);
	db->ngroups++;
	return g;
}

static ssize_t
lgroup_src_index(const struct lgroup *g, const struct amt_ip *s)
{
	size_t	i;

	for (i = 0; i < g->nsrc; i++) {
		if (ip_eq(&g->srcs[i], s))
			return (ssize_t)i;
	}
	return -1;
}

/*
 * RFC 7450 6.2, G12: may Data from src to group reach the host?  The
 * group must be joined on the tun and src allowed by its filter (RFC
 * 3376 3.2, RFC 3810 4.2: in an INCLUDE list, or not in an EXCLUDE
 * list).  Returns 0, or the GD_* reason for a drop.
 */
int
lmdb_permits(struct lmdb *db, const struct amt_ip *group,
    const struct amt_ip *src)
{
	struct lgroup	*g;
	bool		 listed;

	if ((g = lmdb_find(db, group)) == NULL || !lgroup_active(g))
		return GD_NOT_JOINED;
	listed = lgroup_src_index(g, src) >= 0;
	if (listed != (g->mode == LM_INCLUDE))
		return GD_SOURCE_EXCLUDED;
	return 0;
}

static bool
lgroup_src_add(struct lgroup *g, const struct amt_ip *s)
{
	struct amt_ip	*n;
	size_t		 cap;

	if (lgroup_src_index(g, s) >= 0)
		return false;
	if (g->nsrc == g->cap) {
		cap = g->cap ? g->cap * 2 : 4;
		if ((n = reallocarray(g->srcs, cap, sizeof(*n))) == NULL)
			return false;
		g->srcs = n;
		g->cap = cap;
	}
	g->srcs[g->nsrc++] = *s;
	return true;
}

static bool
lgroup_src_del(struct lgroup *g, const struct amt_ip *s)
{
	ssize_t	i;

	if ((i = lgroup_src_index(g, s)) < 0)
		return false;
	g->srcs[i] = g->srcs[--g->nsrc];
	return true;
}

static void
rec_src(const struct mcast_record *r, size_t i, struct amt_ip *s)
{
	size_t	len = ip_len(r->group.family);

	memset(s, 0, sizeof(*s));
	s->family = r->group.family;
	memcpy(s->u.b, r->srcs + i * len, len);
}

/* Replace the source list by the record's; true if it differs. */
static bool
lgroup_set(struct lgroup *g, enum lm_mode mode, const struct mcast_record *r)
{
	struct amt_ip	 s;
	bool		 changed = (g->mode != mode || g->nsrc != r->nsrc);
	size_t		 i;

	for (i = 0; i < r->nsrc && !changed; i++) {
		rec_src(r, i, &s);
		if (lgroup_src_index(g, &s) < 0)
			changed = true;
	}
	g->mode = mode;
	g->nsrc = 0;
	for (i = 0; i < r->nsrc; i++) {
		rec_src(r, i, &s);
		lgroup_src_add(g, &s);
	}
	return changed;
}

static bool
lgroup_merge(struct lgroup *g, const struct mcast_record *r, bool add)
{
	struct amt_ip	 s;
	bool		 changed = false;
	size_t		 i;

	for (i = 0; i < r->nsrc; i++) {
		rec_src(r, i, &s);
		if (add)
			changed |= lgroup_src_add(g, &s);
		else
			changed |= lgroup_src_del(g, &s);
	}
	return changed;
}

/*
 * A host's record read as the new interface state (RFC 3376 5.1, RFC 3810
 * 6.1): IS_IN/TO_IN (S) -> INCLUDE (S); IS_EX/TO_EX (S) -> EXCLUDE (S);
 * ALLOW adds to an include list or removes from an exclude list; BLOCK
 * does the opposite.
 */
bool
lmdb_apply(struct lmdb *db, const struct mcast_record *r)
{
	struct lgroup	*g;
	bool		 inc;

	if ((g = lmdb_find(db, &r->group)) == NULL) {
		if (r->type == MCAST_BLOCK_OLD_SOURCES ||
		    ((r->type == MCAST_MODE_IS_INCLUDE ||
		    r->type == MCAST_CHANGE_TO_INCLUDE) && r->nsrc == 0))
			return false;
		if ((g = lmdb_get(db, &r->group)) == NULL)
			return false;
	}
	inc = (g->mode == LM_INCLUDE);
	switch (r->type) {
	case MCAST_MODE_IS_INCLUDE:
	case MCAST_CHANGE_TO_INCLUDE:
		return lgroup_set(g, LM_INCLUDE, r);
	case MCAST_MODE_IS_EXCLUDE:
	case MCAST_CHANGE_TO_EXCLUDE:
		return lgroup_set(g, LM_EXCLUDE, r);
	case MCAST_ALLOW_NEW_SOURCES:
		return lgroup_merge(g, r, inc);
	case MCAST_BLOCK_OLD_SOURCES:
		return lgroup_merge(g, r, !inc);
	}
	return false;
}

/*
 * A record of an IGMPv2 or MLDv1 report: the kernel fell back to the
 * older version (RFC 3376 7.2.1, RFC 3810 8.2.1), which carries no
 * source list, so its join reads as EXCLUDE {} (RFC 3376 7.3.2, RFC 3810
 * 8.3.2).  It does not replace a source-specific join: the applications
 * asked for (S,G), not (*,G), and any-source state would be sent to the
 * relay behind their back.  A leave (TO_IN {}) applies: the kernel sends
 * it when no socket is left in the group.  The next IGMPv3/MLDv2 report
 * states the group again.
 */
bool
lmdb_apply_old(struct lmdb *db, const struct mcast_record *r)
{
	struct lgroup	*g;

	if (r->type != MCAST_CHANGE_TO_INCLUDE &&
	    (g = lmdb_find(db, &r->group)) != NULL &&
	    g->mode == LM_INCLUDE && g->nsrc > 0)
		return false;
	return lmdb_apply(db, r);
}

size_t
lmdb_count(const struct lmdb *db, int family)
{
	const struct lgroup	*g;
	size_t			 n = 0;

	TAILQ_FOREACH(g, &db->groups, entry) {
		if (lgroup_active(g) &&
		    (family == AF_UNSPEC || g->group.family == family))
			n++;
	}
	return n;
}

bool
lmdb_has_family(const struct lmdb *db, int family)
{
	return lmdb_count(db, family) > 0;
}

/* RFC 4291 2.7, RFC 5771: link-scope groups are never tunnelled. */
bool
mcast_is_linklocal(const struct amt_ip *g)
{
	if (g->family == AF_INET)
		return g->u.b[0] == 224 && g->u.b[1] == 0 && g->u.b[2] == 0;
	return g->u.b[0] == 0xff && (g->u.b[1] & 0x0f) <= 2;
}

/*
 * The group's state as one record: IS_IN/IS_EX for current state,
 * TO_IN/TO_EX for a state-change retransmission.  Sources are written
 * into buf; at most cap / address-length of them.
 */
void
lgroup_record(const struct lgroup *g, bool current, struct mcast_record *r,
    uint8_t *buf, size_t cap)
{
	size_t	len = ip_len(g->group.family), i;

	memset(r, 0, sizeof(*r));
	r->group = g->group;
	if (g->mode == LM_INCLUDE)
		r->type = current ? MCAST_MODE_IS_INCLUDE :
		    MCAST_CHANGE_TO_INCLUDE;
	else
		r->type = current ? MCAST_MODE_IS_EXCLUDE :
		    MCAST_CHANGE_TO_EXCLUDE;
	for (i = 0; i < g->nsrc && (i + 1) * len <= cap; i++)
		memcpy(buf + i * len, g->srcs[i].u.b, len);
	r->nsrc = (uint16_t)i;
	r->srcs = buf;
}
