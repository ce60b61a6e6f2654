/*
 * Q5: every AMT message in the captures of deployed peers (the draft-07
 * era gateway and relay, VLC 4; tests/data/captures, copied from the
 * project's shared captures) decodes with amt_decode, and encodes back
 * to the same bytes (but for VLC's 9-byte Request, Q1).
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "amt/wire.h"
#include "pcap.h"

#ifndef CAPTURE_DIR
#define CAPTURE_DIR	"tests/data/captures"
#endif

/* What each capture holds, counted by tshark: messages of each type. */
struct capture {
	const char	*file;
	unsigned	 count[AMT_TYPE_MAX + 1];
};

static const struct capture captures[] = {
	{ "amt-v4inv4-control.pcap", { 0, 1, 1, 3, 3, 3, 0, 0 } },
	{ "amt-v4inv6-control.pcap", { 0, 1, 1, 3, 3, 3, 0, 0 } },
	{ "amt-v6inv4-control.pcap", { 0, 1, 1, 4, 4, 4, 0, 0 } },
	{ "amt-v6inv6-control.pcap", { 0, 1, 1, 5, 4, 4, 0, 0 } },
	{ "amt-vlc-gw-ra-control.pcap", { 0, 1, 1, 1, 1, 2, 0, 0 } },
};

static void
capture_path(const char *file, char *path, size_t len)
{
	const char	*top = getenv("top_srcdir");

	if (top != NULL)
		snprintf(path, len, "%s/tests/data/captures/%s", top, file);
	else
		snprintf(path, len, "%s/%s", CAPTURE_DIR, file);
}

/* One AMT payload: decodes, its inner datagram fills it, encodes back. */
static void
check_payload(const uint8_t *p, size_t len, unsigned *count)
{
	struct amt_msg	m;
	uint8_t		out[2048];
	ssize_t		n;
	int		rc;

	rc = amt_decode(p, len, &m);
	if (rc != AMT_OK)
		fail_msg("%zu-byte message type %u: %s", len, p[0],
		    amt_strerror(rc));
	count[m.type]++;
	if (m.inner != NULL)
		assert_int_equal(m.inner + m.inner_len, p + len);
	n = amt_encode(&m, out, sizeof(out));
	if (m.type == AMT_REQUEST && len == 9) {
		/* Q1: VLC's extra byte is not sent back. */
		assert_int_equal(n, AMT_REQUEST_LEN);
		len = AMT_REQUEST_LEN;
	}
	assert_int_equal(n, len);
	assert_memory_equal(out, p, len);
}

static void
check_capture(const struct capture *c)
{
	struct pcap_file	 f;
	struct pcap_udp		 u;
	const uint8_t		*frame;
	size_t			 len;
	unsigned		 count[AMT_TYPE_MAX + 1], nframes = 0;
	char			 path[4096];
	int			 link, rc;

	capture_path(c->file, path, sizeof(path));
	if (pcap_open(&f, path) == -1)
		fail_msg("cannot read %s", path);
	memset(count, 0, sizeof(count));
	while ((rc = pcap_next(&f, &frame, &len, &link)) == 1) {
		nframes++;
		if (pcap_udp(frame, len, link, &u) == -1)
			fail_msg("%s: frame %u is not UDP", c->file, nframes);
		if (u.sport != AMT_PORT && u.dport != AMT_PORT)
			continue;
		check_payload(u.payload, u.len, count);
	}
	assert_int_equal(rc, 0);
	assert_memory_equal(count, c->count, sizeof(count));
	pcap_close(&f);
}

static void
test_Q5_decode_v4inv4(void **state)
{
	check_capture(&captures[0]);
}

static void
test_Q5_decode_v4inv6(void **state)
{
	check_capture(&captures[1]);
}

static void
test_Q5_decode_v6inv4(void **state)
{
	check_capture(&captures[2]);
}

static void
test_Q5_decode_v6inv6(void **state)
{
	check_capture(&captures[3]);
}

/* Q1 Q5: VLC's 9-byte Request, its Updates; the old relay's Query. */
static void
test_Q5_Q1_decode_vlc(void **state)
{
	check_capture(&captures[4]);
}

/* The old relay's IPv4 Query has no Router Alert: 12 + 32 bytes. */
static void
test_Q5_old_relay_query_no_router_alert(void **state)
{
	struct pcap_file	 f;
	struct pcap_udp		 u;
	struct amt_msg		 m;
	const uint8_t		*frame;
	size_t			 len;
	char			 path[4096];
	int			 link, found = 0;

	capture_path(captures[0].file, path, sizeof(path));
	assert_int_equal(pcap_open(&f, path), 0);
	while (pcap_next(&f, &frame, &len, &link) == 1) {
		if (pcap_udp(frame, len, link, &u) == -1 ||
		    amt_decode(u.payload, u.len, &m) != AMT_OK ||
		    m.type != AMT_MEMBERSHIP_QUERY)
			continue;
		assert_int_equal(u.len, 44);
		assert_int_equal(m.inner_len, 32);
		assert_int_equal(m.inner[0], 0x45);
		assert_false(m.flags & AMT_QUERY_FLAG_G);
		found++;
	}
	assert_int_equal(found, 3);
	pcap_close(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_Q5_decode_v4inv4),
		cmocka_unit_test(test_Q5_decode_v4inv6),
		cmocka_unit_test(test_Q5_decode_v6inv4),
		cmocka_unit_test(test_Q5_decode_v6inv6),
		cmocka_unit_test(test_Q5_Q1_decode_vlc),
		cmocka_unit_test(test_Q5_old_relay_query_no_router_alert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
