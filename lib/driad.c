/*
 * DRIAD (RFC 8777): the AMTRELAY RDATA, reverse names of sources, the
 * order in which relay candidates are tried and the DNS retry back-off.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "amt/driad.h"
#include "amt/mac.h"

/*
 * RFC 8777 4.2: precedence(8) | D(1) | type(7) | relay.  All the length
 * rules of the relay field in one switch (4.2.4).
 */
int
driad_rdata_parse(const void *data, size_t len, struct driad_rr *rr)
{
	struct rbuf	b;
	uint8_t		dt;

	memset(rr, 0, sizeof(*rr));
	rbuf_init(&b, data, len);
	if (rbuf_get_u8(&b, &rr->precedence) == -1 ||
	    rbuf_get_u8(&b, &dt) == -1)
		return DRIAD_RR_BAD;
	rr->d = (dt & 0x80) != 0;
	rr->type = dt & 0x7f;
	switch (rr->type) {
	case DRIAD_TYPE_NONE:
		if (rbuf_left(&b) != 0)
			goto badlen;
		break;
	case DRIAD_TYPE_IPV4:
		if (rbuf_left(&b) != 4)
			goto badlen;
		rr->ip.family = AF_INET;
		rbuf_get_bytes(&b, &rr->ip.u.v4, 4);
		break;
	case DRIAD_TYPE_IPV6:
		if (rbuf_left(&b) != 16)
			goto badlen;
		rr->ip.family = AF_INET6;
		rbuf_get_bytes(&b, &rr->ip.u.v6, 16);
		break;
	case DRIAD_TYPE_NAME:
		/*
		 * RFC 8777 4.2.4: compression MUST NOT be used (no message
		 * to resolve a pointer against), and the name fills the
		 * relay field exactly.  The root alone names no relay.
		 */
		if (driad_name_read(&b, NULL, &rr->name) == -1 ||
		    rbuf_left(&b) != 0 || rr->name.len < 2)
			goto badlen;
		break;
	default:
		/* RFC 8777 4.2.3: undefined types SHOULD NOT be considered. */
		return DRIAD_RR_UNKNOWN;
	}
	return DRIAD_RR_OK;
badlen:
	return DRIAD_RR_BAD;
}

/* RFC 1035 3.5, RFC 3596 2.5. */
int
driad_reverse_name(const struct amt_ip *ip, char *out, size_t size)
{
	const char	*hex = "0123456789abcdef";
	const uint8_t	*b = ip->u.b;
	size_t		 o = 0;
	int		 i, n;

	if (ip->family == AF_INET) {
		n = snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa",
		    b[3], b[2], b[1], b[0]);
		return n < 0 || (size_t)n >= size ? -1 : 0;
	}
	if (ip->family != AF_INET6 || size < DRIAD_REVNAME_LEN)
		return -1;
	for (i = 15; i >= 0; i--) {
		out[o++] = hex[b[i] & 0x0f];
		out[o++] = '.';
		out[o++] = hex[b[i] >> 4];
		out[o++] = '.';
	}
	memcpy(out + o, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}

/* RFC 6724 2.1: the default policy table (prefix, length, precedence). */
static const struct {
	uint8_t		pfx[16];
	unsigned	plen;
	int		prec;
} driad_policy[] = {
	{ { [15] = 1 }, 128, 50 },				/* ::1 */
	{ { 0 }, 0, 40 },					/* ::/0 */
	{ { [10] = 0xff, [11] = 0xff }, 96, 35 },		/* IPv4 */
	{ { 0x20, 0x02 }, 16, 30 },				/* 6to4 */
	{ { 0x20, 0x01 }, 32, 5 },				/* Teredo */
	{ { 0xfc }, 7, 3 },					/* ULA */
	{ { 0 }, 96, 1 },					/* ::/96 */
	{ { 0xfe, 0xc0 }, 10, 1 },				/* fec0:: */
	{ { 0x3f, 0xfe }, 16, 1 },				/* 6bone */
};

static bool
driad_prefix_match(const uint8_t *a, const uint8_t *pfx, unsigned plen)
{
	unsigned	i;
	uint8_t		mask;

	for (i = 0; i < plen / 8; i++) {
		if (a[i] != pfx[i])
			return false;
	}
	if (plen % 8 == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - plen % 8));
	return (a[i] & mask) == (pfx[i] & mask);
}

/* RFC 6724 rule 6: precedence of the longest matching policy. */
static int
driad_policy_prec(const struct amt_ip *ip)
{
	uint8_t		a[16] = { [10] = 0xff, [11] = 0xff };
	unsigned	best = 0, i;
	int		prec = 40;

	if (ip->family == AF_INET)
		memcpy(a + 12, &ip->u.v4, 4);
	else
		memcpy(a, &ip->u.v6, 16);
	for (i = 0; i < sizeof(driad_policy) / sizeof(driad_policy[0]); i++) {
		if (driad_policy[i].plen >= best &&
		    driad_prefix_match(a, driad_policy[i].pfx,
		    driad_policy[i].plen)) {
			best = driad_policy[i].plen;
			prec = driad_policy[i].prec;
		}
	}
	return prec;
}

/* Smaller ranks first among equal precedence: configured family, then
 * the policy table. */
static int
driad_rank(const struct driad_cand *c, const struct driad_pref *p)
{
	int	r = 100 - driad_policy_prec(&c->ip);

	if ((p->first == AF_INET || p->first == AF_INET6) &&
	    c->ip.family != p->first)
		r += 100;
	return r;
}

static int
driad_cmp(const struct driad_cand *a, const struct driad_cand *b,
    const struct driad_pref *p)
{
	int	ra, rb;

	/* RFC 8777 3.1.2: precedence ahead of address selection. */
	if (a->precedence != b->precedence)
		return a->precedence < b->precedence ? -1 : 1;
	ra = driad_rank(a, p);
	rb = driad_rank(b, p);
	return ra < rb ? -1 : ra > rb;
}

/* RFC 6724 rule 1: unusable destinations are not candidates. */
static bool
driad_usable(const struct driad_cand *c, const struct driad_pref *p)
{
	unsigned	fam = p->families != 0 ? p->families :
			    DRIAD_FAM_V4 | DRIAD_FAM_V6;

	if (c->ip.family == AF_INET && !(fam & DRIAD_FAM_V4))
		return false;
	if (c->ip.family == AF_INET6 && !(fam & DRIAD_FAM_V6))
		return false;
	if (c->ip.family != AF_INET && c->ip.family != AF_INET6)
		return false;
	return !ip_is_any(&c->ip) && !ip_is_multicast(&c->ip);
}

/* Drop unusable candidates, keeping the order of the rest. */
static size_t
driad_filter(struct driad_cand *c, size_t n, const struct driad_pref *p)
{
	size_t	i, k = 0;

	for (i = 0; i < n; i++) {
		if (driad_usable(&c[i], p))
			c[k++] = c[i];
	}
	return k;
}

/* Insertion sort: stable, and n is small. */
static void
driad_sort(struct driad_cand *c, size_t n, const struct driad_pref *p)
{
	struct driad_cand	t;
	size_t			i, j;

	for (i = 1; i < n; i++) {
		t = c[i];
		for (j = i; j > 0 && driad_cmp(&c[j - 1], &t, p) > 0; j--)
			c[j] = c[j - 1];
		c[j] = t;
	}
}

/*
 * An address listed twice keeps its best place.  At equal precedence
 * discovery stays mandatory if any of its records asks for it (RFC 8777
 * 4.2.2: D MUST be 0 without information).
 */
static size_t
driad_dedup(struct driad_cand *c, size_t n)
{
	size_t	i, j, k = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < k; j++) {
			if (ip_eq(&c[j].ip, &c[i].ip))
				break;
		}
		if (j < k) {
			if (c[j].precedence == c[i].precedence)
				c[j].d = c[j].d && c[i].d;
			continue;
		}
		c[k++] = c[i];
	}
	return k;
}

/* RFC 8777 3.1.2: a non-deterministic choice among equals. */
static void
driad_shuffle(struct driad_cand *c, size_t n, const struct driad_pref *p)
{
	struct driad_cand	t;
	size_t			lo, hi, i, j;

	for (lo = 0; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && driad_cmp(&c[lo], &c[hi], p) == 0;
		    hi++)
			;
		for (i = hi - 1; i > lo; i--) {
			j = lo + rand_range(0, (uint32_t)(i - lo));
			t = c[i];
			c[i] = c[j];
			c[j] = t;
		}
	}
}

size_t
driad_order(struct driad_cand *c, size_t n, const struct driad_pref *p)
{
	n = driad_filter(c, n, p);
	driad_sort(c, n, p);
	n = driad_dedup(c, n);
	driad_shuffle(c, n, p);
	return n;
}

/* RFC 8777 3.5: initial 1 s, maximum 120 s. */
uint32_t
driad_backoff_ms(unsigned n)
{
	uint32_t	hi_s = n >= 7 ? 120 : 1u << n;

	if (hi_s > 120)
		hi_s = 120;
	return rand_range(1000, hi_s * 1000);
}
