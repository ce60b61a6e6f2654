/*
 * Unit tests for the bounded reader and writer (lib/buf.c): values in
 * network order, no read or write past the end, and a failure that
 * sticks so that a sequence of calls can be checked once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "amt/buf.h"

static void
test_rbuf_reads_network_order(void **state)
{
	const uint8_t	in[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
			    0x08, 0x09 };
	struct rbuf	b;
	uint8_t		v8, out[2];
	uint16_t	v16;
	uint32_t	v32;

	rbuf_init(&b, in, sizeof(in));
	assert_int_equal(rbuf_left(&b), 9);
	assert_int_equal(rbuf_get_u8(&b, &v8), 0);
	assert_int_equal(v8, 0x01);
	assert_int_equal(rbuf_get_n16(&b, &v16), 0);
	assert_int_equal(v16, 0x0203);
	assert_int_equal(rbuf_get_n32(&b, &v32), 0);
	assert_int_equal(v32, 0x04050607);
	assert_ptr_equal(rbuf_ptr(&b), in + 7);
	assert_int_equal(rbuf_get_bytes(&b, out, 2), 0);
	assert_int_equal(out[0], 0x08);
	assert_int_equal(out[1], 0x09);
	assert_int_equal(rbuf_left(&b), 0);
	assert_false(b.err);
}

static void
test_rbuf_high_bits(void **state)
{
	const uint8_t	in[] = { 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa };
	struct rbuf	b;
	uint16_t	v16;
	uint32_t	v32;

	rbuf_init(&b, in, sizeof(in));
	assert_int_equal(rbuf_get_n16(&b, &v16), 0);
	assert_int_equal(v16, 0xfffe);
	assert_int_equal(rbuf_get_n32(&b, &v32), 0);
	assert_int_equal(v32, 0xfdfcfbfaU);
}

/* Every read that does not fit fails, at every position. */
static void
test_rbuf_short_reads_fail(void **state)
{
	const uint8_t	in[4] = { 1, 2, 3, 4 };
	struct rbuf	b;
	uint8_t		v8, out[8];
	uint16_t	v16;
	uint32_t	v32;
	size_t		n;

	for (n = 0; n < 4; n++) {
		rbuf_init(&b, in, n);
		assert_int_equal(rbuf_get_n32(&b, &v32), -1);
		assert_true(b.err);
		assert_int_equal(rbuf_left(&b), 0);
	}
	rbuf_init(&b, in, 1);
	assert_int_equal(rbuf_get_n16(&b, &v16), -1);
	rbuf_init(&b, in, 0);
	assert_int_equal(rbuf_get_u8(&b, &v8), -1);
	rbuf_init(&b, in, 4);
	assert_int_equal(rbuf_get_bytes(&b, out, 5), -1);
	rbuf_init(&b, in, 4);
	assert_int_equal(rbuf_skip(&b, 5), -1);
	rbuf_init(&b, in, 4);
	assert_int_equal(rbuf_skip(&b, SIZE_MAX), -1);
}

/* After one failure every later call fails, even one that would fit. */
static void
test_rbuf_error_sticks(void **state)
{
	const uint8_t	in[4] = { 1, 2, 3, 4 };
	struct rbuf	b;
	uint8_t		v8;
	uint32_t	v32;

	rbuf_init(&b, in, 2);
	assert_int_equal(rbuf_get_n32(&b, &v32), -1);
	assert_int_equal(rbuf_get_u8(&b, &v8), -1);
	assert_int_equal(rbuf_skip(&b, 0), -1);
	assert_true(b.err);
}

static void
test_rbuf_null_is_empty(void **state)
{
	struct rbuf	b;
	uint8_t		v8;

	rbuf_init(&b, NULL, 100);
	assert_int_equal(rbuf_left(&b), 0);
	assert_int_equal(rbuf_get_u8(&b, &v8), -1);
}

static void
test_rbuf_sub(void **state)
{
	const uint8_t	in[] = { 1, 2, 3, 4, 5 };
	struct rbuf	b, sub;
	uint8_t		v8;
	uint16_t	v16;
	uint32_t	v32;

	rbuf_init(&b, in, sizeof(in));
	assert_int_equal(rbuf_get_u8(&b, &v8), 0);
	assert_int_equal(rbuf_sub(&b, &sub, 2), 0);
	assert_int_equal(rbuf_left(&sub), 2);
	assert_int_equal(rbuf_get_u8(&sub, &v8), 0);
	assert_int_equal(v8, 2);
	/* The sub-reader ends where its bytes end. */
	assert_int_equal(rbuf_get_n16(&sub, &v16), -1);
	assert_int_equal(rbuf_get_u8(&b, &v8), 0);
	assert_int_equal(v8, 4);
	/* Too long: both fail. */
	assert_int_equal(rbuf_sub(&b, &sub, 5), -1);
	assert_true(sub.err);
	assert_int_equal(rbuf_get_n32(&sub, &v32), -1);
	assert_true(b.err);
}

static void
test_wbuf_writes_network_order(void **state)
{
	const uint8_t	want[] = { 0xab, 0x12, 0x34, 0xde, 0xad, 0xbe,
			    0xef, 0x00, 0x00, 0x00, 'x', 'y' };
	uint8_t		out[16];
	struct wbuf	b;

	memset(out, 0x55, sizeof(out));
	wbuf_init(&b, out, sizeof(out));
	assert_int_equal(wbuf_add_u8(&b, 0xab), 0);
	assert_int_equal(wbuf_add_n16(&b, 0x1234), 0);
	assert_int_equal(wbuf_add_n32(&b, 0xdeadbeefU), 0);
	assert_int_equal(wbuf_add_zero(&b, 3), 0);
	assert_int_equal(wbuf_add_bytes(&b, "xy", 2), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(out[sizeof(want)], 0x55);
	assert_false(b.err);
}

/* A write that does not fit fails and touches nothing past the end. */
static void
test_wbuf_overflow_fails(void **state)
{
	uint8_t		out[8];
	struct wbuf	b;
	size_t		cap;

	for (cap = 0; cap < 4; cap++) {
		memset(out, 0x55, sizeof(out));
		wbuf_init(&b, out, cap);
		assert_int_equal(wbuf_add_n32(&b, 0x01020304), -1);
		assert_true(b.err);
		assert_int_equal(out[cap], 0x55);
		/* sticky */
		assert_int_equal(wbuf_add_zero(&b, 0), -1);
	}
	wbuf_init(&b, out, 1);
	assert_int_equal(wbuf_add_n16(&b, 1), -1);
	wbuf_init(&b, out, 0);
	assert_int_equal(wbuf_add_u8(&b, 1), -1);
	wbuf_init(&b, out, 4);
	assert_int_equal(wbuf_add_bytes(&b, "12345", 5), -1);
	wbuf_init(&b, out, 4);
	assert_int_equal(wbuf_add_zero(&b, SIZE_MAX), -1);
	wbuf_init(&b, NULL, 100);
	assert_int_equal(wbuf_add_u8(&b, 1), -1);
}

static void
test_wbuf_set_n16(void **state)
{
	uint8_t		out[4];
	struct wbuf	b;

	wbuf_init(&b, out, sizeof(out));
	assert_int_equal(wbuf_add_zero(&b, 3), 0);
	assert_int_equal(wbuf_set_n16(&b, 1, 0xbeef), 0);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0xbe);
	assert_int_equal(out[2], 0xef);
	/* Only over bytes already written. */
	assert_int_equal(wbuf_set_n16(&b, 2, 1), -1);
	assert_int_equal(wbuf_set_n16(&b, 3, 1), -1);
	assert_int_equal(wbuf_set_n16(&b, SIZE_MAX, 1), -1);
	assert_int_equal(b.len, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rbuf_reads_network_order),
		cmocka_unit_test(test_rbuf_high_bits),
		cmocka_unit_test(test_rbuf_short_reads_fail),
		cmocka_unit_test(test_rbuf_error_sticks),
		cmocka_unit_test(test_rbuf_null_is_empty),
		cmocka_unit_test(test_rbuf_sub),
		cmocka_unit_test(test_wbuf_writes_network_order),
		cmocka_unit_test(test_wbuf_overflow_fails),
		cmocka_unit_test(test_wbuf_set_n16),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
