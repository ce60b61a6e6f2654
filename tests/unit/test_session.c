/*
 * Unit tests for the gateway session (gateway/fsm.c, membership.c,
 * session.c, sessions.c, update.c, relaysock.c), the core without
 * DRIAD: the state machine table, the back-off, the local membership
 * database, and sessions run against relays played by real UDP sockets
 * on 127.0.0.1 (no tun: tun writes fail and are counted).  Test names
 * carry the IDs of doc/conformance.md.
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
#include <time.h>
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

/* ---- the table ---- */

static void
expect_trans(int state, int event, int action, int next)
{
	const struct sess_trans	*t = fsm_lookup(state, event);

	assert_non_null(t);
	assert_int_equal(t->action, action);
	assert_int_equal(t->next, next);
}

/* No row for event in any of the states (a list ended by -1). */
static void
expect_no_trans(int event, ...)
{
	va_list	ap;
	int	state;

	va_start(ap, event);
	while ((state = va_arg(ap, int)) != -1)
		assert_null(fsm_lookup(state, event));
	va_end(ap);
}

static void
test_G2_discovery_rows(void **state)
{
	expect_trans(SS_INITIAL, SE_START, SA_START, SS_ACT);
	expect_trans(SS_DISCOVERING, SE_DISC_TIMEOUT, SA_DISC_RESEND, SS_SAME);
	expect_trans(SS_DISCOVERING, SE_ADVERT, SA_ADVERT, SS_ACT);
	/* RFC 7450 5.2.3.4.4: Advertisements only while discovering. */
	expect_no_trans(SE_ADVERT, SS_REQUESTING, SS_UP, SS_INITIAL, -1);
}

static void
test_G3_G4_request_rows(void **state)
{
	expect_trans(SS_REQUESTING, SE_REQ_TIMEOUT, SA_REQ_RESEND, SS_SAME);
	expect_trans(SS_REQUESTING, SE_REQ_GIVEUP, SA_REQ_GIVEUP, SS_ACT);
	expect_trans(SS_REQUESTING, SE_QUERY, SA_QUERY, SS_UP);
	expect_trans(SS_UP, SE_QUERY, SA_QUERY, SS_UP);
	/* RFC 7450 5.2.3.5.4: a Query only while waiting for one. */
	expect_no_trans(SE_QUERY, SS_DISCOVERING, SS_INITIAL, SS_DOWN, -1);
}

static void
test_G5_query_timer_row(void **state)
{
	expect_trans(SS_UP, SE_QUERY_TIMER, SA_NEW_CYCLE, SS_REQUESTING);
	assert_null(fsm_lookup(SS_DISCOVERING, SE_QUERY_TIMER));
}

static void
test_G8_G9_G10_rows(void **state)
{
	expect_trans(SS_UP, SE_G_CHANGE, SA_TEARDOWN, SS_SAME);
	/* G9: waiting states keep their retransmissions going. */
	expect_trans(SS_DISCOVERING, SE_ICMP_ERR, SA_NONE, SS_SAME);
	expect_trans(SS_REQUESTING, SE_ICMP_ERR, SA_NONE, SS_SAME);
	expect_trans(SS_UP, SE_ICMP_ERR, SA_ICMP, SS_REQUESTING);
	expect_trans(SS_UP, SE_QUERY_L, SA_LIMIT, SS_ACT);
	expect_trans(SS_REQUESTING, SE_QUERY_L, SA_LIMIT, SS_ACT);
	expect_trans(SS_UP, SE_STOP, SA_STOP, SS_DOWN);
	expect_trans(SS_DISCOVERING, SE_STOP, SA_STOP, SS_DOWN);
	expect_trans(SS_INITIAL, SE_STOP, SA_NONE, SS_DOWN);
}

static void
test_fsm_names(void **state)
{
	int	i;

	for (i = 0; i < SS_MAX; i++)
		assert_string_not_equal(fsm_state_name(i), "?");
	for (i = 0; i < SE_MAX; i++)
		assert_string_not_equal(fsm_event_name(i), "?");
	for (i = SA_NONE; i < SA_MAX; i++)
		assert_string_not_equal(fsm_action_name(i), "?");
	assert_string_equal(fsm_action_name(SA_DISC_RESEND), "disc-resend");
	assert_string_equal(fsm_action_name(SA_MAX), "?");
	assert_string_equal(fsm_state_name(SS_MAX), "?");
	assert_string_equal(fsm_state_name(SS_UP), "up");
}

/* RFC 7450 5.2.3.4.3: random in [1 s, min(2^n s, 120 s)]. */
static void
test_G3_backoff_range(void **state)
{
	unsigned	n, i;
	uint32_t	ms, hi;

	assert_int_equal(fsm_backoff_max_ms(1, 0, 120), 1000);
	assert_int_equal(fsm_backoff_max_ms(1, 3, 120), 8000);
	assert_int_equal(fsm_backoff_max_ms(1, 7, 120), 120000);
	assert_int_equal(fsm_backoff_max_ms(1, 40, 120), 120000);
	assert_int_equal(fsm_backoff_max_ms(2, 2, 120), 8000);
	for (n = 0; n < 10; n++) {
		hi = fsm_backoff_max_ms(1, n, 120);
		for (i = 0; i < 200; i++) {
			ms = fsm_backoff_ms(1, n, 120);
			assert_true(ms >= 1000 && ms <= hi);
		}
	}
}

/* ---- the local membership database ---- */

static struct mcast_record
rec(uint8_t type, const char *group, const uint8_t *srcs, uint16_t nsrc)
{
	struct mcast_record	r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	assert_int_equal(ip_parse(group, &r.group), 0);
	r.srcs = srcs;
	r.nsrc = nsrc;
	return (r);
}

static void
test_G1_lmdb_ssm_join_leave(void **state)
{
	static const uint8_t	s1[] = { 10, 1, 0, 1 }, s2[] = { 10, 1, 0, 2 };
	struct mcast_record	r;
	struct lgroup		*g;
	struct lmdb		db;

	lmdb_init(&db);
	r = rec(MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", s1, 1);
	assert_true(lmdb_apply(&db, &r));
	assert_false(lmdb_apply(&db, &r));
	r = rec(MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", s2, 1);
	assert_true(lmdb_apply(&db, &r));
	g = lmdb_find(&db, &r.group);
	assert_non_null(g);
	assert_int_equal(g->mode, LM_INCLUDE);
	assert_int_equal(g->nsrc, 2);
	r = rec(MCAST_BLOCK_OLD_SOURCES, "232.1.1.1", s1, 1);
	assert_true(lmdb_apply(&db, &r));
	assert_int_equal(g->nsrc, 1);
	r = rec(MCAST_BLOCK_OLD_SOURCES, "232.1.1.1", s2, 1);
	assert_true(lmdb_apply(&db, &r));
	assert_false(lgroup_active(g));
	assert_int_equal(lmdb_count(&db, AF_UNSPEC), 0);
	lmdb_prune(&db);
	assert_null(lmdb_find(&db, &r.group));
	lmdb_clear(&db);
}

static void
test_G1_lmdb_asm_and_current_state(void **state)
{
	static const uint8_t	s1[] = { 10, 1, 0, 1 };
	struct mcast_record	r;
	struct lgroup		*g;
	struct lmdb		db;

	lmdb_init(&db);
	/* IGMPv2 join as presented by mcast.c: TO_EX {}. */
	r = rec(MCAST_CHANGE_TO_EXCLUDE, "239.1.1.1", NULL, 0);
	assert_true(lmdb_apply(&db, &r));
	g = lmdb_find(&db, &r.group);
	assert_int_equal(g->mode, LM_EXCLUDE);
	assert_true(lmdb_has_family(&db, AF_INET));
	assert_false(lmdb_has_family(&db, AF_INET6));
	/* BLOCK in EXCLUDE mode adds to the exclude list. */
	r = rec(MCAST_BLOCK_OLD_SOURCES, "239.1.1.1", s1, 1);
	assert_true(lmdb_apply(&db, &r));
	assert_int_equal(g->nsrc, 1);
	/* A current-state record replaces the state. */
	r = rec(MCAST_MODE_IS_EXCLUDE, "239.1.1.1", NULL, 0);
	assert_true(lmdb_apply(&db, &r));
	assert_int_equal(g->nsrc, 0);
	/* Leave: TO_IN {}. */
	r = rec(MCAST_CHANGE_TO_INCLUDE, "239.1.1.1", NULL, 0);
	assert_true(lmdb_apply(&db, &r));
	assert_false(lgroup_active(g));
	/* BLOCK or TO_IN {} for an unknown group creates nothing. */
	r = rec(MCAST_BLOCK_OLD_SOURCES, "232.9.9.9", s1, 1);
	assert_false(lmdb_apply(&db, &r));
	assert_null(lmdb_find(&db, &r.group));
	lmdb_clear(&db);
}

static void
test_G1_linklocal_groups(void **state)
{
	struct amt_ip	g;

	ip_parse("224.0.0.22", &g);
	assert_true(mcast_is_linklocal(&g));
	ip_parse("ff02::16", &g);
	assert_true(mcast_is_linklocal(&g));
	ip_parse("ff02::1:ff0a:1", &g);
	assert_true(mcast_is_linklocal(&g));
	ip_parse("232.1.1.1", &g);
	assert_false(mcast_is_linklocal(&g));
	ip_parse("ff3e::8000:1", &g);
	assert_false(mcast_is_linklocal(&g));
	ip_parse("ff05::1", &g);
	assert_false(mcast_is_linklocal(&g));
}

/* G12: the data path's look-up: joined group, source allowed. */
static void
test_G12_lmdb_permits_filter(void **state)
{
	static const uint8_t	s1[] = { 10, 1, 0, 1 };
	static const uint8_t	s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct mcast_record	r;
	struct amt_ip		a1, a2, g2, b6, g6;
	struct lmdb		db;

	lmdb_init(&db);
	ip_parse("10.1.0.1", &a1);
	ip_parse("10.1.0.2", &a2);
	ip_parse("232.1.1.2", &g2);
	r = rec(MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", s1, 1);
	assert_true(lmdb_apply(&db, &r));
	assert_int_equal(lmdb_permits(&db, &r.group, &a1), GD_PASS);
	assert_int_equal(lmdb_permits(&db, &r.group, &a2),
	    GD_SOURCE_EXCLUDED);
	assert_int_equal(lmdb_permits(&db, &g2, &a1), GD_NOT_JOINED);
	/* EXCLUDE {s1}: every source but s1. */
	r = rec(MCAST_CHANGE_TO_EXCLUDE, "239.1.1.1", s1, 1);
	assert_true(lmdb_apply(&db, &r));
	assert_int_equal(lmdb_permits(&db, &r.group, &a1),
	    GD_SOURCE_EXCLUDED);
	assert_int_equal(lmdb_permits(&db, &r.group, &a2), GD_PASS);
	/* IPv6, INCLUDE {2001:db8::1}. */
	r = rec(MCAST_ALLOW_NEW_SOURCES, "ff3e::8000:1", s6, 1);
	assert_true(lmdb_apply(&db, &r));
	ip_parse("2001:db8::1", &a1);
	ip_parse("2001:db8::2", &b6);
	assert_int_equal(lmdb_permits(&db, &r.group, &a1), GD_PASS);
	assert_int_equal(lmdb_permits(&db, &r.group, &b6),
	    GD_SOURCE_EXCLUDED);
	ip_parse("ff3e::8000:2", &g6);
	assert_int_equal(lmdb_permits(&db, &g6, &a1), GD_NOT_JOINED);
	/* Left: INCLUDE {} is no membership. */
	r = rec(MCAST_BLOCK_OLD_SOURCES, "ff3e::8000:1", s6, 1);
	assert_true(lmdb_apply(&db, &r));
	assert_int_equal(lmdb_permits(&db, &r.group, &a1), GD_NOT_JOINED);
	lmdb_clear(&db);
}

/* G12: many groups through the hash index, each found and removed. */
static void
test_G12_lmdb_index_many_groups(void **state)
{
	static const uint8_t	s1[] = { 10, 1, 0, 1 };
	struct mcast_record	r;
	struct amt_ip		a1;
	struct lmdb		db;
	char			g[32];
	int			i;

	lmdb_init(&db);
	ip_parse("10.1.0.1", &a1);
	for (i = 0; i < 1000; i++) {
		snprintf(g, sizeof(g), "232.1.%d.%d", i / 256, i % 256);
		r = rec(MCAST_ALLOW_NEW_SOURCES, g, s1, 1);
		assert_true(lmdb_apply(&db, &r));
	}
	for (i = 0; i < 1000; i += 2) {
		snprintf(g, sizeof(g), "232.1.%d.%d", i / 256, i % 256);
		r = rec(MCAST_BLOCK_OLD_SOURCES, g, s1, 1);
		assert_true(lmdb_apply(&db, &r));
	}
	lmdb_prune(&db);
	assert_int_equal(db.ngroups, 500);
	for (i = 0; i < 1000; i++) {
		snprintf(g, sizeof(g), "232.1.%d.%d", i / 256, i % 256);
		r = rec(MCAST_ALLOW_NEW_SOURCES, g, s1, 1);
		assert_int_equal(lmdb_permits(&db, &r.group, &a1),
		    i % 2 ? GD_PASS : GD_NOT_JOINED);
	}
	lmdb_clear(&db);
	assert_int_equal(db.ngroups, 0);
}

/*
 * G12: an IGMPv2/MLDv1 join (TO_EX {}) does not turn a source-specific
 * join into an any-source one; its leave applies; for a group without
 * source-specific state it is an any-source join.
 */
static void
test_G12_lmdb_old_report_keeps_ssm(void **state)
{
	static const uint8_t	s1[] = { 10, 1, 0, 1 };
	struct mcast_record	r;
	struct lgroup		*g;
	struct lmdb		db;

	lmdb_init(&db);
	r = rec(MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", s1, 1);
	assert_true(lmdb_apply(&db, &r));
	r = rec(MCAST_CHANGE_TO_EXCLUDE, "232.1.1.1", NULL, 0);
	assert_false(lmdb_apply_old(&db, &r));
	g = lmdb_find(&db, &r.group);
	assert_int_equal(g->mode, LM_INCLUDE);
	assert_int_equal(g->nsrc, 1);
	r = rec(MCAST_CHANGE_TO_INCLUDE, "232.1.1.1", NULL, 0);
	assert_true(lmdb_apply_old(&db, &r));
	assert_false(lgroup_active(g));
	r = rec(MCAST_CHANGE_TO_EXCLUDE, "239.2.2.2", NULL, 0);
	assert_true(lmdb_apply_old(&db, &r));
	assert_int_equal(lmdb_find(&db, &r.group)->mode, LM_EXCLUDE);
	lmdb_clear(&db);
}

static void
test_G6_lgroup_record_types(void **state)
{
	static const uint8_t	s1[] = { 10, 1, 0, 1 };
	struct mcast_record	r, out;
	uint8_t			buf[64];
	struct lgroup		*g;
	struct lmdb		db;

	lmdb_init(&db);
	r = rec(MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", s1, 1);
	lmdb_apply(&db, &r);
	g = lmdb_find(&db, &r.group);
	lgroup_record(g, true, &out, buf, sizeof(buf));
	assert_int_equal(out.type, MCAST_MODE_IS_INCLUDE);
	assert_int_equal(out.nsrc, 1);
	assert_memory_equal(out.srcs, s1, 4);
	lgroup_record(g, false, &out, buf, sizeof(buf));
	assert_int_equal(out.type, MCAST_CHANGE_TO_INCLUDE);
	g->mode = LM_EXCLUDE;
	lgroup_record(g, true, &out, buf, sizeof(buf));
	assert_int_equal(out.type, MCAST_MODE_IS_EXCLUDE);
	lgroup_record(g, false, &out, buf, sizeof(buf));
	assert_int_equal(out.type, MCAST_CHANGE_TO_EXCLUDE);
	lmdb_clear(&db);
}

/* ---- a session against a relay socket on 127.0.0.1 ---- */

struct fixture {
	struct gateway	 gw;
	int		 relay;		/* the "relay" */
	struct sockaddr_in gwsa;	/* the gateway as the relay sees it */
};

static int	fx_setup_mode(void **, const char *);

/* A "relay": a UDP socket on 127.0.0.1, its address in sin. */
static int
fx_relay_socket(struct sockaddr_in *sin)
{
	struct sockaddr_storage	ss;
	int			fd;

	fd = gwfix_relay_socket(AF_INET, 0, &ss);
	assert_true(fd != -1);
	memcpy(sin, &ss, sizeof(*sin));
	return fd;
}

static int
fx_setup(void **state)
{
	return (fx_setup_mode(state, "-R"));
}

static int
fx_setup_disc(void **state)
{
	return (fx_setup_mode(state, "-r"));
}

static int
fx_setup_mode(void **state, const char *mode)
{
	struct fixture		*fx;
	struct sockaddr_in	 sin;

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->relay = fx_relay_socket(&sin);
	gwfix_gateway(&fx->gw, mode, ntohs(sin.sin_port));
	*state = fx;
	return (0);
}

static int
fx_teardown(void **state)
{
	struct fixture	*fx = *state;

	gwfix_gateway_free(&fx->gw);
	close(fx->relay);
	free(fx);
	return (0);
}

/* The ecn option as parsed from a command line with opt (or none). */
static bool
fx_conf_ecn(const char *opt)
{
	struct gw_conf	 c;
	char		 o[16];
	char		*argv[] = { "amtgwd", "-R", "127.0.0.1", o, NULL };

	snprintf(o, sizeof(o), "%s", opt != NULL ? opt : "-d");
	assert_int_equal(conf_parse(&c, 4, argv), -1);
	return (c.ecn);
}

/* Run the loop until the relay socket has a datagram (or ms pass). */
static ssize_t
fx_recv(struct fixture *fx, uint8_t *buf, size_t len, int ms,
    struct amt_msg *m)
{
	return (gwfix_recv(&fx->gw, fx->relay, buf, len, ms,
	    (struct sockaddr *)&fx->gwsa, sizeof(fx->gwsa), m));
}

/* Let the gateway process what the relay sent. */
static void
fx_run(struct fixture *fx, int ms)
{
	gwfix_run(&fx->gw, ms);
}

static void
fx_send(struct fixture *fx, const struct amt_msg *m)
{
	uint8_t	buf[512];
	ssize_t	n = amt_encode(m, buf, sizeof(buf));

	assert_true(n > 0);
	assert_int_equal(sendto(fx->relay, buf, (size_t)n, 0,
	    (struct sockaddr *)&fx->gwsa, sizeof(fx->gwsa)), n);
}

static void
fx_query(struct fixture *fx, uint32_t nonce, uint8_t flags, uint16_t gwport)
{
	struct mcast_query_params	qp;
	static uint8_t			inner[128];
	struct amt_msg			m;
	ssize_t				len;

	memset(&qp, 0, sizeof(qp));
	ip_parse("10.2.0.1", &qp.src);
	qp.qrv = 2;
	qp.qqi = 125;
	qp.max_resp_ms = 100;
	len = mcast_build_query(&qp, inner, sizeof(inner));
	assert_true(len > 0);
	memset(&m, 0, sizeof(m));
	m.type = AMT_MEMBERSHIP_QUERY;
	m.flags = flags;
	m.nonce = nonce;
	memcpy(m.mac, "\x01\x02\x03\x04\x05\x06", 6);
	m.mac[5] ^= (uint8_t)gwport;
	m.inner = inner;
	m.inner_len = (size_t)len;
	m.gw_port = gwport;
	m.gw_addr[15] = 7;
	fx_send(fx, &m);
}

/* Bring the session up: Request -> Query.  Returns the Request nonce. */
static uint32_t
fx_up(struct fixture *fx, uint8_t flags, uint16_t gwport)
{
	uint8_t		buf[2048];
	struct amt_msg	m;

	assert_true(fx_recv(fx, buf, sizeof(buf), 3000, &m) > 0);
	assert_int_equal(m.type, AMT_REQUEST);
	fx_query(fx, m.nonce, flags, gwport);
	fx_run(fx, 100);
	assert_int_equal(fx->gw.sess.state, SS_UP);
	return (m.nonce);
}

static void
fx_local_report(struct fixture *fx, uint8_t type, const char *group,
    const char *src)
{
	gwfix_report(&fx->gw, type, group, src);
}

/*
 * G2: Relay Discovery with a non-zero nonce kept across retransmissions;
 * an Advertisement with another nonce, or from another port, is ignored.
 */
static void
test_G2_discovery_nonce_and_source(void **state)
{
	struct fixture		*fx = *state;
	struct sockaddr_in	 from;
	struct amt_msg		 m, adv;
	uint8_t			 buf[2048];
	ssize_t			 n;
	uint32_t		 nonce;
	int			 other;

	session_fsm(&fx->gw.sess, SE_START);
	assert_int_equal(fx->gw.sess.state, SS_DISCOVERING);
	assert_true(fx_recv(fx, buf, sizeof(buf), 3000, &m) > 0);
	assert_int_equal(m.type, AMT_RELAY_DISCOVERY);
	assert_int_not_equal(m.nonce, 0);
	/* RFC 9601 6.1.4.2: E in the Relay Discovery (ecn, the default). */
	assert_int_equal(buf[1], AMT_REQ_FLAG_E);
	nonce = m.nonce;
	assert_true(fx_recv(fx, buf, sizeof(buf), 3000, &m) > 0);
	assert_int_equal(m.type, AMT_RELAY_DISCOVERY);
	assert_int_equal(m.nonce, nonce);
	/* Every other retransmission without E, for relays that drop it. */
	assert_int_equal(buf[1], 0);
	memset(&adv, 0, sizeof(adv));
	adv.type = AMT_RELAY_ADVERTISEMENT;
	adv.nonce = nonce + 1;
	ip_parse("127.0.0.1", &adv.relay);
	fx_send(fx, &adv);
	fx_run(fx, 100);
	assert_int_equal(fx->gw.sess.state, SS_DISCOVERING);
	assert_int_equal(fx->gw.st.advert_ignored, 1);
	/* The right nonce from another port never reaches the session. */
	adv.nonce = nonce;
	other = socket(AF_INET, SOCK_DGRAM, 0);
	n = amt_encode(&adv, buf, sizeof(buf));
	from = fx->gwsa;
	assert_int_equal(sendto(other, buf, (size_t)n, 0,
	    (struct sockaddr *)&from, sizeof(from)), n);
	fx_run(fx, 100);
	close(other);
	assert_int_equal(fx->gw.sess.state, SS_DISCOVERING);
	fx_send(fx, &adv);
	fx_run(fx, 100);
	assert_int_equal(fx->gw.sess.cnt.relay_advertisement, 1);
	assert_int_equal(fx->gw.sess.state, SS_REQUESTING);
	assert_true(fx_recv(fx, buf, sizeof(buf), 3000, &m) > 0);
	assert_int_equal(m.type, AMT_REQUEST);
}

/* G4: P from the family wanted, nonce checked; a wrong nonce is ignored. */
static void
test_G4_request_and_query_nonce(void **state)
{
	struct fixture	*fx = *state;
	uint8_t		 buf[2048];
	struct amt_msg	 m;

	session_fsm(&fx->gw.sess, SE_START);
	assert_int_equal(fx->gw.sess.state, SS_REQUESTING);
	assert_true(fx_recv(fx, buf, sizeof(buf), 3000, &m) > 0);
	assert_int_equal(m.type, AMT_REQUEST);
	assert_int_equal(m.flags & AMT_REQ_FLAG_P, 0);
	/* RFC 9601 6.1.4.2: E set, the gateway propagates ECN (default). */
	assert_int_equal(m.flags, AMT_REQ_FLAG_E);
	assert_int_not_equal(m.nonce, 0);
	fx_query(fx, m.nonce + 1, 0, 0);
	fx_run(fx, 100);
	assert_int_equal(fx->gw.sess.state, SS_REQUESTING);
	assert_int_equal(fx->gw.st.query_ignored, 1);
	fx_query(fx, m.nonce, 0, 0);
	fx_run(fx, 100);
	assert_int_equal(fx->gw.sess.state, SS_UP);
	assert_int_equal(fx->gw.sess.cnt.membership_query, 1);
	/* RFC 7450 5.2.3.5.4: only one Query per Request. */
	fx_query(fx, m.nonce, 0, 0);
	fx_run(fx, 100);
	assert_int_equal(fx->gw.st.query_ignored, 2);
	/* G4: a new cycle has a new nonce. */
	session_fsm(&fx->gw.sess, SE_QUERY_TIMER);
	assert_int_equal(fx->gw.sess.state, SS_REQUESTING);
	assert_true(fx_recv(fx, buf, sizeof(buf), 3000, &m) > 0);
	assert_int_equal(m.type, AMT_REQUEST);
	assert_int_not_equal(m.nonce, fx->gw.sess.q_nonce);
}

/* G3: the Request is retransmitted with the same nonce after ~1 s. */
static void
test_G3_request_retransmitted_same_nonce(void **state)
{
	struct fixture	*fx = *state;
	uint8_t		 buf[2048];
	struct amt_msg	 m;
	uint32_t	 nonce;
	time_t		 t0;

	session_fsm(&fx->gw.sess, SE_START);
	assert_true(fx_recv(fx, buf, sizeof(buf), 3000, &m) > 0);
	nonce = m.nonce;
	t0 = time(NULL);
	assert_true(fx_recv(fx, buf, sizeof(buf), 3000, &m) > 0);
	assert_int_equal(m.type, AMT_REQUEST);
	assert_int_equal(m.nonce, nonce);
	assert_true(time(NULL) - t0 <= 2);
	assert_int_equal(fx->gw.sess.req_retry, 1);
	/* RFC 9601 6.1.4.2: E on the first, not on every other retry. */
	assert_int_equal(m.flags & AMT_REQ_FLAG_E, 0);
	assert_true(fx_recv(fx, buf, sizeof(buf), 5000, &m) > 0);
	assert_int_equal(m.nonce, nonce);
	assert_int_equal(m.flags & AMT_REQ_FLAG_E, AMT_REQ_FLAG_E);
}

/*
 * G6: a report before any Query is sent when the Query arrives; a state
 * change after it goes out at once with the Query's nonce and MAC, and is
 * repeated QRV - 1 = 1 time.
 */
static void
test_G6_updates_nonce_mac_and_repeat(void **state)
{
	struct fixture		*fx = *state;
	uint8_t			 buf[2048];
	struct amt_msg		 m;
	struct mcast_report	 rep;
	struct mcast_record	 r;
	uint32_t		 nonce;

	fx_local_report(fx, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", "10.1.0.1");
	assert_int_equal(lmdb_count(&fx->gw.db, AF_INET), 1);
	session_fsm(&fx->gw.sess, SE_START);
	nonce = fx_up(fx, 0, 0);
	/* The state learnt before the Query: IS_IN (10.1.0.1). */
	assert_true(fx_recv(fx, buf, sizeof(buf), 1000, &m) > 0);
	assert_int_equal(m.type, AMT_MEMBERSHIP_UPDATE);
	assert_int_equal(m.nonce, nonce);
	assert_memory_equal(m.mac, "\x01\x02\x03\x04\x05\x06", 6);
	assert_int_equal(mcast_report_parse(m.inner, m.inner_len, &rep), 0);
	assert_int_equal(mcast_report_next(&rep, &r), 1);
	assert_int_equal(r.type, MCAST_MODE_IS_INCLUDE);
	/* A state change: sent at once... */
	fx_local_report(fx, MCAST_ALLOW_NEW_SOURCES, "232.1.1.2", "10.1.0.1");
	assert_true(fx_recv(fx, buf, sizeof(buf), 500, &m) > 0);
	assert_int_equal(m.type, AMT_MEMBERSHIP_UPDATE);
	assert_int_equal(mcast_report_parse(m.inner, m.inner_len, &rep), 0);
	assert_int_equal(mcast_report_next(&rep, &r), 1);
	assert_int_equal(r.type, MCAST_ALLOW_NEW_SOURCES);
	/* ...and repeated once about 1 s later, as its current state. */
	assert_true(fx_recv(fx, buf, sizeof(buf), 2500, &m) > 0);
	assert_int_equal(m.type, AMT_MEMBERSHIP_UPDATE);
	assert_int_equal(mcast_report_parse(m.inner, m.inner_len, &rep), 0);
	assert_int_equal(mcast_report_next(&rep, &r), 1);
	assert_int_equal(r.type, MCAST_CHANGE_TO_INCLUDE);
	assert_int_equal(fx_recv(fx, buf, sizeof(buf), 1500, &m), -1);
}

/* G8: G fields change between Queries: Teardown with the old fields. */
static void
test_G8_teardown_on_gateway_change(void **state)
{
	struct fixture	*fx = *state;
	uint8_t		 buf[2048];
	struct amt_msg	 m;
	uint32_t	 n1;

	fx_local_report(fx, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", "10.1.0.1");
	session_fsm(&fx->gw.sess, SE_START);
	n1 = fx_up(fx, AMT_QUERY_FLAG_G, 1111);
	assert_true(fx_recv(fx, buf, sizeof(buf), 1000, &m) > 0);
	assert_int_equal(m.type, AMT_MEMBERSHIP_UPDATE);
	session_fsm(&fx->gw.sess, SE_QUERY_TIMER);
	fx_up(fx, AMT_QUERY_FLAG_G, 2222);
	do {
		assert_true(fx_recv(fx, buf, sizeof(buf), 1000, &m) > 0);
	} while (m.type != AMT_TEARDOWN);
	assert_int_equal(m.nonce, n1);
	assert_int_equal(m.gw_port, 1111);
	assert_int_equal(m.mac[5], 0x06 ^ (uint8_t)1111);
	assert_int_equal(m.gw_addr[15], 7);
	/* Shutdown with G: a Teardown with the current fields. */
	session_fsm(&fx->gw.sess, SE_STOP);
	assert_int_equal(fx->gw.sess.state, SS_DOWN);
	do {
		assert_true(fx_recv(fx, buf, sizeof(buf), 1000, &m) > 0);
	} while (m.type != AMT_TEARDOWN || m.gw_port != 2222);
}

/* G8: shutdown without G: an Update deleting the state. */
static void
test_G8_shutdown_update_deletes(void **state)
{
	struct fixture		*fx = *state;
	uint8_t			 buf[2048];
	struct amt_msg		 m;
	struct mcast_report	 rep;
	struct mcast_record	 r;

	fx_local_report(fx, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", "10.1.0.1");
	session_fsm(&fx->gw.sess, SE_START);
	fx_up(fx, 0, 0);
	assert_true(fx_recv(fx, buf, sizeof(buf), 1000, &m) > 0);
	session_fsm(&fx->gw.sess, SE_STOP);
	assert_true(fx_recv(fx, buf, sizeof(buf), 1000, &m) > 0);
	assert_int_equal(m.type, AMT_MEMBERSHIP_UPDATE);
	assert_int_equal(mcast_report_parse(m.inner, m.inner_len, &rep), 0);
	assert_int_equal(mcast_report_next(&rep, &r), 1);
	assert_int_equal(r.type, MCAST_BLOCK_OLD_SOURCES);
	assert_int_equal(r.nsrc, 1);
}

/*
 * Data from the relay: an IPv4 UDP packet from 10.1.0.1 to dst (4 bytes)
 * with TOS inner_tos, in an outer header with TOS tos (IP_TOS).
 */
static void
fx_send_data(struct fixture *fx, int tos, uint8_t inner_tos, const char *dst)
{
	uint8_t		inner[28];
	struct amt_msg	m;

	assert_int_equal(setsockopt(fx->relay, IPPROTO_IP, IP_TOS, &tos,
	    sizeof(tos)), 0);
	memset(inner, 0, sizeof(inner));
	inner[0] = 0x45;
	inner[1] = inner_tos;
	inner[3] = sizeof(inner);
	inner[8] = 1;
	inner[9] = 17;
	memcpy(inner + 12, "\x0a\x01\x00\x01", 4);
	memcpy(inner + 16, dst, 4);
	memset(&m, 0, sizeof(m));
	m.type = AMT_MULTICAST_DATA;
	m.inner = inner;
	m.inner_len = sizeof(inner);
	fx_send(fx, &m);
	fx_run(fx, 100);
}

#define FX_UNICAST	"\x0a\x02\x00\x05"
#define FX_GROUP	"\xe8\x01\x01\x01"

/* The host joined (10.1.0.1, 232.1.1.1), as the kernel reports it. */
static void
fx_join_group(struct fixture *fx)
{
	struct amt_ip	g, s;

	fx_local_report(fx, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", "10.1.0.1");
	ip_parse("232.1.1.1", &g);
	ip_parse("10.1.0.1", &s);
	assert_int_equal(lmdb_permits(&fx->gw.db, &g, &s), GD_PASS);
}

/* G7: Data only with a multicast inner destination goes on (to the tun). */
static void
test_G7_data_not_multicast_dropped(void **state)
{
	struct fixture	*fx = *state;

	session_fsm(&fx->gw.sess, SE_START);
	fx_up(fx, 0, 0);
	fx_join_group(fx);
	fx_send_data(fx, 0, 0, FX_UNICAST);
	assert_int_equal(fx->gw.st.data_not_multicast, 1);
	/* Multicast: passed to the tun (no tun here: a counted error). */
	fx_send_data(fx, 0, 0, FX_GROUP);
	assert_int_equal(fx->gw.st.data_not_multicast, 1);
	assert_int_equal(fx->gw.st.tun_write_errors >= 1, 1);
}

/* G4, R15: with ecn no, E stays 0 in Requests and Discoveries. */
static void
test_G4_R15_no_ecn_no_E(void **state)
{
	struct fixture	*fx = *state;
	uint8_t		 buf[2048];
	struct amt_msg	 m;

	fx->gw.conf.ecn = false;
	session_fsm(&fx->gw.sess, SE_START);
	assert_true(fx_recv(fx, buf, sizeof(buf), 3000, &m) > 0);
	assert_int_equal(m.type, AMT_REQUEST);
	assert_int_equal(buf[1], 0);
	/* Through the option table as well. */
	assert_int_equal(fx_conf_ecn("--ecn=no"), false);
	assert_int_equal(fx_conf_ecn("--ecn"), true);
	assert_int_equal(fx_conf_ecn(NULL), true);
}

/*
 * R15, RFC 6040 4.2: the outer ECN comes from the kernel (IP_RECVTOS):
 * outer CE drops a Not-ECT inner packet and marks an ECT(0) one; with
 * ecn no the outer field is ignored.
 */
static void
test_R15_data_outer_ce(void **state)
{
	struct fixture	*fx = *state;
	uint64_t	 w0;

	session_fsm(&fx->gw.sess, SE_START);
	fx_up(fx, 0, 0);
	fx_join_group(fx);
	/* No tun here: what passes is counted as a tun write error. */
	w0 = fx->gw.st.tun_write_errors;
	fx_send_data(fx, ECN_CE, ECN_NOT_ECT, FX_GROUP);
	assert_int_equal(fx->gw.st.ecn_ce_drops, 1);
	assert_int_equal(fx->gw.st.tun_write_errors, w0 + 0);
	fx_send_data(fx, ECN_CE, ECN_ECT0, FX_GROUP);
	assert_int_equal(fx->gw.st.ecn_ce_marked, 1);
	assert_int_equal(fx->gw.st.tun_write_errors, w0 + 1);
	fx_send_data(fx, ECN_ECT0, ECN_NOT_ECT, FX_GROUP);
	assert_int_equal(fx->gw.st.ecn_ce_drops, 1);
	assert_int_equal(fx->gw.st.ecn_alarms, 2);
	fx->gw.conf.ecn = false;
	fx_send_data(fx, ECN_CE, ECN_NOT_ECT, FX_GROUP);
	assert_int_equal(fx->gw.st.ecn_ce_drops, 1);
	assert_int_equal(fx->gw.st.tun_write_errors, w0 + 3);
}

/* Data carrying the inner packet p as is (not through the encoder). */
static void
fx_send_inner(struct fixture *fx, const uint8_t *p, size_t len)
{
	uint8_t	buf[256];

	assert_true(len + 2 <= sizeof(buf));
	buf[0] = AMT_MULTICAST_DATA;
	buf[1] = 0;
	memcpy(buf + 2, p, len);
	assert_int_equal(sendto(fx->relay, buf, len + 2, 0,
	    (struct sockaddr *)&fx->gwsa, sizeof(fx->gwsa)), (ssize_t)(len + 2));
	fx_run(fx, 50);
}

/* An IPv4 packet src -> dst of protocol proto, 28 octets, into p. */
static size_t
fx_inner4(uint8_t *p, const char *src, const char *dst, uint8_t proto)
{
	struct amt_ip	a;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[3] = 28;
	p[8] = 1;
	p[9] = proto;
	ip_parse(src, &a);
	memcpy(p + 12, a.u.b, 4);
	ip_parse(dst, &a);
	memcpy(p + 16, a.u.b, 4);
	return 28;
}

/* An IPv6 packet src -> dst, next header nh, with plen octets after. */
static size_t
fx_inner6(uint8_t *p, const char *src, const char *dst, uint8_t nh,
    size_t plen)
{
	struct amt_ip	a;

	memset(p, 0, 40 + plen);
	p[0] = 0x60;
	p[5] = (uint8_t)plen;
	p[6] = nh;
	p[7] = 255;
	ip_parse(src, &a);
	memcpy(p + 8, a.u.b, 16);
	ip_parse(dst, &a);
	memcpy(p + 24, a.u.b, 16);
	return 40 + plen;
}

#define FX_DROPS(fx, w)	((fx)->gw.st.data_drops[(w)])

/*
 * G12, RFC 7450 6.2: only the joined (S,G) goes to the tun; unjoined
 * groups and sources, link-local groups, IGMP, ICMPv6 (behind extension
 * headers too) and malformed headers are dropped, each counted.
 */
static void
test_G12_data_only_what_host_joined(void **state)
{
	struct fixture	*fx = *state;
	uint8_t		 p[128];
	uint64_t	 w0;
	size_t		 n;

	session_fsm(&fx->gw.sess, SE_START);
	fx_up(fx, 0, 0);
	fx_join_group(fx);
	w0 = fx->gw.st.tun_write_errors;
	fx_send_inner(fx, p, fx_inner4(p, "10.1.0.1", "232.1.1.1", 17));
	assert_int_equal(fx->gw.st.tun_write_errors, w0 + 1);
	fx_send_inner(fx, p, fx_inner4(p, "10.1.0.9", "232.1.1.1", 17));
	assert_int_equal(FX_DROPS(fx, GD_SOURCE_EXCLUDED), 1);
	fx_send_inner(fx, p, fx_inner4(p, "10.1.0.1", "232.1.1.2", 17));
	assert_int_equal(FX_DROPS(fx, GD_NOT_JOINED), 1);
	fx_send_inner(fx, p, fx_inner4(p, "10.1.0.1", "224.0.0.1", 17));
	assert_int_equal(FX_DROPS(fx, GD_LINK_LOCAL), 1);
	fx_send_inner(fx, p, fx_inner4(p, "10.1.0.1", "232.1.1.1", 2));
	assert_int_equal(FX_DROPS(fx, GD_CONTROL_PROTOCOL), 1);
	/* IHL 60 > total length 28: the decoder refuses it (W8). */
	n = fx_inner4(p, "10.1.0.1", "232.1.1.1", 17);
	p[0] = 0x4f;
	fx_send_inner(fx, p, n);
	assert_int_equal(fx->gw.st.rx_bad_message, 1);
	/* A Router Advertisement to ff02::1. */
	n = fx_inner6(p, "fe80::1", "ff02::1", 58, 16);
	p[40] = 134;
	fx_send_inner(fx, p, n);
	assert_int_equal(FX_DROPS(fx, GD_CONTROL_PROTOCOL), 2);
	/* UDP to ff02::1; ICMPv6 behind Hop-by-Hop to a global group. */
	fx_send_inner(fx, p, fx_inner6(p, "fe80::1", "ff02::1", 17, 8));
	assert_int_equal(FX_DROPS(fx, GD_LINK_LOCAL), 2);
	n = fx_inner6(p, "2001:db8::1", "ff3e::1", 0, 16);
	p[40] = 58;
	fx_send_inner(fx, p, n);
	assert_int_equal(FX_DROPS(fx, GD_CONTROL_PROTOCOL), 3);
	/* An extension header longer than the payload, then UDP. */
	n = fx_inner6(p, "2001:db8::1", "ff3e::1", 60, 8);
	p[40] = 17;
	p[41] = 4;
	fx_send_inner(fx, p, n);
	assert_int_equal(FX_DROPS(fx, GD_MALFORMED), 1);
	assert_int_equal(fx->gw.st.tun_write_errors, w0 + 1);
}

/*
 * G12: a kernel IGMPv2 report for the joined group leaves it
 * source-specific (no any-source state behind the application's back).
 */
static void
test_G12_igmpv2_report_keeps_ssm(void **state)
{
	struct fixture	*fx = *state;
	struct amt_ip	 from, g;
	struct lgroup	*lg;
	uint8_t		 pkt[64];
	ssize_t		 len;

	session_fsm(&fx->gw.sess, SE_START);
	fx_up(fx, 0, 0);
	fx_join_group(fx);
	ip_parse("169.254.99.1", &from);
	ip_parse("232.1.1.1", &g);
	len = mcast_build_v1report(&from, &g, false, pkt, sizeof(pkt));
	assert_true(len > 0);
	local_input(&fx->gw, pkt, (size_t)len);
	lg = lmdb_find(&fx->gw.db, &g);
	assert_non_null(lg);
	assert_int_equal(lg->mode, LM_INCLUDE);
	assert_int_equal(lg->nsrc, 1);
}

/* G9: the relay goes away: ECONNREFUSED, a new Request cycle, no spin. */
static void
test_G9_icmp_restarts_request_cycle(void **state)
{
	struct fixture	*fx = *state;
	uint8_t		 buf[2048];
	struct amt_msg	 m;

	fx_local_report(fx, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", "10.1.0.1");
	session_fsm(&fx->gw.sess, SE_START);
	fx_up(fx, 0, 0);
	assert_true(fx_recv(fx, buf, sizeof(buf), 1000, &m) > 0);
	close(fx->relay);
	fx->relay = socket(AF_INET, SOCK_DGRAM, 0);
	/* An Update to the closed port draws an ICMP port unreachable. */
	fx_local_report(fx, MCAST_ALLOW_NEW_SOURCES, "232.1.1.3", "10.1.0.1");
	fx_run(fx, 300);
	assert_true(fx->gw.sess.cnt.icmp_errors >= 1);
	assert_int_equal(fx->gw.sess.state, SS_REQUESTING);
	assert_true(fx->gw.sess.cnt.icmp_errors < 10);
}

/* G10: a Query with L: held down, nothing is sent there. */
static void
test_G10_limit_holds_relay_down(void **state)
{
	struct fixture	*fx = *state;
	uint8_t		 buf[2048];
	struct amt_msg	 m;

	fx_local_report(fx, MCAST_ALLOW_NEW_SOURCES, "232.1.1.1", "10.1.0.1");
	session_fsm(&fx->gw.sess, SE_START);
	assert_true(fx_recv(fx, buf, sizeof(buf), 3000, &m) > 0);
	fx_query(fx, m.nonce, AMT_QUERY_FLAG_L, 0);
	fx_run(fx, 100);
	assert_int_equal(fx->gw.sess.state, SS_REQUESTING);
	assert_true(fx->gw.sess.limited);
	assert_int_equal(fx->gw.sess.cnt.limited, 1);
	/* On the monotonic clock: a step of the wall clock changes nothing. */
	assert_true(session_held_down(&fx->gw.sess,
	    (struct sockaddr *)&fx->gw.sess.relay_sa, clock_mono_ms()));
	assert_true(session_held_down(&fx->gw.sess,
	    (struct sockaddr *)&fx->gw.sess.relay_sa, clock_mono_ms() +
	    599 * 1000));
	assert_false(session_held_down(&fx->gw.sess,
	    (struct sockaddr *)&fx->gw.sess.relay_sa, clock_mono_ms() +
	    601 * 1000));
	/* No Update went out with the L Query's MAC. */
	assert_int_equal(fx->gw.sess.cnt.membership_update, 0);
}

/*
 * A second relay and a session to it besides the default one (as DRIAD
 * adds them): the fixture's relay socket swaps with relay2 (fx_swap) so
 * that the helpers talk to either.
 */
struct fixture2 {
	int			 relay;
	struct sockaddr_in	 gwsa;
	struct session		 s;
};

static void
fx_swap(struct fixture *fx, struct fixture2 *f2)
{
	struct sockaddr_in	sa = fx->gwsa;
	int			fd = fx->relay;

	fx->relay = f2->relay;
	fx->gwsa = f2->gwsa;
	f2->relay = fd;
	f2->gwsa = sa;
}

static void
fx_session2_up(struct fixture *fx, struct fixture2 *f2)
{
	struct sockaddr_in	 sin;
	uint8_t			 buf[2048];
	struct amt_msg		 m;

	f2->relay = fx_relay_socket(&sin);
	assert_int_equal(session_init(&fx->gw, &f2->s), 0);
	memcpy(&f2->s.relay_sa, &sin, sizeof(sin));
	sessions_add(&fx->gw, &f2->s);
	session_fsm(&f2->s, SE_START);
	fx_swap(fx, f2);
	assert_true(fx_recv(fx, buf, sizeof(buf), 3000, &m) > 0);
	assert_int_equal(m.type, AMT_REQUEST);
	fx_query(fx, m.nonce, 0, 0);
	fx_run(fx, 100);
	fx_swap(fx, f2);
	assert_int_equal(f2->s.state, SS_UP);
}

/* Read relay2 until an Update whose first record is of type t (or -1). */
static int
fx2_update(struct fixture *fx, struct fixture2 *f2, uint8_t t, int ms)
{
	struct mcast_report	 rep;
	struct mcast_record	 r;
	struct amt_msg		 m;
	uint8_t			 buf[2048];
	int			 found = -1;

	fx_swap(fx, f2);
	while (found == -1 && fx_recv(fx, buf, sizeof(buf), ms, &m) > 0) {
		if (m.type == AMT_MEMBERSHIP_UPDATE &&
		    mcast_report_parse(m.inner, m.inner_len, &rep) == 0 &&
		    mcast_report_next(&rep, &r) == 1 && r.type == t)
			found = (int)r.nsrc;
	}
	fx_swap(fx, f2);
	return found;
}

/* A join, then its leave: repeated to relay2 after the event ev. */
static void
fx_leave_repeated(struct fixture *fx, struct fixture2 *f2, const char *grp,
    void (*ev)(struct fixture *))
{
	struct amt_ip	g;

	ip_parse(grp, &g);
	fx_local_report(fx, MCAST_ALLOW_NEW_SOURCES, grp, "10.1.0.1");
	assert_int_equal(fx2_update(fx, f2, MCAST_ALLOW_NEW_SOURCES, 1000), 1);
	assert_int_equal(fx2_update(fx, f2, MCAST_CHANGE_TO_INCLUDE, 2500), 1);
	fx_local_report(fx, MCAST_BLOCK_OLD_SOURCES, grp, "10.1.0.1");
	assert_int_equal(fx2_update(fx, f2, MCAST_BLOCK_OLD_SOURCES, 1000), 1);
	assert_non_null(lmdb_find(&fx->gw.db, &g));
	ev(fx);
	/* G6: the repeat (TO_IN {}) still reaches relay2 ... */
	assert_int_equal(fx2_update(fx, f2, MCAST_CHANGE_TO_INCLUDE, 2500), 0);
	/* ... and the group left goes from the local table after it. */
	assert_null(lmdb_find(&fx->gw.db, &g));
	assert_int_equal(fx->gw.db.ngroups, 0);
}

static void
fx_stop_default(struct fixture *fx)
{
	session_fsm(&fx->gw.sess, SE_STOP);
	assert_int_equal(fx->gw.sess.state, SS_DOWN);
}

static void
fx_reset_default(struct fixture *fx)
{
	assert_int_equal(sessions_reset_default(&fx->gw), 0);
	assert_int_equal(fx->gw.sess.state, SS_INITIAL);
}

/*
 * G6: the repeats of state changes serve every session: a default
 * session that stops or is replaced (reload) takes them with it neither
 * from the others nor from the pruning of groups left.
 */
static void
test_G6_repeats_survive_default_session(void **state)
{
	struct fixture	*fx = *state;
	struct fixture2	 f2;
	struct sess_counters t;

	session_fsm(&fx->gw.sess, SE_START);
	fx_up(fx, 0, 0);
	fx_session2_up(fx, &f2);
	assert_ptr_equal(sessions_next(&fx->gw, &fx->gw.sess), &f2.s);
	fx_leave_repeated(fx, &f2, "232.1.1.1", fx_stop_default);
	fx_leave_repeated(fx, &f2, "232.1.1.2", fx_reset_default);
	/* The replaced session's counters stay in the totals. */
	sessions_totals(&fx->gw, &t);
	assert_true(t.request >= 2);
	assert_true(t.membership_update >= f2.s.cnt.membership_update + 1);
	session_fsm(&f2.s, SE_STOP);
	sessions_remove(&fx->gw, &f2.s);
	session_free(&f2.s);
	assert_null(sessions_next(&fx->gw, &fx->gw.sess));
	close(f2.relay);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_G2_discovery_rows),
		cmocka_unit_test(test_G3_G4_request_rows),
		cmocka_unit_test(test_G5_query_timer_row),
		cmocka_unit_test(test_G8_G9_G10_rows),
		cmocka_unit_test(test_fsm_names),
		cmocka_unit_test(test_G3_backoff_range),
		cmocka_unit_test(test_G1_lmdb_ssm_join_leave),
		cmocka_unit_test(test_G1_lmdb_asm_and_current_state),
		cmocka_unit_test(test_G1_linklocal_groups),
		cmocka_unit_test(test_G6_lgroup_record_types),
		cmocka_unit_test(test_G12_lmdb_permits_filter),
		cmocka_unit_test(test_G12_lmdb_index_many_groups),
		cmocka_unit_test(test_G12_lmdb_old_report_keeps_ssm),
		cmocka_unit_test_setup_teardown(
		    test_G2_discovery_nonce_and_source, fx_setup_disc,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_G4_request_and_query_nonce, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_G3_request_retransmitted_same_nonce, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_G6_updates_nonce_mac_and_repeat, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_G8_teardown_on_gateway_change, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_G8_shutdown_update_deletes, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_G7_data_not_multicast_dropped, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_G4_R15_no_ecn_no_E, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_R15_data_outer_ce, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_G12_data_only_what_host_joined, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_G12_igmpv2_report_keeps_ssm, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_G9_icmp_restarts_request_cycle, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_G10_limit_holds_relay_down, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_G6_repeats_survive_default_session, fx_setup,
		    fx_teardown),
	};

	log_init(1, LOG_DAEMON, "test_session");
	if (mac_lib_init() == -1)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
