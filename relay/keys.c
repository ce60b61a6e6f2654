/*
 * The response MAC secrets (RFC 7450 5.3.5, R5): a new secret
 * every key_rotate seconds on the monotonic clock; the previous one
 * still verifies Updates for 2 x the query interval after a rotation
 * (RFC 7450 5.3.3.4).
 */
#include "config.h"

#include <sys/time.h>

#include "amt/clock.h"
#include "amt/log.h"
#include "relay.h"

/* The ring is checked this often (it rotates every key_rotate). */
#define KEYS_TICK_MAX	60

/* R5: rotate the secret when its period has passed. */
static void
keys_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct relayd	*rd = arg;

	if (mac_ring_tick(&rd->macs, clock_mono_s()))
		log_debug("response MAC secret rotated");
}

/* The tick: at least every key_rotate s (again after a reload). */
int
keys_arm(struct relayd *rd)
{
	struct timeval	tv;

	tv.tv_sec = rd->conf.key_rotate < KEYS_TICK_MAX ?
	    rd->conf.key_rotate : KEYS_TICK_MAX;
	tv.tv_usec = 0;
	return event_add(&rd->rotate_ev, &tv);
}

/* Reload: the new period from now on; prev still verifies 2 x QQI. */
int
keys_reconf(struct relayd *rd)
{
	rd->macs.rotate_s = rd->conf.key_rotate;
	rd->macs.grace_s = 2 * rd->conf.qqi;
	return keys_arm(rd);
}

int
keys_start(struct relayd *rd)
{
	mac_ring_init(&rd->macs, rd->conf.key_rotate, 2 * rd->conf.qqi,
	    clock_mono_s());
	event_assign(&rd->rotate_ev, rd->base, -1, EV_PERSIST, keys_tick, rd);
	return keys_arm(rd);
}

void
keys_stop(struct relayd *rd)
{
	event_del(&rd->rotate_ev);
}
