/*
 * MLDv1/v2 in IPv6 (lib/mld.c, lib/mcast.c): parse and build of queries,
 * reports and dones against bytes other implementations sent:
 * - the Linux kernel through the old gateway (captures/amt-v6inv4 and
 *   amt-v6inv6: MLDv2 from fe80::9000:1 forwarded verbatim, Q3);
 * - Linux 6.18 on a tun in a namespace (joins/leaves by a test program,
 *   MLDv1 forced with force_mld_version=1);
 * - the old relay's MLDv2 query (source ::, S=1, QRV 0).
 * Golden query bytes were checked with an independent RFC 1071 sum and
 * decoded by tshark 4.0 with no warnings.
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

/* Old gateway: ALLOW(ff3e::8000:1, {2001:db8:10::1}) from fe80::9000:1 */
static const char oldgw_allow[] =
    "6000000000340001fe800000000000000000000090000001ff02000000000000"
    "0000000000000016" "3a00050200000100" "8f0030f10000000105000001ff3e"
    "000000000000000000008000000120010db8001000000000000000000001";
/* Old gateway, answer to a query: IS_IN(ff3e::8000:1, {...}) */
static const char oldgw_isin[] =
    "6000000000340001fe800000000000000000000090000001ff02000000000000"
    "0000000000000016" "3a00050200000100" "8f0034f10000000101000001ff3e"
    "000000000000000000008000000120010db8001000000000000000000001";
/* Linux 6.18 tun: MLDv1 report and done of ff05::1:3 */
static const char lx_v1_report[] =
    "6000000000200001fe8000000000000097f0ca6fa144f535ff05000000000000"
    "0000000000010003" "3a00050200000100" "8300873d00000000ff0500000000"
    "00000000000000010003";
static const char lx_v1_done[] =
    "6000000000200001fe8000000000000097f0ca6fa144f535ff02000000000000"
    "0000000000000002" "3a00050200000100" "8400864200000000ff0500000000"
    "00000000000000010003";
/* Linux 6.18 tun: MLDv2 TO_EX(ff05::1:3, {}) and TO_IN(ff05::1:3, {}) */
static const char lx_v2_toex[] =
    "6000000000240001fe80000000000000e7dbfab9fd815672ff02000000000000"
    "0000000000000016" "3a00050200000100" "8f00397a0000000104000000ff05"
    "0000000000000000000000010003";
static const char lx_v2_toin[] =
    "6000000000240001fe80000000000000e7dbfab9fd815672ff02000000000000"
    "0000000000000016" "3a00050200000100" "8f003a7a0000000103000000ff05"
    "0000000000000000000000010003";
/* Linux 6.18 tun: a Router Solicitation (no Hop-by-Hop) */
static const char lx_rs[] =
    "6000000000083afffe80000000000000e7dbfab9fd815672ff02000000000000"
    "0000000000000002850046ad00000000";
/* The old relay's MLDv2 query: source ::, MRC 100, S=1, QRV 0, QQIC 5 */
static const char oldrelay_query[] =
    "600000000024000100000000000000000000000000000000ff02000000000000"
    "0000000000000001" "3a00050200000100" "8200763c0064000000000000"
    "000000000000000000000000" "08050000";
/* W5 M3: our General Query from :: and from fe80::1 */
static const char golden_query_any[] =
    "600000000024000100000000000000000000000000000000ff02000000000000"
    "0000000000000001" "3a00050200000100" "82007bc40064000000000000"
    "000000000000000000000000" "027d0000";
static const char golden_query_ll[] =
    "6000000000240001fe800000000000000000000000000001ff02000000000000"
    "0000000000000001" "3a00050200000100" "82007d420064000000000000"
    "000000000000000000000000" "027d0000";

/* Q3 W7: the old gateway's MLDv2 from fe80:: in an IPv4 tunnel. */
static void
test_Q3_W7_oldgw_mld_report(void **state)
{
	struct mcast_report	r;
	struct mcast_record	rec;
	uint8_t			b[256];

	(void)state;
	tl_parse_hex(oldgw_allow, AF_INET6, &r, b, sizeof(b));
	assert_int_equal(r.version, 2);
	assert_int_equal(r.nrec, 1);
	assert_true(tl_ip_is(&r.src, "fe80::9000:1"));
	tl_expect_rec(&r, MCAST_ALLOW_NEW_SOURCES, "ff3e::8000:1", 1,
	    "2001:db8:10::1");
	assert_int_equal(mcast_report_next(&r, &rec), 0);
	tl_parse_hex(oldgw_isin, AF_INET6, &r, b, sizeof(b));
	tl_expect_rec(&r, MCAST_MODE_IS_INCLUDE, "ff3e::8000:1", 1,
	    "2001:db8:10::1");
}

static void
test_M1_linux_mld1_report_and_done(void **state)
{
	(void)state;
	tl_expect_single(lx_v1_report, AF_INET6, 1, MCAST_CHANGE_TO_EXCLUDE,
	    "ff05::1:3");
	tl_expect_single(lx_v1_done, AF_INET6, 1, MCAST_CHANGE_TO_INCLUDE,
	    "ff05::1:3");
}

static void
test_M1_linux_mld2_records(void **state)
{
	struct mcast_report	r;
	uint8_t			b[256];

	(void)state;
	tl_parse_hex(lx_v2_toex, AF_INET6, &r, b, sizeof(b));
	tl_expect_rec(&r, MCAST_CHANGE_TO_EXCLUDE, "ff05::1:3", 0, NULL);
	tl_parse_hex(lx_v2_toin, AF_INET6, &r, b, sizeof(b));
	tl_expect_rec(&r, MCAST_CHANGE_TO_INCLUDE, "ff05::1:3", 0, NULL);
}

#define SIX_LEN	(48 + 8 + 6 * 20 + 15 * 16)

static void
test_M1_all_six_record_types_round_trip(void **state)
{
	struct mcast_report	r;
	struct mcast_record	rec;
	uint8_t			b[512];
	ssize_t			n;
	int			i;

	(void)state;
	n = tl_build_six("fe80::1", b, sizeof(b));
	assert_int_equal(n, SIX_LEN);
	assert_int_equal(mcast_report_parse(b, (size_t)n, &r), MCAST_OK);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.nrec, 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(mcast_report_next(&r, &rec), 1);
		assert_int_equal(rec.type, i + 1);
		assert_int_equal(rec.nsrc, i);
		assert_int_equal(rec.group.u.b[15], i + 1);
		if (i > 0)
			assert_int_equal(rec.srcs[16 * i - 1],
			    0x20 + 16 * i - 1);
	}
	assert_int_equal(mcast_report_next(&r, &rec), 0);
	for (i = 0; i < SIX_LEN; i++)
		assert_int_equal(tl_build_six("fe80::1", b, (size_t)i),
		    MCAST_ERR_NOSPACE);
}

/* RFC 3810 5.2.12: a record of an unknown type is skipped. */
static void
test_M1_unknown_record_type_skipped(void **state)
{
	struct mcast_report	r;
	struct mcast_record	rec;
	uint8_t			b[512];
	ssize_t			n;

	(void)state;
	n = tl_build_six("fe80::1", b, sizeof(b));
	b[56] = 9;			/* first record (IS_IN {}) */
	tl_fix(b, (size_t)n);
	assert_int_equal(mcast_report_parse(b, (size_t)n, &r), MCAST_OK);
	assert_int_equal(mcast_report_next(&r, &rec), 1);
	assert_int_equal(rec.type, MCAST_MODE_IS_EXCLUDE);
}

/* M1 R6c: record count, source count, aux length larger than bytes. */
static void
test_R6c_lying_counts_rejected(void **state)
{
	(void)state;
	tl_expect_lie(oldgw_allow, 55, 2, MCAST_ERR_COUNT);	/* nrec */
	tl_expect_lie(oldgw_allow, 54, 1, MCAST_ERR_COUNT);
	tl_expect_lie(oldgw_allow, 59, 2, MCAST_ERR_COUNT);	/* nsrc */
	tl_expect_lie(oldgw_allow, 58, 1, MCAST_ERR_COUNT);
	tl_expect_lie(oldgw_allow, 57, 1, MCAST_ERR_COUNT);	/* aux */
	tl_expect_lie(lx_v2_toex, 55, 0xff, MCAST_ERR_COUNT);
	tl_expect_lie(lx_v2_toex, 59, 1, MCAST_ERR_COUNT);
	tl_expect_lie(oldgw_allow, 55, 0, MCAST_OK);		/* none */
}

/* Aux data words (RFC 3810 5.2.6) are skipped. */
static void
test_M1_aux_data_skipped(void **state)
{
	struct mcast_report	r;
	uint8_t			b[256];
	size_t			n;

	(void)state;
	n = tl_unhex(oldgw_allow, b, sizeof(b));
	memset(b + n, 0xcd, 8);
	n += 8;
	b[5] += 8;			/* payload length */
	b[57] = 2;			/* two aux words */
	tl_fix(b, n);
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_OK);
	tl_expect_rec(&r, MCAST_ALLOW_NEW_SOURCES, "ff3e::8000:1", 1,
	    "2001:db8:10::1");
	b[57] = 3;
	tl_fix(b, n);
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_COUNT);
}

static void
test_R6c_every_truncation_rejected(void **state)
{
	static const char	*const vec[] = { oldgw_allow, lx_v1_report,
	    lx_v1_done, lx_v2_toex, lx_v2_toin };

	(void)state;
	tl_expect_truncations(vec, sizeof(vec) / sizeof(vec[0]));
}

/*
 * RFC 8200 4.2: an option type whose two high bits are 00 is skipped
 * (Pad1 too); the PadN of the Hop-by-Hop header (octet 46) may become
 * one with no harm.
 */
static bool
skippable(uint8_t type)
{
	return (type >> 6) == 0 && type != 5;
}

/*
 * R6d M2: one flipped bit anywhere breaks the ICMPv6 checksum or an IPv6
 * rule; only the traffic class and flow label are covered by nothing,
 * and the PadN type octet may turn into another option that is skipped.
 */
static void
test_R6d_every_bit_flip_rejected(void **state)
{
	static const char	*const vec[] = { oldgw_allow, lx_v1_report,
	    lx_v1_done, lx_v2_toex };
	struct mcast_report	 r;
	uint8_t			 b[256];
	size_t			 i, n, k;
	int			 bit;

	(void)state;
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		n = tl_unhex(vec[i], b, sizeof(b));
		for (k = 0; k < n; k++) {
			for (bit = 0; bit < 8; bit++) {
				if (k < 4 && !(k == 0 && bit >= 4))
					continue;
				b[k] ^= (uint8_t)(1 << bit);
				assert_int_equal(mcast_report_parse(b, n, &r)
				    == MCAST_OK, k == 46 && skippable(b[k]));
				b[k] ^= (uint8_t)(1 << bit);
			}
		}
	}
}

/* M2 R6d: the ICMPv6 checksum covers the pseudo-header addresses. */
static void
test_M2_R6d_bad_icmpv6_checksum(void **state)
{
	struct mcast_report	r;
	uint8_t			b[256];
	size_t			n;

	(void)state;
	n = tl_unhex(oldgw_allow, b, sizeof(b));
	b[51] ^= 0x01;
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_CSUM);
	n = tl_unhex(oldgw_allow, b, sizeof(b));
	b[39] = 0x01;			/* destination ff02::1 */
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_CSUM);
	n = tl_unhex(oldgw_allow, b, sizeof(b));
	b[23] = 0x02;			/* source */
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_CSUM);
	n = tl_unhex(lx_v1_report, b, sizeof(b));
	b[52] = 0x10;			/* max delay, covered too */
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_CSUM);
}

/* Replace the 8-octet Hop-by-Hop options of a vector with opts. */
static int
with_hbh(const char *hex, const uint8_t *opts, size_t olen)
{
	struct mcast_report	r;
	uint8_t			v[256], b[256];
	size_t			n, hbh = olen + 2;

	n = tl_unhex(hex, v, sizeof(v));
	memcpy(b, v, 40);
	b[40] = 58;
	b[41] = (uint8_t)(hbh / 8 - 1);
	memcpy(b + 42, opts, olen);
	memcpy(b + 40 + hbh, v + 48, n - 48);
	n = n - 8 + hbh;
	b[4] = 0;
	b[5] = (uint8_t)(n - 40);
	fix_icmp6_cksum(b, 40 + hbh, n);
	return mcast_report_parse(b, n, &r);
}

/* R6b: RFC 3810 5 / 7.4: Hop Limit 1, Hop-by-Hop Router Alert (MLD). */
static void
test_R6b_ipv6_header_rules(void **state)
{
	static const uint8_t	ra[] = { 5, 2, 0, 0, 1, 0 };
	static const uint8_t	ra_pad1[] = { 0, 0, 5, 2, 0, 0 };
	static const uint8_t	no_ra[] = { 1, 4, 0, 0, 0, 0 };
	static const uint8_t	ra_rsvp[] = { 5, 2, 0, 1, 1, 0 };
	static const uint8_t	skip_opt[] = { 0x1e, 0, 5, 2, 0, 0 };
	static const uint8_t	drop_opt[] = { 0x9e, 0, 5, 2, 0, 0 };
	static const uint8_t	ra_bad_len[] = { 5, 3, 0, 0, 0, 0 };
	static const uint8_t	padn_over[] = { 5, 2, 0, 0, 1, 3 };
	static const uint8_t	long_hbh[] = { 1, 6, 0, 0, 0, 0, 0, 0,
	    5, 2, 0, 0, 1, 0 };

	(void)state;
	assert_int_equal(with_hbh(oldgw_allow, ra, 6), MCAST_OK);
	assert_int_equal(with_hbh(oldgw_allow, ra_pad1, 6), MCAST_OK);
	assert_int_equal(with_hbh(oldgw_allow, skip_opt, 6), MCAST_OK);
	assert_int_equal(with_hbh(oldgw_allow, long_hbh, 14), MCAST_OK);
	assert_int_equal(with_hbh(oldgw_allow, no_ra, 6), MCAST_ERR_IPHDR);
	assert_int_equal(with_hbh(oldgw_allow, ra_rsvp, 6), MCAST_ERR_IPHDR);
	assert_int_equal(with_hbh(oldgw_allow, drop_opt, 6), MCAST_ERR_IPHDR);
	assert_int_equal(with_hbh(oldgw_allow, ra_bad_len, 6),
	    MCAST_ERR_IPHDR);
	assert_int_equal(with_hbh(oldgw_allow, padn_over, 6),
	    MCAST_ERR_IPHDR);
	tl_expect_lie(oldgw_allow, 7, 2, MCAST_ERR_IPHDR);	/* hlim 2 */
	tl_expect_lie(oldgw_allow, 7, 255, MCAST_ERR_IPHDR);
	tl_expect_lie(oldgw_allow, 6, 58, MCAST_ERR_IPHDR);	/* no HbH */
	tl_expect_lie(oldgw_allow, 40, 17, MCAST_ERR_IPHDR);	/* UDP */
	tl_expect_lie(oldgw_allow, 40, 60, MCAST_ERR_IPHDR);	/* DstOpt */
	tl_expect_lie(oldgw_allow, 41, 1, MCAST_ERR_IPHDR);	/* HbH len */
	tl_expect_lie(oldgw_allow, 41, 6, MCAST_ERR_SHORT);
	tl_expect_lie(oldgw_allow, 5, 0x35, MCAST_ERR_SHORT);	/* plen */
	tl_expect_lie(oldgw_allow, 5, 0x08, MCAST_ERR_SHORT);	/* plen */
	/* Traffic class and any destination are not checked. */
	tl_expect_lie(oldgw_allow, 1, 0x20, MCAST_OK);
	tl_expect_lie(lx_v1_done, 39, 0x01, MCAST_OK);
}

static void
test_M1_trailing_bytes_ignored(void **state)
{
	struct mcast_report	r;
	uint8_t			b[256];
	size_t			n;

	(void)state;
	n = tl_unhex(oldgw_allow, b, sizeof(b));
	memset(b + n, 0xa5, 9);
	assert_int_equal(mcast_report_parse(b, n + 9, &r), MCAST_OK);
}

/* R6a: only MLD reports and dones. */
static void
test_R6a_not_a_report_rejected(void **state)
{
	struct mcast_report	r;
	uint8_t			b[256];
	size_t			n;

	(void)state;
	n = tl_unhex(golden_query_any, b, sizeof(b));
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_TYPE);
	n = tl_unhex(lx_rs, b, sizeof(b));
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_IPHDR);
	tl_expect_lie(lx_v1_report, 48, 133, MCAST_ERR_TYPE);
	tl_expect_lie(lx_v1_report, 48, 128, MCAST_ERR_TYPE);
	tl_expect_lie(lx_v1_report, 48, 0x22, MCAST_ERR_TYPE);
}

static void
test_M1_non_multicast_group_rejected(void **state)
{
	(void)state;
	tl_expect_lie(lx_v1_report, 56, 0xfe, MCAST_ERR_TYPE);
	tl_expect_lie(lx_v1_done, 56, 0x20, MCAST_ERR_TYPE);
	tl_expect_lie(oldgw_allow, 60, 0x20, MCAST_ERR_TYPE);
}

/* M4: reports from :: are accepted. */
static void
test_M4_report_from_unspecified(void **state)
{
	struct mcast_report	r;
	struct amt_ip		src, group;
	uint8_t			b[512];
	ssize_t			n;

	(void)state;
	n = tl_build_six("::", b, sizeof(b));
	assert_int_equal(mcast_report_parse(b, (size_t)n, &r), MCAST_OK);
	assert_true(tl_ip_is(&r.src, "::"));
	tl_ip(&src, "::");
	tl_ip(&group, "ff0e::1234");
	n = mcast_build_v1report(&src, &group, false, b, sizeof(b));
	assert_int_equal(n, 72);
	assert_int_equal(mcast_report_parse(b, (size_t)n, &r), MCAST_OK);
	assert_true(tl_ip_is(&r.src, "::"));
	tl_expect_rec(&r, MCAST_CHANGE_TO_EXCLUDE, "ff0e::1234", 0, NULL);
	n = tl_build_six("2001:db8::99", b, sizeof(b));
	assert_int_equal(mcast_report_parse(b, (size_t)n, &r), MCAST_OK);
}

/* The builder writes what the Linux kernel writes, byte for byte. */
static void
test_M1_M2_build_equals_linux(void **state)
{
	struct mcast_record	rec;
	struct amt_ip		src, s0, group;
	uint8_t			got[256];
	ssize_t			n;

	(void)state;
	tl_ip(&src, "fe80::9000:1");
	tl_ip(&rec.group, "ff3e::8000:1");
	tl_ip(&s0, "2001:db8:10::1");
	rec.type = MCAST_ALLOW_NEW_SOURCES;
	rec.nsrc = 1;
	rec.srcs = s0.u.b;
	n = mcast_build_report(&src, &rec, 1, got, sizeof(got));
	tl_expect_hex(got, n, oldgw_allow);
	tl_ip(&src, "fe80::e7db:fab9:fd81:5672");
	tl_ip(&rec.group, "ff05::1:3");
	rec.type = MCAST_CHANGE_TO_INCLUDE;
	rec.nsrc = 0;
	n = mcast_build_report(&src, &rec, 1, got, sizeof(got));
	tl_expect_hex(got, n, lx_v2_toin);
	tl_ip(&src, "fe80::97f0:ca6f:a144:f535");
	tl_ip(&group, "ff05::1:3");
	n = mcast_build_v1report(&src, &group, false, got, sizeof(got));
	tl_expect_hex(got, n, lx_v1_report);
	n = mcast_build_v1report(&src, &group, true, got, sizeof(got));
	tl_expect_hex(got, n, lx_v1_done);
	tl_ip(&group, "2001:db8::1");
	assert_int_equal(mcast_build_v1report(&src, &group, true, got,
	    sizeof(got)), MCAST_ERR_TYPE);
}

/* W5 M3: the relay's IPv6 General Query, byte for byte. */
static void
test_W5_M3_query_golden_76_bytes(void **state)
{
	struct mcast_query_params	p;
	uint8_t				got[128];
	ssize_t				n;
	size_t				cap;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.src.family = AF_INET6;
	n = mcast_build_query(&p, got, sizeof(got));
	assert_int_equal(n, MCAST_QUERY_V6_LEN);
	assert_int_equal(n, 76);		/* AMT Query of 88 */
	tl_expect_hex(got, n, golden_query_any);
	tl_ip(&p.src, "fe80::1");
	p.qrv = 2;
	p.qqi = 125;
	p.max_resp_ms = 100;
	n = mcast_build_query(&p, got, sizeof(got));
	tl_expect_hex(got, n, golden_query_ll);
	for (cap = 0; cap < MCAST_QUERY_V6_LEN; cap++)
		assert_int_equal(mcast_build_query(&p, got, cap),
		    MCAST_ERR_NOSPACE);
	p.src.family = AF_UNSPEC;
	assert_true(mcast_build_query(&p, got, sizeof(got)) < 0);
}

/* M3: Hop Limit 1, Router Alert, ff02::1, QRV 2, QQIC 125, 100 ms. */
static void
test_M3_query_fields(void **state)
{
	struct mcast_query_params	p;
	struct mcast_query		q;
	uint8_t				b[128];
	ssize_t				n;

	(void)state;
	memset(&p, 0, sizeof(p));
	tl_ip(&p.src, "fe80::1");
	n = mcast_build_query(&p, b, sizeof(b));
	assert_int_equal(b[0], 0x60);
	assert_int_equal(b[6], 0);		/* Hop-by-Hop */
	assert_int_equal(b[7], 1);		/* Hop Limit */
	assert_int_equal(b[24], 0xff);
	assert_int_equal(b[39], 0x01);
	assert_int_equal(b[40], 58);
	assert_int_equal(b[42], 5);		/* Router Alert */
	assert_int_equal(b[48], 130);
	assert_int_equal(mcast_query_parse(b, (size_t)n, &q), MCAST_OK);
	assert_int_equal(q.family, AF_INET6);
	assert_int_equal(q.version, 2);
	assert_true(tl_ip_is(&q.src, "fe80::1"));
	assert_true(tl_ip_is(&q.group, "::"));
	assert_int_equal(q.max_resp_ms, 100);
	assert_int_equal(q.qrv, 2);
	assert_int_equal(q.qqi, 125);
	assert_false(q.s_flag);
	p.qrv = 0;
	p.qqi = 31744;
	p.max_resp_ms = 40000;
	n = mcast_build_query(&p, b, sizeof(b));
	assert_int_equal(b[52], 0x83);		/* 0x8388 */
	assert_int_equal(b[53], 0x88);
	assert_int_equal(b[73], 0xff);
	assert_int_equal(mcast_query_parse(b, (size_t)n, &q), MCAST_OK);
	assert_int_equal(q.qrv, 2);
	assert_int_equal(q.qqi, 31744);
	assert_int_equal(q.max_resp_ms, 40000);
	p.qqi = 130;
	n = mcast_build_query(&p, b, sizeof(b));
	assert_int_equal(b[73], 0x80);
	assert_int_equal(mcast_query_parse(b, (size_t)n, &q), MCAST_OK);
	assert_int_equal(q.qqi, 128);
}

/* RFC 3810 5.1.3: Maximum Response Code, exact at the boundaries. */
static void
test_M3_code16_round_trip_and_bounds(void **state)
{
	unsigned	c, v;

	(void)state;
	for (c = 0; c < 65536; c++)
		assert_int_equal(mcast_code16_encode(mcast_code16_decode(
		    (uint16_t)c)), c);
	for (v = 32760; v < 300000; v += 7) {
		c = mcast_code16_encode(v);
		assert_true(mcast_code16_decode((uint16_t)c) <= v);
		assert_true(mcast_code16_decode((uint16_t)(c + 1)) > v);
	}
	assert_int_equal(mcast_code16_encode(32767), 32767);
	assert_int_equal(mcast_code16_encode(32768), 0x8000);
	assert_int_equal(mcast_code16_decode(0x8000), 32768);
	assert_int_equal(mcast_code16_decode(0xffff), 8387584);
	assert_int_equal(mcast_code16_encode(8387584), 0xffff);
	assert_int_equal(mcast_code16_encode(8387583), 0xfffe);
	assert_int_equal(mcast_code16_encode(~0U), 0xffff);
}

static void
test_M1_parse_old_relay_query(void **state)
{
	struct mcast_query	q;
	uint8_t			b[128];
	size_t			n;

	(void)state;
	n = tl_unhex(oldrelay_query, b, sizeof(b));
	assert_int_equal(mcast_query_parse(b, n, &q), MCAST_OK);
	assert_int_equal(q.version, 2);
	assert_int_equal(q.max_resp_ms, 100);
	assert_true(q.s_flag);
	assert_int_equal(q.qrv, 0);
	assert_int_equal(q.qqi, 5);
	assert_true(tl_ip_is(&q.src, "::"));
}

/*
 * M1 G4: an MLDv2 General Query as relays in the field send it: no
 * Hop-by-Hop header (so no Router Alert), from ::, Maximum Response Code
 * 0, S set, QRV 0, QQIC 0 (68 octets).  A query is taken so, with a
 * Hop-by-Hop header without Router Alert too; a report is not (R6b).
 */
static const char field_query_no_hbh[] =
    "60000000001c3a0100000000000000000000000000000000ff02000000000000"
    "0000000000000001" "820076a50000000000000000000000000000000000000000"
    "08000000";

static void
test_M1_G4_query_without_router_alert(void **state)
{
	static const uint8_t	pad_only[] = { 1, 4, 0, 0, 0, 0 };
	struct mcast_query	q;
	struct mcast_report	r;
	uint8_t			b[128], v[128];
	size_t			n;

	(void)state;
	/* Every field as sent; the checksum still counts. */
	tl_expect_zero_query(field_query_no_hbh, 68, 2, "::", 45);
	/* A Hop-by-Hop header with PadN alone. */
	n = tl_unhex(golden_query_ll, v, sizeof(v));
	memcpy(v + 42, pad_only, sizeof(pad_only));
	tl_fix(v, n);
	assert_int_equal(mcast_query_parse(v, n, &q), MCAST_OK);
	assert_int_equal(with_hbh(oldgw_allow, pad_only, 6), MCAST_ERR_IPHDR);
	/* A report without Hop-by-Hop header: R6b. */
	n = tl_unhex(field_query_no_hbh, b, sizeof(b));
	b[40] = 143;
	assert_int_not_equal(mcast_report_parse(b, n, &r), MCAST_OK);
}

/* RFC 3810 8.1: 24 octets MLDv1, 28 or more MLDv2, else ignored. */
static void
test_M1_query_versions_by_length(void **state)
{
	struct mcast_query	q;
	uint8_t			b[128];
	size_t			n, len;

	(void)state;
	for (len = 24; len <= 28; len++) {
		n = tl_unhex(golden_query_ll, b, sizeof(b));
		n = 48 + len;
		b[5] = (uint8_t)(8 + len);
		tl_fix(b, n);
		if (len == 24 || len == 28)
			assert_int_equal(mcast_query_parse(b, n, &q),
			    MCAST_OK);
		else
			assert_int_not_equal(mcast_query_parse(b, n, &q),
			    MCAST_OK);
		if (len == 24) {
			assert_int_equal(q.version, 1);
			assert_int_equal(q.max_resp_ms, 100);
		}
	}
}

static void
test_M1_query_checks(void **state)
{
	struct mcast_query	q;
	uint8_t			b[128];
	size_t			n, k;

	(void)state;
	n = tl_unhex(golden_query_ll, b, sizeof(b));
	for (k = 0; k < n; k++)
		assert_int_not_equal(mcast_query_parse(b, k, &q), MCAST_OK);
	/* One source, none there; a unicast address; address-specific. */
	assert_int_equal(tl_query_lie(golden_query_ll, 75, 1, &q),
	    MCAST_ERR_COUNT);
	assert_int_equal(tl_query_lie(golden_query_ll, 56, 0x20, &q),
	    MCAST_ERR_TYPE);
	assert_int_equal(tl_query_lie(golden_query_ll, 56, 0xff, &q),
	    MCAST_OK);
	assert_int_equal(q.group.u.b[0], 0xff);
	n = tl_unhex(golden_query_ll, b, sizeof(b));
	b[50] ^= 1;
	assert_int_equal(mcast_query_parse(b, n, &q), MCAST_ERR_CSUM);
	n = tl_unhex(oldgw_allow, b, sizeof(b));
	assert_int_equal(mcast_query_parse(b, n, &q), MCAST_ERR_TYPE);
	n = tl_unhex(golden_query_ll, b, sizeof(b));
	b[7] = 64;
	assert_int_equal(mcast_query_parse(b, n, &q), MCAST_ERR_IPHDR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_Q3_W7_oldgw_mld_report),
		cmocka_unit_test(test_M1_linux_mld1_report_and_done),
		cmocka_unit_test(test_M1_linux_mld2_records),
		cmocka_unit_test(test_M1_all_six_record_types_round_trip),
		cmocka_unit_test(test_M1_unknown_record_type_skipped),
		cmocka_unit_test(test_R6c_lying_counts_rejected),
		cmocka_unit_test(test_M1_aux_data_skipped),
		cmocka_unit_test(test_R6c_every_truncation_rejected),
		cmocka_unit_test(test_R6d_every_bit_flip_rejected),
		cmocka_unit_test(test_M2_R6d_bad_icmpv6_checksum),
		cmocka_unit_test(test_R6b_ipv6_header_rules),
		cmocka_unit_test(test_M1_trailing_bytes_ignored),
		cmocka_unit_test(test_R6a_not_a_report_rejected),
		cmocka_unit_test(test_M1_non_multicast_group_rejected),
		cmocka_unit_test(test_M4_report_from_unspecified),
		cmocka_unit_test(test_M1_M2_build_equals_linux),
		cmocka_unit_test(test_W5_M3_query_golden_76_bytes),
		cmocka_unit_test(test_M3_query_fields),
		cmocka_unit_test(test_M3_code16_round_trip_and_bounds),
		cmocka_unit_test(test_M1_parse_old_relay_query),
		cmocka_unit_test(test_M1_query_versions_by_length),
		cmocka_unit_test(test_M1_query_checks),
		cmocka_unit_test(test_M1_G4_query_without_router_alert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
