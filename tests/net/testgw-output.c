/*
 * amt-testgw: the final report, one JSON document on stdout, and the
 * exit code: 0 every check passed, 1 a check failed (a bad
 * Advertisement or Query, a gateway without its Query, fewer Data than
 * --expect), 2 usage or system error (decided in amt-testgw.c).
 */
#include <sys/socket.h>

#include <stdio.h>

#include "testgw.h"

static json_t *
query_json(const struct tg_counts *c)
{
	return json_pack("{s:I, s:I, s:i, s:i, s:i, s:i, s:i, s:i}",
	    "len_min", (json_int_t)c->query_len_min,
	    "len_max", (json_int_t)c->query_len_max,
	    "flags", c->query_flags, "family", c->query_family == AF_INET6 ?
	    6 : c->query_family == AF_INET ? 4 : 0,
	    "version", c->query_version, "qqi", (int)c->query_qqi,
	    "qrv", (int)c->query_qrv, "max_resp_ms", (int)c->query_mrt_ms);
}

static json_t *
counts_json(const struct tg_counts *c)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "discoveries", (json_int_t)c->discoveries,
	    "advertisements", (json_int_t)c->advertisements,
	    "adv_bad", (json_int_t)c->adv_bad, "adv_relay", c->adv_relay,
	    "requests", (json_int_t)c->requests,
	    "queries", (json_int_t)c->queries,
	    "query_bad", (json_int_t)c->query_bad,
	    "query_g", (json_int_t)c->query_g,
	    "query_l", (json_int_t)c->query_l,
	    "updates", (json_int_t)c->updates,
	    "teardowns", (json_int_t)c->teardowns,
	    "data", (json_int_t)c->data, "data_bad", (json_int_t)c->data_bad,
	    "data_late", (json_int_t)c->data_late,
	    "other", (json_int_t)c->other,
	    "decode_err", (json_int_t)c->decode_err,
	    "send_err", (json_int_t)c->send_err,
	    "icmp_err", (json_int_t)c->icmp_err,
	    "max_inner", (json_int_t)c->max_inner);
}

static json_t *
gws_json(const struct tg *tg, uint64_t *min_data, int *with_query)
{
	json_t	*a = json_array();
	int	 i;

	*min_data = UINT64_MAX;
	*with_query = 0;
	for (i = 0; i < tg->conf.ngw; i++) {
		json_array_append_new(a, gw_json(&tg->gws[i]));
		if (tg->gws[i].data < *min_data)
			*min_data = tg->gws[i].data;
		if (tg->gws[i].queries > 0)
			(*with_query)++;
	}
	return a;
}

/* Decide the exit code and print everything as one JSON document. */
int
tg_report(struct tg *tg)
{
	json_t		*o;
	uint64_t	 min_data;
	int		 with_query, rc = 0;

	o = counts_json(&tg->c);
	json_object_set_new(o, "gw", gws_json(tg, &min_data, &with_query));
	json_object_set_new(o, "gateways", json_integer(tg->conf.ngw));
	json_object_set_new(o, "with_query", json_integer(with_query));
	json_object_set_new(o, "min_data", json_integer((json_int_t)min_data));
	json_object_set_new(o, "query", query_json(&tg->c));
	json_object_set_new(o, "query_ms_max", json_real(tg->c.query_ms_max));
	json_object_set_new(o, "query_slow",
	    json_integer((json_int_t)tg->c.query_slow));
	json_object_set_new(o, "flows", flows_json(tg));
	json_object_set_new(o, "attack", json_pack("{s:I, s:I, s:I}",
	    "sent", (json_int_t)tg->c.atk_sent,
	    "queries", (json_int_t)tg->c.atk_queries,
	    "errors", (json_int_t)tg->c.atk_err));
	if (tg->failed || tg->c.adv_bad > 0 || tg->c.query_bad > 0)
		rc = 1;
	else if (tg->conf.discover_only)
		rc = tg->c.advertisements >= (uint64_t)tg->conf.ngw ? 0 : 1;
	else if (with_query < tg->conf.ngw || min_data < tg->conf.expect)
		rc = 1;
	json_object_set_new(o, "ok", json_boolean(rc == 0));
	json_dumpf(o, stdout, JSON_COMPACT);
	printf("\n");
	json_decref(o);
	return rc;
}
