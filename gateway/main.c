/*
 * amtgwd: AMT gateway (RFC 7450 5.2).  Start-up in a fixed order (tun,
 * local membership, session, control socket, signals), everything that
 * can fail fails before the loop, with a message and a sysexits code.
 */
#include "config.h"

#include <sys/types.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "amt/log.h"
#include "amt/mac.h"
#include "gateway.h"

static const int gateway_sigs[] = { SIGTERM, SIGINT, SIGUSR1, SIGHUP };

static void
gateway_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct gateway	*gw = arg;

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
		log_warnx("SIGHUP: reload not supported yet");
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
	session_fsm(&gw->sess, SE_STOP);
	event_base_loopbreak(gw->base);
}

static int
gateway_signals(struct gateway *gw)
{
	size_t	i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(gateway_sigs) / sizeof(gateway_sigs[0]); i++) {
		gw->sig_ev[i] = evsignal_new(gw->base, gateway_sigs[i],
		    gateway_signal_cb, gw);
		if (gw->sig_ev[i] == NULL ||
		    evsignal_add(gw->sig_ev[i], NULL) == -1)
			return (-1);
	}
	return (0);
}

static int
gateway_start(struct gateway *gw)
{
	int	rv;

	if (mac_lib_init() == -1) {
		log_warnx("libsodium cannot start");
		return (EX_SOFTWARE);
	}
	if ((gw->base = event_base_new()) == NULL) {
		log_warnx("cannot create the event loop");
		return (EX_OSERR);
	}
	if ((gw->rx_buf = malloc((size_t)GW_RX_BATCH * GW_RX_BUFSZ)) == NULL) {
		log_warn("receive buffers");
		return (EX_OSERR);
	}
	lmdb_init(&gw->db);
	if ((rv = tun_open(gw)) != 0)
		return (rv);
	if (session_init(gw, &gw->sess) == -1) {
		log_warnx("cannot create session timers");
		return (EX_OSERR);
	}
	if (local_start(gw) == -1)
		return (EX_OSERR);
	if (control_start(gw) == -1)
		return (EX_CANTCREAT);
	if (gateway_signals(gw) == -1) {
		log_warnx("cannot install signal handlers");
		return (EX_OSERR);
	}
	return (0);
}

static void
gateway_free(struct gateway *gw)
{
	size_t	i;

	for (i = 0; i < sizeof(gw->sig_ev) / sizeof(gw->sig_ev[0]); i++) {
		if (gw->sig_ev[i] != NULL)
			event_free(gw->sig_ev[i]);
	}
	control_stop(gw);
	session_free(&gw->sess);
	local_stop(gw);
	tun_close(gw);
	lmdb_clear(&gw->db);
	free(gw->rx_buf);
	if (gw->base != NULL)
		event_base_free(gw->base);
}

static int
gateway_daemonize(struct gateway *gw)
{
	if (gw->conf.debug)
		return (0);
	if (daemon(0, 0) == -1) {
		log_warn("daemon");
		return (EX_OSERR);
	}
	log_init(0, LOG_DAEMON, "amtgwd");
	log_setverbose(gw->conf.verbose);
	if (event_reinit(gw->base) == -1) {
		log_warnx("event_reinit failed");
		return (EX_OSERR);
	}
	return (0);
}

int
main(int argc, char **argv)
{
	struct gateway	 gw;
	char		 a[ADDR_STRLEN];
	int		 rv;

	memset(&gw, 0, sizeof(gw));
	gw.tun.fd = -1;
	log_init(1, LOG_DAEMON, "amtgwd");
	if ((rv = conf_parse(&gw.conf, argc, argv)) >= 0)
		return (rv);
	log_setverbose(gw.conf.verbose);
	if (gw.conf.check_only) {
		conf_print(&gw.conf);
		return (EX_OK);
	}
	log_libevent();
	if ((rv = gateway_start(&gw)) != 0 ||
	    (rv = gateway_daemonize(&gw)) != 0) {
		log_warnx("not started");
		gateway_free(&gw);
		return (rv);
	}
	log_info("amtgwd %s on %s, %s %s", PACKAGE_VERSION, gw.tun.name,
	    gw.conf.discovery ? "discovery address" : "relay",
	    addr_str((struct sockaddr *)&gw.conf.peer, a, sizeof(a)));
	session_fsm(&gw.sess, SE_START);
	event_base_dispatch(gw.base);
	gateway_free(&gw);
	log_info("exiting");
	return (EX_OK);
}
