/*
 * Internet checksum (RFC 1071), pseudo-header sums and cksum_finish_l4.
 * Expected values come from RFC 1071's worked example and from datagrams
 * built by another implementation (scapy), not from this code.
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

#include "amt/cksum.h"
#include "testlib.h"

/* scapy: IPv4 UDP 192.0.2.1:5001 -> 232.1.1.1:5002 "hello multicast!!" */
static const char udp4_hex[] =
    "4500002d123400004011bd88c0000201e80101011389138a0019afd068656c6c"
    "6f206d756c7469636173742121";
/* scapy: IPv6 UDP 2001:db8::1 -> ff3e::8000:1 "hello multicast6" */
static const char udp6_hex[] =
    "600000000018114020010db8000000000000000000000001ff3e000000000000"
    "00000000800000011389138a0018cec768656c6c6f206d756c74696361737436";
/* scapy: the same with a Hop-by-Hop header and an odd payload "odd" */
static const char udp6hbh_hex[] =
    "600000000013004020010db8000000000000000000000001ff3e000000000000"
    "000000008000000111000104000000001389138a000b58666f6464";
/* scapy: IPv4 TCP 192.0.2.1:1234 -> 192.0.2.2:80 PA "GET /\r\n" */
static const char tcp4_hex[] =
    "4500002f000100004006f6c4c0000201c000020204d200500000000100000002"
    "50180200502a0000474554202f0d0a";
/* scapy: IPv4 ICMP echo "ping" */
static const char icmp4_hex[] =
    "45000020000100004001f6d8c0000201c0000202080019270007000170696e67";
/* Linux 6.18: MLDv2 report (TO_IN {} ff05::1:3) from a tun */
static const char mld_hex[] =
    "6000000000240001fe80000000000000e7dbfab9fd815672ff02000000000000"
    "0000000000000016" "3a00050200000100" "8f003a7a0000000103000000ff05"
    "0000000000000000000000010003";

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* RFC 1071 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum 220d. */
static void
test_M2_rfc1071_example(void **state)
{
	static const uint8_t	b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5,
	    0xf6, 0xf7 };
	uint16_t		c;

	(void)state;
	c = cksum(b, sizeof(b));
	assert_int_equal(ntohs(c), 0x220d);
	assert_int_equal(cksum_fold(cksum_add(0, b, sizeof(b))), c);
}

/* An odd length is padded with a zero byte (RFC 1071 4.1). */
static void
test_M2_odd_length(void **state)
{
	static const uint8_t	a[] = { 0x12, 0x34, 0x56 };
	static const uint8_t	b[] = { 0x12, 0x34, 0x56, 0x00 };

	(void)state;
	assert_int_equal(cksum(a, sizeof(a)), cksum(b, sizeof(b)));
	assert_int_equal(ntohs(cksum(a, sizeof(a))), (uint16_t)~0x6834);
}

/* Sums may be split anywhere on an even boundary. */
static void
test_M2_incremental_equals_whole(void **state)
{
	uint8_t		b[64];
	uint32_t	s;
	size_t		n, i;

	(void)state;
	n = tl_unhex(udp4_hex, b, sizeof(b));
	for (i = 0; i <= n; i += 2) {
		s = cksum_add(cksum_add(0, b, i), b + i, n - i);
		assert_int_equal(cksum_fold(s), cksum(b, n));
	}
}

/* A large buffer of 0xff bytes must not overflow the running sum. */
static void
test_M2_large_buffer(void **state)
{
	const size_t	len = 70000;
	uint8_t		*big;

	(void)state;
	big = test_malloc(len);
	memset(big, 0xff, len);
	assert_int_equal(cksum(big, len), 0);
	assert_true(cksum_ok(big, len));
	big[0] = 0xfe;
	assert_int_equal(ntohs(cksum(big, len)), 0x0100);
	test_free(big);
}

/* RFC 1071 4.1 written out word by word, the reference for cksum_add. */
static uint16_t
ref_cksum(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i += 2) {
		sum += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* Every length and start alignment, random bytes and all-ones bytes. */
static void
test_M2_every_length_and_alignment(void **state)
{
	uint8_t		b[300];
	uint32_t	x = 0x9e3779b9;
	size_t		off, len, i;

	(void)state;
	for (i = 0; i < sizeof(b); i++) {
		x = x * 1103515245 + 12345;
		b[i] = (uint8_t)(x >> 16);
	}
	for (off = 0; off < 8; off++)
		for (len = 0; len + off <= sizeof(b); len++)
			assert_int_equal(cksum(b + off, len),
			    ref_cksum(0, b + off, len));
	memset(b, 0xff, sizeof(b));
	for (len = 0; len <= sizeof(b); len++)
		assert_int_equal(cksum(b, len), ref_cksum(0, b, len));
}

/* A running sum of any size carries into the result. */
static void
test_M2_running_sum_carries(void **state)
{
	static const uint8_t	b[] = { 0xff, 0xff, 0x80, 0x01, 0x7f };

	(void)state;
	assert_int_equal(cksum_fold(cksum_add(0xffffffffU, b, sizeof(b))),
	    ref_cksum(0xffff, b, sizeof(b)));
	assert_int_equal(cksum_fold(cksum_add(0x1fffeU, b, 4)),
	    ref_cksum(0xffff, b, 4));
}

static void
test_M2_ipv4_header_ok(void **state)
{
	uint8_t	b[64];

	(void)state;
	tl_unhex(udp4_hex, b, sizeof(b));
	assert_true(cksum_ok(b, 20));
	b[8] ^= 0x01;
	assert_false(cksum_ok(b, 20));
}

static void
setip(struct amt_ip *ip, int family, const uint8_t *b)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	memcpy(ip->u.b, b, family == AF_INET6 ? 16 : 4);
}

/*
 * The upper-layer message at l4 of a datagram (addresses at saddr, 4 or
 * 16 octets) sums to 0 with its pseudo-header; with its checksum field at
 * coff cleared, the sum is the one the datagram carries.
 */
static void
expect_pseudo(const char *hex, int family, size_t saddr, uint8_t proto,
    size_t l4, size_t coff, uint16_t want)
{
	struct amt_ip	src, dst;
	uint8_t		b[128];
	size_t		n, alen = family == AF_INET6 ? 16 : 4;

	n = tl_unhex(hex, b, sizeof(b));
	setip(&src, family, b + saddr);
	setip(&dst, family, b + saddr + alen);
	assert_int_equal(cksum_l4(&src, &dst, proto, b + l4, n - l4), 0);
	b[coff] = b[coff + 1] = 0;
	assert_int_equal(ntohs(cksum_l4(&src, &dst, proto, b + l4, n - l4)),
	    want);
}

static void
test_M2_pseudo_udp4(void **state)
{
	(void)state;
	expect_pseudo(udp4_hex, AF_INET, 12, 17, 20, 26, 0xafd0);
}

static void
test_M2_pseudo_icmpv6_mld(void **state)
{
	(void)state;
	expect_pseudo(mld_hex, AF_INET6, 8, 58, 48, 50, 0x3a7a);
}

/* Spoil the checksum at off, finish, expect the original value back. */
static void
finish_and_compare(const char *hex, size_t off)
{
	uint8_t		b[128];
	uint16_t	want;
	size_t		n;

	n = tl_unhex(hex, b, sizeof(b));
	want = get16(b + off);
	b[off] = 0x5a;
	b[off + 1] = 0xa5;
	assert_int_equal(cksum_finish_l4(b, n), 0);
	assert_int_equal(get16(b + off), want);
}

static void
test_M2_finish_udp4(void **state)
{
	(void)state;
	finish_and_compare(udp4_hex, 26);
}

static void
test_M2_finish_udp6(void **state)
{
	(void)state;
	finish_and_compare(udp6_hex, 46);
}

static void
test_M2_finish_udp6_hop_by_hop(void **state)
{
	(void)state;
	finish_and_compare(udp6hbh_hex, 54);
}

static void
test_M2_finish_tcp4(void **state)
{
	(void)state;
	finish_and_compare(tcp4_hex, 36);
}

static void
test_M2_finish_icmp4(void **state)
{
	(void)state;
	finish_and_compare(icmp4_hex, 22);
}

static void
test_M2_finish_icmpv6(void **state)
{
	(void)state;
	finish_and_compare(mld_hex, 50);
}

/* RFC 768: a UDP checksum that computes to zero is sent as 0xffff. */
static void
test_M2_finish_udp_zero_is_ffff(void **state)
{
	uint8_t		b[64];
	size_t		n;

	(void)state;
	n = tl_unhex(udp4_hex, b, sizeof(b));
	/*
	 * Make a payload word (at an even offset of the UDP header: the
	 * payload is 17 bytes) cancel the rest of the sum.
	 */
	b[n - 3] = b[n - 2] = 0;
	assert_int_equal(cksum_finish_l4(b, n), 0);
	memcpy(b + n - 3, b + 26, 2);
	assert_int_equal(cksum_finish_l4(b, n), 0);
	assert_int_equal(get16(b + 26), 0xffff);
}

static void
test_M2_finish_refuses(void **state)
{
	uint8_t	b[128];
	size_t	n;

	(void)state;
	n = tl_unhex(udp4_hex, b, sizeof(b));
	assert_int_equal(cksum_finish_l4(b, n - 1), -1);	/* short */
	assert_int_equal(cksum_finish_l4(b, 10), -1);
	assert_int_equal(cksum_finish_l4(NULL, 0), -1);
	b[6] = 0x20;					/* MF */
	assert_int_equal(cksum_finish_l4(b, n), -1);
	b[6] = 0x00;
	b[7] = 0x10;					/* offset */
	assert_int_equal(cksum_finish_l4(b, n), -1);
	b[7] = 0x00;
	b[9] = 47;					/* GRE */
	assert_int_equal(cksum_finish_l4(b, n), -1);
	b[0] = 0x55;
	assert_int_equal(cksum_finish_l4(b, n), -1);
	n = tl_unhex(udp6_hex, b, sizeof(b));
	b[6] = 44;					/* fragment */
	assert_int_equal(cksum_finish_l4(b, n), -1);
	b[6] = 43;					/* routing */
	assert_int_equal(cksum_finish_l4(b, n), -1);
	n = tl_unhex(udp6hbh_hex, b, sizeof(b));
	b[41] = 9;				/* hop-by-hop longer than all */
	assert_int_equal(cksum_finish_l4(b, n), -1);
}

/* Trailing bytes after the datagram are neither summed nor touched. */
static void
test_M2_finish_ignores_trailer(void **state)
{
	uint8_t		b[128];
	size_t		n;

	(void)state;
	n = tl_unhex(udp4_hex, b, sizeof(b));
	memset(b + n, 0xee, 8);
	b[26] = b[27] = 0;
	assert_int_equal(cksum_finish_l4(b, n + 8), 0);
	assert_int_equal(get16(b + 26), 0xafd0);
	assert_int_equal(b[n], 0xee);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_M2_rfc1071_example),
		cmocka_unit_test(test_M2_odd_length),
		cmocka_unit_test(test_M2_incremental_equals_whole),
		cmocka_unit_test(test_M2_large_buffer),
		cmocka_unit_test(test_M2_every_length_and_alignment),
		cmocka_unit_test(test_M2_running_sum_carries),
		cmocka_unit_test(test_M2_ipv4_header_ok),
		cmocka_unit_test(test_M2_pseudo_udp4),
		cmocka_unit_test(test_M2_pseudo_icmpv6_mld),
		cmocka_unit_test(test_M2_finish_udp4),
		cmocka_unit_test(test_M2_finish_udp6),
		cmocka_unit_test(test_M2_finish_udp6_hop_by_hop),
		cmocka_unit_test(test_M2_finish_tcp4),
		cmocka_unit_test(test_M2_finish_icmp4),
		cmocka_unit_test(test_M2_finish_icmpv6),
		cmocka_unit_test(test_M2_finish_udp_zero_is_ffff),
		cmocka_unit_test(test_M2_finish_refuses),
		cmocka_unit_test(test_M2_finish_ignores_trailer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
