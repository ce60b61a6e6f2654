/*
 * Unit tests for the AMT message codec (lib/wire.c), RFC 7450 5.1.
 * Test names carry the IDs of doc/conformance.md.  Inner datagrams are
 * real bytes from tests/data/captures (IGMPv3/MLDv2 queries and reports)
 * or hand-made multicast UDP datagrams.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "amt/mcast.h"
#include "amt/wire.h"

#define MAXMSG	512

/* IPv4 + Router Alert + IGMPv3 General Query (VLC capture): 36 bytes. */
static const uint8_t v4_query[] = {
	0x46, 0x00, 0x00, 0x24, 0x45, 0x67, 0x00, 0x00, 0x01, 0x02, 0xff,
	0x6b, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0x01, 0x94, 0x04,
	0x00, 0x00, 0x11, 0x10, 0xec, 0xdb, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x14, 0x00, 0x00,
};

/* IPv6 + Hop-by-Hop Router Alert + MLDv2 General Query: 76 bytes. */
static const uint8_t v6_query[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x3a, 0x00, 0x05, 0x02,
	0x00, 0x00, 0x01, 0x00, 0x82, 0x00, 0x76, 0x3c, 0x00, 0x64, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x05, 0x00, 0x00,
};

/* IPv4 + Router Alert + IGMPv3 report, ALLOW {10.10.0.1} 232.1.1.1. */
static const uint8_t v4_report[] = {
	0x46, 0xc0, 0x00, 0x2c, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0xf1,
	0xec, 0x0a, 0x08, 0x08, 0x01, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04,
	0x00, 0x00, 0x22, 0x00, 0xe5, 0xef, 0x00, 0x00, 0x00, 0x01, 0x05,
	0x00, 0x00, 0x01, 0xe8, 0x01, 0x01, 0x01, 0x0a, 0x0a, 0x00, 0x01,
};

/* IPv6 + Hop-by-Hop + MLDv2 report from fe80::9000:1: 92 bytes. */
static const uint8_t v6_report[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x34, 0x00, 0x01, 0xfe, 0x80, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90, 0x00,
	0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16, 0x3a, 0x00, 0x05, 0x02,
	0x00, 0x00, 0x01, 0x00, 0x8f, 0x00, 0x30, 0xf1, 0x00, 0x00, 0x00,
	0x01, 0x05, 0x00, 0x00, 0x01, 0xff, 0x3e, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x01, 0x20,
	0x01, 0x0d, 0xb8, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
};

/* IPv4 UDP 10.10.0.1 -> 232.1.1.1, 4 bytes of payload: 32 bytes. */
static const uint8_t v4_data[] = {
	0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x10, 0x11, 0x00,
	0x00, 0x0a, 0x0a, 0x00, 0x01, 0xe8, 0x01, 0x01, 0x01, 0x13, 0x88,
	0x13, 0x88, 0x00, 0x0c, 0x00, 0x00, 'd', 'a', 't', 'a',
};

/* A first fragment (MF set) of a larger IPv4 multicast datagram. */
static const uint8_t v4_frag[] = {
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x02, 0x20, 0x00, 0x10, 0x11, 0x00,
	0x00, 0x0a, 0x0a, 0x00, 0x01, 0xe8, 0x01, 0x01, 0x01, 0x13, 0x88,
	0x13, 0x88, 0x05, 0xdc, 0x00, 0x00,
};

/* IPv6 UDP 2001:db8::1 -> ff3e::8000:1, 4 bytes of payload: 52 bytes. */
static const uint8_t v6_data[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x11, 0x10, 0x20, 0x01, 0x0d,
	0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0xff, 0x3e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x01, 0x13, 0x88, 0x13, 0x88,
	0x00, 0x0c, 0x00, 0x00, 'd', 'a', 't', 'a',
};

static const uint8_t test_mac[AMT_MAC_LEN] = {
	0x84, 0x80, 0x50, 0x95, 0xdc, 0x96
};
/* ::192.0.2.7, the IPv4-compatible form (RFC 7450 5.1.4.9.2). */
static const uint8_t gw_v4[16] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 7
};
static const uint8_t gw_v6[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42
};

/* An expected message, put together from pieces. */
struct vec {
	uint8_t	b[MAXMSG];
	size_t	len;
};

static void
vec_add(struct vec *v, const void *p, size_t n)
{
	assert_true(v->len + n <= sizeof(v->b));
	memcpy(v->b + v->len, p, n);
	v->len += n;
}

static void
vec_hdr(struct vec *v, uint8_t type, uint8_t flags, bool mac)
{
	const uint8_t	nonce[4] = { 0x12, 0x0e, 0xf2, 0xfb };
	const uint8_t	resv[2] = { 0, 0 };
	const uint8_t	head[2] = { type, flags };

	v->len = 0;
	vec_add(v, head, 2);
	if (mac)
		vec_add(v, test_mac, sizeof(test_mac));
	else if (type != AMT_MULTICAST_DATA)
		vec_add(v, resv, 2);
	if (type != AMT_MULTICAST_DATA)
		vec_add(v, nonce, 4);
}

static void
vec_gw(struct vec *v, uint16_t port, const uint8_t addr[16])
{
	const uint8_t	p[2] = { port >> 8, port & 0xff };

	vec_add(v, p, 2);
	vec_add(v, addr, 16);
}

static void
msg_init(struct amt_msg *m, uint8_t type, uint8_t flags)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->flags = flags;
	if (type != AMT_MULTICAST_DATA)
		m->nonce = 0x120ef2fb;
	if (type == AMT_MEMBERSHIP_QUERY || type == AMT_MEMBERSHIP_UPDATE ||
	    type == AMT_TEARDOWN)
		memcpy(m->mac, test_mac, sizeof(m->mac));
}

static void
msg_inner(struct amt_msg *m, const uint8_t *p, size_t len)
{
	m->inner = p;
	m->inner_len = len;
}

static void
assert_msg_equal(const struct amt_msg *a, const struct amt_msg *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->nonce, b->nonce);
	assert_memory_equal(a->mac, b->mac, sizeof(a->mac));
	assert_int_equal(a->relay.family, b->relay.family);
	assert_memory_equal(a->relay.u.b, b->relay.u.b, sizeof(a->relay.u.b));
	assert_int_equal(a->gw_port, b->gw_port);
	assert_memory_equal(a->gw_addr, b->gw_addr, sizeof(a->gw_addr));
	assert_int_equal(a->inner_len, b->inner_len);
	if (a->inner_len > 0)
		assert_memory_equal(a->inner, b->inner, a->inner_len);
}

/*
 * Encode m, compare with the expected bytes, decode them into a copy of
 * exactly that size (so ASan sees any over-read), compare the fields.
 */
static void
roundtrip(const struct amt_msg *m, const struct vec *want)
{
	uint8_t		 out[MAXMSG], *copy;
	struct amt_msg	 d;
	ssize_t		 n;

	n = amt_encode(m, out, sizeof(out));
	assert_int_equal(n, want->len);
	assert_memory_equal(out, want->b, want->len);
	copy = malloc(want->len);
	assert_non_null(copy);
	memcpy(copy, want->b, want->len);
	assert_int_equal(amt_decode(copy, want->len, &d), AMT_OK);
	assert_msg_equal(&d, m);
	n = amt_encode(&d, out, sizeof(out));
	assert_int_equal(n, want->len);
	assert_memory_equal(out, want->b, want->len);
	free(copy);
}

static void
test_W4_discovery_roundtrip(void **state)
{
	struct amt_msg	m;
	struct vec	v;
	uint8_t		out[64];

	msg_init(&m, AMT_RELAY_DISCOVERY, 0);
	vec_hdr(&v, AMT_RELAY_DISCOVERY, 0, false);
	assert_int_equal(v.len, AMT_DISCOVERY_LEN);
	roundtrip(&m, &v);
	/* RFC 9601 6.1.4.2: E in a Relay Discovery; no other bit. */
	msg_init(&m, AMT_RELAY_DISCOVERY, AMT_REQ_FLAG_E);
	vec_hdr(&v, AMT_RELAY_DISCOVERY, AMT_REQ_FLAG_E, false);
	roundtrip(&m, &v);
	msg_init(&m, AMT_RELAY_DISCOVERY, AMT_REQ_FLAG_E | AMT_REQ_FLAG_P);
	assert_int_equal(amt_encode(&m, out, sizeof(out)), AMT_DISCOVERY_LEN);
	assert_int_equal(out[1], AMT_REQ_FLAG_E);
}

static void
test_W4_advert_v4_roundtrip(void **state)
{
	const uint8_t	relay[4] = { 198, 51, 100, 1 };
	struct amt_msg	m;
	struct vec	v;

	msg_init(&m, AMT_RELAY_ADVERTISEMENT, 0);
	m.relay.family = AF_INET;
	memcpy(&m.relay.u.v4, relay, 4);
	vec_hdr(&v, AMT_RELAY_ADVERTISEMENT, 0, false);
	vec_add(&v, relay, 4);
	assert_int_equal(v.len, AMT_ADVERT_V4_LEN);
	roundtrip(&m, &v);
}

static void
test_W4_advert_v6_roundtrip(void **state)
{
	struct amt_msg	m;
	struct vec	v;

	msg_init(&m, AMT_RELAY_ADVERTISEMENT, 0);
	m.relay.family = AF_INET6;
	memcpy(&m.relay.u.v6, gw_v6, 16);
	vec_hdr(&v, AMT_RELAY_ADVERTISEMENT, 0, false);
	vec_add(&v, gw_v6, 16);
	assert_int_equal(v.len, AMT_ADVERT_V6_LEN);
	roundtrip(&m, &v);
}

/* RFC 7450 5.1.2.5: length - 8 is 4 or 16; nothing else. */
static void
test_W4_advert_other_lengths_rejected(void **state)
{
	uint8_t		b[40];
	struct amt_msg	m;
	size_t		len;

	memset(b, 0, sizeof(b));
	b[0] = AMT_RELAY_ADVERTISEMENT;
	for (len = 0; len < sizeof(b); len++) {
		if (len == 12 || len == 24)
			assert_int_equal(amt_decode(b, len, &m), AMT_OK);
		else if (len < 12)
			assert_int_equal(amt_decode(b, len, &m),
			    AMT_ERR_SHORT);
		else
			assert_int_equal(amt_decode(b, len, &m),
			    AMT_ERR_LENGTH);
	}
	assert_int_equal(amt_decode(b, 12, &m), AMT_OK);
	assert_int_equal(m.relay.family, AF_INET);
	assert_int_equal(amt_decode(b, 24, &m), AMT_OK);
	assert_int_equal(m.relay.family, AF_INET6);
}

static void
test_W4_request_roundtrip_p_e(void **state)
{
	const uint8_t	flags[] = { 0, AMT_REQ_FLAG_P, AMT_REQ_FLAG_E,
			    AMT_REQ_FLAG_P | AMT_REQ_FLAG_E };
	struct amt_msg	m;
	struct vec	v;
	size_t		i;

	for (i = 0; i < sizeof(flags); i++) {
		msg_init(&m, AMT_REQUEST, flags[i]);
		vec_hdr(&v, AMT_REQUEST, flags[i], false);
		assert_int_equal(v.len, AMT_REQUEST_LEN);
		roundtrip(&m, &v);
	}
}

/* Q1: VLC 4 sends a 9-byte Request. */
static void
test_Q1_request_9_bytes(void **state)
{
	const uint8_t	vlc[9] = { 0x03, 0x00, 0x00, 0x00, 0x12, 0x0e, 0xf2,
			    0xfb, 0x00 };
	struct amt_msg	m;

	assert_int_equal(amt_decode(vlc, sizeof(vlc), &m), AMT_OK);
	assert_int_equal(m.type, AMT_REQUEST);
	assert_int_equal(m.flags, 0);
	assert_int_equal(m.nonce, 0x120ef2fb);
}

/* Q2: the Linux driver's P bit (0x80) is kept in flags as received. */
static void
test_Q2_request_linux_p_kept(void **state)
{
	const uint8_t	lnx[8] = { 0x03, 0x80, 0x00, 0x00, 1, 2, 3, 4 };
	struct amt_msg	m;

	assert_int_equal(amt_decode(lnx, sizeof(lnx), &m), AMT_OK);
	assert_int_equal(m.flags, AMT_REQ_FLAG_P_LINUX);
	assert_false(m.flags & AMT_REQ_FLAG_P);
}

/* Q2: a gateway asks a Linux relay for MLDv2 with 0x80 alone. */
static void
test_Q2_request_linux_p_encoded(void **state)
{
	const uint8_t	lnx[8] = { 0x03, 0x80, 0x00, 0x00, 1, 2, 3, 4 };
	struct amt_msg	m;
	uint8_t		out[8];

	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	m.flags = AMT_REQ_FLAG_P_LINUX;
	m.nonce = 0x01020304;
	assert_int_equal(amt_encode(&m, out, sizeof(out)), 8);
	assert_memory_equal(out, lnx, sizeof(lnx));
}

static void
query_roundtrip(const uint8_t *inner, size_t ilen, uint8_t flags,
    const uint8_t gw[16], size_t want_len)
{
	struct amt_msg	m;
	struct vec	v;

	msg_init(&m, AMT_MEMBERSHIP_QUERY, flags);
	msg_inner(&m, inner, ilen);
	vec_hdr(&v, AMT_MEMBERSHIP_QUERY, flags, true);
	vec_add(&v, inner, ilen);
	if (flags & AMT_QUERY_FLAG_G) {
		m.gw_port = 0xd8d1;
		memcpy(m.gw_addr, gw, 16);
		vec_gw(&v, 0xd8d1, gw);
	}
	assert_int_equal(v.len, want_len);
	roundtrip(&m, &v);
}

/* W5: IPv4 Query 48 bytes, 66 with G; with and without L. */
static void
test_W5_query_v4_roundtrip_48_66(void **state)
{
	query_roundtrip(v4_query, sizeof(v4_query), 0, NULL, 48);
	query_roundtrip(v4_query, sizeof(v4_query), AMT_QUERY_FLAG_L, NULL,
	    48);
	query_roundtrip(v4_query, sizeof(v4_query), AMT_QUERY_FLAG_G, gw_v4,
	    66);
	query_roundtrip(v4_query, sizeof(v4_query),
	    AMT_QUERY_FLAG_G | AMT_QUERY_FLAG_L, gw_v6, 66);
}

/* W5: IPv6 Query 88 bytes, 106 with G. */
static void
test_W5_query_v6_roundtrip_88_106(void **state)
{
	query_roundtrip(v6_query, sizeof(v6_query), 0, NULL, 88);
	query_roundtrip(v6_query, sizeof(v6_query), AMT_QUERY_FLAG_L, NULL,
	    88);
	query_roundtrip(v6_query, sizeof(v6_query), AMT_QUERY_FLAG_G, gw_v6,
	    106);
	query_roundtrip(v6_query, sizeof(v6_query),
	    AMT_QUERY_FLAG_G | AMT_QUERY_FLAG_L, gw_v4, 106);
}

/* W5: the sizes again, with the General Queries the relay builds (M3). */
static void
test_W5_query_sizes_with_built_queries(void **state)
{
	const char			*src[] = { "198.51.100.1", "fe80::1" };
	const ssize_t			 want[][2] = { { 48, 66 }, { 88, 106 } };
	struct mcast_query_params	 qp;
	struct amt_msg			 m, d;
	uint8_t				 q[256], out[MAXMSG];
	ssize_t				 n;
	int				 i, g;

	for (i = 0; i < 2; i++) {
		memset(&qp, 0, sizeof(qp));
		assert_int_equal(ip_parse(src[i], &qp.src), 0);
		qp.qrv = 2;
		qp.qqi = 125;
		qp.max_resp_ms = 100;
		n = mcast_build_query(&qp, q, sizeof(q));
		assert_true(n > 0);
		for (g = 0; g < 2; g++) {
			msg_init(&m, AMT_MEMBERSHIP_QUERY,
			    g ? AMT_QUERY_FLAG_G : 0);
			msg_inner(&m, q, (size_t)n);
			memcpy(m.gw_addr, gw_v6, 16);
			assert_int_equal(amt_encode(&m, out, sizeof(out)),
			    want[i][g]);
			assert_int_equal(amt_decode(out, (size_t)want[i][g],
			    &d), AMT_OK);
			assert_int_equal(d.inner_len, (size_t)n);
		}
	}
}

/* W7: the codec lets any inner family ride in any message. */
static void
test_W7_inner_family_independent(void **state)
{
	struct amt_msg	m;
	struct vec	v;

	/* An MLDv2 query answered to P=0, an IGMP one to P=1: legal. */
	query_roundtrip(v6_query, sizeof(v6_query), AMT_QUERY_FLAG_G, gw_v4,
	    106);
	query_roundtrip(v4_query, sizeof(v4_query), AMT_QUERY_FLAG_G, gw_v6,
	    66);
	msg_init(&m, AMT_MULTICAST_DATA, 0);
	msg_inner(&m, v6_data, sizeof(v6_data));
	vec_hdr(&v, AMT_MULTICAST_DATA, 0, false);
	vec_add(&v, v6_data, sizeof(v6_data));
	roundtrip(&m, &v);
}

/*
 * RFC 7450 5.1.4.9: the gateway fields are the last 18 bytes, found from
 * the end even when bytes sit between the inner datagram and them (W8).
 */
static void
test_W4_query_gw_fields_at_end(void **state)
{
	const uint8_t	junk[5] = { 0xee, 0xee, 0xee, 0xee, 0xee };
	struct amt_msg	m;
	struct vec	v;

	vec_hdr(&v, AMT_MEMBERSHIP_QUERY, AMT_QUERY_FLAG_G, true);
	vec_add(&v, v4_query, sizeof(v4_query));
	vec_add(&v, junk, sizeof(junk));
	vec_gw(&v, 0x1234, gw_v6);
	assert_int_equal(amt_decode(v.b, v.len, &m), AMT_OK);
	assert_int_equal(m.gw_port, 0x1234);
	assert_memory_equal(m.gw_addr, gw_v6, 16);
	assert_int_equal(m.inner_len, sizeof(v4_query));
	assert_ptr_equal(m.inner, v.b + 12);
	/* G clear: those 18 bytes are trailing bytes, ignored. */
	v.b[1] = 0;
	assert_int_equal(amt_decode(v.b, v.len, &m), AMT_OK);
	assert_int_equal(m.gw_port, 0);
	assert_int_equal(m.inner_len, sizeof(v4_query));
}

/* G set but the inner datagram reaches into the last 18 bytes. */
static void
test_W4_query_g_overlapping_inner_rejected(void **state)
{
	struct amt_msg	m;
	struct vec	v;

	vec_hdr(&v, AMT_MEMBERSHIP_QUERY, AMT_QUERY_FLAG_G, true);
	vec_add(&v, v4_query, sizeof(v4_query));
	assert_int_equal(amt_decode(v.b, v.len, &m), AMT_ERR_INNER);
	vec_hdr(&v, AMT_MEMBERSHIP_QUERY, AMT_QUERY_FLAG_G, true);
	vec_gw(&v, 1, gw_v4);
	assert_int_equal(amt_decode(v.b, v.len, &m), AMT_ERR_INNER);
}

/* An Update (with MAC and nonce) or a Data message: hdr octets + inner. */
static void
inner_roundtrip(uint8_t type, bool mac, size_t hdr, const uint8_t *inner,
    size_t ilen)
{
	struct amt_msg	m;
	struct vec	v;

	msg_init(&m, type, 0);
	msg_inner(&m, inner, ilen);
	vec_hdr(&v, type, 0, mac);
	vec_add(&v, inner, ilen);
	assert_int_equal(v.len, hdr + ilen);
	roundtrip(&m, &v);
}

static void
test_W4_update_roundtrip(void **state)
{
	inner_roundtrip(AMT_MEMBERSHIP_UPDATE, true, AMT_UPDATE_HDR_LEN,
	    v4_report, sizeof(v4_report));
	inner_roundtrip(AMT_MEMBERSHIP_UPDATE, true, AMT_UPDATE_HDR_LEN,
	    v6_report, sizeof(v6_report));
}

/* RFC 7450 5.1.6.4: a complete datagram or a fragment. */
static void
test_W4_data_roundtrip(void **state)
{
	inner_roundtrip(AMT_MULTICAST_DATA, false, AMT_DATA_HDR_LEN,
	    v4_data, sizeof(v4_data));
	inner_roundtrip(AMT_MULTICAST_DATA, false, AMT_DATA_HDR_LEN,
	    v6_data, sizeof(v6_data));
	inner_roundtrip(AMT_MULTICAST_DATA, false, AMT_DATA_HDR_LEN,
	    v4_frag, sizeof(v4_frag));
}

static void
teardown_roundtrip(const uint8_t gw[16])
{
	struct amt_msg	m;
	struct vec	v;

	msg_init(&m, AMT_TEARDOWN, 0);
	m.gw_port = 0xd8d1;
	memcpy(m.gw_addr, gw, 16);
	vec_hdr(&v, AMT_TEARDOWN, 0, true);
	vec_gw(&v, 0xd8d1, gw);
	assert_int_equal(v.len, AMT_TEARDOWN_LEN);
	roundtrip(&m, &v);
}

static void
test_W4_teardown_roundtrip(void **state)
{
	teardown_roundtrip(gw_v4);
	teardown_roundtrip(gw_v6);
}

/* Decision documented in wire.c: bytes after the 30 are ignored. */
static void
test_W4_teardown_trailing_ignored(void **state)
{
	struct amt_msg	m;
	struct vec	v;
	uint8_t		out[MAXMSG];

	vec_hdr(&v, AMT_TEARDOWN, 0, true);
	vec_gw(&v, 0xd8d1, gw_v6);
	vec_add(&v, "xyz", 3);
	assert_int_equal(amt_decode(v.b, v.len, &m), AMT_OK);
	assert_int_equal(m.gw_port, 0xd8d1);
	assert_memory_equal(m.gw_addr, gw_v6, 16);
	assert_int_equal(amt_encode(&m, out, sizeof(out)), AMT_TEARDOWN_LEN);
	assert_memory_equal(out, v.b, AMT_TEARDOWN_LEN);
}

/* Every canonical message of every type, for the loops below. */
static size_t
canon_all(struct vec *vs, size_t max)
{
	struct amt_msg	m;
	size_t		n = 0;
	ssize_t		len;
	int		i;

	for (i = 0; i < 12 && n < max; i++) {
		switch (i) {
		case 0:
			msg_init(&m, AMT_RELAY_DISCOVERY, 0);
			break;
		case 1:
			msg_init(&m, AMT_RELAY_ADVERTISEMENT, 0);
			m.relay.family = AF_INET;
			break;
		case 2:
			msg_init(&m, AMT_RELAY_ADVERTISEMENT, 0);
			m.relay.family = AF_INET6;
			memcpy(m.relay.u.b, gw_v6, 16);
			break;
		case 3:
			msg_init(&m, AMT_REQUEST, AMT_REQ_FLAG_P);
			break;
		case 4:
			msg_init(&m, AMT_MEMBERSHIP_QUERY, 0);
			msg_inner(&m, v4_query, sizeof(v4_query));
			break;
		case 5:
			msg_init(&m, AMT_MEMBERSHIP_QUERY, AMT_QUERY_FLAG_G);
			msg_inner(&m, v4_query, sizeof(v4_query));
			memcpy(m.gw_addr, gw_v4, 16);
			break;
		case 6:
			msg_init(&m, AMT_MEMBERSHIP_QUERY, AMT_QUERY_FLAG_G);
			msg_inner(&m, v6_query, sizeof(v6_query));
			memcpy(m.gw_addr, gw_v6, 16);
			break;
		case 7:
			msg_init(&m, AMT_MEMBERSHIP_UPDATE, 0);
			msg_inner(&m, v4_report, sizeof(v4_report));
			break;
		case 8:
			msg_init(&m, AMT_MEMBERSHIP_UPDATE, 0);
			msg_inner(&m, v6_report, sizeof(v6_report));
			break;
		case 9:
			msg_init(&m, AMT_MULTICAST_DATA, 0);
			msg_inner(&m, v4_data, sizeof(v4_data));
			break;
		case 10:
			msg_init(&m, AMT_MULTICAST_DATA, 0);
			msg_inner(&m, v6_data, sizeof(v6_data));
			break;
		case 11:
			msg_init(&m, AMT_TEARDOWN, 0);
			memcpy(m.gw_addr, gw_v4, 16);
			break;
		}
		len = amt_encode(&m, vs[n].b, sizeof(vs[n].b));
		assert_true(len > 0);
		vs[n++].len = (size_t)len;
	}
	return n;
}

/*
 * Every truncation of every message is rejected, reading nothing past
 * the end (each try decodes a heap copy of exactly that size).  The one
 * exception is the rule itself: an IPv6 Advertisement cut to 12 bytes is
 * an IPv4 Advertisement (5.1.2.5, family from length).
 */
static void
test_W4_every_truncation_rejected(void **state)
{
	struct vec	 vs[12];
	struct amt_msg	 m;
	uint8_t		*copy;
	size_t		 n, i, len;
	int		 rc;

	n = canon_all(vs, 12);
	for (i = 0; i < n; i++) {
		for (len = 0; len < vs[i].len; len++) {
			copy = malloc(len > 0 ? len : 1);
			assert_non_null(copy);
			memcpy(copy, vs[i].b, len);
			rc = amt_decode(copy, len, &m);
			if (vs[i].b[0] == AMT_RELAY_ADVERTISEMENT &&
			    len == AMT_ADVERT_V4_LEN) {
				assert_int_equal(rc, AMT_OK);
				assert_int_equal(m.relay.family, AF_INET);
			} else {
				assert_true(rc < 0);
				assert_true(rc == AMT_ERR_SHORT ||
				    rc == AMT_ERR_INNER ||
				    rc == AMT_ERR_LENGTH);
				assert_int_equal(m.type, 0);
				assert_null(m.inner);
			}
			free(copy);
		}
	}
}

/* Encoding into any buffer too small fails and writes nothing past it. */
static void
test_encode_too_small_fails(void **state)
{
	struct vec	 vs[12];
	struct amt_msg	 m;
	uint8_t		 out[MAXMSG + 1];
	size_t		 n, i, cap;

	n = canon_all(vs, 12);
	for (i = 0; i < n; i++) {
		assert_int_equal(amt_decode(vs[i].b, vs[i].len, &m), AMT_OK);
		for (cap = 0; cap < vs[i].len; cap++) {
			memset(out, 0xa5, sizeof(out));
			assert_int_equal(amt_encode(&m, out, cap),
			    AMT_ERR_NOSPACE);
			assert_int_equal(out[cap], 0xa5);
		}
		assert_int_equal(amt_encode(&m, out, vs[i].len), vs[i].len);
	}
	assert_int_equal(amt_encode(&m, NULL, 0), AMT_ERR_NOSPACE);
}

/* W2: a version other than 0 is rejected, for every type. */
static void
test_W2_version_rejected(void **state)
{
	struct vec	vs[12];
	struct amt_msg	m;
	size_t		n, i;
	int		ver;

	n = canon_all(vs, 12);
	for (i = 0; i < n; i++) {
		for (ver = 1; ver < 16; ver++) {
			vs[i].b[0] = (uint8_t)(ver << 4 | (vs[i].b[0] & 0x0f));
			assert_int_equal(amt_decode(vs[i].b, vs[i].len, &m),
			    AMT_ERR_VERSION);
			assert_int_equal(amt_decode(vs[i].b, 1, &m),
			    AMT_ERR_VERSION);
		}
	}
}

/* W2: types 0 and 8-15 are not AMT messages. */
static void
test_W2_unknown_type_rejected(void **state)
{
	uint8_t		b[64];
	struct amt_msg	m;
	int		type;

	memset(b, 0, sizeof(b));
	for (type = 0; type < 16; type++) {
		if (type >= 1 && type <= AMT_TYPE_MAX)
			continue;
		b[0] = (uint8_t)type;
		assert_int_equal(amt_decode(b, sizeof(b), &m), AMT_ERR_TYPE);
		assert_int_equal(amt_decode(b, 1, &m), AMT_ERR_TYPE);
	}
	b[0] = 0x10 | 9;	/* version first */
	assert_int_equal(amt_decode(b, sizeof(b), &m), AMT_ERR_VERSION);
	assert_int_equal(amt_decode(b, 0, &m), AMT_ERR_SHORT);
	assert_int_equal(amt_decode(NULL, 10, &m), AMT_ERR_SHORT);
	m.type = 0;
	assert_int_equal(amt_encode(&m, b, sizeof(b)), AMT_ERR_TYPE);
	m.type = 8;
	assert_int_equal(amt_encode(&m, b, sizeof(b)), AMT_ERR_TYPE);
}

/* Set every reserved bit of a message (W3). */
static void
set_reserved(uint8_t *b)
{
	switch (b[0]) {
	case AMT_RELAY_DISCOVERY:	/* all but E (RFC 9601) */
		b[1] |= 0xfd;
		b[2] = b[3] = 0xff;
		break;
	case AMT_RELAY_ADVERTISEMENT:
		b[1] = b[2] = b[3] = 0xff;
		break;
	case AMT_REQUEST:
		b[1] |= 0xfc;
		b[2] = b[3] = 0xff;
		break;
	case AMT_MEMBERSHIP_QUERY:
		b[1] |= 0xfc;
		break;
	default:
		b[1] = 0xff;
		break;
	}
}

/*
 * W3: reserved bits set are no reason to drop; fields decode the same,
 * octet 1 is kept as received, and encode sends the reserved bits as 0.
 */
static void
test_W3_reserved_bits_ignored(void **state)
{
	struct vec	vs[12];
	struct amt_msg	m, d;
	uint8_t		out[MAXMSG], raw[MAXMSG];
	size_t		n, i;

	n = canon_all(vs, 12);
	for (i = 0; i < n; i++) {
		assert_int_equal(amt_decode(vs[i].b, vs[i].len, &m), AMT_OK);
		memcpy(raw, vs[i].b, vs[i].len);
		set_reserved(raw);
		assert_int_equal(amt_decode(raw, vs[i].len, &d), AMT_OK);
		assert_int_equal(d.flags, raw[1]);
		assert_int_not_equal(d.flags, m.flags);
		d.flags = m.flags;
		assert_msg_equal(&d, &m);
		assert_int_equal(amt_decode(raw, vs[i].len, &d), AMT_OK);
		/* Q2: a Request's 0x80 goes out when asked (Linux layout). */
		if (d.type == AMT_REQUEST)
			d.flags &= (uint8_t)~AMT_REQ_FLAG_P_LINUX;
		assert_int_equal(amt_encode(&d, out, sizeof(out)),
		    vs[i].len);
		assert_memory_equal(out, vs[i].b, vs[i].len);
	}
}

/* W8: bytes after the inner datagram are ignored and not passed on. */
static void
test_W8_trailing_after_inner_ignored(void **state)
{
	struct vec	vs[12];
	struct amt_msg	m;
	size_t		n, i, extra;

	n = canon_all(vs, 12);
	for (i = 0; i < n; i++) {
		for (extra = 1; extra < 20; extra++) {
			struct vec	v = vs[i];
			uint8_t		junk[20];
			size_t		ilen;

			if (v.b[0] == AMT_RELAY_ADVERTISEMENT ||
			    (v.b[0] == AMT_MEMBERSHIP_QUERY &&
			    (v.b[1] & AMT_QUERY_FLAG_G)))
				continue;	/* length says something */
			memset(junk, 0x5a, sizeof(junk));
			vec_add(&v, junk, extra);
			assert_int_equal(amt_decode(v.b, v.len, &m), AMT_OK);
			if (m.inner == NULL)
				continue;
			ilen = vs[i].len - (m.type == AMT_MULTICAST_DATA ?
			    2 : 12);
			assert_int_equal(m.inner_len, ilen);
		}
	}
}

/* W9: nonces are opaque; every byte value comes back where it was. */
static void
test_W9_nonce_echoed_byte_for_byte(void **state)
{
	const uint8_t	nonces[][4] = {
		{ 0x00, 0x00, 0x00, 0x00 }, { 0xff, 0xff, 0xff, 0xff },
		{ 0x80, 0x00, 0x00, 0x01 }, { 0x01, 0x02, 0x03, 0x04 },
		{ 0xfe, 0x7f, 0x80, 0x00 },
	};
	struct vec	vs[12];
	struct amt_msg	m;
	uint8_t		out[MAXMSG];
	size_t		n, i, j, off;

	n = canon_all(vs, 12);
	for (i = 0; i < n; i++) {
		if (vs[i].b[0] == AMT_MULTICAST_DATA)
			continue;
		off = (vs[i].b[0] >= AMT_MEMBERSHIP_QUERY) ? 8 : 4;
		for (j = 0; j < sizeof(nonces) / sizeof(nonces[0]); j++) {
			memcpy(vs[i].b + off, nonces[j], 4);
			assert_int_equal(amt_decode(vs[i].b, vs[i].len, &m),
			    AMT_OK);
			assert_int_equal(amt_encode(&m, out, sizeof(out)),
			    vs[i].len);
			assert_memory_equal(out + off, nonces[j], 4);
			assert_memory_equal(out, vs[i].b, vs[i].len);
		}
	}
}

/* W8: an inner datagram that claims more than is present is refused. */
static void
test_W8_inner_claims_more_rejected(void **state)
{
	uint8_t		b[MAXMSG];
	struct amt_msg	m;

	b[0] = AMT_MULTICAST_DATA;
	b[1] = 0;
	memcpy(b + 2, v4_data, sizeof(v4_data));
	b[2 + 3]++;		/* total length 33, 32 present */
	assert_int_equal(amt_decode(b, 2 + sizeof(v4_data), &m),
	    AMT_ERR_INNER);
	memcpy(b + 2, v6_data, sizeof(v6_data));
	b[2 + 5]++;		/* payload length 13, 12 present */
	assert_int_equal(amt_decode(b, 2 + sizeof(v6_data), &m),
	    AMT_ERR_INNER);
	/* Nothing at all after the header. */
	assert_int_equal(amt_decode(b, 2, &m), AMT_ERR_INNER);
}

static void
test_inner_len_ipv4(void **state)
{
	uint8_t	p[64];

	memcpy(p, v4_data, sizeof(v4_data));
	assert_int_equal(amt_inner_len(p, sizeof(v4_data)), 32);
	assert_int_equal(amt_inner_len(p, sizeof(p)), 32);
	assert_int_equal(amt_inner_len(p, 31), -1);
	assert_int_equal(amt_inner_len(p, 19), -1);
	assert_int_equal(amt_inner_len(NULL, 40), -1);
	assert_int_equal(amt_inner_len(p, 0), -1);
	p[0] = 0x44;		/* IHL 4 < 5 */
	assert_int_equal(amt_inner_len(p, sizeof(p)), -1);
	p[0] = 0x4f;		/* IHL 15: 60 bytes > total length 32 */
	assert_int_equal(amt_inner_len(p, sizeof(p)), -1);
	p[0] = 0x46;		/* IHL 6, total 24 = header only: fine */
	p[3] = 24;
	assert_int_equal(amt_inner_len(p, sizeof(p)), 24);
	p[3] = 23;		/* total < header */
	assert_int_equal(amt_inner_len(p, sizeof(p)), -1);
	p[0] = 0x55;		/* not IP */
	p[3] = 32;
	assert_int_equal(amt_inner_len(p, sizeof(p)), -1);
}

static void
test_inner_len_ipv6(void **state)
{
	uint8_t	p[128];

	memset(p, 0, sizeof(p));
	memcpy(p, v6_data, sizeof(v6_data));
	assert_int_equal(amt_inner_len(p, sizeof(v6_data)), 52);
	assert_int_equal(amt_inner_len(p, sizeof(p)), 52);
	assert_int_equal(amt_inner_len(p, 51), -1);
	assert_int_equal(amt_inner_len(p, 39), -1);
	p[5] = 0;		/* header alone */
	assert_int_equal(amt_inner_len(p, 40), 40);
	p[4] = 0xff;		/* 65280 bytes claimed */
	assert_int_equal(amt_inner_len(p, sizeof(p)), -1);
}

/* Encode sends an inner datagram whole and alone, or nothing. */
static void
test_encode_bad_inner_rejected(void **state)
{
	struct amt_msg	m;
	uint8_t		out[MAXMSG];

	msg_init(&m, AMT_MULTICAST_DATA, 0);
	msg_inner(&m, v4_data, sizeof(v4_data) - 1);
	assert_int_equal(amt_encode(&m, out, sizeof(out)), AMT_ERR_INNER);
	msg_inner(&m, v4_query, sizeof(v4_query));
	m.inner_len = 20;
	assert_int_equal(amt_encode(&m, out, sizeof(out)), AMT_ERR_INNER);
	msg_inner(&m, NULL, 0);
	assert_int_equal(amt_encode(&m, out, sizeof(out)), AMT_ERR_INNER);
	msg_init(&m, AMT_MEMBERSHIP_QUERY, 0);
	assert_int_equal(amt_encode(&m, out, sizeof(out)), AMT_ERR_INNER);
	msg_init(&m, AMT_MEMBERSHIP_UPDATE, 0);
	msg_inner(&m, v6_report, sizeof(v6_report) + 1);
	assert_int_equal(amt_encode(&m, out, sizeof(out)), AMT_ERR_INNER);
	msg_init(&m, AMT_RELAY_ADVERTISEMENT, 0);
	m.relay.family = AF_UNIX;
	assert_int_equal(amt_encode(&m, out, sizeof(out)), AMT_ERR_LENGTH);
}

/* W3: only defined flags leave; reserved bits go out as zero. */
static void
test_W3_encode_reserved_zero(void **state)
{
	struct amt_msg	m;
	uint8_t		out[MAXMSG];

	msg_init(&m, AMT_REQUEST, 0xff);
	assert_int_equal(amt_encode(&m, out, sizeof(out)), 8);
	assert_int_equal(out[1], AMT_REQ_FLAG_P | AMT_REQ_FLAG_E |
	    AMT_REQ_FLAG_P_LINUX);
	assert_int_equal(out[2], 0);
	assert_int_equal(out[3], 0);
	msg_init(&m, AMT_RELAY_DISCOVERY, 0xff);
	assert_int_equal(amt_encode(&m, out, sizeof(out)), 8);
	assert_int_equal(out[1], AMT_REQ_FLAG_E);
	assert_int_equal(out[2], 0);
	assert_int_equal(out[3], 0);
	msg_init(&m, AMT_MEMBERSHIP_QUERY, 0xfe);	/* L, no G */
	msg_inner(&m, v4_query, sizeof(v4_query));
	assert_int_equal(amt_encode(&m, out, sizeof(out)), 48);
	assert_int_equal(out[1], AMT_QUERY_FLAG_L);
	msg_init(&m, AMT_TEARDOWN, 0xff);
	assert_int_equal(amt_encode(&m, out, sizeof(out)), 30);
	assert_int_equal(out[1], 0);
}

static void
test_names(void **state)
{
	assert_string_equal(amt_type_name(AMT_RELAY_DISCOVERY),
	    "relay-discovery");
	assert_string_equal(amt_type_name(AMT_TEARDOWN), "teardown");
	assert_string_equal(amt_type_name(0), "unknown");
	assert_string_equal(amt_type_name(8), "unknown");
	assert_string_equal(amt_type_name(-1), "unknown");
	assert_string_equal(amt_strerror(AMT_ERR_INNER),
	    "bad inner IP datagram");
	assert_string_equal(amt_strerror(12345), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_W4_discovery_roundtrip),
		cmocka_unit_test(test_W4_advert_v4_roundtrip),
		cmocka_unit_test(test_W4_advert_v6_roundtrip),
		cmocka_unit_test(test_W4_advert_other_lengths_rejected),
		cmocka_unit_test(test_W4_request_roundtrip_p_e),
		cmocka_unit_test(test_Q1_request_9_bytes),
		cmocka_unit_test(test_Q2_request_linux_p_kept),
		cmocka_unit_test(test_Q2_request_linux_p_encoded),
		cmocka_unit_test(test_W5_query_v4_roundtrip_48_66),
		cmocka_unit_test(test_W5_query_v6_roundtrip_88_106),
		cmocka_unit_test(test_W5_query_sizes_with_built_queries),
		cmocka_unit_test(test_W7_inner_family_independent),
		cmocka_unit_test(test_W4_query_gw_fields_at_end),
		cmocka_unit_test(test_W4_query_g_overlapping_inner_rejected),
		cmocka_unit_test(test_W4_update_roundtrip),
		cmocka_unit_test(test_W4_data_roundtrip),
		cmocka_unit_test(test_W4_teardown_roundtrip),
		cmocka_unit_test(test_W4_teardown_trailing_ignored),
		cmocka_unit_test(test_W4_every_truncation_rejected),
		cmocka_unit_test(test_encode_too_small_fails),
		cmocka_unit_test(test_W2_version_rejected),
		cmocka_unit_test(test_W2_unknown_type_rejected),
		cmocka_unit_test(test_W3_reserved_bits_ignored),
		cmocka_unit_test(test_W3_encode_reserved_zero),
		cmocka_unit_test(test_W8_trailing_after_inner_ignored),
		cmocka_unit_test(test_W8_inner_claims_more_rejected),
		cmocka_unit_test(test_W9_nonce_echoed_byte_for_byte),
		cmocka_unit_test(test_inner_len_ipv4),
		cmocka_unit_test(test_inner_len_ipv6),
		cmocka_unit_test(test_encode_bad_inner_rejected),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
