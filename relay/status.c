/*
 * The relay's status page, GET / on the metrics listener (amt/html.h):
 * uptime and addresses, the output rate, every tunnel with its gateway,
 * age, flows and data rate, every flow with its tunnel count, and each
 * drop counter that is not zero.  Rates are per second over the last
 * sampling interval (STATUS_INTERVAL), taken by a timer of its own.
 * Gateway addresses came from the network: the page escapes them.
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
#include "relay.h"

#define STATUS_INTERVAL		2	/* s between rate samples */
#define STATUS_REFRESH		5	/* s, the page's meta refresh */
#define STATUS_MAX_ROWS		200	/* tunnels or flows on one page */
#define STATUS_FLOWS_LEN	512	/* flows of one tunnel, as text */

/*
 * The counters that count something dropped, refused or failed (named
 * as in control.c); the page lists those that are not zero.
 */
static const char *const status_drops[] = {
	"incomplete-packet", "invalid-mac", "unexpected-type",
	"invalid-relay-discovery-address",
	"invalid-membership-request-address",
	"invalid-membership-update-address", "no-active-gateway",
	"invalid-inner-header-checksum", "invalid-inner-header",
	"bad-version", "tunnels-refused", "limit-ignored",
	"request-rate-limited", "control-send-errors", "data-no-tunnel",
	"data-send-errors", "data-too-big", "data-bad-packet",
	"data-rx-dropped",
};

/* mark[] and rate[]: data-tx packets, bytes. */
static void
status_sample(struct html_status *st, void *arg)
{
	struct relayd	*rd = arg;
	struct tunnel	*t;

	st->rate[0] = html_rate(&st->mark[0], rd->stats.data_tx_packets,
	    STATUS_INTERVAL);
	st->rate[1] = html_rate(&st->mark[1], rd->stats.data_tx_bytes,
	    STATUS_INTERVAL);
	TAILQ_FOREACH(t, &rd->tunnels, entry) {
		t->st_rate[0] = html_rate(&t->st_mark[0], t->data_packets,
		    STATUS_INTERVAL);
		t->st_rate[1] = html_rate(&t->st_mark[1], t->data_bytes,
		    STATUS_INTERVAL);
	}
}

static void
status_count_flow(const struct amt_ip *s, const struct amt_ip *g,
    unsigned n, void *arg)
{
	(*(unsigned *)arg)++;
}

static void
status_summary(struct relayd *rd, struct html_status *st,
    struct evbuffer *out)
{
	char		 a[INET6_ADDRSTRLEN], b[64], c[64], pool[128];
	unsigned	 nflows = 0;
	int		 i;

	fwd_walk(rd, status_count_flow, &nflows);
	html_dl_begin(out);
	html_dl(out, "version", PACKAGE_VERSION);
	html_dl(out, "uptime", html_duration((uint64_t)(clock_mono_s() -
	    st->started), b, sizeof(b)));
	if (rd->conf.relay_addr4.family != 0)
		html_dl(out, "relay address (IPv4)",
		    ip_str(&rd->conf.relay_addr4, a, sizeof(a)));
	if (rd->conf.relay_addr6.family != 0)
		html_dl(out, "relay address (IPv6)",
		    ip_str(&rd->conf.relay_addr6, a, sizeof(a)));
	for (i = 0; i < rd->conf.ndiscovery; i++)
		html_dl(out, "discovery address",
		    ip_str(&rd->conf.discovery[i], a, sizeof(a)));
	html_dl(out, "upstream interface", rd->conf.upstream_if);
	if (pool_describe(rd, pool, sizeof(pool)) != NULL)
		html_dl(out, "pool", pool);
	snprintf(c, sizeof(c), "%u", rd->ntunnels);
	html_dl(out, "tunnels", c);
	snprintf(c, sizeof(c), "%u", nflows);
	html_dl(out, "flows", c);
	snprintf(c, sizeof(c), "%s packets/s", html_si(st->rate[0], b,
	    sizeof(b)));
	html_dl(out, "output", c);
	snprintf(c, sizeof(c), "%sB/s", html_si(st->rate[1], b, sizeof(b)));
	html_dl(out, "output bytes", c);
	html_dl_end(out);
}

/* "(S,G) (*,G) ..." of one tunnel, cut at STATUS_FLOWS_LEN. */
static void
status_flow_str(const struct amt_ip *s, const struct amt_ip *g, void *arg)
{
	char	*str = arg, sb[INET6_ADDRSTRLEN], gb[INET6_ADDRSTRLEN];
	size_t	 len = strlen(str);

	snprintf(str + len, STATUS_FLOWS_LEN - len, "%s(%s,%s)",
	    len > 0 ? " " : "", s != NULL ? ip_str(s, sb, sizeof(sb)) : "*",
	    ip_str(g, gb, sizeof(gb)));
}

static void
status_tunnel(const struct tunnel *t, time_t now, struct evbuffer *out)
{
	char	gw[ADDR_STRLEN], age[32], gs[32], flows[STATUS_FLOWS_LEN];
	char	pps[32], bps[40], pkts[32];

	flows[0] = '\0';
	membership_walk(t, status_flow_str, flows);
	snprintf(gs, sizeof(gs), "%u / %u", t->ngroups, t->nsources);
	html_si(t->st_rate[1], bps, sizeof(bps) - 2);
	strcat(bps, "B");
	html_row(out, addr_str((const struct sockaddr *)&t->gw, gw,
	    sizeof(gw)), html_duration((uint64_t)(now - t->created), age,
	    sizeof(age)), gs, flows, html_si(t->st_rate[0], pps, sizeof(pps)),
	    bps, html_si(t->data_packets, pkts, sizeof(pkts)), NULL);
}

static void
status_tunnels(struct relayd *rd, struct evbuffer *out)
{
	const struct tunnel	*t;
	time_t			 now = clock_mono_s();
	unsigned		 n = 0;
	char			 more[64];

	html_table(out, "tunnels", "Tunnels", "gateway", "age",
	    "groups / sources", "flows", "packets/s", "bytes/s",
	    "data packets", NULL);
	TAILQ_FOREACH(t, &rd->tunnels, entry)
		if (n++ < STATUS_MAX_ROWS)
			status_tunnel(t, now, out);
	html_table_end(out);
	if (n == 0)
		html_para(out, "empty", "no tunnels");
	if (n > STATUS_MAX_ROWS) {
		snprintf(more, sizeof(more), "%u more tunnels not shown",
		    n - STATUS_MAX_ROWS);
		html_para(out, "empty", more);
	}
}

struct status_rows {
	struct evbuffer	*out;
	unsigned	 n;
};

static void
status_flow(const struct amt_ip *s, const struct amt_ip *g, unsigned n,
    void *arg)
{
	struct status_rows	*r = arg;
	char			 sb[INET6_ADDRSTRLEN], gb[INET6_ADDRSTRLEN];
	char			 nb[16];

	if (r->n++ >= STATUS_MAX_ROWS)
		return;
	snprintf(nb, sizeof(nb), "%u", n);
	html_row(r->out, s == NULL || ip_is_any(s) ? "*" :
	    ip_str(s, sb, sizeof(sb)), ip_str(g, gb, sizeof(gb)), nb, NULL);
}

static void
status_drop(const char *name, uint64_t v, void *arg)
{
	struct status_rows	*r = arg;
	char			 vb[24];
	size_t			 i;

	for (i = 0; i < sizeof(status_drops) / sizeof(status_drops[0]); i++)
		if (v != 0 && strcmp(name, status_drops[i]) == 0) {
			snprintf(vb, sizeof(vb), "%llu", (unsigned long long)v);
			html_row(r->out, name, vb, NULL);
			r->n++;
		}
}

static void
status_page(struct evbuffer *out, void *arg)
{
	struct relayd		*rd = arg;
	struct status_rows	 r = { out, 0 };

	html_begin(out, "amtrelayd", STATUS_REFRESH);
	status_summary(rd, rd->status, out);
	status_tunnels(rd, out);
	html_table(out, "flows", "Flows", "source", "group", "tunnels", NULL);
	fwd_walk(rd, status_flow, &r);
	html_table_end(out);
	if (r.n == 0)
		html_para(out, "empty", "no flows");
	r.n = 0;
	html_table(out, "drops", "Drops (counters not zero)", "counter",
	    "count", NULL);
	control_counters(rd, status_drop, &r);
	html_table_end(out);
	if (r.n == 0)
		html_para(out, "empty", "no drops");
	html_end(out);
}

/* With the metrics listener: the page on GET / and its rate sampler. */
int
status_start(struct relayd *rd)
{
	rd->status = html_status_start(rd->base, rd->metrics, STATUS_INTERVAL,
	    status_sample, status_page, rd);
	return rd->status != NULL ? 0 : -1;
}

void
status_stop(struct relayd *rd)
{
	html_status_stop(rd->status);
	rd->status = NULL;
}
