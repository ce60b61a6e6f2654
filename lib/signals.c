/*
 * A daemon's signals through libevent: the callback runs in the event
 * loop, so the rules of signal handlers do not apply to it.  SIGPIPE is
 * ignored: a peer that goes away is seen as EPIPE by the write.
 */
#include "config.h"

#include <signal.h>
#include <stddef.h>

#include <event2/event.h>

#include "amt/daemon.h"

int
daemon_signals_start(struct event_base *base, const int *sigs, size_t n,
    struct event **evs, event_callback_fn cb, void *arg)
{
	size_t	i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < n; i++) {
		evs[i] = evsignal_new(base, sigs[i], cb, arg);
		if (evs[i] == NULL || evsignal_add(evs[i], NULL) == -1)
			return -1;
	}
	return 0;
}

void
daemon_signals_stop(struct event **evs, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (evs[i] != NULL)
			event_free(evs[i]);
		evs[i] = NULL;
	}
}
