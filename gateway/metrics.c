/*
 * The optional /metrics listener of amtgwd (amt/metrics.h): the gateway
 * counters (named as in the AMT YANG model) per session (pseudo-interface: the default one and,
 * with DRIAD, one per relay; labelled with the relay address and the
 * kind of session), its state as a gauge, and the gateway-wide drop
 * counters.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "amt/addr.h"
#include "amt/log.h"
#include "amt/metrics.h"
#include "gateway.h"

#define M_PFX	"amt_gateway_"
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct gwm_counter {
	const char	*name;
	const char	*help;
	size_t		 off;
};

#define SC(n, h, m) { M_PFX n "_total", h, offsetof(struct sess_counters, m) }
static const struct gwm_counter gwm_session_counters[] = {
	SC("relay_advertisement", "Relay Advertisements received",
	    relay_advertisement),
	SC("membership_query", "Membership Queries received",
	    membership_query),
	SC("relay_discovery", "Relay Discoveries sent", relay_discovery),
	SC("request", "Requests sent", request),
	SC("membership_update", "Membership Updates sent", membership_update),
	SC("teardown", "Teardowns sent", teardown),
	SC("data_packets", "Multicast Data packets written to the tun",
	    data_packets),
	SC("data_bytes", "Bytes of inner packets written to the tun",
	    data_bytes),
	SC("limited_queries", "Membership Queries with the L flag", limited),
	SC("icmp_errors", "ICMP errors from the relay", icmp_errors),
	SC("probes", "Requests sent at once because joined flows fell "
	    "silent", probes),
	SC("silent_periods", "Periods of silence of the joined flows",
	    silences),
	SC("recoveries", "Silent periods probed that ended with data again",
	    recoveries),
	SC("stale_queries", "Membership Queries for an older nonce",
	    stale_queries),
	SC("queries_other_family", "Membership Queries of a family not "
	    "asked for", other_family),
	SC("request_layout_switches", "Request layout changes (P at 0x80)",
	    layout_switches),
};

#define GC(n, h, m) { M_PFX n "_total", h, offsetof(struct gw_stats, m) }
static const struct gwm_counter gwm_global[] = {
	GC("tun_reports", "IGMP/MLD reports read from the tun", tun_reports),
	GC("tun_ignored", "Other packets read from the tun", tun_ignored),
	GC("tun_bad_report", "Reports from the tun that did not parse",
	    tun_bad_report),
	GC("tun_too_big", "Reads from the tun longer than its MTU",
	    tun_too_big),
	GC("tun_write_errors", "Failed writes to the tun", tun_write_errors),
	GC("rx_datagrams", "Datagrams received from relays", rx_datagrams),
	GC("rx_truncated", "Datagrams larger than the buffer", rx_truncated),
	GC("incomplete_packet", "AMT messages that did not decode",
	    rx_bad_message),
	GC("unexpected_type", "AMT messages of another version or type",
	    unexpected_type),
	GC("data_not_multicast", "Data whose inner destination is unicast",
	    data_not_multicast),
	GC("data_not_joined", "Data for a group not joined on the tun",
	    data_drops[GD_NOT_JOINED]),
	GC("data_source_excluded", "Data from a source the group's filter "
	    "does not allow", data_drops[GD_SOURCE_EXCLUDED]),
	GC("data_link_local", "Data to a link-local scope group",
	    data_drops[GD_LINK_LOCAL]),
	GC("data_control_protocol", "Data carrying IGMP, MLD or ICMPv6",
	    data_drops[GD_CONTROL_PROTOCOL]),
	GC("data_malformed", "Data whose inner IP header does not hold",
	    data_drops[GD_MALFORMED]),
	GC("data_ecn_ce_drops", "Data with outer CE and a Not-ECT inner "
	    "packet, dropped (RFC 6040 4.2)", ecn_ce_drops),
	GC("data_ecn_ce_marked", "Data whose inner ECN was set to CE",
	    ecn_ce_marked),
	GC("data_ecn_alarms", "Data with an inner/outer ECN pair no "
	    "RFC 6040 ingress sends", ecn_alarms),
	GC("send_errors", "Failed sends to relays", send_errors),
};

static uint64_t
gwm_get(const void *base, size_t off)
{
	uint64_t	v;

	memcpy(&v, (const char *)base + off, sizeof(v));
	return v;
}

/*
 * A session's labels: its relay (or, before it has one, the address it
 * discovers from) and whether it is the default session or one DRIAD
 * opened for the sources of a relay.
 */
static const char *
gwm_labels(struct session *s, char *relay, size_t len)
{
	const struct sockaddr	*sa;

	sa = (const struct sockaddr *)(s->have_relay ? &s->relay_sa :
	    &s->disc_sa);
	if (s->have_relay || s->use_discovery)
		addr_str(sa, relay, len);
	else
		snprintf(relay, len, "none");
	return s == &s->gw->sess ? "default" : "driad";
}

/* Each counter over every session: the samples of a metric together. */
static void
gwm_sessions(struct metrics_builder *b, struct gateway *gw)
{
	const struct gwm_counter	*c;
	struct session			*s;
	const char			*role;
	char				 relay[ADDR_STRLEN];
	int				 st;

	for (c = gwm_session_counters; c < gwm_session_counters +
	    NELEM(gwm_session_counters); c++)
		for (s = sessions_next(gw, NULL); s != NULL;
		    s = sessions_next(gw, s)) {
			role = gwm_labels(s, relay, sizeof(relay));
			metrics_add(b, c->name, METRICS_COUNTER, c->help,
			    gwm_get(&s->cnt, c->off), "relay", relay,
			    "session", role, NULL);
		}
	for (s = sessions_next(gw, NULL); s != NULL; s = sessions_next(gw, s)) {
		role = gwm_labels(s, relay, sizeof(relay));
		for (st = 0; st < SS_MAX; st++)
			metrics_add(b, M_PFX "session_state", METRICS_GAUGE,
			    "1 for the state the session is in",
			    s->state == st ? 1 : 0, "relay", relay,
			    "session", role, "state", fsm_state_name(st),
			    NULL);
	}
}

static void
gwm_cb(struct metrics_builder *b, void *arg)
{
	struct gateway	*gw = arg;
	size_t		 i;

	gwm_sessions(b, gw);
	for (i = 0; i < NELEM(gwm_global); i++)
		metrics_add(b, gwm_global[i].name, METRICS_COUNTER,
		    gwm_global[i].help, gwm_get(&gw->st, gwm_global[i].off),
		    NULL);
	metrics_add(b, M_PFX "groups", METRICS_GAUGE,
	    "Groups joined on the tun", lmdb_count(&gw->db, AF_UNSPEC), NULL);
	metrics_add(b, M_PFX "driad_relays_held_down", METRICS_GAUGE,
	    "DRIAD relays held down now (RFC 8777 3.3.5)",
	    driad_held_count(gw), NULL);
}

int
gwmetrics_start(struct gateway *gw)
{
	struct sockaddr_storage	sa;
	char			err[256], a[ADDR_STRLEN];

	if (gw->conf.metrics.ss_family == 0)
		return 0;
	gw->metrics = metrics_new(gw->base, (struct sockaddr *)&gw->conf.metrics,
	    gwm_cb, gw, err, sizeof(err));
	if (gw->metrics == NULL) {
		log_warnx("metrics: %s", err);
		return -1;
	}
	if (gwstatus_start(gw) == -1)
		return -1;
	if (metrics_addr(gw->metrics, &sa) == 0)
		log_info("metrics on http://%s/metrics",
		    addr_str((struct sockaddr *)&sa, a, sizeof(a)));
	return 0;
}

void
gwmetrics_stop(struct gateway *gw)
{
	gwstatus_stop(gw);
	if (gw->metrics != NULL) {
		metrics_free(gw->metrics);
		gw->metrics = NULL;
	}
}
