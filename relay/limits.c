/*
 * Limits that keep one abusive party from taking the relay's resources
 * (see SECURITY in amtrelayd(8)): open files, the upstream join budget,
 * and the rate limits on log lines a remote party can cause.
 *
 * Descriptors: the soft RLIMIT_NOFILE is raised to the hard one at
 * start (systemd's default soft limit, 1024, is far too few for a relay
 * that joins thousands of groups over sockets of 20 groups each); the
 * upstream join sockets may use all but LIMITS_FD_RESERVE of them, so
 * that the AMT sockets, the control socket and its clients always have
 * descriptors.  The join budget (max-upstream-groups, unless set) is
 * what those sockets can hold and what memory allows, capped.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "amt/log.h"
#include "relay.h"

#define LIMITS_FD_RESERVE	256	/* descriptors never used for joins */
#define LIMITS_JOINS_PER_FD	10	/* igmp_max_msf: the worst case */
#define LIMITS_MEM_PER_JOIN	(64 * 1024)	/* bytes of RAM per join */
#define LIMITS_UPSTREAM_MAX	100000
#define LIMITS_UPSTREAM_MIN	1024

static const char *const limits_rlog_names[RLOG_NKINDS] = {
	[RLOG_TUNNEL] = "tunnel",
	[RLOG_POLICY] = "policy",
	[RLOG_LIMIT] = "limit",
	[RLOG_UPSTREAM] = "upstream",
	[RLOG_MESSAGE] = "message",
};

/* Soft RLIMIT_NOFILE up to the hard limit (and fs.nr_open). */
static rlim_t
limits_nofile(void)
{
	struct rlimit	rl;
	rlim_t		old;
	FILE		*fp;
	unsigned long	nr_open = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024;
	old = rl.rlim_cur;
	if ((fp = fopen("/proc/sys/fs/nr_open", "r")) != NULL) {
		if (fscanf(fp, "%lu", &nr_open) != 1)
			nr_open = 0;
		fclose(fp);
	}
	rl.rlim_cur = rl.rlim_max;
	if (nr_open != 0 && rl.rlim_cur > nr_open)
		rl.rlim_cur = nr_open;
	if (rl.rlim_cur > old && setrlimit(RLIMIT_NOFILE, &rl) == 0) {
		log_info("open files: soft limit raised from %llu to %llu",
		    (unsigned long long)old, (unsigned long long)rl.rlim_cur);
		return rl.rlim_cur;
	}
	return old;
}

/* The default of max-upstream-groups on this machine. */
static unsigned
limits_upstream(unsigned socks)
{
	unsigned long long	n = (unsigned long long)socks *
				    LIMITS_JOINS_PER_FD, mem;
	long			pages = sysconf(_SC_PHYS_PAGES);
	long			psize = sysconf(_SC_PAGESIZE);

	if (pages > 0 && psize > 0) {
		mem = (unsigned long long)pages * (unsigned long long)psize /
		    LIMITS_MEM_PER_JOIN;
		if (mem < n)
			n = mem;
	}
	if (n > LIMITS_UPSTREAM_MAX)
		n = LIMITS_UPSTREAM_MAX;
	return n < LIMITS_UPSTREAM_MIN ? LIMITS_UPSTREAM_MIN : (unsigned)n;
}

/* Each second: the summaries of what the rate limits left out. */
static void
limits_rlog_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct relayd	*rd = arg;
	uint64_t	 total = 0;
	int		 k;

	for (k = 0; k < RLOG_NKINDS; k++) {
		log_limit_flush(&rd->rlog[k]);
		total += rd->rlog[k].total;
	}
	rd->stats.log_suppressed = total;
}

int
limits_start(struct relayd *rd)
{
	struct timeval	tv = { LOG_LIMIT_WINDOW_MS / 1000, 0 };
	rlim_t		nofile = limits_nofile();
	int		k;

	rd->max_upstream_socks = nofile > 2 * LIMITS_FD_RESERVE ?
	    (unsigned)(nofile - LIMITS_FD_RESERVE) : (unsigned)nofile / 2;
	rd->max_upstream = rd->conf.max_upstream_groups != 0 ?
	    rd->conf.max_upstream_groups :
	    limits_upstream(rd->max_upstream_socks);
	log_info("upstream: at most %u joins on %u sockets", rd->max_upstream,
	    rd->max_upstream_socks);
	for (k = 0; k < RLOG_NKINDS; k++) {
		memset(&rd->rlog[k], 0, sizeof(rd->rlog[k]));
		rd->rlog[k].kind = limits_rlog_names[k];
	}
	event_assign(&rd->rlog_ev, rd->base, -1, EV_PERSIST, limits_rlog_cb,
	    rd);
	return event_add(&rd->rlog_ev, &tv);
}

void
limits_stop(struct relayd *rd)
{
	event_del(&rd->rlog_ev);
}
