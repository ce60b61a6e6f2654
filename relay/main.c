/*
 * amtrelayd: an AMT relay (RFC 7450).  One libevent loop; start-up as
 * smcroute's start_server(): modules start in a fixed order and stop in
 * the reverse order, so that shutdown (R16, RFC 7450 5.3.4) stops the
 * data, frees every tunnel (the data plane leaves upstream), closes the
 * AMT sockets and removes the control socket, in that order.
 */
#include "config.h"

#include <sys/types.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>

#include "amt/log.h"
#include "relay.h"

/* The key ring is checked this often (R5: it rotates every key_rotate). */
#define MAIN_KEY_TICK_MAX	60

static int	main_keys_init(struct relayd *);
static void	main_keys_free(struct relayd *);
static int	main_tunnels_init(struct relayd *);
static int	main_signals_init(struct relayd *);
static void	main_signals_free(struct relayd *);

/* Start order; stop is the reverse. */
static const struct main_module {
	const char	*name;
	int		(*init)(struct relayd *);
	void		(*fini)(struct relayd *);
	int		 exitcode;
} main_modules[] = {
	{ "control socket", control_init, control_free, EX_CANTCREAT },
	{ "AMT sockets", listen_open, listen_close, EX_OSERR },
	{ "response MAC keys", main_keys_init, main_keys_free, EX_SOFTWARE },
	{ "forwarding", fwd_init, fwd_free, EX_SOFTWARE },
	{ "upstream", upstream_init, upstream_free, EX_OSERR },
	{ "tunnels", main_tunnels_init, tunnel_free_all, EX_SOFTWARE },
	{ "capture", capture_init, capture_free, EX_OSERR },
	{ "signals", main_signals_init, main_signals_free, EX_SOFTWARE },
};
#define MAIN_NMODULES	(sizeof(main_modules) / sizeof(main_modules[0]))

time_t
relay_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* R5: rotate the secret when its period has passed. */
static void
main_keys_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct relayd	*rd = arg;

	if (mac_ring_tick(&rd->macs, relay_now()))
		log_debug("response MAC secret rotated");
}

/*
 * R5, RFC 7450 5.3.3.4: the previous secret still verifies Updates for
 * 2 x the query interval after a rotation.
 */
static int
main_keys_init(struct relayd *rd)
{
	struct timeval	tv;

	mac_ring_init(&rd->macs, rd->conf.key_rotate, 2 * rd->conf.qqi,
	    relay_now());
	tv.tv_sec = rd->conf.key_rotate < MAIN_KEY_TICK_MAX ?
	    rd->conf.key_rotate : MAIN_KEY_TICK_MAX;
	tv.tv_usec = 0;
	event_assign(&rd->rotate_ev, rd->base, -1, EV_PERSIST, main_keys_cb,
	    rd);
	return event_add(&rd->rotate_ev, &tv);
}

static void
main_keys_free(struct relayd *rd)
{
	event_del(&rd->rotate_ev);
}

static int
main_tunnels_init(struct relayd *rd)
{
	tunnel_init(rd);
	return 0;
}

static void
main_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct relayd	*rd = arg;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("signal %d: shutting down", (int)sig);
		event_base_loopexit(rd->base, NULL);
		break;
	case SIGHUP:
		log_info("SIGHUP: reload not supported yet");
		break;
	case SIGUSR1:
		control_log_stats(rd);
		break;
	}
}

/* Signals through libevent; handler rules do not apply in the loop. */
static int
main_signals_init(struct relayd *rd)
{
	const int	sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	size_t		i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		rd->sig_ev[i] = evsignal_new(rd->base, sigs[i], main_signal_cb,
		    rd);
		if (rd->sig_ev[i] == NULL || evsignal_add(rd->sig_ev[i],
		    NULL) == -1)
			return -1;
	}
	return 0;
}

static void
main_signals_free(struct relayd *rd)
{
	size_t	i;

	for (i = 0; i < sizeof(rd->sig_ev) / sizeof(rd->sig_ev[0]); i++) {
		if (rd->sig_ev[i] != NULL)
			event_free(rd->sig_ev[i]);
		rd->sig_ev[i] = NULL;
	}
}

static void
main_stop(struct relayd *rd, size_t started)
{
	while (started-- > 0) {
		log_debug("stopping %s", main_modules[started].name);
		main_modules[started].fini(rd);
	}
}

/* Start every module; on failure stop those started and exit. */
static void
main_start(struct relayd *rd)
{
	size_t	i;

	for (i = 0; i < MAIN_NMODULES; i++) {
		log_debug("starting %s", main_modules[i].name);
		if (main_modules[i].init(rd) == 0)
			continue;
		log_warnx("cannot start %s", main_modules[i].name);
		main_stop(rd, i);
		event_base_free(rd->base);
		exit(main_modules[i].exitcode);
	}
}

int
main(int argc, char **argv)
{
	struct relayd	rd;

	memset(&rd, 0, sizeof(rd));
	TAILQ_INIT(&rd.listeners);
	TAILQ_INIT(&rd.tunnels);
	conf_parse(&rd.conf, argc, argv);
	log_init(rd.conf.debug, LOG_DAEMON, "amtrelayd");
	log_setverbose(rd.conf.verbose);
	if (mac_lib_init() == -1) {
		log_warnx("libsodium cannot start");
		return EX_SOFTWARE;
	}
	log_libevent();
	if ((rd.base = event_base_new()) == NULL) {
		log_warnx("event_base_new failed");
		return EX_OSERR;
	}
	main_start(&rd);
	/*
	 * Everything that can fail at start-up has been opened: this is
	 * where daemon(3), the pid file and the privilege drop will go.
	 */
	log_info("amtrelayd running (upstream %s, %u tunnels max)",
	    rd.conf.upstream_if, rd.conf.max_tunnels);
	if (event_base_dispatch(rd.base) == -1)
		log_warnx("event loop failed");
	main_stop(&rd, MAIN_NMODULES);
	event_base_free(rd.base);
	log_info("amtrelayd stopped");
	return 0;
}
