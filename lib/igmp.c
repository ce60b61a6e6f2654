/*
 * IGMP in its IPv4 datagram: IGMPv2 (RFC 2236) and IGMPv3 (RFC 3376)
 * reports, leaves and queries, parsed and built.
 *
 * What a parsed datagram must satisfy (M1 M2 M4; RFC 7450
 * 5.3.3.4 R6 a-d):
 * - IPv4 header: version 4, IHL >= 5, IHL <= total length <= bytes
 *   present (bytes after the total length are ignored, W8), header
 *   checksum, not a fragment, protocol 2, TTL 1 (RFC 3376 4, RFC 2236 2);
 * - options: only Router Alert (RFC 2113), NOP and End of Options (VLC
 *   pads its header with four zero bytes: End of Options then padding);
 * - the IGMP checksum over the whole IGMP message (IP payload);
 * - any source address, 0.0.0.0 included (RFC 7450 5.3.3.4, M4);
 * - any destination: gateways send reports to 224.0.0.22, to the group
 *   or to the relay's address; the AMT tunnel already says who sent it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "amt/buf.h"
#include "amt/cksum.h"
#include "amt/mcast.h"
#include "mcast_priv.h"
#include "mrec.h"

#define IGMP_PROTO		2
#define IGMP_QUERY		0x11
#define IGMP_V1_REPORT		0x12
#define IGMP_V2_REPORT		0x16
#define IGMP_V2_LEAVE		0x17
#define IGMP_V3_REPORT		0x22

#define IPOPT_EOL_		0x00
#define IPOPT_NOP_		0x01
#define IPOPT_RA_		0x94	/* RFC 2113 */

#define IGMP_IPHDR_LEN		24	/* 20 + Router Alert */
#define IGMP_V2_LEN		8	/* RFC 2236 2 */
#define IGMP_V3_QUERY_LEN	12	/* RFC 3376 4.1 */
#define IGMP_V3_REPORT_HDR	8	/* RFC 3376 4.2 */

/* RFC 3376 4.1.6, 4.2.14; RFC 2236 3, 9. */
static const uint8_t	igmp_all_hosts[4] = { 224, 0, 0, 1 };
static const uint8_t	igmp_all_routers[4] = { 224, 0, 0, 2 };
static const uint8_t	igmp_v3_routers[4] = { 224, 0, 0, 22 };

/* RFC 791 3.1 options: Router Alert, NOP, End of Options only. */
static int
igmp_options_check(struct rbuf *o)
{
	uint8_t	type, len;

	while (rbuf_left(o) > 0) {
		rbuf_get_u8(o, &type);
		if (type == IPOPT_EOL_)
			return MCAST_OK;
		if (type == IPOPT_NOP_)
			continue;
		if (type != IPOPT_RA_ || rbuf_get_u8(o, &len) == -1 ||
		    len != 4 || rbuf_skip(o, 2) == -1)
			return MCAST_ERR_IPHDR;
	}
	return MCAST_OK;
}

static int
igmp_ip_check(const uint8_t *p, size_t len, struct mcast_pkt *pkt)
{
	struct rbuf	r, opt;
	uint8_t		vhl, ttl, proto, a[4], d[4];
	uint16_t	tot, frag;
	size_t		hl;

	rbuf_init(&r, p, len);
	rbuf_get_u8(&r, &vhl);
	rbuf_skip(&r, 1);			/* TOS */
	rbuf_get_n16(&r, &tot);
	rbuf_skip(&r, 2);			/* identification */
	rbuf_get_n16(&r, &frag);
	rbuf_get_u8(&r, &ttl);
	rbuf_get_u8(&r, &proto);
	rbuf_skip(&r, 2);			/* header checksum */
	rbuf_get_bytes(&r, a, 4);
	rbuf_get_bytes(&r, d, 4);
	if (r.err)
		return MCAST_ERR_SHORT;
	hl = (size_t)(vhl & 0x0f) * 4;
	if ((vhl >> 4) != 4 || hl < 20 || tot < hl)
		return MCAST_ERR_IPHDR;
	/* RFC 7450 5.3.3.4: the datagram must fit in the message. */
	if (tot > len)
		return MCAST_ERR_SHORT;
	if (!cksum_ok(p, hl))
		return MCAST_ERR_IPCSUM;
	if ((frag & 0x3fff) != 0 || proto != IGMP_PROTO || ttl != MCAST_TTL)
		return MCAST_ERR_IPHDR;
	rbuf_init(&opt, p + 20, hl - 20);
	if (igmp_options_check(&opt) != MCAST_OK)
		return MCAST_ERR_IPHDR;
	if (tot - hl < IGMP_V2_LEN)
		return MCAST_ERR_SHORT;
	/* RFC 3376 4.1.2, 4.2.2; RFC 2236 2.3: the whole IGMP message. */
	if (!cksum_ok(p + hl, tot - hl))
		return MCAST_ERR_CSUM;
	mrec_ip_set(&pkt->src, AF_INET, a);
	mrec_ip_set(&pkt->dst, AF_INET, d);
	rbuf_init(&pkt->msg, p + hl, tot - hl);
	return MCAST_OK;
}

/* RFC 2236 2: type, max resp time, checksum, group. */
static int
igmp_v2_parse(struct rbuf *m, bool leave, struct mcast_report *r)
{
	uint8_t	group[4];

	rbuf_skip(m, 4);
	if (rbuf_get_bytes(m, group, 4) == -1)
		return MCAST_ERR_SHORT;
	return mrec_single(r, group, 2, leave);
}

int
igmp_report_parse(const uint8_t *p, size_t len, struct mcast_report *r)
{
	struct mcast_pkt	pkt;
	struct rbuf		peek;
	uint8_t			type;
	int			rc;

	if ((rc = igmp_ip_check(p, len, &pkt)) != MCAST_OK)
		return rc;
	r->family = AF_INET;
	r->src = pkt.src;
	peek = pkt.msg;
	rbuf_get_u8(&peek, &type);
	/* RFC 7450 5.3.3.4 (a): a report or a leave, nothing else. */
	switch (type) {
	case IGMP_V1_REPORT:	/* RFC 2236 4: treated as a v2 join */
	case IGMP_V2_REPORT:
		return igmp_v2_parse(&pkt.msg, false, r);
	case IGMP_V2_LEAVE:
		return igmp_v2_parse(&pkt.msg, true, r);
	case IGMP_V3_REPORT:
		return mrec_records(&pkt.msg, 3, r);
	}
	return MCAST_ERR_TYPE;
}

/* RFC 2236 2.2: units of 1/10 s; RFC 2236 4: an IGMPv1 query says 0. */
static void
igmp_v2_query(uint8_t mrc, struct mcast_query *q)
{
	q->version = 2;
	q->max_resp_ms = mrc == 0 ? 10000 : (unsigned)mrc * 100;
}

/* RFC 3376 4.1: Max Resp Code in 1/10 s (4.1.1), then the tail. */
static int
igmp_v3_query(struct rbuf *m, uint8_t mrc, struct mcast_query *q)
{
	int	rc;

	if ((rc = mrec_query_tail(m, q)) != MCAST_OK)
		return rc;
	q->version = 3;
	q->max_resp_ms = mcast_code8_decode(mrc) * 100;
	return MCAST_OK;
}

int
igmp_query_parse(const uint8_t *p, size_t len, struct mcast_query *q)
{
	struct mcast_pkt	pkt;
	uint8_t			type, mrc, group[4];
	size_t			mlen;
	int			rc;

	if ((rc = igmp_ip_check(p, len, &pkt)) != MCAST_OK)
		return rc;
	rbuf_get_u8(&pkt.msg, &type);
	rbuf_get_u8(&pkt.msg, &mrc);
	rbuf_skip(&pkt.msg, 2);
	if (rbuf_get_bytes(&pkt.msg, group, 4) == -1 || type != IGMP_QUERY)
		return MCAST_ERR_TYPE;
	if (group[0] != 0 && !mrec_is_group(AF_INET, group))
		return MCAST_ERR_TYPE;
	q->family = AF_INET;
	q->src = pkt.src;
	mrec_ip_set(&q->group, AF_INET, group);
	/*
	 * RFC 3376 7.1: 8 octets is an IGMPv2 (or v1) query, 12 or more an
	 * IGMPv3 query, anything else is ignored.
	 */
	mlen = pkt.msg.len;
	if (mlen == IGMP_V2_LEN) {
		igmp_v2_query(mrc, q);
		return MCAST_OK;
	}
	if (mlen < IGMP_V3_QUERY_LEN)
		return MCAST_ERR_SHORT;
	return igmp_v3_query(&pkt.msg, mrc, q);
}

/*
 * RFC 3376 4 and RFC 2236 2: TTL 1, TOS 0xc0 (Internetwork Control),
 * Router Alert.  The total length and both checksums are filled in by
 * igmp_finish once the message is written.
 */
static void
igmp_put_iphdr(struct wbuf *w, bool df, const struct amt_ip *src,
    const uint8_t *dst)
{
	wbuf_add_u8(w, 0x46);			/* version 4, IHL 6 */
	wbuf_add_u8(w, MCAST_TOS);
	wbuf_add_n16(w, 0);			/* total length */
	wbuf_add_n16(w, 0);			/* identification */
	wbuf_add_n16(w, df ? 0x4000 : 0);
	wbuf_add_u8(w, MCAST_TTL);
	wbuf_add_u8(w, IGMP_PROTO);
	wbuf_add_n16(w, 0);			/* header checksum */
	wbuf_add_bytes(w, src->u.b, 4);
	wbuf_add_bytes(w, dst, 4);
	wbuf_add_u8(w, IPOPT_RA_);
	wbuf_add_u8(w, 4);
	wbuf_add_n16(w, 0);			/* RFC 2113: examine */
}

static ssize_t
igmp_finish(struct wbuf *w)
{
	if (w->err)
		return MCAST_ERR_NOSPACE;
	if (w->len > 0xffff)
		return MCAST_ERR_NOSPACE;
	wbuf_set_n16(w, 2, (uint16_t)w->len);
	wbuf_set_n16(w, 10, ntohs(cksum(w->data, IGMP_IPHDR_LEN)));
	wbuf_set_n16(w, IGMP_IPHDR_LEN + 2, ntohs(cksum(w->data +
	    IGMP_IPHDR_LEN, w->len - IGMP_IPHDR_LEN)));
	return (ssize_t)w->len;
}

/*
 * M3: an IGMPv3 General Query to 224.0.0.1, 36 octets, no DF
 * (RFC 3376 4.1.6 QRV, 4.1.7 QQIC, 4.1.1 Max Resp Code in 1/10 s).
 */
ssize_t
igmp_build_query(const struct mcast_query_params *in, void *out,
    size_t cap)
{
	struct mcast_query_params	p;
	struct wbuf			w;

	mrec_query_defaults(in, &p);
	wbuf_init(&w, out, cap);
	igmp_put_iphdr(&w, false, &p.src, igmp_all_hosts);
	wbuf_add_u8(&w, IGMP_QUERY);
	wbuf_add_u8(&w, mcast_code8_encode((p.max_resp_ms + 99) / 100));
	wbuf_add_n16(&w, 0);			/* checksum */
	wbuf_add_n32(&w, 0);			/* group: general */
	wbuf_add_u8(&w, p.qrv);			/* S = 0 */
	wbuf_add_u8(&w, mcast_code8_encode(p.qqi));
	wbuf_add_n16(&w, 0);			/* no sources */
	return igmp_finish(&w);
}

/*
 * RFC 3376 4.2.14: an IGMPv3 report goes to 224.0.0.22.  DF is set as
 * Linux sets it, so that a built report equals the kernel's byte for byte.
 */
ssize_t
igmp_build_report(const struct amt_ip *src, const struct mcast_record *recs,
    size_t nrec, void *out, size_t cap)
{
	struct wbuf		w;

	wbuf_init(&w, out, cap);
	igmp_put_iphdr(&w, true, src, igmp_v3_routers);
	if (mrec_put(&w, AF_INET, IGMP_V3_REPORT, recs, nrec) == -1)
		return MCAST_ERR_NOSPACE;
	return igmp_finish(&w);
}

/* RFC 2236 3: a report goes to the group, a leave to 224.0.0.2. */
ssize_t
igmp_build_v2report(const struct amt_ip *src, const struct amt_ip *group,
    bool leave, void *out, size_t cap)
{
	struct wbuf		w;

	wbuf_init(&w, out, cap);
	igmp_put_iphdr(&w, true, src, leave ? igmp_all_routers :
	    group->u.b);
	wbuf_add_u8(&w, leave ? IGMP_V2_LEAVE : IGMP_V2_REPORT);
	wbuf_add_u8(&w, 0);			/* max resp time */
	wbuf_add_n16(&w, 0);			/* checksum */
	wbuf_add_bytes(&w, group->u.b, 4);
	return igmp_finish(&w);
}
