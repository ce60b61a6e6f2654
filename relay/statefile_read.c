/*
 * The reader of the relay's state file (format in statefile.h).  It
 * trusts nothing in the file: the checksum first, then every count
 * against the octets left, every family and mode by value; the whole
 * file is checked before anything is handed over, so a file that fails
 * half-way restores nothing.  No relay state here (fuzz_statefile.c
 * runs it alone).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "amt/buf.h"
#include "statefile.h"

void
sf_checksum(const uint8_t *p, size_t len, uint8_t sum[SF_SUM_LEN])
{
	crypto_generichash(sum, SF_SUM_LEN, p, len, NULL, 0);
}

static int
sf_family(uint8_t f)
{
	return f == 4 ? AF_INET : f == 6 ? AF_INET6 : -1;
}

/* family(1) address(16): IPv4 in the first 4 octets. */
static int
sf_get_ip(struct rbuf *rb, struct amt_ip *ip)
{
	uint8_t	f, b[16];

	if (rbuf_get_u8(rb, &f) == -1 || rbuf_get_bytes(rb, b, 16) == -1)
		return -1;
	memset(ip, 0, sizeof(*ip));
	if ((ip->family = sf_family(f)) == -1)
		return -1;
	memcpy(ip->u.b, b, ip_len(ip->family));
	return 0;
}

static int
sf_header_read(struct rbuf *rb, struct sf_header *h)
{
	uint32_t	hi, lo;
	uint8_t		hp;

	if (rbuf_get_n32(rb, &hi) == -1 || rbuf_get_n32(rb, &lo) == -1 ||
	    rbuf_get_bytes(rb, h->addrset, SF_SUM_LEN) == -1 ||
	    rbuf_get_bytes(rb, h->cur, MAC_KEY_LEN) == -1 ||
	    rbuf_get_bytes(rb, h->prev, MAC_KEY_LEN) == -1 ||
	    rbuf_get_u8(rb, &hp) == -1 || rbuf_get_n32(rb, &h->cur_age) == -1 ||
	    rbuf_get_n32(rb, &h->ntunnels) == -1 || hp > 1)
		return -1;
	h->written = (time_t)(((uint64_t)hi << 32) | lo);
	h->have_prev = hp == 1;
	return 0;
}

static int
sf_group_read(struct rbuf *rb, const struct sf_ops *ops, void *arg)
{
	struct sf_group	g;
	uint8_t		mode;

	if (sf_get_ip(rb, &g.group) == -1 || rbuf_get_u8(rb, &mode) == -1 ||
	    rbuf_get_n32(rb, &g.nsrc) == -1)
		return -1;
	if ((mode != SF_MODE_INCLUDE && mode != SF_MODE_EXCLUDE) ||
	    g.nsrc > UINT16_MAX || g.nsrc > rbuf_left(rb) / 16)
		return -1;
	g.exclude = mode == SF_MODE_EXCLUDE;
	g.srcs = rbuf_ptr(rb);
	if (rbuf_skip(rb, (size_t)g.nsrc * 16) == -1)
		return -1;
	if (ops != NULL)
		ops->group(&g, arg);
	return 0;
}

static int
sf_tunnel_read(struct rbuf *rb, const struct sf_ops *ops, void *arg)
{
	struct sf_tunnel	t;
	struct amt_ip		gw;
	uint16_t		port;
	uint8_t			flags;
	uint32_t		i;

	memset(&t, 0, sizeof(t));
	if (sf_get_ip(rb, &gw) == -1 || rbuf_get_n16(rb, &port) == -1 ||
	    sf_get_ip(rb, &t.local) == -1 ||
	    rbuf_get_n32(rb, &t.nonce) == -1 ||
	    rbuf_get_bytes(rb, t.mac, sizeof(t.mac)) == -1 ||
	    rbuf_get_u8(rb, &flags) == -1 ||
	    rbuf_get_n32(rb, &t.remaining) == -1 ||
	    rbuf_get_n32(rb, &t.ngroups) == -1)
		return -1;
	/* A group takes at least 22 octets. */
	if (port == 0 || t.ngroups > rbuf_left(rb) / 22)
		return -1;
	ip_to_sa(&gw, port, &t.gw);
	t.ecn = (flags & SF_FLAG_ECN) != 0;
	if (ops != NULL)
		ops->tunnel(&t, arg);
	for (i = 0; i < t.ngroups; i++)
		if (sf_group_read(rb, ops, arg) == -1)
			return -1;
	return 0;
}

static int
sf_body_read(struct rbuf *rb, struct sf_header *h, const struct sf_ops *ops,
    void *arg)
{
	uint32_t	i;

	if (sf_header_read(rb, h) == -1)
		return -1;
	/* A tunnel takes at least 55 octets. */
	if (h->ntunnels > rbuf_left(rb) / 55)
		return -1;
	for (i = 0; i < h->ntunnels; i++)
		if (sf_tunnel_read(rb, ops, arg) == -1)
			return -1;
	return rbuf_left(rb) == 0 ? 0 : -1;
}

/* Magic, version, length, checksum: the body, or NULL with err. */
static const uint8_t *
sf_envelope(const uint8_t *p, size_t len, size_t *blen, char *err,
    size_t elen)
{
	struct rbuf	rb;
	uint8_t		sum[SF_SUM_LEN];
	uint32_t	version, n;

	rbuf_init(&rb, p, len);
	if (len < SF_HEAD_LEN + SF_SUM_LEN ||
	    memcmp(p, SF_MAGIC, SF_MAGIC_LEN) != 0) {
		snprintf(err, elen, "not a state file (or truncated)");
		return NULL;
	}
	rbuf_skip(&rb, SF_MAGIC_LEN);
	rbuf_get_n32(&rb, &version);
	rbuf_get_n32(&rb, &n);
	if (version != SF_VERSION) {
		snprintf(err, elen, "version %u, not %u", version, SF_VERSION);
		return NULL;
	}
	if ((size_t)n != len - SF_HEAD_LEN - SF_SUM_LEN) {
		snprintf(err, elen, "truncated (%zu octets, %u announced)",
		    len - SF_HEAD_LEN - SF_SUM_LEN, n);
		return NULL;
	}
	sf_checksum(p, len - SF_SUM_LEN, sum);
	if (sodium_memcmp(sum, p + len - SF_SUM_LEN, SF_SUM_LEN) != 0) {
		snprintf(err, elen, "checksum mismatch (corrupt)");
		return NULL;
	}
	*blen = n;
	return p + SF_HEAD_LEN;
}

int
sf_parse(const uint8_t *p, size_t len, struct sf_header *h,
    const struct sf_ops *ops, void *arg, char *err, size_t elen)
{
	const uint8_t	*body;
	size_t		 blen;
	struct rbuf	 rb;

	memset(h, 0, sizeof(*h));
	if ((body = sf_envelope(p, len, &blen, err, elen)) == NULL)
		return -1;
	rbuf_init(&rb, body, blen);
	if (sf_body_read(&rb, h, NULL, NULL) == -1) {
		snprintf(err, elen, "malformed contents");
		return -1;
	}
	if (ops == NULL)
		return 0;
	rbuf_init(&rb, body, blen);
	return sf_body_read(&rb, h, ops, arg);
}
