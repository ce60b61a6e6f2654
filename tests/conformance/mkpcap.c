/*
 * Write every AMT message type, encoded by the library, into a pcap file
 * (LINKTYPE_RAW) for tshark's AMT dissector (Q6): both outer
 * families, each with IGMP and MLD inside (W7), with and without the
 * G, L, P and E flags.  Every datagram has a valid UDP checksum on port
 * 2268 (W1, W6).  On stdout, one line per packet: the fields tshark must
 * show for it, in the order tshark.sh asks for them.
 *
 * usage: mkpcap FILE.pcap > expected.txt
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amt/addr.h"
#include "amt/buf.h"
#include "amt/cksum.h"
#include "amt/mcast.h"
#include "amt/wire.h"

#define MK_LINKTYPE_RAW	101
#define MK_GW_PORT	55505
#define MK_DATA_PORT	5000
#define MK_MAX		2048

struct mk {
	FILE		*pcap;
	int		 outer;		/* AF_INET, AF_INET6 */
	struct amt_ip	 gw, relay;
	unsigned	 n;
};

/* What tshark shows beyond the AMT fields of the message. */
struct mk_inner {
	const char	*igmp;		/* igmp.type */
	const char	*icmpv6;	/* icmpv6.type */
	bool		 udp;		/* a UDP datagram to MK_DATA_PORT */
};

static void __attribute__((noreturn))
mk_fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fprintf(stderr, "mkpcap: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static struct amt_ip
mk_ip(const char *s)
{
	struct amt_ip	ip;

	if (ip_parse(s, &ip) == -1)
		mk_fatal("bad address %s", s);
	return ip;
}

static void
mk_put32le(FILE *f, uint32_t v)
{
	uint8_t	b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
		    v >> 24 };

	fwrite(b, 1, sizeof(b), f);
}

static void
mk_pcap_header(FILE *f)
{
	mk_put32le(f, 0xa1b2c3d4);
	mk_put32le(f, 2 | 4 << 16);	/* version 2.4 */
	mk_put32le(f, 0);
	mk_put32le(f, 0);
	mk_put32le(f, 65535);
	mk_put32le(f, MK_LINKTYPE_RAW);
}

/* An IPv4 or IPv6 header for len bytes of payload of protocol proto. */
static void
mk_iphdr(struct wbuf *b, const struct amt_ip *src, const struct amt_ip *dst,
    uint8_t proto, uint8_t ttl, size_t len)
{
	size_t	start = b->len;

	if (src->family == AF_INET) {
		wbuf_add_u8(b, 0x45);
		wbuf_add_u8(b, 0);
		wbuf_add_n16(b, (uint16_t)(20 + len));
		wbuf_add_n32(b, 0x00004000);	/* id 0, DF */
		wbuf_add_u8(b, ttl);
		wbuf_add_u8(b, proto);
		wbuf_add_n16(b, 0);
		wbuf_add_bytes(b, src->u.b, 4);
		wbuf_add_bytes(b, dst->u.b, 4);
		if (!b->err)
			wbuf_set_n16(b, start + 10,
			    ntohs(cksum(b->data + start, 20)));
	} else {
		wbuf_add_n32(b, 0x60000000);
		wbuf_add_n16(b, (uint16_t)len);
		wbuf_add_u8(b, proto);
		wbuf_add_u8(b, ttl);
		wbuf_add_bytes(b, src->u.b, 16);
		wbuf_add_bytes(b, dst->u.b, 16);
	}
}

/* IP + UDP around a payload, with a valid UDP checksum. */
static size_t
mk_udp(uint8_t *out, size_t cap, const struct amt_ip *src,
    const struct amt_ip *dst, uint16_t sport, uint16_t dport,
    const uint8_t *p, size_t len, uint8_t ttl)
{
	struct wbuf	b;
	size_t		udp;
	uint16_t	sum;

	wbuf_init(&b, out, cap);
	mk_iphdr(&b, src, dst, IPPROTO_UDP, ttl, 8 + len);
	udp = b.len;
	wbuf_add_n16(&b, sport);
	wbuf_add_n16(&b, dport);
	wbuf_add_n16(&b, (uint16_t)(8 + len));
	wbuf_add_n16(&b, 0);
	wbuf_add_bytes(&b, p, len);
	if (b.err)
		mk_fatal("datagram too long");
	sum = ntohs(cksum_l4(src, dst, IPPROTO_UDP, out + udp, 8 + len));
	wbuf_set_n16(&b, udp + 6, sum == 0 ? 0xffff : sum);
	return b.len;
}

static void
mk_record(struct mk *mk, const uint8_t *p, size_t len)
{
	mk_put32le(mk->pcap, 1700000000 + mk->n);
	mk_put32le(mk->pcap, 0);
	mk_put32le(mk->pcap, (uint32_t)len);
	mk_put32le(mk->pcap, (uint32_t)len);
	fwrite(p, 1, len, mk->pcap);
	mk->n++;
}

static void
mk_hex(char *buf, size_t len, const uint8_t *p, size_t n)
{
	size_t	i;

	snprintf(buf, len, "0x");
	for (i = 0; i < n && 2 + 2 * i + 2 < len; i++)
		snprintf(buf + 2 + 2 * i, len - 2 - 2 * i, "%02x", p[i]);
}

static const char *
mk_addr(char *buf, size_t len, int family, const uint8_t *a)
{
	if (inet_ntop(family, a, buf, (socklen_t)len) == NULL)
		mk_fatal("inet_ntop");
	return buf;
}

/*
 * The line tshark.sh compares: amt.type, amt.request.p,
 * amt.request.reserved (E), amt.membership_query.l, .g, discovery nonce,
 * request nonce, response MAC, relay address v4, v6, gateway port,
 * gateway address, igmp.type, icmpv6.type, udp.dstport and udp.length
 * (every one: outer, then inner for Data).
 */
static void
mk_expect(const struct mk *mk, const struct amt_msg *m, size_t len,
    const struct mk_inner *in)
{
	char		nonce[16], mac[24], relay4[64], relay6[64], gw[64];
	char		port[8], req[8], resv[8], l[4], g[4], dports[32];
	char		ulens[32];
	uint16_t	dport;
	bool		to_relay, has_mac, query;

	memset(relay4, 0, sizeof(relay4));
	memset(relay6, 0, sizeof(relay6));
	memset(gw, 0, sizeof(gw));
	port[0] = req[0] = resv[0] = l[0] = g[0] = mac[0] = '\0';
	query = m->type == AMT_MEMBERSHIP_QUERY;
	has_mac = query || m->type == AMT_MEMBERSHIP_UPDATE ||
	    m->type == AMT_TEARDOWN;
	snprintf(nonce, sizeof(nonce), "0x%08x", m->nonce);
	if (has_mac)
		mk_hex(mac, sizeof(mac), m->mac, sizeof(m->mac));
	if (m->type == AMT_RELAY_ADVERTISEMENT)
		mk_addr(m->relay.family == AF_INET ? relay4 : relay6, 64,
		    m->relay.family, m->relay.u.b);
	if (m->type == AMT_TEARDOWN ||
	    (query && (m->flags & AMT_QUERY_FLAG_G))) {
		snprintf(port, sizeof(port), "%u", m->gw_port);
		mk_addr(gw, sizeof(gw), AF_INET6, m->gw_addr);
	}
	if (m->type == AMT_REQUEST) {
		snprintf(req, sizeof(req), "%u", m->flags & AMT_REQ_FLAG_P);
		snprintf(resv, sizeof(resv), "0x%02x", (m->flags & 0xfe) >> 1);
	}
	if (query) {
		snprintf(l, sizeof(l), "%u", (m->flags & AMT_QUERY_FLAG_L) >> 1);
		snprintf(g, sizeof(g), "%u", m->flags & AMT_QUERY_FLAG_G);
	}
	to_relay = m->type == AMT_RELAY_DISCOVERY || m->type == AMT_REQUEST ||
	    m->type == AMT_MEMBERSHIP_UPDATE || m->type == AMT_TEARDOWN;
	dport = to_relay ? AMT_PORT : MK_GW_PORT;
	snprintf(dports, sizeof(dports), in->udp ? "%u,%u" : "%u", dport,
	    MK_DATA_PORT);
	if (in->udp)
		snprintf(ulens, sizeof(ulens), "%zu,%zu", 8 + len,
		    m->inner_len - (m->inner[0] >> 4 == 4 ? 20 : 40));
	else
		snprintf(ulens, sizeof(ulens), "%zu", 8 + len);
	printf("%u\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s"
	    "\t%s\n",
	    m->type, req, resv, l, g,
	    m->type <= AMT_RELAY_ADVERTISEMENT ? nonce : "",
	    m->type > AMT_RELAY_ADVERTISEMENT &&
	    m->type != AMT_MULTICAST_DATA ? nonce : "",
	    mac, relay4, relay6, port, gw,
	    in->igmp != NULL ? in->igmp : "",
	    in->icmpv6 != NULL ? in->icmpv6 : "", dports, ulens);
}

/* Encode with the library, wrap, write, and say what tshark must see. */
static void
mk_emit(struct mk *mk, struct amt_msg *m, const struct mk_inner *in)
{
	uint8_t		amt[MK_MAX], pkt[MK_MAX + 64];
	ssize_t		n;
	size_t		len;
	bool		to_relay;

	if (m->type != AMT_MULTICAST_DATA)
		m->nonce = 0x80a5c300U + mk->n;
	if (m->type == AMT_MEMBERSHIP_QUERY ||
	    m->type == AMT_MEMBERSHIP_UPDATE || m->type == AMT_TEARDOWN) {
		memcpy(m->mac, "\xfe\x01\x80\x7f\x00", 5);
		m->mac[5] = (uint8_t)mk->n;
	}
	if ((n = amt_encode(m, amt, sizeof(amt))) < 0)
		mk_fatal("encode %s: %s", amt_type_name(m->type),
		    amt_strerror((int)n));
	to_relay = m->type == AMT_RELAY_DISCOVERY || m->type == AMT_REQUEST ||
	    m->type == AMT_MEMBERSHIP_UPDATE || m->type == AMT_TEARDOWN;
	if (to_relay)
		len = mk_udp(pkt, sizeof(pkt), &mk->gw, &mk->relay,
		    MK_GW_PORT, AMT_PORT, amt, (size_t)n, 64);
	else
		len = mk_udp(pkt, sizeof(pkt), &mk->relay, &mk->gw,
		    AMT_PORT, MK_GW_PORT, amt, (size_t)n, 64);
	mk_record(mk, pkt, len);
	mk_expect(mk, m, (size_t)n, in);
}

static void
mk_init(struct amt_msg *m, uint8_t type, uint8_t flags)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->flags = flags;
}

/* The gateway's address in canonical 16-byte form (5.1.4.9.2). */
static void
mk_gw_fields(const struct mk *mk, struct amt_msg *m)
{
	memset(m->gw_addr, 0, sizeof(m->gw_addr));
	memcpy(m->gw_addr + (mk->outer == AF_INET ? 12 : 0), mk->gw.u.b,
	    ip_len(mk->outer));
	m->gw_port = MK_GW_PORT;
}

static void
mk_discovery(struct mk *mk)
{
	const struct mk_inner	none = { NULL, NULL, false };
	struct amt_msg		m;

	mk_init(&m, AMT_RELAY_DISCOVERY, 0);
	mk_emit(mk, &m, &none);
	mk_init(&m, AMT_RELAY_ADVERTISEMENT, 0);
	m.relay = mk->relay;
	mk_emit(mk, &m, &none);
}

static void
mk_requests(struct mk *mk)
{
	const struct mk_inner	none = { NULL, NULL, false };
	const uint8_t		flags[] = { 0, AMT_REQ_FLAG_P, AMT_REQ_FLAG_E,
				    AMT_REQ_FLAG_P | AMT_REQ_FLAG_E };
	struct amt_msg		m;
	size_t			i;

	for (i = 0; i < sizeof(flags); i++) {
		mk_init(&m, AMT_REQUEST, flags[i]);
		mk_emit(mk, &m, &none);
	}
}

/* IGMPv3 and MLDv2 General Queries, each with no flag, L, G, L and G. */
static void
mk_queries(struct mk *mk)
{
	const struct mk_inner	 v4 = { "0x11", NULL, false };
	const struct mk_inner	 v6 = { NULL, "130", false };
	struct mcast_query_params qp;
	struct amt_msg		 m;
	uint8_t			 q[MK_MAX];
	ssize_t			 n;
	int			 fam, flags;

	for (fam = 0; fam < 2; fam++) {
		memset(&qp, 0, sizeof(qp));
		qp.src = mk_ip(fam == 0 ? "198.51.100.1" : "fe80::1");
		qp.qrv = 2;
		qp.qqi = 125;
		qp.max_resp_ms = 100;
		if ((n = mcast_build_query(&qp, q, sizeof(q))) < 0)
			mk_fatal("query: %s", mcast_strerror((int)n));
		for (flags = 0; flags < 4; flags++) {
			mk_init(&m, AMT_MEMBERSHIP_QUERY, (uint8_t)flags);
			m.inner = q;
			m.inner_len = (size_t)n;
			if (flags & AMT_QUERY_FLAG_G)
				mk_gw_fields(mk, &m);
			mk_emit(mk, &m, fam == 0 ? &v4 : &v6);
		}
	}
}

static void
mk_update(struct mk *mk, const uint8_t *p, ssize_t n,
    const struct mk_inner *in)
{
	struct amt_msg	m;

	if (n < 0)
		mk_fatal("report: %s", mcast_strerror((int)n));
	mk_init(&m, AMT_MEMBERSHIP_UPDATE, 0);
	m.inner = p;
	m.inner_len = (size_t)n;
	mk_emit(mk, &m, in);
}

/* IGMPv3, IGMPv2 report and leave; MLDv2, MLDv1 report and done. */
static void
mk_updates(struct mk *mk)
{
	const struct mk_inner	 v3 = { "0x22", NULL, false };
	const struct mk_inner	 v2 = { "0x16", NULL, false };
	const struct mk_inner	 lv = { "0x17", NULL, false };
	const struct mk_inner	 m2 = { NULL, "143", false };
	const struct mk_inner	 m1 = { NULL, "131", false };
	const struct mk_inner	 dn = { NULL, "132", false };
	struct amt_ip		 src4, src6, g4, g6, s4, s6;
	struct mcast_record	 rec;
	uint8_t			 p[MK_MAX];

	src4 = mk_ip("10.8.8.1");
	src6 = mk_ip("fe80::9000:1");
	g4 = mk_ip("232.1.1.1");
	g6 = mk_ip("ff3e::8000:1");
	s4 = mk_ip("10.10.0.1");
	s6 = mk_ip("2001:db8:10::1");
	memset(&rec, 0, sizeof(rec));
	rec.type = MCAST_ALLOW_NEW_SOURCES;
	rec.group = g4;
	rec.nsrc = 1;
	rec.srcs = s4.u.b;
	mk_update(mk, p, mcast_build_report(&src4, &rec, 1, p, sizeof(p)), &v3);
	mk_update(mk, p, mcast_build_v1report(&src4, &g4, false, p,
	    sizeof(p)), &v2);
	mk_update(mk, p, mcast_build_v1report(&src4, &g4, true, p,
	    sizeof(p)), &lv);
	rec.group = g6;
	rec.srcs = s6.u.b;
	mk_update(mk, p, mcast_build_report(&src6, &rec, 1, p, sizeof(p)), &m2);
	mk_update(mk, p, mcast_build_v1report(&src6, &g6, false, p,
	    sizeof(p)), &m1);
	mk_update(mk, p, mcast_build_v1report(&src6, &g6, true, p,
	    sizeof(p)), &dn);
}

/* Multicast Data with an IPv4 and an IPv6 UDP datagram inside (W7). */
static void
mk_data(struct mk *mk)
{
	const struct mk_inner	inner = { NULL, NULL, true };
	const char		payload[] = "amt conformance";
	const char		*src[] = { "10.10.0.1", "2001:db8:10::1" };
	const char		*grp[] = { "232.1.1.1", "ff3e::8000:1" };
	struct amt_ip		s, g;
	struct amt_msg		m;
	uint8_t			p[MK_MAX];
	int			i;

	for (i = 0; i < 2; i++) {
		s = mk_ip(src[i]);
		g = mk_ip(grp[i]);
		mk_init(&m, AMT_MULTICAST_DATA, 0);
		m.inner = p;
		m.inner_len = mk_udp(p, sizeof(p), &s, &g, MK_DATA_PORT,
		    MK_DATA_PORT, (const uint8_t *)payload, sizeof(payload),
		    16);
		mk_emit(mk, &m, &inner);
	}
}

static void
mk_teardown(struct mk *mk)
{
	const struct mk_inner	none = { NULL, NULL, false };
	struct amt_msg		m;

	mk_init(&m, AMT_TEARDOWN, 0);
	mk_gw_fields(mk, &m);
	mk_emit(mk, &m, &none);
}

static void
mk_family(struct mk *mk, int outer)
{
	mk->outer = outer;
	mk->gw = mk_ip(outer == AF_INET ? "192.0.2.10" : "2001:db8::10");
	mk->relay = mk_ip(outer == AF_INET ? "198.51.100.1" :
	    "2001:db8:1::1");
	mk_discovery(mk);
	mk_requests(mk);
	mk_queries(mk);
	mk_updates(mk);
	mk_data(mk);
	mk_teardown(mk);
}

int
main(int argc, char **argv)
{
	struct mk	mk;

	if (argc != 2) {
		fprintf(stderr, "usage: mkpcap FILE.pcap > expected\n");
		return 2;
	}
	memset(&mk, 0, sizeof(mk));
	if ((mk.pcap = fopen(argv[1], "wb")) == NULL)
		mk_fatal("%s: cannot create", argv[1]);
	mk_pcap_header(mk.pcap);
	mk_family(&mk, AF_INET);
	mk_family(&mk, AF_INET6);
	if (fclose(mk.pcap) != 0)
		mk_fatal("%s: write failed", argv[1]);
	return 0;
}
