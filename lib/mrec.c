/*
 * What IGMP (igmp.c) and MLD (mld.c) messages share: group records
 * (checked once, iterated later by mcast_report_next), the tail of a
 * query, the query defaults, and the exponential codes of QQIC and Max
 * Resp Code.  Called by igmp.c and mld.c; calls neither.
 */
#include <netinet/in.h>
#include <string.h>

#include "amt/buf.h"
#include "amt/mcast.h"
#include "mrec.h"

static size_t
mrec_alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

void
mrec_ip_set(struct amt_ip *ip, int family, const uint8_t *b)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	if (b != NULL)
		memcpy(ip->u.b, b, mrec_alen(family));
}

/* 224.0.0.0/4 (RFC 5771) or ff00::/8 (RFC 4291 2.7). */
bool
mrec_is_group(int family, const uint8_t *b)
{
	if (family == AF_INET6)
		return b[0] == 0xff;
	return (b[0] & 0xf0) == 0xe0;
}

static bool
mrec_known(uint8_t type)
{
	return type >= MCAST_MODE_IS_INCLUDE && type <= MCAST_BLOCK_OLD_SOURCES;
}

/*
 * Read one group record (RFC 3376 4.2.4, RFC 3810 5.2.4): type, aux data
 * length in 32-bit words, number of sources, group, sources, aux data.
 */
static int
mrec_get(struct rbuf *b, int family, struct mcast_record *rec)
{
	size_t	alen = mrec_alen(family);
	uint8_t	aux, group[16];

	rbuf_get_u8(b, &rec->type);
	rbuf_get_u8(b, &aux);
	rbuf_get_n16(b, &rec->nsrc);
	rbuf_get_bytes(b, group, alen);
	if (b->err)
		return -1;
	rec->srcs = rbuf_ptr(b);
	if (rbuf_skip(b, (size_t)rec->nsrc * alen) == -1 ||
	    rbuf_skip(b, (size_t)aux * 4) == -1)
		return -1;
	mrec_ip_set(&rec->group, family, group);
	return 0;
}

/*
 * Check that the nrec records that start at the cursor all fit in it and
 * name multicast groups; remember where they are for mcast_report_next.
 * Bytes after the last record are left alone (covered by the checksum).
 */
static int
mrec_check(struct rbuf *b, uint16_t nrec, int family,
    struct mcast_report *r)
{
	struct mcast_record	rec;
	size_t			start = b->pos;
	uint16_t		i;

	r->recs = rbuf_ptr(b);
	for (i = 0; i < nrec; i++) {
		if (mrec_get(b, family, &rec) == -1)
			return MCAST_ERR_COUNT;
		if (mrec_known(rec.type) &&
		    !mrec_is_group(family, rec.group.u.b))
			return MCAST_ERR_TYPE;
	}
	r->recs_len = b->pos - start;
	r->nrec = nrec;
	r->pos = 0;
	r->next = 0;
	return MCAST_OK;
}

/*
 * An IGMPv3 (RFC 3376 4.2) or MLDv2 (RFC 3810 5.2) report: type,
 * reserved, checksum, reserved, number of records, records.
 */
int
mrec_records(struct rbuf *m, uint8_t version, struct mcast_report *r)
{
	uint16_t	nrec;

	rbuf_skip(m, 6);
	if (rbuf_get_n16(m, &nrec) == -1)
		return MCAST_ERR_SHORT;
	r->version = version;
	return mrec_check(m, nrec, r->family, r);
}

/*
 * M1: a v1/v2 report of a multicast group is an ASM join, a
 * leave/done an ASM leave.
 */
int
mrec_single(struct mcast_report *r, const uint8_t *group,
    uint8_t version, bool leave)
{
	if (!mrec_is_group(r->family, group))
		return MCAST_ERR_TYPE;
	r->version = version;
	memset(&r->v1, 0, sizeof(r->v1));
	r->v1.type = leave ? MCAST_CHANGE_TO_INCLUDE : MCAST_CHANGE_TO_EXCLUDE;
	mrec_ip_set(&r->v1.group, r->family, group);
	r->nrec = 1;
	r->recs = NULL;
	r->recs_len = 0;
	r->pos = 0;
	r->next = 0;
	return MCAST_OK;
}

/*
 * RFC 3376 4.2.12 and RFC 3810 5.2.12: a record of an unknown type is
 * ignored, so it is skipped here; a report may thus yield fewer records
 * than its nrec.
 */
int
mcast_report_next(struct mcast_report *r, struct mcast_record *rec)
{
	struct rbuf	b;

	if (r->recs == NULL) {
		if (r->next >= r->nrec)
			return 0;
		r->next++;
		*rec = r->v1;
		return 1;
	}
	while (r->next < r->nrec && r->pos < r->recs_len) {
		rbuf_init(&b, r->recs + r->pos, r->recs_len - r->pos);
		if (mrec_get(&b, r->family, rec) == -1)
			return 0;
		r->pos += b.pos;
		r->next++;
		if (mrec_known(rec->type))
			return 1;
	}
	return 0;
}

/*
 * The same two reports built: the 8-octet header (checksum 0) and the
 * records (no aux data), addresses of the family's length.
 */
int
mrec_put(struct wbuf *w, int family, uint8_t type,
    const struct mcast_record *recs, size_t nrec)
{
	size_t	i, alen = mrec_alen(family);

	if (nrec > 0xffff)
		return -1;
	wbuf_add_u8(w, type);
	wbuf_add_u8(w, 0);
	wbuf_add_n16(w, 0);			/* checksum */
	wbuf_add_n16(w, 0);
	wbuf_add_n16(w, (uint16_t)nrec);
	for (i = 0; i < nrec; i++) {
		wbuf_add_u8(w, recs[i].type);
		wbuf_add_u8(w, 0);		/* no aux data */
		wbuf_add_n16(w, recs[i].nsrc);
		wbuf_add_bytes(w, recs[i].group.u.b, alen);
		wbuf_add_bytes(w, recs[i].srcs, (size_t)recs[i].nsrc * alen);
	}
	return w->err ? -1 : 0;
}

/*
 * After the group of an IGMPv3 (RFC 3376 4.1) or MLDv2 (RFC 3810 5.1)
 * query: S|QRV, QQIC (RFC 3376 4.1.7, RFC 3810 5.1.9), number of
 * sources, sources.  The caller sets the version and Max Resp Code.
 */
int
mrec_query_tail(struct rbuf *m, struct mcast_query *q)
{
	uint8_t	sqrv, qqic;

	rbuf_get_u8(m, &sqrv);
	rbuf_get_u8(m, &qqic);
	if (rbuf_get_n16(m, &q->nsrc) == -1)
		return MCAST_ERR_SHORT;
	if (rbuf_skip(m, (size_t)q->nsrc * mrec_alen(q->family)) == -1)
		return MCAST_ERR_COUNT;
	q->s_flag = (sqrv & 0x08) != 0;
	q->qrv = sqrv & 0x07;
	q->qqi = mcast_code8_decode(qqic);
	return MCAST_OK;
}

/* Zero fields take the defaults of M3. */
void
mrec_query_defaults(const struct mcast_query_params *in,
    struct mcast_query_params *out)
{
	*out = *in;
	if (out->qrv == 0)
		out->qrv = MCAST_DEF_QRV;
	/* RFC 3376 4.1.6: a QRV above 7 cannot be sent; send the most. */
	if (out->qrv > 7)
		out->qrv = 7;
	if (out->qqi == 0)
		out->qqi = MCAST_DEF_QQI;
	if (out->max_resp_ms == 0)
		out->max_resp_ms = MCAST_DEF_MRT_MS;
}

/*
 * RFC 3376 4.1.1 and 4.1.7 (and RFC 3810 5.1.9 for the MLDv2 QQIC):
 * below 128 the code is the value; above, 1|exp(3)|mant(4) stands for
 * (mant | 0x10) << (exp + 3).  Values between two codes round down
 * (a host answers sooner, a gateway asks more often); values above
 * 31744 saturate at 0xff.
 */
uint8_t
mcast_code8_encode(unsigned v)
{
	unsigned	e;

	if (v < 128)
		return (uint8_t)v;
	if (v > 0x1fU << 10)
		return 0xff;
	for (e = 0; (v >> (e + 3)) > 0x1f; e++)
		;
	return (uint8_t)(0x80 | e << 4 | ((v >> (e + 3)) & 0x0f));
}

unsigned
mcast_code8_decode(uint8_t c)
{
	if (c < 128)
		return c;
	return (unsigned)((c & 0x0f) | 0x10) << (((c >> 4) & 0x07) + 3);
}

/*
 * RFC 3810 5.1.3: below 32768 the code is the value (ms); above,
 * 1|exp(3)|mant(12) stands for (mant | 0x1000) << (exp + 3).  Rounds
 * down, saturates at 0xffff (8387584 ms).
 */
uint16_t
mcast_code16_encode(unsigned v)
{
	unsigned	e;

	if (v < 32768)
		return (uint16_t)v;
	if (v > 0x1fffU << 10)
		return 0xffff;
	for (e = 0; (v >> (e + 3)) > 0x1fff; e++)
		;
	return (uint16_t)(0x8000 | e << 12 | ((v >> (e + 3)) & 0x0fff));
}

unsigned
mcast_code16_decode(uint16_t c)
{
	if (c < 32768)
		return c;
	return (unsigned)((c & 0x0fff) | 0x1000) << (((c >> 12) & 0x07) + 3);
}
