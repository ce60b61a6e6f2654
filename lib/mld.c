/*
 * MLD in its IPv6 datagram: MLDv1 (RFC 2710) and MLDv2 (RFC 3810)
 * reports, dones and queries, parsed and built.
 *
 * What a parsed datagram must satisfy (M1 M2 M4; RFC 7450
 * 5.3.3.4 R6 a-d):
 * - IPv6 header: version 6, 40 + payload length <= bytes present (bytes
 *   after it are ignored, W8), Hop Limit 1 (RFC 3810 5, 7.4);
 * - a Hop-by-Hop Options header carrying a Router Alert with value 0
 *   (RFC 2711: MLD), and after it ICMPv6 (58), nothing else
 *   (RFC 3810 5, 7.4; RFC 2710 3).  A query may come without the Router
 *   Alert, or without the Hop-by-Hop header: relays in the field send
 *   them so, and RFC 7450 5.2.3.5.4 asks only for a General Query of
 *   lengths that fit;
 * - the ICMPv6 checksum with the IPv6 pseudo-header (RFC 4443 2.3);
 * - any source address, :: included (RFC 7450 5.3.3.4, M4), any
 *   destination (ff02::16, the group, ff02::2 are all seen).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "amt/buf.h"
#include "amt/cksum.h"
#include "amt/mcast.h"
#include "mcast_priv.h"
#include "mrec.h"

#define MLD_NH_HOPOPTS		0
#define MLD_NH_ICMPV6		58
#define MLD_QUERY		130
#define MLD_V1_REPORT		131
#define MLD_V1_DONE		132
#define MLD_V2_REPORT		143

#define IP6OPT_PAD1_		0x00
#define IP6OPT_PADN_		0x01
#define IP6OPT_RA_		0x05	/* RFC 2711 */

#define MLD_HDRS_LEN		48	/* IPv6 + 8-octet Hop-by-Hop */
#define MLD_V1_LEN		24	/* RFC 2710 3 */
#define MLD_V2_QUERY_LEN	28	/* RFC 3810 5.1 */
#define MLD_MIN_LEN		8	/* RFC 3810 5.2: report header */

/* RFC 4291 2.7.1: all-nodes, all-routers, all MLDv2-capable routers. */
static const uint8_t	mld_all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t	mld_all_routers[16] = { 0xff, 0x02, [15] = 0x02 };
static const uint8_t	mld_v2_routers[16] = { 0xff, 0x02, [15] = 0x16 };

/* RFC 8200 4.2 options; a Router Alert for MLD (value 0) must be there. */
static int
mld_options_check(struct rbuf *o, bool need_ra)
{
	uint8_t		type, len;
	uint16_t	value;
	bool		ra = false;

	while (rbuf_left(o) > 0) {
		rbuf_get_u8(o, &type);
		if (type == IP6OPT_PAD1_)
			continue;
		if (rbuf_get_u8(o, &len) == -1)
			return MCAST_ERR_IPHDR;
		if (type == IP6OPT_RA_) {
			if (len != 2 || rbuf_get_n16(o, &value) == -1)
				return MCAST_ERR_IPHDR;
			ra = ra || value == 0;
			continue;
		}
		/* RFC 8200 4.2: only "skip over" (00) options are skipped. */
		if ((type >> 6) != 0 || rbuf_skip(o, len) == -1)
			return MCAST_ERR_IPHDR;
	}
	return ra || !need_ra ? MCAST_OK : MCAST_ERR_IPHDR;
}

/* The ICMPv6 message: the rest of the payload. */
static int
mld_icmp_msg(struct rbuf *pl, struct rbuf *msg)
{
	if (rbuf_left(pl) < MLD_MIN_LEN)
		return MCAST_ERR_SHORT;
	return rbuf_sub(pl, msg, rbuf_left(pl)) == 0 ? MCAST_OK :
	    MCAST_ERR_SHORT;
}

/* Hop-by-Hop header (RFC 8200 4.3) and the ICMPv6 message after it. */
static int
mld_hbh_check(struct rbuf *pl, struct rbuf *msg, bool need_ra)
{
	struct rbuf	opts;
	uint8_t		nh, hlen;

	rbuf_get_u8(pl, &nh);
	if (rbuf_get_u8(pl, &hlen) == -1)
		return MCAST_ERR_SHORT;
	if (rbuf_sub(pl, &opts, (size_t)hlen * 8 + 6) == -1)
		return MCAST_ERR_SHORT;
	if (nh != MLD_NH_ICMPV6 || mld_options_check(&opts, need_ra) !=
	    MCAST_OK)
		return MCAST_ERR_IPHDR;
	return mld_icmp_msg(pl, msg);
}

/* query: no Router Alert asked for, nor a Hop-by-Hop header. */
static int
mld_ip_check(const uint8_t *p, size_t len, bool query, struct mcast_pkt *pkt)
{
	struct rbuf	r, pl;
	uint8_t		vtc, nh, hlim, a[16], d[16];
	uint16_t	plen;
	int		rc;

	rbuf_init(&r, p, len);
	rbuf_get_u8(&r, &vtc);
	rbuf_skip(&r, 3);			/* class, flow label */
	rbuf_get_n16(&r, &plen);
	rbuf_get_u8(&r, &nh);
	rbuf_get_u8(&r, &hlim);
	rbuf_get_bytes(&r, a, 16);
	rbuf_get_bytes(&r, d, 16);
	if (r.err)
		return MCAST_ERR_SHORT;
	if ((vtc >> 4) != 6)
		return MCAST_ERR_IPHDR;
	/* RFC 7450 5.3.3.4: the datagram must fit in the message. */
	if (rbuf_sub(&r, &pl, plen) == -1)
		return MCAST_ERR_SHORT;
	if (hlim != MCAST_TTL)
		return MCAST_ERR_IPHDR;
	if (query && nh == MLD_NH_ICMPV6)
		rc = mld_icmp_msg(&pl, &pkt->msg);
	else if (nh == MLD_NH_HOPOPTS)
		rc = mld_hbh_check(&pl, &pkt->msg, !query);
	else
		rc = MCAST_ERR_IPHDR;
	if (rc != MCAST_OK)
		return rc;
	mrec_ip_set(&pkt->src, AF_INET6, a);
	mrec_ip_set(&pkt->dst, AF_INET6, d);
	/* RFC 4443 2.3: ICMPv6 checksum with the RFC 8200 8.1 pseudo-header. */
	if (cksum_l4(&pkt->src, &pkt->dst, MLD_NH_ICMPV6, pkt->msg.data,
	    pkt->msg.len) != 0)
		return MCAST_ERR_CSUM;
	return MCAST_OK;
}

/* RFC 2710 3: type, code, checksum, max delay, reserved, address. */
static int
mld_v1_parse(struct rbuf *m, bool done, struct mcast_report *r)
{
	uint8_t	group[16];

	rbuf_skip(m, 8);
	if (rbuf_get_bytes(m, group, 16) == -1)
		return MCAST_ERR_SHORT;
	return mrec_single(r, group, 1, done);
}

int
mld_report_parse(const uint8_t *p, size_t len, struct mcast_report *r)
{
	struct mcast_pkt	pkt;
	struct rbuf		peek;
	uint8_t			type;
	int			rc;

	if ((rc = mld_ip_check(p, len, false, &pkt)) != MCAST_OK)
		return rc;
	r->family = AF_INET6;
	r->src = pkt.src;
	peek = pkt.msg;
	rbuf_get_u8(&peek, &type);
	/* RFC 7450 5.3.3.4 (a): a report or a done, nothing else. */
	switch (type) {
	case MLD_V1_REPORT:
		return mld_v1_parse(&pkt.msg, false, r);
	case MLD_V1_DONE:
		return mld_v1_parse(&pkt.msg, true, r);
	case MLD_V2_REPORT:
		return mrec_records(&pkt.msg, 2, r);
	}
	return MCAST_ERR_TYPE;
}

/* RFC 3810 5.1: Maximum Response Code in ms (5.1.3), then the tail. */
static int
mld_v2_query(struct rbuf *m, uint16_t mrc, struct mcast_query *q)
{
	int	rc;

	if ((rc = mrec_query_tail(m, q)) != MCAST_OK)
		return rc;
	q->version = 2;
	q->max_resp_ms = mcast_code16_decode(mrc);
	return MCAST_OK;
}

int
mld_query_parse(const uint8_t *p, size_t len, struct mcast_query *q)
{
	struct mcast_pkt	pkt;
	uint8_t			type, group[16];
	uint16_t		mrc;
	int			rc;

	if ((rc = mld_ip_check(p, len, true, &pkt)) != MCAST_OK)
		return rc;
	rbuf_get_u8(&pkt.msg, &type);
	rbuf_skip(&pkt.msg, 3);
	rbuf_get_n16(&pkt.msg, &mrc);
	rbuf_skip(&pkt.msg, 2);
	if (type != MLD_QUERY)
		return MCAST_ERR_TYPE;
	if (rbuf_get_bytes(&pkt.msg, group, 16) == -1)
		return MCAST_ERR_SHORT;
	if (!mrec_is_group(AF_INET6, group) &&
	    memcmp(group, in6addr_any.s6_addr, 16) != 0)
		return MCAST_ERR_TYPE;
	q->family = AF_INET6;
	q->src = pkt.src;
	mrec_ip_set(&q->group, AF_INET6, group);
	/*
	 * RFC 3810 8.1: 24 octets is an MLDv1 query, 28 or more MLDv2,
	 * anything else is ignored.
	 */
	if (pkt.msg.len == MLD_V1_LEN) {
		q->version = 1;
		q->max_resp_ms = mrc;		/* RFC 2710 3.4: ms */
		return MCAST_OK;
	}
	if (pkt.msg.len < MLD_V2_QUERY_LEN)
		return MCAST_ERR_SHORT;
	return mld_v2_query(&pkt.msg, mrc, q);
}

/*
 * RFC 3810 5 and RFC 2710 3: Hop Limit 1 and a Hop-by-Hop header with a
 * Router Alert (RFC 2711 value 0: MLD), padded to 8 octets with PadN.
 * No traffic class is asked for, so it is 0.
 */
static void
mld_put_hdrs(struct wbuf *w, const struct amt_ip *src, const uint8_t *dst)
{
	wbuf_add_n32(w, 0x60000000);		/* version 6 */
	wbuf_add_n16(w, 0);			/* payload length */
	wbuf_add_u8(w, MLD_NH_HOPOPTS);
	wbuf_add_u8(w, MCAST_TTL);
	wbuf_add_bytes(w, src->u.b, 16);
	wbuf_add_bytes(w, dst, 16);
	wbuf_add_u8(w, MLD_NH_ICMPV6);
	wbuf_add_u8(w, 0);			/* 8 octets */
	wbuf_add_u8(w, IP6OPT_RA_);
	wbuf_add_u8(w, 2);
	wbuf_add_n16(w, 0);			/* MLD */
	wbuf_add_u8(w, IP6OPT_PADN_);
	wbuf_add_u8(w, 0);
}

static ssize_t
mld_finish(struct wbuf *w, const struct amt_ip *src, const uint8_t *dst)
{
	struct amt_ip	d;
	uint16_t	c;

	if (w->err || w->len - 40 > 0xffff)
		return MCAST_ERR_NOSPACE;
	mrec_ip_set(&d, AF_INET6, dst);
	wbuf_set_n16(w, 4, (uint16_t)(w->len - 40));
	c = cksum_l4(src, &d, MLD_NH_ICMPV6, w->data + MLD_HDRS_LEN,
	    w->len - MLD_HDRS_LEN);
	wbuf_set_n16(w, MLD_HDRS_LEN + 2, ntohs(c));
	return (ssize_t)w->len;
}

/* M3: an MLDv2 General Query to ff02::1, 76 octets. */
ssize_t
mld_build_query(const struct mcast_query_params *in, void *out, size_t cap)
{
	struct mcast_query_params	p;
	struct wbuf			w;

	mrec_query_defaults(in, &p);
	wbuf_init(&w, out, cap);
	mld_put_hdrs(&w, &p.src, mld_all_nodes);
	wbuf_add_u8(&w, MLD_QUERY);
	wbuf_add_u8(&w, 0);			/* code */
	wbuf_add_n16(&w, 0);			/* checksum */
	wbuf_add_n16(&w, mcast_code16_encode(p.max_resp_ms));
	wbuf_add_n16(&w, 0);			/* reserved */
	wbuf_add_zero(&w, 16);			/* general query */
	wbuf_add_u8(&w, p.qrv);			/* S = 0 */
	wbuf_add_u8(&w, mcast_code8_encode(p.qqi));
	wbuf_add_n16(&w, 0);			/* no sources */
	return mld_finish(&w, &p.src, mld_all_nodes);
}

/* RFC 3810 5.2.14: an MLDv2 report goes to ff02::16. */
ssize_t
mld_build_report(const struct amt_ip *src, const struct mcast_record *recs,
    size_t nrec, void *out, size_t cap)
{
	struct wbuf	w;

	wbuf_init(&w, out, cap);
	mld_put_hdrs(&w, src, mld_v2_routers);
	if (mrec_put(&w, AF_INET6, MLD_V2_REPORT, recs, nrec) == -1)
		return MCAST_ERR_NOSPACE;
	return mld_finish(&w, src, mld_v2_routers);
}

/* RFC 2710 3: a report goes to the group, a done to ff02::2. */
ssize_t
mld_build_v1report(const struct amt_ip *src, const struct amt_ip *group,
    bool done, void *out, size_t cap)
{
	const uint8_t	*dst = done ? mld_all_routers : group->u.b;
	struct wbuf	 w;

	wbuf_init(&w, out, cap);
	mld_put_hdrs(&w, src, dst);
	wbuf_add_u8(&w, done ? MLD_V1_DONE : MLD_V1_REPORT);
	wbuf_add_u8(&w, 0);			/* code */
	wbuf_add_n16(&w, 0);			/* checksum */
	wbuf_add_n16(&w, 0);			/* max delay */
	wbuf_add_n16(&w, 0);			/* reserved */
	wbuf_add_bytes(&w, group->u.b, 16);
	return mld_finish(&w, src, dst);
}
