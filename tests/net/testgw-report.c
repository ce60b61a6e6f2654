/*
 * amt-testgw: group records from the command line, the Membership
 * Updates that carry them (RFC 7450 5.1.5) and the per-(S,G) count of the
 * Data that comes back.
 *
 *   --join S,G      IS_IN {S}  (INCLUDE {S}; several S of one G merge)
 *   --join *,G      IS_EX {}   (EXCLUDE {}: any source)
 *   --exclude S,G   IS_EX {S}  (EXCLUDE {S})
 *   --leave S,G     BLOCK {S}
 *   --leave *,G     TO_IN {}
 *   --rec T,G,S...  record type T (1-6) as given
 * With --v2 a *,G join is an IGMPv2/MLDv1 report, a *,G leave a
 * leave/done.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testgw.h"

#define REC_MAX_INNER	1400	/* inner report size per Update */

static struct tg_rec *
rec_find(struct tg_phase *ph, uint8_t type, const struct amt_ip *g)
{
	struct tg_rec	*r;
	int		 i;

	for (i = 0; i < ph->nrecs; i++) {
		r = &ph->recs[i];
		if (r->type == type && ip_eq(&r->group, g))
			return r;
	}
	if (ph->nrecs == TG_MAX_RECS)
		return NULL;
	r = &ph->recs[ph->nrecs++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->group = *g;
	return r;
}

static int
rec_add_src(struct tg_rec *r, const struct amt_ip *s)
{
	if (r == NULL || r->nsrc == TG_MAX_SRCS ||
	    s->family != r->group.family)
		return -1;
	r->srcs[r->nsrc++] = *s;
	return 0;
}

/* "S,G" or "*,G" as join, exclude or leave. */
static int
rec_parse_sg(struct tg_phase *ph, const char *kind, char *s, char *g)
{
	struct amt_ip	src, grp;
	bool		any = strcmp(s, "*") == 0;
	uint8_t		type;

	if (ip_parse(g, &grp) == -1 || !ip_is_multicast(&grp))
		return -1;
	if (!any && ip_parse(s, &src) == -1)
		return -1;
	if (strcmp(kind, "join") == 0)
		type = any ? MCAST_MODE_IS_EXCLUDE : MCAST_MODE_IS_INCLUDE;
	else if (strcmp(kind, "exclude") == 0 && !any)
		type = MCAST_MODE_IS_EXCLUDE;
	else if (strcmp(kind, "leave") == 0)
		type = any ? MCAST_CHANGE_TO_INCLUDE : MCAST_BLOCK_OLD_SOURCES;
	else
		return -1;
	if (any)
		return rec_find(ph, type, &grp) == NULL ? -1 : 0;
	return rec_add_src(rec_find(ph, type, &grp), &src);
}

/* "TYPE,G[,S...]": a record exactly as given. */
static int
rec_parse_raw(struct tg_phase *ph, char *arg)
{
	struct tg_rec	*r;
	struct amt_ip	 ip;
	char		*tok, *save;
	int		 type;

	if ((tok = strtok_r(arg, ",", &save)) == NULL)
		return -1;
	type = atoi(tok);
	if (type < 1 || type > 6 || ph->nrecs == TG_MAX_RECS)
		return -1;
	if ((tok = strtok_r(NULL, ",", &save)) == NULL ||
	    ip_parse(tok, &ip) == -1)
		return -1;
	r = &ph->recs[ph->nrecs++];
	memset(r, 0, sizeof(*r));
	r->type = (uint8_t)type;
	r->group = ip;
	while ((tok = strtok_r(NULL, ",", &save)) != NULL)
		if (ip_parse(tok, &ip) == -1 || rec_add_src(r, &ip) == -1)
			return -1;
	return 0;
}

int
rec_parse(struct tg_phase *ph, const char *kind, const char *arg)
{
	char	 tmp[1024], *comma;

	if (strlen(arg) >= sizeof(tmp))
		return -1;
	strcpy(tmp, arg);
	if (strcmp(kind, "rec") == 0)
		return rec_parse_raw(ph, tmp);
	if ((comma = strchr(tmp, ',')) == NULL)
		return -1;
	*comma = '\0';
	return rec_parse_sg(ph, kind, tmp, comma + 1);
}

static const struct amt_ip *
rec_report_src(struct tg_gw *gw, int family)
{
	const struct tg_conf	*c = &gw->tg->conf;

	if (family == AF_INET)
		return c->report_src4.family != 0 ? &c->report_src4 :
		    &gw->rsrc4;
	return &c->report_src6;
}

/* Wrap an inner report into an Update and send it. */
static int
rec_send_update(struct tg_gw *gw, const uint8_t *inner, size_t len,
    uint32_t nonce, const uint8_t *mac)
{
	struct amt_msg	m;
	uint8_t		out[2048];
	ssize_t		n;

	memset(&m, 0, sizeof(m));
	m.type = AMT_MEMBERSHIP_UPDATE;
	m.nonce = nonce;
	memcpy(m.mac, mac, AMT_MAC_LEN);
	if (gw->tg->conf.bad_mac)
		m.mac[0] ^= 0x80;
	m.inner = inner;
	m.inner_len = len;
	if ((n = amt_encode(&m, out, sizeof(out))) < 0)
		return 0;
	return gw_send(gw, out, (size_t)n) == 0;
}

/* Convert records to the library's form; addresses go into store. */
/* --spread: source + k (in its last two bytes), one flow set per gateway. */
static void
rec_spread(uint8_t *a, size_t alen, unsigned k)
{
	unsigned	v = (unsigned)a[alen - 2] << 8 | a[alen - 1];

	v += k;
	a[alen - 2] = (uint8_t)(v >> 8);
	a[alen - 1] = (uint8_t)v;
}

static size_t
rec_to_mcast(const struct tg_rec *r, int n, bool leave,
    struct mcast_record *out, uint8_t *store, unsigned spread)
{
	size_t	alen, used = 0;
	int	i, j;

	for (i = 0; i < n; i++) {
		alen = ip_len(r[i].group.family);
		out[i].type = r[i].type;
		if (leave)
			out[i].type = r[i].nsrc > 0 &&
			    r[i].type == MCAST_MODE_IS_INCLUDE ?
			    MCAST_BLOCK_OLD_SOURCES : MCAST_CHANGE_TO_INCLUDE;
		out[i].group = r[i].group;
		out[i].nsrc = out[i].type == MCAST_CHANGE_TO_INCLUDE &&
		    leave ? 0 : r[i].nsrc;
		out[i].srcs = store + used;
		for (j = 0; j < out[i].nsrc; j++, used += alen) {
			memcpy(store + used, r[i].srcs[j].u.b, alen);
			rec_spread(store + used, alen, spread);
		}
	}
	return used;
}

static size_t
rec_size(const struct tg_rec *r)
{
	size_t	alen = ip_len(r->group.family);

	return 4 + alen + r->nsrc * alen;
}

/* Records [i, j) of one family that fit one Update. */
static int
rec_chunk(const struct tg_phase *ph, int family, int i)
{
	size_t	size = 0;
	int	j;

	for (j = i; j < ph->nrecs; j++) {
		if (ph->recs[j].group.family != family)
			break;
		if (j > i && size + rec_size(&ph->recs[j]) > REC_MAX_INNER)
			break;
		size += rec_size(&ph->recs[j]);
	}
	return j;
}

static ssize_t
rec_build(struct tg_gw *gw, const struct tg_rec *r, int n, bool leave,
    uint8_t *out, size_t cap)
{
	struct mcast_record	mr[TG_MAX_RECS];
	uint8_t			store[TG_MAX_RECS * TG_MAX_SRCS * 16];

	rec_to_mcast(r, n, leave, mr, store, gw->tg->conf.spread ?
	    (unsigned)gw->idx : 0);
	return mcast_build_report(rec_report_src(gw, r->group.family), mr,
	    (size_t)n, out, cap);
}

/* IGMPv2 / MLDv1: one message per *,G record. */
static int
rec_send_v2(struct tg_gw *gw, const struct tg_phase *ph, uint32_t nonce,
    const uint8_t *mac)
{
	const struct tg_rec	*r;
	uint8_t			 ip[256];
	ssize_t			 n;
	int			 i, sent = 0;

	for (i = 0; i < ph->nrecs; i++) {
		r = &ph->recs[i];
		n = mcast_build_v1report(rec_report_src(gw, r->group.family),
		    &r->group, r->type == MCAST_CHANGE_TO_INCLUDE, ip,
		    sizeof(ip));
		if (n > 0)
			sent += rec_send_update(gw, ip, (size_t)n, nonce, mac);
	}
	return sent;
}

int
rec_send_updates(struct tg_gw *gw, const struct tg_phase *ph,
    uint32_t nonce, const uint8_t *mac)
{
	uint8_t	ip[4096];
	ssize_t	n;
	int	i, j, sent = 0;

	if (ph->v2)
		return rec_send_v2(gw, ph, nonce, mac);
	for (i = 0; i < ph->nrecs; i = j) {
		j = rec_chunk(ph, ph->recs[i].group.family, i);
		n = rec_build(gw, &ph->recs[i], j - i, false, ip, sizeof(ip));
		if (n < 0) {
			fprintf(stderr, "amt-testgw: report: %s\n",
			    mcast_strerror((int)n));
			continue;
		}
		sent += rec_send_update(gw, ip, (size_t)n, nonce, mac);
	}
	return sent;
}

/* An Update leaving the first chunk of the phase's groups (forgery). */
ssize_t
rec_build_leave(struct tg_gw *gw, const struct tg_phase *ph,
    uint32_t nonce, const uint8_t *mac, uint8_t *out, size_t cap)
{
	struct amt_msg	m;
	uint8_t		ip[4096];
	ssize_t		n;

	if (ph->nrecs == 0)
		return -1;
	n = rec_build(gw, ph->recs, rec_chunk(ph, ph->recs[0].group.family,
	    0), true, ip, sizeof(ip));
	if (n < 0)
		return -1;
	memset(&m, 0, sizeof(m));
	m.type = AMT_MEMBERSHIP_UPDATE;
	m.nonce = nonce;
	memcpy(m.mac, mac, AMT_MAC_LEN);
	m.inner = ip;
	m.inner_len = (size_t)n;
	return amt_encode(&m, out, cap);
}
