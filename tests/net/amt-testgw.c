/*
 * amt-testgw: options, the event loop and the final JSON report.
 *
 * usage: amt-testgw [-r RELAY] [-D DISCOVERY] [-b LOCAL[:PORT]] [-n N]
 *            [-t SECONDS] [-P] [-E] [--join S,G|*,G] [--exclude S,G]
 *            [--leave S,G|*,G] [--rec TYPE,G[,S...]] [--v2] [--then]
 *            [--teardown] [--step T] [--refresh T] [--keep-first]
 *            [--spread: gateway i asks for sources S + i] ...
 *
 * Exit: 0 every check passed, 1 a check failed (the JSON says which),
 * 2 usage or system error.
 */
#include <sys/resource.h>
#include <sys/time.h>

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "amt/mac.h"
#include "testgw.h"

enum {
	OPT_JOIN = 256, OPT_EXCLUDE, OPT_LEAVE, OPT_REC, OPT_V2, OPT_THEN,
	OPT_TEARDOWN, OPT_STEP, OPT_REFRESH, OPT_KEEP_FIRST, OPT_UPD_DELAY,
	OPT_BAD_MAC, OPT_BURST, OPT_RETRIES, OPT_RATE, OPT_EXPECT, OPT_REQ9,
	OPT_LINUX_P, OPT_REPORT_SRC, OPT_DISCOVER_ONLY, OPT_ATK_RANDOM,
	OPT_ATK_MUTATE, OPT_ATK_FORGE, OPT_ATK_SPOOF, OPT_ATK_RATE,
	OPT_SPOOF_NET, OPT_TEARDOWN_BAD, OPT_TEARDOWN_EXIT,
	OPT_ATK_DELAY, OPT_SPREAD,
};

static const struct option tg_longopts[] = {
	{ "join", required_argument, NULL, OPT_JOIN },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "leave", required_argument, NULL, OPT_LEAVE },
	{ "rec", required_argument, NULL, OPT_REC },
	{ "v2", no_argument, NULL, OPT_V2 },
	{ "then", no_argument, NULL, OPT_THEN },
	{ "teardown", no_argument, NULL, OPT_TEARDOWN },
	{ "teardown-bad", no_argument, NULL, OPT_TEARDOWN_BAD },
	{ "teardown-at-exit", no_argument, NULL, OPT_TEARDOWN_EXIT },
	{ "step", required_argument, NULL, OPT_STEP },
	{ "refresh", required_argument, NULL, OPT_REFRESH },
	{ "keep-first", no_argument, NULL, OPT_KEEP_FIRST },
	{ "spread", no_argument, NULL, OPT_SPREAD },
	{ "update-delay", required_argument, NULL, OPT_UPD_DELAY },
	{ "bad-mac", no_argument, NULL, OPT_BAD_MAC },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "req9", no_argument, NULL, OPT_REQ9 },
	{ "linux-p", no_argument, NULL, OPT_LINUX_P },
	{ "report-src", required_argument, NULL, OPT_REPORT_SRC },
	{ "discover-only", no_argument, NULL, OPT_DISCOVER_ONLY },
	{ "attack-random", required_argument, NULL, OPT_ATK_RANDOM },
	{ "attack-mutate", required_argument, NULL, OPT_ATK_MUTATE },
	{ "attack-forge", required_argument, NULL, OPT_ATK_FORGE },
	{ "attack-spoof", required_argument, NULL, OPT_ATK_SPOOF },
	{ "attack-rate", required_argument, NULL, OPT_ATK_RATE },
	{ "attack-delay", required_argument, NULL, OPT_ATK_DELAY },
	{ "spoof-net", required_argument, NULL, OPT_SPOOF_NET },
	{ NULL, 0, NULL, 0 },
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: amt-testgw [-PEv] [-r relay] [-D discovery] "
	    "[-b local[:port]] [-n gateways] [-t seconds]\n"
	    "    [--join S,G|*,G] [--exclude S,G] [--leave S,G|*,G] "
	    "[--rec TYPE,G[,S..]] [--v2]\n"
	    "    [--then] [--teardown] [--teardown-bad] [--teardown-at-exit] "
	    "[--step T]\n    [--refresh T] [--keep-first] [--spread] [--update-delay T]"
	    "\n"
	    "    [--bad-mac] [--burst K] [--retries N] [--rate R] "
	    "[--expect N] [--req9] [--linux-p]\n"
	    "    [--report-src A] [--discover-only] [--attack-random N] "
	    "[--attack-mutate N]\n"
	    "    [--attack-forge N] [--attack-spoof N] [--attack-rate R] "
	    "[--attack-delay T]\n    [--spoof-net P/L]\n");
	exit(2);
}

double
tg_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void
tg_timer(struct event *ev, double secs)
{
	struct timeval	tv;

	if (secs < 0)
		secs = 0;
	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - tv.tv_sec) * 1e6);
	evtimer_add(ev, &tv);
}

void
tg_log(struct tg *tg, const char *fmt, ...)
{
	va_list	ap;

	if (!tg->conf.verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "amt-testgw: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static double
opt_num(const char *s)
{
	char	*end;
	double	 v;

	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || v < 0)
		usage();
	return v;
}

static void
opt_addr(const char *s, uint16_t port, struct sockaddr_storage *ss)
{
	if (addr_parse(s, port, ss) == -1) {
		fprintf(stderr, "amt-testgw: bad address %s\n", s);
		exit(2);
	}
}

static void
opt_report_src(struct tg_conf *c, const char *s)
{
	struct amt_ip	ip;

	if (ip_parse(s, &ip) == -1)
		usage();
	if (ip.family == AF_INET)
		c->report_src4 = ip;
	else
		c->report_src6 = ip;
}

static void
opt_spoof_net(struct tg_conf *c, const char *s)
{
	char	tmp[64], *slash;

	if (strlen(s) >= sizeof(tmp))
		usage();
	strcpy(tmp, s);
	if ((slash = strchr(tmp, '/')) == NULL)
		usage();
	*slash = '\0';
	c->spoof_plen = atoi(slash + 1);
	if (ip_parse(tmp, &c->spoof_net) == -1 || c->spoof_plen < 8 ||
	    c->spoof_plen > (c->spoof_net.family == AF_INET ? 30 : 96))
		usage();
}

/* Record options, in the order of their OPT_ values. */
static const char *const tg_rec_kinds[] = {
	[OPT_JOIN - OPT_JOIN] = "join",
	[OPT_EXCLUDE - OPT_JOIN] = "exclude",
	[OPT_LEAVE - OPT_JOIN] = "leave",
	[OPT_REC - OPT_JOIN] = "rec",
};

static const int tg_signals[3] = { SIGINT, SIGTERM, SIGUSR1 };

static void
opt_record(struct tg_conf *c, int opt, const char *arg)
{
	if (rec_parse(&c->phases[c->nphases - 1], tg_rec_kinds[opt - OPT_JOIN],
	    arg) == -1) {
		fprintf(stderr, "amt-testgw: bad record %s\n", arg);
		exit(2);
	}
}

/* Options about the gateways' exchange. */
static bool
opt_session(struct tg_conf *c, int ch, const char *arg)
{
	switch (ch) {
	case 'r':
		opt_addr(arg, AMT_PORT, &c->relay);
		c->have_relay = true;
		break;
	case 'D':
		opt_addr(arg, AMT_PORT, &c->disco);
		c->have_disco = true;
		break;
	case 'b':
		opt_addr(arg, 0, &c->bind);
		break;
	case 'n':
		c->ngw = (int)opt_num(arg);
		break;
	case 't':
		c->duration = opt_num(arg);
		break;
	case 'P':
		c->req_flags |= AMT_REQ_FLAG_P;
		break;
	case 'E':
		c->req_flags |= AMT_REQ_FLAG_E;
		break;
	case 'v':
		c->verbose = true;
		break;
	case OPT_LINUX_P:
		c->req_flags |= AMT_REQ_FLAG_P_LINUX;
		break;
	case OPT_REQ9:
		c->req9 = true;
		break;
	case OPT_DISCOVER_ONLY:
		c->discover_only = true;
		break;
	default:
		return false;
	}
	return true;
}

/* Options about phases, timing and checks. */
static bool
opt_phase(struct tg_conf *c, int ch, const char *arg)
{
	struct tg_phase	*ph = &c->phases[c->nphases - 1];

	switch (ch) {
	case OPT_JOIN: case OPT_EXCLUDE: case OPT_LEAVE: case OPT_REC:
		opt_record(c, ch, arg);
		break;
	case OPT_V2:
		ph->v2 = true;
		break;
	case OPT_TEARDOWN:
		ph->teardown = true;
		break;
	case OPT_TEARDOWN_BAD:
		ph->bad_teardown = true;
		break;
	case OPT_TEARDOWN_EXIT:
		c->teardown_exit = true;
		break;
	case OPT_THEN:
		if (c->nphases == TG_MAX_PHASES)
			usage();
		c->nphases++;
		break;
	case OPT_STEP:
		c->step = opt_num(arg);
		break;
	case OPT_REFRESH:
		c->refresh = opt_num(arg);
		break;
	case OPT_KEEP_FIRST:
		c->keep_first = true;
		break;
	case OPT_SPREAD:
		c->spread = true;
		break;
	case OPT_UPD_DELAY:
		c->update_delay = opt_num(arg);
		break;
	case OPT_BAD_MAC:
		c->bad_mac = true;
		break;
	case OPT_BURST:
		c->burst = (int)opt_num(arg);
		break;
	case OPT_RETRIES:
		c->retries = (int)opt_num(arg);
		break;
	case OPT_RATE:
		c->start_rate = opt_num(arg);
		break;
	case OPT_EXPECT:
		c->expect = (uint64_t)opt_num(arg);
		break;
	case OPT_REPORT_SRC:
		opt_report_src(c, arg);
		break;
	default:
		return false;
	}
	return true;
}

static bool
opt_attack(struct tg_conf *c, int ch, const char *arg)
{
	switch (ch) {
	case OPT_ATK_RANDOM:
		c->atk_random = (unsigned)opt_num(arg);
		break;
	case OPT_ATK_MUTATE:
		c->atk_mutate = (unsigned)opt_num(arg);
		break;
	case OPT_ATK_FORGE:
		c->atk_forge = (unsigned)opt_num(arg);
		break;
	case OPT_ATK_SPOOF:
		c->atk_spoof = (unsigned)opt_num(arg);
		break;
	case OPT_ATK_RATE:
		c->atk_rate = (unsigned)opt_num(arg);
		break;
	case OPT_ATK_DELAY:
		c->atk_delay = opt_num(arg);
		break;
	case OPT_SPOOF_NET:
		opt_spoof_net(c, arg);
		break;
	default:
		return false;
	}
	return true;
}

static void
conf_defaults(struct tg_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->ngw = 1;
	c->nphases = 1;
	c->duration = 10;
	c->burst = 1;
	c->retries = 5;
	c->start_rate = 500;
	c->atk_rate = 20000;
	c->atk_delay = 1;
	ip_parse("fe80::2", &c->report_src6);
	ip_parse("198.18.0.0", &c->spoof_net);
	c->spoof_plen = 15;
}

static void
conf_check(struct tg_conf *c)
{
	if (!c->have_relay && !c->have_disco)
		usage();
	if (c->ngw < 1 || c->ngw > 20000 || c->burst < 1 ||
	    c->burst > TG_MAX_BURST || c->start_rate <= 0)
		usage();
	if (c->bind.ss_family == 0)
		c->bind.ss_family = c->have_relay ? c->relay.ss_family :
		    c->disco.ss_family;
}

static void
conf_parse(struct tg_conf *c, int argc, char **argv)
{
	int	ch;

	conf_defaults(c);
	while ((ch = getopt_long(argc, argv, "r:D:b:n:t:PEv", tg_longopts,
	    NULL)) != -1) {
		if (!opt_session(c, ch, optarg) && !opt_phase(c, ch, optarg) &&
		    !opt_attack(c, ch, optarg))
			usage();
	}
	if (optind != argc)
		usage();
	conf_check(c);
}

/* The run ends when every gateway is done (or has its expected data). */
void
tg_maybe_done(struct tg *tg)
{
	int	i;

	if (tg->atk != NULL && !atk_done(tg))
		return;
	for (i = 0; i < tg->conf.ngw; i++) {
		if (tg->gws[i].state != TG_DONE &&
		    (tg->conf.expect == 0 || tg->gws[i].data < tg->conf.expect ||
		    tg->phase != tg->conf.nphases - 1))
			return;
	}
	event_base_loopexit(tg->base, NULL);
}

static void
tg_end_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct tg	*tg = arg;

	event_base_loopexit(tg->base, NULL);
}

/* Next phase: on SIGUSR1 or every --step seconds. */
static void
tg_next_phase(struct tg *tg)
{
	int	i;

	if (tg->phase + 1 >= tg->conf.nphases)
		return;
	tg->phase++;
	tg_log(tg, "phase %d", tg->phase);
	for (i = 0; i < tg->conf.ngw; i++)
		gw_phase(&tg->gws[i], tg->phase);
	if (tg->conf.step > 0)
		tg_timer(tg->step_ev, tg->conf.step);
}

static void
tg_step_cb(evutil_socket_t fd, short ev, void *arg)
{
	tg_next_phase(arg);
}

static void
tg_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct tg	*tg = arg;

	if (sig == SIGUSR1)
		tg_next_phase(tg);
	else
		event_base_loopexit(tg->base, NULL);
}

static void
tg_fdlimit(int need)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < (rlim_t)need + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
tg_setup(struct tg *tg)
{
	int	i;

	tg->base = event_base_new();
	tg->gws = calloc((size_t)tg->conf.ngw, sizeof(*tg->gws));
	if (tg->base == NULL || tg->gws == NULL)
		return -1;
	tg_fdlimit(tg->conf.ngw);
	for (i = 0; i < 3; i++) {
		tg->sig_ev[i] = evsignal_new(tg->base, tg_signals[i],
		    tg_signal_cb, tg);
		evsignal_add(tg->sig_ev[i], NULL);
	}
	tg->end_ev = evtimer_new(tg->base, tg_end_cb, tg);
	tg->step_ev = evtimer_new(tg->base, tg_step_cb, tg);
	tg_timer(tg->end_ev, tg->conf.duration);
	if (tg->conf.step > 0)
		tg_timer(tg->step_ev, tg->conf.step);
	for (i = 0; i < tg->conf.ngw; i++)
		if (gw_open(tg, &tg->gws[i], i) == -1)
			return -1;
	return 0;
}

static void
tg_free(struct tg *tg)
{
	int	i;

	for (i = 0; i < tg->conf.ngw; i++)
		gw_close(&tg->gws[i]);
	for (i = 0; i < 3; i++)
		event_free(tg->sig_ev[i]);
	event_free(tg->end_ev);
	event_free(tg->step_ev);
	atk_free(tg);
	free(tg->gws);
	event_base_free(tg->base);
}

int
main(int argc, char **argv)
{
	struct tg	*tg;
	int		 i, rc;

	signal(SIGPIPE, SIG_IGN);
	if ((tg = calloc(1, sizeof(*tg))) == NULL || mac_lib_init() == -1)
		return 2;
	conf_parse(&tg->conf, argc, argv);
	if (tg_setup(tg) == -1) {
		perror("amt-testgw: setup");
		return 2;
	}
	if ((tg->conf.atk_random | tg->conf.atk_mutate | tg->conf.atk_forge |
	    tg->conf.atk_spoof) != 0 && atk_start(tg) == -1) {
		perror("amt-testgw: attack setup");
		return 2;
	}
	for (i = 0; i < tg->conf.ngw; i++)
		gw_start(&tg->gws[i]);
	event_base_dispatch(tg->base);
	for (i = 0; i < tg->conf.ngw && tg->conf.teardown_exit; i++)
		if (tg->gws[i].have_q && !tg->gws[i].torn)
			gw_teardown(&tg->gws[i], false);
	rc = tg_report(tg);
	tg_free(tg);
	free(tg);
	return rc;
}
