/*
 * The control socket of amtrelayd (lib/ctl.c serves it, mode 0660; the
 * group is control-group if set): `show tunnels`, `show flows`,
 * `show stats`, each answered with one JSON object whose names are
 * the counter names of the AMT YANG model; `show config`,
 * `reload` (as SIGHUP), `log-level warning|info|debug`, `verbose N`,
 * `drain` and `undrain` (drain.c), answered with the drain's progress.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <grp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <jansson.h>

#include "amt/ctl.h"
#include "amt/clock.h"
#include "amt/log.h"
#include "relay.h"

/* Every counter of struct relay_stats under its AMT YANG name. */
static const struct {
	const char	*name;
	size_t		 off;
} control_counter_names[] = {
#define C(n, f)	{ n, offsetof(struct relay_stats, f) }
	C("relay-discovery", rx_relay_discovery),
	C("request", rx_request),
	C("membership-update", rx_membership_update),
	C("teardown", rx_teardown),
	C("relay-advertisement", tx_relay_advertisement),
	C("membership-query", tx_membership_query),
	C("incomplete-packet", err_incomplete_packet),
	C("invalid-mac", err_invalid_mac),
	C("unexpected-type", err_unexpected_type),
	C("invalid-relay-discovery-address",
	    err_invalid_relay_discovery_address),
	C("invalid-membership-request-address",
	    err_invalid_membership_request_address),
	C("invalid-membership-update-address",
	    err_invalid_membership_update_address),
	C("no-active-gateway", err_no_active_gateway),
	C("invalid-inner-header-checksum", err_invalid_inner_header_checksum),
	C("invalid-inner-header", err_invalid_inner_header),
	C("bad-version", err_bad_version),
	C("gateways-timed-out", gateways_timed_out),
	C("tunnels-refused", tunnels_refused),
	C("limit-ignored", limit_ignored),
	C("request-rate-limited", request_rate_limited),
	C("control-send-errors", tx_control_errors),
	C("refused-group-scope", refused_group_scope),
	C("refused-group-policy", refused_group_policy),
	C("refused-source-invalid", refused_source_invalid),
	C("refused-source-policy", refused_source_policy),
	C("exclude-over-limit", exclude_over_limit),
	C("tunnels-refused-prefix", tunnels_refused_prefix),
	C("tunnels-refused-reserve", tunnels_refused_reserve),
	C("upstream-over-limit", upstream_over_limit),
	C("upstream-join-errors", upstream_join_errors),
	C("upstream-join-retries", upstream_join_retries),
	C("log-suppressed", log_suppressed),
	C("tunnels-unreachable", tunnels_unreachable),
	C("data-rx-packets", data_rx_packets),
	C("data-rx-bytes", data_rx_bytes),
	C("data-tx-packets", data_tx_packets),
	C("data-tx-bytes", data_tx_bytes),
	C("data-no-tunnel", data_no_tunnel),
	C("data-send-errors", data_send_errors),
	C("data-fragmented", data_fragmented),
	C("data-too-big", data_too_big),
	C("data-csum-fixed", data_csum_fixed),
	C("data-bad-packet", data_bad_packet),
	C("data-rx-dropped", data_rx_dropped),
	C("data-ecn-copied", data_ecn_copied),
	C("tunnels-restored", tunnels_restored),
#undef C
};

void
control_counters(struct relayd *rd, void (*cb)(const char *, uint64_t,
    void *), void *arg)
{
	const uint8_t	*base = (const uint8_t *)&rd->stats;
	uint64_t	 v;
	size_t		 i;

	for (i = 0; i < sizeof(control_counter_names) /
	    sizeof(control_counter_names[0]); i++) {
		memcpy(&v, base + control_counter_names[i].off, sizeof(v));
		cb(control_counter_names[i].name, v, arg);
	}
}

static void
control_stat(const char *name, uint64_t v, void *arg)
{
	json_object_set_new(arg, name, json_integer((json_int_t)v));
}

/* announce.c, drain.c: gauges and counters alike. */
static void
control_pool_stat(const char *name, uint64_t v, bool counter, void *arg)
{
	control_stat(name, v, arg);
}

static json_t *
control_stats(struct relayd *rd)
{
	json_t	*o = json_object();

	control_counters(rd, control_stat, o);
	pool_report(rd, control_pool_stat, o);
	json_object_set_new(o, "tunnels", json_integer(rd->ntunnels));
	json_object_set_new(o, "upstream-joins",
	    json_integer(upstream_count(rd)));
	return o;
}

/* `drain`, `undrain`: where the drain stands, with the tunnels. */
static json_t *
control_drain(struct relayd *rd)
{
	json_t	*o = json_object();

	pool_report(rd, control_pool_stat, o);
	json_object_set_new(o, "tunnels", json_integer(rd->ntunnels));
	return o;
}

/* A growing string for the "flows" of one tunnel. */
struct control_str {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

/* "(S,G)" or "(*,G)" appended to a space-separated list. */
static void
control_flow_str(const struct amt_ip *s, const struct amt_ip *g, void *arg)
{
	struct control_str	*cs = arg;
	char			 sb[INET6_ADDRSTRLEN], gb[INET6_ADDRSTRLEN];
	char			*p;
	int			 n;

	if (cs->cap - cs->len < 2 * INET6_ADDRSTRLEN + 8) {
		if ((p = realloc(cs->s, cs->cap * 2 + 256)) == NULL)
			return;
		cs->s = p;
		cs->cap = cs->cap * 2 + 256;
	}
	n = snprintf(cs->s + cs->len, cs->cap - cs->len, "%s(%s,%s)",
	    cs->len ? " " : "", s ? ip_str(s, sb, sizeof(sb)) : "*",
	    ip_str(g, gb, sizeof(gb)));
	if (n > 0 && (size_t)n < cs->cap - cs->len)
		cs->len += (size_t)n;
}

static json_t *
control_tunnel(const struct tunnel *t, time_t now)
{
	struct control_str	 cs = { NULL, 0, 0 };
	char			 buf[ADDR_STRLEN];
	json_t			*o;
	long			 expires;

	membership_walk(t, control_flow_str, &cs);
	expires = (long)(t->refreshed + conf_tunnel_timeout(&t->rd->conf) -
	    now);
	o = json_pack("{s:s, s:s, s:I, s:I, s:i, s:i, s:s, s:s, s:I, s:I,"
	    " s:I, s:I, s:I}",
	    "gateway", addr_str((const struct sockaddr *)&t->gw, buf,
	    sizeof(buf)),
	    "state", "up",
	    "age", (json_int_t)(now - t->created),
	    "expires", (json_int_t)(expires > 0 ? expires : 0),
	    "groups", (int)t->ngroups,
	    "sources", (int)t->nsources,
	    "flows", cs.s != NULL ? cs.s : "",
	    "ecn", tunnel_ecn(t) ? "yes" : "no",
	    "request", (json_int_t)t->rx_request,
	    "membership-query", (json_int_t)t->tx_query,
	    "membership-update", (json_int_t)t->rx_update,
	    "data-packets", (json_int_t)t->data_packets,
	    "data-bytes", (json_int_t)t->data_bytes);
	free(cs.s);
	return o;
}

static json_t *
control_tunnels(struct relayd *rd)
{
	const struct tunnel	*t;
	json_t			*a = json_array();
	time_t			 now = clock_mono_s();

	TAILQ_FOREACH(t, &rd->tunnels, entry)
		json_array_append_new(a, control_tunnel(t, now));
	return json_pack("{s:o}", "tunnels", a);
}

static void
control_flow(const struct amt_ip *s, const struct amt_ip *g, unsigned n,
    void *arg)
{
	json_t	*a = arg;
	char	 sb[INET6_ADDRSTRLEN], gb[INET6_ADDRSTRLEN];

	json_array_append_new(a, json_pack("{s:s, s:s, s:i}",
	    "source", s == NULL || ip_is_any(s) ? "*" :
	    ip_str(s, sb, sizeof(sb)),
	    "group", ip_str(g, gb, sizeof(gb)),
	    "tunnels", (int)n));
}

static json_t *
control_flows(struct relayd *rd)
{
	json_t	*a = json_array();

	fwd_walk(rd, control_flow, a);
	return json_pack("{s:o}", "flows", a);
}

static json_t *
control_error(const char *what, const char *arg)
{
	char	buf[256];

	snprintf(buf, sizeof(buf), "%s '%s' (show tunnels|flows|stats|config,"
	    " reload, drain, undrain, log-level warning|info|debug, "
	    "verbose N)", what, arg);
	return json_pack("{s:s}", "error", buf);
}

/* `show config`: key -> value, or a list for repeated keys. */
static void
control_config_line(json_t *o, char *line)
{
	char	*v = strchr(line, ' ');
	json_t	*old, *a;

	if (v == NULL)
		return;
	*v++ = '\0';
	if ((old = json_object_get(o, line)) == NULL) {
		json_object_set_new(o, line, json_string(v));
		return;
	}
	if (!json_is_array(old)) {
		a = json_array();
		json_array_append(a, old);
		json_object_set_new(o, line, a);
		old = a;
	}
	json_array_append_new(old, json_string(v));
}

static json_t *
control_config(struct relayd *rd)
{
	char	*buf = NULL, *line, *save = NULL;
	size_t	 len = 0;
	FILE	*f;
	json_t	*o = json_object();

	if ((f = open_memstream(&buf, &len)) == NULL)
		return json_pack("{s:s}", "error", strerror(errno));
	conf_print(&rd->conf, f);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		control_config_line(o, line);
	free(buf);
	return json_pack("{s:o}", "config", o);
}

static json_t *
control_reload(struct relayd *rd)
{
	char	err[1024];

	if (reload_conf(rd, err, sizeof(err)) == -1) {
		log_warnx("reload: %s; keeping the running configuration",
		    err);
		return json_pack("{s:s}", "error", err);
	}
	return json_pack("{s:s}", "reload", "ok");
}

/* `log-level LEVEL` and `verbose N`: until the next reload. */
static json_t *
control_log_level(struct relayd *rd, const char *what, const char *arg)
{
	const char	*name;
	char		*end;
	long		 v;
	int		 l;

	if (strcmp(what, "verbose") == 0) {
		v = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || v < 0 || v > 9)
			return control_error("bad verbosity", arg);
		rd->conf.verbose = (int)v;
	} else {
		if ((l = conf_syslog_level(arg)) == -1)
			return control_error("bad log level", arg);
		rd->conf.log_level = l;
		rd->conf.verbose = 0;
	}
	/* Debug verbosity in effect (log.c's -1, warnings only, is 0). */
	v = log_setlevel(rd->conf.log_level, rd->conf.verbose);
	v = v > 0 ? v : 0;
	if ((name = conf_syslog_level_name(rd->conf.log_level)) == NULL)
		name = "?";
	log_info("log level %s, verbose %ld", name, v);
	return json_pack("{s:s, s:i}", "log-level", name, "verbose", (int)v);
}

/* One request line: "show ...", "reload", "log-level L", "verbose N". */
static json_t *
control_handle(int argc, char **argv, void *arg)
{
	struct relayd	*rd = arg;

	if (argc == 1 && strcmp(argv[0], "reload") == 0)
		return control_reload(rd);
	if (argc == 1 && (strcmp(argv[0], "drain") == 0 ||
	    strcmp(argv[0], "undrain") == 0)) {
		pool_drain(rd, argv[0][0] == 'd');
		return control_drain(rd);
	}
	if (argc == 2 && (strcmp(argv[0], "log-level") == 0 ||
	    strcmp(argv[0], "verbose") == 0))
		return control_log_level(rd, argv[0], argv[1]);
	if (argc < 2 || strcmp(argv[0], "show") != 0)
		return control_error("unknown command", argc > 0 ? argv[0] :
		    "");
	if (strcmp(argv[1], "tunnels") == 0)
		return control_tunnels(rd);
	if (strcmp(argv[1], "flows") == 0)
		return control_flows(rd);
	if (strcmp(argv[1], "stats") == 0)
		return control_stats(rd);
	if (strcmp(argv[1], "config") == 0)
		return control_config(rd);
	return control_error("unknown: show", argv[1]);
}

/* control-group: the socket's group, so that its members may use it. */
static int
control_group(struct relayd *rd)
{
	struct group	*gr;

	if (rd->conf.ctl_group[0] == '\0')
		return 0;
	errno = 0;
	if ((gr = getgrnam(rd->conf.ctl_group)) == NULL) {
		log_warnx("control-group %s: %s", rd->conf.ctl_group,
		    errno ? strerror(errno) : "no such group");
		return -1;
	}
	if (chown(rd->conf.ctl_path, (uid_t)-1, gr->gr_gid) == -1) {
		log_warn("chown %s", rd->conf.ctl_path);
		return -1;
	}
	return 0;
}

int
control_start(struct relayd *rd)
{
	rd->ctl = ctl_server_new(rd->base, rd->conf.ctl_path, control_handle,
	    rd);
	if (rd->ctl == NULL) {
		log_warn("control socket %s", rd->conf.ctl_path);
		return -1;
	}
	if (control_group(rd) == -1) {
		control_stop(rd);
		return -1;
	}
	return 0;
}

/* ctl_server_free() closes the socket and removes its path. */
void
control_stop(struct relayd *rd)
{
	if (rd->ctl != NULL)
		ctl_server_free(rd->ctl);
	rd->ctl = NULL;
}

/* SIGUSR1: every counter into the log. */
void
control_log_stats(struct relayd *rd)
{
	json_t	*o = control_stats(rd);
	char	*s = json_dumps(o, JSON_COMPACT);

	log_info("stats %s", s != NULL ? s : "?");
	free(s);
	json_decref(o);
}
