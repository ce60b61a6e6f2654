/*
 * amtgwd: AMT gateway (RFC 7450 5.2).  Start-up in a fixed order, as
 * amt/daemon.h describes: the configuration, the pid file (a second
 * instance fails here), then the modules of main_modules[] (local
 * membership, the tun, buffers, the sessions, DRIAD, the tun reader, the
 * control socket, /metrics and signals), stopped in the reverse order;
 * everything that can fail fails before detaching, with a message and a
 * sysexits code, so that an init script sees it.  Then detach, start the
 * session, drop privileges, write the pid file and say ready.
 */
#include "config.h"

#include <sys/types.h>
#include <linux/capability.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "amt/daemon.h"
#include "amt/log.h"
#include "amt/mac.h"
#include "gateway.h"

/*
 * Start order; stop is the reverse.  A start returns 0, -1 (the module's
 * exit code) or an exit code of its own; a module that fails is stopped
 * too, so that its stop undoes what it did start (every stop takes a
 * module never or half started).
 */
static int	main_db_start(struct gateway *);
static void	main_db_stop(struct gateway *);
static int	main_tun_buf_start(struct gateway *);
static void	main_tun_buf_stop(struct gateway *);
static int	main_signals_start(struct gateway *);
static void	main_signals_stop(struct gateway *);

static const struct main_module {
	const char	*name;
	int		(*start)(struct gateway *);
	void		(*stop)(struct gateway *);
	int		 exitcode;
} main_modules[] = {
	{ "local membership", main_db_start, main_db_stop, EX_SOFTWARE },
	{ "tun", tun_open, tun_close, EX_OSERR },
	{ "tun buffer", main_tun_buf_start, main_tun_buf_stop, EX_OSERR },
	{ "relay socket buffers", relaysock_start, relaysock_stop, EX_OSERR },
	{ "sessions", sessions_start, sessions_free, EX_OSERR },
	{ "DRIAD", driad_start, driad_free, EX_UNAVAILABLE },
	{ "tun reader", local_start, local_stop, EX_OSERR },
	{ "control socket", control_start, control_stop, EX_CANTCREAT },
	{ "metrics listener", gwmetrics_start, gwmetrics_stop, EX_CANTCREAT },
	{ "signals", main_signals_start, main_signals_stop, EX_OSERR },
};
#define MAIN_NMODULES	(sizeof(main_modules) / sizeof(main_modules[0]))

/* Kept with keep-net-admin after the privilege drop. */
static const int gateway_caps[] = { CAP_NET_ADMIN };

static void
main_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct gateway	*gw = arg;
	char		 err[512];

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("signal %d: shutting down", (int)sig);
		gateway_stop(gw);
		break;
	case SIGUSR1:
		control_log_stats(gw);
		break;
	case SIGHUP:
		log_info("SIGHUP: reloading the configuration");
		(void)reload_conf(gw, err, sizeof(err));
		break;
	}
}

/* RFC 7450 5.2.3.8: Teardown (or delete-all Update), then leave. */
void
gateway_stop(struct gateway *gw)
{
	if (gw->stopping)
		return;
	gw->stopping = true;
	sessions_stop(gw);
	event_base_loopbreak(gw->base);
}

/* Signals through libevent; handler rules do not apply in the loop. */
static int
main_signals_start(struct gateway *gw)
{
	const int	sigs[] = { SIGTERM, SIGINT, SIGUSR1, SIGHUP };

	return daemon_signals_start(gw->base, sigs, sizeof(sigs) /
	    sizeof(sigs[0]), gw->sig_ev, main_signal_cb, gw);
}

static void
main_signals_stop(struct gateway *gw)
{
	daemon_signals_stop(gw->sig_ev, sizeof(gw->sig_ev) /
	    sizeof(gw->sig_ev[0]));
}

static int
main_db_start(struct gateway *gw)
{
	lmdb_init(&gw->db);
	return 0;
}

static void
main_db_stop(struct gateway *gw)
{
	lmdb_clear(&gw->db);
}

/* One packet from the tun: MTU + 1 (longer reads are counted). */
static int
main_tun_buf_start(struct gateway *gw)
{
	gw->tun_buflen = (size_t)gw->tun.mtu + 1;
	if ((gw->tun_buf = malloc(gw->tun_buflen)) == NULL) {
		log_warn("tun buffer");
		return -1;
	}
	return 0;
}

static void
main_tun_buf_stop(struct gateway *gw)
{
	free(gw->tun_buf);
	gw->tun_buf = NULL;
}

static void
main_stop(struct gateway *gw, size_t started)
{
	while (started-- > 0) {
		log_debug("stopping %s", main_modules[started].name);
		main_modules[started].stop(gw);
	}
}

/* Start every module; on failure stop those started: the exit code. */
static int
main_start(struct gateway *gw)
{
	size_t	i;
	int	rv;

	if (mac_lib_init() == -1) {
		log_warnx("libsodium cannot start");
		return EX_SOFTWARE;
	}
	if ((gw->base = event_base_new()) == NULL) {
		log_warnx("cannot create the event loop");
		return EX_OSERR;
	}
	for (i = 0; i < MAIN_NMODULES; i++) {
		log_debug("starting %s", main_modules[i].name);
		if ((rv = main_modules[i].start(gw)) == 0)
			continue;
		log_warnx("cannot start %s", main_modules[i].name);
		main_stop(gw, i + 1);
		return rv > 0 ? rv : main_modules[i].exitcode;
	}
	gw->started = MAIN_NMODULES;
	return 0;
}

/* Everything start-up made, in reverse; the pid file last. */
static void
main_free(struct gateway *gw)
{
	main_stop(gw, gw->started);
	gw->started = 0;
	if (gw->base != NULL)
		event_base_free(gw->base);
	gw->base = NULL;
	pidfile_remove(gw->pf);
	gw->pf = NULL;
}

/* Without -d: detach; the parent exits 0 only once we are ready. */
static int
gateway_detach(struct gateway *gw, int *ready)
{
	char	err[256];

	*ready = -1;
	if (gw->conf.debug)
		return 0;
	if ((*ready = daemon_detach(err, sizeof(err))) == -1) {
		log_warnx("%s", err);
		return EX_OSERR;
	}
	log_init(0, gw->conf.log_facility, "amtgwd");
	reload_log_apply(&gw->conf);
	if (event_reinit(gw->base) == -1) {
		log_warnx("event_reinit failed");
		return EX_OSERR;
	}
	return 0;
}

/*
 * The tun and its addresses are set up: no capability is needed to read
 * and write it or to open the relay sockets again (unbound UDP).  With
 * keep-net-admin, CAP_NET_ADMIN stays for SO_RCVBUFFORCE on sockets
 * opened later.  Root without a user stays root.
 */
static int
gateway_drop_privs(struct gateway *gw)
{
	const char		*user = gw->conf.user[0] ? gw->conf.user : NULL;
	char			 err[256];

	if (user == NULL && geteuid() == 0)
		return 0;
	if (daemon_drop_privs(user, gateway_caps, gw->conf.keep_net_admin ? 1 : 0,
	    err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return EX_NOPERM;
	}
	log_info("running as uid %u, capabilities: %s", (unsigned)getuid(),
	    gw->conf.keep_net_admin ? "CAP_NET_ADMIN" : "none");
	return 0;
}

static int
gateway_ready(struct gateway *gw, int ready)
{
	char	err[256];
	int	rv;

	if ((rv = gateway_drop_privs(gw)) != 0)
		return rv;
	if (gw->pf != NULL && pidfile_write(gw->pf, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return EX_CANTCREAT;
	}
	daemon_ready(ready);
	return 0;
}

static int
gateway_pidfile(struct gateway *gw)
{
	char	err[256];

	if (gw->conf.pid_path[0] == '\0')
		return 0;
	if ((gw->pf = pidfile_open(gw->conf.pid_path, err,
	    sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return EX_CANTCREAT;
	}
	return 0;
}

static int
gateway_run(struct gateway *gw)
{
	char	a[ADDR_STRLEN];
	int	rv, ready = -1;

	if ((rv = gateway_pidfile(gw)) != 0 || (rv = main_start(gw)) != 0 ||
	    (rv = gateway_detach(gw, &ready)) != 0)
		return rv;
	log_info("amtgwd %s on %s, %s %s", PACKAGE_VERSION, gw->tun.name,
	    gw->conf.discovery ? "discovery address" : "relay",
	    addr_str((struct sockaddr *)&gw->conf.peer, a, sizeof(a)));
	/* --driad: the default session starts when something needs it. */
	sessions_run(gw);
	if ((rv = gateway_ready(gw, ready)) != 0)
		return rv;
	event_base_dispatch(gw->base);
	return 0;
}

int
main(int argc, char **argv)
{
	struct gateway	 gw;
	int		 rv;

	daemon_close_inherited();
	memset(&gw, 0, sizeof(gw));
	gw.tun.fd = -1;
	log_init(1, LOG_DAEMON, "amtgwd");
	if ((rv = conf_parse(&gw.conf, argc, argv)) >= 0)
		return rv;
	reload_log_apply(&gw.conf);
	log_libevent();
	if ((rv = gateway_run(&gw)) != 0) {
		log_warnx("not started");
		main_free(&gw);
		return rv;
	}
	main_free(&gw);
	log_info("exiting");
	return EX_OK;
}
