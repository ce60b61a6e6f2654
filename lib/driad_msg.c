/*
 * A bounded reader of DNS responses to AMTRELAY queries (RFC 1035 4.1):
 * header, question, answer records with compressed owner names.  The
 * CNAME/DNAME chain from the question name is followed inside the answer
 * (RFC 8777 3.4: MUST be followed), and the AMTRELAY records at its end
 * are parsed.  Every read goes through the rbuf cursor; the answer
 * section is walked again for each step instead of being copied.
 */
#include <string.h>

#include "amt/driad.h"

#define DNS_QR			0x8000
#define DNS_TC			0x0200
#define DNS_OPCODE(f)		(((f) >> 11) & 0x0f)
#define DNS_RCODE(f)		((f) & 0x0f)
#define DNS_TYPE_CNAME		5
#define DNS_TYPE_DNAME		39

struct dns_msg {
	struct rbuf	all;		/* the whole message */
	struct rbuf	an;		/* at the first answer record */
	uint16_t	ancount;
};

struct dns_rr {
	struct driad_name	owner;
	uint16_t		type;
	uint32_t		ttl;
	struct rbuf		rdata;
};

/* RFC 1035 4.1.3: NAME TYPE CLASS TTL RDLENGTH RDATA. */
static int
dns_rr_next(struct rbuf *b, const struct rbuf *all, struct dns_rr *rr)
{
	uint16_t	class, rdlen;

	if (driad_name_read(b, all, &rr->owner) == -1 ||
	    rbuf_get_n16(b, &rr->type) == -1 ||
	    rbuf_get_n16(b, &class) == -1 ||
	    rbuf_get_n32(b, &rr->ttl) == -1 ||
	    rbuf_get_n16(b, &rdlen) == -1 ||
	    rbuf_sub(b, &rr->rdata, rdlen) == -1)
		return -1;
	/* RFC 2181 8: a TTL with the top bit set means zero. */
	if (rr->ttl & 0x80000000)
		rr->ttl = 0;
	return 0;
}

/* Header and question; the question name is returned in qn. */
static int
dns_msg_open(struct dns_msg *m, const void *data, size_t len,
    struct driad_answer *a, struct driad_name *qn)
{
	struct rbuf	b;
	uint16_t	id, flags, qd, ns, ar, qtype, qclass;

	rbuf_init(&m->all, data, len);
	b = m->all;
	if (rbuf_get_n16(&b, &id) == -1 || rbuf_get_n16(&b, &flags) == -1 ||
	    rbuf_get_n16(&b, &qd) == -1 ||
	    rbuf_get_n16(&b, &m->ancount) == -1 ||
	    rbuf_get_n16(&b, &ns) == -1 || rbuf_get_n16(&b, &ar) == -1)
		return -1;
	if (!(flags & DNS_QR) || DNS_OPCODE(flags) != 0 || qd != 1)
		return -1;
	a->rcode = DNS_RCODE(flags);
	a->truncated = (flags & DNS_TC) != 0;
	if (driad_name_read(&b, &m->all, qn) == -1 ||
	    rbuf_get_n16(&b, &qtype) == -1 ||
	    rbuf_get_n16(&b, &qclass) == -1 || qtype != DRIAD_RRTYPE)
		return -1;
	m->an = b;
	return 0;
}

/* Every answer record is framed right (so later walks cannot fail). */
static int
dns_msg_check(const struct dns_msg *m)
{
	struct rbuf	b = m->an;
	struct dns_rr	rr;
	unsigned	i;

	for (i = 0; i < m->ancount; i++) {
		if (dns_rr_next(&b, &m->all, &rr) == -1)
			return -1;
	}
	return 0;
}

/* The target of a CNAME or DNAME: one name, filling the RDATA. */
static int
dns_alias_target(struct dns_rr *rr, const struct rbuf *all,
    struct driad_name *t)
{
	if (driad_name_read(&rr->rdata, all, t) == -1 ||
	    rbuf_left(&rr->rdata) != 0)
		return -1;
	return 0;
}

/*
 * One step along the chain from cur: a CNAME owned by cur (RFC 1034
 * 3.6.2) or a DNAME owned by an ancestor of cur (RFC 6672 2.2).  1 if
 * cur moved, 0 at the end of the chain, -1 on a bad alias.
 */
static int
dns_chain_step(const struct dns_msg *m, struct driad_name *cur,
    uint32_t *ttl)
{
	struct rbuf		b = m->an;
	struct dns_rr		rr;
	struct driad_name	t;
	unsigned		i;
	int			rc;

	for (i = 0; i < m->ancount; i++) {
		dns_rr_next(&b, &m->all, &rr);
		if (rr.type == DNS_TYPE_CNAME &&
		    driad_name_eq(&rr.owner, cur)) {
			if (dns_alias_target(&rr, &m->all, cur) == -1)
				return -1;
		} else if (rr.type == DNS_TYPE_DNAME) {
			if (dns_alias_target(&rr, &m->all, &t) == -1 ||
			    (rc = driad_name_subst(cur, &rr.owner, &t)) == -1)
				return -1;
			if (rc == 0)
				continue;
		} else
			continue;
		if (rr.ttl < *ttl)
			*ttl = rr.ttl;
		return 1;
	}
	return 0;
}

static void
dns_answer_add(struct driad_answer *a, const struct dns_rr *rr)
{
	struct driad_rr	x;

	switch (driad_rdata_parse(rbuf_ptr(&rr->rdata),
	    rbuf_left(&rr->rdata), &x)) {
	case DRIAD_RR_BAD:
		a->nbad++;
		return;
	case DRIAD_RR_UNKNOWN:
		a->nunknown++;
		return;
	}
	if (rr->ttl < a->ttl)
		a->ttl = rr->ttl;
	if (x.type == DRIAD_TYPE_NONE)
		a->none = true;
	else if (a->nrr < DRIAD_MAX_RR)
		a->rr[a->nrr++] = x;
	else
		a->nextra++;
}

/* The AMTRELAY records owned by the end of the chain. */
static void
dns_answer_collect(const struct dns_msg *m, struct driad_answer *a)
{
	struct rbuf	b = m->an;
	struct dns_rr	rr;
	unsigned	i;

	for (i = 0; i < m->ancount; i++) {
		dns_rr_next(&b, &m->all, &rr);
		if (rr.type == DRIAD_RRTYPE &&
		    driad_name_eq(&rr.owner, &a->final))
			dns_answer_add(a, &rr);
	}
}

int
driad_answer_parse(const void *data, size_t len, const char *qname,
    struct driad_answer *a)
{
	struct dns_msg		m;
	struct driad_name	want;
	unsigned		steps;
	int			rc;

	memset(a, 0, sizeof(*a));
	a->ttl = UINT32_MAX;
	if (dns_msg_open(&m, data, len, a, &a->final) == -1 ||
	    dns_msg_check(&m) == -1)
		return -1;
	if (qname != NULL && (driad_name_from_str(qname, &want) == -1 ||
	    !driad_name_eq(&want, &a->final)))
		return -1;
	for (steps = 0; (rc = dns_chain_step(&m, &a->final, &a->ttl)) == 1;
	    steps++) {
		/* A loop, or a chain longer than we follow. */
		if (steps == DRIAD_MAX_CHAIN)
			return -1;
		a->followed = true;
	}
	if (rc == -1)
		return -1;
	dns_answer_collect(&m, a);
	if (a->ttl == UINT32_MAX)
		a->ttl = 0;
	return 0;
}
