/*
 * A relay session (gateway pseudo-interface, RFC 7450 5.2.3): relay
 * discovery, the Request / Membership Query cycle and the query timer,
 * driven by the table of fsm.c.  Every transition is logged as
 * "event X in state Y -> Z".
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "amt/clock.h"
#include "amt/log.h"
#include "amt/mac.h"
#include "amt/mcast.h"
#include "amt/wire.h"
#include "gateway.h"

static void	session_timer_cb(evutil_socket_t, short, void *);

const char *
session_relay_str(struct session *s, char *buf, size_t len)
{
	if (!s->have_relay)
		return "none";
	return addr_str((struct sockaddr *)&s->relay_sa, buf, len);
}

static void
timer_arm_ms(struct session *s, uint32_t ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(s->timer, &tv);
}

static uint32_t
session_backoff(struct session *s, unsigned init, unsigned n)
{
	uint32_t	ms;

	/* G9: a probe of a silent relay not answered (liveness.c). */
	if (liveness_backoff(s, &ms))
		return ms;
	return fsm_backoff_ms(init, n, s->gw->conf.max_timeout);
}

int
session_init(struct gateway *gw, struct session *s)
{
	memset(s, 0, sizeof(*s));
	s->gw = gw;
	s->fd = s->disc_fd = -1;
	s->state = SS_INITIAL;
	s->qrv = 2;
	s->qqi = 125;
	s->use_discovery = gw->conf.discovery;
	if (s->use_discovery)
		s->disc_sa = gw->conf.peer;
	else
		s->relay_sa = gw->conf.peer;
	s->since = time(NULL);
	s->timer = evtimer_new(gw->base, session_timer_cb, s);
	s->td_ev = evtimer_new(gw->base, teardown_cb, s);
	if (s->timer == NULL || s->td_ev == NULL)
		return -1;
	return liveness_init(s);
}

void
session_free(struct session *s)
{
	relaysock_close(s);
	relaysock_close_discovery(s);
	liveness_free(s);
	if (s->timer != NULL)
		event_free(s->timer);
	if (s->td_ev != NULL)
		event_free(s->td_ev);
	s->timer = s->td_ev = NULL;
}

/*
 * RFC 8777 3.3.5 (G10): relays that sent L are avoided for a while
 * (now: clock_mono_ms, which a step of the wall clock does not move).
 * The ms left of sa's hold-down, 0 when it is not held down.
 */
static uint64_t
session_hold_left(struct session *s, const struct sockaddr *sa, uint64_t now)
{
	uint64_t	left = 0;
	int		i;

	for (i = 0; i < GW_HOLD_MAX; i++) {
		if (s->hold[i].until > now && s->hold[i].until - now > left &&
		    addr_eq((struct sockaddr *)&s->hold[i].relay, sa))
			left = s->hold[i].until - now;
	}
	return left;
}

bool
session_held_down(struct session *s, const struct sockaddr *sa, uint64_t now)
{
	return session_hold_left(s, sa, now) > 0;
}

static void
session_hold(struct session *s, bool on)
{
	uint64_t	now = clock_mono_ms();
	int		i, slot = 0;

	for (i = 0; i < GW_HOLD_MAX; i++) {
		if (addr_eq((struct sockaddr *)&s->hold[i].relay,
		    (struct sockaddr *)&s->relay_sa)) {
			s->hold[i].until = 0;
			slot = i;
		} else if (s->hold[i].until < s->hold[slot].until)
			slot = i;
	}
	if (!on)
		return;
	s->hold[slot].relay = s->relay_sa;
	s->hold[slot].until = now + (uint64_t)s->gw->conf.holddown * 1000;
}

/*
 * RFC 9601 6.1.4.2: E when this gateway propagates ECN (relaysock.c,
 * ecn.c);
 * without, E MUST NOT be set.  Relays that predate RFC 9601 and drop a
 * Discovery or Request whose reserved bits are not zero (the Linux
 * driver checks them) would never answer, so every other retransmission
 * goes without E: such a relay answers that one, and a relay that knows
 * E was asked with it first.
 */
static uint8_t
session_e_flag(const struct session *s, unsigned retry)
{
	return s->gw->conf.ecn && retry % 2 == 0 ? AMT_REQ_FLAG_E : 0;
}

/* RFC 7450 5.2.3.4.2: Relay Discovery with the saved nonce. */
static void
disc_send(struct session *s)
{
	struct amt_msg	m;

	if (s->disc_fd == -1 && relaysock_open_discovery(s) == -1)
		return;
	memset(&m, 0, sizeof(m));
	m.type = AMT_RELAY_DISCOVERY;
	m.nonce = s->disc_nonce;
	/* RFC 9601 6.1.4.2: E in the Relay Discovery too. */
	m.flags = session_e_flag(s, s->disc_retry);
	if (relaysock_send(s, s->disc_fd, &m) == 0)
		s->cnt.relay_discovery++;
}

/* RFC 7450 5.2.3.4.5: a new non-zero random nonce per discovery. */
static int
disc_start(struct session *s)
{
	s->disc_nonce = nonce_new();
	s->disc_retry = 0;
	relaysock_open_discovery(s);
	disc_send(s);
	timer_arm_ms(s, session_backoff(s, s->gw->conf.disc_timeout, 0));
	return SS_DISCOVERING;
}

/* The owner of s (DRIAD, D5) takes a failed relay over; false: s does. */
static bool
session_failed(struct session *s, const char *why)
{
	const struct session_hooks	*h = s->gw->hooks;

	return h != NULL && h->failed != NULL && h->failed(s, why);
}

static int
act_disc_resend(struct session *s)
{
	s->disc_retry++;
	/* D5: a DRIAD candidate that does not answer: the next one. */
	if (s->disc_retry > s->gw->conf.req_retries &&
	    session_failed(s, "no Relay Advertisement"))
		return SS_DISCOVERING;
	disc_send(s);
	timer_arm_ms(s, session_backoff(s, s->gw->conf.disc_timeout,
	    s->disc_retry));
	return SS_DISCOVERING;
}

/* RFC 7450 5.2.3.5.2: one Request per wanted query protocol. */
static void
request_send(struct session *s)
{
	struct amt_msg	m;
	unsigned	f;

	if (s->fd == -1 &&
	    relaysock_open(s, (struct sockaddr *)&s->relay_sa) == -1)
		return;
	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	m.nonce = s->req_nonce;
	for (f = SESS_FAM_V4; f <= SESS_FAM_V6; f <<= 1) {
		if ((s->req_fams & f) == 0)
			continue;
		/* P = 0: IGMPv3 General Query; P = 1: MLDv2 (interop.c). */
		m.flags = interop_req_flags(s, f == SESS_FAM_V6,
		    session_e_flag(s, s->req_retry));
		if (relaysock_send(s, s->fd, &m) == 0)
			s->cnt.request++;
	}
}

/*
 * RFC 7450 5.2.3.5.1, 5.2.3.5.6: a new cycle, a new nonce.  P follows the
 * families with local joins (IGMPv3 when there are none).  Several
 * Requests of one cycle share the nonce: the Response MAC does not depend
 * on P, so Updates of either family use the same nonce and MAC.
 */
static void
cycle_start(struct session *s, uint32_t delay_ms)
{
	s->req_nonce = nonce_new();
	s->req_retry = 0;
	s->got_fams = 0;
	s->req_fams = 0;
	if (lmdb_has_family(&s->gw->db, AF_INET))
		s->req_fams |= SESS_FAM_V4;
	if (lmdb_has_family(&s->gw->db, AF_INET6))
		s->req_fams |= SESS_FAM_V6;
	if (s->req_fams == 0)
		s->req_fams = SESS_FAM_V4;
	if (delay_ms == 0) {
		request_send(s);
		delay_ms = session_backoff(s, s->gw->conf.req_timeout, 0);
	}
	timer_arm_ms(s, delay_ms);
}

static int
act_req_resend(struct session *s)
{
	s->req_retry++;
	interop_req_unanswered(s);
	request_send(s);
	timer_arm_ms(s, session_backoff(s, s->gw->conf.req_timeout,
	    s->req_retry));
	return SS_REQUESTING;
}

/*
 * Stop using the current relay: RFC 7450 5.2.3.4.4 / 5.2.3.8, a Teardown
 * (if it gives gateway fields) or an Update deleting what we reported.
 */
static void
session_leave_relay(struct session *s)
{
	if (s->have_query && s->reported) {
		if (s->q_g)
			teardown_send_now(s);
		else
			update_delete_all(s);
	}
	evtimer_del(s->td_ev);
	relaysock_close(s);
	s->have_relay = false;
	s->have_query = false;
	s->reported = false;
	s->q_g = false;
	s->queried_tun = false;
}

static int
act_start(struct session *s)
{
	if (s->use_discovery)
		return disc_start(s);
	s->have_relay = true;
	relaysock_open(s, (struct sockaddr *)&s->relay_sa);
	cycle_start(s, 0);
	return SS_REQUESTING;
}

/* RFC 7450 5.2.3.5.3: no Query after the retries: find another relay. */
static int
act_req_giveup(struct session *s)
{
	char	a[ADDR_STRLEN];

	log_warnx("no Membership Query from relay %s after %u Requests",
	    session_relay_str(s, a, sizeof(a)), s->req_retry + 1);
	s->queried_tun = false;
	/* D5: a DRIAD relay that does not answer: the next candidate. */
	if (session_failed(s, "no Membership Query"))
		return SS_REQUESTING;
	if (s->use_discovery)
		return disc_start(s);
	/* A configured relay: keep trying at the longest back-off. */
	cycle_start(s, 0);
	s->req_retry = s->gw->conf.req_retries;
	timer_arm_ms(s, session_backoff(s, s->gw->conf.req_timeout,
	    s->req_retry));
	return SS_REQUESTING;
}

/* G10: the relay found sent L: discovery again when its hold ends. */
static int
disc_after_hold(struct session *s, uint64_t left_ms)
{
	char	a[ADDR_STRLEN];

	log_warnx("relay %s is held down (L flag) for %llu ms more: "
	    "discovery again then", session_relay_str(s, a, sizeof(a)),
	    (unsigned long long)left_ms);
	session_leave_relay(s);
	s->disc_nonce = nonce_new();
	s->disc_retry = 0;
	/* Past the end, whatever the rounding of the two clocks. */
	timer_arm_ms(s, (uint32_t)left_ms + 50);
	return SS_DISCOVERING;
}

static int
act_advert(struct session *s)
{
	const struct session_hooks *h = s->gw->hooks;
	const struct amt_msg	*m = s->ev_msg;
	struct sockaddr_storage	 sa;
	char			 a[ADDR_STRLEN];
	uint64_t		 left;

	ip_to_sa(&m->relay, s->gw->conf.port, &sa);
	/* RFC 7450 5.2.3.4.4: ignore other Advertisements from now on. */
	relaysock_close_discovery(s);
	if (s->have_relay && !addr_eq((struct sockaddr *)&sa,
	    (struct sockaddr *)&s->relay_sa)) {
		log_info("relay changed from %s",
		    session_relay_str(s, a, sizeof(a)));
		session_leave_relay(s);
	}
	if (!s->have_relay) {
		s->relay_sa = sa;
		s->have_relay = true;
		interop_relay_changed(s);
		relaysock_open(s, (struct sockaddr *)&sa);
	}
	log_info("relay %s", session_relay_str(s, a, sizeof(a)));
	if (h != NULL && h->advert_held != NULL && h->advert_held(s))
		return SS_REQUESTING;
	left = session_hold_left(s, (struct sockaddr *)&sa, clock_mono_ms());
	if (left > 0)
		return disc_after_hold(s, left);
	cycle_start(s, 0);
	return SS_REQUESTING;
}

/* The bit of req_fams / got_fams for a Query's protocol family. */
int
session_query_family(const struct mcast_query *q)
{
	return q->family == AF_INET6 ? SESS_FAM_V6 : SESS_FAM_V4;
}

/* RFC 7450 5.2.3.5.4: save nonce, MAC and gateway fields; start QT. */
static int
act_query(struct session *s)
{
	const struct amt_msg	*m = s->ev_msg;
	const struct mcast_query *q = s->ev_query;
	struct gw_conf		*c = &s->gw->conf;
	unsigned		 qt;
	bool			 first = s->got_fams == 0;

	s->have_query = true;
	s->q_nonce = m->nonce;
	memcpy(s->q_mac, m->mac, sizeof(s->q_mac));
	s->q_g = (m->flags & AMT_QUERY_FLAG_G) != 0;
	s->q_gw_port = m->gw_port;
	memcpy(s->q_gw_addr, m->gw_addr, sizeof(s->q_gw_addr));
	/* RFC 3376 4.1.6, 4.1.7; RFC 3810 5.1.8, 5.1.9: 0 means default. */
	s->qrv = q->qrv ? q->qrv : 2;
	s->qqi = q->qqi ? q->qqi : 125;
	s->got_fams |= session_query_family(q);
	s->limited = false;
	s->l_streak = 0;
	s->icmp_streak = 0;
	session_hold(s, false);
	/* G5: the query timer, shortened to keep NAT bindings alive. */
	qt = s->qqi;
	if (c->keepalive != 0 && c->keepalive < qt)
		qt = c->keepalive;
	timer_arm_ms(s, qt * 1000);
	/* G1: a new session: have the kernel report every join again. */
	if (!s->queried_tun) {
		s->queried_tun = true;
		tun_inject_queries(s->gw);
	}
	/* G6: both families with the cycle's first Query (any family). */
	if (first) {
		update_send_state(s, AF_INET);
		update_send_state(s, AF_INET6);
	}
	if (s->gw->hooks != NULL && s->gw->hooks->up != NULL)
		s->gw->hooks->up(s);
	return SS_UP;
}

/* G10, RFC 7450 5.2.3.5.4, RFC 8777 3.3.5: relay at capacity. */
static int
act_limit(struct session *s)
{
	char	a[ADDR_STRLEN];

	s->cnt.limited++;
	s->l_streak++;
	session_hold(s, true);
	/* D5, RFC 8777 3.3.5: a DRIAD relay with L: the next candidate. */
	if (session_failed(s, "L flag")) {
		s->limited = true;
		return SS_REQUESTING;
	}
	log_warnx("relay %s refuses new tunnels (L flag): held down for %u s",
	    session_relay_str(s, a, sizeof(a)), s->gw->conf.holddown);
	if (s->use_discovery) {
		session_leave_relay(s);
		return disc_start(s);
	}
	/* A configured relay: add nothing there, ask again later. */
	s->limited = true;
	cycle_start(s, session_backoff(s, s->gw->conf.req_timeout,
	    s->l_streak));
	return SS_REQUESTING;
}

/* RFC 7450 5.2.3.9 (3): a new Request cycle, after a back-off. */
static int
act_icmp(struct session *s)
{
	char		a[ADDR_STRLEN];
	uint32_t	ms;

	s->icmp_streak++;
	ms = session_backoff(s, s->gw->conf.req_timeout, s->icmp_streak);
	log_warnx("relay %s unreachable: new Request cycle in %u ms",
	    session_relay_str(s, a, sizeof(a)), ms);
	s->queried_tun = false;
	cycle_start(s, ms);
	return SS_REQUESTING;
}

static int
act_stop(struct session *s)
{
	evtimer_del(s->timer);
	evtimer_del(s->td_ev);
	/*
	 * RFC 7450 5.2.3.8: Teardown if the relay gave G, else an Update
	 * deleting every subscription, and a Teardown with our own socket
	 * address (the relay drops the tunnel at once if no NAT is between).
	 */
	if (s->have_query && (s->reported || lmdb_count(&s->gw->db,
	    AF_UNSPEC) > 0)) {
		if (s->q_g)
			teardown_send_now(s);
		else {
			update_delete_all(s);
			teardown_send_local(s);
		}
	}
	relaysock_close_discovery(s);
	return SS_DOWN;
}

static int
session_act(struct session *s, int action)
{
	switch (action) {
	case SA_START:
		return act_start(s);
	case SA_DISC_RESEND:
		return act_disc_resend(s);
	case SA_ADVERT:
		return act_advert(s);
	case SA_REQ_RESEND:
		return act_req_resend(s);
	case SA_REQ_GIVEUP:
		return act_req_giveup(s);
	case SA_QUERY:
		return act_query(s);
	case SA_LIMIT:
		return act_limit(s);
	case SA_TEARDOWN:
		if (s->reported)
			teardown_start(s);
		return s->state;
	case SA_NEW_CYCLE:
		s->icmp_streak = 0;
		cycle_start(s, 0);
		return SS_REQUESTING;
	case SA_ICMP:
		return act_icmp(s);
	case SA_SEND_CHANGE:
		update_send_change(s);
		return s->state;
	case SA_STOP:
		return act_stop(s);
	}
	return s->state;
}

void
session_fsm(struct session *s, int event)
{
	const struct sess_trans	*t;
	int			 next;

	if ((t = fsm_lookup(s->state, event)) == NULL) {
		log_debug("event %s in state %s: ignored",
		    fsm_event_name(event), fsm_state_name(s->state));
		return;
	}
	s->busy++;
	next = session_act(s, t->action);
	s->busy--;
	if (t->next == SS_SAME)
		next = s->state;
	else if (t->next != SS_ACT)
		next = t->next;
	if (event == SE_G_JOIN || event == SE_REQ_TIMEOUT ||
	    event == SE_DISC_TIMEOUT)
		log_debug("event %s in state %s -> %s", fsm_event_name(event),
		    fsm_state_name(s->state), fsm_state_name(next));
	else
		log_info("event %s in state %s -> %s", fsm_event_name(event),
		    fsm_state_name(s->state), fsm_state_name(next));
	if (next != s->state) {
		s->since = time(NULL);
		s->cnt.transitions++;
	}
	liveness_moved(s, next);
	s->state = next;
	/* An ICMP error met while sending inside an action comes now. */
	if (s->busy == 0 && s->pending_icmp) {
		s->pending_icmp = false;
		session_fsm(s, SE_ICMP_ERR);
	}
}

static void
session_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct session	*s = arg;

	switch (s->state) {
	case SS_DISCOVERING:
		session_fsm(s, SE_DISC_TIMEOUT);
		break;
	case SS_REQUESTING:
		if (s->req_retry >= liveness_req_retries(s))
			session_fsm(s, SE_REQ_GIVEUP);
		else
			session_fsm(s, SE_REQ_TIMEOUT);
		break;
	case SS_UP:
		session_fsm(s, SE_QUERY_TIMER);
		break;
	}
}

/*
 * Reload: a changed keepalive moves the running query timer (G5, G11);
 * other timers take the new values when they are next armed.
 */
void
session_timers_changed(struct session *s, const struct gw_conf *old)
{
	struct gw_conf	*c = &s->gw->conf;
	unsigned	 qt;

	if (c->keepalive == old->keepalive)
		return;
	log_info("keepalive %u s -> %u s", old->keepalive, c->keepalive);
	if (s->state != SS_UP)
		return;
	qt = s->qqi;
	if (c->keepalive != 0 && c->keepalive < qt)
		qt = c->keepalive;
	log_info("next Request cycle in %u s", qt);
	timer_arm_ms(s, qt * 1000);
}
