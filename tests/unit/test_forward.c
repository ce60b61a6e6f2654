/*
 * The data plane's forwarding table, replication and fragmentation
 * (relay/forward.c, replicate.c, batch.c, mtu.c; RFC 7450 5.3.3.6; R10, R12,
 * R15): flows and tunnels come and go, datagrams are replicated as
 * `06 00` + the datagram through real loopback UDP sockets, oversized
 * ones are cut into correct IPv4 fragments or dropped.
 *
 * membership.c is not linked: membership_excludes() below answers from a
 * per-test source (the only question the data plane asks it).  No
 * upstream context: joins are not made here (relay-fwd.sh does them).
 * Sources are loopback addresses, so that the one ICMP message the MTU
 * test provokes goes to this host only.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "amt/cksum.h"
#include "relay.h"
#include "data.h"

#define NRECV	3

struct fixture {
	struct relayd		 rd;
	struct listener		 lsn;
	struct tunnel		 t[NRECV];
	int			 rx[NRECV];
	struct amt_ip		 excluded;	/* for membership_excludes */
	uint8_t			 pkt[3000];
};

static struct fixture	*excl_fix;

bool
membership_excludes(const struct tunnel *t, const struct amt_ip *g,
    const struct amt_ip *s)
{
	return excl_fix != NULL && ip_eq(s, &excl_fix->excluded);
}

static int
udp_socket(struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	socklen_t		 len = sizeof(*sin);
	int			 fd;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) >=
	    0);
	assert_int_equal(bind(fd, (struct sockaddr *)ss, len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)ss, &len), 0);
	return fd;
}

static int
setup(void **state)
{
	struct fixture		*f;
	struct sockaddr_storage	 ss;
	int			 i;

	assert_non_null(f = calloc(1, sizeof(*f)));
	TAILQ_INIT(&f->rd.listeners);
	f->rd.conf.tunnel_mtu = 1500;
	f->lsn.fd = udp_socket(&ss);
	f->lsn.rd = &f->rd;
	ip_from_sa((struct sockaddr *)&ss, &f->lsn.addr);
	TAILQ_INSERT_TAIL(&f->rd.listeners, &f->lsn, entry);
	for (i = 0; i < NRECV; i++) {
		f->rx[i] = udp_socket(&f->t[i].gw);
		f->t[i].lsn = &f->lsn;
		f->t[i].rd = &f->rd;
	}
	assert_int_equal(batch_start(&f->rd), 0);
	assert_int_equal(repl_start(&f->rd), 0);
	assert_int_equal(fwd_start(&f->rd), 0);
	excl_fix = f;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	int		 i;

	fwd_stop(&f->rd);
	repl_stop(&f->rd);
	batch_stop(&f->rd);
	for (i = 0; i < NRECV; i++)
		close(f->rx[i]);
	close(f->lsn.fd);
	free(f);
	excl_fix = NULL;
	return 0;
}

/* An IPv4 UDP datagram from s to g with len octets of payload. */
static struct data_pkt
mkpkt(struct fixture *f, const char *s, const char *g, size_t len, bool df)
{
	struct data_pkt	p;
	size_t		tot = 20 + 8 + len, i;
	uint16_t	ck;

	memset(&p, 0, sizeof(p));
	assert_true(tot <= sizeof(f->pkt));
	assert_int_equal(ip_parse(s, &p.src), 0);
	assert_int_equal(ip_parse(g, &p.dst), 0);
	memset(f->pkt, 0, 28);
	f->pkt[0] = 0x45;
	f->pkt[2] = (uint8_t)(tot >> 8);
	f->pkt[3] = (uint8_t)tot;
	f->pkt[6] = df ? 0x40 : 0;
	f->pkt[8] = 8;
	f->pkt[9] = IPPROTO_UDP;
	memcpy(f->pkt + 12, p.src.u.b, 4);
	memcpy(f->pkt + 16, p.dst.u.b, 4);
	ck = cksum(f->pkt, 20);
	memcpy(f->pkt + 10, &ck, 2);
	f->pkt[21] = 99;		/* ports 99 -> 5000 */
	f->pkt[22] = 0x13;
	f->pkt[23] = 0x88;
	f->pkt[24] = (uint8_t)((8 + len) >> 8);
	f->pkt[25] = (uint8_t)(8 + len);
	for (i = 0; i < len; i++)
		f->pkt[28 + i] = (uint8_t)i;
	p.ip = f->pkt;
	p.len = tot;
	p.hlen = 20;
	p.df = df;
	return p;
}

/* Datagrams waiting on a receiver; the last one in buf. */
static int
drain(int fd, uint8_t *buf, size_t cap, ssize_t *lastlen)
{
	ssize_t	r;
	int	n = 0;

	while ((r = recv(fd, buf, cap, MSG_DONTWAIT)) >= 0) {
		*lastlen = r;
		n++;
	}
	return n;
}

static void
test_R10_replicated_as_data_to_each_tunnel(void **state)
{
	struct fixture	*f = *state;
	struct amt_ip	 s, g;
	struct data_pkt	 p = mkpkt(f, "127.0.0.1", "232.1.1.1", 100, true);
	uint8_t		 buf[2048];
	ssize_t		 len = 0;
	int		 i;

	ip_parse("127.0.0.1", &s);
	ip_parse("232.1.1.1", &g);
	for (i = 0; i < 2; i++)
		assert_int_equal(fwd_sg_add(&f->rd, &s, &g, &f->t[i]), 0);
	/* twice: no duplicate entry */
	assert_int_equal(fwd_sg_add(&f->rd, &s, &g, &f->t[0]), 0);
	repl_packet(&f->rd, &p);
	batch_flush(&f->rd);
	for (i = 0; i < 2; i++) {
		assert_int_equal(drain(f->rx[i], buf, sizeof(buf), &len), 1);
		assert_int_equal(len, 2 + 128);
		assert_int_equal(buf[0], 0x06);
		assert_int_equal(buf[1], 0x00);
		assert_memory_equal(buf + 2, f->pkt, 128);
		assert_int_equal(f->t[i].data_packets, 1);
	}
	assert_int_equal(drain(f->rx[2], buf, sizeof(buf), &len), 0);
	assert_int_equal(f->rd.stats.data_tx_packets, 2);
	/* another source of the group: nobody wants it */
	p = mkpkt(f, "127.0.0.9", "232.1.1.1", 100, true);
	repl_packet(&f->rd, &p);
	assert_int_equal(f->rd.stats.data_no_tunnel, 1);
}

static void
test_R10_exclude_mode_skips_excluded_source(void **state)
{
	struct fixture	*f = *state;
	struct amt_ip	 g;
	struct data_pkt	 p;
	uint8_t		 buf[2048];
	ssize_t		 len;

	ip_parse("239.1.1.1", &g);
	ip_parse("127.0.0.66", &f->excluded);
	assert_int_equal(fwd_g_add(&f->rd, &g, &f->t[2]), 0);
	p = mkpkt(f, "127.0.0.66", "239.1.1.1", 10, true);
	repl_packet(&f->rd, &p);
	p = mkpkt(f, "127.0.0.67", "239.1.1.1", 10, true);
	repl_packet(&f->rd, &p);
	batch_flush(&f->rd);
	assert_int_equal(drain(f->rx[2], buf, sizeof(buf), &len), 1);
	assert_memory_equal(buf + 2 + 12, "\x7f\x00\x00\x43", 4);
}

static void
count_flow(const struct amt_ip *s, const struct amt_ip *g, unsigned n,
    void *arg)
{
	unsigned	*sum = arg;

	sum[0]++;
	sum[1] += n;
}

/* 10,000 tunnels on one flow leave one by one and all at once. */
static void
test_R10_many_tunnels_come_and_go(void **state)
{
	struct fixture	*f = *state;
	struct tunnel	*t;
	struct amt_ip	 s, g, g2;
	unsigned	 i, sum[2], n = 10000;

	ip_parse("127.0.0.1", &s);
	ip_parse("232.1.1.1", &g);
	ip_parse("232.1.1.2", &g2);
	assert_non_null(t = calloc(n, sizeof(*t)));
	for (i = 0; i < n; i++) {
		t[i].lsn = &f->lsn;
		assert_int_equal(fwd_sg_add(&f->rd, &s, &g, &t[i]), 0);
		assert_int_equal(fwd_g_add(&f->rd, &g2, &t[i]), 0);
	}
	memset(sum, 0, sizeof(sum));
	fwd_walk(&f->rd, count_flow, sum);
	assert_int_equal(sum[0], 2);
	assert_int_equal(sum[1], 2 * n);
	for (i = 0; i < n; i += 2)
		fwd_sg_del(&f->rd, &s, &g, &t[i]);
	for (i = 0; i < n; i++)
		fwd_tunnel_gone(&f->rd, &t[i]);
	memset(sum, 0, sizeof(sum));
	fwd_walk(&f->rd, count_flow, sum);
	assert_int_equal(sum[0], 0);
	assert_int_equal(f->rd.fwd->ntrefs, 0);
	free(t);
}

static void
check_fragments(const struct frag_set *fs, const uint8_t *orig,
    size_t maxlen, size_t payload)
{
	uint8_t		whole[3000];
	size_t		got = 0, off;
	unsigned	i;

	for (i = 0; i < fs->n; i++) {
		assert_true(fs->hlen[i] + fs->dlen[i] <= maxlen);
		assert_true(cksum_ok(fs->hdr[i], fs->hlen[i]));
		off = (size_t)((fs->hdr[i][6] & 0x1f) << 8 | fs->hdr[i][7]) * 8;
		assert_int_equal(off, got);
		/* MF on all but the last */
		assert_int_equal((fs->hdr[i][6] & 0x20) != 0, i + 1 < fs->n);
		assert_int_equal(fs->hdr[i][2] << 8 | fs->hdr[i][3],
		    fs->hlen[i] + fs->dlen[i]);
		memcpy(whole + got, fs->data[i], fs->dlen[i]);
		got += fs->dlen[i];
	}
	assert_int_equal(got, payload);
	assert_memory_equal(whole, orig + 20, payload);
}

/* RFC 7450 5.3.3.6.2.1: DF clear and too big: IPv4 fragments. */
static void
test_R12_fragments_of_df_clear_datagram(void **state)
{
	struct fixture	*f = *state;
	struct frag_set	*fs;
	struct data_pkt	 p = mkpkt(f, "127.0.0.1", "232.1.1.1", 2500, false);

	assert_non_null(fs = malloc(sizeof(*fs)));
	assert_int_equal(frag_build(fs, &p, 570), 0);
	assert_int_equal(fs->n, 5);		/* 2508 / 544 */
	check_fragments(fs, f->pkt, 570, 2508);
	free(fs);
}

/* R12 through the table: DF clear is cut, DF set is dropped. */
static void
test_R12_tunnel_mtu_fragment_or_drop(void **state)
{
	struct fixture	*f = *state;
	struct amt_ip	 s, g;
	struct data_pkt	 p;
	uint8_t		 buf[2048];
	ssize_t		 len = 0;

	f->rd.conf.tunnel_mtu = 600;
	ip_parse("127.0.0.1", &s);
	ip_parse("232.1.1.1", &g);
	assert_int_equal(fwd_sg_add(&f->rd, &s, &g, &f->t[0]), 0);
	p = mkpkt(f, "127.0.0.1", "232.1.1.1", 1000, false);
	repl_packet(&f->rd, &p);
	batch_flush(&f->rd);
	assert_int_equal(drain(f->rx[0], buf, sizeof(buf), &len), 2);
	assert_true(len <= 600 - 28);
	assert_int_equal(f->rd.stats.data_fragmented, 1);
	p = mkpkt(f, "127.0.0.1", "232.1.1.1", 1000, true);
	repl_packet(&f->rd, &p);
	batch_flush(&f->rd);
	assert_int_equal(drain(f->rx[0], buf, sizeof(buf), &len), 0);
	assert_int_equal(f->rd.stats.data_too_big, 1);
	/* exactly the tunnel MTU still fits whole: 600 - 28 - 2 = 570 */
	p = mkpkt(f, "127.0.0.1", "232.1.1.1", 570 - 28, true);
	repl_packet(&f->rd, &p);
	batch_flush(&f->rd);
	assert_int_equal(drain(f->rx[0], buf, sizeof(buf), &len), 1);
	assert_int_equal(len, 572);
}

/* R15: the relay zeroes the outer ECN field (RFC 9601 4). */
static void
test_R15_outer_ecn_zero_on_relay_socket(void **state)
{
	struct fixture	*f = *state;
	socklen_t	 len = sizeof(int);
	int		 tos = -1, pmtu = -1;

	assert_int_equal(getsockopt(f->lsn.fd, IPPROTO_IP, IP_TOS, &tos,
	    &len), 0);
	assert_int_equal(tos & 0x03, 0);
	len = sizeof(int);
	assert_int_equal(getsockopt(f->lsn.fd, IPPROTO_IP, IP_MTU_DISCOVER,
	    &pmtu, &len), 0);
	assert_int_equal(pmtu, IP_PMTUDISC_DO);	/* R12: outer DF */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_R10_replicated_as_data_to_each_tunnel, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_R10_exclude_mode_skips_excluded_source, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_R10_many_tunnels_come_and_go, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_R12_fragments_of_df_clear_datagram, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_R12_tunnel_mtu_fragment_or_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_R15_outer_ecn_zero_on_relay_socket, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
