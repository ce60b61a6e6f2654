/*
 * Packets the host stack sends into the tun (G1, RFC 7450 5.2.3.6.1):
 * IGMP and MLD reports become the local membership database and
 * Membership Updates; anything else is counted and ignored.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "amt/log.h"
#include "amt/mcast.h"
#include "gateway.h"

#define IPPROTO_IGMP_	2
#define IPV6_HBH	0

static bool
local_is_state_change(uint8_t type)
{
	return type >= MCAST_CHANGE_TO_INCLUDE &&
	    type <= MCAST_BLOCK_OLD_SOURCES;
}

/* Only IGMP, or IPv6 whose first header is Hop-by-Hop (RFC 3810 5). */
static bool
local_maybe_report(const uint8_t *p, size_t len)
{
	if (len >= 20 && (p[0] >> 4) == 4)
		return p[9] == IPPROTO_IGMP_;
	/* MLD messages carry Router Alert: ICMPv6 first is not MLD. */
	if (len >= 40 && (p[0] >> 4) == 6)
		return p[6] == IPV6_HBH;
	return false;
}

/* Apply the records to the database; mark changes for repetition (G6). */
static bool
local_apply(struct gateway *gw, const struct mcast_report *rep)
{
	struct mcast_report	 it = *rep;
	struct mcast_record	 r;
	struct lgroup		*g;
	bool			 rexmit = false, old;
	unsigned		 repeats;

	old = rep->version < (rep->family == AF_INET ? 3 : 2);

	repeats = gw->sess.qrv > 1 ? gw->sess.qrv - 1u : 0;
	while (mcast_report_next(&it, &r) == 1) {
		if (mcast_is_linklocal(&r.group)) {
			gw->st.linklocal_records++;
			continue;
		}
		if (!(old ? lmdb_apply_old : lmdb_apply)(&gw->db, &r) ||
		    !local_is_state_change(r.type))
			continue;
		if ((g = lmdb_find(&gw->db, &r.group)) != NULL &&
		    repeats > 0) {
			g->rexmit = repeats;
			rexmit = true;
		}
	}
	return rexmit;
}

/* At -v, what the kernel sent that could not be parsed. */
static void
local_log_bad(struct gateway *gw, const uint8_t *p, size_t len, int rc)
{
	char	hex[3 * 64 + 1];
	size_t	i;

	if (log_getverbose() < 1)
		return;
	for (i = 0; i < len && i < 64; i++)
		snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", p[i]);
	hex[3 * i] = '\0';
	log_debug("report from %s (%zu bytes): %s: %s", gw->tun.name, len,
	    mcast_strerror(rc), hex);
}

/* One packet the kernel sent into the tun. */
void
local_input(struct gateway *gw, const uint8_t *p, size_t len)
{
	struct mcast_report	rep;
	int			rc;

	if (!local_maybe_report(p, len)) {
		gw->st.tun_ignored++;
		return;
	}
	if ((rc = mcast_report_parse(p, len, &rep)) != MCAST_OK) {
		if (rc == MCAST_ERR_TYPE)
			gw->st.tun_ignored++;
		else {
			gw->st.tun_bad_report++;
			local_log_bad(gw, p, len, rc);
		}
		return;
	}
	gw->st.tun_reports++;
	sessions_local_change(gw, &rep, local_apply(gw, &rep));
}

static void
local_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gateway	*gw = arg;
	ssize_t		 n;
	int		 i;

	for (i = 0; i < GW_TUN_BURST; i++) {
		n = read(fd, gw->tun_buf, gw->tun_buflen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR) {
				gw->st.tun_read_errors++;
				log_debug("read %s: %s", gw->tun.name,
				    strerror(errno));
			}
			return;
		}
		if (n == 0)
			return;
		/* Longer than the MTU (changed behind our back): cut. */
		if ((size_t)n == gw->tun_buflen) {
			gw->st.tun_too_big++;
			continue;
		}
		local_input(gw, gw->tun_buf, (size_t)n);
	}
}

int
local_start(struct gateway *gw)
{
	gw->tun.ev = event_new(gw->base, gw->tun.fd, EV_READ | EV_PERSIST,
	    local_read_cb, gw);
	if (gw->tun.ev == NULL || event_add(gw->tun.ev, NULL) == -1) {
		log_warnx("cannot watch %s", gw->tun.name);
		return -1;
	}
	tun_inject_queries(gw);
	return 0;
}

void
local_stop(struct gateway *gw)
{
	if (gw->tun.ev != NULL) {
		event_free(gw->tun.ev);
		gw->tun.ev = NULL;
	}
}
