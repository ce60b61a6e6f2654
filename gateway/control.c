/*
 * The control socket: "show sessions", "show groups", "show stats",
 * "show config" as JSON (counter names of the AMT YANG draft where there
 * is one); "reload" and "log-level debug|info|warning".  The socket is
 * mode 0660, owned by the user that started amtgwd.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "amt/ctl.h"
#include "amt/log.h"
#include "gateway.h"

#define STAT(o, name, v)	\
	json_object_set_new(o, name, json_integer((json_int_t)(v)))

/* The message counters of a session, in "show sessions" and "show stats". */
static void
control_counters(json_t *o, const struct sess_counters *c)
{
	STAT(o, "relay-discovery", c->relay_discovery);
	STAT(o, "relay-advertisement", c->relay_advertisement);
	STAT(o, "request", c->request);
	STAT(o, "membership-query", c->membership_query);
	STAT(o, "membership-update", c->membership_update);
	STAT(o, "teardown", c->teardown);
	STAT(o, "data-packets", c->data_packets);
	STAT(o, "data-bytes", c->data_bytes);
	STAT(o, "probes", c->probes);
	STAT(o, "silent-periods", c->silences);
	STAT(o, "recoveries", c->recoveries);
	/* Relays in the field (amtgwd(8), INTEROPERABILITY). */
	STAT(o, "stale-queries", c->stale_queries);
	STAT(o, "queries-other-family", c->other_family);
	STAT(o, "request-layout-switches", c->layout_switches);
}

static json_t *
control_session(struct session *s)
{
	char	a[ADDR_STRLEN];
	json_t	*o;

	o = json_object();
	json_object_set_new(o, "relay", json_string(s->have_relay ?
	    addr_str((struct sockaddr *)&s->relay_sa, a, sizeof(a)) : ""));
	json_object_set_new(o, "discovery", json_string(s->use_discovery ?
	    addr_str((struct sockaddr *)&s->disc_sa, a, sizeof(a)) :
	    "configured"));
	json_object_set_new(o, "state", json_string(fsm_state_name(s->state)));
	json_object_set_new(o, "since", json_integer(s->since));
	json_object_set_new(o, "interface", json_string(s->gw->tun.name));
	json_object_set_new(o, "limited", json_boolean(s->limited));
	json_object_set_new(o, "gateway-fields", json_boolean(s->q_g));
	json_object_set_new(o, "qqi", json_integer(s->qqi));
	json_object_set_new(o, "qrv", json_integer(s->qrv));
	json_object_set_new(o, "request-layout",
	    json_string(interop_layout_name(s->req_layout)));
	control_counters(o, &s->cnt);
	STAT(o, "limited-queries", s->cnt.limited);
	STAT(o, "icmp-errors", s->cnt.icmp_errors);
	return o;
}

static json_t *
control_sessions(struct gateway *gw)
{
	struct session	*s;
	json_t		*a = json_array(), *o;

	for (s = sessions_next(gw, NULL); s != NULL; s = sessions_next(gw, s)) {
		o = control_session(s);
		if (gw->hooks != NULL && gw->hooks->show_session != NULL)
			gw->hooks->show_session(s, o);
		json_array_append_new(a, o);
	}
	return json_pack("{s:o}", "sessions", a);
}

static json_t *
control_group(const struct lgroup *g)
{
	char	 a[INET6_ADDRSTRLEN];
	json_t	*o, *srcs;
	size_t	 i;

	srcs = json_array();
	for (i = 0; i < g->nsrc; i++)
		json_array_append_new(srcs, json_string(ip_str(&g->srcs[i],
		    a, sizeof(a))));
	o = json_object();
	json_object_set_new(o, "group", json_string(ip_str(&g->group, a,
	    sizeof(a))));
	json_object_set_new(o, "mode", json_string(g->mode == LM_EXCLUDE ?
	    "exclude" : "include"));
	json_object_set_new(o, "sources", srcs);
	return o;
}

static json_t *
control_groups(struct gateway *gw)
{
	struct lgroup	*g;
	json_t		*a = json_array();

	TAILQ_FOREACH(g, &gw->db.groups, entry) {
		if (lgroup_active(g) && !mcast_is_linklocal(&g->group))
			json_array_append_new(a, control_group(g));
	}
	return json_pack("{s:o}", "groups", a);
}

/* G12: Data not delivered, "data-" and the reason. */
static void
control_drops(json_t *o, const struct gw_stats *st)
{
	char	name[64];
	int	i;

	for (i = GD_PASS + 1; i < GD_MAX; i++) {
		snprintf(name, sizeof(name), "data-%s", gw_drop_names[i]);
		STAT(o, name, st->data_drops[i]);
	}
}

static json_t *
control_stats(struct gateway *gw)
{
	struct gw_stats		*st = &gw->st;
	struct sess_counters	 tot;
	json_t			*o = json_object();

	sessions_totals(gw, &tot);
	control_counters(o, &tot);
	STAT(o, "groups", lmdb_count(&gw->db, AF_UNSPEC));
	STAT(o, "tun-reports", st->tun_reports);
	STAT(o, "tun-ignored", st->tun_ignored);
	STAT(o, "tun-bad-report", st->tun_bad_report);
	STAT(o, "tun-read-errors", st->tun_read_errors);
	STAT(o, "tun-too-big", st->tun_too_big);
	STAT(o, "tun-write-errors", st->tun_write_errors);
	STAT(o, "tun-queries", st->tun_queries);
	STAT(o, "linklocal-records", st->linklocal_records);
	STAT(o, "rx-datagrams", st->rx_datagrams);
	STAT(o, "rx-truncated", st->rx_truncated);
	STAT(o, "incomplete-packet", st->rx_bad_message);
	STAT(o, "unexpected-type", st->unexpected_type);
	STAT(o, "data-not-multicast", st->data_not_multicast);
	STAT(o, "data-unexpected-source", st->data_unexpected_source);
	control_drops(o, st);
	STAT(o, "data-ecn-ce-drops", st->ecn_ce_drops);
	STAT(o, "data-ecn-ce-marked", st->ecn_ce_marked);
	STAT(o, "data-ecn-alarms", st->ecn_alarms);
	STAT(o, "advertisement-ignored", st->advert_ignored);
	STAT(o, "query-ignored", st->query_ignored);
	STAT(o, "icmp-errors", st->icmp_errors);
	STAT(o, "send-errors", st->send_errors);
	return o;
}

/* The effective configuration as {"config": {key: value}}. */
static json_t *
control_config(struct gateway *gw)
{
	json_t	*o = json_object();
	char	*text = NULL, *line, *sp, *save = NULL;
	size_t	 len = 0;
	FILE	*f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return json_pack("{s:s}", "error", "out of memory");
	conf_print(&gw->conf, f);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		json_object_set_new(o, line, json_string(sp));
	}
	free(text);
	return json_pack("{s:o}", "config", o);
}

static json_t *
control_reload(struct gateway *gw)
{
	char	err[512];

	if (reload_conf(gw, err, sizeof(err)) == -1)
		return json_pack("{s:s}", "error", err);
	return json_pack("{s:s}", "reload", "ok");
}

/* "log-level debug|info|warning": now, until the next reload. */
static json_t *
control_log_level(struct gateway *gw, const char *name)
{
	const char	*lname;
	int		 level;

	if ((level = conf_syslog_level(name)) == -1)
		return json_pack("{s:s}", "error", "log-level: debug, info "
		    "or warning");
	gw->conf.log_level = level;
	gw->conf.verbose = 0;
	reload_log_apply(&gw->conf);
	lname = conf_syslog_level_name(level);
	log_warnx("log level %s", lname);
	return json_pack("{s:s}", "log-level", lname);
}

static json_t *
control_show(struct gateway *gw, const char *what)
{
	if (strcmp(what, "sessions") == 0)
		return control_sessions(gw);
	if (strcmp(what, "groups") == 0)
		return control_groups(gw);
	if (strcmp(what, "stats") == 0)
		return control_stats(gw);
	if (strcmp(what, "config") == 0)
		return control_config(gw);
	if (strcmp(what, "sources") != 0)
		return NULL;
	if (gw->hooks != NULL && gw->hooks->show_sources != NULL)
		return gw->hooks->show_sources(gw);
	return json_pack("{s:b, s:[]}", "driad", 0, "sources");
}

static json_t *
control_handler(int argc, char **argv, void *arg)
{
	struct gateway	*gw = arg;
	json_t		*r = NULL;

	/* A trailing "--json" is accepted: replies are always JSON. */
	if (argc >= 1 && strcmp(argv[argc - 1], "--json") == 0)
		argc--;
	if (argc == 2 && strcmp(argv[0], "show") == 0)
		r = control_show(gw, argv[1]);
	else if (argc == 1 && strcmp(argv[0], "reload") == 0)
		r = control_reload(gw);
	else if (argc == 2 && strcmp(argv[0], "log-level") == 0)
		r = control_log_level(gw, argv[1]);
	if (r != NULL)
		return r;
	return json_pack("{s:s}", "error", "unknown request; try "
	    "show sessions|sources|groups|stats|config, reload, "
	    "log-level debug|info|warning");
}

int
control_start(struct gateway *gw)
{
	gw->ctl = ctl_server_new(gw->base, gw->conf.ctl_path, control_handler,
	    gw);
	if (gw->ctl == NULL) {
		log_warn("control socket %s", gw->conf.ctl_path);
		return -1;
	}
	return 0;
}

void
control_stop(struct gateway *gw)
{
	if (gw->ctl != NULL) {
		ctl_server_free(gw->ctl);
		gw->ctl = NULL;
	}
}

/* SIGUSR1: the counters into the log. */
void
control_log_stats(struct gateway *gw)
{
	json_t		*o = control_stats(gw);
	const char	*k;
	json_t		*v;

	log_info("session %s, relay state %s", gw->tun.name,
	    fsm_state_name(gw->sess.state));
	json_object_foreach(o, k, v)
		log_info("  %s %lld", k, (long long)json_integer_value(v));
	json_decref(o);
}
