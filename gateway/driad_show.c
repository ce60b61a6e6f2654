/*
 * What amtctl shows of DRIAD (RFC 8777): for each session its method
 * and the sources it serves, with why; "show sources": the look-up state
 * of every source of an (S,G) join.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "amt/clock.h"
#include "driad.h"

static const char *const dsrc_state_names[] = {
	"looking", "ready", "no-amt", "no-relay", "backoff", "held-down",
};

/* "looking", "ready", ..., "backoff N s". */
const char *
driad_state_str(const struct dsrc *x, char *buf, size_t len)
{
	if (x->state == DS_BACKOFF) {
		snprintf(buf, len, "backoff %u s", (x->wait_ms + 999) / 1000);
		return buf;
	}
	if ((size_t)x->state >= sizeof(dsrc_state_names) /
	    sizeof(dsrc_state_names[0]))
		return "?";
	return dsrc_state_names[x->state];
}

static json_t *
driad_show_served(const struct dsrc *x, bool fallback)
{
	char	a[INET6_ADDRSTRLEN];
	json_t	*o;

	o = json_pack("{s:s, s:s}", "source", ip_str(&x->src, a, sizeof(a)),
	    "why", x->why);
	if (!fallback) {
		json_object_set_new(o, "precedence",
		    json_integer(x->used.precedence));
		json_object_set_new(o, "d", json_integer(x->used.d));
	}
	return o;
}

/* D4: the method of a session and the sources it carries. */
void
driad_show_session(struct session *s, json_t *o)
{
	struct driad	*d = s->gw->driad;
	struct dsrc	*x;
	json_t		*a;
	char		 b[INET6_ADDRSTRLEN];

	if (s->dr != NULL)
		json_object_set_new(o, "method", json_string("driad"));
	else
		json_object_set_new(o, "method", json_string(
		    s->use_discovery ? "discovery" : "configured"));
	if (d == NULL)
		return;
	if (s->dr != NULL) {
		json_object_set_new(o, "candidate", json_string(
		    ip_str(&s->dr->addr, b, sizeof(b))));
		json_object_set_new(o, "d", json_integer(s->dr->d));
		if (s->dr->failed)
			json_object_set_new(o, "failed",
			    json_string(s->dr->fail_why));
	}
	a = json_array();
	TAILQ_FOREACH(x, &d->srcs, entry) {
		if ((s->dr != NULL && x->ds == s->dr) ||
		    (s->dr == NULL && x->fallback))
			json_array_append_new(a, driad_show_served(x,
			    s->dr == NULL));
	}
	json_object_set_new(o, "sources", a);
}

static json_t *
driad_show_source(struct driad *d, const struct dsrc *x)
{
	char		 a[INET6_ADDRSTRLEN], st[32];
	json_t		*o, *c;
	size_t		 i;
	const struct dhold *h;

	o = json_pack("{s:s, s:s, s:s}", "source", ip_str(&x->src, a,
	    sizeof(a)), "state", driad_state_str(x, st, sizeof(st)),
	    "why", x->why);
	if (x->ds != NULL)
		json_object_set_new(o, "relay", json_string(ip_str(
		    &x->ds->addr, a, sizeof(a))));
	else if (x->fallback)
		json_object_set_new(o, "relay", json_string("fallback"));
	c = json_array();
	for (i = 0; i < x->ncand; i++) {
		h = driad_held(d, &x->cand[i].ip);
		json_array_append_new(c, json_pack("{s:s, s:i, s:i, s:b}",
		    "relay", ip_str(&x->cand[i].ip, a, sizeof(a)),
		    "precedence", x->cand[i].precedence,
		    "d", x->cand[i].d, "held-down", h != NULL));
	}
	json_object_set_new(o, "candidates", c);
	return o;
}

json_t *
driad_show_sources(struct gateway *gw)
{
	struct driad	*d = gw->driad;
	struct dhold	*h;
	struct dsrc	*x;
	json_t		*a, *hl;
	char		 b[INET6_ADDRSTRLEN];
	uint64_t	 now = clock_mono_ms();

	if (d == NULL)
		return json_pack("{s:b, s:[]}", "driad", 0, "sources");
	a = json_array();
	TAILQ_FOREACH(x, &d->srcs, entry)
		json_array_append_new(a, driad_show_source(d, x));
	hl = json_array();
	TAILQ_FOREACH(h, &d->holds, entry) {
		if (h->until > now)
			json_array_append_new(hl, json_pack("{s:s, s:s, s:I}",
			    "relay", ip_str(&h->addr, b, sizeof(b)),
			    "why", h->why, "left", (json_int_t)((h->until -
			    now) / 1000)));
	}
	return json_pack("{s:b, s:o, s:o}", "driad", 1, "sources", a,
	    "holddown", hl);
}
