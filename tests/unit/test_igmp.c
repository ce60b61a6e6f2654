/*
 * IGMPv2/v3 in IPv4 (lib/igmp.c, lib/mcast.c): parse and build of
 * queries, reports and leaves against bytes other implementations sent:
 * - the Linux kernel through the old gateway (captures/amt-v4inv4 and
 *   amt-v4inv6: IGMPv3 with Router Alert, forwarded verbatim, Q3);
 * - VLC 4 (captures/amt-vlc-gw-ra: 24-byte header, zero option bytes,
 *   source 0.0.0.0);
 * - Linux 6.18 on a tun in a namespace (joins/leaves by a test program,
 *   IGMPv2 forced with force_igmp_version=2);
 * - the old relay's queries (no Router Alert; with one added).
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
#include "testlib.h"

/* Old gateway, Linux IGMPv3 ALLOW(232.1.1.1, {10.10.0.1}) from 10.8.8.1 */
static const char oldgw_allow[] =
    "46c0002c000040000102f1ec0a080801e0000016940400002200e5ef00000001"
    "05000001e80101010a0a0001";
/* Old gateway, answer to a query: IS_IN(232.1.1.1, {10.10.0.1}) */
static const char oldgw_isin[] =
    "46c0002c000040000102f1ec0a080801e0000016940400002200e9ef00000001"
    "01000001e80101010a0a0001";
/* VLC 4: IS_IN and BLOCK, header of 24 bytes with zero options */
static const char vlc_isin[] =
    "46c0002c000000000102d7fa00000000e0000016000000002200e9ef00000001"
    "01000001e80101010a0a0001";
static const char vlc_block[] =
    "46c0002c000000000102d7fa00000000e0000016000000002200e4ef00000001"
    "06000001e80101010a0a0001";
/* Linux 6.18 tun: IGMPv2 report and leave of 239.1.2.3 */
static const char lx_v2_report[] =
    "46c00020000040000102e10a0a080801ef010203940400001600f8faef010203";
static const char lx_v2_leave[] =
    "46c00020000040000102f20c0a080801e0000002940400001700f7faef010203";
/* Linux 6.18 tun: IGMPv3 TO_EX(239.1.2.3, {}) */
static const char lx_v3_toex[] =
    "46c00028000040000102f1f00a080801e0000016940400002200e8f900000001"
    "04000000ef010203";
/* Linux 6.18 tun: IGMPv3 ALLOW(232.1.1.1, {10.10.0.1, 10.10.0.2}) */
static const char lx_v3_allow2[] =
    "46c00030000040000102f1e80a080801e0000016940400002200dbe200000001"
    "05000002e80101010a0a00010a0a0002";
/* Linux 6.18 tun: ALLOW(232.1.1.1, {.2}) BLOCK(232.1.1.1, {.1}) */
static const char lx_v3_two[] =
    "46c00038000040000102f1e00a080801e0000016940400002200ecde00000002"
    "05000001e80101010a0a000206000001e80101010a0a0001";
/* Linux 6.18 tun: TO_IN(239.1.2.3, {}) BLOCK(232.1.1.1, {10.10.0.1}) */
static const char lx_v3_toin_block[] =
    "46c00034000040000102f1e40a080801e0000016940400002200f0e900000002"
    "03000000ef01020306000001e80101010a0a0001";
/* Old relay's query: no Router Alert, Max Resp Code 16, QQIC 20 */
static const char oldrelay_query[] =
    "45000020456700000102947400000000e00000011110ecdb0000000002140000";
/* The same relay with a Router Alert added (VLC capture) */
static const char oldrelay_query_ra[] =
    "46000024456700000102ff6b00000000e0000001940400001110ecdb00000000"
    "02140000";
/* M3 W5: our General Query from 0.0.0.0 and from 10.20.0.1 */
static const char golden_query_any[] =
    "46c00024000000000102441300000000e0000001940400001101ec8100000000"
    "027d0000";
static const char golden_query_relay[] =
    "46c0002400000000010239fe0a140001e0000001940400001101ec8100000000"
    "027d0000";

static void
test_Q3_M1_oldgw_kernel_report(void **state)
{
	struct mcast_report	r;
	struct mcast_record	rec;
	uint8_t			b[128];

	(void)state;
	tl_parse_hex(oldgw_allow, AF_INET, &r, b, sizeof(b));
	assert_int_equal(r.version, 3);
	assert_int_equal(r.nrec, 1);
	assert_true(tl_ip_is(&r.src, "10.8.8.1"));
	tl_expect_rec(&r, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", 1, "10.10.0.1");
	assert_int_equal(mcast_report_next(&r, &rec), 0);
	assert_int_equal(mcast_report_next(&r, &rec), 0);
	tl_parse_hex(oldgw_isin, AF_INET, &r, b, sizeof(b));
	tl_expect_rec(&r, MCAST_MODE_IS_INCLUDE, "232.1.1.1", 1, "10.10.0.1");
}

/* W7: the IGMP report carried in an IPv6 tunnel (amt-v4inv6) is parsed
 * from its own bytes: the outer family plays no part. */
static void
test_W7_igmp_in_ipv6_tunnel_capture(void **state)
{
	struct mcast_report	r;
	uint8_t			b[128];

	(void)state;
	tl_parse_hex(oldgw_allow, AF_INET, &r, b, sizeof(b));
	assert_int_equal(r.family, AF_INET);
	tl_expect_rec(&r, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", 1, "10.10.0.1");
}

/* Q1 M4: VLC's zero option bytes and source 0.0.0.0 are accepted. */
static void
test_M4_vlc_report_zero_options_source_any(void **state)
{
	struct mcast_report	r;
	uint8_t			b[128];

	(void)state;
	tl_parse_hex(vlc_isin, AF_INET, &r, b, sizeof(b));
	assert_true(tl_ip_is(&r.src, "0.0.0.0"));
	tl_expect_rec(&r, MCAST_MODE_IS_INCLUDE, "232.1.1.1", 1, "10.10.0.1");
	tl_parse_hex(vlc_block, AF_INET, &r, b, sizeof(b));
	tl_expect_rec(&r, MCAST_BLOCK_OLD_SOURCES, "232.1.1.1", 1, "10.10.0.1");
}

static void
test_M1_linux_v2_report_is_asm_join(void **state)
{
	(void)state;
	tl_expect_single(lx_v2_report, AF_INET, 2, MCAST_CHANGE_TO_EXCLUDE,
	    "239.1.2.3");
}

static void
test_M1_linux_v2_leave_is_asm_leave(void **state)
{
	(void)state;
	tl_expect_single(lx_v2_leave, AF_INET, 2, MCAST_CHANGE_TO_INCLUDE,
	    "239.1.2.3");
}

/* RFC 2236 4: an IGMPv1 report (0x12) is a join like a v2 report. */
static void
test_M1_v1_report_is_asm_join(void **state)
{
	struct mcast_report	r;
	uint8_t			b[128];
	size_t			n;

	(void)state;
	n = tl_unhex(lx_v2_report, b, sizeof(b));
	b[24] = 0x12;
	tl_fix(b, n);
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_OK);
	tl_expect_rec(&r, MCAST_CHANGE_TO_EXCLUDE, "239.1.2.3", 0, NULL);
}

static void
test_M1_linux_v3_records(void **state)
{
	struct mcast_report	r;
	struct mcast_record	rec;
	uint8_t			b[128];

	(void)state;
	tl_parse_hex(lx_v3_toex, AF_INET, &r, b, sizeof(b));
	tl_expect_rec(&r, MCAST_CHANGE_TO_EXCLUDE, "239.1.2.3", 0, NULL);
	tl_parse_hex(lx_v3_allow2, AF_INET, &r, b, sizeof(b));
	tl_expect_rec(&r, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", 2, "10.10.0.1");
	tl_parse_hex(lx_v3_two, AF_INET, &r, b, sizeof(b));
	assert_int_equal(r.nrec, 2);
	tl_expect_rec(&r, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", 1, "10.10.0.2");
	tl_expect_rec(&r, MCAST_BLOCK_OLD_SOURCES, "232.1.1.1", 1, "10.10.0.1");
	assert_int_equal(mcast_report_next(&r, &rec), 0);
	tl_parse_hex(lx_v3_toin_block, AF_INET, &r, b, sizeof(b));
	tl_expect_rec(&r, MCAST_CHANGE_TO_INCLUDE, "239.1.2.3", 0, NULL);
	tl_expect_rec(&r, MCAST_BLOCK_OLD_SOURCES, "232.1.1.1", 1, "10.10.0.1");
	assert_int_equal(mcast_report_next(&r, &rec), 0);
}

static void
test_M1_all_six_record_types_round_trip(void **state)
{
	struct mcast_report	r;
	struct mcast_record	rec;
	uint8_t			b[256];
	ssize_t			n;
	int			i;

	(void)state;
	n = tl_build_six("192.0.2.9", b, sizeof(b));
	assert_int_equal(n, 24 + 8 + 6 * 8 + 15 * 4);
	assert_int_equal(mcast_report_parse(b, (size_t)n, &r), MCAST_OK);
	assert_int_equal(r.version, 3);
	assert_int_equal(r.nrec, 6);
	assert_true(tl_ip_is(&r.src, "192.0.2.9"));
	for (i = 0; i < 6; i++) {
		assert_int_equal(mcast_report_next(&r, &rec), 1);
		assert_int_equal(rec.type, i + 1);
		assert_int_equal(rec.nsrc, i);
		assert_int_equal(rec.group.u.b[3], i + 1);
		if (i > 0)
			assert_int_equal(rec.srcs[4 * i - 1], 10 + 4 * i - 1);
	}
	assert_int_equal(mcast_report_next(&r, &rec), 0);
	assert_string_equal(mcast_rec_name(MCAST_ALLOW_NEW_SOURCES),
	    "ALLOW_NEW_SOURCES");
	assert_string_equal(mcast_rec_name(9), "UNKNOWN");
}

/* RFC 3376 4.2.12: a record of an unknown type is skipped, not fatal. */
static void
test_M1_unknown_record_type_skipped(void **state)
{
	struct mcast_report	r;
	struct mcast_record	rec;
	uint8_t			b[128];
	size_t			n;

	(void)state;
	n = tl_unhex(lx_v3_two, b, sizeof(b));
	b[32] = 7;		/* first record: type 7 */
	b[35] = 1;
	b[36] = 10;		/* and a unicast group: not checked */
	tl_fix(b, n);
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_OK);
	assert_int_equal(r.nrec, 2);
	tl_expect_rec(&r, MCAST_BLOCK_OLD_SOURCES, "232.1.1.1", 1, "10.10.0.1");
	assert_int_equal(mcast_report_next(&r, &rec), 0);
	b[44] = 0;		/* second record: type 0 */
	tl_fix(b, n);
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_OK);
	assert_int_equal(mcast_report_next(&r, &rec), 0);
}

/* Aux data words are skipped: the record after them is found. */
static void
test_M1_aux_data_skipped(void **state)
{
	struct mcast_report	r;
	uint8_t			b[128];
	size_t			n, i;

	(void)state;
	n = tl_unhex(lx_v3_two, b, sizeof(b));
	/* Grow the first record by one aux word. */
	memmove(b + 44 + 4, b + 44, n - 44);
	memset(b + 44, 0xab, 4);
	n += 4;
	b[33] = 1;
	b[3] = (uint8_t)n;
	tl_fix(b, n);
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_OK);
	tl_expect_rec(&r, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", 1, "10.10.0.2");
	tl_expect_rec(&r, MCAST_BLOCK_OLD_SOURCES, "232.1.1.1", 1, "10.10.0.1");
	for (i = 2; i < 255; i++) {
		b[33] = (uint8_t)i;
		tl_fix(b, n);
		assert_int_equal(mcast_report_parse(b, n, &r),
		    MCAST_ERR_COUNT);
	}
}

/* M1 R6c: record count, source count, aux length larger than bytes. */
static void
test_R6c_lying_counts_rejected(void **state)
{
	(void)state;
	tl_expect_lie(lx_v3_two, 31, 3, MCAST_ERR_COUNT);	/* nrec */
	tl_expect_lie(lx_v3_two, 30, 1, MCAST_ERR_COUNT);	/* nrec */
	tl_expect_lie(lx_v3_two, 35, 2, MCAST_ERR_COUNT);	/* nsrc */
	tl_expect_lie(lx_v3_two, 34, 1, MCAST_ERR_COUNT);	/* nsrc */
	tl_expect_lie(lx_v3_two, 47, 2, MCAST_ERR_COUNT);	/* nsrc */
	tl_expect_lie(lx_v3_two, 33, 1, MCAST_ERR_COUNT);	/* aux */
	tl_expect_lie(lx_v3_two, 45, 1, MCAST_ERR_COUNT);	/* aux */
	tl_expect_lie(lx_v3_toex, 31, 0xff, MCAST_ERR_COUNT);
	/* Fewer records than present is fine: the rest is trailing. */
	tl_expect_lie(lx_v3_two, 31, 1, MCAST_OK);
}

/* R6c: every truncation of a valid report is rejected, none crashes. */
static void
test_R6c_every_truncation_rejected(void **state)
{
	static const char	*const vec[] = { oldgw_allow, vlc_isin,
	    lx_v2_report, lx_v2_leave, lx_v3_toex, lx_v3_allow2, lx_v3_two,
	    lx_v3_toin_block };
	struct mcast_report	 r;

	(void)state;
	tl_expect_truncations(vec, sizeof(vec) / sizeof(vec[0]));
	assert_int_equal(mcast_report_parse(NULL, 0, &r), MCAST_ERR_SHORT);
}

/* R6d M2: any one flipped bit breaks a checksum or a rule. */
static void
test_R6d_every_bit_flip_rejected(void **state)
{
	static const char	*const vec[] = { oldgw_allow, vlc_block,
	    lx_v2_report, lx_v2_leave, lx_v3_two };
	struct mcast_report	 r;
	uint8_t			 b[128];
	size_t			 i, n, k;
	int			 bit;

	(void)state;
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		n = tl_unhex(vec[i], b, sizeof(b));
		for (k = 0; k < n; k++) {
			for (bit = 0; bit < 8; bit++) {
				b[k] ^= (uint8_t)(1 << bit);
				assert_int_not_equal(mcast_report_parse(b, n,
				    &r), MCAST_OK);
				b[k] ^= (uint8_t)(1 << bit);
			}
		}
	}
}

static void
test_M2_R6d_bad_ip_header_checksum(void **state)
{
	struct mcast_report	r;
	uint8_t			b[128];
	size_t			n;

	(void)state;
	n = tl_unhex(oldgw_allow, b, sizeof(b));
	b[11] ^= 0x01;
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_IPCSUM);
	n = tl_unhex(oldgw_allow, b, sizeof(b));
	b[5] ^= 0x01;			/* identification */
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_IPCSUM);
}

static void
test_M2_R6d_bad_igmp_checksum(void **state)
{
	struct mcast_report	r;
	uint8_t			b[128];
	size_t			n;

	(void)state;
	n = tl_unhex(oldgw_allow, b, sizeof(b));
	b[26] ^= 0x80;
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_CSUM);
	n = tl_unhex(oldgw_allow, b, sizeof(b));
	b[n - 1] ^= 0x01;		/* last source byte */
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_CSUM);
	n = tl_unhex(lx_v2_report, b, sizeof(b));
	b[25] = 10;			/* max resp time: covered too */
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_CSUM);
}

/* R6b: the IP header rules of RFC 3376 4 / RFC 2236 2. */
static void
test_R6b_ip_header_rules(void **state)
{
	(void)state;
	tl_expect_lie(oldgw_allow, 8, 2, MCAST_ERR_IPHDR);	/* TTL 2 */
	tl_expect_lie(oldgw_allow, 8, 0, MCAST_ERR_IPHDR);	/* TTL 0 */
	tl_expect_lie(oldgw_allow, 9, 17, MCAST_ERR_IPHDR);	/* UDP */
	tl_expect_lie(oldgw_allow, 6, 0x60, MCAST_ERR_IPHDR);	/* DF|MF */
	tl_expect_lie(oldgw_allow, 7, 0x01, MCAST_ERR_IPHDR);	/* offset */
	tl_expect_lie(oldgw_allow, 0, 0x56, MCAST_ERR_IPHDR);	/* v5 */
	tl_expect_lie(oldgw_allow, 0, 0x44, MCAST_ERR_IPHDR);	/* IHL 4 */
	tl_expect_lie(oldgw_allow, 20, 0x83, MCAST_ERR_IPHDR);	/* LSRR */
	tl_expect_lie(oldgw_allow, 21, 0x05, MCAST_ERR_IPHDR);	/* RA len */
	tl_expect_lie(oldgw_allow, 3, 0x14, MCAST_ERR_IPHDR);	/* tot < hl */
	tl_expect_lie(oldgw_allow, 3, 0x1c, MCAST_ERR_SHORT);	/* IGMP 4 */
	tl_expect_lie(oldgw_allow, 3, 0x2d, MCAST_ERR_SHORT);	/* tot > len */
	/* A non-zero Router Alert value is still a Router Alert. */
	tl_expect_lie(oldgw_allow, 23, 0x01, MCAST_OK);
	/* Any destination (not checked, see igmp.c). */
	tl_expect_lie(oldgw_allow, 19, 0x09, MCAST_OK);
}

/* NOP and End of Options are allowed around a Router Alert. */
static void
test_R6b_nop_and_eol_options(void **state)
{
	static const uint8_t	opts[][8] = {
		{ 0x01, 0x01, 0x01, 0x01 },
		{ 0x01, 0x00, 0x00, 0x00 },
		{ 0x00, 0xff, 0xff, 0xff },	/* after EOL: padding */
		{ 0x01, 0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x00 },
	};
	struct mcast_report	r;
	uint8_t			b[128], v[128];
	size_t			n, i, ol;

	(void)state;
	n = tl_unhex(oldgw_allow, v, sizeof(v));
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		ol = i < 3 ? 4 : 8;
		memcpy(b, v, 20);
		memcpy(b + 20, opts[i], ol);
		memcpy(b + 20 + ol, v + 24, n - 24);
		b[0] = (uint8_t)(0x40 | (20 + ol) / 4);
		b[3] = (uint8_t)(n - 4 + ol);
		tl_fix(b, n - 4 + ol);
		assert_int_equal(mcast_report_parse(b, n - 4 + ol, &r),
		    MCAST_OK);
		tl_expect_rec(&r, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", 1,
		    "10.10.0.1");
	}
	/* Without options at all (IHL 5), as IGMPv1-era hosts send. */
	memcpy(b, v, 20);
	memcpy(b + 20, v + 24, n - 24);
	b[0] = 0x45;
	b[3] = (uint8_t)(n - 4);
	tl_fix(b, n - 4);
	assert_int_equal(mcast_report_parse(b, n - 4, &r), MCAST_OK);
}

/* W8: bytes after the IP total length are not part of the datagram. */
static void
test_M1_trailing_bytes_ignored(void **state)
{
	struct mcast_report	r;
	uint8_t			b[128];
	size_t			n;

	(void)state;
	n = tl_unhex(oldgw_allow, b, sizeof(b));
	memset(b + n, 0x5a, 7);
	assert_int_equal(mcast_report_parse(b, n + 7, &r), MCAST_OK);
	tl_expect_rec(&r, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", 1, "10.10.0.1");
}

/* R6a: only reports and leaves: a query, a DVMRP or mtrace is not. */
static void
test_R6a_not_a_report_rejected(void **state)
{
	struct mcast_report	r;
	uint8_t			b[128];
	size_t			n;

	(void)state;
	n = tl_unhex(golden_query_any, b, sizeof(b));
	assert_int_equal(mcast_report_parse(b, n, &r), MCAST_ERR_TYPE);
	tl_expect_lie(lx_v2_report, 24, 0x13, MCAST_ERR_TYPE);	/* DVMRP */
	tl_expect_lie(lx_v2_report, 24, 0x1f, MCAST_ERR_TYPE);	/* mtrace */
	tl_expect_lie(lx_v2_report, 24, 0x00, MCAST_ERR_TYPE);
}

/* A report of a unicast group is not a membership. */
static void
test_M1_non_multicast_group_rejected(void **state)
{
	(void)state;
	tl_expect_lie(lx_v2_report, 28, 10, MCAST_ERR_TYPE);
	tl_expect_lie(lx_v2_leave, 28, 240, MCAST_ERR_TYPE);
	tl_expect_lie(lx_v3_two, 36, 192, MCAST_ERR_TYPE);
	tl_expect_lie(lx_v3_two, 48, 0, MCAST_ERR_TYPE);
}

static void
test_M4_report_from_any_source(void **state)
{
	struct mcast_report	r;
	uint8_t			b[256];
	ssize_t			n;

	(void)state;
	n = tl_build_six("0.0.0.0", b, sizeof(b));
	assert_true(n > 0);
	assert_int_equal(mcast_report_parse(b, (size_t)n, &r), MCAST_OK);
	assert_true(tl_ip_is(&r.src, "0.0.0.0"));
	n = tl_build_six("203.0.113.77", b, sizeof(b));
	assert_int_equal(mcast_report_parse(b, (size_t)n, &r), MCAST_OK);
	assert_true(tl_ip_is(&r.src, "203.0.113.77"));
}

/* The builder writes what the Linux kernel writes, byte for byte. */
static void
test_M1_M2_build_report_equals_linux(void **state)
{
	struct mcast_record	rec[2];
	struct amt_ip		src;
	uint8_t			got[128], s1[4], s2[4];
	ssize_t			n;

	(void)state;
	tl_ip(&src, "10.8.8.1");
	tl_ip(&rec[0].group, "232.1.1.1");
	inet_pton(AF_INET, "10.10.0.2", s2);
	inet_pton(AF_INET, "10.10.0.1", s1);
	rec[0].type = MCAST_ALLOW_NEW_SOURCES;
	rec[0].nsrc = 1;
	rec[0].srcs = s1;
	n = mcast_build_report(&src, rec, 1, got, sizeof(got));
	tl_expect_hex(got, n, oldgw_allow);
	rec[0].srcs = s2;
	rec[1] = rec[0];
	rec[1].type = MCAST_BLOCK_OLD_SOURCES;
	rec[1].srcs = s1;
	n = mcast_build_report(&src, rec, 2, got, sizeof(got));
	tl_expect_hex(got, n, lx_v3_two);
}

static void
test_M1_M2_build_v2report_equals_linux(void **state)
{
	struct amt_ip	src, group;
	uint8_t		got[64];
	ssize_t		n;

	(void)state;
	tl_ip(&src, "10.8.8.1");
	tl_ip(&group, "239.1.2.3");
	n = mcast_build_v1report(&src, &group, false, got, sizeof(got));
	tl_expect_hex(got, n, lx_v2_report);
	n = mcast_build_v1report(&src, &group, true, got, sizeof(got));
	tl_expect_hex(got, n, lx_v2_leave);
	tl_ip(&group, "10.1.2.3");
	assert_int_equal(mcast_build_v1report(&src, &group, false, got,
	    sizeof(got)), MCAST_ERR_TYPE);
}

static void
test_M1_build_nospace(void **state)
{
	struct mcast_query_params	p;
	struct amt_ip			src, group;
	uint8_t				b[256];
	size_t				cap;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.src.family = AF_INET;
	tl_ip(&src, "10.8.8.1");
	tl_ip(&group, "239.1.2.3");
	for (cap = 0; cap < MCAST_QUERY_V4_LEN; cap++)
		assert_int_equal(mcast_build_query(&p, b, cap),
		    MCAST_ERR_NOSPACE);
	for (cap = 0; cap < 32; cap++)
		assert_int_equal(mcast_build_v1report(&src, &group, true, b,
		    cap), MCAST_ERR_NOSPACE);
	for (cap = 0; cap < 24 + 8 + 6 * 8 + 15 * 4; cap++)
		assert_int_equal(tl_build_six("10.8.8.1", b, cap),
		    MCAST_ERR_NOSPACE);
}

/* W5 M3: the relay's IPv4 General Query, byte for byte. */
static void
test_W5_M3_query_golden_36_bytes(void **state)
{
	struct mcast_query_params	p;
	uint8_t				got[64];
	ssize_t				n;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.src.family = AF_INET;
	n = mcast_build_query(&p, got, sizeof(got));
	assert_int_equal(n, MCAST_QUERY_V4_LEN);
	assert_int_equal(n, 36);		/* AMT Query of 48 */
	tl_expect_hex(got, n, golden_query_any);
	tl_ip(&p.src, "10.20.0.1");
	p.qrv = 2;
	p.qqi = 125;
	p.max_resp_ms = 100;
	n = mcast_build_query(&p, got, sizeof(got));
	tl_expect_hex(got, n, golden_query_relay);
}

/* M3: TTL 1, TOS 0xc0, Router Alert, no DF, QRV 2, QQIC 125, MRC 1. */
static void
test_M3_query_fields(void **state)
{
	struct mcast_query_params	p;
	struct mcast_query		q;
	uint8_t				b[64];
	ssize_t				n;

	(void)state;
	memset(&p, 0, sizeof(p));
	tl_ip(&p.src, "10.20.0.1");
	n = mcast_build_query(&p, b, sizeof(b));
	assert_int_equal(b[0], 0x46);
	assert_int_equal(b[1], 0xc0);
	assert_int_equal(b[6] & 0x40, 0);
	assert_int_equal(b[8], 1);
	assert_int_equal(b[9], 2);
	assert_int_equal(b[20], 0x94);
	assert_int_equal(b[21], 0x04);
	assert_int_equal(b[24], 0x11);
	assert_int_equal(b[25], 1);		/* Max Resp Code 1 */
	assert_int_equal(b[32], 2);		/* S = 0, QRV 2 */
	assert_int_equal(b[33], 125);
	assert_int_equal(mcast_query_parse(b, (size_t)n, &q), MCAST_OK);
	assert_int_equal(q.family, AF_INET);
	assert_int_equal(q.version, 3);
	assert_true(tl_ip_is(&q.src, "10.20.0.1"));
	assert_true(tl_ip_is(&q.group, "0.0.0.0"));
	assert_int_equal(q.max_resp_ms, 100);
	assert_false(q.s_flag);
	assert_int_equal(q.qrv, 2);
	assert_int_equal(q.qqi, 125);
	assert_int_equal(q.nsrc, 0);
}

/* M3: QRV is never 0; above 7 it is 7 (RFC 3376 4.1.6). */
static void
test_M3_qrv_never_zero(void **state)
{
	struct mcast_query_params	p;
	struct mcast_query		q;
	uint8_t				b[64];
	ssize_t				n;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.src.family = AF_INET;
	p.qrv = 0;
	n = mcast_build_query(&p, b, sizeof(b));
	assert_int_equal(mcast_query_parse(b, (size_t)n, &q), MCAST_OK);
	assert_int_equal(q.qrv, 2);
	p.qrv = 9;
	n = mcast_build_query(&p, b, sizeof(b));
	assert_int_equal(mcast_query_parse(b, (size_t)n, &q), MCAST_OK);
	assert_int_equal(q.qrv, 7);
	p.qrv = 5;
	n = mcast_build_query(&p, b, sizeof(b));
	assert_int_equal(mcast_query_parse(b, (size_t)n, &q), MCAST_OK);
	assert_int_equal(q.qrv, 5);
}

/* M3: QQIC in exponential form from 128 s (RFC 3376 4.1.7). */
static void
test_M3_query_qqic_exponential(void **state)
{
	static const struct { unsigned qqi, code, back; } v[] = {
		{ 127, 0x7f, 127 }, { 128, 0x80, 128 }, { 130, 0x80, 128 },
		{ 136, 0x81, 136 }, { 144, 0x82, 144 }, { 248, 0x8f, 248 },
		{ 256, 0x90, 256 }, { 3600, 0xcc, 3584 },
		{ 31744, 0xff, 31744 }, { 40000, 0xff, 31744 },
	};
	struct mcast_query_params	p;
	struct mcast_query		q;
	uint8_t				b[64];
	ssize_t				n;
	size_t				i;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.src.family = AF_INET;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		p.qqi = v[i].qqi;
		n = mcast_build_query(&p, b, sizeof(b));
		assert_int_equal(b[33], v[i].code);
		assert_int_equal(mcast_query_parse(b, (size_t)n, &q),
		    MCAST_OK);
		assert_int_equal(q.qqi, v[i].back);
	}
	p.qqi = 125;
	p.max_resp_ms = 25600;			/* 256 tenths */
	n = mcast_build_query(&p, b, sizeof(b));
	assert_int_equal(b[25], 0x90);
	assert_int_equal(mcast_query_parse(b, (size_t)n, &q), MCAST_OK);
	assert_int_equal(q.max_resp_ms, 25600);
}

/* RFC 3376 4.1.1 / 4.1.7: every code decodes and encodes back. */
static void
test_M3_code8_round_trip_and_bounds(void **state)
{
	unsigned	c, v;

	(void)state;
	for (c = 0; c < 256; c++)
		assert_int_equal(mcast_code8_encode(mcast_code8_decode(
		    (uint8_t)c)), c);
	for (v = 0; v < 40000; v++) {
		c = mcast_code8_encode(v);
		/* Largest code whose value is not above v. */
		assert_true(mcast_code8_decode((uint8_t)c) <= v);
		if (c < 0xff)
			assert_true(mcast_code8_decode((uint8_t)(c + 1)) > v);
	}
	assert_int_equal(mcast_code8_decode(0x80), 128);
	assert_int_equal(mcast_code8_decode(0xff), 31744);
	assert_int_equal(mcast_code8_encode(31743), 0xfe);
	assert_int_equal(mcast_code8_encode(~0U), 0xff);
}

/* Queries as other relays send them: v3 without Router Alert too. */
static void
test_M1_parse_old_relay_queries(void **state)
{
	struct mcast_query	q;
	uint8_t			b[64];
	size_t			n;

	(void)state;
	n = tl_unhex(oldrelay_query, b, sizeof(b));
	assert_int_equal(mcast_query_parse(b, n, &q), MCAST_OK);
	assert_int_equal(q.version, 3);
	assert_int_equal(q.max_resp_ms, 1600);
	assert_int_equal(q.qrv, 2);
	assert_int_equal(q.qqi, 20);
	assert_true(tl_ip_is(&q.src, "0.0.0.0"));
	n = tl_unhex(oldrelay_query_ra, b, sizeof(b));
	assert_int_equal(mcast_query_parse(b, n, &q), MCAST_OK);
	assert_int_equal(q.qqi, 20);
}

/*
 * M1 G4: an IGMPv3 General Query with every field a relay in the field
 * leaves at zero: no Router Alert (32 octets), from 0.0.0.0, Max Resp
 * Code 0, S set, QRV 0, QQIC 0.  It parses; the gateway puts the
 * defaults in (gateway/session.c: act_query()).
 */
static void
test_M1_G4_query_zero_fields(void **state)
{
	static const char	zq[] = "45000020000000000102d9db00000000e0000001"
				    "1100e6ff0000000008000000";

	(void)state;
	tl_expect_zero_query(zq, 32, 3, "0.0.0.0", 22);
}

/* RFC 3376 7.1: 8 octets is v2 (MRC 0: v1), 12+ is v3, else ignored. */
static void
test_M1_query_versions_by_length(void **state)
{
	struct mcast_query	q;
	uint8_t			b[64];
	size_t			n, len;

	(void)state;
	n = tl_unhex(golden_query_any, b, sizeof(b));
	b[3] = 32;				/* 8-octet IGMP */
	tl_fix(b, 32);
	assert_int_equal(mcast_query_parse(b, 32, &q), MCAST_OK);
	assert_int_equal(q.version, 2);
	assert_int_equal(q.max_resp_ms, 100);
	b[25] = 0;				/* IGMPv1 query */
	tl_fix(b, 32);
	assert_int_equal(mcast_query_parse(b, 32, &q), MCAST_OK);
	assert_int_equal(q.max_resp_ms, 10000);
	for (len = 33; len < n; len++) {
		n = tl_unhex(golden_query_any, b, sizeof(b));
		b[3] = (uint8_t)len;
		tl_fix(b, len);
		assert_int_not_equal(mcast_query_parse(b, len, &q), MCAST_OK);
	}
}

static void
test_M1_query_checks(void **state)
{
	struct mcast_query	q;
	uint8_t			b[64];
	size_t			n, k;

	(void)state;
	n = tl_unhex(golden_query_relay, b, sizeof(b));
	for (k = 0; k < n; k++)
		assert_int_not_equal(mcast_query_parse(b, k, &q), MCAST_OK);
	/* One source, none there; a unicast group; a group-specific query. */
	assert_int_equal(tl_query_lie(golden_query_relay, 35, 1, &q),
	    MCAST_ERR_COUNT);
	assert_int_equal(tl_query_lie(golden_query_relay, 28, 10, &q),
	    MCAST_ERR_TYPE);
	assert_int_equal(tl_query_lie(golden_query_relay, 28, 239, &q),
	    MCAST_OK);
	assert_int_equal(q.group.u.b[0], 239);
	b[26] ^= 1;
	assert_int_equal(mcast_query_parse(b, n, &q), MCAST_ERR_CSUM);
	b[26] ^= 1;
	b[10] ^= 1;
	assert_int_equal(mcast_query_parse(b, n, &q), MCAST_ERR_IPCSUM);
	n = tl_unhex(oldgw_allow, b, sizeof(b));
	assert_int_equal(mcast_query_parse(b, n, &q), MCAST_ERR_TYPE);
	assert_int_equal(mcast_query_parse(NULL, 0, &q), MCAST_ERR_SHORT);
}

static void
test_M1_strerror(void **state)
{
	int	e;

	(void)state;
	for (e = MCAST_ERR_NOSPACE; e <= MCAST_OK; e++)
		assert_string_not_equal(mcast_strerror(e), "unknown error");
	assert_string_equal(mcast_strerror(-100), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_Q3_M1_oldgw_kernel_report),
		cmocka_unit_test(test_W7_igmp_in_ipv6_tunnel_capture),
		cmocka_unit_test(test_M4_vlc_report_zero_options_source_any),
		cmocka_unit_test(test_M1_linux_v2_report_is_asm_join),
		cmocka_unit_test(test_M1_linux_v2_leave_is_asm_leave),
		cmocka_unit_test(test_M1_v1_report_is_asm_join),
		cmocka_unit_test(test_M1_linux_v3_records),
		cmocka_unit_test(test_M1_all_six_record_types_round_trip),
		cmocka_unit_test(test_M1_unknown_record_type_skipped),
		cmocka_unit_test(test_M1_aux_data_skipped),
		cmocka_unit_test(test_R6c_lying_counts_rejected),
		cmocka_unit_test(test_R6c_every_truncation_rejected),
		cmocka_unit_test(test_R6d_every_bit_flip_rejected),
		cmocka_unit_test(test_M2_R6d_bad_ip_header_checksum),
		cmocka_unit_test(test_M2_R6d_bad_igmp_checksum),
		cmocka_unit_test(test_R6b_ip_header_rules),
		cmocka_unit_test(test_R6b_nop_and_eol_options),
		cmocka_unit_test(test_M1_trailing_bytes_ignored),
		cmocka_unit_test(test_R6a_not_a_report_rejected),
		cmocka_unit_test(test_M1_non_multicast_group_rejected),
		cmocka_unit_test(test_M4_report_from_any_source),
		cmocka_unit_test(test_M1_M2_build_report_equals_linux),
		cmocka_unit_test(test_M1_M2_build_v2report_equals_linux),
		cmocka_unit_test(test_M1_build_nospace),
		cmocka_unit_test(test_W5_M3_query_golden_36_bytes),
		cmocka_unit_test(test_M3_query_fields),
		cmocka_unit_test(test_M3_qrv_never_zero),
		cmocka_unit_test(test_M3_query_qqic_exponential),
		cmocka_unit_test(test_M3_code8_round_trip_and_bounds),
		cmocka_unit_test(test_M1_parse_old_relay_queries),
		cmocka_unit_test(test_M1_query_versions_by_length),
		cmocka_unit_test(test_M1_query_checks),
		cmocka_unit_test(test_M1_G4_query_zero_fields),
		cmocka_unit_test(test_M1_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
