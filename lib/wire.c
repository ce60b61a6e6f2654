/*
 * The seven AMT messages of RFC 7450 section 5.1 (see include/amt/wire.h).
 *
 * Decoding checks, in this order: length of octet 0, version (W2), type
 * (W2), then every per-type length rule in wire_layout(), the one switch
 * that knows how long each message is and where its parts sit.  Only then
 * are fields read, through the bounded cursor of buf.c.  Reserved bits
 * are ignored on receipt and sent as zero (W3); octet 1 is kept in
 * msg->flags as received.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <string.h>

#include "amt/buf.h"
#include "amt/wire.h"

#define WIRE_IPV4_HDR_LEN	20
#define WIRE_IPV6_HDR_LEN	40

/* Where the parts of one message sit, from wire_layout(). */
struct wire_layout {
	size_t	inner_off;	/* start of the inner datagram, 0: none */
	size_t	inner_end;	/* end of the bytes that may hold it */
	size_t	gw_off;		/* gateway port + address, 0: none */
	size_t	relay_len;	/* Advertisement: 4 or 16 */
};

typedef int	wire_decode_fn(const uint8_t *, size_t,
		    const struct wire_layout *, struct amt_msg *);
typedef int	wire_encode_fn(const struct amt_msg *, struct wbuf *);

static wire_decode_fn	wire_decode_discovery, wire_decode_advert,
			wire_decode_request, wire_decode_query,
			wire_decode_update, wire_decode_data,
			wire_decode_teardown;
static wire_encode_fn	wire_encode_discovery, wire_encode_advert,
			wire_encode_request, wire_encode_query,
			wire_encode_update, wire_encode_data,
			wire_encode_teardown;

/* The seven messages, indexed by type (RFC 7450 5.1). */
static const struct wire_type {
	const char	*name;
	wire_decode_fn	*decode;
	wire_encode_fn	*encode;
} wire_types[AMT_TYPE_MAX + 1] = {
	[AMT_RELAY_DISCOVERY] = { "relay-discovery",
	    wire_decode_discovery, wire_encode_discovery },
	[AMT_RELAY_ADVERTISEMENT] = { "relay-advertisement",
	    wire_decode_advert, wire_encode_advert },
	[AMT_REQUEST] = { "request",
	    wire_decode_request, wire_encode_request },
	[AMT_MEMBERSHIP_QUERY] = { "membership-query",
	    wire_decode_query, wire_encode_query },
	[AMT_MEMBERSHIP_UPDATE] = { "membership-update",
	    wire_decode_update, wire_encode_update },
	[AMT_MULTICAST_DATA] = { "multicast-data",
	    wire_decode_data, wire_encode_data },
	[AMT_TEARDOWN] = { "teardown",
	    wire_decode_teardown, wire_encode_teardown },
};

/*
 * The least length of each message (RFC 7450 5.1).  More is accepted
 * where the RFC has no rule against it (W8): trailing octets of a
 * Discovery, Request or Teardown are ignored (Q1: VLC 4 sends a Request
 * of 9), and the MAC still covers every field the relay acts on.
 */
static const size_t wire_min_len[AMT_TYPE_MAX + 1] = {
	[AMT_RELAY_DISCOVERY] = AMT_DISCOVERY_LEN,	/* 5.1.1 */
	[AMT_RELAY_ADVERTISEMENT] = AMT_ADVERT_V4_LEN,	/* 5.1.2.5 */
	[AMT_REQUEST] = AMT_REQUEST_LEN,		/* 5.1.3 */
	[AMT_MEMBERSHIP_QUERY] = AMT_QUERY_HDR_LEN,	/* 5.1.4 */
	[AMT_MEMBERSHIP_UPDATE] = AMT_UPDATE_HDR_LEN,	/* 5.1.5 */
	[AMT_MULTICAST_DATA] = AMT_DATA_HDR_LEN,	/* 5.1.6.4 */
	[AMT_TEARDOWN] = AMT_TEARDOWN_LEN,		/* 5.1.7 */
};

/*
 * Every per-type length rule (RFC 7450 5.1): the least length above,
 * then what each type adds.  len is the UDP payload length; flags is
 * octet 1 (it says whether a Query has gateway fields).
 */
static int
wire_layout(uint8_t type, uint8_t flags, size_t len, struct wire_layout *l)
{
	memset(l, 0, sizeof(*l));
	if (type > AMT_TYPE_MAX || wire_min_len[type] == 0)
		return AMT_ERR_TYPE;
	if (len < wire_min_len[type])
		goto badshort;
	switch (type) {
	case AMT_RELAY_ADVERTISEMENT:
		/* 5.1.2.5: "length - 8 = 4 (IPv4) or 16 (IPv6)". */
		if (len != AMT_ADVERT_V4_LEN && len != AMT_ADVERT_V6_LEN)
			goto badlen;
		l->relay_len = len - (AMT_ADVERT_V4_LEN - 4);
		break;
	case AMT_MEMBERSHIP_QUERY:
		/*
		 * 5.1.4.9: with G the gateway fields are the last 18 bytes
		 * of the datagram, whatever the inner datagram says.
		 */
		l->inner_off = AMT_QUERY_HDR_LEN;
		l->inner_end = len;
		if (flags & AMT_QUERY_FLAG_G) {
			if (len < AMT_QUERY_HDR_LEN + AMT_GWFIELDS_LEN)
				goto badshort;
			l->gw_off = l->inner_end = len - AMT_GWFIELDS_LEN;
		}
		break;
	case AMT_MEMBERSHIP_UPDATE:
		/* 5.1.5: 12 bytes + the IP datagram of a report. */
		l->inner_off = AMT_UPDATE_HDR_LEN;
		l->inner_end = len;
		break;
	case AMT_MULTICAST_DATA:
		/* 5.1.6.4: 2 bytes + a datagram or a datagram fragment. */
		l->inner_off = AMT_DATA_HDR_LEN;
		l->inner_end = len;
		break;
	case AMT_TEARDOWN:
		/* 5.1.7: every field at a fixed offset. */
		l->gw_off = AMT_TEARDOWN_LEN - AMT_GWFIELDS_LEN;
		break;
	}
	return AMT_OK;
badshort:
	return AMT_ERR_SHORT;
badlen:
	return AMT_ERR_LENGTH;
}

ssize_t
amt_inner_len(const uint8_t *p, size_t len)
{
	struct rbuf	b;
	uint8_t		vhl;
	uint16_t	n;
	size_t		hlen, tlen;

	rbuf_init(&b, p, len);
	if (rbuf_get_u8(&b, &vhl) == -1)
		return -1;
	switch (vhl >> 4) {
	case 4:
		/* RFC 791: IHL >= 5 words, total length covers it. */
		rbuf_skip(&b, 1);
		rbuf_get_n16(&b, &n);
		hlen = (size_t)(vhl & 0x0f) * 4;
		tlen = n;
		if (hlen < WIRE_IPV4_HDR_LEN || tlen < hlen)
			return -1;
		break;
	case 6:
		/* RFC 8200 3: payload length excludes the 40-byte header. */
		rbuf_skip(&b, 3);
		rbuf_get_n16(&b, &n);
		tlen = WIRE_IPV6_HDR_LEN + (size_t)n;
		break;
	default:
		return -1;
	}
	if (b.err || tlen > len)
		return -1;
	return (ssize_t)tlen;
}

/* The inner datagram between l->inner_off and l->inner_end (W8). */
static int
wire_decode_inner(const uint8_t *p, const struct wire_layout *l,
    struct amt_msg *m)
{
	ssize_t	n;

	n = amt_inner_len(p + l->inner_off, l->inner_end - l->inner_off);
	if (n < 0)
		return AMT_ERR_INNER;
	m->inner = p + l->inner_off;
	m->inner_len = (size_t)n;
	return AMT_OK;
}

/* Gateway port and canonical address (5.1.4.9, 5.1.7). */
static int
wire_decode_gw(const uint8_t *p, size_t len, size_t off, struct amt_msg *m)
{
	struct rbuf	b;

	rbuf_init(&b, p, len);
	rbuf_skip(&b, off);
	rbuf_get_n16(&b, &m->gw_port);
	rbuf_get_bytes(&b, m->gw_addr, sizeof(m->gw_addr));
	return b.err ? AMT_ERR_SHORT : AMT_OK;
}

/* Octets 0-1, then MAC and nonce: the head of Query, Update, Teardown. */
static int
wire_get_macnonce(const uint8_t *p, size_t len, struct amt_msg *m)
{
	struct rbuf	b;

	rbuf_init(&b, p, len);
	rbuf_skip(&b, 2);
	rbuf_get_bytes(&b, m->mac, sizeof(m->mac));
	rbuf_get_n32(&b, &m->nonce);
	return b.err ? AMT_ERR_SHORT : AMT_OK;
}

/* RFC 7450 5.1.1: octets 1-3 reserved, then the nonce. */
static int
wire_decode_discovery(const uint8_t *p, size_t len,
    const struct wire_layout *l, struct amt_msg *m)
{
	struct rbuf	b;

	rbuf_init(&b, p, len);
	rbuf_skip(&b, 4);
	rbuf_get_n32(&b, &m->nonce);
	return b.err ? AMT_ERR_SHORT : AMT_OK;
}

/* 5.1.2: the family of the relay address comes from the length. */
static int
wire_decode_advert(const uint8_t *p, size_t len,
    const struct wire_layout *l, struct amt_msg *m)
{
	struct rbuf	b;

	rbuf_init(&b, p, len);
	rbuf_skip(&b, 4);
	rbuf_get_n32(&b, &m->nonce);
	m->relay.family = l->relay_len == 4 ? AF_INET : AF_INET6;
	rbuf_get_bytes(&b, m->relay.u.b, l->relay_len);
	return b.err ? AMT_ERR_SHORT : AMT_OK;
}

/* 5.1.3: P and E (RFC 9601) live in octet 1, kept in m->flags. */
static int
wire_decode_request(const uint8_t *p, size_t len,
    const struct wire_layout *l, struct amt_msg *m)
{
	return wire_decode_discovery(p, len, l, m);
}

static int
wire_decode_query(const uint8_t *p, size_t len,
    const struct wire_layout *l, struct amt_msg *m)
{
	int	rc;

	if ((rc = wire_get_macnonce(p, len, m)) != AMT_OK)
		return rc;
	if ((rc = wire_decode_inner(p, l, m)) != AMT_OK)
		return rc;
	if (l->gw_off != 0)
		return wire_decode_gw(p, len, l->gw_off, m);
	return AMT_OK;
}

static int
wire_decode_update(const uint8_t *p, size_t len,
    const struct wire_layout *l, struct amt_msg *m)
{
	int	rc;

	if ((rc = wire_get_macnonce(p, len, m)) != AMT_OK)
		return rc;
	return wire_decode_inner(p, l, m);
}

static int
wire_decode_data(const uint8_t *p, size_t len,
    const struct wire_layout *l, struct amt_msg *m)
{
	return wire_decode_inner(p, l, m);
}

static int
wire_decode_teardown(const uint8_t *p, size_t len,
    const struct wire_layout *l, struct amt_msg *m)
{
	int	rc;

	if ((rc = wire_get_macnonce(p, len, m)) != AMT_OK)
		return rc;
	return wire_decode_gw(p, len, l->gw_off, m);
}

/* Checks in order: length, version, type, per-type lengths, fields. */
int
amt_decode(const void *data, size_t len, struct amt_msg *m)
{
	const uint8_t		*p = data;
	struct wire_layout	 l;
	uint8_t			 type;
	int			 rc;

	memset(m, 0, sizeof(*m));
	if (p == NULL || len < 1)
		return AMT_ERR_SHORT;
	/* RFC 7450 5.1.x.1: the version is 0 (W2). */
	if ((p[0] >> 4) != 0)
		return AMT_ERR_VERSION;
	type = p[0] & 0x0f;
	rc = wire_layout(type, len > 1 ? p[1] : 0, len, &l);
	if (rc != AMT_OK)
		return rc;
	m->type = type;
	m->flags = p[1];
	if ((rc = wire_types[type].decode(p, len, &l, m)) != AMT_OK)
		memset(m, 0, sizeof(*m));
	return rc;
}

/* Octets 0-1: version 0, type, and the flags the type defines (W3). */
static void
wire_put_head(struct wbuf *b, uint8_t type, uint8_t flags)
{
	wbuf_add_u8(b, type);
	wbuf_add_u8(b, flags);
}

/* The head of Discovery, Advertisement, Request: 2 reserved, nonce. */
static void
wire_put_nonce(struct wbuf *b, uint8_t type, uint8_t flags, uint32_t nonce)
{
	wire_put_head(b, type, flags);
	wbuf_add_zero(b, 2);
	wbuf_add_n32(b, nonce);
}

/* The head of Query, Update, Teardown: MAC and nonce. */
static void
wire_put_macnonce(struct wbuf *b, uint8_t type, uint8_t flags,
    const struct amt_msg *m)
{
	wire_put_head(b, type, flags);
	wbuf_add_bytes(b, m->mac, sizeof(m->mac));
	wbuf_add_n32(b, m->nonce);
}

/* Gateway port and address (5.1.4.9, 5.1.7). */
static void
wire_put_gw(struct wbuf *b, const struct amt_msg *m)
{
	wbuf_add_n16(b, m->gw_port);
	wbuf_add_bytes(b, m->gw_addr, sizeof(m->gw_addr));
}

/* An inner datagram is sent whole and alone, as decode would find it. */
static int
wire_check_inner(const struct amt_msg *m)
{
	ssize_t	n;

	n = amt_inner_len(m->inner, m->inner_len);
	if (n < 0 || (size_t)n != m->inner_len)
		return AMT_ERR_INNER;
	return AMT_OK;
}

/* RFC 9601 6.1.4.2: a gateway that propagates ECN sets E here too. */
static int
wire_encode_discovery(const struct amt_msg *m, struct wbuf *b)
{
	wire_put_nonce(b, AMT_RELAY_DISCOVERY, m->flags & AMT_REQ_FLAG_E,
	    m->nonce);
	return AMT_OK;
}

static int
wire_encode_advert(const struct amt_msg *m, struct wbuf *b)
{
	if (m->relay.family != AF_INET && m->relay.family != AF_INET6)
		return AMT_ERR_LENGTH;
	wire_put_nonce(b, AMT_RELAY_ADVERTISEMENT, 0, m->nonce);
	wbuf_add_bytes(b, m->relay.u.b, m->relay.family == AF_INET ? 4 : 16);
	return AMT_OK;
}

/*
 * 5.1.3.4: P; RFC 9601: E; Q2: the Linux driver's P, sent only by a
 * gateway that found a relay of that layout (gateway/interop.c).
 */
static int
wire_encode_request(const struct amt_msg *m, struct wbuf *b)
{
	wire_put_nonce(b, AMT_REQUEST, m->flags & (AMT_REQ_FLAG_P |
	    AMT_REQ_FLAG_E | AMT_REQ_FLAG_P_LINUX), m->nonce);
	return AMT_OK;
}

/* 5.1.4: header, General Query, then the gateway fields when G is set. */
static int
wire_encode_query(const struct amt_msg *m, struct wbuf *b)
{
	if (wire_check_inner(m) != AMT_OK)
		return AMT_ERR_INNER;
	wire_put_macnonce(b, AMT_MEMBERSHIP_QUERY,
	    m->flags & (AMT_QUERY_FLAG_L | AMT_QUERY_FLAG_G), m);
	wbuf_add_bytes(b, m->inner, m->inner_len);
	if (m->flags & AMT_QUERY_FLAG_G)
		wire_put_gw(b, m);
	return AMT_OK;
}

static int
wire_encode_update(const struct amt_msg *m, struct wbuf *b)
{
	if (wire_check_inner(m) != AMT_OK)
		return AMT_ERR_INNER;
	wire_put_macnonce(b, AMT_MEMBERSHIP_UPDATE, 0, m);
	wbuf_add_bytes(b, m->inner, m->inner_len);
	return AMT_OK;
}

static int
wire_encode_data(const struct amt_msg *m, struct wbuf *b)
{
	if (wire_check_inner(m) != AMT_OK)
		return AMT_ERR_INNER;
	wire_put_head(b, AMT_MULTICAST_DATA, 0);
	wbuf_add_bytes(b, m->inner, m->inner_len);
	return AMT_OK;
}

static int
wire_encode_teardown(const struct amt_msg *m, struct wbuf *b)
{
	wire_put_macnonce(b, AMT_TEARDOWN, 0, m);
	wire_put_gw(b, m);
	return AMT_OK;
}

ssize_t
amt_encode(const struct amt_msg *m, void *out, size_t cap)
{
	struct wbuf	b;
	int		rc;

	if (m->type == 0 || m->type > AMT_TYPE_MAX)
		return AMT_ERR_TYPE;
	wbuf_init(&b, out, cap);
	if ((rc = wire_types[m->type].encode(m, &b)) != AMT_OK)
		return rc;
	if (b.err)
		return AMT_ERR_NOSPACE;
	return (ssize_t)b.len;
}

const char *
amt_type_name(int type)
{
	if (type <= 0 || type > AMT_TYPE_MAX)
		return "unknown";
	return wire_types[type].name;
}

const char *
amt_strerror(int err)
{
	switch (err) {
	case AMT_OK:
		return "no error";
	case AMT_ERR_SHORT:
		return "message too short";
	case AMT_ERR_VERSION:
		return "version not 0";
	case AMT_ERR_TYPE:
		return "unknown message type";
	case AMT_ERR_LENGTH:
		return "bad message length";
	case AMT_ERR_INNER:
		return "bad inner IP datagram";
	case AMT_ERR_NOSPACE:
		return "output buffer too small";
	}
	return "unknown error";
}
