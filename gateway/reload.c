/*
 * Reload (SIGHUP, "amtctl reload"): amtgwd.conf is read again under the
 * same command line into a new configuration, taken whole or not at all
 * (a broken file is logged with FILE:LINE and the running configuration
 * stays).  Timers, retries, hold-downs and the log level apply at once
 * and the session stays up; a changed relay or discovery address (with
 * --driad, fallback relay) starts a new default session (Teardown to the
 * old relay first); what is bound to the
 * tun, the sockets or the process identity needs a restart and is
 * logged as such.
 */
#include "config.h"

#include <string.h>
#include <syslog.h>

#include <event2/event.h>

#include "amt/addr.h"
#include "amt/log.h"
#include "gateway.h"

/* log-level with -v (log_setlevel); -vv: libevent's debug messages too. */
void
reload_log_apply(const struct gw_conf *c)
{
	int	v = log_setlevel(c->log_level, c->verbose);

	event_enable_debug_logging(v >= 2 ? EVENT_DBG_ALL : EVENT_DBG_NONE);
}

#define KEEP(field, name) \
	reload_keep(&nc->field, &old->field, sizeof(old->field), name)

/* A setting that needs a restart keeps its running value. */
static void
reload_keep(void *nv, const void *ov, size_t len, const char *name)
{
	if (memcmp(nv, ov, len) == 0)
		return;
	log_warnx("reload: %s changed: takes effect after a restart", name);
	memcpy(nv, ov, len);
}

static void
reload_restart_only(const struct gw_conf *old, struct gw_conf *nc)
{
	KEEP(tun_name, "tun");
	KEEP(tun_addr4, "tun-addr4");
	KEEP(tun_plen4, "tun-addr4");
	KEEP(tun_addr6, "tun-addr6");
	KEEP(mtu, "mtu");
	KEEP(keep_rp_all, "keep-rp-filter-all");
	KEEP(ctl_path, "socket");
	KEEP(pid_path, "pidfile");
	KEEP(user, "user");
	KEEP(keep_net_admin, "keep-net-admin");
	KEEP(metrics, "metrics");
	KEEP(driad, "driad");
	KEEP(resolver, "resolver");
}

static bool
reload_sa_changed(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	return a->ss_family != b->ss_family || (a->ss_family != 0 &&
	    !addr_eq((const struct sockaddr *)a, (const struct sockaddr *)b));
}

/* The default session's peer: with --driad, the fallback relay if set. */
static bool
reload_peer_changed(const struct gw_conf *old, const struct gw_conf *nc)
{
	if (nc->driad && (old->fallback_relay.ss_family != 0 ||
	    nc->fallback_relay.ss_family != 0))
		return reload_sa_changed(&old->fallback_relay,
		    &nc->fallback_relay);
	return old->discovery != nc->discovery || old->port != nc->port ||
	    !addr_eq((const struct sockaddr *)&old->peer,
	    (const struct sockaddr *)&nc->peer);
}

static void
reload_log_peer(const struct gw_conf *nc)
{
	const struct sockaddr_storage	*sa = &nc->peer;
	const char			*what = nc->discovery ?
					    "discovery address" : "relay";
	char				 a[ADDR_STRLEN];

	if (nc->driad && nc->fallback_relay.ss_family != 0) {
		sa = &nc->fallback_relay;
		what = "fallback relay";
	}
	log_info("reload: %s %s: new session", what,
	    addr_str((const struct sockaddr *)sa, a, sizeof(a)));
}

/* 0 when the new configuration runs, -1 with err when the old stays. */
int
reload_conf(struct gateway *gw, char *err, size_t len)
{
	struct gw_conf	 nc, old;
	bool		 peer;

	if (conf_reread(&gw->conf, &nc, err, len) == -1) {
		log_warnx("reload: %s; the running configuration stays", err);
		return -1;
	}
	reload_restart_only(&gw->conf, &nc);
	if (nc.log_facility != gw->conf.log_facility && !gw->conf.debug) {
		closelog();
		log_init(0, nc.log_facility, "amtgwd");
	}
	peer = reload_peer_changed(&gw->conf, &nc);
	old = gw->conf;
	gw->conf = nc;
	reload_log_apply(&gw->conf);
	if (peer) {
		reload_log_peer(&nc);
		if (sessions_restart_default(gw) == -1) {
			snprintf(err, len, "cannot start the new session");
			return -1;
		}
	} else
		session_timers_changed(&gw->sess, &old);
	log_info("configuration reloaded");
	return 0;
}
