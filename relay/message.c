/*
 * The four AMT messages a relay accepts (RFC 7450 5.3.3.1): Relay
 * Discovery, Request, Membership Update, Teardown.  msg_input() checks
 * length, version and type; each handler goes on in the order expected
 * source / nonce / state -> MAC -> act, and counts every drop.
 *
 * Requests, Updates and Teardowns are served on the relay addresses (-a).
 * A discovery-only socket (-D, usually anycast) answers Relay Discovery
 * alone: RFC 7450 5.3.3.2 says discovery is what that address is for,
 * 5.3.2 and 5.3.3 say the relay address (the one advertised) is where the
 * gateway sends its Requests and Updates, and a tunnel on an anycast
 * address would break whenever routing moves the anycast to another
 * relay.  Requests and Updates there are counted under
 * invalid-membership-request-address / invalid-membership-update-address.
 * A Teardown names its tunnel in its own fields and is authenticated by
 * its MAC, so it is honoured whatever address it reached.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <string.h>
#include <syslog.h>

#include "amt/clock.h"
#include "amt/log.h"
#include "relay.h"

/* RFC 7450 5.3.3.3: Max Resp Code 1, i.e. 100 ms (RFC 3376 4.1.1). */
#define MSG_MAX_RESP_MS	100

/* Largest message sent: a v6 Query with gateway fields (W5: 106). */
#define MSG_BUF_LEN	(AMT_QUERY_HDR_LEN + MCAST_QUERY_V6_LEN + \
			    AMT_GWFIELDS_LEN)

static void
msg_send(struct listener *l, const struct sockaddr *to,
    const struct amt_msg *m, uint64_t *counter)
{
	uint8_t	buf[MSG_BUF_LEN];
	ssize_t	n;

	if ((n = amt_encode(m, buf, sizeof(buf))) < 0) {
		rlog(l->rd, RLOG_MESSAGE, LOG_ERR, "encode %s: %s",
		    amt_type_name(m->type), amt_strerror((int)n));
		return;
	}
	if (listen_send(l, to, buf, (size_t)n) == 0)
		(*counter)++;
}

/*
 * RFC 7450 5.3.3.2 (R2): reply from the address and port the Discovery
 * reached (the socket it came in on), copy the nonce (W9), advertise the
 * relay address of the Discovery's family.
 */
static void
msg_discovery(struct listener *l, const struct sockaddr *from,
    const struct amt_msg *in)
{
	struct relayd		*rd = l->rd;
	const struct amt_ip	*relay;
	struct amt_msg		 out;

	rd->stats.rx_relay_discovery++;
	relay = from->sa_family == AF_INET ? &rd->conf.relay_addr4 :
	    &rd->conf.relay_addr6;
	if (relay->family == 0) {
		rd->stats.err_invalid_relay_discovery_address++;
		return;
	}
	memset(&out, 0, sizeof(out));
	out.type = AMT_RELAY_ADVERTISEMENT;
	out.nonce = in->nonce;
	out.relay = *relay;
	msg_send(l, from, &out, &rd->stats.tx_relay_advertisement);
}

/*
 * R14: would an Update from this endpoint be refused as a new tunnel?
 * The counter that says why, or NULL.  Beyond the table's size and the
 * per-prefix limit, the last new-gateway-share % of the table is kept
 * for prefixes that have no tunnel yet, so that a few networks cannot
 * take it all.  A draining relay (drain.c) takes none.
 */
static uint64_t *
msg_refusal(struct relayd *rd, const struct sockaddr *from)
{
	const struct relay_conf	*c = &rd->conf;
	unsigned		 n, kept;

	if (rd->draining || rd->ntunnels >= c->max_tunnels)
		return &rd->stats.tunnels_refused;
	n = tunnel_count_prefix(rd, from);
	if (n >= c->max_tunnels_per_ip)
		return &rd->stats.tunnels_refused_prefix;
	kept = (unsigned)((uint64_t)c->max_tunnels * c->new_gateway_share /
	    100);
	if (n > 0 && rd->ntunnels >= c->max_tunnels - kept)
		return &rd->stats.tunnels_refused_reserve;
	return NULL;
}

/* R3: P asks for MLDv2; Q2: the Linux driver's P bit if configured. */
static bool
msg_want_mld(const struct relay_conf *c, uint8_t flags)
{
	if (flags & AMT_REQ_FLAG_P)
		return true;
	return c->linux_p_bit && (flags & AMT_REQ_FLAG_P_LINUX) != 0;
}

/*
 * Inner source of the General Query.  RFC 7450 5.3.3.3 allows any source.
 * IGMP: the IPv4 relay address, or 0.0.0.0 without one.  MLD: RFC 3810
 * 5.1.14 requires a link-local source and its receivers (the Linux
 * kernel behind a gateway's tun among them) discard queries from any
 * other, so fe80:: with an interface identifier from the relay address
 * (the IPv6 one's low 64 bits, else the IPv4 address): stable, and not
 * likely to equal a gateway's own link-local address.
 */
static void
msg_query_src(const struct relay_conf *c, bool mld, struct amt_ip *src)
{
	memset(src, 0, sizeof(*src));
	if (!mld) {
		src->family = AF_INET;
		if (c->relay_addr4.family == AF_INET)
			*src = c->relay_addr4;
		return;
	}
	src->family = AF_INET6;
	src->u.b[0] = 0xfe;
	src->u.b[1] = 0x80;
	if (c->relay_addr6.family == AF_INET6)
		memcpy(&src->u.b[8], &c->relay_addr6.u.b[8], 8);
	else if (c->relay_addr4.family == AF_INET)
		memcpy(&src->u.b[12], c->relay_addr4.u.b, 4);
	if (src->u.v6.s6_addr32[2] == 0 && src->u.v6.s6_addr32[3] == 0)
		src->u.b[15] = 1;
}

/*
 * RFC 7450 5.3.3.3 (R3, R4): answer with a Membership Query, keep NO
 * state.  MAC over the Request's source address, port and nonce (R5).
 * L only for an endpoint that has no tunnel yet: an existing tunnel is
 * not refused, and telling it L would send it away (RFC 8777 3.3.5).
 * While draining, L for every endpoint: its gateway should rediscover.
 * Beyond --request-rate from one address, no answer (request-rate-limited).
 */
static void
msg_request(struct listener *l, const struct sockaddr *from,
    const struct amt_msg *in)
{
	struct relayd			*rd = l->rd;
	struct mcast_query_params	 qp;
	struct amt_msg			 out;
	struct tunnel			*t;
	uint8_t				 canon[16], q[MCAST_QUERY_V6_LEN];
	uint16_t			 port;
	ssize_t				 qlen;

	rd->stats.rx_request++;
	if (l->discovery_only) {
		rd->stats.err_invalid_membership_request_address++;
		return;
	}
	if (addr_canon(from, canon, &port) == -1)
		return;
	/* R14: optional limit per source IP, in fixed memory (R4). */
	if (!ratelimit_allow(rd, canon, (uint32_t)clock_mono_ms()))
		return;
	memset(&qp, 0, sizeof(qp));
	msg_query_src(&rd->conf, msg_want_mld(&rd->conf, in->flags), &qp.src);
	qp.qrv = rd->conf.qrv;
	qp.qqi = rd->conf.qqi;
	qp.max_resp_ms = MSG_MAX_RESP_MS;
	if ((qlen = mcast_build_query(&qp, q, sizeof(q))) < 0) {
		rlog(rd, RLOG_MESSAGE, LOG_ERR, "query: %s",
		    mcast_strerror((int)qlen));
		return;
	}
	memset(&out, 0, sizeof(out));
	out.type = AMT_MEMBERSHIP_QUERY;
	out.nonce = in->nonce;
	/* R15, RFC 9601 6.1.4.2: E travels in the MAC (R4). */
	mac_ring_make_ecn(&rd->macs, canon, port, in->nonce, rd->conf.ecn &&
	    (in->flags & AMT_REQ_FLAG_E) != 0, out.mac);
	out.inner = q;
	out.inner_len = (size_t)qlen;
	t = tunnel_find(rd, from);
	if ((t == NULL && msg_refusal(rd, from) != NULL) || rd->draining)
		out.flags |= AMT_QUERY_FLAG_L;
	if (rd->conf.advertise_g) {
		out.flags |= AMT_QUERY_FLAG_G;
		out.gw_port = port;
		memcpy(out.gw_addr, canon, sizeof(out.gw_addr));
	}
	if (t != NULL) {
		t->rx_request++;
		t->tx_query++;
	}
	msg_send(l, from, &out, &rd->stats.tx_membership_query);
}

/*
 * R5, RFC 7450 5.3.3.4: the MAC from the current or (within its grace
 * time) the previous secret; Q1: or, for an existing tunnel, exactly the
 * (nonce, MAC) last verified for it, which VLC keeps using forever.
 * R15: *ecn says whether the MAC was made for a Request with E set; for
 * the kept (nonce, MAC) it is what that MAC said when it was verified.
 */
static bool
msg_mac_ok(struct relayd *rd, const struct tunnel *t, const uint8_t *canon,
    uint16_t port, const struct amt_msg *in, bool *ecn)
{
	bool	ring, kept = false, e;

	/* Both are computed whatever the first gives. */
	ring = mac_ring_verify_ecn(&rd->macs, clock_mono_s(), canon, port,
	    in->nonce, in->mac, &e);
	if (t != NULL && mac_equal(t->mac, in->mac))
		kept = t->nonce == in->nonce;
	*ecn = ring ? e : t != NULL && t->ecn;
	return ring || kept;
}

/* R6 (a)-(d): why an inner report was refused. */
static void
msg_count_report_error(struct relay_stats *st, int rc)
{
	switch (rc) {
	case MCAST_ERR_SHORT:
	case MCAST_ERR_COUNT:
		st->err_incomplete_packet++;
		break;
	case MCAST_ERR_IPCSUM:
	case MCAST_ERR_CSUM:
		st->err_invalid_inner_header_checksum++;
		break;
	default:
		st->err_invalid_inner_header++;
		break;
	}
}

/*
 * RFC 7450 5.3.3.4 (R6): nothing changes unless the MAC verifies and the
 * whole report is valid.  Only then is a tunnel created (R4), within the
 * limits (R14), keyed by source address and port (R7); each record is
 * applied and the timer restarts (R13).
 */
static void
msg_update(struct listener *l, const struct sockaddr *from,
    const struct amt_msg *in)
{
	struct relayd		*rd = l->rd;
	struct mcast_report	 rep;
	struct mcast_record	 rec;
	struct tunnel		*t;
	uint64_t		*refused;
	uint8_t			 canon[16];
	uint16_t		 port;
	int			 rc;
	bool			 ecn;

	rd->stats.rx_membership_update++;
	if (l->discovery_only) {
		rd->stats.err_invalid_membership_update_address++;
		return;
	}
	if (addr_canon(from, canon, &port) == -1)
		return;
	t = tunnel_find(rd, from);
	if (!msg_mac_ok(rd, t, canon, port, in, &ecn)) {
		rd->stats.err_invalid_mac++;
		return;
	}
	if ((rc = mcast_report_parse(in->inner, in->inner_len, &rep)) != 0) {
		msg_count_report_error(&rd->stats, rc);
		return;
	}
	if (t == NULL) {
		if ((refused = msg_refusal(rd, from)) != NULL) {
			/* tunnels-refused: all; the others say why */
			if (refused != &rd->stats.tunnels_refused)
				rd->stats.tunnels_refused++;
			(*refused)++;
			return;
		}
		if ((t = tunnel_new(rd, from, l)) == NULL)
			return;
	}
	t->lsn = l;
	t->nonce = in->nonce;
	memcpy(t->mac, in->mac, sizeof(t->mac));
	t->ecn = ecn;
	t->rx_update++;
	while (mcast_report_next(&rep, &rec) == 1)
		if (membership_apply(t, &rec) == -1)
			rlog(rd, RLOG_MESSAGE, LOG_ERR,
			    "membership: out of memory");
	tunnel_refresh(t);
}

/*
 * RFC 7450 5.3.3.5 (R11): the MAC is computed from the Teardown's own
 * gateway fields; if it verifies, the tunnel those fields name stops
 * receiving data at once and its state is deleted.  Otherwise ignored.
 */
static void
msg_teardown(struct listener *l, const struct sockaddr *from,
    const struct amt_msg *in)
{
	struct relayd		*rd = l->rd;
	struct sockaddr_storage	 gw;
	struct tunnel		*t;
	char			 buf[ADDR_STRLEN], buf2[ADDR_STRLEN];
	bool			 ecn;

	rd->stats.rx_teardown++;
	addr_from_canon(in->gw_addr, in->gw_port, &gw);
	t = tunnel_find(rd, (struct sockaddr *)&gw);
	if (!msg_mac_ok(rd, t, in->gw_addr, in->gw_port, in, &ecn)) {
		rd->stats.err_invalid_mac++;
		return;
	}
	if (t == NULL) {
		rd->stats.err_no_active_gateway++;
		return;
	}
	rlog(rd, RLOG_TUNNEL, LOG_INFO, "teardown of %s from %s",
	    addr_str((struct sockaddr *)&gw, buf, sizeof(buf)),
	    addr_str(from, buf2, sizeof(buf2)));
	tunnel_free(t);
}

/*
 * RFC 7450 5.3.3.1: only Discovery, Request, Update and Teardown; any
 * version other than 0 is ignored (W2).  Checked in the order length,
 * version, type, then the per-type lengths of amt_decode().
 */
void
msg_input(struct listener *l, const struct sockaddr *from,
    const uint8_t *p, size_t len)
{
	struct relay_stats	*st = &l->rd->stats;
	struct amt_msg		 m;

	if (len < 1) {
		st->err_incomplete_packet++;
		return;
	}
	if ((p[0] >> 4) != 0) {
		st->err_bad_version++;
		return;
	}
	switch (p[0] & 0x0f) {
	case AMT_RELAY_DISCOVERY:
	case AMT_REQUEST:
	case AMT_MEMBERSHIP_UPDATE:
	case AMT_TEARDOWN:
		break;
	default:
		st->err_unexpected_type++;
		return;
	}
	if (amt_decode(p, len, &m) != AMT_OK) {
		st->err_incomplete_packet++;
		return;
	}
	switch (m.type) {
	case AMT_RELAY_DISCOVERY:
		msg_discovery(l, from, &m);
		break;
	case AMT_REQUEST:
		msg_request(l, from, &m);
		break;
	case AMT_MEMBERSHIP_UPDATE:
		msg_update(l, from, &m);
		break;
	case AMT_TEARDOWN:
		msg_teardown(l, from, &m);
		break;
	}
}
