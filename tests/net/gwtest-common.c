/*
 * What gwtest-send and gwtest-recv share (gwtest-common.h).
 */
#include <arpa/inet.h>

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "amt/addr.h"
#include "gwtest-common.h"

static volatile sig_atomic_t gwtest_stop;

static void
gwtest_on_signal(int sig)
{
	gwtest_stop = 1;
}

void
gwtest_signals(void)
{
	signal(SIGTERM, gwtest_on_signal);
	signal(SIGINT, gwtest_on_signal);
}

int
gwtest_stopped(void)
{
	return (gwtest_stop);
}

uint64_t
gwtest_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec);
}

void
gwtest_group(const struct amt_ip *base, unsigned i, struct amt_ip *g)
{
	size_t		len = ip_len(base->family);
	uint32_t	last;

	*g = *base;
	memcpy(&last, g->u.b + len - 4, 4);
	last = htonl(ntohl(last) + i);
	memcpy(g->u.b + len - 4, &last, 4);
}
