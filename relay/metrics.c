/*
 * The optional /metrics listener (`metrics ADDR[:PORT]`, port 9768 by
 * default) in the Prometheus text format, served by lib/metrics.c.
 *
 * Names: every counter of `amtctl show stats` (the names of
 * the AMT YANG draft) as amt_relay_NAME_total with '-' made '_', e.g.
 * amt_relay_request_total, amt_relay_invalid_mac_total; gauges
 * amt_relay_tunnels and amt_relay_flows; a relay of a pool (announce.c,
 * drain.c) adds gauges amt_relay_announced (0/1, with a discovery
 * interface), amt_relay_draining, amt_relay_drain_tunnels_left,
 * amt_relay_drain_seconds_left and counters
 * amt_relay_discovery_{announcements,withdrawals}_total,
 * amt_relay_drain_tunnels_ended_total.  Per tunnel, labelled by
 * gateway address and port: amt_relay_tunnel_{request,membership_query,
 * membership_update,data_packets,data_bytes}_total.  Per-tunnel series
 * are bounded: they are left out when there are more tunnels than
 * `metrics-tunnels` (100 by default; 0: never), so that a scrape of a
 * relay with 10,000 gateways stays small; the totals are always there.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "amt/log.h"
#include "amt/metrics.h"
#include "relay.h"

#define PROM_NAME_MAX	96

/* amt_relay_NAME with SUFFIX, '-' made '_'. */
static void
prom_name(char *m, size_t len, const char *name, const char *suffix)
{
	size_t	i;

	snprintf(m, len, "amt_relay_%s%s", name, suffix);
	for (i = 0; m[i] != '\0'; i++)
		if (m[i] == '-')
			m[i] = '_';
}

static void
prom_counter(const char *name, uint64_t v, void *arg)
{
	struct metrics_builder	*b = arg;
	char			 m[PROM_NAME_MAX], help[PROM_NAME_MAX];

	prom_name(m, sizeof(m), name, "_total");
	snprintf(help, sizeof(help), "AMT relay counter %s", name);
	metrics_add(b, m, METRICS_COUNTER, help, v, NULL);
}

/* announce.c, drain.c: amt_relay_announced, amt_relay_draining, ... */
static void
prom_pool(const char *name, uint64_t v, bool counter, void *arg)
{
	char	m[PROM_NAME_MAX], help[PROM_NAME_MAX];

	if (counter) {
		prom_counter(name, v, arg);
		return;
	}
	prom_name(m, sizeof(m), name, "");
	snprintf(help, sizeof(help), "AMT relay pool state %s", name);
	metrics_add(arg, m, METRICS_GAUGE, help, v, NULL);
}

static void
prom_flow(const struct amt_ip *s, const struct amt_ip *g, unsigned n,
    void *arg)
{
	unsigned	*count = arg;

	(*count)++;
}

/* One per-tunnel metric: every tunnel's sample, one after another. */
static void
prom_tunnel_metric(struct relayd *rd, struct metrics_builder *b,
    const char *name, const char *help, size_t off)
{
	const struct tunnel	*t;
	struct amt_ip		 ip;
	char			 addr[INET6_ADDRSTRLEN], port[8];
	uint8_t			 canon[16];
	uint16_t		 p;
	uint64_t		 v;

	TAILQ_FOREACH(t, &rd->tunnels, entry) {
		ip_from_sa((const struct sockaddr *)&t->gw, &ip);
		ip_str(&ip, addr, sizeof(addr));
		addr_canon((const struct sockaddr *)&t->gw, canon, &p);
		snprintf(port, sizeof(port), "%u", (unsigned)p);
		memcpy(&v, (const char *)t + off, sizeof(v));
		metrics_add(b, name, METRICS_COUNTER, help, v, "gateway", addr,
		    "port", port, NULL);
	}
}

static const struct {
	const char	*name;
	const char	*help;
	size_t		 off;
} prom_tunnel_metrics[] = {
	{ "amt_relay_tunnel_request_total", "Requests, per tunnel",
	    offsetof(struct tunnel, rx_request) },
	{ "amt_relay_tunnel_membership_query_total",
	    "Membership Queries sent, per tunnel",
	    offsetof(struct tunnel, tx_query) },
	{ "amt_relay_tunnel_membership_update_total",
	    "Membership Updates, per tunnel",
	    offsetof(struct tunnel, rx_update) },
	{ "amt_relay_tunnel_data_packets_total",
	    "Data packets sent, per tunnel",
	    offsetof(struct tunnel, data_packets) },
	{ "amt_relay_tunnel_data_bytes_total",
	    "Data bytes sent, per tunnel",
	    offsetof(struct tunnel, data_bytes) },
};
#define PROM_NTUNNEL	(sizeof(prom_tunnel_metrics) / \
	sizeof(prom_tunnel_metrics[0]))

static void
prom_tunnels(struct relayd *rd, struct metrics_builder *b)
{
	size_t	i;

	if (rd->ntunnels == 0 || rd->ntunnels > rd->conf.metrics_tunnels)
		return;
	for (i = 0; i < PROM_NTUNNEL; i++)
		prom_tunnel_metric(rd, b, prom_tunnel_metrics[i].name,
		    prom_tunnel_metrics[i].help, prom_tunnel_metrics[i].off);
}

static void
prom_cb(struct metrics_builder *b, void *arg)
{
	struct relayd	*rd = arg;
	unsigned	 nflows = 0;

	control_counters(rd, prom_counter, b);
	pool_report(rd, prom_pool, b);
	fwd_walk(rd, prom_flow, &nflows);
	metrics_add(b, "amt_relay_tunnels", METRICS_GAUGE, "Tunnels",
	    rd->ntunnels, NULL);
	metrics_add(b, "amt_relay_flows", METRICS_GAUGE,
	    "Flows, (S,G) and (*,G), in the forwarding table", nflows, NULL);
	prom_tunnels(rd, b);
}

int
prom_start(struct relayd *rd)
{
	struct sockaddr_storage	ss;
	char			err[256], buf[ADDR_STRLEN];

	if (rd->conf.metrics.ss_family == 0)
		return 0;
	rd->metrics = metrics_new(rd->base, (struct sockaddr *)
	    &rd->conf.metrics, prom_cb, rd, err, sizeof(err));
	if (rd->metrics == NULL) {
		log_warnx("metrics: %s", err);
		return -1;
	}
	if (status_start(rd) == -1)
		return -1;
	if (metrics_addr(rd->metrics, &ss) == 0)
		log_info("metrics on http://%s/metrics", addr_str(
		    (struct sockaddr *)&ss, buf, sizeof(buf)));
	return 0;
}

void
prom_stop(struct relayd *rd)
{
	status_stop(rd);
	if (rd->metrics != NULL)
		metrics_free(rd->metrics);
	rd->metrics = NULL;
}
