/*
 * driad-query: look up the AMT relays of sources through DNS with the
 * gateway's resolver (gateway/resolve.c) and print the candidates in the
 * order the gateway would try them.  With -R, a look-up that may succeed
 * later (timeout, SERVFAIL) is asked again after the DRIAD back-off
 * (RFC 8777 3.5), up to N attempts in all.
 *
 * usage: driad-query [-v] [-s SERVER] [-t MS] [-T TRIES] [-p 4|6]
 *                    [-o 4|6] [-R N] SOURCE...
 * Prints, per attempt that will be retried:
 *   attempt SOURCE N retry WHY next MS
 * and per source at the end:
 *   result SOURCE STATUS ttl T unknown U bad B: WHY
 *   relay SOURCE I ADDR precedence P d D        (one per candidate)
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "amt/log.h"
#include "resolve.h"

struct dq {
	struct event_base	*base;
	struct resolve		*res;
	unsigned		 max_attempts;
	unsigned		 running;
	struct dq_source	*src;
	int			 nsrc;
};

struct dq_source {
	struct dq		*dq;
	struct amt_ip		 ip;
	char			 str[INET6_ADDRSTRLEN];
	unsigned		 attempt;
	struct event		*retry_ev;
	struct resolve_lookup	*l;		/* while running */
};

static void	dq_start(struct dq_source *);

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: driad-query [-v] [-s SERVER] [-t MS] "
	    "[-T TRIES] [-p 4|6] [-o 4|6] [-R N] [-X MS] SOURCE...\n");
	exit(1);
}

static void
dq_print(struct dq_source *s, const struct resolve_result *r)
{
	char	a[INET6_ADDRSTRLEN];
	size_t	i;

	printf("result %s %s ttl %u unknown %u bad %u: %s\n", s->str,
	    resolve_status_str(r->status), r->ttl, r->nunknown, r->nbad,
	    r->why);
	for (i = 0; i < r->ncand; i++) {
		printf("relay %s %zu %s precedence %u d %d\n", s->str, i + 1,
		    ip_str(&r->cand[i].ip, a, sizeof(a)),
		    r->cand[i].precedence, r->cand[i].d);
	}
	fflush(stdout);
}

static void
dq_done(struct dq_source *s)
{
	if (--s->dq->running == 0)
		event_base_loopexit(s->dq->base, NULL);
}

static void
dq_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	dq_start(arg);
}

static void
dq_result(const struct resolve_result *r, void *arg)
{
	struct dq_source	*s = arg;
	struct timeval		 tv;
	uint32_t		 ms;

	s->l = NULL;
	s->attempt++;
	if (r->status == RESOLVE_RETRY && s->attempt < s->dq->max_attempts) {
		/* D5: DNS retries back off 1 s .. 120 s. */
		ms = driad_backoff_ms(s->attempt - 1);
		printf("attempt %s %u retry %s next %u\n", s->str, s->attempt,
		    r->why, ms);
		fflush(stdout);
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		evtimer_add(s->retry_ev, &tv);
		return;
	}
	dq_print(s, r);
	dq_done(s);
}

static void
dq_start(struct dq_source *s)
{
	if ((s->l = resolve_amtrelay(s->dq->res, &s->ip, dq_result,
	    s)) == NULL) {
		printf("result %s error: no reverse name\n", s->str);
		dq_done(s);
	}
}

/* -X: give up on what is still running. */
static void
dq_abandon_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dq	*dq = arg;
	int		 i;

	for (i = 0; i < dq->nsrc; i++) {
		if (dq->src[i].l == NULL &&
		    !evtimer_pending(dq->src[i].retry_ev, NULL))
			continue;
		printf("abandoned %s\n", dq->src[i].str);
		evtimer_del(dq->src[i].retry_ev);
		if (i < dq->nsrc / 2 && dq->src[i].l != NULL)
			resolve_cancel(dq->src[i].l);
		dq->src[i].l = NULL;
	}
	fflush(stdout);
	/* resolve_free() in main() ends the rest. */
	event_base_loopexit(dq->base, NULL);
}

static unsigned
dq_family(const char *v, int *first)
{
	if (strcmp(v, "4") == 0) {
		*first = AF_INET;
		return DRIAD_FAM_V4;
	}
	if (strcmp(v, "6") == 0) {
		*first = AF_INET6;
		return DRIAD_FAM_V6;
	}
	usage();
}

int
main(int argc, char *argv[])
{
	struct dq		 dq;
	struct dq_source	*src;
	struct resolve_opts	 opts;
	const char		*server = NULL;
	struct event		*abandon = NULL;
	struct timeval		 tv;
	int			 ch, i, ignore, abandon_ms = -1;

	memset(&dq, 0, sizeof(dq));
	memset(&opts, 0, sizeof(opts));
	dq.max_attempts = 1;
	log_init(1, LOG_DAEMON, "driad-query");
	while ((ch = getopt(argc, argv, "vs:t:T:p:o:R:X:")) != -1) {
		switch (ch) {
		case 'v':
			log_setverbose(log_getverbose() + 1);
			break;
		case 's':
			server = optarg;
			break;
		case 't':
			opts.timeout_ms = atoi(optarg);
			break;
		case 'T':
			opts.tries = atoi(optarg);
			break;
		case 'p':
			dq_family(optarg, &opts.pref.first);
			break;
		case 'o':
			opts.pref.families = dq_family(optarg, &ignore);
			break;
		case 'R':
			dq.max_attempts = (unsigned)atoi(optarg);
			break;
		case 'X':
			abandon_ms = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 || dq.max_attempts == 0)
		usage();
	if ((dq.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if ((dq.res = resolve_new(dq.base, server, &opts)) == NULL)
		fatalx("resolver for %s", server ? server : "resolv.conf");
	if ((src = calloc((size_t)argc, sizeof(*src))) == NULL)
		fatal("calloc");
	dq.src = src;
	dq.nsrc = argc;
	for (i = 0; i < argc; i++) {
		src[i].dq = &dq;
		if (ip_parse(argv[i], &src[i].ip) == -1)
			fatalx("bad source %s", argv[i]);
		ip_str(&src[i].ip, src[i].str, sizeof(src[i].str));
		src[i].retry_ev = evtimer_new(dq.base, dq_retry_cb, &src[i]);
		dq.running++;
		dq_start(&src[i]);
	}
	if (abandon_ms >= 0) {
		abandon = evtimer_new(dq.base, dq_abandon_cb, &dq);
		tv.tv_sec = abandon_ms / 1000;
		tv.tv_usec = (abandon_ms % 1000) * 1000;
		evtimer_add(abandon, &tv);
	}
	event_base_dispatch(dq.base);
	if (abandon != NULL)
		event_free(abandon);
	resolve_free(dq.res);
	for (i = 0; i < argc; i++)
		event_free(src[i].retry_ev);
	free(src);
	event_base_free(dq.base);
	return 0;
}
