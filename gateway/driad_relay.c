/*
 * amtgwd --driad: the sessions to the relays found in DNS (RFC 8777),
 * one per relay address (D4), started with Discovery to that address
 * when D = 0 and with a Request when D = 1 (D3); a session carries only
 * the records of its sources (update.c).  D5: a relay that sets L, that
 * does not answer, or after whose Updates no data comes (RFC 8777
 * 3.3.4.1) is held down (with D = 0, the relay the address advertised),
 * and its session stops once the loop is back.  The hooks through which
 * a session tells DRIAD (gateway.h) are here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "amt/clock.h"
#include "amt/log.h"
#include "driad.h"

static void	dsess_data_cb(evutil_socket_t, short, void *);

void
driad_timer_ms(struct event *ev, uint32_t ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(ev, &tv);
}

struct dsrc *
driad_find(struct driad *d, const struct amt_ip *src)
{
	struct dsrc	*x;

	TAILQ_FOREACH(x, &d->srcs, entry) {
		if (ip_eq(&x->src, src))
			return x;
	}
	return NULL;
}

/* The hold-down of a relay address, if it is still running. */
const struct dhold *
driad_held(struct driad *d, const struct amt_ip *addr)
{
	struct dhold	*h;
	uint64_t	 now = clock_mono_ms();

	TAILQ_FOREACH(h, &d->holds, entry) {
		if (ip_eq(&h->addr, addr))
			return h->until > now ? h : NULL;
	}
	return NULL;
}

unsigned
driad_held_count(struct gateway *gw)
{
	struct dhold	*h;
	uint64_t	 now = clock_mono_ms();
	unsigned	 n = 0;

	if (gw->driad == NULL)
		return 0;
	TAILQ_FOREACH(h, &gw->driad->holds, entry)
		if (h->until > now)
			n++;
	return n;
}

/* D5, RFC 8777 3.3.4.1, 3.3.5: keep away from addr until a time. */
static void
driad_hold(struct driad *d, const struct amt_ip *addr, uint64_t until,
    const char *why)
{
	struct dhold	*h;

	TAILQ_FOREACH(h, &d->holds, entry) {
		if (ip_eq(&h->addr, addr))
			break;
	}
	if (h == NULL) {
		if ((h = calloc(1, sizeof(*h))) == NULL)
			fatal("%s", __func__);
		h->addr = *addr;
		TAILQ_INSERT_TAIL(&d->holds, h, entry);
	}
	h->until = until;
	snprintf(h->why, sizeof(h->why), "%s", why);
}

/* Sessions to stop: failed ones and those without sources. */
void
driad_gc_soon(struct driad *d)
{
	event_active(d->gc_ev, EV_TIMEOUT, 0);
}

struct dsess *
dsess_get(struct driad *d, const struct driad_cand *c)
{
	struct gateway	*gw = d->gw;
	struct dsess	*ds;

	TAILQ_FOREACH(ds, &d->sess, entry) {
		if (!ds->failed && ds->d == c->d && ip_eq(&ds->addr, &c->ip))
			return ds;
	}
	if ((ds = calloc(1, sizeof(*ds))) == NULL)
		fatal("%s", __func__);
	if (session_init(gw, &ds->s) == -1 || (ds->data_ev =
	    evtimer_new(gw->base, dsess_data_cb, ds)) == NULL)
		fatalx("%s: session timers", __func__);
	ds->s.dr = ds;
	sessions_add(gw, &ds->s);
	ds->addr = c->ip;
	ds->d = c->d;
	/* D3: D = 0: Discovery to that address first; D = 1: Request. */
	ds->s.use_discovery = !c->d;
	ip_to_sa(&c->ip, gw->conf.port, c->d ? &ds->s.relay_sa :
	    &ds->s.disc_sa);
	TAILQ_INSERT_TAIL(&d->sess, ds, entry);
	return ds;
}

bool
driad_serves(struct session *s, const struct amt_ip *src)
{
	struct dsrc	*x;

	if (s->gw->driad == NULL)
		return true;
	if (src == NULL)
		return s->dr == NULL;
	if ((x = driad_find(s->gw->driad, src)) == NULL)
		return false;
	if (s->dr == NULL)
		return x->fallback;
	return x->ds == s->dr;
}

/*
 * RFC 8777 3.3.4.1: after the first Update, data must come within
 * [4 s, MIN(4 s * 2^n, 120 s)], n the no-data hold-downs in a row.
 */
void
driad_session_up(struct session *s)
{
	struct dsess	*ds = s->dr;
	struct dsrc	*x;
	unsigned	 n = 0;

	if (ds == NULL || ds->data_ok || !s->reported ||
	    evtimer_pending(ds->data_ev, NULL))
		return;
	TAILQ_FOREACH(x, &s->gw->driad->srcs, entry) {
		if (x->ds == ds && x->nodata > n)
			n = x->nodata;
	}
	ds->data_mark = s->cnt.data_packets;
	driad_timer_ms(ds->data_ev, fsm_backoff_ms(DRIAD_NODATA_INIT, n,
	    DRIAD_NODATA_MAX));
}

static void
dsess_data_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct dsess	*ds = arg;
	struct dsrc	*x;
	bool		 ok = ds->s.cnt.data_packets > ds->data_mark;

	TAILQ_FOREACH(x, &ds->s.gw->driad->srcs, entry) {
		if (x->ds == ds)
			x->nodata = ok ? 0 : x->nodata + 1;
	}
	if (ok)
		ds->data_ok = true;
	else
		driad_session_failed(&ds->s, "no data");
}

/* ds failed: addr held down; its sources move once the loop is back. */
static void
dsess_fail(struct dsess *ds, const struct amt_ip *addr, uint64_t until,
    const char *why)
{
	struct driad	*d = ds->s.gw->driad;

	ds->failed = true;
	snprintf(ds->fail_why, sizeof(ds->fail_why), "%s", why);
	driad_hold(d, addr, until, why);
	driad_gc_soon(d);
}

/*
 * D5: hold the relay down.  RFC 8777 4.2.2: with D = 0 the address of
 * the record is for discovery only; once it advertised a relay, that
 * relay is the one that failed (3.3.4.1, 3.3.5) and the address stays
 * usable for rediscovery.
 */
bool
driad_session_failed(struct session *s, const char *why)
{
	struct dsess	*ds = s->dr;
	struct amt_ip	 ip;
	char		 a[INET6_ADDRSTRLEN];

	if (ds == NULL)
		return false;	/* the default session: the core acts */
	if (ds->failed)
		return true;
	ip = ds->addr;
	if (!ds->d && s->have_relay)
		ip_from_sa((struct sockaddr *)&s->relay_sa, &ip);
	dsess_fail(ds, &ip, clock_mono_ms() +
	    (uint64_t)s->gw->conf.driad_holddown * 1000, why);
	log_warnx("driad: relay %s: %s: held down for %u s", ip_str(&ip, a,
	    sizeof(a)), why, s->gw->conf.driad_holddown);
	return true;
}

/*
 * D = 0: the discovery address advertised a relay that is held down:
 * it cannot serve until that hold-down ends (no Request to the relay).
 */
bool
driad_advert_held(struct session *s)
{
	struct dsess		*ds = s->dr;
	const struct dhold	*h;
	struct amt_ip		 ip;
	char			 a[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	char			 why[128];

	if (ds == NULL || ds->d || ds->failed)
		return false;
	ip_from_sa((struct sockaddr *)&s->relay_sa, &ip);
	if (ip_eq(&ip, &ds->addr) || (h = driad_held(s->gw->driad,
	    &ip)) == NULL)
		return false;
	snprintf(why, sizeof(why), "advertised %s: %s", ip_str(&ip, r,
	    sizeof(r)), h->why);
	log_warnx("driad: discovery address %s advertised relay %s, held "
	    "down (%s): held down as long", ip_str(&ds->addr, a, sizeof(a)),
	    r, h->why);
	dsess_fail(ds, &ds->addr, h->until, why);
	return true;
}

void
dsess_free(struct driad *d, struct dsess *ds)
{
	TAILQ_REMOVE(&d->sess, ds, entry);
	if (ds->s.state != SS_INITIAL && ds->s.state != SS_DOWN)
		session_fsm(&ds->s, SE_STOP);
	sessions_remove(ds->s.gw, &ds->s);
	session_free(&ds->s);
	event_free(ds->data_ev);
	free(ds);
}
