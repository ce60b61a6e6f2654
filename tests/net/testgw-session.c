/*
 * amt-testgw: one gateway's exchange with the relay (RFC 7450 5.2):
 * Discovery -> Advertisement, Request -> Query, Updates, Teardown, Data.
 * Every message received is checked as a strict gateway would (G2, G4,
 * G7) and counted; anything wrong is counted as bad.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "amt/mac.h"
#include "testgw.h"

#ifndef UDP_NO_CHECK6_RX
#define UDP_NO_CHECK6_RX	102
#endif

#define GW_RETRANSMIT	1.0	/* seconds between Request retransmissions */
#define GW_LATE		0.2	/* data this long after a Teardown is late */

static void	gw_read_cb(evutil_socket_t, short, void *);
static void	gw_timer_cb(evutil_socket_t, short, void *);
static void	gw_on_query_ok(struct tg_gw *);

static int
gw_socket(const struct sockaddr_storage *ss)
{
	int	fd, on = 1, rcv = 1 << 20;

	fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* Past net.core.rmem_max when root (the scenarios are). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	/* W6: IPv6 Data may carry a zero checksum. */
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_UDP, UDP_NO_CHECK6_RX, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)ss,
	    addr_len((const struct sockaddr *)ss)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Gateway idx binds the -b address, port + idx (or an ephemeral one). */
int
gw_open(struct tg *tg, struct tg_gw *gw, int idx)
{
	struct sockaddr_storage	ss = tg->conf.bind;
	socklen_t		len = sizeof(gw->local);
	uint8_t			canon[16];
	uint16_t		port;

	gw->tg = tg;
	gw->idx = idx;
	addr_canon((struct sockaddr *)&ss, canon, &port);
	if (port != 0)
		addr_from_canon(canon, (uint16_t)(port + idx), &ss);
	if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_scope_id =
		    ((struct sockaddr_in6 *)&tg->conf.bind)->sin6_scope_id;
	if ((gw->fd = gw_socket(&ss)) == -1)
		return -1;
	getsockname(gw->fd, (struct sockaddr *)&gw->local, &len);
	/* Reports come from the gateway's address, or 0.0.0.0 (M4). */
	ip_parse("0.0.0.0", &gw->rsrc4);
	if (gw->local.ss_family == AF_INET)
		ip_from_sa((struct sockaddr *)&gw->local, &gw->rsrc4);
	event_assign(&gw->rd_ev, tg->base, gw->fd, EV_READ | EV_PERSIST,
	    gw_read_cb, gw);
	event_add(&gw->rd_ev, NULL);
	evtimer_assign(&gw->tm_ev, tg->base, gw_timer_cb, gw);
	gw->relay = tg->conf.relay;
	return 0;
}

void
gw_close(struct tg_gw *gw)
{
	if (gw->tg == NULL)
		return;
	event_del(&gw->rd_ev);
	evtimer_del(&gw->tm_ev);
	close(gw->fd);
}

/* Gateways start spread over time (--rate). */
void
gw_start(struct tg_gw *gw)
{
	tg_timer(&gw->tm_ev, gw->idx / gw->tg->conf.start_rate);
}

static int
gw_sendto(struct tg_gw *gw, const struct sockaddr_storage *to,
    const void *p, size_t len)
{
	if (sendto(gw->fd, p, len, 0, (const struct sockaddr *)to,
	    addr_len((const struct sockaddr *)to)) == -1) {
		gw->tg->c.send_err++;
		return -1;
	}
	return 0;
}

int
gw_send(struct tg_gw *gw, const void *p, size_t len)
{
	return gw_sendto(gw, &gw->relay, p, len);
}

/* RFC 7450 5.2.3.4.1: Discovery with a random nonce (G2). */
static void
gw_discover(struct tg_gw *gw)
{
	struct amt_msg	m;
	uint8_t		out[64];
	ssize_t		n;

	memset(&m, 0, sizeof(m));
	m.type = AMT_RELAY_DISCOVERY;
	if (gw->disco_nonce == 0)
		gw->disco_nonce = nonce_new();
	m.nonce = gw->disco_nonce;
	n = amt_encode(&m, out, sizeof(out));
	gw->state = TG_DISCOVERING;
	if (n > 0 && gw_sendto(gw, &gw->tg->conf.disco, out, (size_t)n) == 0)
		gw->tg->c.discoveries++;
	tg_timer(&gw->tm_ev, GW_RETRANSMIT);
}

/* One Request; octet 1 is written as configured (Q2), 9 bytes (Q1). */
static void
gw_send_request(struct tg_gw *gw, uint32_t nonce)
{
	const struct tg_conf	*c = &gw->tg->conf;
	struct amt_msg		 m;
	uint8_t			 out[64];
	ssize_t			 n;

	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	m.nonce = nonce;
	n = amt_encode(&m, out, sizeof(out));
	if (n < 0)
		return;
	out[1] = c->req_flags;
	if (c->req9)
		out[n++] = 0;
	if (gw_send(gw, out, (size_t)n) == 0)
		gw->tg->c.requests++;
}

/* A Request cycle: new nonces (G4), --burst Requests back to back (Q4). */
static void
gw_request(struct tg_gw *gw, bool retransmit)
{
	int	i;

	if (!retransmit) {
		gw->nnonces = gw->tg->conf.burst;
		for (i = 0; i < gw->nnonces; i++)
			gw->nonces[i] = nonce_new();
		gw->tries = 0;
		gw->req_at = tg_now();
	}
	gw->state = TG_REQUESTING;
	for (i = 0; i < gw->nnonces; i++)
		gw_send_request(gw, gw->nonces[i]);
	tg_timer(&gw->tm_ev, GW_RETRANSMIT);
}

static bool
gw_has_records(const struct tg_gw *gw)
{
	const struct tg_conf	*c = &gw->tg->conf;
	int			 i;

	for (i = 0; i < c->nphases; i++)
		if (c->phases[i].nrecs > 0 || c->phases[i].teardown)
			return true;
	return c->refresh > 0;
}

static void
gw_done(struct tg_gw *gw)
{
	gw->state = TG_DONE;
	evtimer_del(&gw->tm_ev);
	tg_maybe_done(gw->tg);
}

static void
gw_fail(struct tg_gw *gw, const char *what)
{
	fprintf(stderr, "amt-testgw: gateway %d: %s\n", gw->idx, what);
	gw->tg->failed = true;
	gw_done(gw);
}

static void
gw_send_phase(struct tg_gw *gw)
{
	const struct tg_phase	*ph = &gw->tg->conf.phases[gw->phase];
	int			 n;

	n = rec_send_updates(gw, ph, gw->q_nonce, gw->q_mac);
	gw->updates += (uint64_t)n;
	gw->tg->c.updates += (uint64_t)n;
}

/* Timer: start, retransmission, delayed Update, refresh. */
static void
gw_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct tg_gw		*gw = arg;
	const struct tg_conf	*c = &gw->tg->conf;

	switch (gw->state) {
	case TG_IDLE:
		if (c->have_disco)
			gw_discover(gw);
		else
			gw_request(gw, false);
		break;
	case TG_DISCOVERING:
		if (++gw->tries > c->retries)
			gw_fail(gw, "no Relay Advertisement");
		else
			gw_discover(gw);
		break;
	case TG_REQUESTING:
		if (++gw->tries > c->retries)
			gw_fail(gw, "no Membership Query");
		else
			gw_request(gw, true);
		break;
	case TG_UP:
		if (gw->torn)
			break;
		if (gw->pending) {
			gw->pending = false;
			gw_send_phase(gw);
		} else if (c->keep_first)
			gw_send_phase(gw);	/* Q1: never a new Request */
		else {
			gw_request(gw, false);
			break;
		}
		if (c->refresh > 0)
			tg_timer(&gw->tm_ev, c->refresh);
		break;
	case TG_DONE:
		break;
	}
}

/* RFC 7450 5.2.3.4.3: accept only the nonce sent, from where it went. */
static void
gw_on_advert(struct tg_gw *gw, const struct amt_msg *m,
    const struct sockaddr_storage *from)
{
	struct tg	*tg = gw->tg;

	if (gw->state != TG_DISCOVERING) {
		tg->c.other++;
		return;
	}
	if (!addr_eq((const struct sockaddr *)from,
	    (const struct sockaddr *)&tg->conf.disco) ||
	    m->nonce != gw->disco_nonce ||
	    m->relay.family != tg->conf.disco.ss_family) {
		tg->c.adv_bad++;
		return;
	}
	tg->c.advertisements++;
	ip_str(&m->relay, tg->c.adv_relay, sizeof(tg->c.adv_relay));
	if (!tg->conf.have_relay)
		ip_to_sa(&m->relay, AMT_PORT, &gw->relay);
	if (tg->conf.discover_only) {
		gw->done = true;
		gw_done(gw);
		return;
	}
	gw_request(gw, false);
}

static bool
gw_nonce_outstanding(struct tg_gw *gw, uint32_t nonce)
{
	int	i;

	for (i = 0; i < gw->nnonces; i++) {
		if (gw->nonces[i] == nonce) {
			gw->nonces[i] = gw->nonces[--gw->nnonces];
			return true;
		}
	}
	return false;
}

/* The family P asked for; the Linux bit alone (Q2) accepts either. */
static bool
gw_query_family_ok(const struct tg_gw *gw, int family)
{
	uint8_t	f = gw->tg->conf.req_flags;

	if ((f & AMT_REQ_FLAG_P) != 0)
		return family == AF_INET6;
	if ((f & AMT_REQ_FLAG_P_LINUX) != 0)
		return true;
	return family == AF_INET;
}

static void
gw_record_query(struct tg_counts *c, const struct amt_msg *m, size_t len,
    const struct mcast_query *q)
{
	if (c->queries == 0 || len < c->query_len_min)
		c->query_len_min = len;
	if (len > c->query_len_max)
		c->query_len_max = len;
	c->queries++;
	c->query_flags = m->flags;
	c->query_family = q->family;
	c->query_version = q->version;
	c->query_qqi = q->qqi;
	c->query_qrv = q->qrv;
	c->query_mrt_ms = q->max_resp_ms;
	if (m->flags & AMT_QUERY_FLAG_G)
		c->query_g++;
	if (m->flags & AMT_QUERY_FLAG_L)
		c->query_l++;
}

/* How long the relay took to answer this Request cycle. */
static void
gw_query_delay(struct tg_gw *gw)
{
	struct tg_counts	*c = &gw->tg->c;
	double			 ms;

	if (gw->req_at <= 0)
		return;
	ms = (tg_now() - gw->req_at) * 1000;
	gw->req_at = 0;
	if (ms > c->query_ms_max)
		c->query_ms_max = ms;
	if (ms > TG_QUERY_SLOW_MS)
		c->query_slow++;
}

/* RFC 7450 5.2.3.5: the nonce sent, from the relay, a General Query. */
static void
gw_on_query(struct tg_gw *gw, const struct amt_msg *m, size_t len,
    const struct sockaddr_storage *from)
{
	struct tg		*tg = gw->tg;
	struct mcast_query	 q;

	if (!addr_eq((const struct sockaddr *)from,
	    (const struct sockaddr *)&gw->relay) ||
	    !gw_nonce_outstanding(gw, m->nonce) ||
	    mcast_query_parse(m->inner, m->inner_len, &q) != MCAST_OK ||
	    !ip_is_any(&q.group) || !gw_query_family_ok(gw, q.family)) {
		tg_log(tg, "gateway %d: bad query", gw->idx);
		tg->c.query_bad++;
		return;
	}
	gw_record_query(&tg->c, m, len, &q);
	gw_query_delay(gw);
	gw->queries++;
	if (!tg->conf.keep_first || !gw->have_q) {
		gw->q_nonce = m->nonce;
		memcpy(gw->q_mac, m->mac, AMT_MAC_LEN);
		gw->have_q = true;
	}
	gw_on_query_ok(gw);
}

/* A verified Query: send the phase's records (now or after a delay). */
static void
gw_on_query_ok(struct tg_gw *gw)
{
	const struct tg_conf	*c = &gw->tg->conf;

	if (!gw_has_records(gw)) {
		gw->done = true;
		gw_done(gw);
		return;
	}
	if (gw->torn)
		return;
	gw->state = TG_UP;
	if (c->update_delay > 0 && gw->updates == 0) {
		gw->pending = true;
		tg_timer(&gw->tm_ev, c->update_delay);
		return;
	}
	gw_send_phase(gw);
	if (c->refresh > 0)
		tg_timer(&gw->tm_ev, c->refresh);
	else
		evtimer_del(&gw->tm_ev);
}

/* RFC 7450 5.2.3.3: Data from the relay the Updates went to (G7). */
static void
gw_on_data(struct tg_gw *gw, const struct amt_msg *m,
    const struct sockaddr_storage *from)
{
	struct tg	*tg = gw->tg;
	struct amt_ip	 dst;

	memset(&dst, 0, sizeof(dst));
	if (m->inner_len >= 20 && m->inner[0] >> 4 == 4) {
		dst.family = AF_INET;
		memcpy(&dst.u.v4, m->inner + 16, 4);
	} else if (m->inner_len >= 40 && m->inner[0] >> 4 == 6) {
		dst.family = AF_INET6;
		memcpy(&dst.u.v6, m->inner + 24, 16);
	}
	if (!addr_eq((const struct sockaddr *)from,
	    (const struct sockaddr *)&gw->relay) ||
	    dst.family == 0 || !ip_is_multicast(&dst)) {
		tg->c.data_bad++;
		return;
	}
	if (gw->torn && tg_now() - gw->torn_at > GW_LATE)
		tg->c.data_late++;
	if (m->inner_len > tg->c.max_inner)
		tg->c.max_inner = m->inner_len;
	tg->c.data++;
	gw->data++;
	flow_count(tg, m->inner, m->inner_len);
	if (tg->conf.expect > 0 && gw->data == tg->conf.expect)
		tg_maybe_done(tg);
}

static void
gw_dispatch(struct tg_gw *gw, const uint8_t *p, size_t len,
    const struct sockaddr_storage *from)
{
	struct tg	*tg = gw->tg;
	struct amt_msg	 m;

	if (amt_decode(p, len, &m) != AMT_OK) {
		tg->c.decode_err++;
		return;
	}
	switch (m.type) {
	case AMT_RELAY_ADVERTISEMENT:
		gw_on_advert(gw, &m, from);
		break;
	case AMT_MEMBERSHIP_QUERY:
		gw_on_query(gw, &m, len, from);
		break;
	case AMT_MULTICAST_DATA:
		gw_on_data(gw, &m, from);
		break;
	default:
		tg->c.other++;
		break;
	}
}

static void
gw_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct tg_gw		*gw = arg;
	struct tg		*tg = gw->tg;
	struct sockaddr_storage	 from;
	socklen_t		 flen;
	ssize_t			 n;
	int			 i;

	for (i = 0; i < 64; i++) {
		flen = sizeof(from);
		n = recvfrom(fd, tg->buf, sizeof(tg->buf), 0,
		    (struct sockaddr *)&from, &flen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				tg->c.icmp_err++;
			return;
		}
		gw_dispatch(gw, tg->buf, (size_t)n, &from);
	}
}

/* A new phase: its records go out at once if a Query is known. */
void
gw_phase(struct tg_gw *gw, int phase)
{
	const struct tg_phase	*ph = &gw->tg->conf.phases[phase];

	gw->phase = phase;
	if (!gw->have_q || gw->torn)
		return;
	if (ph->nrecs > 0)
		gw_send_phase(gw);
	if (ph->bad_teardown)
		gw_teardown(gw, true);
	if (ph->teardown)
		gw_teardown(gw, false);
}

/* The gateway's own address as the relay sees it (no NAT in tests). */
static void
gw_own_addr(struct tg_gw *gw, uint8_t canon[16], uint16_t *port)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	uint16_t		dummy;
	int			fd;

	addr_canon((struct sockaddr *)&gw->local, canon, port);
	fd = socket(gw->relay.ss_family, SOCK_DGRAM, 0);
	if (fd == -1)
		return;
	if (connect(fd, (struct sockaddr *)&gw->relay,
	    addr_len((struct sockaddr *)&gw->relay)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    ss.ss_family == gw->local.ss_family) {
		if (ss.ss_family == AF_INET ?
		    ((struct sockaddr_in *)&gw->local)->sin_addr.s_addr == 0 :
		    IN6_IS_ADDR_UNSPECIFIED(
		    &((struct sockaddr_in6 *)&gw->local)->sin6_addr))
			addr_canon((struct sockaddr *)&ss, canon, &dummy);
	}
	close(fd);
}

/* RFC 7450 5.2.3.7: Teardown with the last nonce and MAC (or a wrong one). */
void
gw_teardown(struct tg_gw *gw, bool bad)
{
	struct amt_msg	m;
	uint8_t		out[64];
	ssize_t		n;

	memset(&m, 0, sizeof(m));
	m.type = AMT_TEARDOWN;
	m.nonce = gw->q_nonce;
	memcpy(m.mac, gw->q_mac, AMT_MAC_LEN);
	if (bad)
		m.mac[AMT_MAC_LEN - 1] ^= 0x01;
	gw_own_addr(gw, m.gw_addr, &m.gw_port);
	n = amt_encode(&m, out, sizeof(out));
	if (n > 0 && gw_send(gw, out, (size_t)n) == 0)
		gw->tg->c.teardowns++;
	if (!bad) {
		gw->torn = true;
		gw->torn_at = tg_now();
		evtimer_del(&gw->tm_ev);
	}
}

json_t *
gw_json(const struct tg_gw *gw)
{
	char	buf[ADDR_STRLEN];

	return json_pack("{s:s, s:I, s:I, s:I}", "local",
	    addr_str((const struct sockaddr *)&gw->local, buf, sizeof(buf)),
	    "queries", (json_int_t)gw->queries,
	    "updates", (json_int_t)gw->updates,
	    "data", (json_int_t)gw->data);
}
