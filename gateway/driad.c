/*
 * amtgwd --driad: the relay for each source from DNS (RFC 8777).
 *
 * Every source of an (S,G) join in the local membership gets a look-up
 * of its AMTRELAY records (resolve.c, on the gateway's loop, all sources
 * at once).  The first candidate (D2) that is not held down serves it,
 * through the session to that relay (driad_relay.c).  (*,G) joins and
 * sources without records go to the default session (the fallback
 * relay, -r or -R) and never start a look-up (D6).
 *
 * D5: when a relay is held down its sources move to their next
 * candidate; DNS failures back off 1 s .. 120 s; records are asked for
 * again when their TTL runs out (not sooner than 30 s), and a source
 * whose best relay changed moves.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "amt/clock.h"
#include "amt/log.h"
#include "driad.h"

static void	dsrc_lookup(struct dsrc *);
static void	dsrc_assign(struct dsrc *);
static void	driad_sync(struct gateway *);
static int	driad_reload_default(struct gateway *);
static void	driad_gc_cb(evutil_socket_t, short, void *);

/* How DRIAD plugs into the core's sessions (gateway.h). */
static const struct session_hooks driad_hooks = {
	.up = driad_session_up,
	.failed = driad_session_failed,
	.advert_held = driad_advert_held,
	.serves = driad_serves,
	.membership = driad_sync,
	.reload_default = driad_reload_default,
	.show_session = driad_show_session,
	.show_sources = driad_show_sources,
};

/* The default session (fallback, (*,G)) starts when first needed. */
static void
driad_default_start(struct driad *d)
{
	if (d->gw->sess.state == SS_INITIAL && !d->gw->stopping)
		session_fsm(&d->gw->sess, SE_START);
}

static bool
driad_default_needed(struct driad *d)
{
	struct lgroup	*g;
	struct dsrc	*x;

	TAILQ_FOREACH(x, &d->srcs, entry) {
		if (x->fallback)
			return true;
	}
	TAILQ_FOREACH(g, &d->gw->db.groups, entry) {
		if (g->mode == LM_EXCLUDE && !mcast_is_linklocal(&g->group))
			return true;
	}
	return false;
}

/* Source x leaves the relay that served it (BLOCK there if it can). */
static void
dsrc_detach(struct dsrc *x, bool block)
{
	struct driad	*d = x->d;

	if (x->ds != NULL) {
		if (block && !x->ds->failed)
			update_block_source(&x->ds->s, &x->src);
		if (--x->ds->nsrc == 0)
			driad_gc_soon(d);
		x->ds = NULL;
	}
	if (x->fallback) {
		if (block)
			update_block_source(&d->gw->sess, &x->src);
		x->fallback = false;
	}
}

/* Source x is served by the session for candidate c from now on. */
static void
dsrc_attach(struct dsrc *x, const struct driad_cand *c)
{
	struct dsess	*ds;
	char		 a[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];

	ds = dsess_get(x->d, c);
	if (x->ds == ds)
		return;
	dsrc_detach(x, true);
	x->ds = ds;
	x->used = *c;
	x->state = DS_READY;
	ds->nsrc++;
	log_info("driad: source %s -> relay %s (%s)", ip_str(&x->src, a,
	    sizeof(a)), ip_str(&c->ip, r, sizeof(r)), x->why);
	if (ds->s.state == SS_INITIAL)
		session_fsm(&ds->s, SE_START);
	else if (ds->s.have_query) {
		update_send_state(&ds->s, AF_INET);
		update_send_state(&ds->s, AF_INET6);
	}
}

static void
dsrc_fallback(struct dsrc *x)
{
	char	a[INET6_ADDRSTRLEN];

	if (x->fallback)
		return;
	dsrc_detach(x, true);
	x->fallback = true;
	log_info("driad: source %s -> fallback relay (%s)", ip_str(&x->src,
	    a, sizeof(a)), x->why);
	driad_default_start(x->d);
	if (x->d->gw->sess.have_query) {
		update_send_state(&x->d->gw->sess, AF_INET);
		update_send_state(&x->d->gw->sess, AF_INET6);
	}
}

/* Nothing serves x: say so, and look again when a hold-down ends. */
static void
dsrc_unserved(struct dsrc *x, enum dsrc_state st, uint32_t retry_ms)
{
	char	a[INET6_ADDRSTRLEN];

	if (x->d->gw->conf.fallback_relay.ss_family != 0 &&
	    st != DS_NO_AMT) {
		dsrc_fallback(x);
		x->state = st;
		return;
	}
	dsrc_detach(x, true);
	x->state = st;
	log_warnx("driad: source %s not served: %s", ip_str(&x->src, a,
	    sizeof(a)), x->why);
	if (retry_ms > 0)
		driad_timer_ms(x->timer, retry_ms);
}

/* The candidate in use, if the records still list it as good as any. */
static bool
dsrc_keep_current(struct dsrc *x, uint8_t best)
{
	size_t	i;

	if (x->ds == NULL || x->ds->failed)
		return false;
	for (i = 0; i < x->ncand; i++) {
		if (ip_eq(&x->cand[i].ip, &x->ds->addr) &&
		    x->cand[i].d == x->ds->d)
			return x->cand[i].precedence <= best;
	}
	return false;
}

/*
 * D2, D5: the first candidate not held down; the current one stays
 * while it is as good (RFC 8777 3.3.3: tunnel stability).
 */
static void
dsrc_assign(struct dsrc *x)
{
	const struct dhold	*h;
	const struct dhold	*first = NULL;
	char			 a[INET6_ADDRSTRLEN];
	size_t			 i;
	uint64_t		 now = clock_mono_ms();

	for (i = 0; i < x->ncand; i++) {
		if ((h = driad_held(x->d, &x->cand[i].ip)) == NULL)
			break;
		if (first == NULL || h->until < first->until)
			first = h;
	}
	if (i == x->ncand) {
		snprintf(x->why, sizeof(x->why), "every relay held down%s",
		    x->d->gw->conf.fallback_relay.ss_family ? ": fallback" :
		    "");
		dsrc_unserved(x, DS_HELD, first == NULL ? 1000 :
		    (uint32_t)(first->until - now + 1000));
		return;
	}
	if (dsrc_keep_current(x, x->cand[i].precedence)) {
		x->state = DS_READY;
		return;
	}
	if (first != NULL)
		snprintf(x->why, sizeof(x->why), "AMTRELAY %u D=%d, "
		    "holddown of %s (%s)", x->cand[i].precedence,
		    x->cand[i].d, ip_str(&first->addr, a, sizeof(a)),
		    first->why);
	else
		snprintf(x->why, sizeof(x->why), "AMTRELAY %u D=%d",
		    x->cand[i].precedence, x->cand[i].d);
	dsrc_attach(x, &x->cand[i]);
}

static uint32_t
dsrc_requery_ms(const struct resolve_result *r)
{
	uint32_t	ttl = r->ttl;

	if (ttl < DRIAD_TTL_FLOOR)
		ttl = DRIAD_TTL_FLOOR;
	if (ttl > 86400)
		ttl = 86400;
	return ttl * 1000;
}

/* D5, RFC 8777 3.5: DNS failed: ask again after a back-off. */
static void
dsrc_backoff(struct dsrc *x, const char *why)
{
	char		 a[INET6_ADDRSTRLEN];
	uint32_t	 cap = x->d->gw->conf.driad_dns_max_backoff * 1000;

	x->wait_ms = driad_backoff_ms(x->dns_retry++);
	if (x->wait_ms > cap)
		x->wait_ms = cap;
	if (x->ds == NULL && !x->fallback)
		x->state = DS_BACKOFF;
	snprintf(x->why, sizeof(x->why), "DNS: %s", why);
	log_warnx("driad: source %s: DNS %s: again in %u ms",
	    ip_str(&x->src, a, sizeof(a)), why, x->wait_ms);
	driad_timer_ms(x->timer, x->wait_ms);
}

static void
dsrc_resolved(const struct resolve_result *r, void *arg)
{
	struct dsrc	*x = arg;
	char		 a[INET6_ADDRSTRLEN];

	x->lookup = NULL;
	if (r->nbad > 0 || r->nunknown > 0)
		log_warnx("driad: source %s: %u malformed and %u unknown "
		    "AMTRELAY records skipped", ip_str(&x->src, a, sizeof(a)),
		    r->nbad, r->nunknown);
	switch (r->status) {
	case RESOLVE_OK:
		x->dns_retry = 0;
		x->ncand = r->ncand < RESOLVE_MAX_CAND ? r->ncand :
		    RESOLVE_MAX_CAND;
		memcpy(x->cand, r->cand, x->ncand * sizeof(x->cand[0]));
		dsrc_assign(x);
		break;
	case RESOLVE_NO_AMT:
		x->dns_retry = 0;
		x->ncand = 0;
		snprintf(x->why, sizeof(x->why), "AMTRELAY type 0: no AMT");
		dsrc_unserved(x, DS_NO_AMT, 0);
		break;
	case RESOLVE_NO_RELAY:
		x->dns_retry = 0;
		x->ncand = 0;
		snprintf(x->why, sizeof(x->why), "%s%s", r->why,
		    x->d->gw->conf.fallback_relay.ss_family ? ": fallback" :
		    "");
		dsrc_unserved(x, DS_NO_RELAY, 0);
		break;
	case RESOLVE_RETRY:
		dsrc_backoff(x, r->why);
		return;
	}
	driad_timer_ms(x->timer, dsrc_requery_ms(r));
}

static void
dsrc_lookup(struct dsrc *x)
{
	char	a[INET6_ADDRSTRLEN];

	if (x->lookup != NULL)
		return;
	if (x->ds == NULL && !x->fallback)
		x->state = DS_LOOKING;
	x->lookup = resolve_amtrelay(x->d->res, &x->src, dsrc_resolved, x);
	if (x->lookup == NULL) {
		snprintf(x->why, sizeof(x->why), "no reverse name");
		dsrc_unserved(x, DS_NO_RELAY, 0);
		return;
	}
	log_debug("driad: looking up AMTRELAY for %s", ip_str(&x->src, a,
	    sizeof(a)));
}

/* Timer: re-query (TTL, back-off, or a hold-down that ended). */
static void
dsrc_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	dsrc_lookup(arg);
}

static struct dsrc *
dsrc_new(struct driad *d, const struct amt_ip *src)
{
	struct dsrc	*x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		fatal("%s", __func__);
	x->d = d;
	x->src = *src;
	if ((x->timer = evtimer_new(d->gw->base, dsrc_timer_cb, x)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	TAILQ_INSERT_TAIL(&d->srcs, x, entry);
	snprintf(x->why, sizeof(x->why), "looking up AMTRELAY");
	dsrc_lookup(x);
	return x;
}

static void
dsrc_free(struct dsrc *x)
{
	char	a[INET6_ADDRSTRLEN];

	log_info("driad: source %s no longer joined", ip_str(&x->src, a,
	    sizeof(a)));
	dsrc_detach(x, false);
	if (x->lookup != NULL)
		resolve_cancel(x->lookup);
	event_free(x->timer);
	TAILQ_REMOVE(&x->d->srcs, x, entry);
	free(x);
}

/*
 * A kernel report went to every session: the sources of (S,G) joins now
 * in the local membership: new ones are looked up, gone ones forgotten.
 * D6: any-source joins (EXCLUDE mode) start nothing here.
 */
static void
driad_sync(struct gateway *gw)
{
	struct driad	*d = gw->driad;
	struct dsrc	*x, *next;
	struct lgroup	*g;
	size_t		 i;

	TAILQ_FOREACH(x, &d->srcs, entry)
		x->mark = false;
	TAILQ_FOREACH(g, &d->gw->db.groups, entry) {
		if (g->mode != LM_INCLUDE || mcast_is_linklocal(&g->group))
			continue;
		for (i = 0; i < g->nsrc; i++) {
			if ((x = driad_find(d, &g->srcs[i])) == NULL)
				x = dsrc_new(d, &g->srcs[i]);
			x->mark = true;
		}
	}
	for (x = TAILQ_FIRST(&d->srcs); x != NULL; x = next) {
		next = TAILQ_NEXT(x, entry);
		if (!x->mark)
			dsrc_free(x);
	}
	if (driad_default_needed(d))
		driad_default_start(d);
}

/* D6: (*,G) and sources without records: the fallback relay. */
static void
driad_default_peer(struct gateway *gw)
{
	if (gw->conf.fallback_relay.ss_family != 0) {
		gw->sess.use_discovery = false;
		gw->sess.relay_sa = gw->conf.fallback_relay;
	}
}

/*
 * Reload with another fallback relay (or none): a new default session
 * (Teardown to the old relay first), and the sources no DRIAD session
 * serves are looked up again to take the new fallback or none.
 */
static int
driad_reload_default(struct gateway *gw)
{
	struct driad	*d = gw->driad;
	struct dsrc	*x;

	TAILQ_FOREACH(x, &d->srcs, entry)
		x->fallback = false;
	if (sessions_reset_default(gw) == -1)
		return -1;
	driad_default_peer(gw);
	TAILQ_FOREACH(x, &d->srcs, entry) {
		if (x->ds == NULL) {
			evtimer_del(x->timer);
			dsrc_lookup(x);
		}
	}
	if (driad_default_needed(d))
		driad_default_start(d);
	return 0;
}

int
driad_start(struct gateway *gw)
{
	struct driad		*d;
	struct resolve_opts	 o;
	char			 srv[ADDR_STRLEN];

	if (!gw->conf.driad)
		return 0;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -1;
	d->gw = gw;
	TAILQ_INIT(&d->srcs);
	TAILQ_INIT(&d->sess);
	TAILQ_INIT(&d->holds);
	memset(&o, 0, sizeof(o));
	o.timeout_ms = 1000;
	o.tries = 2;
	if (gw->conf.resolver.ss_family != 0)
		addr_str((struct sockaddr *)&gw->conf.resolver, srv,
		    sizeof(srv));
	d->res = resolve_new(gw->base, gw->conf.resolver.ss_family != 0 ?
	    srv : NULL, &o);
	d->gc_ev = event_new(gw->base, -1, 0, driad_gc_cb, d);
	if (d->res == NULL || d->gc_ev == NULL) {
		log_warnx("driad: cannot start the DNS resolver");
		if (d->res != NULL)
			resolve_free(d->res);
		free(d);
		return -1;
	}
	driad_default_peer(gw);
	gw->driad = d;
	gw->hooks = &driad_hooks;
	log_info("driad: relays per source from DNS (resolver %s)",
	    gw->conf.resolver.ss_family != 0 ? srv : "of resolv.conf");
	return 0;
}

void
driad_free(struct gateway *gw)
{
	struct driad	*d = gw->driad;
	struct dsrc	*x;
	struct dsess	*ds;
	struct dhold	*h;

	if (d == NULL)
		return;
	while ((x = TAILQ_FIRST(&d->srcs)) != NULL) {
		x->ds = NULL;
		x->fallback = false;
		if (x->lookup != NULL)
			resolve_cancel(x->lookup);
		x->lookup = NULL;
		event_free(x->timer);
		TAILQ_REMOVE(&d->srcs, x, entry);
		free(x);
	}
	while ((ds = TAILQ_FIRST(&d->sess)) != NULL) {
		ds->s.state = SS_DOWN;
		dsess_free(d, ds);
	}
	while ((h = TAILQ_FIRST(&d->holds)) != NULL) {
		TAILQ_REMOVE(&d->holds, h, entry);
		free(h);
	}
	resolve_free(d->res);
	event_free(d->gc_ev);
	free(d);
	gw->driad = NULL;
	gw->hooks = NULL;
}

/* Stop failed and empty sessions; the sources of failed ones move. */
static void
driad_gc_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct driad	*d = arg;
	struct dsess	*ds, *next;
	struct dsrc	*x;

	for (ds = TAILQ_FIRST(&d->sess); ds != NULL; ds = next) {
		next = TAILQ_NEXT(ds, entry);
		if (!ds->failed && ds->nsrc > 0)
			continue;
		dsess_free(d, ds);
		TAILQ_FOREACH(x, &d->srcs, entry) {
			if (x->ds == ds) {
				x->ds = NULL;
				x->state = DS_LOOKING;
			}
		}
	}
	TAILQ_FOREACH(x, &d->srcs, entry) {
		if (x->ds == NULL && x->state == DS_LOOKING &&
		    x->lookup == NULL && x->ncand > 0)
			dsrc_assign(x);
	}
}
