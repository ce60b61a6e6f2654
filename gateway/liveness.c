/*
 * Relay liveness (RFC 7450 5.2.3.5.5, 5.2.3.9; G5, G9): a session whose
 * joined flows fall silent probes its relay at once instead of waiting
 * for the query timer (QQI, 125 s by default).
 *
 * - Silence: the session delivered data, the host still has joins it
 *   reported, and no data came for silence-ms.  The probe is the next
 *   Request cycle started now (a relay answers a Request with a Query
 *   whether or not it knows the gateway, so a probe is harmless).  A
 *   restarted relay answers with a Query whose MAC is of its new secret,
 *   and the gateway sends its full state in an Update (G6): data flows
 *   again.
 * - Answered but still silent (the source paused): the next probe
 *   waits 1 s, 2 s, 4 s ... and once that reaches the query interval
 *   the query timer alone runs the cycles.
 * - Unanswered (or ICMP unreachable / ECONNREFUSED): retransmissions of
 *   the Request, then of the Relay Discovery, follow probe-first-ms
 *   for probe-quick-ms (the time a relay takes to restart), then
 *   doubled up to probe-max-ms, each drawn in [80 %, 100 %] of its
 *   step; after probe-retries unanswered Requests a session with a
 *   discovery address goes back to discovery (RFC 7450 5.2.3.5.3).
 *   With the defaults (250 ms, 2.5 s, 1500 ms) a relay back within 3 s
 *   of its loss is found within 250 ms; one absent for minutes sees a
 *   Request or Discovery every 1.35 s on average (about 1.1 s over the
 *   first minute) and is found within 1.5 s of its return.
 */
#include "config.h"

#include <string.h>

#include "amt/clock.h"
#include "amt/log.h"
#include "amt/mac.h"
#include "gateway.h"

/* Longest pause between checks for silence. */
#define LIVE_TICK_MAX_MS	1000
#define LIVE_TICK_MIN_MS	20

static void	liveness_tick_cb(evutil_socket_t, short, void *);

static void
live_arm(struct session *s)
{
	unsigned	ms = s->gw->conf.silence_ms / 4;
	struct timeval	tv;

	if (ms == 0 || ms > LIVE_TICK_MAX_MS)
		ms = LIVE_TICK_MAX_MS;
	if (ms < LIVE_TICK_MIN_MS)
		ms = LIVE_TICK_MIN_MS;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(s->live.ev, &tv);
}

int
liveness_init(struct session *s)
{
	memset(&s->live, 0, sizeof(s->live));
	s->live.ev = evtimer_new(s->gw->base, liveness_tick_cb, s);
	if (s->live.ev == NULL)
		return -1;
	live_arm(s);
	return 0;
}

void
liveness_free(struct session *s)
{
	if (s->live.ev != NULL)
		event_free(s->live.ev);
	s->live.ev = NULL;
}

static const char *
live_relay_str(const struct session *s, char *buf, size_t len)
{
	return addr_str((const struct sockaddr *)&s->relay_sa, buf, len);
}

/* The query timer (G5): the QQI, or the keepalive when shorter. */
static uint64_t
live_qt_ms(const struct session *s)
{
	unsigned	qt = s->qqi;

	if (s->gw->conf.keepalive != 0 && s->gw->conf.keepalive < qt)
		qt = s->gw->conf.keepalive;
	return (uint64_t)qt * 1000;
}

/* Flows the host joined and this session reported to its relay. */
static bool
live_joined(struct session *s)
{
	return s->reported && s->have_query &&
	    lmdb_count(&s->gw->db, AF_UNSPEC) > 0;
}

static void
live_probe(struct session *s, uint64_t now)
{
	struct sess_live	*l = &s->live;
	char			 a[ADDR_STRLEN];
	uint64_t		 wait;

	s->cnt.probes++;
	l->probed = true;
	l->probing = true;
	l->step = 0;
	l->probe_t0 = now;
	/* Answered probes back off up to the query interval, then stop. */
	wait = (uint64_t)1000 << (l->answered < 16 ? l->answered : 16);
	l->next_probe = wait >= live_qt_ms(s) ? UINT64_MAX : now + wait;
	l->answered++;
	log_info("relay %s: joined flows silent for %llu ms: probe %llu",
	    live_relay_str(s, a, sizeof(a)),
	    (unsigned long long)(now - l->last_data),
	    (unsigned long long)s->cnt.probes);
	/* The query timer, now: its QUERY_TIMER event starts the cycle. */
	evtimer_del(s->timer);
	event_active(s->timer, EV_TIMEOUT, 1);
}

/* Data again: the end of a silent period. */
static void
live_data(struct session *s, uint64_t now)
{
	struct sess_live	*l = &s->live;
	char			 a[ADDR_STRLEN];

	if (l->silent && l->probed) {
		s->cnt.recoveries++;
		log_info("relay %s: data again after %llu ms of silence",
		    live_relay_str(s, a, sizeof(a)),
		    (unsigned long long)(now - l->last_data));
	}
	if (l->silent)
		l->calm_since = now;
	l->silent = l->probed = false;
	l->had_data = true;
	l->last_pkts = s->cnt.data_packets;
	l->last_data = now;
	/* A query interval of steady data forgets the answered probes. */
	if (l->answered > 0 && now - l->calm_since >= live_qt_ms(s)) {
		l->answered = 0;
		l->next_probe = 0;
	}
}

static void
liveness_tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct session		*s = arg;
	struct sess_live	*l = &s->live;
	uint64_t		 now = clock_mono_ms();
	unsigned		 silence = s->gw->conf.silence_ms;

	live_arm(s);
	if (s->cnt.data_packets != l->last_pkts) {
		live_data(s, now);
		return;
	}
	if (silence == 0 || !l->had_data || now - l->last_data < silence ||
	    !live_joined(s))
		return;
	if (!l->silent) {
		l->silent = true;
		s->cnt.silences++;
	}
	/* A probe in flight: the session's retransmissions go on. */
	if (s->state != SS_UP || now < l->next_probe)
		return;
	live_probe(s, now);
}

/*
 * The wait before the next retransmission of a probe that is not
 * answered; false when no probe is out (the RFC back-off applies).
 */
bool
liveness_backoff(struct session *s, uint32_t *ms)
{
	struct sess_live	*l = &s->live;
	const struct gw_conf	*c = &s->gw->conf;
	uint64_t		 d;

	if (!l->probing || c->probe_first_ms == 0)
		return false;
	/* The quick phase: a relay restarting now is found at once. */
	if (clock_mono_ms() - l->probe_t0 < c->probe_quick_ms)
		l->step = 0;
	d = (uint64_t)c->probe_first_ms << (l->step < 16 ? l->step : 16);
	if (d > c->probe_max_ms)
		d = c->probe_max_ms;
	if (d < c->probe_first_ms)
		d = c->probe_first_ms;
	l->step++;
	*ms = rand_range((uint32_t)(d * 4 / 5), (uint32_t)d);
	return true;
}

/* Requests of a cycle before the session gives up on the relay. */
unsigned
liveness_req_retries(const struct session *s)
{
	if (s->live.probing && s->gw->conf.probe_retries <
	    s->gw->conf.req_retries)
		return s->gw->conf.probe_retries;
	return s->gw->conf.req_retries;
}

/*
 * G9: ECONNREFUSED / unreachable from a relay that sent data: it is
 * gone, probe quickly.
 */
void
liveness_icmp(struct session *s)
{
	/* A relay never reached yet keeps the RFC back-off (G3). */
	if (s->live.had_data && !s->live.probing) {
		s->live.probing = true;
		s->live.step = 0;
		s->live.probe_t0 = clock_mono_ms();
	}
}

/* session_fsm(): s moves to state next. */
void
liveness_moved(struct session *s, int next)
{
	if (next == SS_UP) {
		/* Answered: the relay is there. */
		s->live.probing = false;
		s->live.step = 0;
	} else if (next == SS_DOWN)
		evtimer_del(s->live.ev);
}
