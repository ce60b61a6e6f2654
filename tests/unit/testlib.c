/*
 * Helpers shared by the unit tests (testlib.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "amt/mcast.h"
#include "../fuzz/mcast_fix.h"
#include "testlib.h"

static int
tl_family(const char *s)
{
	return strchr(s, ':') != NULL ? AF_INET6 : AF_INET;
}

static size_t
tl_alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

size_t
tl_unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t	n = 0;

	while (s[0] != '\0' && s[1] != '\0' && n < cap) {
		assert_int_equal(sscanf(s, "%2hhx", &out[n]), 1);
		n++;
		s += 2;
	}
	return n;
}

void
tl_ip(struct amt_ip *ip, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = tl_family(s);
	assert_int_equal(inet_pton(ip->family, s, ip->u.b), 1);
}

bool
tl_ip_is(const struct amt_ip *ip, const char *s)
{
	struct amt_ip	a;

	tl_ip(&a, s);
	return ip->family == a.family &&
	    memcmp(ip->u.b, a.u.b, tl_alen(a.family)) == 0;
}

/*
 * The checksums of an IGMP datagram of IP version 4 (header length from
 * its IHL) or of an MLD one of version 6 (after an 8-octet Hop-by-Hop
 * header), over all n bytes.
 */
static void
tl_fix_as(uint8_t *b, size_t n, int version)
{
	if (version == 4)
		fix_ip4_cksums(b, (size_t)(b[0] & 0x0f) * 4, n);
	else
		fix_icmp6_cksum(b, 40 + 8, n);
}

/* Recompute the checksums after a test has edited the bytes. */
void
tl_fix(uint8_t *b, size_t n)
{
	tl_fix_as(b, n, b[0] >> 4);
}

void
tl_parse_hex(const char *hex, int family, struct mcast_report *r,
    uint8_t *buf, size_t cap)
{
	size_t	n;

	n = tl_unhex(hex, buf, cap);
	assert_int_equal(mcast_report_parse(buf, n, r), MCAST_OK);
	assert_int_equal(r->family, family);
}

/* n bytes were built, the same as the hex bytes. */
void
tl_expect_hex(const uint8_t *got, ssize_t n, const char *hex)
{
	uint8_t	want[256];

	assert_int_equal(n, tl_unhex(hex, want, sizeof(want)));
	assert_memory_equal(got, want, (size_t)n);
}

/* A v1/v2 report or leave: of one record without sources, and no more. */
void
tl_expect_single(const char *hex, int family, uint8_t version, int type,
    const char *group)
{
	struct mcast_report	r;
	struct mcast_record	rec;
	uint8_t			b[256];

	tl_parse_hex(hex, family, &r, b, sizeof(b));
	assert_int_equal(r.version, version);
	assert_int_equal(r.nrec, 1);
	tl_expect_rec(&r, type, group, 0, NULL);
	assert_int_equal(mcast_report_next(&r, &rec), 0);
}

void
tl_expect_rec(struct mcast_report *r, int type, const char *group,
    uint16_t nsrc, const char *src0)
{
	struct mcast_record	rec;
	struct amt_ip		s;

	assert_int_equal(mcast_report_next(r, &rec), 1);
	assert_int_equal(rec.type, type);
	assert_true(tl_ip_is(&rec.group, group));
	assert_int_equal(rec.nsrc, nsrc);
	if (src0 != NULL) {
		tl_ip(&s, src0);
		assert_memory_equal(rec.srcs, s.u.b, tl_alen(s.family));
	}
}

/* Set one octet of a report to val, fix the checksums, expect err. */
void
tl_expect_lie(const char *hex, size_t off, uint8_t val, int err)
{
	struct mcast_report	r;
	uint8_t			b[256];
	size_t			n;
	int			version;

	n = tl_unhex(hex, b, sizeof(b));
	version = b[0] >> 4;
	b[off] = val;
	tl_fix_as(b, n, version);
	assert_int_equal(mcast_report_parse(b, n, &r), err);
}

/* Set one octet of a query to val, fix the checksums, parse into q. */
int
tl_query_lie(const char *hex, size_t off, uint8_t val, struct mcast_query *q)
{
	uint8_t	b[256];
	size_t	n;

	n = tl_unhex(hex, b, sizeof(b));
	b[off] = val;
	tl_fix(b, n);
	return mcast_query_parse(b, n, q);
}

/* R6c: every truncation of each valid report is rejected. */
/*
 * M1 G4: a General Query with every field a relay in the field leaves
 * at zero (Max Resp Code 0, S set, QRV 0, QQIC 0), len octets from src;
 * it parses as the version given, and fails its checksum once octet
 * csum_at is changed.
 */
void
tl_expect_zero_query(const char *hex, size_t len, uint8_t version,
    const char *src, size_t csum_at)
{
	struct mcast_query	q;
	uint8_t			b[256];
	size_t			n;

	n = tl_unhex(hex, b, sizeof(b));
	assert_int_equal(n, len);
	assert_int_equal(mcast_query_parse(b, n, &q), MCAST_OK);
	assert_int_equal(q.version, version);
	assert_true(ip_is_any(&q.group));
	assert_true(tl_ip_is(&q.src, src));
	assert_int_equal(q.max_resp_ms, 0);
	assert_true(q.s_flag);
	assert_int_equal(q.qrv, 0);
	assert_int_equal(q.qqi, 0);
	b[csum_at] ^= 1;
	assert_int_equal(mcast_query_parse(b, n, &q), MCAST_ERR_CSUM);
}

void
tl_expect_truncations(const char *const *vec, size_t nvec)
{
	struct mcast_report	 r;
	uint8_t			 b[256], *cut;
	size_t			 i, n, k;

	for (i = 0; i < nvec; i++) {
		n = tl_unhex(vec[i], b, sizeof(b));
		assert_int_equal(mcast_report_parse(b, n, &r), MCAST_OK);
		for (k = 0; k < n; k++) {
			/* An exact-size copy, so that ASan sees overreads. */
			cut = test_malloc(k + 1);
			memcpy(cut, b, k);
			assert_int_not_equal(mcast_report_parse(cut, k, &r),
			    MCAST_OK);
			test_free(cut);
		}
	}
}

/*
 * A report from src with six records, one of each type, with 0..5
 * sources: IPv4 groups 232.1.1.1-6, sources of octets 10, 11, ...;
 * IPv6 groups ff3e::8000:1-6, sources of octets 0x20, 0x21, ...
 */
ssize_t
tl_build_six(const char *src, uint8_t *out, size_t cap)
{
	struct mcast_record	recs[6];
	struct amt_ip		s;
	uint8_t			srcs[5 * 16], base;
	char			g[32];
	size_t			alen;
	int			i;

	tl_ip(&s, src);
	alen = tl_alen(s.family);
	base = s.family == AF_INET6 ? 0x20 : 10;
	for (i = 0; i < (int)(5 * alen); i++)
		srcs[i] = (uint8_t)(base + i);
	for (i = 0; i < 6; i++) {
		if (s.family == AF_INET6)
			snprintf(g, sizeof(g), "ff3e::8000:%d", i + 1);
		else
			snprintf(g, sizeof(g), "232.1.1.%d", i + 1);
		tl_ip(&recs[i].group, g);
		recs[i].type = (uint8_t)(i + 1);
		recs[i].nsrc = (uint16_t)i;
		recs[i].srcs = srcs;
	}
	return mcast_build_report(&s, recs, 6, out, cap);
}
