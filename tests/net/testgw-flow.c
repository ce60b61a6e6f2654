/*
 * amt-testgw: Data counted per (S,G) of the inner datagram, with the
 * fragments among them (R12: oversized IPv4 arrives fragmented).
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <string.h>

#include "amt/cksum.h"
#include "testgw.h"

#define FLOW_IPV6_FRAG	44	/* IPv6 Fragment header (RFC 8200 4.5) */

/* Source, group and fragment bit of an IPv4 or IPv6 datagram. */
static int
flow_parse(const uint8_t *p, size_t len, struct amt_ip *s, struct amt_ip *g,
    bool *frag)
{
	memset(s, 0, sizeof(*s));
	memset(g, 0, sizeof(*g));
	if (len >= 20 && p[0] >> 4 == 4) {
		s->family = g->family = AF_INET;
		memcpy(&s->u.v4, p + 12, 4);
		memcpy(&g->u.v4, p + 16, 4);
		/* RFC 791: MF flag or a non-zero fragment offset. */
		*frag = ((p[6] << 8 | p[7]) & 0x3fff) != 0;
		return 0;
	}
	if (len >= 40 && p[0] >> 4 == 6) {
		s->family = g->family = AF_INET6;
		memcpy(&s->u.v6, p + 8, 16);
		memcpy(&g->u.v6, p + 24, 16);
		*frag = p[6] == FLOW_IPV6_FRAG;
		return 0;
	}
	return -1;
}

/*
 * A whole UDP datagram's checksum (checksum offload: a relay that forwards
 * frames captured with an unfinished checksum forwards garbage).  IPv4
 * UDP may carry none (0).  Fragments and other protocols pass.
 */
static bool
flow_udp_ok(const uint8_t *p, size_t len, const struct amt_ip *s,
    const struct amt_ip *g)
{
	size_t	off;

	if (s->family == AF_INET) {
		off = (size_t)(p[0] & 0x0f) * 4;
		if (p[9] != IPPROTO_UDP || off + 8 > len)
			return true;
		if (p[off + 6] == 0 && p[off + 7] == 0)
			return true;
	} else {
		off = 40;
		if (p[6] != IPPROTO_UDP || off + 8 > len)
			return true;
	}
	return cksum_l4(s, g, IPPROTO_UDP, p + off, len - off) == 0;
}

static struct tg_flow *
flow_find(struct tg *tg, const struct amt_ip *s, const struct amt_ip *g)
{
	struct tg_flow	*f;
	int		 i;

	for (i = 0; i < tg->nflows; i++) {
		f = &tg->flows[i];
		if (ip_eq(&f->s, s) && ip_eq(&f->g, g))
			return f;
	}
	if (tg->nflows == TG_MAX_FLOWS)
		return NULL;
	f = &tg->flows[tg->nflows++];
	memset(f, 0, sizeof(*f));
	f->s = *s;
	f->g = *g;
	return f;
}

void
flow_count(struct tg *tg, const uint8_t *p, size_t len)
{
	struct tg_flow	*f;
	struct amt_ip	 s, g;
	bool		 frag;

	if (flow_parse(p, len, &s, &g, &frag) == -1)
		return;
	if ((f = flow_find(tg, &s, &g)) == NULL)
		return;
	f->packets++;
	f->bytes += len;
	if (frag)
		f->fragments++;
	else if (!flow_udp_ok(p, len, &s, &g))
		f->bad_csum++;
}

json_t *
flows_json(const struct tg *tg)
{
	const struct tg_flow	*f;
	json_t			*a = json_array();
	char			 s[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	int			 i;

	for (i = 0; i < tg->nflows; i++) {
		f = &tg->flows[i];
		json_array_append_new(a, json_pack(
		    "{s:s, s:s, s:I, s:I, s:I, s:I}",
		    "source", ip_str(&f->s, s, sizeof(s)),
		    "group", ip_str(&f->g, g, sizeof(g)),
		    "packets", (json_int_t)f->packets,
		    "bytes", (json_int_t)f->bytes,
		    "fragments", (json_int_t)f->fragments,
		    "bad_csum", (json_int_t)f->bad_csum));
	}
	return a;
}
