/*
 * Address helpers: canonical 16-byte form (RFC 7450 5.1.4.5, R5, W4),
 * printing, parsing, the ip_* helpers, tunnel keys (R7).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "amt/addr.h"

static void
sa4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
}

static void
sa6(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
}

#define SA(ss)	((struct sockaddr *)(ss))

/* R5, W4: IPv4 becomes ::a.b.c.d (96 zero bits), port in host order. */
static void
test_R5_W4_canon_ipv4_is_ipv4_compatible(void **state)
{
	struct sockaddr_storage	ss;
	uint8_t			c[16];
	uint16_t		port;
	static const uint8_t	want[16] = { 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 192, 0, 2, 1 };

	sa4(&ss, "192.0.2.1", 2268);
	assert_int_equal(addr_canon(SA(&ss), c, &port), 0);
	assert_memory_equal(c, want, 16);
	assert_int_equal(port, 2268);
}

static void
test_R5_canon_ipv6_as_is(void **state)
{
	struct sockaddr_storage	ss;
	struct in6_addr		a;
	uint8_t			c[16];
	uint16_t		port;

	sa6(&ss, "2001:db8::1", 40000);
	inet_pton(AF_INET6, "2001:db8::1", &a);
	assert_int_equal(addr_canon(SA(&ss), c, &port), 0);
	assert_memory_equal(c, &a, 16);
	assert_int_equal(port, 40000);
}

/* An IPv4-mapped source (dual-stack socket) gets the IPv4 form too. */
static void
test_R5_canon_v4mapped_same_as_ipv4(void **state)
{
	struct sockaddr_storage	s4, s6;
	uint8_t			c4[16], c6[16];
	uint16_t		p4, p6;

	sa4(&s4, "198.51.100.7", 1234);
	sa6(&s6, "::ffff:198.51.100.7", 1234);
	assert_int_equal(addr_canon(SA(&s4), c4, &p4), 0);
	assert_int_equal(addr_canon(SA(&s6), c6, &p6), 0);
	assert_memory_equal(c4, c6, 16);
	assert_int_equal(p4, p6);
}

static void
test_canon_unknown_family_fails(void **state)
{
	struct sockaddr_storage	ss;
	uint8_t			c[16];
	uint16_t		port;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	assert_int_equal(addr_canon(SA(&ss), c, &port), -1);
	assert_int_equal(addr_len(SA(&ss)), 0);
}

/* W4: Teardown/Query gateway fields back to a sockaddr, both families. */
static void
test_W4_canon_round_trip(void **state)
{
	static const char	*v4[] = { "192.0.2.1", "10.0.0.255",
	    "255.255.255.255", "0.0.0.2" };
	static const char	*v6[] = { "2001:db8::1", "fe80::1", "::", "::1",
	    "ff3e::8000:1", "::1:0:1" };
	struct sockaddr_storage	ss, back;
	uint8_t			c[16];
	uint16_t		port;
	size_t			i;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		sa4(&ss, v4[i], (uint16_t)(1000 + i));
		assert_int_equal(addr_canon(SA(&ss), c, &port), 0);
		addr_from_canon(c, port, &back);
		assert_int_equal(back.ss_family, AF_INET);
		assert_true(addr_eq(SA(&ss), SA(&back)));
	}
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		sa6(&ss, v6[i], (uint16_t)(2000 + i));
		assert_int_equal(addr_canon(SA(&ss), c, &port), 0);
		addr_from_canon(c, port, &back);
		assert_int_equal(back.ss_family, AF_INET6);
		assert_true(addr_eq(SA(&ss), SA(&back)));
	}
}

/* :: and ::1 are IPv6 even though their first 96 bits are zero. */
static void
test_W4_from_canon_unspecified_and_loopback_stay_ipv6(void **state)
{
	uint8_t			c[16];
	struct sockaddr_storage	ss;

	memset(c, 0, sizeof(c));
	addr_from_canon(c, 9, &ss);
	assert_int_equal(ss.ss_family, AF_INET6);
	c[15] = 1;
	addr_from_canon(c, 9, &ss);
	assert_int_equal(ss.ss_family, AF_INET6);
	c[15] = 2;
	addr_from_canon(c, 9, &ss);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9);
}

static void
test_addr_str_forms(void **state)
{
	struct sockaddr_storage	ss;
	char			buf[ADDR_STRLEN];

	sa4(&ss, "1.2.3.4", 2268);
	assert_string_equal(addr_str(SA(&ss), buf, sizeof(buf)),
	    "1.2.3.4:2268");
	sa4(&ss, "1.2.3.4", 0);
	assert_string_equal(addr_str(SA(&ss), buf, sizeof(buf)), "1.2.3.4");
	sa6(&ss, "2001:db8::1", 2268);
	assert_string_equal(addr_str(SA(&ss), buf, sizeof(buf)),
	    "[2001:db8::1]:2268");
	sa6(&ss, "2001:db8::1", 0);
	assert_string_equal(addr_str(SA(&ss), buf, sizeof(buf)),
	    "2001:db8::1");
	/* the longest form fits ADDR_STRLEN */
	sa6(&ss, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
	assert_string_equal(addr_str(SA(&ss), buf, sizeof(buf)),
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	sa6(&ss, "::ffff:1.2.3.4", 1);
	assert_string_equal(addr_str(SA(&ss), buf, sizeof(buf)),
	    "[::ffff:1.2.3.4]:1");
}

struct parse_case {
	const char	*in;
	int		 family;
	const char	*out;	/* addr_str of the result */
};

static void
test_addr_parse_good(void **state)
{
	static const struct parse_case	cases[] = {
		{ "1.2.3.4", AF_INET, "1.2.3.4:2268" },
		{ "1.2.3.4:99", AF_INET, "1.2.3.4:99" },
		{ "2001:db8::1", AF_INET6, "[2001:db8::1]:2268" },
		{ "[2001:db8::1]:99", AF_INET6, "[2001:db8::1]:99" },
		{ "[2001:db8::1]", AF_INET6, "[2001:db8::1]:2268" },
		{ "::", AF_INET6, "[::]:2268" },
		{ "[::1]:65535", AF_INET6, "[::1]:65535" },
		{ "192.52.193.1", AF_INET, "192.52.193.1:2268" },
		{ "fe80::1%1", AF_INET6, "[fe80::1]:2268" },
		{ "[fe80::1%lo]:5", AF_INET6, "[fe80::1]:5" },
	};
	struct sockaddr_storage	ss;
	char			buf[ADDR_STRLEN];
	size_t			i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(addr_parse(cases[i].in, 2268, &ss), 0);
		assert_int_equal(ss.ss_family, cases[i].family);
		assert_string_equal(addr_str(SA(&ss), buf, sizeof(buf)),
		    cases[i].out);
	}
	assert_int_equal(addr_parse("fe80::1%1", 0, &ss), 0);
	assert_int_equal(((struct sockaddr_in6 *)&ss)->sin6_scope_id, 1);
}

static void
test_addr_parse_bad(void **state)
{
	static const char	*bad[] = { "", ":", "1.2.3", "1.2.3.4.5",
	    "256.1.1.1", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536",
	    "1.2.3.4:99x", "1.2.3.4:-1", "1.2.3.4: 9", " 1.2.3.4",
	    "example.org", "[2001:db8::1", "[2001:db8::1]:", "[2001:db8::1]x",
	    "[1.2.3.4]:9", "2001:db8::1::2", "2001:db8:::1", "[]:9",
	    "1.2.3.4%lo", "fe80::1%", "fe80::1%nosuchif0", "01.2.3.4x",
	    "1.2.3.4:+9", "[::1]:99999999999999999999" };
	struct sockaddr_storage	ss;
	char			 longstr[300];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (addr_parse(bad[i], 2268, &ss) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	memset(longstr, '1', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	assert_int_equal(addr_parse(longstr, 2268, &ss), -1);
}

/* Parse -> print -> parse gives the same address and port. */
static void
test_addr_parse_print_round_trip(void **state)
{
	static const char	*in[] = { "203.0.113.9:7", "[2001:db8:1::9]:8",
	    "0.0.0.0:1", "[ff02::16]:2268" };
	struct sockaddr_storage	a, b;
	char			buf[ADDR_STRLEN];
	size_t			i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(addr_parse(in[i], 0, &a), 0);
		assert_string_equal(addr_str(SA(&a), buf, sizeof(buf)), in[i]);
		assert_int_equal(addr_parse(buf, 0, &b), 0);
		assert_true(addr_eq(SA(&a), SA(&b)));
	}
}

/* R7: a tunnel key is address AND port: same IP, other port differs. */
static void
test_R7_addr_eq_needs_same_port(void **state)
{
	struct sockaddr_storage	a, b;

	sa4(&a, "192.0.2.1", 5000);
	sa4(&b, "192.0.2.1", 5001);
	assert_false(addr_eq(SA(&a), SA(&b)));
	sa4(&b, "192.0.2.2", 5000);
	assert_false(addr_eq(SA(&a), SA(&b)));
	sa4(&b, "192.0.2.1", 5000);
	assert_true(addr_eq(SA(&a), SA(&b)));
	sa6(&b, "::ffff:192.0.2.1", 5000);
	assert_false(addr_eq(SA(&a), SA(&b)));
	sa6(&a, "2001:db8::1", 5000);
	sa6(&b, "2001:db8::1", 5001);
	assert_false(addr_eq(SA(&a), SA(&b)));
}

static void
test_addr_eq_scope(void **state)
{
	struct sockaddr_storage	a, b;

	sa6(&a, "fe80::1", 1);
	sa6(&b, "fe80::1", 1);
	((struct sockaddr_in6 *)&a)->sin6_scope_id = 2;
	assert_true(addr_eq(SA(&a), SA(&b)));
	((struct sockaddr_in6 *)&b)->sin6_scope_id = 3;
	assert_false(addr_eq(SA(&a), SA(&b)));
}

static void
test_addr_len(void **state)
{
	struct sockaddr_storage	ss;

	sa4(&ss, "1.1.1.1", 1);
	assert_int_equal(addr_len(SA(&ss)), sizeof(struct sockaddr_in));
	sa6(&ss, "::1", 1);
	assert_int_equal(addr_len(SA(&ss)), sizeof(struct sockaddr_in6));
}

static void
test_ip_helpers(void **state)
{
	struct amt_ip		a, b;
	struct sockaddr_storage	ss;
	char			buf[INET6_ADDRSTRLEN];

	assert_int_equal(ip_parse("232.1.1.1", &a), 0);
	assert_true(ip_is_multicast(&a));
	assert_false(ip_is_any(&a));
	assert_int_equal(ip_len(a.family), 4);
	assert_int_equal(ip_parse("223.255.255.255", &a), 0);
	assert_false(ip_is_multicast(&a));
	assert_int_equal(ip_parse("239.255.255.255", &a), 0);
	assert_true(ip_is_multicast(&a));
	assert_int_equal(ip_parse("240.0.0.0", &a), 0);
	assert_false(ip_is_multicast(&a));
	assert_int_equal(ip_parse("ff3e::1", &a), 0);
	assert_true(ip_is_multicast(&a));
	assert_int_equal(ip_len(a.family), 16);
	assert_int_equal(ip_parse("fe80::1", &a), 0);
	assert_false(ip_is_multicast(&a));
	assert_int_equal(ip_parse("0.0.0.0", &a), 0);
	assert_true(ip_is_any(&a));
	assert_int_equal(ip_parse("::", &a), 0);
	assert_true(ip_is_any(&a));
	assert_int_equal(ip_parse("::2", &a), 0);
	assert_false(ip_is_any(&a));
	assert_int_equal(ip_parse("nope", &a), -1);
	assert_int_equal(ip_parse("1.2.3", &a), -1);
	assert_int_equal(ip_len(AF_UNIX), 0);

	assert_int_equal(ip_parse("2001:db8::5", &a), 0);
	ip_to_sa(&a, 77, &ss);
	ip_from_sa(SA(&ss), &b);
	assert_true(ip_eq(&a, &b));
	assert_string_equal(ip_str(&b, buf, sizeof(buf)), "2001:db8::5");
	assert_int_equal(ip_parse("10.1.2.3", &b), 0);
	assert_false(ip_eq(&a, &b));
	ip_to_sa(&b, 77, &ss);
	ip_from_sa(SA(&ss), &a);
	assert_true(ip_eq(&a, &b));
	assert_string_equal(ip_str(&a, buf, sizeof(buf)), "10.1.2.3");
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 77);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_R5_W4_canon_ipv4_is_ipv4_compatible),
		cmocka_unit_test(test_R5_canon_ipv6_as_is),
		cmocka_unit_test(test_R5_canon_v4mapped_same_as_ipv4),
		cmocka_unit_test(test_canon_unknown_family_fails),
		cmocka_unit_test(test_W4_canon_round_trip),
		cmocka_unit_test(
		    test_W4_from_canon_unspecified_and_loopback_stay_ipv6),
		cmocka_unit_test(test_addr_str_forms),
		cmocka_unit_test(test_addr_parse_good),
		cmocka_unit_test(test_addr_parse_bad),
		cmocka_unit_test(test_addr_parse_print_round_trip),
		cmocka_unit_test(test_R7_addr_eq_needs_same_port),
		cmocka_unit_test(test_addr_eq_scope),
		cmocka_unit_test(test_addr_len),
		cmocka_unit_test(test_ip_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
