/*
 * Announce and withdraw (--discovery-interface): the discovery addresses
 * are on the discovery interface only while this relay should get new
 * gateways.  They are withdrawn while draining, at --max-tunnels (R14:
 * a full relay's Queries carry L, better that discovery send gateways
 * elsewhere first), while the upstream interface is down or not
 * running (no data to give), and first thing at shutdown (R16); they
 * are put back when none of these holds.  Checked on every change the
 * relay makes itself (drain, shutdown) and every POOL_CHECK_MS for what
 * it does not (tunnels coming and going, the upstream link).
 *
 * Each change is logged and counted; `amtctl show stats` and /metrics
 * show them with the drain's progress (pool_report()).
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amt/clock.h"
#include "amt/log.h"
#include "pool.h"

#define POOL_CHECK_MS	200
/* After the addresses could not be added: checks skipped (5 s). */
#define POOL_RETRY_CHECKS	25

/* The upstream interface is up and has a carrier. */
static bool
pool_upstream_ok(struct pool *p)
{
	struct ifreq	ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%.*s", IFNAMSIZ - 1,
	    p->rd->conf.upstream_if);
	if (ioctl(p->ioc, SIOCGIFFLAGS, &ifr) == -1)
		return false;
	return (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) ==
	    (IFF_UP | IFF_RUNNING);
}

/* Why the relay should get no new gateways now; NULL: it should. */
static const char *
pool_unhealthy(struct pool *p)
{
	struct relayd	*rd = p->rd;

	if (p->stopping)
		return "shutting down";
	if (rd->draining)
		return "draining";
	if (rd->ntunnels >= rd->conf.max_tunnels)
		return "at max-tunnels";
	if (!pool_upstream_ok(p))
		return "upstream interface down";
	return NULL;
}

static void
pool_check(struct pool *p)
{
	const char	*why;

	if (!p->has_if)
		return;
	why = pool_unhealthy(p);
	if (why == NULL && !p->announced) {
		if (p->retry_wait > 0) {
			p->retry_wait--;
			return;
		}
		if (discif_set(&p->di, &p->rd->conf, true) == -1) {
			(void)discif_set(&p->di, &p->rd->conf, false);
			p->why = "the addresses cannot be added";
			p->retry_wait = POOL_RETRY_CHECKS;
			return;
		}
		p->announced = true;
		p->announcements++;
		log_info("discovery addresses announced on %s",
		    p->rd->conf.discovery_if);
	} else if (why != NULL && p->announced) {
		(void)discif_set(&p->di, &p->rd->conf, false);
		p->announced = false;
		p->withdrawals++;
		log_info("discovery addresses withdrawn from %s: %s",
		    p->rd->conf.discovery_if, why);
	}
	p->why = why;
}

static void
pool_check_cb(evutil_socket_t fd, short ev, void *arg)
{
	pool_check(arg);
}

static int
pool_open_if(struct pool *p)
{
	struct timeval	tv = { 0, POOL_CHECK_MS * 1000 };

	p->has_if = true;
	p->ioc = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->ioc == -1 || discif_open(&p->di, p->rd->conf.discovery_if) ==
	    -1)
		return -1;
	p->check_ev = event_new(p->rd->base, -1, EV_PERSIST, pool_check_cb,
	    p);
	if (p->check_ev == NULL || event_add(p->check_ev, &tv) == -1)
		return -1;
	pool_check(p);
	if (!p->announced)
		log_info("discovery addresses not announced: %s", p->why);
	return 0;
}

/* The module (main.c): the interface if asked for, and the drain. */
int
pool_start(struct relayd *rd)
{
	struct pool	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	p->rd = rd;
	p->ioc = -1;
	p->di.tun = p->di.nl = -1;
	rd->pool = p;
	if (drain_init(p) == -1 || (rd->conf.discovery_if[0] != '\0' &&
	    pool_open_if(p) == -1)) {
		pool_stop(rd);
		return -1;
	}
	return 0;
}

/* Shutdown (R16): withdrawn before anything else stops. */
void
pool_shutdown(struct relayd *rd)
{
	if (rd->pool == NULL)
		return;
	rd->pool->stopping = true;
	pool_check(rd->pool);
}

void
pool_stop(struct relayd *rd)
{
	struct pool	*p = rd->pool;

	if (p == NULL)
		return;
	pool_shutdown(rd);
	if (p->check_ev != NULL)
		event_free(p->check_ev);
	drain_free(p);
	discif_close(&p->di);
	if (p->ioc != -1)
		close(p->ioc);
	free(p);
	rd->pool = NULL;
}

/* `amtctl drain`, `amtctl undrain` (drain.c), withdrawn or announced. */
void
pool_drain(struct relayd *rd, bool on)
{
	drain_set(rd->pool, on);
	pool_check(rd->pool);
}

/* Whole seconds until a drain ends the tunnels left; 0 if none. */
static uint64_t
pool_drain_left(struct pool *p)
{
	uint64_t	now = clock_mono_ms();

	if (!p->rd->draining || p->drain_done || p->drain_end_ms <= now)
		return 0;
	return (p->drain_end_ms - now + 999) / 1000;
}

/* For `show stats` and /metrics: name, value, whether a counter. */
void
pool_report(struct relayd *rd, void (*cb)(const char *, uint64_t, bool,
    void *), void *arg)
{
	struct pool	*p = rd->pool;

	if (p == NULL)
		return;
	if (p->has_if) {
		cb("announced", p->announced, false, arg);
		cb("discovery-announcements", p->announcements, true, arg);
		cb("discovery-withdrawals", p->withdrawals, true, arg);
	}
	cb("draining", rd->draining, false, arg);
	cb("drain-tunnels-left", rd->draining ? rd->ntunnels : 0, false, arg);
	cb("drain-seconds-left", pool_drain_left(p), false, arg);
	cb("drain-tunnels-ended", p->drain_ended, true, arg);
}

/*
 * For the status page: the discovery interface's state and why, and the
 * drain's progress; NULL when the relay is in no pool and not draining.
 */
const char *
pool_describe(struct relayd *rd, char *buf, size_t len)
{
	struct pool	*p = rd->pool;
	size_t		 n = 0;

	if (p == NULL || (!p->has_if && !rd->draining) || len == 0)
		return NULL;
	buf[0] = '\0';
	if (p->has_if)
		snprintf(buf, len, "%s %s%s%s", rd->conf.discovery_if,
		    p->announced ? "announced" : "withdrawn",
		    p->why != NULL ? ": " : "", p->why != NULL ? p->why : "");
	n = strlen(buf);
	if (rd->draining && p->drain_done)
		snprintf(buf + n, len - n, "%sdrained, %llu tunnels ended",
		    n > 0 ? "; " : "", (unsigned long long)p->drain_ended);
	else if (rd->draining)
		snprintf(buf + n, len - n, "%sdraining: %u tunnels end in %llu s",
		    n > 0 ? "; " : "", rd->ntunnels,
		    (unsigned long long)pool_drain_left(p));
	return buf;
}
