/*
 * The forwarding table (RFC 7450 5.3.1, R8, R9): (S,G) and (*,G)
 * flows, each with the tunnels that want it.  The first tunnel in a flow
 * joins it upstream, the last one out leaves it.  A tunnel keeps a
 * back-reference to every flow it is in and its index there, so that
 * adding, removing and forgetting a tunnel cost O(flows of that tunnel),
 * whatever the number of tunnels on a flow.
 *
 * A new flow's upstream join is queued and made from the loop in slices
 * (RELAY_SLICE_US), so that an Update burst of thousands of joins never
 * holds the loop.  A flow whose upstream join fails (max-upstream-groups
 * reached, no descriptor, kernel memory) stays wanted and goes on a
 * retry list that a timer works through in slices likewise, so that a
 * join never silently stays failed.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "amt/log.h"
#include "relay.h"
#include "data.h"

#define FWD_HASH_MIN	64
#define FWD_RETRY_MS	1000	/* failed joins are tried again after */

static uint32_t
fwd_hash_bytes(uint32_t h, const void *p, size_t len)
{
	const uint8_t	*b = p;
	size_t		 i;

	/* FNV-1a */
	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t
fwd_flow_hash(const struct amt_ip *s, const struct amt_ip *g)
{
	uint32_t	h = 2166136261u;

	h = fwd_hash_bytes(h, &s->family, sizeof(s->family));
	h = fwd_hash_bytes(h, s->u.b, ip_len(s->family));
	h = fwd_hash_bytes(h, g->u.b, ip_len(g->family));
	return h;
}

static uint32_t
fwd_tun_hash(const struct tunnel *t)
{
	uint64_t	v = (uint64_t)(uintptr_t)t;

	v ^= v >> 29;
	v *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(v >> 32);
}

/* Double a chained table when it holds more entries than buckets. */
static void **
fwd_rehash(void **old, unsigned *size, unsigned count, size_t next_off,
    uint32_t (*hash)(const void *))
{
	void		**nt, *e, *n;
	unsigned	  nsize, i;
	uint32_t	  b;

	if (old != NULL && count <= *size)
		return old;
	nsize = old == NULL ? FWD_HASH_MIN : *size * 2;
	if ((nt = calloc(nsize, sizeof(*nt))) == NULL)
		return old;		/* keep the longer chains */
	for (i = 0; old != NULL && i < *size; i++) {
		for (e = old[i]; e != NULL; e = n) {
			memcpy(&n, (char *)e + next_off, sizeof(n));
			b = hash(e) & (nsize - 1);
			memcpy((char *)e + next_off, &nt[b], sizeof(void *));
			nt[b] = e;
		}
	}
	free(old);
	*size = nsize;
	return nt;
}

static uint32_t
fwd_flow_hash_e(const void *e)
{
	const struct fwd_flow	*f = e;

	return fwd_flow_hash(&f->s, &f->g);
}

static uint32_t
fwd_tref_hash_e(const void *e)
{
	const struct fwd_tref	*r = e;

	return fwd_tun_hash(r->t);
}

struct fwd_flow *
fwd_flow_find(struct fwd_table *ft, const struct amt_ip *s,
    const struct amt_ip *g)
{
	struct fwd_flow	*f;

	if (ft->fhash == NULL)
		return NULL;
	f = ft->fhash[fwd_flow_hash(s, g) & (ft->fhash_size - 1)];
	for (; f != NULL; f = f->hnext)
		if (ip_eq(&f->s, s) && ip_eq(&f->g, g))
			return f;
	return NULL;
}

static struct fwd_flow *
fwd_flow_get(struct relayd *rd, const struct amt_ip *s,
    const struct amt_ip *g)
{
	struct fwd_table	*ft = rd->fwd;
	struct fwd_flow		*f;
	uint32_t		 b;

	if ((f = fwd_flow_find(ft, s, g)) != NULL)
		return f;
	ft->fhash = (struct fwd_flow **)fwd_rehash((void **)ft->fhash,
	    &ft->fhash_size, ft->nflows + 1,
	    offsetof(struct fwd_flow, hnext), fwd_flow_hash_e);
	if (ft->fhash == NULL || (f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->s = *s;
	f->g = *g;
	b = fwd_flow_hash(s, g) & (ft->fhash_size - 1);
	f->hnext = ft->fhash[b];
	ft->fhash[b] = f;
	ft->nflows++;
	return f;
}

/* Take f off the join queue or the retry list. */
static void
fwd_unpend(struct fwd_table *ft, struct fwd_flow *f)
{
	if (f->queued) {
		TAILQ_REMOVE(&ft->joinq, f, pentry);
		f->queued = false;
	}
	if (!f->pending)
		return;
	TAILQ_REMOVE(&ft->pending, f, pentry);
	f->pending = false;
	ft->npending--;
}

/*
 * R9: join f upstream.  A failure is counted once (first try), logged
 * rate-limited by upstream.c, and f goes to the back of the retry list.
 * Returns upstream_join()'s answer.
 */
static int
fwd_join(struct relayd *rd, struct fwd_flow *f, bool retry)
{
	struct fwd_table	*ft = rd->fwd;
	struct timeval		 tv = { FWD_RETRY_MS / 1000,
				    (FWD_RETRY_MS % 1000) * 1000 };
	int			 r;

	r = upstream_join(rd, f->s.family == AF_UNSPEC ? NULL : &f->s, &f->g);
	if (r == 0) {
		f->joined = true;
		if (f->pending)
			rd->stats.upstream_join_retries++;
		fwd_unpend(ft, f);
		return 0;
	}
	if (!retry && r == UPSTREAM_FULL) {
		rd->stats.upstream_over_limit++;
		rlog(rd, RLOG_LIMIT, LOG_ERR, "max-upstream-groups (%u) "
		    "reached: joins wait", rd->max_upstream);
	} else if (!retry)
		rd->stats.upstream_join_errors++;
	fwd_unpend(ft, f);
	TAILQ_INSERT_TAIL(&ft->pending, f, pentry);
	f->pending = true;
	ft->npending++;
	if (!evtimer_pending(&ft->retry_ev, NULL))
		evtimer_add(&ft->retry_ev, &tv);
	return r;
}

/*
 * One slice (RELAY_SLICE_US) of a list of flows: at most n joins from
 * the head of q, each of which takes its flow off the head (joined, or
 * to the back of the retry list); when the slice is over, ev again after
 * a turn of the loop.  A retry turn stops at a full upstream (the rest
 * would fail alike and fwd_join armed the retry timer); first joins go
 * on, so that every failure is counted.
 */
static void
fwd_slice(struct relayd *rd, struct fwd_flow_list *q, unsigned n,
    bool retry, struct event *ev)
{
	struct fwd_flow	*f;
	uint64_t	 start = clock_mono_us();

	for (; n > 0 && (f = TAILQ_FIRST(q)) != NULL; n--) {
		if (relay_slice_over(start)) {
			relay_slice_next(ev);
			return;
		}
		if (fwd_join(rd, f, retry) == UPSTREAM_FULL && retry)
			return;
	}
}

/*
 * The retry list, each flow once per turn (a failure goes to the back);
 * again in FWD_RETRY_MS while any is left.
 */
static void
fwd_retry_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct relayd		*rd = arg;
	struct fwd_table	*ft = rd->fwd;

	fwd_slice(rd, &ft->pending, ft->npending, true, &ft->retry_ev);
}

/* The join queue (first joins of new flows, R9), until it is empty. */
static void
fwd_join_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct relayd		*rd = arg;
	struct fwd_table	*ft = rd->fwd;

	fwd_slice(rd, &ft->joinq, UINT_MAX, false, &ft->join_ev);
}

/* R9: the first interest in f: its join waits for the next slice. */
static void
fwd_queue(struct relayd *rd, struct fwd_flow *f)
{
	struct fwd_table	*ft = rd->fwd;

	if (f->joined || f->pending || f->queued || rd->up == NULL)
		return;
	TAILQ_INSERT_TAIL(&ft->joinq, f, pentry);
	f->queued = true;
	relay_slice_next(&ft->join_ev);
}

static void
fwd_flow_drop(struct relayd *rd, struct fwd_flow *f)
{
	struct fwd_table	 *ft = rd->fwd;
	struct fwd_flow		**pp;

	fwd_unpend(ft, f);
	if (f->joined)
		upstream_leave(rd, f->s.family == AF_UNSPEC ? NULL : &f->s,
		    &f->g);
	pp = &ft->fhash[fwd_flow_hash(&f->s, &f->g) & (ft->fhash_size - 1)];
	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	ft->nflows--;
	free(f->tun);
	free(f);
}

static struct fwd_tref *
fwd_tref_find(struct fwd_table *ft, const struct tunnel *t)
{
	struct fwd_tref	*r;

	if (ft->thash == NULL)
		return NULL;
	r = ft->thash[fwd_tun_hash(t) & (ft->thash_size - 1)];
	for (; r != NULL; r = r->hnext)
		if (r->t == t)
			return r;
	return NULL;
}

static struct fwd_tref *
fwd_tref_get(struct relayd *rd, struct tunnel *t)
{
	struct fwd_table	*ft = rd->fwd;
	struct fwd_tref		*r;
	uint32_t		 b;

	if ((r = fwd_tref_find(ft, t)) != NULL)
		return r;
	ft->thash = (struct fwd_tref **)fwd_rehash((void **)ft->thash,
	    &ft->thash_size, ft->ntrefs + 1,
	    offsetof(struct fwd_tref, hnext), fwd_tref_hash_e);
	if (ft->thash == NULL || (r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->t = t;
	b = fwd_tun_hash(t) & (ft->thash_size - 1);
	r->hnext = ft->thash[b];
	ft->thash[b] = r;
	ft->ntrefs++;
	if (t->lsn != NULL)
		batch_sockopts(t->lsn->fd, t->gw.ss_family);
	return r;
}

static void
fwd_tref_drop(struct fwd_table *ft, struct fwd_tref *r)
{
	struct fwd_tref	**pp;

	pp = &ft->thash[fwd_tun_hash(r->t) & (ft->thash_size - 1)];
	while (*pp != r)
		pp = &(*pp)->hnext;
	*pp = r->hnext;
	ft->ntrefs--;
	free(r->refs);
	free(r);
}

/* Grow an array of elem-sized entries to hold one more. */
static int
fwd_grow(void **arr, unsigned n, unsigned *cap, size_t elem)
{
	void		*p;
	unsigned	 ncap;

	if (n < *cap)
		return 0;
	ncap = *cap == 0 ? 1 : *cap * 2;
	if ((p = reallocarray(*arr, ncap, elem)) == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int
fwd_link(struct relayd *rd, struct fwd_flow *f, struct fwd_tref *r)
{
	unsigned	i;

	for (i = 0; i < r->n; i++)
		if (r->refs[i].f == f)
			return 0;		/* already there */
	if (fwd_grow((void **)&f->tun, f->n, &f->cap, sizeof(*f->tun)) ||
	    fwd_grow((void **)&r->refs, r->n, &r->cap, sizeof(*r->refs)))
		return -1;
	r->refs[r->n].f = f;
	r->refs[r->n++].idx = f->n;
	f->tun[f->n++] = r->t;
	/* R9: the first interest in a flow joins it upstream. */
	fwd_queue(rd, f);
	return 0;
}

/* Take f out of r's list (entry i) and r->t out of f's list. */
static void
fwd_unlink(struct relayd *rd, struct fwd_tref *r, unsigned i)
{
	struct fwd_flow	*f = r->refs[i].f;
	struct fwd_tref	*moved;
	unsigned	 idx = r->refs[i].idx, j;

	r->refs[i] = r->refs[--r->n];
	f->tun[idx] = f->tun[--f->n];
	if (idx != f->n &&
	    (moved = fwd_tref_find(rd->fwd, f->tun[idx])) != NULL) {
		for (j = 0; j < moved->n; j++)
			if (moved->refs[j].f == f)
				moved->refs[j].idx = idx;
	}
	/* R9: leave when the last tunnel leaves. */
	if (f->n == 0)
		fwd_flow_drop(rd, f);
}

static int
fwd_add(struct relayd *rd, const struct amt_ip *s, const struct amt_ip *g,
    struct tunnel *t)
{
	struct fwd_flow	*f;
	struct fwd_tref	*r;

	if (rd->fwd == NULL || !ip_is_multicast(g))
		return -1;
	if ((f = fwd_flow_get(rd, s, g)) == NULL)
		return -1;
	if ((r = fwd_tref_get(rd, t)) == NULL ||
	    fwd_link(rd, f, r) == -1) {
		if (f->n == 0)
			fwd_flow_drop(rd, f);
		if (r != NULL && r->n == 0)
			fwd_tref_drop(rd->fwd, r);
		log_warnx("forwarding table: out of memory");
		return -1;
	}
	return 0;
}

static void
fwd_del(struct relayd *rd, const struct amt_ip *s, const struct amt_ip *g,
    struct tunnel *t)
{
	struct fwd_flow	*f;
	struct fwd_tref	*r;
	unsigned	 i;

	if (rd->fwd == NULL || (f = fwd_flow_find(rd->fwd, s, g)) == NULL ||
	    (r = fwd_tref_find(rd->fwd, t)) == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		if (r->refs[i].f == f) {
			fwd_unlink(rd, r, i);
			break;
		}
	}
	if (r->n == 0)
		fwd_tref_drop(rd->fwd, r);
}

int
fwd_sg_add(struct relayd *rd, const struct amt_ip *s, const struct amt_ip *g,
    struct tunnel *t)
{
	/* (S,G) needs a real source of the group's family. */
	if (s->family != g->family || ip_is_any(s))
		return -1;
	return fwd_add(rd, s, g, t);
}

void
fwd_sg_del(struct relayd *rd, const struct amt_ip *s, const struct amt_ip *g,
    struct tunnel *t)
{
	fwd_del(rd, s, g, t);
}

int
fwd_g_add(struct relayd *rd, const struct amt_ip *g, struct tunnel *t)
{
	struct amt_ip	any;

	memset(&any, 0, sizeof(any));
	return fwd_add(rd, &any, g, t);
}

void
fwd_g_del(struct relayd *rd, const struct amt_ip *g, struct tunnel *t)
{
	struct amt_ip	any;

	memset(&any, 0, sizeof(any));
	fwd_del(rd, &any, g, t);
}

void
fwd_tunnel_gone(struct relayd *rd, struct tunnel *t)
{
	struct fwd_tref	*r;
	unsigned	 guard;

	if (rd->fwd == NULL || (r = fwd_tref_find(rd->fwd, t)) == NULL)
		return;
	/* Messages already queued for t must not outlive it. */
	batch_flush(rd);
	for (guard = r->n; r->n > 0 && guard > 0; guard--)
		fwd_unlink(rd, r, r->n - 1);
	fwd_tref_drop(rd->fwd, r);
}

/*
 * `show flows`: one call per flow.  A (*,G) flow is shown with the
 * unspecified address of G's family (0.0.0.0 or ::) as its source.
 */
void
fwd_walk(struct relayd *rd, void (*cb)(const struct amt_ip *,
    const struct amt_ip *, unsigned, void *), void *arg)
{
	struct fwd_table	*ft = rd->fwd;
	struct fwd_flow		*f;
	struct amt_ip		 any;
	unsigned		 i;

	for (i = 0; ft != NULL && ft->fhash != NULL && i < ft->fhash_size;
	    i++) {
		for (f = ft->fhash[i]; f != NULL; f = f->hnext) {
			if (f->s.family != AF_UNSPEC) {
				cb(&f->s, &f->g, f->n, arg);
				continue;
			}
			memset(&any, 0, sizeof(any));
			any.family = f->g.family;
			cb(&any, &f->g, f->n, arg);
		}
	}
}

int
fwd_start(struct relayd *rd)
{
	if ((rd->fwd = calloc(1, sizeof(*rd->fwd))) == NULL) {
		log_warn("fwd_start");
		return -1;
	}
	TAILQ_INIT(&rd->fwd->pending);
	TAILQ_INIT(&rd->fwd->joinq);
	evtimer_assign(&rd->fwd->retry_ev, rd->base, fwd_retry_cb, rd);
	evtimer_assign(&rd->fwd->join_ev, rd->base, fwd_join_cb, rd);
	return 0;
}

void
fwd_stop(struct relayd *rd)
{
	struct fwd_table	*ft = rd->fwd;
	struct fwd_tref		*r;
	unsigned		 i;

	if (ft == NULL)
		return;
	evtimer_del(&ft->retry_ev);
	evtimer_del(&ft->join_ev);
	batch_flush(rd);
	for (i = 0; ft->thash != NULL && i < ft->thash_size; i++) {
		while ((r = ft->thash[i]) != NULL)
			fwd_tunnel_gone(rd, r->t);
	}
	free(ft->fhash);
	free(ft->thash);
	free(ft);
	rd->fwd = NULL;
}
