/*
 * Response MAC and key ring (R5, RFC 7450 5.3.5, 5.3.6), nonces (G2, G4,
 * W9) and retransmission jitter (G3).  Time is injected: the ring never
 * reads a clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "amt/mac.h"

#define T0		100000
#define ROTATE		600
#define GRACE		250	/* 2 x a query interval of 125 s */

static const uint8_t	gw4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    192, 0, 2, 1 };

static int
setup(void **state)
{
	return mac_lib_init();
}

/*
 * R5: the MAC is the first 48 bits of SipHash-2-4 over address || port ||
 * nonce.  With key 00..0f and an input of bytes 00..15 this is the
 * SipHash reference vector for a 22-byte message (88 3e a3 e3 95 67 53
 * 93), computed outside libsodium.
 */
static void
test_R5_known_answer_siphash_reference(void **state)
{
	uint8_t			key[16], addr[16], mac[AMT_MAC_LEN];
	static const uint8_t	want[AMT_MAC_LEN] = { 0x88, 0x3e, 0xa3, 0xe3,
	    0x95, 0x67 };
	int			i;

	for (i = 0; i < 16; i++)
		key[i] = addr[i] = (uint8_t)i;
	mac_compute(key, addr, 0x1011, 0x12131415, mac);
	assert_memory_equal(mac, want, AMT_MAC_LEN);
}

/* The 22 octets of the MAC input for gw4, port 2268, nonce 0xdeadbeef. */
static void
mac_input_gw4(uint8_t in[22])
{
	memcpy(in, gw4, 16);
	in[16] = 0x08;	/* port 2268 = 0x08dc, network order */
	in[17] = 0xdc;
	in[18] = 0xde;	/* nonce 0xdeadbeef, network order */
	in[19] = 0xad;
	in[20] = 0xbe;
	in[21] = 0xef;
}

/* R5: the same value crypto_shorthash gives over the bytes built here. */
static void
test_R5_known_answer_against_crypto_shorthash(void **state)
{
	uint8_t	key[16], in[22], h[crypto_shorthash_BYTES], mac[AMT_MAC_LEN];

	randombytes_buf(key, sizeof(key));
	mac_input_gw4(in);
	crypto_shorthash(h, in, sizeof(in), key);
	mac_compute(key, gw4, 2268, 0xdeadbeef, mac);
	assert_memory_equal(mac, h, AMT_MAC_LEN);
}

static void
test_R5_verify_current_key(void **state)
{
	struct mac_ring	r;
	uint8_t		mac[AMT_MAC_LEN], raw[AMT_MAC_LEN];

	mac_ring_init(&r, ROTATE, GRACE, T0);
	mac_ring_make(&r, gw4, 2268, 0x01020304, mac);
	mac_compute(r.cur, gw4, 2268, 0x01020304, raw);
	assert_memory_equal(mac, raw, AMT_MAC_LEN);
	assert_true(mac_ring_verify(&r, T0, gw4, 2268, 0x01020304, mac));
	assert_true(mac_ring_verify(&r, T0 + ROTATE - 1, gw4, 2268,
	    0x01020304, mac));
}

/* R5: prev accepted for grace_s after the rotation, never longer. */
static void
test_R5_previous_key_only_inside_grace(void **state)
{
	struct mac_ring	r;
	uint8_t		mac[AMT_MAC_LEN], fresh[AMT_MAC_LEN];
	time_t		t;

	mac_ring_init(&r, ROTATE, GRACE, T0);
	mac_ring_make(&r, gw4, 2268, 7, mac);
	assert_false(mac_ring_tick(&r, T0 + ROTATE - 1));
	assert_true(mac_ring_tick(&r, T0 + ROTATE));
	assert_false(mac_ring_tick(&r, T0 + ROTATE));
	for (t = T0 + ROTATE; t < T0 + ROTATE + GRACE; t++)
		assert_true(mac_ring_verify(&r, t, gw4, 2268, 7, mac));
	for (t = T0 + ROTATE + GRACE; t < T0 + ROTATE + GRACE + 100; t++)
		assert_false(mac_ring_verify(&r, t, gw4, 2268, 7, mac));
	/* a clock before the rotation does not reopen the window */
	assert_false(mac_ring_verify(&r, T0 + ROTATE - 1, gw4, 2268, 7, mac));
	/* a MAC made after the rotation uses the new key */
	mac_ring_make(&r, gw4, 2268, 7, fresh);
	assert_memory_not_equal(mac, fresh, AMT_MAC_LEN);
	assert_true(mac_ring_verify(&r, T0 + ROTATE + GRACE + 100, gw4, 2268,
	    7, fresh));
}

/* R5: after two rotations the first key is gone, even inside grace. */
static void
test_R5_rejected_after_two_rotations(void **state)
{
	struct mac_ring	r;
	uint8_t		mac[AMT_MAC_LEN], mid[AMT_MAC_LEN];

	mac_ring_init(&r, ROTATE, GRACE, T0);
	mac_ring_make(&r, gw4, 2268, 99, mac);
	mac_ring_rotate(&r, T0 + 10);
	mac_ring_make(&r, gw4, 2268, 99, mid);
	assert_true(mac_ring_verify(&r, T0 + 11, gw4, 2268, 99, mac));
	mac_ring_rotate(&r, T0 + 20);
	assert_false(mac_ring_verify(&r, T0 + 21, gw4, 2268, 99, mac));
	assert_true(mac_ring_verify(&r, T0 + 21, gw4, 2268, 99, mid));
}

/* R5 (RFC 7450 5.3.6): the secret changes at least every 2 hours. */
static void
test_R5_rotation_at_most_two_hours(void **state)
{
	struct mac_ring	r;

	mac_ring_init(&r, 100000, GRACE, T0);
	assert_int_equal(r.rotate_s, 7200);
	assert_false(mac_ring_tick(&r, T0 + 7199));
	assert_true(mac_ring_tick(&r, T0 + 7200));
	mac_ring_init(&r, 0, GRACE, T0);
	assert_int_equal(r.rotate_s, 7200);
	assert_false(r.have_prev);
}

static void
test_R5_rotate_makes_new_key(void **state)
{
	struct mac_ring	r;
	uint8_t		old[MAC_KEY_LEN];

	mac_ring_init(&r, ROTATE, GRACE, T0);
	memcpy(old, r.cur, sizeof(old));
	mac_ring_rotate(&r, T0 + 1);
	assert_memory_equal(r.prev, old, sizeof(old));
	assert_memory_not_equal(r.cur, old, sizeof(old));
	assert_true(r.have_prev);
}

/* Flip one bit of buf, check rejection, flip back. */
static void
flip_check(struct mac_ring *r, uint8_t *buf, size_t len, const uint8_t *a,
    const uint16_t *port, const uint32_t *nonce, const uint8_t *mac)
{
	size_t	i;
	int	bit;

	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1 << bit);
			if (mac_ring_verify(r, T0 + ROTATE + 1, a, *port,
			    *nonce, mac))
				fail_msg("accepted with byte %zu bit %d", i,
				    bit);
			buf[i] ^= (uint8_t)(1 << bit);
		}
	}
	assert_true(mac_ring_verify(r, T0 + ROTATE + 1, a, *port, *nonce,
	    mac));
}

/* R5: any single changed bit of address, port or nonce is rejected. */
static void
test_R5_any_changed_input_bit_rejected(void **state)
{
	struct mac_ring	r;
	uint8_t		a[16], mac[AMT_MAC_LEN];
	uint16_t	port = 2268;
	uint32_t	nonce = 0x89abcdef;

	memcpy(a, gw4, 16);
	mac_ring_init(&r, ROTATE, GRACE, T0);
	mac_ring_make(&r, a, port, nonce, mac);
	/* with a previous key in the ring too */
	mac_ring_rotate(&r, T0 + ROTATE);
	mac_ring_make(&r, a, port, nonce, mac);
	flip_check(&r, a, sizeof(a), a, &port, &nonce, mac);
	flip_check(&r, (uint8_t *)&port, sizeof(port), a, &port, &nonce, mac);
	flip_check(&r, (uint8_t *)&nonce, sizeof(nonce), a, &port, &nonce,
	    mac);
}

/* R5: all 48 bits count: a MAC differing in any one bit is rejected. */
static void
test_R5_all_48_bits_checked(void **state)
{
	struct mac_ring	r;
	uint8_t		mac[AMT_MAC_LEN], bad[AMT_MAC_LEN];
	int		i, bit;

	mac_ring_init(&r, ROTATE, GRACE, T0);
	mac_ring_make(&r, gw4, 2268, 1, mac);
	memcpy(bad, mac, sizeof(bad));
	bad[5] ^= 0x01;
	assert_false(mac_ring_verify(&r, T0, gw4, 2268, 1, bad));
	assert_false(mac_equal(mac, bad));
	for (i = 0; i < AMT_MAC_LEN; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, mac, sizeof(bad));
			bad[i] ^= (uint8_t)(1 << bit);
			assert_false(mac_ring_verify(&r, T0, gw4, 2268, 1,
			    bad));
			assert_false(mac_equal(mac, bad));
		}
	}
	assert_true(mac_equal(mac, mac));
}

/* W9: nonces are opaque: the byte order of the MAC input is fixed. */
/*
 * R15, RFC 9601 6.1.4.2: E = 0 is exactly the RFC 7450 MAC (deployed
 * gateways and the vectors above unchanged); E = 1 is the same hash over
 * one more octet, 01.
 */
static void
test_R15_mac_with_e_covers_one_more_octet(void **state)
{
	uint8_t	key[16], in[23], h[crypto_shorthash_BYTES];
	uint8_t	plain[AMT_MAC_LEN], e0[AMT_MAC_LEN], e1[AMT_MAC_LEN];

	randombytes_buf(key, sizeof(key));
	mac_compute(key, gw4, 2268, 0xdeadbeef, plain);
	mac_compute_ecn(key, gw4, 2268, 0xdeadbeef, false, e0);
	mac_compute_ecn(key, gw4, 2268, 0xdeadbeef, true, e1);
	assert_memory_equal(plain, e0, AMT_MAC_LEN);
	assert_memory_not_equal(e0, e1, AMT_MAC_LEN);
	mac_input_gw4(in);
	in[22] = 0x01;
	crypto_shorthash(h, in, sizeof(in), key);
	assert_memory_equal(e1, h, AMT_MAC_LEN);
}

/* R15: the ring says which E a MAC was made for; plain verify is E = 0. */
static void
test_R15_ring_verify_tells_e(void **state)
{
	struct mac_ring	r;
	uint8_t		m0[AMT_MAC_LEN], m1[AMT_MAC_LEN];
	bool		e = true;

	mac_ring_init(&r, ROTATE, GRACE, T0);
	mac_ring_make_ecn(&r, gw4, 2268, 7, false, m0);
	mac_ring_make_ecn(&r, gw4, 2268, 7, true, m1);
	assert_true(mac_ring_verify_ecn(&r, T0, gw4, 2268, 7, m0, &e));
	assert_false(e);
	assert_true(mac_ring_verify_ecn(&r, T0, gw4, 2268, 7, m1, &e));
	assert_true(e);
	assert_true(mac_ring_verify(&r, T0, gw4, 2268, 7, m0));
	assert_false(mac_ring_verify(&r, T0, gw4, 2268, 7, m1));
	/* another nonce, or a MAC with one bit changed: neither E */
	assert_false(mac_ring_verify_ecn(&r, T0, gw4, 2268, 8, m1, &e));
	m1[5] ^= 0x01;
	assert_false(mac_ring_verify_ecn(&r, T0, gw4, 2268, 7, m1, &e));
	m1[5] ^= 0x01;
	/* R5: the previous key within its grace time, E = 1 as well */
	mac_ring_rotate(&r, T0 + 1);
	assert_true(mac_ring_verify_ecn(&r, T0 + GRACE, gw4, 2268, 7, m1,
	    &e));
	assert_true(e);
	assert_false(mac_ring_verify_ecn(&r, T0 + 1 + GRACE, gw4, 2268, 7,
	    m1, &e));
}

static void
test_W9_nonce_and_port_byte_order_matter(void **state)
{
	uint8_t	key[16] = { 1 }, m1[AMT_MAC_LEN], m2[AMT_MAC_LEN];

	mac_compute(key, gw4, 0x0102, 0x01020304, m1);
	mac_compute(key, gw4, 0x0201, 0x04030201, m2);
	assert_memory_not_equal(m1, m2, AMT_MAC_LEN);
}

/* G2, G4: nonces from the CSPRNG are never 0 and do not repeat early. */
static void
test_G2_nonce_never_zero(void **state)
{
	uint32_t	n, prev = 0, ors = 0, ands = UINT32_MAX;
	int		i, repeats = 0;

	for (i = 0; i < 1000000; i++) {
		n = nonce_new();
		assert_int_not_equal(n, 0);
		repeats += n == prev;
		prev = n;
		ors |= n;
		ands &= n;
	}
	assert_true(repeats < 2);
	/* every bit seen both set and clear */
	assert_int_equal(ors, UINT32_MAX);
	assert_int_equal(ands, 0);
}

/* G3: jitter stays in [lo, hi] and reaches both ends. */
static void
test_G3_rand_range_bounds(void **state)
{
	uint32_t	v;
	int		i, seen_lo = 0, seen_hi = 0;

	for (i = 0; i < 10000; i++) {
		v = rand_range(1000, 1003);
		assert_true(v >= 1000 && v <= 1003);
		seen_lo |= v == 1000;
		seen_hi |= v == 1003;
	}
	assert_true(seen_lo && seen_hi);
	assert_int_equal(rand_range(5, 5), 5);
	assert_int_equal(rand_range(9, 3), 9);
	(void)rand_range(0, UINT32_MAX);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_R5_known_answer_siphash_reference),
		cmocka_unit_test(test_R5_known_answer_against_crypto_shorthash),
		cmocka_unit_test(test_R5_verify_current_key),
		cmocka_unit_test(test_R5_previous_key_only_inside_grace),
		cmocka_unit_test(test_R5_rejected_after_two_rotations),
		cmocka_unit_test(test_R5_rotation_at_most_two_hours),
		cmocka_unit_test(test_R5_rotate_makes_new_key),
		cmocka_unit_test(test_R5_any_changed_input_bit_rejected),
		cmocka_unit_test(test_R5_all_48_bits_checked),
		cmocka_unit_test(test_R15_mac_with_e_covers_one_more_octet),
		cmocka_unit_test(test_R15_ring_verify_tells_e),
		cmocka_unit_test(test_W9_nonce_and_port_byte_order_matter),
		cmocka_unit_test(test_G2_nonce_never_zero),
		cmocka_unit_test(test_G3_rand_range_bounds),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
