/*
 * DRIAD look-ups with c-ares on the gateway's event loop (RFC 8777).
 *
 * c-ares tells us which sockets it wants watched (ARES_OPT_SOCK_STATE_CB);
 * each gets a persistent libevent event that hands readiness back with
 * ares_process_fd(), and one timer follows ares_timeout().  A look-up asks
 * for type 260 at the reverse name of the source, parses the raw answer
 * itself (lib/driad_msg.c: c-ares has no AMTRELAY parser), asks again at
 * the end of a CNAME/DNAME chain the answer did not complete, resolves
 * type 3 names with ares_getaddrinfo(), and calls back from its own
 * event once everything is in.
 *
 * RFC 8777 3.2.2: c-ares does not limit the rate of queries, so every
 * step that sends some waits its turn here: at most 10 queries in any
 * 100 ms by default.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>
#include <event2/event.h>

#include "amt/clock.h"
#include "amt/log.h"
#include "resolve.h"

struct resolve_sock {
	TAILQ_ENTRY(resolve_sock)	 entry;
	struct resolve			*r;
	ares_socket_t			 fd;
	struct event			*ev;
};

#define RESOLVE_RATE_N		10	/* queries per window */
#define RESOLVE_RATE_MS		100

struct resolve {
	struct event_base		*base;
	ares_channel			 ch;
	struct event			*timer;
	struct driad_pref		 pref;
	TAILQ_HEAD(, resolve_sock)	 socks;
	TAILQ_HEAD(, resolve_lookup)	 lookups;
	/* Rate limit: steps waiting, and the current window. */
	TAILQ_HEAD(, resolve_lookup)	 waiting;
	struct event			*rate_ev;
	uint64_t			 win_start;	/* ms */
	unsigned			 win_used;
	unsigned			 rate_n;
};

struct resolve_lookup {
	TAILQ_ENTRY(resolve_lookup)	 entry;
	TAILQ_ENTRY(resolve_lookup)	 wentry;	/* r->waiting */
	struct resolve			*r;
	resolve_cb			 cb;
	void				*arg;
	struct amt_ip			 source;
	char				 qname[DRIAD_NAME_STRLEN];
	unsigned			 follows;	/* re-queries */
	unsigned			 pending;	/* c-ares queries */
	bool				 cancelled;
	bool				 finished;	/* done_ev on */
	bool				 tempfail;	/* name failed */
	bool				 waiting;	/* on r->waiting */
	void				(*step)(struct resolve_lookup *);
	unsigned			 cost;		/* its queries */
	struct driad_answer		 ans;
	struct driad_cand		 cand[RESOLVE_MAX_CAND];
	size_t				 ncand;
	struct resolve_result		 res;
	struct event			*done_ev;
};

/* A type 3 relay name being resolved: its addresses inherit these
 * (RFC 8777 4.2.4). */
struct resolve_name {
	struct resolve_lookup		*l;
	uint8_t				 precedence;
	bool				 d;
};

static void	resolve_query(struct resolve_lookup *);
static void	resolve_records(struct resolve_lookup *);
static void	resolve_settle(struct resolve_lookup *);

const char *
resolve_status_str(enum resolve_status s)
{
	switch (s) {
	case RESOLVE_OK:
		return "ok";
	case RESOLVE_NO_AMT:
		return "no-amt";
	case RESOLVE_NO_RELAY:
		return "no-relay";
	case RESOLVE_RETRY:
		return "retry";
	}
	return "?";
}

/* Keep the timer on c-ares' next deadline. */
static void
resolve_timer(struct resolve *r)
{
	struct timeval	tv, *tvp;

	if ((tvp = ares_timeout(r->ch, NULL, &tv)) != NULL)
		evtimer_add(r->timer, tvp);
	else
		evtimer_del(r->timer);
}

static void
resolve_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolve	*r = arg;

	ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	resolve_timer(r);
}

static void
resolve_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolve_sock	*s = arg;
	struct resolve		*r = s->r;

	/* s may be freed inside (c-ares closing the socket). */
	ares_process_fd(r->ch, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	resolve_timer(r);
}

static void
resolve_sock_free(struct resolve *r, struct resolve_sock *s)
{
	TAILQ_REMOVE(&r->socks, s, entry);
	event_free(s->ev);
	free(s);
}

/* ARES_OPT_SOCK_STATE_CB: watch fd for what c-ares waits for. */
static void
resolve_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct resolve		*r = data;
	struct resolve_sock	*s;
	short			 what = EV_PERSIST;

	TAILQ_FOREACH(s, &r->socks, entry) {
		if (s->fd == fd)
			break;
	}
	if (s != NULL)
		resolve_sock_free(r, s);
	if (!readable && !writable)
		return;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("%s", __func__);
	what |= (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);
	s->r = r;
	s->fd = fd;
	if ((s->ev = event_new(r->base, fd, what, resolve_sock_cb, s)) == NULL)
		fatalx("%s: event_new", __func__);
	event_add(s->ev, NULL);
	TAILQ_INSERT_TAIL(&r->socks, s, entry);
}

static void
resolve_lookup_free(struct resolve_lookup *l)
{
	if (l->waiting)
		TAILQ_REMOVE(&l->r->waiting, l, wentry);
	TAILQ_REMOVE(&l->r->lookups, l, entry);
	event_free(l->done_ev);
	free(l);
}

/*
 * RFC 8777 3.2.2: run waiting steps while the window has room.  A step
 * larger than the whole budget runs alone in a fresh window.
 */
static void
resolve_pump(struct resolve *r)
{
	struct resolve_lookup	*l;
	struct timeval		 tv;
	uint64_t		 now = clock_mono_ms(), left;

	if (now - r->win_start >= RESOLVE_RATE_MS) {
		r->win_start = now;
		r->win_used = 0;
	}
	while ((l = TAILQ_FIRST(&r->waiting)) != NULL) {
		if (l->cost > 0 && r->win_used > 0 &&
		    r->win_used + l->cost > r->rate_n) {
			left = RESOLVE_RATE_MS - (now - r->win_start);
			tv.tv_sec = 0;
			tv.tv_usec = (suseconds_t)(left * 1000);
			evtimer_add(r->rate_ev, &tv);
			return;
		}
		TAILQ_REMOVE(&r->waiting, l, wentry);
		l->waiting = false;
		r->win_used += l->cost;
		l->pending--;
		if (l->cancelled)
			resolve_settle(l);
		else
			l->step(l);
	}
	resolve_timer(r);
}

static void
resolve_rate_cb(evutil_socket_t fd, short what, void *arg)
{
	resolve_pump(arg);
}

/* Queue the next step of a look-up, which sends cost queries. */
static void
resolve_step(struct resolve_lookup *l, void (*step)(struct resolve_lookup *),
    unsigned cost)
{
	l->step = step;
	l->cost = cost;
	l->waiting = true;
	l->pending++;		/* not settled while it waits */
	TAILQ_INSERT_TAIL(&l->r->waiting, l, wentry);
	resolve_pump(l->r);
}

/*
 * The callback runs from its own event, never inside c-ares.  The
 * look-up leaves the list first: the callback may free the resolver.
 */
static void
resolve_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolve_lookup	*l = arg;

	TAILQ_REMOVE(&l->r->lookups, l, entry);
	l->cb(&l->res, l->arg);
	event_free(l->done_ev);
	free(l);
}

static void
resolve_finish(struct resolve_lookup *l, enum resolve_status st,
    const char *why)
{
	l->res.status = st;
	l->res.why = why;
	l->res.source = l->source;
	l->res.cand = st == RESOLVE_OK ? l->cand : NULL;
	l->res.ncand = st == RESOLVE_OK ? l->ncand : 0;
	l->res.ttl = l->ans.ttl;
	l->res.nunknown = l->ans.nunknown;
	l->res.nbad = l->ans.nbad;
	l->finished = true;
	event_active(l->done_ev, EV_TIMEOUT, 0);
}

/* Every query answered: order what came in (D2). */
static void
resolve_settle(struct resolve_lookup *l)
{
	if (l->pending > 0 || l->finished)
		return;
	if (l->cancelled) {
		resolve_lookup_free(l);
		return;
	}
	l->ncand = driad_order(l->cand, l->ncand, &l->r->pref);
	if (l->ncand > 0)
		resolve_finish(l, RESOLVE_OK, "relays found");
	else if (l->tempfail)
		resolve_finish(l, RESOLVE_RETRY, "relay name lookup failed");
	else
		resolve_finish(l, RESOLVE_NO_RELAY, "no usable relay address");
}

static void
resolve_add(struct resolve_lookup *l, const struct amt_ip *ip,
    uint8_t precedence, bool d)
{
	struct driad_cand	*c;

	if (l->ncand == RESOLVE_MAX_CAND)
		return;
	c = &l->cand[l->ncand++];
	c->ip = *ip;
	c->precedence = precedence;
	c->d = d;
}

static void
resolve_addrinfo_cb(void *arg, int status, int timeouts,
    struct ares_addrinfo *ai)
{
	struct resolve_name		*n = arg;
	struct resolve_lookup		*l = n->l;
	struct ares_addrinfo_node	*node;
	struct amt_ip			 ip;

	l->pending--;
	if (status == ARES_SUCCESS && ai != NULL) {
		for (node = ai->nodes; node != NULL; node = node->ai_next) {
			if (node->ai_family != AF_INET &&
			    node->ai_family != AF_INET6)
				continue;
			ip_from_sa(node->ai_addr, &ip);
			resolve_add(l, &ip, n->precedence, n->d);
		}
	} else if (status != ARES_ENOTFOUND && status != ARES_ENODATA)
		l->tempfail = true;
	if (ai != NULL)
		ares_freeaddrinfo(ai);
	free(n);
	resolve_settle(l);
}

/* RFC 8777 4.2.4: a type 3 name resolved with A and AAAA. */
static void
resolve_name(struct resolve_lookup *l, const struct driad_rr *rr)
{
	struct ares_addrinfo_hints	 hints;
	struct resolve_name		*n;
	char				 name[DRIAD_NAME_STRLEN];

	if (driad_name_str(&rr->name, name, sizeof(name)) == -1)
		return;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		fatal("%s", __func__);
	n->l = l;
	n->precedence = rr->precedence;
	n->d = rr->d;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = ARES_AI_NOSORT;
	l->pending++;
	ares_getaddrinfo(l->r->ch, name, NULL, &hints, resolve_addrinfo_cb, n);
}

/* Type 3 names cost an A and an AAAA query each. */
static unsigned
resolve_records_cost(const struct driad_answer *a)
{
	unsigned	n = 0;
	size_t		i;

	for (i = 0; i < a->nrr; i++) {
		if (a->rr[i].type == DRIAD_TYPE_NAME)
			n += 2;
	}
	return n;
}

static void
resolve_records(struct resolve_lookup *l)
{
	const struct driad_rr	*rr;
	size_t			 i;

	/* Held so that an answer given at once cannot settle early. */
	l->pending++;
	for (i = 0; i < l->ans.nrr; i++) {
		rr = &l->ans.rr[i];
		if (rr->type == DRIAD_TYPE_NAME)
			resolve_name(l, rr);
		else
			resolve_add(l, &rr->ip, rr->precedence, rr->d);
	}
	l->pending--;
	resolve_settle(l);
}

static void
resolve_answer(struct resolve_lookup *l, const unsigned char *abuf, int alen)
{
	struct driad_answer	*a = &l->ans;

	if (driad_answer_parse(abuf, (size_t)alen, l->qname, a) == -1) {
		resolve_finish(l, RESOLVE_RETRY, "malformed DNS answer");
		return;
	}
	/*
	 * RFC 8777 4.2.4: type 0 "indicates that no AMT relay should be
	 * used for multicast traffic from this source".  The RFC gives no
	 * rule for type 0 next to other records; we take it as meant:
	 * the source's operator said no AMT, whatever else is listed.
	 */
	if (a->none) {
		resolve_finish(l, RESOLVE_NO_AMT, "type 0 record");
		return;
	}
	/* RFC 8777 3.4: CNAMEs and DNAMEs MUST be followed. */
	if (a->nrr == 0 && a->followed && l->follows < DRIAD_MAX_CHAIN &&
	    driad_name_str(&a->final, l->qname, sizeof(l->qname)) == 0) {
		l->follows++;
		resolve_step(l, resolve_query, 1);
		return;
	}
	if (a->nrr == 0) {
		resolve_finish(l, RESOLVE_NO_RELAY,
		    "no usable AMTRELAY record");
		return;
	}
	resolve_step(l, resolve_records, resolve_records_cost(a));
}

static void
resolve_query_cb(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct resolve_lookup	*l = arg;

	l->pending--;
	if (l->cancelled) {
		resolve_settle(l);
		return;
	}
	switch (status) {
	case ARES_SUCCESS:
		resolve_answer(l, abuf, alen);
		break;
	case ARES_ENOTFOUND:
		resolve_finish(l, RESOLVE_NO_RELAY, "NXDOMAIN");
		break;
	case ARES_ENODATA:
		resolve_finish(l, RESOLVE_NO_RELAY, "no AMTRELAY record");
		break;
	default:
		/* SERVFAIL, REFUSED, timeout, no server reachable. */
		resolve_finish(l, RESOLVE_RETRY, ares_strerror(status));
		break;
	}
}

static void
resolve_query(struct resolve_lookup *l)
{
	log_debug("driad: AMTRELAY? %s", l->qname);
	l->pending++;
	ares_query(l->r->ch, l->qname, 1 /* IN */, DRIAD_RRTYPE,
	    resolve_query_cb, l);
}

struct resolve_lookup *
resolve_amtrelay(struct resolve *r, const struct amt_ip *source,
    resolve_cb cb, void *arg)
{
	struct resolve_lookup	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		fatal("%s", __func__);
	if (driad_reverse_name(source, l->qname, sizeof(l->qname)) == -1) {
		free(l);
		return NULL;
	}
	if ((l->done_ev = event_new(r->base, -1, 0, resolve_done_cb,
	    l)) == NULL)
		fatalx("%s: event_new", __func__);
	l->r = r;
	l->cb = cb;
	l->arg = arg;
	l->source = *source;
	TAILQ_INSERT_TAIL(&r->lookups, l, entry);
	resolve_step(l, resolve_query, 1);
	return l;
}

void
resolve_cancel(struct resolve_lookup *l)
{
	if (l->finished) {
		event_del(l->done_ev);
		resolve_lookup_free(l);
		return;
	}
	/* Freed when c-ares gives back its last query. */
	l->cancelled = true;
}

struct resolve *
resolve_new(struct event_base *base, const char *server,
    const struct resolve_opts *opts)
{
	struct resolve		*r;
	struct ares_options	 o;
	int			 mask = ARES_OPT_SOCK_STATE_CB;

	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto fail;
	r->base = base;
	r->rate_n = RESOLVE_RATE_N;
	TAILQ_INIT(&r->socks);
	TAILQ_INIT(&r->lookups);
	TAILQ_INIT(&r->waiting);
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = resolve_sock_state;
	o.sock_state_cb_data = r;
	if (opts != NULL && opts->timeout_ms > 0) {
		o.timeout = opts->timeout_ms;
		mask |= ARES_OPT_TIMEOUTMS;
	}
	if (opts != NULL && opts->tries > 0) {
		o.tries = opts->tries;
		mask |= ARES_OPT_TRIES;
	}
	if (opts != NULL)
		r->pref = opts->pref;
	if (ares_init_options(&r->ch, &o, mask) != ARES_SUCCESS)
		goto fail;
	if ((server != NULL &&
	    ares_set_servers_ports_csv(r->ch, server) != ARES_SUCCESS) ||
	    (r->timer = evtimer_new(base, resolve_timer_cb, r)) == NULL ||
	    (r->rate_ev = evtimer_new(base, resolve_rate_cb, r)) == NULL) {
		ares_destroy(r->ch);
		goto fail;
	}
	return r;
fail:
	if (r != NULL && r->timer != NULL)
		event_free(r->timer);
	free(r);
	ares_library_cleanup();
	return NULL;
}

void
resolve_free(struct resolve *r)
{
	struct resolve_lookup	*l;
	struct resolve_sock	*s;

	TAILQ_FOREACH(l, &r->lookups, entry)
		l->cancelled = true;
	/* Calls back every query with ARES_EDESTRUCTION: lookups that wait
	 * for nothing else are freed there. */
	ares_destroy(r->ch);
	while ((l = TAILQ_FIRST(&r->lookups)) != NULL) {
		event_del(l->done_ev);
		resolve_lookup_free(l);
	}
	while ((s = TAILQ_FIRST(&r->socks)) != NULL)
		resolve_sock_free(r, s);
	event_free(r->timer);
	event_free(r->rate_ev);
	free(r);
	ares_library_cleanup();
}
