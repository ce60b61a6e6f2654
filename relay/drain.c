/*
 * Drain (`amtctl drain`, `amtctl undrain`): send this relay's gateways to
 * the other relays of a pool.  The discovery addresses are withdrawn
 * (announce.c), every Query carries L (RFC 7450 5.1.4.4: the relay
 * accepts no new tunnels; message.c reads rd->draining) so that a
 * gateway that asks leaves at once (RFC 7450 5.2.3.5.4: it goes back to
 * discovery), and after --drain-time seconds the tunnels left are ended:
 * their data stops, their gateways probe (a Request, answered with L)
 * and rediscover, reaching another relay through the anycast route that
 * no longer leads here.  The relay stays drained until `amtctl undrain`.
 */
#include "config.h"

#include <stdlib.h>

#include "amt/clock.h"
#include "amt/log.h"
#include "pool.h"

/* The drain time is over: end every tunnel left. */
static void
drain_end_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct pool	*p = arg;
	struct relayd	*rd = p->rd;
	struct tunnel	*t;
	unsigned	 n = 0;

	while ((t = TAILQ_FIRST(&rd->tunnels)) != NULL) {
		tunnel_free(t);
		n++;
	}
	p->drain_ended += n;
	p->drain_done = true;
	log_info("drain: %u tunnels ended", n);
}

int
drain_init(struct pool *p)
{
	p->drain_ev = evtimer_new(p->rd->base, drain_end_cb, p);
	return p->drain_ev != NULL ? 0 : -1;
}

void
drain_free(struct pool *p)
{
	if (p->drain_ev != NULL)
		event_free(p->drain_ev);
	p->drain_ev = NULL;
}

/*
 * `amtctl drain` (on) and `amtctl undrain`; a second drain keeps time.
 * announce.c withdraws or announces after it.
 */
void
drain_set(struct pool *p, bool on)
{
	struct relayd	*rd = p->rd;
	struct timeval	 tv;

	if (on == rd->draining)
		return;
	rd->draining = on;
	if (on) {
		p->drain_done = false;
		p->drain_end_ms = clock_mono_ms() + 1000ULL *
		    rd->conf.drain_time;
		tv.tv_sec = rd->conf.drain_time;
		tv.tv_usec = 0;
		evtimer_add(p->drain_ev, &tv);
		log_info("draining: %u tunnels, ended in %u s", rd->ntunnels,
		    rd->conf.drain_time);
	} else {
		evtimer_del(p->drain_ev);
		log_info("undrained: %u tunnels", rd->ntunnels);
	}
}
