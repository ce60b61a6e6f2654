/*
 * Membership Updates and Teardowns (RFC 7450 5.2.3.6, 5.2.3.7).  Reports
 * are rebuilt from records (IGMPv3 / MLDv2 through mcast_build_report),
 * never forwarded verbatim: link-scope groups stay local, and a large
 * state is split into reports that fit the tunnel.
 */
#include "config.h"

#include <string.h>

#include "amt/log.h"
#include "amt/mcast.h"
#include "amt/wire.h"
#include "gateway.h"

#define UPD_MAX_RECS	64

/*
 * One report being put together: its records here, their sources in the
 * gateway's upd_srcs and the report built in upd_pkt (both tx_buflen,
 * relaysock.c), so that it never outgrows the path to the relay.
 */
struct upd_batch {
	struct session		*s;
	int			 family;
	struct mcast_record	 recs[UPD_MAX_RECS];
	size_t			 nrec;
	uint8_t			*srcs;
	size_t			 srclen;
	size_t			 size;		/* estimated report size */
	size_t			 max;		/* tun_update_max */
	unsigned		 groups;	/* records sent */
};

/* IP header + Router Alert + IGMPv3 / MLDv2 report header. */
static size_t
upd_base(int family)
{
	return family == AF_INET6 ? 40 + 8 + 8 : 24 + 8;
}

static size_t
upd_rec_size(int family, size_t nsrc)
{
	return family == AF_INET6 ? 20 + 16 * nsrc : 8 + 4 * nsrc;
}

static void
upd_init(struct upd_batch *b, struct session *s, int family)
{
	b->s = s;
	b->family = family;
	b->nrec = 0;
	b->srcs = s->gw->upd_srcs;
	b->srclen = 0;
	b->size = upd_base(family);
	b->max = tun_update_max(s->gw);
	if (b->max > s->gw->tx_buflen)
		b->max = s->gw->tx_buflen;
	b->groups = 0;
}

static void
upd_src(struct gateway *gw, int family, struct amt_ip *src)
{
	memset(src, 0, sizeof(*src));
	src->family = family;
	if (family == AF_INET)
		src->u.v4 = gw->conf.tun_addr4;
	else
		src->u.v6 = gw->conf.tun_addr6;
}

/* RFC 7450 5.2.3.6.2: nonce and MAC of the last Query. */
static void
upd_flush(struct upd_batch *b)
{
	struct session		*s = b->s;
	uint8_t			*pkt = s->gw->upd_pkt;
	struct amt_msg		 m;
	struct amt_ip		 src;
	ssize_t			 len;

	if (b->nrec == 0)
		return;
	upd_src(s->gw, b->family, &src);
	len = mcast_build_report(&src, b->recs, b->nrec, pkt, b->max);
	if (len < 0)
		log_warnx("cannot build a report: %s", mcast_strerror((int)len));
	else {
		memset(&m, 0, sizeof(m));
		m.type = AMT_MEMBERSHIP_UPDATE;
		m.nonce = s->q_nonce;
		memcpy(m.mac, s->q_mac, sizeof(m.mac));
		m.inner = pkt;
		m.inner_len = (size_t)len;
		if (relaysock_send(s, s->fd, &m) == 0)
			s->cnt.membership_update++;
	}
	b->groups += b->nrec;
	b->nrec = 0;
	b->srclen = 0;
	b->size = upd_base(b->family);
}

/*
 * Room for a record of nsrc sources, flushing first if needed; a record
 * longer than a whole report keeps the sources that fit.
 */
static size_t
upd_room(struct upd_batch *b, size_t nsrc)
{
	size_t	alen = ip_len(b->family), max;

	if (b->nrec > 0 && (b->nrec == UPD_MAX_RECS ||
	    b->size + upd_rec_size(b->family, nsrc) > b->max))
		upd_flush(b);
	max = b->size + upd_rec_size(b->family, 0) < b->max ?
	    (b->max - b->size - upd_rec_size(b->family, 0)) / alen : 0;
	return nsrc < max ? nsrc : max;
}

/* Does s carry source src (NULL: any-source)?  Alone: everything. */
static bool
upd_serves(struct session *s, const struct amt_ip *src)
{
	const struct session_hooks	*h = s->gw->hooks;

	return h == NULL || h->serves == NULL || h->serves(s, src);
}

/*
 * D4, D6 (--driad): the part of a record that session s carries.  Source
 * lists keep the sources s serves; an include list may become empty (a
 * state change then tells s that the group has none of its sources; a
 * current state says nothing and goes); ALLOW and BLOCK with nothing
 * left go; any-source records (EXCLUDE mode, the leave TO_IN {}) belong
 * to the default session.  Without --driad every record stays whole.
 */
static bool
upd_keep(struct session *s, struct mcast_record *r, uint8_t *buf)
{
	struct amt_ip	ip;
	size_t		alen = ip_len(r->group.family), i, k = 0;

	if (s->gw->hooks == NULL || s->gw->hooks->serves == NULL)
		return true;
	if (r->type == MCAST_MODE_IS_EXCLUDE ||
	    r->type == MCAST_CHANGE_TO_EXCLUDE || r->nsrc == 0)
		return r->type != MCAST_MODE_IS_INCLUDE &&
		    upd_serves(s, NULL);
	memset(&ip, 0, sizeof(ip));
	ip.family = r->group.family;
	for (i = 0; i < r->nsrc; i++) {
		memcpy(ip.u.b, buf + i * alen, alen);
		if (!upd_serves(s, &ip))
			continue;
		memmove(buf + k * alen, buf + i * alen, alen);
		k++;
	}
	r->nsrc = (uint16_t)k;
	return k > 0 || r->type == MCAST_CHANGE_TO_INCLUDE;
}

/* Count the record at b->recs[b->nrec] in, if the session carries it. */
static bool
upd_commit(struct upd_batch *b)
{
	struct mcast_record	*n = &b->recs[b->nrec];

	if (!upd_keep(b->s, n, b->srcs + b->srclen))
		return false;
	b->nrec++;
	b->srclen += n->nsrc * ip_len(b->family);
	b->size += upd_rec_size(b->family, n->nsrc);
	return true;
}

static bool
upd_add_record(struct upd_batch *b, const struct mcast_record *r)
{
	struct mcast_record	*n;
	size_t			 alen = ip_len(b->family), nsrc;

	nsrc = upd_room(b, r->nsrc);
	n = &b->recs[b->nrec];
	*n = *r;
	n->nsrc = (uint16_t)nsrc;
	n->srcs = b->srcs + b->srclen;
	if (nsrc > 0)
		memcpy(b->srcs + b->srclen, r->srcs, nsrc * alen);
	return upd_commit(b);
}

static bool
upd_add_group(struct upd_batch *b, const struct lgroup *g, bool current)
{
	size_t	nsrc = upd_room(b, g->nsrc);

	lgroup_record(g, current, &b->recs[b->nrec], b->srcs + b->srclen,
	    nsrc * ip_len(b->family));
	return upd_commit(b);
}

static bool
upd_wanted(const struct lgroup *g, int family)
{
	return g->group.family == family && !mcast_is_linklocal(&g->group);
}

/*
 * G6: each Query cycle sends the current state (IS_IN / IS_EX records),
 * so that reports learnt before any Query are not lost.  RFC 7450
 * 5.2.3.5.1: nothing when there are no subscriptions.  G10: nothing new
 * while the relay says L.
 */
void
update_send_state(struct session *s, int family)
{
	struct upd_batch	 b;
	struct lgroup		*g;

	if (!s->have_query || s->limited)
		return;
	upd_init(&b, s, family);
	TAILQ_FOREACH(g, &s->gw->db.groups, entry) {
		if (upd_wanted(g, family) && lgroup_active(g))
			upd_add_group(&b, g, true);
	}
	upd_flush(&b);
	if (b.groups > 0)
		s->reported = true;
}

/*
 * A report from the tun, as records (RFC 7450 5.2.3.6.1), sent at once
 * when a Query gave a nonce and MAC; otherwise the Query will carry it.
 */
void
update_send_change(struct session *s)
{
	struct mcast_report	 it = *s->ev_report;
	struct mcast_record	 r;
	struct upd_batch	 b;
	struct lgroup		*g;

	if (!s->have_query)
		return;
	upd_init(&b, s, it.family);
	while (mcast_report_next(&it, &r) == 1) {
		if (mcast_is_linklocal(&r.group))
			continue;
		g = lmdb_find(&s->gw->db, &r.group);
		/* G10: while limited only removals go out. */
		if (s->limited && g != NULL && lgroup_active(g))
			continue;
		upd_add_record(&b, &r);
	}
	upd_flush(&b);
	if (b.groups > 0 && lmdb_count(&s->gw->db, AF_UNSPEC) > 0)
		s->reported = true;
}

static void
upd_rexmit_family(struct session *s, int family)
{
	struct upd_batch	 b;
	struct lgroup		*g;

	upd_init(&b, s, family);
	TAILQ_FOREACH(g, &s->gw->db.groups, entry) {
		if (g->rexmit == 0 || g->group.family != family)
			continue;
		if (s->have_query && upd_wanted(g, family) &&
		    !(s->limited && lgroup_active(g)))
			upd_add_group(&b, g, false);
	}
	upd_flush(&b);
}

/*
 * G6: one repeat of the state changes (the groups with repeats left) as
 * s carries them (D4); sessions.c counts the repeats down.
 */
void
update_rexmit(struct session *s)
{
	upd_rexmit_family(s, AF_INET);
	upd_rexmit_family(s, AF_INET6);
}

/* RFC 7450 5.2.3.8: an Update that deletes every subscription. */
void
update_delete_all(struct session *s)
{
	struct upd_batch	 b;
	struct mcast_record	 r;
	struct lgroup		*g;
	int			 fams[2] = { AF_INET, AF_INET6 }, i;

	for (i = 0; i < 2; i++) {
		upd_init(&b, s, fams[i]);
		TAILQ_FOREACH(g, &s->gw->db.groups, entry) {
			if (!upd_wanted(g, fams[i]) || !lgroup_active(g))
				continue;
			if (g->mode == LM_EXCLUDE) {
				/* EXCLUDE -> TO_IN {}: the leave. */
				memset(&r, 0, sizeof(r));
				r.type = MCAST_CHANGE_TO_INCLUDE;
				r.group = g->group;
				if (upd_serves(s, NULL))
					upd_add_record(&b, &r);
			} else if (upd_add_group(&b, g, true)) {
				/* INCLUDE (S) -> BLOCK (S). */
				b.recs[b.nrec - 1].type =
				    MCAST_BLOCK_OLD_SOURCES;
			}
		}
		upd_flush(&b);
	}
	s->reported = false;
	log_info("sent Membership Update deleting every subscription");
}

/*
 * --driad: source src moves away from session s (D5) or is no longer
 * served there: BLOCK (src) for every group that includes it.
 */
void
update_block_source(struct session *s, const struct amt_ip *src)
{
	struct upd_batch	 b;
	struct mcast_record	*n;
	struct lgroup		*g;
	size_t			 i, alen = ip_len(src->family);

	if (!s->have_query || s->fd == -1)
		return;
	upd_init(&b, s, src->family);
	TAILQ_FOREACH(g, &s->gw->db.groups, entry) {
		if (!upd_wanted(g, src->family) || g->mode != LM_INCLUDE)
			continue;
		for (i = 0; i < g->nsrc && !ip_eq(&g->srcs[i], src); i++)
			;
		if (i == g->nsrc)
			continue;
		if (upd_room(&b, 1) == 0)
			continue;
		n = &b.recs[b.nrec++];
		memset(n, 0, sizeof(*n));
		n->type = MCAST_BLOCK_OLD_SOURCES;
		n->group = g->group;
		n->nsrc = 1;
		n->srcs = b.srcs + b.srclen;
		memcpy(b.srcs + b.srclen, src->u.b, alen);
		b.srclen += alen;
		b.size += upd_rec_size(b.family, 1);
	}
	upd_flush(&b);
}

static void
teardown_msg(struct session *s, struct amt_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = AMT_TEARDOWN;
	m->nonce = s->q_nonce;
	memcpy(m->mac, s->q_mac, sizeof(m->mac));
	m->gw_port = s->q_gw_port;
	memcpy(m->gw_addr, s->q_gw_addr, sizeof(m->gw_addr));
}

/* RFC 7450 5.2.3.7.2: fields of the Query behind the last Update. */
void
teardown_send_now(struct session *s)
{
	struct amt_msg	m;

	teardown_msg(s, &m);
	if (relaysock_send(s, s->fd, &m) == 0)
		s->cnt.teardown++;
	log_info("sent Teardown");
}

/*
 * Without gateway fields from the relay: a Teardown naming the address
 * and port of our own socket.  Without NAT that is what the relay saw,
 * its MAC verifies and the tunnel goes at once; behind NAT the MAC fails
 * and the relay ignores it (RFC 7450 5.3.3.5), so it is always safe.
 */
void
teardown_send_local(struct session *s)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	struct amt_msg		m;

	if (s->fd == -1 || getsockname(s->fd, (struct sockaddr *)&ss,
	    &len) == -1)
		return;
	teardown_msg(s, &m);
	if (addr_canon((struct sockaddr *)&ss, m.gw_addr, &m.gw_port) == -1)
		return;
	if (relaysock_send(s, s->fd, &m) == 0)
		s->cnt.teardown++;
	log_info("sent Teardown with the local address and port");
}

/* G8: at most QRV Teardowns, 1 s apart. */
void
teardown_start(struct session *s)
{
	struct timeval	tv = { 1, 0 };

	teardown_msg(s, &s->td_msg);
	s->td_left = s->qrv ? s->qrv : 1;
	log_info("gateway address or port changed: Teardown of the old "
	    "tunnel (%u times)", s->td_left);
	teardown_cb(-1, 0, s);
	if (s->td_left > 0)
		evtimer_add(s->td_ev, &tv);
}

void
teardown_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct session	*s = arg;
	struct timeval	 tv = { 1, 0 };

	if (s->td_left == 0)
		return;
	s->td_left--;
	if (relaysock_send(s, s->fd, &s->td_msg) == 0)
		s->cnt.teardown++;
	if (s->td_left > 0 && fd != -1)
		evtimer_add(s->td_ev, &tv);
}
