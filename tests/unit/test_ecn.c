/*
 * Unit tests for gateway/ecn.c: the egress of RFC 6040 4.2 (Figure 4)
 * that RFC 9601 6.1.4 asks of an AMT gateway, cell by cell, on IPv4 and
 * IPv6 inner headers, and the IPv4 header checksum update of RFC 1624.
 * Test names carry the IDs of doc/conformance.md.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gateway.h"

/* RFC 6040 Figure 4: [inner][outer], ECN_DROP for <drop>. */
static const uint8_t figure4[4][4] = {
	/* outer:	Not-ECT		ECT(1)		ECT(0)		CE */
	[ECN_NOT_ECT] = { ECN_NOT_ECT,	ECN_NOT_ECT,	ECN_NOT_ECT,	ECN_DROP },
	[ECN_ECT1] = {	ECN_ECT1,	ECN_ECT1,	ECN_ECT1,	ECN_CE },
	[ECN_ECT0] = {	ECN_ECT0,	ECN_ECT1,	ECN_ECT0,	ECN_CE },
	[ECN_CE] = {	ECN_CE,		ECN_CE,		ECN_CE,		ECN_CE },
};

/* The (!!!) cells of Figure 4. */
static const bool alarm4[4][4] = {
	[ECN_NOT_ECT] = { false, true, true, true },
	[ECN_ECT1] = { false, false, false, false },
	[ECN_ECT0] = { false, false, false, false },
	[ECN_CE] = { false, true, false, false },
};

/* The one's complement sum of a header, folded (0xffff: valid). */
static uint16_t
sum16(const uint8_t *p, size_t len)
{
	uint32_t	sum = 0;
	size_t		i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((uint16_t)sum);
}

/* A UDP packet to 232.1.1.1 with TOS tos and a valid header checksum. */
static void
ip4_packet(uint8_t *p, uint8_t tos, uint16_t id)
{
	uint16_t	c;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[1] = tos;
	p[3] = 28;
	p[4] = id >> 8;
	p[5] = id & 0xff;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, "\x0a\x01\x00\x01\xe8\x01\x01\x01", 8);
	c = (uint16_t)~sum16(p, 20);
	p[10] = c >> 8;
	p[11] = c & 0xff;
}

/* A UDP packet to ff3e::8000:1, Traffic Class tc, flow label 0xabcde. */
static void
ip6_packet(uint8_t *p, uint8_t tc)
{
	memset(p, 0, 48);
	p[0] = 0x60 | tc >> 4;
	p[1] = (uint8_t)(tc << 4) | 0x0a;
	p[2] = 0xbc;
	p[3] = 0xde;
	p[5] = 8;
	p[6] = 17;
	p[7] = 64;
	p[8] = 0xfd;
	p[23] = 1;
	p[24] = 0xff;
	p[25] = 0x3e;
	p[36] = 0x80;
	p[39] = 1;
}

static void
test_R15_figure4_every_cell(void **state)
{
	uint8_t	i, o;

	for (i = 0; i < 4; i++)
		for (o = 0; o < 4; o++) {
			assert_int_equal(ecn_egress(i, o), figure4[i][o]);
			assert_int_equal(ecn_egress_alarm(i, o), alarm4[i][o]);
		}
	/* Only the ECN bits count: DSCP bits around them are ignored. */
	assert_int_equal(ecn_egress(0xb8 | ECN_ECT0, 0xfc | ECN_CE), ECN_CE);
	assert_int_equal(ecn_egress(0xb8, 0x20 | ECN_CE), ECN_DROP);
}

/* RFC 1624: the incremental update equals a full recomputation. */
static void
test_R15_ipv4_checksum_rfc1624(void **state)
{
	uint8_t		p[28];
	uint16_t	id, old, nw, c;
	unsigned	tos, ntos;

	for (id = 0; id < 4000; id += 97)
		for (tos = 0; tos < 256; tos += 5)
			for (ntos = 0; ntos < 4; ntos++) {
				ip4_packet(p, (uint8_t)tos, id);
				c = (uint16_t)(p[10] << 8 | p[11]);
				old = (uint16_t)(p[0] << 8 | p[1]);
				nw = (uint16_t)((old & ~3) | ntos);
				c = ecn_csum_update(c, old, nw);
				p[1] = nw & 0xff;
				p[10] = c >> 8;
				p[11] = c & 0xff;
				assert_int_equal(sum16(p, 20), 0xffff);
			}
	/* RFC 1624 section 3's example: never -0 from a 0xffff sum. */
	assert_int_equal(ecn_csum_update(0xdd2f, 0x5555, 0x3285), 0x0000);
}

static void
test_R15_ipv4_decap_every_cell(void **state)
{
	struct gw_stats	st;
	uint8_t		p[28];
	uint8_t		i, o, want;
	int		rc;

	for (i = 0; i < 4; i++)
		for (o = 0; o < 4; o++) {
			memset(&st, 0, sizeof(st));
			ip4_packet(p, 0xb8 | i, 0x1234);
			rc = ecn_decap(p, sizeof(p), 0x20 | o, &st);
			want = figure4[i][o];
			assert_int_equal(st.ecn_alarms, alarm4[i][o]);
			if (want == ECN_DROP) {
				assert_int_equal(rc, -1);
				assert_int_equal(st.ecn_ce_drops, 1);
				continue;
			}
			assert_int_equal(rc, 0);
			assert_int_equal(st.ecn_ce_drops, 0);
			assert_int_equal(p[1], 0xb8 | want);
			assert_int_equal(sum16(p, 20), 0xffff);
			assert_int_equal(st.ecn_ce_marked,
			    want == ECN_CE && i != ECN_CE);
		}
}

static void
test_R15_ipv6_decap_every_cell(void **state)
{
	struct gw_stats	st;
	uint8_t		p[48], orig[48];
	uint8_t		i, o, want, tc;
	int		rc;

	for (i = 0; i < 4; i++)
		for (o = 0; o < 4; o++) {
			memset(&st, 0, sizeof(st));
			ip6_packet(p, 0xb8 | i);
			memcpy(orig, p, sizeof(p));
			rc = ecn_decap(p, sizeof(p), o, &st);
			want = figure4[i][o];
			if (want == ECN_DROP) {
				assert_int_equal(rc, -1);
				assert_int_equal(st.ecn_ce_drops, 1);
				continue;
			}
			assert_int_equal(rc, 0);
			tc = (uint8_t)((p[0] & 0x0f) << 4 | p[1] >> 4);
			assert_int_equal(tc, 0xb8 | want);
			/* Version, flow label and the rest untouched. */
			assert_int_equal(p[0] >> 4, 6);
			assert_int_equal(p[1] & 0x0f, 0x0a);
			assert_memory_equal(p + 2, orig + 2, sizeof(p) - 2);
			assert_int_equal(st.ecn_ce_marked,
			    want == ECN_CE && i != ECN_CE);
		}
}

/* Not IPv4 or IPv6, or too short for a header: left alone. */
static void
test_R15_decap_other_untouched(void **state)
{
	struct gw_stats	st;
	uint8_t		p[28];

	memset(&st, 0, sizeof(st));
	memset(p, 0, sizeof(p));
	p[0] = 0x50;
	assert_int_equal(ecn_decap(p, sizeof(p), ECN_CE, &st), 0);
	ip4_packet(p, ECN_NOT_ECT, 1);
	assert_int_equal(ecn_decap(p, 10, ECN_CE, &st), 0);
	assert_int_equal(st.ecn_ce_drops, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R15_figure4_every_cell),
		cmocka_unit_test(test_R15_ipv4_checksum_rfc1624),
		cmocka_unit_test(test_R15_ipv4_decap_every_cell),
		cmocka_unit_test(test_R15_ipv6_decap_every_cell),
		cmocka_unit_test(test_R15_decap_other_untouched),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
