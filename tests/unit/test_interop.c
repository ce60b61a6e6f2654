/*
 * The gateway session against the relays deployed in the field (amtgwd(8),
 * INTEROPERABILITY; gateway/interop.c, session.c, session_input.c): the
 * old relay's captured Queries (tests/data/captures) fed to a session
 * byte for byte, a relay that ignores P, Queries with every optional
 * field missing or zero, the Linux relay's Request layout, stale nonces,
 * L with rediscovery after the hold-down, and an Advertisement of the
 * other address family.  The "relay" is a UDP socket on the loopback;
 * test names carry the IDs of doc/conformance.md.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "amt/clock.h"
#include "amt/log.h"
#include "amt/mac.h"
#include "amt/mcast.h"
#include "amt/wire.h"
#include "gateway.h"
#include "gwfix.h"
#include "pcap.h"

#define IX_MAC		"\x0a\x0b\x0c\x0d\x0e\x0f"

struct ix {
	struct gateway		 gw;
	int			 fd;		/* the relay */
	struct sockaddr_storage	 peer;		/* the gateway, as seen */
};

/* A gateway with -R (relay) or -r (discovery) 127.0.0.1 and the relay. */
static struct ix *
ix_new(const char *mode)
{
	struct ix		*x = calloc(1, sizeof(*x));
	struct sockaddr_storage	 ss;

	assert_non_null(x);
	x->fd = gwfix_relay_socket(AF_INET, 0, &ss);
	gwfix_gateway(&x->gw, mode,
	    ntohs(((struct sockaddr_in *)&ss)->sin_port));
	return x;
}

static void
ix_free(struct ix *x)
{
	gwfix_gateway_free(&x->gw);
	close(x->fd);
	free(x);
}

/* The loop runs until the relay has a message (its length) or ms pass. */
static ssize_t
ix_recv(struct ix *x, uint8_t *buf, size_t cap, int ms, struct amt_msg *m)
{
	return gwfix_recv(&x->gw, x->fd, buf, cap, ms,
	    (struct sockaddr *)&x->peer, sizeof(x->peer), m);
}

/* The next message of type t (others are skipped); fails after ms. */
static void
ix_expect(struct ix *x, uint8_t t, int ms, struct amt_msg *m, uint8_t *buf)
{
	do {
		if (ix_recv(x, buf, 2048, ms, m) < 0)
			fail_msg("no %s", amt_type_name(t));
	} while (m->type != t);
}

static void
ix_send_raw(struct ix *x, const uint8_t *p, size_t len)
{
	assert_int_equal(sendto(x->fd, p, len, 0, (struct sockaddr *)&x->peer,
	    addr_len((struct sockaddr *)&x->peer)), (ssize_t)len);
	gwfix_run(&x->gw, 100);
}

/*
 * A Membership Query with the IP datagram q inside, put together by hand
 * (the encoder refuses a datagram that does not hold).
 */
static void
ix_query_bytes(struct ix *x, uint32_t nonce, uint8_t flags, const uint8_t *q,
    size_t qlen)
{
	uint8_t		buf[256];
	uint32_t	n = htonl(nonce);

	assert_true(AMT_QUERY_HDR_LEN + qlen <= sizeof(buf));
	buf[0] = AMT_MEMBERSHIP_QUERY;
	buf[1] = flags;
	memcpy(buf + 2, IX_MAC, AMT_MAC_LEN);
	memcpy(buf + 8, &n, 4);
	memcpy(buf + AMT_QUERY_HDR_LEN, q, qlen);
	ix_send_raw(x, buf, AMT_QUERY_HDR_LEN + qlen);
}

/* Our own General Query of family af, as the library builds it. */
static void
ix_query(struct ix *x, uint32_t nonce, uint8_t flags, int af)
{
	struct mcast_query_params	qp;
	uint8_t				q[128];
	ssize_t				n;

	memset(&qp, 0, sizeof(qp));
	ip_parse(af == AF_INET ? "10.2.0.1" : "fe80::1", &qp.src);
	assert_true((n = mcast_build_query(&qp, q, sizeof(q))) > 0);
	ix_query_bytes(x, nonce, flags, q, (size_t)n);
}

/* The host joined (source, group) on the tun, as the kernel reports it. */
static void
ix_join(struct ix *x, const char *group, const char *source)
{
	gwfix_report(&x->gw, MCAST_ALLOW_NEW_SOURCES, group, source);
}

/* Start the session; the first Request (octet 1 in *flags). */
static uint32_t
ix_start(struct ix *x, uint8_t *flags)
{
	uint8_t		buf[2048];
	struct amt_msg	m;

	session_fsm(&x->gw.sess, SE_START);
	ix_expect(x, AMT_REQUEST, 3000, &m, buf);
	if (flags != NULL)
		*flags = m.flags;
	return m.nonce;
}

/* The families of the Updates that come within ms, as SESS_FAM_* bits. */
static unsigned
ix_update_fams(struct ix *x, uint32_t nonce, int ms)
{
	struct mcast_report	rep;
	struct amt_msg		m;
	uint8_t			buf[2048];
	unsigned		fams = 0;

	while (ix_recv(x, buf, sizeof(buf), ms, &m) > 0) {
		if (m.type != AMT_MEMBERSHIP_UPDATE)
			continue;
		assert_int_equal(m.nonce, nonce);
		assert_memory_equal(m.mac, IX_MAC, AMT_MAC_LEN);
		assert_int_equal(mcast_report_parse(m.inner, m.inner_len, &rep),
		    MCAST_OK);
		fams |= rep.family == AF_INET ? SESS_FAM_V4 : SESS_FAM_V6;
	}
	return fams;
}

/* ---- the old relay's captured Queries ---- */

#ifndef CAPTURE_DIR
#define CAPTURE_DIR	"tests/data/captures"
#endif

static void
ix_capture_path(const char *file, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", CAPTURE_DIR, file);
}

/* Every Query of the capture, byte for byte, to a requesting session. */
static unsigned
ix_captured_queries(const char *file)
{
	struct pcap_file	 f;
	struct pcap_udp		 u;
	struct amt_msg		 q;
	const uint8_t		*frame;
	size_t			 len;
	char			 path[4096];
	int			 link;
	unsigned		 n = 0;
	struct ix		*x;

	ix_capture_path(file, path, sizeof(path));
	assert_int_equal(pcap_open(&f, path), 0);
	while (pcap_next(&f, &frame, &len, &link) == 1) {
		if (pcap_udp(frame, len, link, &u) == -1 ||
		    u.sport != AMT_PORT || u.len < 1 ||
		    u.payload[0] != AMT_MEMBERSHIP_QUERY)
			continue;
		assert_int_equal(amt_decode(u.payload, u.len, &q), AMT_OK);
		/* No joins yet: the first Request asks P = 0 (IGMPv3). */
		x = ix_new("-R");
		ix_start(x, NULL);
		assert_int_equal(x->gw.sess.req_fams, SESS_FAM_V4);
		assert_int_equal(x->gw.sess.state, SS_REQUESTING);
		/* The relay answered the captured Request's nonce. */
		x->gw.sess.req_nonce = q.nonce;
		ix_send_raw(x, u.payload, u.len);
		assert_int_equal(x->gw.sess.state, SS_UP);
		assert_int_equal(x->gw.sess.q_nonce, q.nonce);
		assert_memory_equal(x->gw.sess.q_mac, q.mac, AMT_MAC_LEN);
		/* QRV 0 in the old relay's MLD Query: the default 2. */
		assert_int_equal(x->gw.sess.qrv, 2);
		ix_free(x);
		n++;
	}
	pcap_close(&f);
	return n;
}

static void
test_Q5_G4_capture_v4inv4_queries_up(void **state)
{
	assert_int_equal(ix_captured_queries("amt-v4inv4-control.pcap"), 3);
}

static void
test_Q5_G4_capture_v4inv6_queries_up(void **state)
{
	assert_int_equal(ix_captured_queries("amt-v4inv6-control.pcap"), 3);
}

/* The issue of the field: P = 0 asked, the MLDv2 Query taken. */
static void
test_Q5_G4_capture_v6inv4_queries_up(void **state)
{
	assert_int_equal(ix_captured_queries("amt-v6inv4-control.pcap"), 4);
}

static void
test_Q5_G4_capture_v6inv6_queries_up(void **state)
{
	assert_int_equal(ix_captured_queries("amt-v6inv6-control.pcap"), 4);
}

/* ---- a relay that ignores P ---- */

/*
 * G4 G6: both families joined, the relay answers both Requests with an
 * MLDv2 Query: the first is taken, the second is one too many; Updates
 * of both families go with its nonce and MAC.  IPv4 alone joined (P = 0)
 * and an MLDv2 answer: taken and counted as of another family.
 */
static void
test_G4_G6_relay_ignoring_p(void **state)
{
	struct ix	*x = ix_new("-R");
	uint32_t	 nonce;

	ix_join(x, "232.1.1.1", "10.1.0.1");
	ix_join(x, "ff3e::8000:1", "fd01::1");
	nonce = ix_start(x, NULL);
	assert_int_equal(x->gw.sess.req_fams, SESS_FAM_V4 | SESS_FAM_V6);
	ix_query(x, nonce, 0, AF_INET6);
	ix_query(x, nonce, 0, AF_INET6);
	assert_int_equal(x->gw.sess.state, SS_UP);
	assert_int_equal(x->gw.sess.cnt.membership_query, 1);
	assert_int_equal(x->gw.sess.cnt.other_family, 0);
	assert_int_equal(ix_update_fams(x, nonce, 500),
	    SESS_FAM_V4 | SESS_FAM_V6);
	ix_free(x);

	x = ix_new("-R");
	ix_join(x, "232.1.1.1", "10.1.0.1");
	nonce = ix_start(x, NULL);
	assert_int_equal(x->gw.sess.req_fams, SESS_FAM_V4);
	ix_query(x, nonce, 0, AF_INET6);
	assert_int_equal(x->gw.sess.state, SS_UP);
	assert_int_equal(x->gw.sess.cnt.other_family, 1);
	assert_int_equal(ix_update_fams(x, nonce, 500), SESS_FAM_V4);
	ix_free(x);
}

/*
 * G4 M1: Queries as relays in the field send them, exact bytes: IPv4
 * without Router Alert (a 44-octet Query) and MLDv2 without Hop-by-Hop
 * header, both from the unspecified address with Max Resp Code 0, S set,
 * QRV 0 and QQIC 0: taken, with the defaults QRV 2 and QQI 125 s.
 */
static void
test_G4_M1_query_fields_of_the_field(void **state)
{
	static const char *const qs[] = {
	    "45000020000000000102d9db00000000e0000001"
	    "1100e6ff0000000008000000",
	    "60000000001c3a0100000000000000000000000000000000ff02000000000000"
	    "0000000000000001820076a50000000000000000000000000000000000000000"
	    "08000000",
	};
	uint8_t		 q[128];
	size_t		 n, i, k;
	uint32_t	 nonce;
	struct ix	*x;

	for (i = 0; i < 2; i++) {
		for (n = 0; qs[i][2 * n] != '\0'; n++)
			sscanf(qs[i] + 2 * n, "%2hhx", &q[n]);
		assert_int_equal(n, i == 0 ? 32 : 68);
		x = ix_new("-R");
		ix_join(x, "232.1.1.1", "10.1.0.1");
		nonce = ix_start(x, NULL);
		ix_query_bytes(x, nonce, 0, q, n);
		assert_int_equal(x->gw.sess.state, SS_UP);
		assert_int_equal(x->gw.sess.qrv, 2);
		assert_int_equal(x->gw.sess.qqi, 125);
		assert_int_equal(ix_update_fams(x, nonce, 300), SESS_FAM_V4);
		/* One bit wrong anywhere in the datagram: not taken. */
		for (k = 0; k < n; k += 7) {
			ix_free(x);
			x = ix_new("-R");
			nonce = ix_start(x, NULL);
			q[k] ^= 0x10;
			ix_query_bytes(x, nonce, 0, q, n);
			q[k] ^= 0x10;
			assert_int_equal(x->gw.sess.state, SS_REQUESTING);
		}
		ix_free(x);
	}
}

/* ---- the Linux relay's layout ---- */

/*
 * Q2 G4: only IPv6 joined: P = 1 with E, then without, unanswered; the
 * third Request has the Linux layout (0x80 alone), counted; the Query it
 * draws keeps that layout for the next cycle.  Both families: 0 and 0x80.
 */
static void
test_Q2_G4_linux_layout_after_unanswered(void **state)
{
	struct ix	*x = ix_new("-R");
	struct amt_msg	 m;
	uint8_t		 buf[2048], flags;
	uint32_t	 nonce;

	ix_join(x, "ff3e::8000:1", "fd01::1");
	nonce = ix_start(x, &flags);
	assert_int_equal(flags, AMT_REQ_FLAG_P | AMT_REQ_FLAG_E);
	assert_string_equal(interop_layout_name(x->gw.sess.req_layout), "rfc");
	session_fsm(&x->gw.sess, SE_REQ_TIMEOUT);
	ix_expect(x, AMT_REQUEST, 500, &m, buf);
	assert_int_equal(m.flags, AMT_REQ_FLAG_P);
	assert_int_equal(x->gw.sess.cnt.layout_switches, 0);
	session_fsm(&x->gw.sess, SE_REQ_TIMEOUT);
	ix_expect(x, AMT_REQUEST, 500, &m, buf);
	assert_int_equal(m.flags, AMT_REQ_FLAG_P_LINUX);
	assert_int_equal(m.nonce, nonce);
	assert_int_equal(x->gw.sess.cnt.layout_switches, 1);
	assert_string_equal(interop_layout_name(x->gw.sess.req_layout),
	    "linux");
	ix_query(x, nonce, 0, AF_INET6);
	assert_int_equal(x->gw.sess.state, SS_UP);
	ix_join(x, "232.1.1.1", "10.1.0.1");
	session_fsm(&x->gw.sess, SE_QUERY_TIMER);
	ix_expect(x, AMT_REQUEST, 500, &m, buf);
	assert_int_equal(m.flags, 0);
	ix_expect(x, AMT_REQUEST, 500, &m, buf);
	assert_int_equal(m.flags, AMT_REQ_FLAG_P_LINUX);
	assert_int_equal(x->gw.sess.cnt.layout_switches, 1);
	ix_free(x);
}

/* Q2: IPv4 alone: both layouts are the same, none is switched to. */
static void
test_Q2_no_switch_without_mld(void **state)
{
	struct ix	*x = ix_new("-R");
	int		 i;

	ix_start(x, NULL);
	for (i = 0; i < 4; i++)
		session_fsm(&x->gw.sess, SE_REQ_TIMEOUT);
	assert_int_equal(x->gw.sess.cnt.layout_switches, 0);
	assert_int_equal(x->gw.sess.req_layout, SL_RFC);
	ix_free(x);
}

/* ---- stale answers ---- */

/*
 * G4: a Query whose nonce is not the last Request's (a late answer to an
 * earlier cycle) changes nothing, while requesting or up; it is counted.
 */
static void
test_G4_stale_nonce_changes_nothing(void **state)
{
	struct ix	*x = ix_new("-R");
	struct amt_msg	 m;
	uint8_t		 buf[2048];
	uint32_t	 n1;

	ix_join(x, "232.1.1.1", "10.1.0.1");
	n1 = ix_start(x, NULL);
	ix_query(x, n1 ^ 0x80000000, 0, AF_INET);
	assert_int_equal(x->gw.sess.state, SS_REQUESTING);
	assert_false(x->gw.sess.have_query);
	assert_int_equal(x->gw.sess.cnt.stale_queries, 1);
	ix_query(x, n1, 0, AF_INET);
	assert_int_equal(x->gw.sess.state, SS_UP);
	assert_int_equal(ix_update_fams(x, n1, 300), SESS_FAM_V4);
	/* A new cycle; the answer to the old one comes late. */
	session_fsm(&x->gw.sess, SE_QUERY_TIMER);
	ix_expect(x, AMT_REQUEST, 500, &m, buf);
	assert_int_not_equal(m.nonce, n1);
	ix_query(x, n1, AMT_QUERY_FLAG_L, AF_INET);
	assert_int_equal(x->gw.sess.state, SS_REQUESTING);
	assert_int_equal(x->gw.sess.q_nonce, n1);
	assert_int_equal(x->gw.sess.cnt.stale_queries, 2);
	assert_int_equal(x->gw.sess.cnt.limited, 0);
	assert_int_equal(x->gw.sess.cnt.membership_query, 1);
	ix_query(x, m.nonce, 0, AF_INET);
	assert_int_equal(x->gw.sess.state, SS_UP);
	ix_free(x);
}

/* ---- L, discovery, and the Advertisement's family ---- */

/* An Advertisement of relay for the Discovery nonce; returns nonce. */
static uint32_t
ix_advertise_nonce(struct ix *x, uint32_t nonce, const char *relay)
{
	struct amt_msg	adv;
	uint8_t		buf[64];
	ssize_t		n;

	memset(&adv, 0, sizeof(adv));
	adv.type = AMT_RELAY_ADVERTISEMENT;
	adv.nonce = nonce;
	ip_parse(relay, &adv.relay);
	assert_true((n = amt_encode(&adv, buf, sizeof(buf))) > 0);
	ix_send_raw(x, buf, (size_t)n);
	return nonce;
}

/* The next Discovery, answered with relay; returns its nonce. */
static uint32_t
ix_advertise(struct ix *x, const char *relay)
{
	struct amt_msg	m;
	uint8_t		buf[2048];

	ix_expect(x, AMT_RELAY_DISCOVERY, 3000, &m, buf);
	return ix_advertise_nonce(x, m.nonce, relay);
}

/*
 * G10, RFC 7450 5.2.3.5.4: L with nothing reported: the relay is held
 * down and discovery starts again at once; it finds the same relay, so
 * no Request goes there until the hold-down (2 s here) ends; then a new
 * discovery (a new nonce) and a Query without L: up.
 */
static void
test_G10_limit_rediscovery_after_holddown(void **state)
{
	struct ix	*x = ix_new("-r");
	struct amt_msg	 m;
	uint8_t		 buf[2048];
	uint32_t	 d1, d2;
	uint64_t	 t0;

	x->gw.conf.holddown = 2;
	ix_join(x, "232.1.1.1", "10.1.0.1");
	session_fsm(&x->gw.sess, SE_START);
	d1 = ix_advertise(x, "127.0.0.1");
	ix_expect(x, AMT_REQUEST, 1000, &m, buf);
	t0 = clock_mono_ms();
	ix_query(x, m.nonce, AMT_QUERY_FLAG_L, AF_INET);
	assert_int_equal(x->gw.sess.cnt.limited, 1);
	assert_int_equal(x->gw.sess.state, SS_DISCOVERING);
	d2 = ix_advertise(x, "127.0.0.1");
	assert_int_not_equal(d1, d2);
	assert_int_equal(x->gw.sess.state, SS_DISCOVERING);
	/* Nothing to the held relay; a new Discovery when the hold ends. */
	do {
		if (ix_recv(x, buf, sizeof(buf), 5000, &m) < 0)
			fail_msg("no Discovery after the hold-down");
		assert_int_not_equal(m.type, AMT_REQUEST);
	} while (m.type != AMT_RELAY_DISCOVERY || m.nonce == d2);
	assert_true(clock_mono_ms() - t0 >= 1900);
	assert_int_not_equal(ix_advertise_nonce(x, m.nonce, "127.0.0.1"), d2);
	ix_expect(x, AMT_REQUEST, 1000, &m, buf);
	ix_query(x, m.nonce, 0, AF_INET);
	assert_int_equal(x->gw.sess.state, SS_UP);
	assert_int_equal(ix_update_fams(x, m.nonce, 300), SESS_FAM_V4);
	ix_free(x);
}

/*
 * G2: discovery over IPv4, an Advertisement of an IPv6 relay (24 octets):
 * the Requests go to it over IPv6, its Query brings the session up.
 */
static void
test_G2_advertisement_of_other_family(void **state)
{
	struct ix		*x;
	struct amt_msg		 m;
	uint8_t			 buf[2048];
	struct sockaddr_storage	 ss;
	int			 fd6 = -1, tries;

	for (tries = 0; fd6 == -1 && tries < 20; tries++) {
		x = ix_new("-r");
		fd6 = gwfix_relay_socket(AF_INET6, x->gw.conf.port, &ss);
		if (fd6 == -1)
			ix_free(x);
	}
	if (fd6 == -1)
		skip();
	session_fsm(&x->gw.sess, SE_START);
	ix_advertise(x, "::1");
	assert_int_equal(x->gw.sess.relay_sa.ss_family, AF_INET6);
	close(x->fd);
	x->fd = fd6;
	ix_expect(x, AMT_REQUEST, 1000, &m, buf);
	assert_int_equal(x->peer.ss_family, AF_INET6);
	ix_query(x, m.nonce, 0, AF_INET);
	assert_int_equal(x->gw.sess.state, SS_UP);
	ix_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_Q5_G4_capture_v4inv4_queries_up),
		cmocka_unit_test(test_Q5_G4_capture_v4inv6_queries_up),
		cmocka_unit_test(test_Q5_G4_capture_v6inv4_queries_up),
		cmocka_unit_test(test_Q5_G4_capture_v6inv6_queries_up),
		cmocka_unit_test(test_G4_G6_relay_ignoring_p),
		cmocka_unit_test(test_G4_M1_query_fields_of_the_field),
		cmocka_unit_test(test_Q2_G4_linux_layout_after_unanswered),
		cmocka_unit_test(test_Q2_no_switch_without_mld),
		cmocka_unit_test(test_G4_stale_nonce_changes_nothing),
		cmocka_unit_test(test_G10_limit_rediscovery_after_holddown),
		cmocka_unit_test(test_G2_advertisement_of_other_family),
	};

	log_init(1, LOG_DAEMON, "test_interop");
	if (mac_lib_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
