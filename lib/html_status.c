/*
 * A status page's life (amt/html.h): the page on GET / of the metrics
 * listener, the start time for its uptime and a timer of its own that
 * samples the daemon's counters into rates every interval seconds.
 * What the page shows and what the sampler counts is the daemon's.
 */
#include "config.h"

#include <stdlib.h>

#include <event2/event.h>

#include "amt/clock.h"
#include "amt/html.h"
#include "amt/log.h"
#include "amt/metrics.h"

static void
html_status_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct html_status	*st = arg;

	st->sample(st, st->arg);
}

struct html_status *
html_status_start(struct event_base *base, struct metrics *m,
    unsigned interval, html_sample_cb sample, metrics_page_cb page,
    void *arg)
{
	struct html_status	*st;
	struct timeval		 tv = { interval, 0 };

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->ev = event_new(base, -1, EV_PERSIST, html_status_tick,
	    st)) == NULL) {
		log_warn("status page");
		free(st);
		return NULL;
	}
	st->sample = sample;
	st->arg = arg;
	st->started = clock_mono_s();
	evtimer_add(st->ev, &tv);
	metrics_set_page(m, page, arg);
	return st;
}

void
html_status_stop(struct html_status *st)
{
	if (st == NULL)
		return;
	event_free(st->ev);
	free(st);
}
