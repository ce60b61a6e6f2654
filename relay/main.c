/*
 * amtrelayd: an AMT relay (RFC 7450).  One libevent loop; start-up as
 * smcroute's start_server(): modules start in a fixed order and stop in
 * the reverse order, so that shutdown (R16, RFC 7450 5.3.4) stops the
 * data, frees every tunnel (the data plane leaves upstream), closes the
 * AMT sockets and removes the control socket, in that order.  Operations
 * (daemon life, the pid file, the privilege drop) as amt/daemon.h lays
 * them out; reload in reload.c.
 */
#include "config.h"

#include <sys/types.h>
#include <linux/capability.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>

#include "amt/daemon.h"
#include "amt/log.h"
#include "relay.h"

static int	main_signals_start(struct relayd *);
static void	main_signals_stop(struct relayd *);

/* Start order; stop is the reverse. */
static const struct main_module {
	const char	*name;
	int		(*start)(struct relayd *);
	void		(*stop)(struct relayd *);
	int		 exitcode;
} main_modules[] = {
	{ "limits", limits_start, limits_stop, EX_OSERR },
	{ "control socket", control_start, control_stop, EX_CANTCREAT },
	{ "AMT sockets", listen_start, listen_stop, EX_OSERR },
	{ "response MAC keys", keys_start, keys_stop, EX_SOFTWARE },
	{ "send batches", batch_start, batch_stop, EX_SOFTWARE },
	{ "replication", repl_start, repl_stop, EX_SOFTWARE },
	{ "forwarding", fwd_start, fwd_stop, EX_SOFTWARE },
	{ "source policy", policy_start, policy_stop, EX_SOFTWARE },
	{ "upstream", upstream_start, upstream_stop, EX_OSERR },
	{ "tunnels", tunnel_start, tunnel_stop, EX_SOFTWARE },
	{ "request rate limit", ratelimit_start, ratelimit_stop, EX_SOFTWARE },
	{ "capture", capture_start, capture_stop, EX_OSERR },
	{ "state file", statefile_start, statefile_stop, EX_SOFTWARE },
	{ "metrics listener", prom_start, prom_stop, EX_OSERR },
	{ "discovery interface", pool_start, pool_stop, EX_OSERR },
	{ "signals", main_signals_start, main_signals_stop, EX_SOFTWARE },
};
#define MAIN_NMODULES	(sizeof(main_modules) / sizeof(main_modules[0]))

static void
main_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct relayd	*rd = arg;
	char		 err[1024];

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("signal %d: shutting down", (int)sig);
		pool_shutdown(rd);
		event_base_loopexit(rd->base, NULL);
		break;
	case SIGHUP:
		if (reload_conf(rd, err, sizeof(err)) == -1)
			log_warnx("reload: %s; keeping the running "
			    "configuration", err);
		break;
	case SIGUSR1:
		control_log_stats(rd);
		break;
	}
}

/* Signals through libevent; handler rules do not apply in the loop. */
static int
main_signals_start(struct relayd *rd)
{
	const int	sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };

	return daemon_signals_start(rd->base, sigs, sizeof(sigs) /
	    sizeof(sigs[0]), rd->sig_ev, main_signal_cb, rd);
}

static void
main_signals_stop(struct relayd *rd)
{
	daemon_signals_stop(rd->sig_ev, sizeof(rd->sig_ev) /
	    sizeof(rd->sig_ev[0]));
}

static void
main_stop(struct relayd *rd, size_t started)
{
	while (started-- > 0) {
		log_debug("stopping %s", main_modules[started].name);
		main_modules[started].stop(rd);
	}
}

/* Start every module; on failure stop those started: the exit code. */
static int
main_start(struct relayd *rd)
{
	size_t	i;

	for (i = 0; i < MAIN_NMODULES; i++) {
		log_debug("starting %s", main_modules[i].name);
		if (main_modules[i].start(rd) == 0)
			continue;
		log_warnx("cannot start %s", main_modules[i].name);
		main_stop(rd, i);
		return main_modules[i].exitcode;
	}
	return 0;
}

/* Leave before anything runs: free what start-up made, say why. */
static void __attribute__((noreturn))
main_exit(struct relayd *rd, size_t started, int code)
{
	main_stop(rd, started);
	if (rd->base != NULL)
		event_base_free(rd->base);
	pidfile_remove(rd->pidfile);
	exit(code);
}

/*
 * Detach (unless -d): the parent waits for daemon_ready() and exits 0,
 * or 1 if the daemon dies first.  libevent's epoll and signal pipe are
 * made again in the child (event_reinit); the sockets stay.
 */
static int
main_detach(struct relayd *rd)
{
	char	err[256];
	int	ready;

	if (rd->conf.debug)
		return -1;
	if ((ready = daemon_detach(err, sizeof(err))) == -1) {
		log_warnx("%s", err);
		main_exit(rd, MAIN_NMODULES, EX_OSERR);
	}
	log_init(0, rd->conf.log_facility, "amtrelayd");
	(void)log_setlevel(rd->conf.log_level, rd->conf.verbose);
	if (event_reinit(rd->base) == -1) {
		log_warnx("event_reinit failed");
		main_exit(rd, MAIN_NMODULES, EX_OSERR);
	}
	return ready;
}

/*
 * -u: every socket is open; nothing the running relay does needs a
 * capability (upstream joins open plain UDP sockets; the capture ring,
 * the ICMP raw sockets and the AMT sockets stay open; what would need
 * them again, a new interface or address, needs a restart), so none is
 * kept, but for CAP_NET_ADMIN with a discovery interface: its addresses
 * come and go (announce.c).  lib/privdrop.c checks that the drop worked.
 */
static void
main_drop_privs(struct relayd *rd)
{
	static const int	admin[] = { CAP_NET_ADMIN };
	char			err[256];
	size_t			ncaps = rd->conf.discovery_if[0] ? 1 : 0;

	if (rd->conf.user[0] == '\0')
		return;
	if (daemon_drop_privs(rd->conf.user, admin, ncaps, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		main_exit(rd, MAIN_NMODULES, EX_NOPERM);
	}
	log_info("running as %s, no capabilities", rd->conf.user);
}

static void
main_pidfile(struct relayd *rd)
{
	const char	*path = conf_pid_file(&rd->conf);
	char		 err[512];

	if (path == NULL)
		return;
	if ((rd->pidfile = pidfile_open(path, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		exit(EX_CANTCREAT);
	}
}

/*
 * Start-up as daemon.h orders it: inherited descriptors closed, the
 * configuration read, the pid file locked, every socket opened and bound
 * (errors so far reach the caller's exit code), then detach, drop
 * privileges, write the pid file and say READY=1.
 */
int
main(int argc, char **argv)
{
	struct relayd	rd;
	char		err[256];
	int		ready, rc;

	daemon_close_inherited();
	log_init(1, LOG_DAEMON, "amtrelayd");
	memset(&rd, 0, sizeof(rd));
	TAILQ_INIT(&rd.listeners);
	TAILQ_INIT(&rd.tunnels);
	rd.listen_input = msg_input;
	if ((rc = conf_parse(&rd.conf, argc, argv)) >= 0)
		return rc;
	(void)log_setlevel(rd.conf.log_level, rd.conf.verbose);
	if (mac_lib_init() == -1) {
		log_warnx("libsodium cannot start");
		return EX_SOFTWARE;
	}
	log_libevent();
	main_pidfile(&rd);
	if ((rd.base = event_base_new()) == NULL) {
		log_warnx("event_base_new failed");
		main_exit(&rd, 0, EX_OSERR);
	}
	if ((rc = main_start(&rd)) != 0)
		main_exit(&rd, 0, rc);
	ready = main_detach(&rd);
	main_drop_privs(&rd);
	if (rd.pidfile != NULL && pidfile_write(rd.pidfile, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		main_exit(&rd, MAIN_NMODULES, EX_CANTCREAT);
	}
	daemon_ready(ready);
	log_info("amtrelayd running (upstream %s, %u tunnels max)",
	    rd.conf.upstream_if, rd.conf.max_tunnels);
	if (event_base_dispatch(rd.base) == -1)
		log_warnx("event loop failed");
	main_stop(&rd, MAIN_NMODULES);
	event_base_free(rd.base);
	pidfile_remove(rd.pidfile);
	log_info("amtrelayd stopped");
	return 0;
}
