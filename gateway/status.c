/*
 * The gateway's status page, GET / on the metrics listener (amt/html.h):
 * uptime, the data rate over the last sampling interval, every relay
 * session (relay, how it was found, state and since when), the groups
 * and sources the host joined on the tun, and the last warning logged.
 * Relay addresses and logged text may come from the network (a relay's
 * Advertisement, DNS): the page escapes them.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "amt/clock.h"
#include "amt/html.h"
#include "amt/log.h"
#include "amt/metrics.h"
#include "gateway.h"

#define GWST_INTERVAL		2	/* s between rate samples */
#define GWST_REFRESH		5	/* s, the page's meta refresh */
#define GWST_MAX_ROWS		200	/* groups on one page */
#define GWST_SOURCES_LEN	512	/* sources of one group, as text */

/* mark[] and rate[]: data packets, bytes to the tun. */
static void
gwstatus_sample(struct html_status *st, void *arg)
{
	struct sess_counters	 tot;

	sessions_totals(arg, &tot);
	st->rate[0] = html_rate(&st->mark[0], tot.data_packets,
	    GWST_INTERVAL);
	st->rate[1] = html_rate(&st->mark[1], tot.data_bytes, GWST_INTERVAL);
}

static void
gwstatus_summary(struct gateway *gw, struct html_status *st,
    struct evbuffer *out)
{
	char		 b[64], c[96];
	const char	*warn;
	time_t		 at;

	html_dl_begin(out);
	html_dl(out, "version", PACKAGE_VERSION);
	html_dl(out, "uptime", html_duration((uint64_t)(clock_mono_s() -
	    st->started), b, sizeof(b)));
	html_dl(out, "tun interface", gw->tun.name);
	snprintf(c, sizeof(c), "%zu", lmdb_count(&gw->db, AF_UNSPEC));
	html_dl(out, "groups joined", c);
	snprintf(c, sizeof(c), "%s packets/s", html_si(st->rate[0], b,
	    sizeof(b)));
	html_dl(out, "data", c);
	snprintf(c, sizeof(c), "%sB/s", html_si(st->rate[1], b, sizeof(b)));
	html_dl(out, "data bytes", c);
	warn = log_last_warning(&at);
	html_dl(out, "last error", warn[0] != '\0' ? warn : "none");
	if (warn[0] != '\0')
		html_dl(out, "last error at", html_time(at, b, sizeof(b)));
	html_dl_end(out);
}

/* How the session found its relay (RFC 7450 5.2.3.1, RFC 8777 3.3). */
static const char *
gwstatus_method(struct session *s, char *buf, size_t len)
{
	char	a[ADDR_STRLEN];

	if (s->dr != NULL)
		return "DRIAD (RFC 8777)";
	if (!s->use_discovery)
		return "configured relay";
	snprintf(buf, len, "discovery via %s", addr_str((const struct
	    sockaddr *)&s->disc_sa, a, sizeof(a)));
	return buf;
}

static void
gwstatus_sessions(struct gateway *gw, struct evbuffer *out)
{
	struct session	*s;
	char		 relay[ADDR_STRLEN], m[ADDR_STRLEN + 16], since[40];
	char		 pkts[32];

	html_table(out, "sessions", "Sessions", "relay", "session", "method",
	    "state", "since", "data packets", NULL);
	for (s = sessions_next(gw, NULL); s != NULL; s = sessions_next(gw, s))
		html_row(out, session_relay_str(s, relay, sizeof(relay)),
		    s == &gw->sess ? "default" : "driad",
		    gwstatus_method(s, m, sizeof(m)), fsm_state_name(s->state),
		    html_time(s->since, since, sizeof(since)),
		    html_si(s->cnt.data_packets, pkts, sizeof(pkts)), NULL);
	html_table_end(out);
}

static void
gwstatus_group(const struct lgroup *g, struct evbuffer *out)
{
	char	ga[INET6_ADDRSTRLEN], sa[INET6_ADDRSTRLEN];
	char	srcs[GWST_SOURCES_LEN];
	size_t	i, len;

	srcs[0] = '\0';
	for (i = 0; i < g->nsrc; i++) {
		len = strlen(srcs);
		snprintf(srcs + len, sizeof(srcs) - len, "%s%s",
		    len > 0 ? " " : "", ip_str(&g->srcs[i], sa, sizeof(sa)));
	}
	html_row(out, ip_str(&g->group, ga, sizeof(ga)),
	    g->mode == LM_EXCLUDE ? "exclude" : "include",
	    g->nsrc > 0 ? srcs : g->mode == LM_EXCLUDE ? "any" : "-", NULL);
}

static void
gwstatus_groups(struct gateway *gw, struct evbuffer *out)
{
	const struct lgroup	*g;
	unsigned		 n = 0;

	html_table(out, "groups", "Local groups", "group", "filter mode",
	    "sources (excluded in exclude mode)", NULL);
	TAILQ_FOREACH(g, &gw->db.groups, entry)
		if (lgroup_active(g) && n++ < GWST_MAX_ROWS)
			gwstatus_group(g, out);
	html_table_end(out);
	if (n == 0)
		html_para(out, "empty", "no groups joined");
}

static void
gwstatus_page(struct evbuffer *out, void *arg)
{
	struct gateway	*gw = arg;

	html_begin(out, "amtgwd", GWST_REFRESH);
	gwstatus_summary(gw, gw->status, out);
	gwstatus_sessions(gw, out);
	gwstatus_groups(gw, out);
	html_end(out);
}

/* With the metrics listener: the page on GET / and its rate sampler. */
int
gwstatus_start(struct gateway *gw)
{
	gw->status = html_status_start(gw->base, gw->metrics, GWST_INTERVAL,
	    gwstatus_sample, gwstatus_page, gw);
	return gw->status != NULL ? 0 : -1;
}

void
gwstatus_stop(struct gateway *gw)
{
	html_status_stop(gw->status);
	gw->status = NULL;
}
