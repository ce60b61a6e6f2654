/*
 * DRIAD (RFC 8777) in the library: AMTRELAY RDATA of every type and every
 * way it can be malformed (D1), reverse names (D1), names, the DNS answer
 * reader with CNAME/DNAME chains and compressed owner names (D1), the
 * candidate order (D2) and the DNS retry back-off (D5).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "amt/buf.h"
#include "amt/driad.h"

/* ---- helpers ---- */

static size_t
hex(const char *s, uint8_t *out, size_t cap)
{
	size_t		n = 0;
	unsigned	v;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		assert_true(n < cap);
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static int
rdata(const char *h, struct driad_rr *rr)
{
	uint8_t	b[600];

	return driad_rdata_parse(b, hex(h, b, sizeof(b)), rr);
}

static struct amt_ip
ip(const char *s)
{
	struct amt_ip	a;

	assert_int_equal(ip_parse(s, &a), 0);
	return a;
}

static void
assert_ip(const struct amt_ip *a, const char *want)
{
	char	s[INET6_ADDRSTRLEN];

	assert_string_equal(ip_str(a, s, sizeof(s)), want);
}

static void
assert_name(const struct driad_name *n, const char *want)
{
	char	s[DRIAD_NAME_STRLEN];

	assert_int_equal(driad_name_str(n, s, sizeof(s)), 0);
	assert_string_equal(s, want);
}

/* A DNS message under construction. */
struct mb {
	uint8_t		b[4096];
	struct wbuf	w;
};

static void
mb_init(struct mb *m, uint16_t flags, uint16_t an, const char *qname,
    uint16_t qtype)
{
	struct driad_name	n;

	wbuf_init(&m->w, m->b, sizeof(m->b));
	wbuf_add_n16(&m->w, 0x1234);
	wbuf_add_n16(&m->w, flags);
	wbuf_add_n16(&m->w, 1);
	wbuf_add_n16(&m->w, an);
	wbuf_add_n16(&m->w, 0);
	wbuf_add_n16(&m->w, 0);
	assert_int_equal(driad_name_from_str(qname, &n), 0);
	wbuf_add_bytes(&m->w, n.b, n.len);
	wbuf_add_n16(&m->w, qtype);
	wbuf_add_n16(&m->w, 1);
}

#define QNAME_OFF	12	/* the question name, for pointers */
#define RESP		0x8180	/* QR RD RA, NOERROR */

/* Owner written in full; returns where it starts. */
static size_t
mb_name(struct mb *m, const char *s)
{
	struct driad_name	n;
	size_t			at = m->w.len;

	assert_int_equal(driad_name_from_str(s, &n), 0);
	wbuf_add_bytes(&m->w, n.b, n.len);
	return at;
}

static void
mb_ptr(struct mb *m, size_t off)
{
	wbuf_add_n16(&m->w, (uint16_t)(0xc000 | off));
}

/* TYPE CLASS TTL RDLENGTH RDATA(hex) after an owner. */
static void
mb_rr(struct mb *m, uint16_t type, uint32_t ttl, const char *h)
{
	uint8_t	b[600];
	size_t	n = hex(h, b, sizeof(b));

	wbuf_add_n16(&m->w, type);
	wbuf_add_n16(&m->w, 1);
	wbuf_add_n32(&m->w, ttl);
	wbuf_add_n16(&m->w, (uint16_t)n);
	wbuf_add_bytes(&m->w, b, n);
}

/* A CNAME/DNAME whose target is text (written in full). */
static void
mb_alias(struct mb *m, uint16_t type, const char *target)
{
	struct driad_name	n;

	assert_int_equal(driad_name_from_str(target, &n), 0);
	wbuf_add_n16(&m->w, type);
	wbuf_add_n16(&m->w, 1);
	wbuf_add_n32(&m->w, 300);
	wbuf_add_n16(&m->w, n.len);
	wbuf_add_bytes(&m->w, n.b, n.len);
}

static int
mb_parse(struct mb *m, const char *qname, struct driad_answer *a)
{
	assert_false(m->w.err);
	return driad_answer_parse(m->b, m->w.len, qname, a);
}

#define Q4	"12.100.51.198.in-addr.arpa"
#define RR1	"0a 01 cb00710f"		/* 10 0 1 203.0.113.15 */
#define RR2	"0a 82 20010db800000000000000000000000f"
#define RR3	"80 83 09616d7472656c617973076578616d706c6503636f6d00"

/* ---- D1: RDATA ---- */

/* h parses as an RR of that precedence, D bit and relay type. */
static void
expect_rr(const char *h, unsigned precedence, bool d, int type,
    struct driad_rr *rr)
{
	assert_int_equal(rdata(h, rr), DRIAD_RR_OK);
	assert_int_equal(rr->precedence, precedence);
	if (d)
		assert_true(rr->d);
	else
		assert_false(rr->d);
	assert_int_equal(rr->type, type);
}

static void
test_D1_rdata_ipv4(void **state)
{
	struct driad_rr	rr;

	expect_rr(RR1, 10, false, DRIAD_TYPE_IPV4, &rr);
	assert_ip(&rr.ip, "203.0.113.15");
}

static void
test_D1_rdata_ipv6_with_d_bit(void **state)
{
	struct driad_rr	rr;

	expect_rr(RR2, 10, true, DRIAD_TYPE_IPV6, &rr);
	assert_ip(&rr.ip, "2001:db8::f");
}

/* RFC 8777 4.3.2 and appendix A: "128 1 3 amtrelays.example.com." */
static void
test_D1_rdata_name_rfc_example(void **state)
{
	struct driad_rr	rr;

	expect_rr(RR3, 128, true, DRIAD_TYPE_NAME, &rr);
	assert_int_equal(rr.name.len, 23);
	assert_name(&rr.name, "amtrelays.example.com");
}

static void
test_D1_rdata_type0_empty_relay(void **state)
{
	struct driad_rr	rr;

	assert_int_equal(rdata("00 00", &rr), DRIAD_RR_OK);
	assert_int_equal(rr.type, DRIAD_TYPE_NONE);
	assert_int_equal(rdata("05 80", &rr), DRIAD_RR_OK);
	assert_true(rr.d);
	/* RFC 8777 4.2.4: the relay field of type 0 is 0 bytes. */
	assert_int_equal(rdata("00 00 00", &rr), DRIAD_RR_BAD);
}

/* Every proper prefix of a valid RDATA, and one octet more, is bad. */
static void
test_D1_rdata_every_truncation_rejected(void **state)
{
	const char	*good[] = { "00 00", RR1, RR2, RR3,
			    "01 03 0161 00" };
	struct driad_rr	 rr;
	uint8_t		 b[600];
	size_t		 i, n, k;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		n = hex(good[i], b, sizeof(b) - 1);
		assert_int_equal(driad_rdata_parse(b, n, &rr), DRIAD_RR_OK);
		for (k = 0; k < n; k++) {
			assert_int_equal(driad_rdata_parse(b, k, &rr),
			    DRIAD_RR_BAD);
		}
		b[n] = 0;
		assert_int_equal(driad_rdata_parse(b, n + 1, &rr),
		    DRIAD_RR_BAD);
	}
	assert_int_equal(driad_rdata_parse(NULL, 0, &rr), DRIAD_RR_BAD);
}

static void
test_D1_rdata_bad_type_length(void **state)
{
	struct driad_rr	rr;

	/* An IPv6 address under type 1, an IPv4 one under type 2. */
	assert_int_equal(rdata("0a 01 20010db800000000000000000000000f", &rr),
	    DRIAD_RR_BAD);
	assert_int_equal(rdata("0a 02 cb00710f", &rr), DRIAD_RR_BAD);
	assert_int_equal(rdata("0a 01 cb0071", &rr), DRIAD_RR_BAD);
	/* A name that ends before the RDATA does. */
	assert_int_equal(rdata("0a 03 0161 00 0162 00", &rr), DRIAD_RR_BAD);
	/* Type 3 with the root name alone names no relay. */
	assert_int_equal(rdata("0a 03 00", &rr), DRIAD_RR_BAD);
}

static void
test_D1_rdata_compressed_name_rejected(void **state)
{
	struct driad_rr	rr;

	/* RFC 8777 4.2.4: compression MUST NOT be used. */
	assert_int_equal(rdata("0a 03 c00c", &rr), DRIAD_RR_BAD);
	assert_int_equal(rdata("0a 03 0161 c000", &rr), DRIAD_RR_BAD);
	/* Extended (0x40) and reserved (0x80) label types. */
	assert_int_equal(rdata("0a 03 4101 00", &rr), DRIAD_RR_BAD);
	assert_int_equal(rdata("0a 03 8101 00", &rr), DRIAD_RR_BAD);
}

/* A type 3 RDATA of the given label lengths ("x" octets). */
static int
rdata_labels(const unsigned *lab, size_t nlab, struct driad_rr *rr)
{
	uint8_t	b[600];
	size_t	n = 0, i;

	b[n++] = 1;
	b[n++] = DRIAD_TYPE_NAME;
	for (i = 0; i < nlab; i++) {
		b[n++] = (uint8_t)lab[i];
		memset(b + n, 'x', lab[i]);
		n += lab[i];
	}
	b[n++] = 0;
	return driad_rdata_parse(b, n, rr);
}

static void
test_D1_rdata_label_and_name_length_limits(void **state)
{
	const unsigned	l63[] = { 63 }, l64[] = { 64 };
	const unsigned	max[] = { 63, 63, 63, 61 };	/* 255 */
	const unsigned	over[] = { 63, 63, 63, 62 };	/* 256 */
	struct driad_rr	rr;

	assert_int_equal(rdata_labels(l63, 1, &rr), DRIAD_RR_OK);
	assert_int_equal(rdata_labels(l64, 1, &rr), DRIAD_RR_BAD);
	assert_int_equal(rdata_labels(max, 4, &rr), DRIAD_RR_OK);
	assert_int_equal(rr.name.len, 255);
	assert_int_equal(rdata_labels(over, 4, &rr), DRIAD_RR_BAD);
}

static void
test_D1_rdata_unknown_type_skipped(void **state)
{
	struct driad_rr	rr;

	assert_int_equal(rdata("0a 04 cb00710f", &rr), DRIAD_RR_UNKNOWN);
	assert_int_equal(rr.type, 4);
	assert_int_equal(rdata("0a ff", &rr), DRIAD_RR_UNKNOWN);
	assert_int_equal(rr.type, 0x7f);
	assert_true(rr.d);
	/* Still needs the two fixed octets. */
	assert_int_equal(rdata("0a", &rr), DRIAD_RR_BAD);
}

/* ---- D1: reverse names ---- */

static void
test_D1_reverse_name_ipv4(void **state)
{
	struct amt_ip	a = ip("198.51.100.12");
	char		s[DRIAD_REVNAME_LEN];

	/* RFC 8777 2.2. */
	assert_int_equal(driad_reverse_name(&a, s, sizeof(s)), 0);
	assert_string_equal(s, "12.100.51.198.in-addr.arpa");
	assert_int_equal(driad_reverse_name(&a, s, 26), -1);
}

static void
test_D1_reverse_name_ipv6(void **state)
{
	struct amt_ip	a = ip("2001:db8::a");
	char		s[DRIAD_REVNAME_LEN];

	/* RFC 8777 2.2. */
	assert_int_equal(driad_reverse_name(&a, s, sizeof(s)), 0);
	assert_string_equal(s, "a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	assert_int_equal(strlen(s), DRIAD_REVNAME_LEN - 1);
	assert_int_equal(driad_reverse_name(&a, s, sizeof(s) - 1), -1);
	a.family = AF_UNSPEC;
	assert_int_equal(driad_reverse_name(&a, s, sizeof(s)), -1);
}

/* ---- names ---- */

static void
test_D1_name_text_forms(void **state)
{
	struct driad_name	n;
	char			s[DRIAD_NAME_STRLEN];

	assert_int_equal(driad_name_from_str("a\\.b.C", &n), 0);
	assert_int_equal(n.len, 7);
	assert_memory_equal(n.b, "\003a.b\001C\000", 7);
	assert_name(&n, "a\\.b.C");
	assert_int_equal(driad_name_from_str("x\\000y\\255.", &n), 0);
	assert_name(&n, "x\\000y\\255");
	assert_int_equal(driad_name_from_str(".", &n), 0);
	assert_name(&n, ".");
	assert_int_equal(driad_name_from_str("", &n), -1);
	assert_int_equal(driad_name_from_str("a..b", &n), -1);
	assert_int_equal(driad_name_from_str(".a", &n), -1);
	assert_int_equal(driad_name_from_str("a\\256", &n), -1);
	assert_int_equal(driad_name_from_str("a\\", &n), -1);
	memset(s, 'x', 64);
	s[64] = '\0';
	assert_int_equal(driad_name_from_str(s, &n), -1);
	s[63] = '\0';
	assert_int_equal(driad_name_from_str(s, &n), 0);
	assert_int_equal(driad_name_str(&n, s, 10), -1);
}

static void
test_D1_name_case_and_dname_subst(void **state)
{
	struct driad_name	a, b, o, t;

	assert_int_equal(driad_name_from_str("12.100.51.198.IN-ADDR.arpa",
	    &a), 0);
	assert_int_equal(driad_name_from_str(Q4, &b), 0);
	assert_true(driad_name_eq(&a, &b));
	assert_int_equal(driad_name_from_str("51.198.in-addr.arpa", &o), 0);
	assert_int_equal(driad_name_from_str("zone.example", &t), 0);
	assert_int_equal(driad_name_subst(&a, &o, &t), 1);
	assert_name(&a, "12.100.zone.example");
	/* The owner itself and unrelated names are not rewritten. */
	assert_int_equal(driad_name_subst(&o, &o, &t), 0);
	assert_int_equal(driad_name_subst(&t, &o, &t), 0);
	/* "1.198.in-addr.arpa" is no ancestor of "51.198...": labels. */
	assert_int_equal(driad_name_from_str("1.198.in-addr.arpa", &o), 0);
	assert_int_equal(driad_name_subst(&b, &o, &t), 0);
}

/* ---- D1: DNS answers ---- */

static void
test_D1_answer_compressed_owner(void **state)
{
	struct mb		m;
	struct driad_answer	a;

	mb_init(&m, RESP, 2, Q4, DRIAD_RRTYPE);
	mb_ptr(&m, QNAME_OFF);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	mb_ptr(&m, QNAME_OFF);
	mb_rr(&m, DRIAD_RRTYPE, 60, RR2);
	assert_int_equal(mb_parse(&m, Q4, &a), 0);
	assert_int_equal(a.rcode, 0);
	assert_false(a.followed);
	assert_int_equal(a.nrr, 2);
	assert_ip(&a.rr[0].ip, "203.0.113.15");
	assert_ip(&a.rr[1].ip, "2001:db8::f");
	assert_int_equal(a.ttl, 60);
	assert_name(&a.final, Q4);
}

/* A pointer to a label in the middle of an earlier name, and case. */
static void
test_D1_answer_owner_pointer_into_name(void **state)
{
	struct mb		m;
	struct driad_answer	a;

	mb_init(&m, RESP, 1, Q4, DRIAD_RRTYPE);
	/* "12.100" + pointer to "51.198.in-addr.arpa" in the question. */
	wbuf_add_bytes(&m.w, "\00212\003100", 7);
	mb_ptr(&m, QNAME_OFF + 7);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	assert_int_equal(mb_parse(&m, "12.100.51.198.IN-ADDR.ARPA", &a), 0);
	assert_int_equal(a.nrr, 1);
}

static void
test_D1_answer_type0_unknown_bad_counted(void **state)
{
	struct mb		m;
	struct driad_answer	a;

	mb_init(&m, RESP, 4, Q4, DRIAD_RRTYPE);
	mb_ptr(&m, QNAME_OFF);
	mb_rr(&m, DRIAD_RRTYPE, 300, "00 00");
	mb_ptr(&m, QNAME_OFF);
	mb_rr(&m, DRIAD_RRTYPE, 300, "0a 09 0102");
	mb_ptr(&m, QNAME_OFF);
	mb_rr(&m, DRIAD_RRTYPE, 300, "0a 01 cb00710f00");
	mb_ptr(&m, QNAME_OFF);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR3);
	assert_int_equal(mb_parse(&m, Q4, &a), 0);
	assert_true(a.none);
	assert_int_equal(a.nunknown, 1);
	assert_int_equal(a.nbad, 1);
	assert_int_equal(a.nrr, 1);
	assert_int_equal(a.rr[0].type, DRIAD_TYPE_NAME);
}

/* RFC 8777 3.4: q -> CNAME a -> CNAME b, records at b (and decoys). */
static void
test_D1_answer_cname_chain_followed(void **state)
{
	struct mb		m;
	struct driad_answer	a;
	size_t			at_a, at_b;

	mb_init(&m, RESP, 5, Q4, DRIAD_RRTYPE);
	mb_ptr(&m, QNAME_OFF);
	mb_rr(&m, DRIAD_RRTYPE, 300, "01 01 c0000201");	/* not at b */
	mb_ptr(&m, QNAME_OFF);
	mb_alias(&m, 5, "a.zone.example");
	at_a = m.w.len - 16;
	/* Owner "a.zone.example" as a pointer; target "b" + pointer. */
	mb_ptr(&m, at_a);
	wbuf_add_n16(&m.w, 5);
	wbuf_add_n16(&m.w, 1);
	wbuf_add_n32(&m.w, 30);
	wbuf_add_n16(&m.w, 4);
	at_b = m.w.len;
	wbuf_add_bytes(&m.w, "\001b", 2);
	mb_ptr(&m, at_a + 2);
	mb_ptr(&m, at_b);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	mb_name(&m, "c.zone.example");
	mb_rr(&m, DRIAD_RRTYPE, 300, RR2);
	assert_int_equal(mb_parse(&m, Q4, &a), 0);
	assert_true(a.followed);
	assert_name(&a.final, "b.zone.example");
	assert_int_equal(a.nrr, 1);
	assert_ip(&a.rr[0].ip, "203.0.113.15");
	assert_int_equal(a.ttl, 30);
}

/* A CNAME and nothing at its target: the caller asks there. */
static void
test_D1_answer_cname_alone_names_next_query(void **state)
{
	struct mb		m;
	struct driad_answer	a;

	mb_init(&m, RESP, 1, Q4, DRIAD_RRTYPE);
	mb_ptr(&m, QNAME_OFF);
	mb_alias(&m, 5, "relays.example");
	assert_int_equal(mb_parse(&m, Q4, &a), 0);
	assert_true(a.followed);
	assert_int_equal(a.nrr, 0);
	assert_name(&a.final, "relays.example");
}

/* RFC 8777 3.4 (RFC 2317 delegation): a DNAME is followed too. */
static void
test_D1_answer_dname_followed(void **state)
{
	struct mb		m;
	struct driad_answer	a;

	mb_init(&m, RESP, 2, Q4, DRIAD_RRTYPE);
	mb_ptr(&m, QNAME_OFF + 7);		/* 51.198.in-addr.arpa */
	mb_alias(&m, 39, "src.example");
	mb_name(&m, "12.100.src.example");
	mb_rr(&m, DRIAD_RRTYPE, 300, RR2);
	assert_int_equal(mb_parse(&m, Q4, &a), 0);
	assert_true(a.followed);
	assert_name(&a.final, "12.100.src.example");
	assert_int_equal(a.nrr, 1);
}

/* A chain of n CNAMEs from the question name, records at its end. */
static int
chain_of(unsigned n, struct driad_answer *a)
{
	struct mb	m;
	char		owner[32], target[32];
	unsigned	i;

	mb_init(&m, RESP, (uint16_t)(n + 1), Q4, DRIAD_RRTYPE);
	for (i = 0; i < n; i++) {
		snprintf(owner, sizeof(owner), "n%u.example", i);
		snprintf(target, sizeof(target), "n%u.example", i + 1);
		if (i == 0)
			mb_ptr(&m, QNAME_OFF);
		else
			mb_name(&m, owner);
		mb_alias(&m, 5, target);
	}
	mb_name(&m, target);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	return mb_parse(&m, Q4, a);
}

static void
test_D1_answer_chain_length_bounded(void **state)
{
	struct driad_answer	a;

	assert_int_equal(chain_of(DRIAD_MAX_CHAIN, &a), 0);
	assert_int_equal(a.nrr, 1);
	assert_int_equal(chain_of(DRIAD_MAX_CHAIN + 1, &a), -1);
}

static void
test_D1_answer_cname_loop_rejected(void **state)
{
	struct mb		m;
	struct driad_answer	a;

	mb_init(&m, RESP, 2, Q4, DRIAD_RRTYPE);
	mb_ptr(&m, QNAME_OFF);
	mb_alias(&m, 5, "loop.example");
	mb_name(&m, "loop.example");
	mb_alias(&m, 5, Q4);
	assert_int_equal(mb_parse(&m, Q4, &a), -1);
}

static void
test_D1_answer_pointer_loops_rejected(void **state)
{
	struct mb		m;
	struct driad_answer	a;
	size_t			at;

	/* A pointer to itself. */
	mb_init(&m, RESP, 1, Q4, DRIAD_RRTYPE);
	mb_ptr(&m, m.w.len);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	assert_int_equal(mb_parse(&m, Q4, &a), -1);
	/* A forward pointer (to the next owner's pointer to the first). */
	mb_init(&m, RESP, 2, Q4, DRIAD_RRTYPE);
	at = m.w.len;
	mb_ptr(&m, at + 2 + 10 + 6);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	mb_ptr(&m, at);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	assert_int_equal(mb_parse(&m, Q4, &a), -1);
	/* RFC 1035 4.1.4: a pointer to a later name, even a good one. */
	mb_init(&m, RESP, 2, Q4, DRIAD_RRTYPE);
	at = m.w.len;
	mb_ptr(&m, at + 2 + 10 + 6);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	mb_name(&m, Q4);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	assert_int_equal(mb_parse(&m, Q4, &a), -1);
	/* A label and a pointer back to it, forever: the name overflows. */
	mb_init(&m, RESP, 1, Q4, DRIAD_RRTYPE);
	at = m.w.len;
	wbuf_add_bytes(&m.w, "\001x", 2);
	mb_ptr(&m, at);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	assert_int_equal(mb_parse(&m, Q4, &a), -1);
	/* A pointer past the end of the message. */
	mb_init(&m, RESP, 1, Q4, DRIAD_RRTYPE);
	mb_ptr(&m, 0x3fff);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	assert_int_equal(mb_parse(&m, Q4, &a), -1);
}

static void
test_D1_answer_framing_rejected(void **state)
{
	struct mb		m;
	struct driad_answer	a;
	size_t			len;

	/* ancount says 2, one is there. */
	mb_init(&m, RESP, 2, Q4, DRIAD_RRTYPE);
	mb_ptr(&m, QNAME_OFF);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	assert_int_equal(mb_parse(&m, Q4, &a), -1);
	/* Every truncation of a good message. */
	mb_init(&m, RESP, 1, Q4, DRIAD_RRTYPE);
	mb_ptr(&m, QNAME_OFF);
	mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	assert_int_equal(mb_parse(&m, Q4, &a), 0);
	for (len = 0; len < m.w.len; len++)
		assert_int_equal(driad_answer_parse(m.b, len, Q4, &a), -1);
}

static void
test_D1_answer_header_and_question_checked(void **state)
{
	struct mb		m;
	struct driad_answer	a;

	mb_init(&m, 0x0100, 0, Q4, DRIAD_RRTYPE);	/* a query */
	assert_int_equal(mb_parse(&m, Q4, &a), -1);
	mb_init(&m, RESP, 0, Q4, 1);			/* asked for A */
	assert_int_equal(mb_parse(&m, Q4, &a), -1);
	mb_init(&m, RESP, 0, Q4, DRIAD_RRTYPE);
	assert_int_equal(mb_parse(&m, "13.100.51.198.in-addr.arpa", &a), -1);
	assert_int_equal(mb_parse(&m, NULL, &a), 0);
	m.b[5] = 2;					/* qdcount 2 */
	assert_int_equal(mb_parse(&m, Q4, &a), -1);
	/* NXDOMAIN: well formed, nothing in it. */
	mb_init(&m, RESP | 3, 0, Q4, DRIAD_RRTYPE);
	assert_int_equal(mb_parse(&m, Q4, &a), 0);
	assert_int_equal(a.rcode, 3);
	assert_int_equal(a.nrr, 0);
	assert_false(a.none);
}

static void
test_D1_answer_many_records_bounded(void **state)
{
	struct mb		m;
	struct driad_answer	a;
	int			i;

	mb_init(&m, RESP, 40, Q4, DRIAD_RRTYPE);
	for (i = 0; i < 40; i++) {
		mb_ptr(&m, QNAME_OFF);
		mb_rr(&m, DRIAD_RRTYPE, 300, RR1);
	}
	assert_int_equal(mb_parse(&m, Q4, &a), 0);
	assert_int_equal(a.nrr, DRIAD_MAX_RR);
	assert_int_equal(a.nextra, 40 - DRIAD_MAX_RR);
}

/* ---- D2: order ---- */

static struct driad_cand
cand(const char *a, uint8_t prec, bool d)
{
	struct driad_cand	c;

	c.ip = ip(a);
	c.precedence = prec;
	c.d = d;
	return c;
}

static void
test_D2_order_precedence_first(void **state)
{
	struct driad_cand	c[4];
	struct driad_pref	p = { 0, AF_INET6 };

	c[0] = cand("192.0.2.30", 30, false);
	c[1] = cand("2001:db8::10", 10, false);
	c[2] = cand("192.0.2.5", 5, true);
	c[3] = cand("2001:db8::20", 20, false);
	assert_int_equal(driad_order(c, 4, &p), 4);
	assert_ip(&c[0].ip, "192.0.2.5");
	assert_true(c[0].d);
	assert_ip(&c[1].ip, "2001:db8::10");
	assert_ip(&c[2].ip, "2001:db8::20");
	assert_ip(&c[3].ip, "192.0.2.30");
}

static void
test_D2_order_family_within_precedence(void **state)
{
	struct driad_cand	c[3];
	struct driad_pref	p = { 0, AF_INET };

	c[0] = cand("2001:db8::1", 10, false);
	c[1] = cand("192.0.2.1", 10, false);
	c[2] = cand("2001:db8::2", 5, false);
	assert_int_equal(driad_order(c, 3, &p), 3);
	assert_ip(&c[0].ip, "2001:db8::2");	/* precedence wins */
	assert_ip(&c[1].ip, "192.0.2.1");
	assert_ip(&c[2].ip, "2001:db8::1");
	p.first = AF_INET6;
	assert_int_equal(driad_order(c, 3, &p), 3);
	assert_ip(&c[1].ip, "2001:db8::1");
	/* No preference: RFC 6724 default policy, IPv6 (40) before IPv4
	 * (35) before ULA (3). */
	p.first = AF_UNSPEC;
	c[0] = cand("fd00::1", 10, false);
	c[1] = cand("192.0.2.1", 10, false);
	c[2] = cand("2001:db8::1", 10, false);
	assert_int_equal(driad_order(c, 3, &p), 3);
	assert_ip(&c[0].ip, "2001:db8::1");
	assert_ip(&c[1].ip, "192.0.2.1");
	assert_ip(&c[2].ip, "fd00::1");
}

static void
test_D2_order_ties_in_random_order(void **state)
{
	struct driad_cand	c[3];
	struct driad_pref	p = { 0, AF_INET };
	unsigned		first_a = 0, first_b = 0, i;

	for (i = 0; i < 200; i++) {
		c[0] = cand("192.0.2.1", 10, false);
		c[1] = cand("192.0.2.2", 10, false);
		c[2] = cand("192.0.2.3", 20, false);
		assert_int_equal(driad_order(c, 3, &p), 3);
		assert_ip(&c[2].ip, "192.0.2.3");
		if (c[0].ip.u.b[3] == 1)
			first_a++;
		else
			first_b++;
	}
	/* Each order has probability 1/2: both appear (p(fail) = 2^-199). */
	assert_true(first_a > 0);
	assert_true(first_b > 0);
}

static void
test_D2_order_drops_unusable_and_duplicates(void **state)
{
	struct driad_cand	c[6];
	struct driad_pref	p = { DRIAD_FAM_V4, AF_UNSPEC };

	c[0] = cand("2001:db8::1", 1, false);	/* family not reachable */
	c[1] = cand("0.0.0.0", 1, false);
	c[2] = cand("232.1.1.1", 1, false);
	c[3] = cand("192.0.2.1", 10, true);
	c[4] = cand("192.0.2.1", 10, false);	/* D=0 wins on a tie */
	c[5] = cand("192.0.2.1", 5, true);	/* better precedence */
	assert_int_equal(driad_order(c, 6, &p), 1);
	assert_ip(&c[0].ip, "192.0.2.1");
	assert_int_equal(c[0].precedence, 5);
	assert_true(c[0].d);
	c[0] = cand("192.0.2.1", 10, true);
	c[1] = cand("192.0.2.1", 10, false);
	assert_int_equal(driad_order(c, 2, &p), 1);
	assert_false(c[0].d);
	assert_int_equal(driad_order(c, 0, &p), 0);
}

/* ---- D5: DNS retry back-off ---- */

static void
test_D5_dns_backoff_1s_to_120s(void **state)
{
	uint32_t	v, lo = UINT32_MAX, hi = 0;
	unsigned	i, n;

	assert_int_equal(driad_backoff_ms(0), 1000);
	for (n = 1; n < 40; n++) {
		for (i = 0; i < 50; i++) {
			v = driad_backoff_ms(n);
			assert_true(v >= 1000);
			assert_true(v <= (n < 7 ? (1000u << n) : 120000u));
			if (n == 20) {
				lo = v < lo ? v : lo;
				hi = v > hi ? v : hi;
			}
		}
	}
	/* Random, not fixed, across the range. */
	assert_true(hi - lo > 10000);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_D1_rdata_ipv4),
		cmocka_unit_test(test_D1_rdata_ipv6_with_d_bit),
		cmocka_unit_test(test_D1_rdata_name_rfc_example),
		cmocka_unit_test(test_D1_rdata_type0_empty_relay),
		cmocka_unit_test(test_D1_rdata_every_truncation_rejected),
		cmocka_unit_test(test_D1_rdata_bad_type_length),
		cmocka_unit_test(test_D1_rdata_compressed_name_rejected),
		cmocka_unit_test(test_D1_rdata_label_and_name_length_limits),
		cmocka_unit_test(test_D1_rdata_unknown_type_skipped),
		cmocka_unit_test(test_D1_reverse_name_ipv4),
		cmocka_unit_test(test_D1_reverse_name_ipv6),
		cmocka_unit_test(test_D1_name_text_forms),
		cmocka_unit_test(test_D1_name_case_and_dname_subst),
		cmocka_unit_test(test_D1_answer_compressed_owner),
		cmocka_unit_test(test_D1_answer_owner_pointer_into_name),
		cmocka_unit_test(test_D1_answer_type0_unknown_bad_counted),
		cmocka_unit_test(test_D1_answer_cname_chain_followed),
		cmocka_unit_test(test_D1_answer_cname_alone_names_next_query),
		cmocka_unit_test(test_D1_answer_dname_followed),
		cmocka_unit_test(test_D1_answer_chain_length_bounded),
		cmocka_unit_test(test_D1_answer_cname_loop_rejected),
		cmocka_unit_test(test_D1_answer_pointer_loops_rejected),
		cmocka_unit_test(test_D1_answer_framing_rejected),
		cmocka_unit_test(test_D1_answer_header_and_question_checked),
		cmocka_unit_test(test_D1_answer_many_records_bounded),
		cmocka_unit_test(test_D2_order_precedence_first),
		cmocka_unit_test(test_D2_order_family_within_precedence),
		cmocka_unit_test(test_D2_order_ties_in_random_order),
		cmocka_unit_test(test_D2_order_drops_unusable_and_duplicates),
		cmocka_unit_test(test_D5_dns_backoff_1s_to_120s),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
