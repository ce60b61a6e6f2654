/*
 * amtrelayd's message handling through real UDP sockets on loopback: the
 * relay's own listen.c / message.c / tunnel.c / membership.c / conf.c on
 * a real event_base, a test gateway socket on 127.0.0.1 or ::1, real
 * datagrams both ways.  Only the data plane (fwd_*) is a recorder, and
 * the monotonic clock (clock_mono_s, clock_mono_ms) is the test's, so that key rotation and its grace
 * time are exercised without waiting.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "amt/clock.h"
#include "relay.h"

#define RELAY4		"127.0.0.1"
#define DISC4		"127.0.0.2"
#define GW_GROUP	"232.1.1.1"
#define GW_SOURCE	"10.0.0.1"

/* The test's clock and data-plane recorder. */
struct world {
	time_t	now;
	int	sg_add, sg_del, g_add, g_del, gone;
};
static struct world	world;

time_t
clock_mono_s(void)
{
	return world.now;
}

uint64_t
clock_mono_ms(void)
{
	return (uint64_t)world.now * 1000;
}

uint64_t
clock_mono_us(void)
{
	return (uint64_t)world.now * 1000000;
}

int
fwd_sg_add(struct relayd *rd, const struct amt_ip *s, const struct amt_ip *g,
    struct tunnel *t)
{
	world.sg_add++;
	return 0;
}

void
fwd_sg_del(struct relayd *rd, const struct amt_ip *s, const struct amt_ip *g,
    struct tunnel *t)
{
	world.sg_del++;
}

int
fwd_g_add(struct relayd *rd, const struct amt_ip *g, struct tunnel *t)
{
	world.g_add++;
	return 0;
}

void
fwd_g_del(struct relayd *rd, const struct amt_ip *g, struct tunnel *t)
{
	world.g_del++;
}

void
fwd_tunnel_gone(struct relayd *rd, struct tunnel *t)
{
	world.gone++;
}

/* tunnel_stop() closes the upstream sockets first; there are none here. */
void
upstream_stop(struct relayd *rd)
{
	rd->up = NULL;
}

struct fixture {
	struct relayd	rd;
	uint16_t	port;
	int		gw;		/* gateway socket on 127.0.0.1 */
	int		gw6;		/* gateway socket on ::1 */
};

/* A free UDP port on loopback for the relay. */
static uint16_t
free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

static int
gw_socket(int family)
{
	struct sockaddr_storage	ss;
	struct amt_ip		ip;
	struct timeval		tv = { 1, 0 };
	int			fd;

	ip_parse(family == AF_INET ? RELAY4 : "::1", &ip);
	ip_to_sa(&ip, 0, &ss);
	fd = socket(family, SOCK_DGRAM, 0);
	assert_true(fd != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss,
	    addr_len((struct sockaddr *)&ss)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Start the relay's control plane as main.c does, with these options. */
static struct fixture *
relay_start(const char *extra)
{
	struct fixture	*f = calloc(1, sizeof(*f));
	char		 line[512], *argv[32], *p;
	char		 portarg[16];
	int		 argc = 0;

	assert_non_null(f);
	memset(&world, 0, sizeof(world));
	world.now = 1000;
	f->port = free_port();
	snprintf(portarg, sizeof(portarg), "%u", f->port);
	snprintf(line, sizeof(line), "amtrelayd -d -i lo -a " RELAY4
	    " -D " DISC4 " -D ::1 --port %s %s", portarg, extra);
	for (p = strtok(line, " "); p != NULL && argc < 31;
	    p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	optind = 0;
	assert_int_equal(conf_parse(&f->rd.conf, argc, argv), -1);
	assert_int_equal(mac_lib_init(), 0);
	f->rd.base = event_base_new();
	assert_non_null(f->rd.base);
	mac_ring_init(&f->rd.macs, f->rd.conf.key_rotate, 2 * f->rd.conf.qqi,
	    world.now);
	assert_int_equal(tunnel_start(&f->rd), 0);
	assert_int_equal(ratelimit_start(&f->rd), 0);
	f->rd.listen_input = msg_input;
	assert_int_equal(listen_start(&f->rd), 0);
	f->gw = gw_socket(AF_INET);
	f->gw6 = gw_socket(AF_INET6);
	return f;
}

static int
setup(void **state)
{
	*state = relay_start("");
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	tunnel_stop(&f->rd);
	ratelimit_stop(&f->rd);
	listen_stop(&f->rd);
	event_base_free(f->rd.base);
	close(f->gw);
	close(f->gw6);
	free(f);
	return 0;
}

/* Let the relay read everything that is queued. */
static void
pump(struct fixture *f)
{
	int	i;

	for (i = 0; i < 64; i++)
		event_base_loop(f->rd.base, EVLOOP_NONBLOCK);
}

static void
send_to(struct fixture *f, int fd, const char *addr, const void *buf,
    size_t len)
{
	struct sockaddr_storage	ss;
	struct amt_ip		ip;

	assert_int_equal(ip_parse(addr, &ip), 0);
	ip_to_sa(&ip, f->port, &ss);
	assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&ss,
	    addr_len((struct sockaddr *)&ss)), (ssize_t)len);
}

/* A reply, or -1 if none arrives; from is where it came from. */
static ssize_t
recv_reply(int fd, uint8_t *buf, size_t len, struct sockaddr_storage *from)
{
	socklen_t	slen = sizeof(*from);

	return recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)from,
	    &slen);
}

static void
send_msg(struct fixture *f, int fd, const char *addr, const struct amt_msg *m)
{
	uint8_t	buf[1500];
	ssize_t	n;

	n = amt_encode(m, buf, sizeof(buf));
	assert_true(n > 0);
	send_to(f, fd, addr, buf, (size_t)n);
	pump(f);
}

/* Request from fd; the decoded Query (inner points into qbuf). */
static void
request(struct fixture *f, int fd, const char *addr, uint8_t flags,
    uint32_t nonce, struct amt_msg *q, uint8_t *qbuf, size_t qlen)
{
	struct amt_msg			m;
	struct sockaddr_storage		from;
	ssize_t				n;

	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	m.flags = flags;
	m.nonce = nonce;
	send_msg(f, fd, addr, &m);
	n = recv_reply(fd, qbuf, qlen, &from);
	assert_true(n > 0);
	assert_int_equal(amt_decode(qbuf, (size_t)n, q), AMT_OK);
	assert_int_equal(q->type, AMT_MEMBERSHIP_QUERY);
}

/* An Update joining GW_SOURCE,GW_GROUP with the given nonce and MAC. */
static size_t
update_build(uint32_t nonce, const uint8_t *mac, bool corrupt, uint8_t *out,
    size_t cap)
{
	struct mcast_record	rec;
	struct amt_msg		m;
	struct amt_ip		src, any;
	uint8_t			rep[256];
	ssize_t			n;

	memset(&rec, 0, sizeof(rec));
	memset(&any, 0, sizeof(any));
	any.family = AF_INET;
	rec.type = MCAST_ALLOW_NEW_SOURCES;
	ip_parse(GW_GROUP, &rec.group);
	ip_parse(GW_SOURCE, &src);
	rec.nsrc = 1;
	rec.srcs = src.u.b;
	n = mcast_build_report(&any, &rec, 1, rep, sizeof(rep));
	assert_true(n > 0);
	if (corrupt)
		rep[n - 1] ^= 0x01;
	memset(&m, 0, sizeof(m));
	m.type = AMT_MEMBERSHIP_UPDATE;
	m.nonce = nonce;
	memcpy(m.mac, mac, AMT_MAC_LEN);
	m.inner = rep;
	m.inner_len = (size_t)n;
	n = amt_encode(&m, out, cap);
	assert_true(n > 0);
	return (size_t)n;
}

static void
update(struct fixture *f, int fd, uint32_t nonce, const uint8_t *mac,
    bool corrupt)
{
	uint8_t	buf[512];
	size_t	n;

	n = update_build(nonce, mac, corrupt, buf, sizeof(buf));
	send_to(f, fd, RELAY4, buf, n);
	pump(f);
}

/* Request then Update from fd: a tunnel (R4). */
static void
join(struct fixture *f, int fd, uint32_t nonce)
{
	struct amt_msg	q;
	uint8_t		qbuf[256];

	request(f, fd, RELAY4, 0, nonce, &q, qbuf, sizeof(qbuf));
	update(f, fd, nonce, q.mac, false);
}

/* R1, R2: Discovery to the anycast address, answered from it. */
static void
test_R2_discovery_answered_from_its_destination(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 from;
	struct amt_msg		 m, a;
	struct amt_ip		 ip;
	uint8_t			 buf[64];
	char			 tmp[ADDR_STRLEN];
	ssize_t			 n;

	memset(&m, 0, sizeof(m));
	m.type = AMT_RELAY_DISCOVERY;
	m.nonce = 0xdeadbeef;
	send_msg(f, f->gw, DISC4, &m);
	n = recv_reply(f->gw, buf, sizeof(buf), &from);
	assert_int_equal(n, AMT_ADVERT_V4_LEN);
	assert_int_equal(amt_decode(buf, (size_t)n, &a), AMT_OK);
	assert_int_equal(a.nonce, 0xdeadbeef);
	assert_string_equal(ip_str(&a.relay, tmp, sizeof(tmp)), RELAY4);
	ip_from_sa((struct sockaddr *)&from, &ip);
	assert_string_equal(ip_str(&ip, tmp, sizeof(tmp)), DISC4);
	assert_int_equal(ntohs(((struct sockaddr_in *)&from)->sin_port),
	    f->port);
	/* RFC 7450 5.3.3.2: to the unicast address just the same. */
	send_msg(f, f->gw, RELAY4, &m);
	assert_int_equal(recv_reply(f->gw, buf, sizeof(buf), &from),
	    AMT_ADVERT_V4_LEN);
	assert_int_equal(f->rd.stats.rx_relay_discovery, 2);
	assert_int_equal(f->rd.stats.tx_relay_advertisement, 2);
}

/* R2: an IPv6 Discovery needs an IPv6 relay address to advertise. */
static void
test_R2_discovery_family_without_relay_address(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 from;
	struct amt_msg		 m;
	uint8_t			 buf[64];

	memset(&m, 0, sizeof(m));
	m.type = AMT_RELAY_DISCOVERY;
	m.nonce = 1;
	send_msg(f, f->gw6, "::1", &m);
	assert_int_equal(recv_reply(f->gw6, buf, sizeof(buf), &from), -1);
	assert_int_equal(f->rd.stats.err_invalid_relay_discovery_address, 1);
}

/* R3, W5, Q1: IGMPv3 query of exactly 48 bytes, nonce and MAC, no state. */
static void
test_R3_R4_request_answered_without_state(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 gwa;
	struct mcast_query	 mq;
	struct amt_msg		 q;
	uint8_t			 qbuf[256], canon[16], mac[AMT_MAC_LEN];
	socklen_t		 len = sizeof(gwa);
	uint16_t		 port;

	request(f, f->gw, RELAY4, 0, 0x01020304, &q, qbuf, sizeof(qbuf));
	assert_int_equal(AMT_QUERY_HDR_LEN + q.inner_len, 48);
	assert_int_equal(q.nonce, 0x01020304);
	assert_int_equal(q.flags & (AMT_QUERY_FLAG_G | AMT_QUERY_FLAG_L), 0);
	getsockname(f->gw, (struct sockaddr *)&gwa, &len);
	addr_canon((struct sockaddr *)&gwa, canon, &port);
	mac_compute(f->rd.macs.cur, canon, port, 0x01020304, mac);
	assert_memory_equal(q.mac, mac, AMT_MAC_LEN);
	assert_int_equal(mcast_query_parse(q.inner, q.inner_len, &mq), 0);
	assert_int_equal(mq.family, AF_INET);
	assert_int_equal(mq.version, 3);
	assert_int_equal(mq.qrv, 2);
	assert_int_equal(mq.qqi, 125);
	/* R4: no tunnel from a Request. */
	assert_int_equal(f->rd.ntunnels, 0);
	assert_int_equal(f->rd.stats.tx_membership_query, 1);
}

/* R3: P=1 asks for an MLDv2 query (88 bytes) from a link-local source. */
static void
test_R3_request_p_flag_mld_query(void **state)
{
	struct fixture		*f = *state;
	struct mcast_query	 mq;
	struct amt_msg		 q;
	uint8_t			 qbuf[256];

	request(f, f->gw, RELAY4, AMT_REQ_FLAG_P, 5, &q, qbuf, sizeof(qbuf));
	assert_int_equal(AMT_QUERY_HDR_LEN + q.inner_len, 88);
	assert_int_equal(mcast_query_parse(q.inner, q.inner_len, &mq), 0);
	assert_int_equal(mq.family, AF_INET6);
	assert_int_equal(mq.version, 2);
	assert_true(IN6_IS_ADDR_LINKLOCAL(&mq.src.u.v6));
}

/* Q2: octet 1 = 0x80 is P only when --linux-p-bit is given. */
static void
test_Q2_linux_p_bit(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 from;
	const uint8_t		 req[8] = { 3, AMT_REQ_FLAG_P_LINUX, 0, 0,
				    1, 2, 3, 4 };
	uint8_t			 buf[256];

	send_to(f, f->gw, RELAY4, req, sizeof(req));
	pump(f);
	assert_int_equal(recv_reply(f->gw, buf, sizeof(buf), &from), 48);
	f->rd.conf.linux_p_bit = true;
	send_to(f, f->gw, RELAY4, req, sizeof(req));
	pump(f);
	assert_int_equal(recv_reply(f->gw, buf, sizeof(buf), &from), 88);
}

/* Q1: VLC's 9-byte Request gets the 48-byte query. */
static void
test_Q1_nine_byte_request(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 from;
	const uint8_t		 req[9] = { 3, 0, 0, 0, 9, 8, 7, 6, 0 };
	uint8_t			 buf[256];

	send_to(f, f->gw, RELAY4, req, sizeof(req));
	pump(f);
	assert_int_equal(recv_reply(f->gw, buf, sizeof(buf), &from), 48);
	assert_memory_equal(buf + 8, req + 4, 4);
}

/* R3: G and the gateway fields only with --advertise-teardown. */
static void
test_R3_advertise_teardown_g_flag(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 gwa;
	struct amt_msg		 q;
	uint8_t			 qbuf[256], canon[16];
	socklen_t		 len = sizeof(gwa);
	uint16_t		 port;

	f->rd.conf.advertise_g = true;
	request(f, f->gw, RELAY4, 0, 8, &q, qbuf, sizeof(qbuf));
	assert_true(q.flags & AMT_QUERY_FLAG_G);
	assert_int_equal(AMT_QUERY_HDR_LEN + q.inner_len + AMT_GWFIELDS_LEN,
	    66);
	getsockname(f->gw, (struct sockaddr *)&gwa, &len);
	addr_canon((struct sockaddr *)&gwa, canon, &port);
	assert_int_equal(q.gw_port, port);
	assert_memory_equal(q.gw_addr, canon, 16);
}

/* R1: a discovery-only address does not serve Requests or Updates. */
static void
test_R1_discovery_address_serves_discovery_only(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 from;
	struct amt_msg		 m;
	uint8_t			 buf[256];

	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	m.nonce = 1;
	send_msg(f, f->gw, DISC4, &m);
	assert_int_equal(recv_reply(f->gw, buf, sizeof(buf), &from), -1);
	assert_int_equal(f->rd.stats.err_invalid_membership_request_address,
	    1);
}

/* R6e: a wrong MAC changes nothing. */
static void
test_R6e_update_bad_mac_changes_nothing(void **state)
{
	struct fixture	*f = *state;
	struct amt_msg	 q;
	uint8_t		 qbuf[256];

	request(f, f->gw, RELAY4, 0, 10, &q, qbuf, sizeof(qbuf));
	q.mac[5] ^= 1;
	update(f, f->gw, 10, q.mac, false);
	q.mac[5] ^= 1;
	update(f, f->gw, 11, q.mac, false);	/* MAC of another nonce */
	assert_int_equal(f->rd.stats.err_invalid_mac, 2);
	assert_int_equal(f->rd.ntunnels, 0);
	assert_int_equal(world.sg_add, 0);
}

/* R6d: a bad inner checksum changes nothing, even with a good MAC. */
static void
test_R6d_update_bad_checksum_changes_nothing(void **state)
{
	struct fixture	*f = *state;
	struct amt_msg	 q;
	uint8_t		 qbuf[256];

	request(f, f->gw, RELAY4, 0, 12, &q, qbuf, sizeof(qbuf));
	update(f, f->gw, 12, q.mac, true);
	assert_int_equal(f->rd.stats.err_invalid_inner_header_checksum, 1);
	assert_int_equal(f->rd.ntunnels, 0);
	assert_int_equal(world.sg_add, 0);
}

/* R4, R7, R8: a verified Update makes a tunnel per (address, port). */
static void
test_R7_update_creates_tunnel_per_port(void **state)
{
	struct fixture	*f = *state;
	int		 gw2 = gw_socket(AF_INET);

	join(f, f->gw, 20);
	join(f, gw2, 21);
	assert_int_equal(f->rd.ntunnels, 2);
	assert_int_equal(world.sg_add, 2);
	assert_int_equal(f->rd.stats.rx_membership_update, 2);
	/* The same gateway again: the same tunnel. */
	join(f, f->gw, 22);
	assert_int_equal(f->rd.ntunnels, 2);
	close(gw2);
}

/* R14: at capacity, L for new endpoints and their Updates refused. */
static void
test_R14_capacity_L_flag_and_refusal(void **state)
{
	struct fixture	*f = *state;
	struct amt_msg	 q;
	uint8_t		 qbuf[256];
	int		 gw2 = gw_socket(AF_INET);

	f->rd.conf.max_tunnels = 1;
	join(f, f->gw, 30);
	request(f, gw2, RELAY4, 0, 31, &q, qbuf, sizeof(qbuf));
	assert_true(q.flags & AMT_QUERY_FLAG_L);
	update(f, gw2, 31, q.mac, false);
	assert_int_equal(f->rd.stats.tunnels_refused, 1);
	assert_int_equal(f->rd.ntunnels, 1);
	/* The existing tunnel is not told L. */
	request(f, f->gw, RELAY4, 0, 32, &q, qbuf, sizeof(qbuf));
	assert_false(q.flags & AMT_QUERY_FLAG_L);
	/* Per gateway IP too. */
	f->rd.conf.max_tunnels = 10;
	f->rd.conf.max_tunnels_per_ip = 1;
	request(f, gw2, RELAY4, 0, 33, &q, qbuf, sizeof(qbuf));
	assert_true(q.flags & AMT_QUERY_FLAG_L);
	close(gw2);
}

/* R14: a draining relay tells every endpoint L and takes no tunnel. */
static void
test_R14_draining_L_for_all(void **state)
{
	struct fixture	*f = *state;
	struct amt_msg	 q;
	uint8_t		 qbuf[256];
	int		 gw2 = gw_socket(AF_INET);

	join(f, f->gw, 40);
	f->rd.draining = true;
	/* The existing tunnel is told L too: its gateway should leave. */
	request(f, f->gw, RELAY4, 0, 41, &q, qbuf, sizeof(qbuf));
	assert_true(q.flags & AMT_QUERY_FLAG_L);
	request(f, gw2, RELAY4, 0, 42, &q, qbuf, sizeof(qbuf));
	assert_true(q.flags & AMT_QUERY_FLAG_L);
	update(f, gw2, 42, q.mac, false);
	assert_int_equal(f->rd.stats.tunnels_refused, 1);
	assert_int_equal(f->rd.ntunnels, 1);
	f->rd.draining = false;
	request(f, f->gw, RELAY4, 0, 43, &q, qbuf, sizeof(qbuf));
	assert_false(q.flags & AMT_QUERY_FLAG_L);
	close(gw2);
}

/* Send a Teardown for the tunnel of fd with this nonce and MAC. */
static void
teardown_msg(struct fixture *f, int fd, uint32_t nonce, const uint8_t *mac)
{
	struct sockaddr_storage	gwa;
	struct amt_msg		m;
	socklen_t		len = sizeof(gwa);

	memset(&m, 0, sizeof(m));
	m.type = AMT_TEARDOWN;
	m.nonce = nonce;
	memcpy(m.mac, mac, AMT_MAC_LEN);
	getsockname(fd, (struct sockaddr *)&gwa, &len);
	addr_canon((struct sockaddr *)&gwa, m.gw_addr, &m.gw_port);
	send_msg(f, fd, RELAY4, &m);
}

/* R11: a valid Teardown stops data and deletes the tunnel at once. */
static void
test_R11_teardown(void **state)
{
	struct fixture	*f = *state;
	struct amt_msg	 q;
	uint8_t		 qbuf[256], bad[AMT_MAC_LEN];

	request(f, f->gw, RELAY4, 0, 40, &q, qbuf, sizeof(qbuf));
	update(f, f->gw, 40, q.mac, false);
	assert_int_equal(f->rd.ntunnels, 1);
	memcpy(bad, q.mac, sizeof(bad));
	bad[0] ^= 0x80;
	teardown_msg(f, f->gw, 40, bad);
	assert_int_equal(f->rd.stats.err_invalid_mac, 1);
	assert_int_equal(f->rd.ntunnels, 1);
	teardown_msg(f, f->gw, 40, q.mac);
	assert_int_equal(f->rd.ntunnels, 0);
	assert_int_equal(world.gone, 1);
	teardown_msg(f, f->gw, 40, q.mac);
	assert_int_equal(f->rd.stats.err_no_active_gateway, 1);
}

/* R5: the previous secret verifies for its grace time, not after. */
static void
test_R5_previous_secret_grace(void **state)
{
	struct fixture	*f = *state;
	struct amt_msg	 q;
	uint8_t		 qbuf[256];
	int		 gw2 = gw_socket(AF_INET);

	request(f, f->gw, RELAY4, 0, 50, &q, qbuf, sizeof(qbuf));
	mac_ring_rotate(&f->rd.macs, world.now);
	world.now += 2 * f->rd.conf.qqi - 1;
	update(f, f->gw, 50, q.mac, false);
	assert_int_equal(f->rd.ntunnels, 1);
	request(f, gw2, RELAY4, 0, 51, &q, qbuf, sizeof(qbuf));
	mac_ring_rotate(&f->rd.macs, world.now);
	world.now += 2 * f->rd.conf.qqi;
	update(f, gw2, 51, q.mac, false);
	assert_int_equal(f->rd.ntunnels, 1);
	assert_int_equal(f->rd.stats.err_invalid_mac, 1);
	close(gw2);
}

/* Q1: a tunnel keeps working with its first nonce and MAC forever. */
static void
test_Q1_kept_nonce_and_mac_across_rotation(void **state)
{
	struct fixture	*f = *state;
	struct amt_msg	 q;
	uint8_t		 qbuf[256];
	int		 gw2 = gw_socket(AF_INET);

	request(f, f->gw, RELAY4, 0, 60, &q, qbuf, sizeof(qbuf));
	update(f, f->gw, 60, q.mac, false);
	mac_ring_rotate(&f->rd.macs, world.now);
	mac_ring_rotate(&f->rd.macs, world.now);
	world.now += 7200;
	update(f, f->gw, 60, q.mac, false);
	assert_int_equal(f->rd.stats.err_invalid_mac, 0);
	assert_int_equal(TAILQ_FIRST(&f->rd.tunnels)->rx_update, 2);
	/* Not for another endpoint. */
	update(f, gw2, 60, q.mac, false);
	assert_int_equal(f->rd.stats.err_invalid_mac, 1);
	assert_int_equal(f->rd.ntunnels, 1);
	close(gw2);
}

/*
 * R15, R4, RFC 9601 6.1.4.2: a Request with E gets the MAC for E = 1 and
 * still no state; the Update with that MAC makes a tunnel in normal mode,
 * one without E a tunnel in compatibility mode.
 */
static void
test_R15_request_e_travels_in_mac(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 gwa;
	struct amt_msg		 q;
	struct tunnel		*t;
	uint8_t			 qbuf[256], canon[16], mac[AMT_MAC_LEN];
	socklen_t		 len = sizeof(gwa);
	uint16_t		 port;
	int			 gw2 = gw_socket(AF_INET);

	assert_true(f->rd.conf.ecn);
	request(f, f->gw, RELAY4, AMT_REQ_FLAG_E, 90, &q, qbuf, sizeof(qbuf));
	getsockname(f->gw, (struct sockaddr *)&gwa, &len);
	addr_canon((struct sockaddr *)&gwa, canon, &port);
	mac_compute_ecn(f->rd.macs.cur, canon, port, 90, true, mac);
	assert_memory_equal(q.mac, mac, AMT_MAC_LEN);
	assert_int_equal(f->rd.ntunnels, 0);
	update(f, f->gw, 90, q.mac, false);
	assert_int_equal(f->rd.ntunnels, 1);
	t = tunnel_find(&f->rd, (struct sockaddr *)&gwa);
	assert_non_null(t);
	assert_true(tunnel_ecn(t));
	request(f, gw2, RELAY4, 0, 91, &q, qbuf, sizeof(qbuf));
	update(f, gw2, 91, q.mac, false);
	assert_int_equal(f->rd.ntunnels, 2);
	t = TAILQ_LAST(&f->rd.tunnels, tunnel_list);
	assert_false(tunnel_ecn(t));
	assert_int_equal(f->rd.stats.err_invalid_mac, 0);
	/* the reload to `ecn no` turns normal mode off at once */
	f->rd.conf.ecn = false;
	t = tunnel_find(&f->rd, (struct sockaddr *)&gwa);
	assert_false(tunnel_ecn(t));
	close(gw2);
}

/* R15: `ecn no` (compatibility mode only) ignores E in Requests. */
static void
test_R15_ecn_no_ignores_e(void **state)
{
	struct fixture	*f = *state;
	struct amt_msg	 q, q0;
	uint8_t		 qbuf[256], qbuf0[256];

	f->rd.conf.ecn = false;
	request(f, f->gw, RELAY4, AMT_REQ_FLAG_E, 92, &q, qbuf, sizeof(qbuf));
	request(f, f->gw, RELAY4, 0, 92, &q0, qbuf0, sizeof(qbuf0));
	assert_memory_equal(q.mac, q0.mac, AMT_MAC_LEN);
	update(f, f->gw, 92, q.mac, false);
	assert_int_equal(f->rd.ntunnels, 1);
	assert_false(TAILQ_FIRST(&f->rd.tunnels)->ecn);
}

/*
 * Q1, R15: the kept (nonce, MAC) keeps the E it was verified with across
 * key rotation; a later Update whose MAC says otherwise changes it.
 */
static void
test_Q1_R15_kept_mac_keeps_e(void **state)
{
	struct fixture	*f = *state;
	struct amt_msg	 q;
	struct tunnel	*t;
	uint8_t		 qbuf[256], kept[AMT_MAC_LEN];

	request(f, f->gw, RELAY4, AMT_REQ_FLAG_E, 93, &q, qbuf, sizeof(qbuf));
	memcpy(kept, q.mac, sizeof(kept));
	update(f, f->gw, 93, kept, false);
	t = TAILQ_FIRST(&f->rd.tunnels);
	assert_non_null(t);
	assert_true(tunnel_ecn(t));
	mac_ring_rotate(&f->rd.macs, world.now);
	mac_ring_rotate(&f->rd.macs, world.now);
	world.now += 7200;
	update(f, f->gw, 93, kept, false);
	assert_int_equal(f->rd.stats.err_invalid_mac, 0);
	assert_int_equal(t->rx_update, 2);
	assert_true(tunnel_ecn(t));
	/* a new Request without E: compatibility mode from its Update on */
	request(f, f->gw, RELAY4, 0, 94, &q, qbuf, sizeof(qbuf));
	update(f, f->gw, 94, q.mac, false);
	assert_false(tunnel_ecn(t));
	/* and with E again: normal mode */
	request(f, f->gw, RELAY4, AMT_REQ_FLAG_E, 95, &q, qbuf, sizeof(qbuf));
	update(f, f->gw, 95, q.mac, false);
	assert_true(tunnel_ecn(t));
	assert_int_equal(f->rd.stats.err_invalid_mac, 0);
}

/* R15, R11: a Teardown's MAC from a Request with E verifies too. */
static void
test_R15_teardown_with_e_mac(void **state)
{
	struct fixture	*f = *state;
	struct amt_msg	 q;
	uint8_t		 qbuf[256];

	request(f, f->gw, RELAY4, AMT_REQ_FLAG_E, 96, &q, qbuf, sizeof(qbuf));
	update(f, f->gw, 96, q.mac, false);
	assert_int_equal(f->rd.ntunnels, 1);
	teardown_msg(f, f->gw, 96, q.mac);
	assert_int_equal(f->rd.ntunnels, 0);
	assert_int_equal(f->rd.stats.err_invalid_mac, 0);
}

/* R13: every verified Update restarts the tunnel timer. */
static void
test_R13_update_restarts_timer(void **state)
{
	struct fixture	*f = *state;
	struct tunnel	*t;
	struct timeval	 tv, now;

	join(f, f->gw, 70);
	t = TAILQ_FIRST(&f->rd.tunnels);
	assert_non_null(t);
	assert_true(event_pending(&t->expire_ev, EV_TIMEOUT, &tv));
	gettimeofday(&now, NULL);
	assert_true(tv.tv_sec - now.tv_sec >= 259 &&
	    tv.tv_sec - now.tv_sec <= 261);
	assert_int_equal(conf_tunnel_timeout(&f->rd.conf), 260);
	world.now += 100;
	join(f, f->gw, 71);
	assert_int_equal(t->refreshed, world.now);
}

/* Q4: a burst of Updates is handled in full, none rate-limited. */
static void
test_Q4_update_burst(void **state)
{
	struct fixture	*f = *state;
	struct amt_msg	 q;
	uint8_t		 qbuf[256], buf[512];
	size_t		 n;
	int		 i;

	request(f, f->gw, RELAY4, 0, 80, &q, qbuf, sizeof(qbuf));
	n = update_build(80, q.mac, false, buf, sizeof(buf));
	for (i = 0; i < 400; i++)
		send_to(f, f->gw, RELAY4, buf, n);
	pump(f);
	assert_int_equal(f->rd.stats.rx_membership_update, 400);
	assert_int_equal(TAILQ_FIRST(&f->rd.tunnels)->rx_update, 400);
}

/* W2: bad version, unexpected types and short messages are counted. */
static void
test_W2_version_type_length_counted(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 from;
	const uint8_t		 v1[8] = { 0x11 }, data[4] = { 6, 0, 0, 0 };
	const uint8_t		 shortreq[4] = { 3, 0, 0, 0 };
	uint8_t			 buf[64];

	send_to(f, f->gw, RELAY4, v1, sizeof(v1));
	send_to(f, f->gw, RELAY4, data, sizeof(data));
	send_to(f, f->gw, RELAY4, shortreq, sizeof(shortreq));
	send_to(f, f->gw, RELAY4, buf, 0);
	pump(f);
	assert_int_equal(f->rd.stats.err_bad_version, 1);
	assert_int_equal(f->rd.stats.err_unexpected_type, 1);
	assert_int_equal(f->rd.stats.err_incomplete_packet, 2);
	assert_int_equal(recv_reply(f->gw, buf, sizeof(buf), &from), -1);
}

/*
 * An address for ratelimit_allow(), canonical as msg_request() makes it
 * from a Request's source: the port does not matter.
 */
static void
rl_addr(const char *s, uint16_t port, uint8_t canon[16])
{
	struct sockaddr_storage	ss;
	struct amt_ip		ip;
	uint16_t		p;

	assert_int_equal(ip_parse(s, &ip), 0);
	ip_to_sa(&ip, port, &ss);
	assert_int_equal(addr_canon((struct sockaddr *)&ss, canon, &p), 0);
}

/*
 * R14: --request-rate 10 answers a burst of 10 Requests from one IP
 * (any port), then one per 100 ms; other addresses are not affected;
 * 0 turns the limit off.  The table is allocated once (R4).
 */
static void
test_R14_request_rate_per_source_ip(void **state)
{
	struct fixture		*f = *state;
	uint8_t			 a[16], a2[16], b[16], c6[16];
	struct relayd		*rd = &f->rd;
	int			 i, n = 0;

	rl_addr("192.0.2.7", 1000, a);
	rl_addr("192.0.2.7", 2000, a2);
	rl_addr("192.0.2.8", 1000, b);
	rl_addr("2001:db8::7", 1000, c6);
	assert_true(ratelimit_allow(rd, a, 0));
	rd->conf.request_rate = 10;
	for (i = 0; i < 50; i++)
		n += ratelimit_allow(rd, i % 2 ? a : a2, 5000);
	assert_int_equal(n, 10);
	assert_int_equal(rd->stats.request_rate_limited, 40);
	assert_true(ratelimit_allow(rd, b, 5000));
	assert_true(ratelimit_allow(rd, c6, 5000));
	assert_false(ratelimit_allow(rd, a, 5099));
	assert_true(ratelimit_allow(rd, a, 5200));
	assert_true(ratelimit_allow(rd, a, 5200));
	assert_false(ratelimit_allow(rd, a, 5200));
	/* Refilled to the burst, not beyond, after a long pause. */
	for (i = 0, n = 0; i < 20; i++)
		n += ratelimit_allow(rd, a, 600000);
	assert_int_equal(n, 10);
	rd->conf.request_rate = 0;
	assert_true(ratelimit_allow(rd, a, 600000));
}

/* R16: shutdown takes every tunnel out of the data plane. */
static void
test_R16_free_all_leaves_data_plane(void **state)
{
	struct fixture	*f = *state;
	int		 gw2 = gw_socket(AF_INET);

	join(f, f->gw, 90);
	join(f, gw2, 91);
	tunnel_stop(&f->rd);
	assert_int_equal(world.gone, 2);
	assert_int_equal(f->rd.ntunnels, 0);
	assert_int_equal(tunnel_start(&f->rd), 0);
	close(gw2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x)	cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(test_R2_discovery_answered_from_its_destination),
		T(test_R2_discovery_family_without_relay_address),
		T(test_R3_R4_request_answered_without_state),
		T(test_R3_request_p_flag_mld_query),
		T(test_Q2_linux_p_bit),
		T(test_Q1_nine_byte_request),
		T(test_R3_advertise_teardown_g_flag),
		T(test_R1_discovery_address_serves_discovery_only),
		T(test_R6e_update_bad_mac_changes_nothing),
		T(test_R6d_update_bad_checksum_changes_nothing),
		T(test_R7_update_creates_tunnel_per_port),
		T(test_R14_capacity_L_flag_and_refusal),
		T(test_R14_draining_L_for_all),
		T(test_R14_request_rate_per_source_ip),
		T(test_R11_teardown),
		T(test_R5_previous_secret_grace),
		T(test_Q1_kept_nonce_and_mac_across_rotation),
		T(test_R15_request_e_travels_in_mac),
		T(test_R15_ecn_no_ignores_e),
		T(test_Q1_R15_kept_mac_keeps_e),
		T(test_R15_teardown_with_e_mac),
		T(test_R13_update_restarts_timer),
		T(test_Q4_update_burst),
		T(test_W2_version_type_length_counted),
		T(test_R16_free_all_leaves_data_plane),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
