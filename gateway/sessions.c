/*
 * The gateway's relay sessions: the default one (gw->sess, the relay or
 * discovery address of the configuration; with --driad the fallback) and
 * those a feature adds (DRIAD: one per relay, RFC 8777).  What concerns
 * all of them lives here: a kernel report to each, the repeats of state
 * changes (G6, RFC 3376 8.11) on one gateway-wide timer, the groups left
 * pruned once repeated, counters of sessions gone, start and stop.
 */
#include "config.h"

#include <string.h>

#include "amt/log.h"
#include "amt/mcast.h"
#include "gateway.h"

static void	sessions_rexmit_cb(evutil_socket_t, short, void *);

int
sessions_start(struct gateway *gw)
{
	TAILQ_INIT(&gw->sessions);
	gw->input = &session_input;
	if (session_init(gw, &gw->sess) == -1 || (gw->rexmit_ev =
	    evtimer_new(gw->base, sessions_rexmit_cb, gw)) == NULL) {
		log_warnx("cannot create session timers");
		return -1;
	}
	return 0;
}

void
sessions_free(struct gateway *gw)
{
	if (gw->rexmit_ev != NULL)
		event_free(gw->rexmit_ev);
	gw->rexmit_ev = NULL;
	session_free(&gw->sess);
}

/* Without an owner of sessions the default one starts now (--driad: later). */
void
sessions_run(struct gateway *gw)
{
	if (gw->hooks == NULL)
		session_fsm(&gw->sess, SE_START);
}

/* Shutdown: every session leaves its relay (RFC 7450 5.2.3.8). */
void
sessions_stop(struct gateway *gw)
{
	struct session	*s;

	for (s = sessions_next(gw, NULL); s != NULL; s = sessions_next(gw, s)) {
		if (s == &gw->sess || (s->state != SS_INITIAL &&
		    s->state != SS_DOWN))
			session_fsm(s, SE_STOP);
	}
}

/* The default session first, then the others. */
struct session *
sessions_next(struct gateway *gw, struct session *prev)
{
	if (prev == NULL)
		return &gw->sess;
	if (prev == &gw->sess)
		return TAILQ_FIRST(&gw->sessions);
	return TAILQ_NEXT(prev, entry);
}

void
sessions_add(struct gateway *gw, struct session *s)
{
	TAILQ_INSERT_TAIL(&gw->sessions, s, entry);
}

static void
sessions_counters_add(struct sess_counters *t, const struct sess_counters *c)
{
	t->relay_discovery += c->relay_discovery;
	t->relay_advertisement += c->relay_advertisement;
	t->request += c->request;
	t->membership_query += c->membership_query;
	t->membership_update += c->membership_update;
	t->teardown += c->teardown;
	t->data_packets += c->data_packets;
	t->data_bytes += c->data_bytes;
	t->limited += c->limited;
	t->icmp_errors += c->icmp_errors;
	t->transitions += c->transitions;
	t->probes += c->probes;
	t->silences += c->silences;
	t->recoveries += c->recoveries;
	t->stale_queries += c->stale_queries;
	t->other_family += c->other_family;
	t->layout_switches += c->layout_switches;
}

/* Session s goes: its counters stay in the gateway's totals. */
void
sessions_remove(struct gateway *gw, struct session *s)
{
	TAILQ_REMOVE(&gw->sessions, s, entry);
	sessions_counters_add(&gw->sess_gone, &s->cnt);
}

/* Gateway-wide: every session now, and the sessions gone. */
void
sessions_totals(struct gateway *gw, struct sess_counters *t)
{
	struct session	*s;

	*t = gw->sess_gone;
	for (s = sessions_next(gw, NULL); s != NULL; s = sessions_next(gw, s))
		sessions_counters_add(t, &s->cnt);
}

/*
 * A kernel report: every session sends its part, then the owner of
 * sessions looks at the new membership; rexmit: state changes to repeat.
 * Groups left and repeated enough go.
 */
void
sessions_local_change(struct gateway *gw, const struct mcast_report *rep,
    bool rexmit)
{
	struct session	*s;

	if (rexmit)
		sessions_rexmit_schedule(gw);
	for (s = sessions_next(gw, NULL); s != NULL; s = sessions_next(gw, s))
		session_local_change(s, rep);
	if (gw->hooks != NULL && gw->hooks->membership != NULL)
		gw->hooks->membership(gw);
	lmdb_prune(&gw->db);
}

void
sessions_rexmit_schedule(struct gateway *gw)
{
	struct timeval	tv = { 1, 0 };

	/* RFC 3376 8.11: Unsolicited Report Interval, 1 s. */
	if (!evtimer_pending(gw->rexmit_ev, NULL))
		evtimer_add(gw->rexmit_ev, &tv);
}

/*
 * G6, RFC 7450 5.2.1, RFC 3376 5.1: a state change is repeated QRV - 1
 * times, each repeat carrying the group's state at that moment (TO_IN /
 * TO_EX), which merges later changes of the same group.  Every session
 * gets its part (D4); the count goes down once per repeat, and a group
 * left goes after its last one.
 */
static void
sessions_rexmit_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gateway	*gw = arg;
	struct session	*s;

	for (s = sessions_next(gw, NULL); s != NULL; s = sessions_next(gw, s))
		update_rexmit(s);
	if (lmdb_rexmit_done(&gw->db))
		sessions_rexmit_schedule(gw);
	lmdb_prune(&gw->db);
}

/* Teardown to the default session's relay, then a new one, not started. */
int
sessions_reset_default(struct gateway *gw)
{
	struct session	*s = &gw->sess;

	if (s->state != SS_INITIAL && s->state != SS_DOWN)
		session_fsm(s, SE_STOP);
	sessions_counters_add(&gw->sess_gone, &s->cnt);
	session_free(s);
	return session_init(gw, s);
}

/*
 * Reload with another relay or discovery address: leave the old relay as
 * on shutdown (RFC 7450 5.2.3.8), then a new session from the start; an
 * owner of sessions decides when its default session starts.
 */
int
sessions_restart_default(struct gateway *gw)
{
	if (gw->hooks != NULL && gw->hooks->reload_default != NULL)
		return gw->hooks->reload_default(gw);
	if (sessions_reset_default(gw) == -1)
		return -1;
	session_fsm(&gw->sess, SE_START);
	return 0;
}
