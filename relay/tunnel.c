/*
 * The tunnel table: one tunnel per (gateway IP, gateway UDP port) as
 * received (R7, RFC 7450 4.2.2), each with its own expiry timer (R13).
 *
 * Buckets are chosen by a keyed SipHash (libsodium crypto_shorthash, key
 * random at start) of the gateway's prefix alone (its IPv4 address, its
 * IPv6 /64, as tunnel-prefix4/6 say), and a lookup compares IP and
 * port.  Hashing the prefix puts every tunnel of one network in one
 * chain, so the per-prefix count of R14 is one chain walk; the chains
 * stay short because that count is limited (--max-tunnels-per-ip), and
 * an attacker cannot aim prefixes at one bucket without the key.  One
 * IPv6 host holds a /64 and its 2^64 addresses, so counting single
 * addresses would let it take the whole table.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <sodium.h>

#include "amt/clock.h"
#include "amt/log.h"
#include "relay.h"

#define THASH_MIN	64
#define THASH_MAX	(1U << 20)

static void	tunnel_expire_cb(evutil_socket_t, short, void *);

int
tunnel_start(struct relayd *rd)
{
	unsigned	n = THASH_MIN;

	while (n < rd->conf.max_tunnels && n < THASH_MAX)
		n <<= 1;
	TAILQ_INIT(&rd->tunnels);
	rd->ntunnels = 0;
	if ((rd->thash = calloc(n, sizeof(*rd->thash))) == NULL) {
		log_warn("tunnel table");
		return -1;
	}
	rd->thash_size = n;
	randombytes_buf(rd->thash_key, sizeof(rd->thash_key));
	return 0;
}

/*
 * The keyed hash of a canonical gateway IP: tunnel buckets here, Request
 * rate buckets in ratelimit.c.
 */
uint64_t
tunnel_ip_hash(const struct relayd *rd, const uint8_t canon[16])
{
	uint8_t		h[crypto_shorthash_BYTES];
	uint64_t	v;

	crypto_shorthash(h, canon, 16, rd->thash_key);
	memcpy(&v, h, sizeof(v));
	return v;
}

/* The canonical form of sa's address, cut to its admission prefix. */
static void
tunnel_prefix(const struct relayd *rd, const struct sockaddr *sa,
    uint8_t canon[16])
{
	uint16_t	port;
	unsigned	bits, i;

	if (addr_canon(sa, canon, &port) == -1)
		memset(canon, 0, 16);
	bits = sa->sa_family == AF_INET ? 96 + rd->conf.tunnel_prefix4 :
	    rd->conf.tunnel_prefix6;
	for (i = 0; i < 16; i++, bits = bits > 8 ? bits - 8 : 0)
		if (bits < 8)
			canon[i] &= (uint8_t)(0xff00 >> bits);
}

static unsigned
tunnel_bucket(const struct relayd *rd, const struct sockaddr *sa)
{
	uint8_t		canon[16];

	tunnel_prefix(rd, sa, canon);
	return (unsigned)(tunnel_ip_hash(rd, canon) & (rd->thash_size - 1));
}

struct tunnel *
tunnel_find(struct relayd *rd, const struct sockaddr *sa)
{
	struct tunnel	*t;

	for (t = rd->thash[tunnel_bucket(rd, sa)]; t != NULL; t = t->hnext)
		if (addr_eq((const struct sockaddr *)&t->gw, sa))
			return t;
	return NULL;
}

/* R14: tunnels of this gateway's prefix (one chain, see above). */
unsigned
tunnel_count_prefix(struct relayd *rd, const struct sockaddr *sa)
{
	struct tunnel	*t;
	uint8_t		 key[16], p[16];
	unsigned	 n = 0;

	tunnel_prefix(rd, sa, key);
	for (t = rd->thash[tunnel_bucket(rd, sa)]; t != NULL; t = t->hnext) {
		if (t->gw.ss_family != sa->sa_family)
			continue;
		tunnel_prefix(rd, (const struct sockaddr *)&t->gw, p);
		if (memcmp(key, p, sizeof(p)) == 0)
			n++;
	}
	return n;
}

/*
 * R4: called only for an Update whose MAC verified; the caller checked
 * the limits of R14.
 */
struct tunnel *
tunnel_new(struct relayd *rd, const struct sockaddr *sa,
    struct listener *lsn)
{
	struct tunnel	*t;
	unsigned	 b;
	char		 buf[ADDR_STRLEN];

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_warn("tunnel");
		return NULL;
	}
	memcpy(&t->gw, sa, addr_len(sa));
	t->lsn = lsn;
	t->rd = rd;
	t->created = t->refreshed = clock_mono_s();
	evtimer_assign(&t->expire_ev, rd->base, tunnel_expire_cb, t);
	b = tunnel_bucket(rd, sa);
	t->hnext = rd->thash[b];
	rd->thash[b] = t;
	TAILQ_INSERT_TAIL(&rd->tunnels, t, entry);
	rd->ntunnels++;
	rlog(rd, RLOG_TUNNEL, LOG_INFO, "tunnel %s up (%u tunnels)",
	    addr_str(sa, buf, sizeof(buf)), rd->ntunnels);
	return t;
}

static void
tunnel_unlink(struct tunnel *t)
{
	struct relayd	 *rd = t->rd;
	struct tunnel	**pp;

	pp = &rd->thash[tunnel_bucket(rd, (struct sockaddr *)&t->gw)];
	while (*pp != NULL && *pp != t)
		pp = &(*pp)->hnext;
	if (*pp == t)
		*pp = t->hnext;
	TAILQ_REMOVE(&rd->tunnels, t, entry);
	rd->ntunnels--;
}

/*
 * RFC 7450 5.3.3.5: data stops at once (fwd_tunnel_gone takes the tunnel
 * out of every flow, and the data plane leaves upstream flows nobody
 * wants any more, R9), then the membership state goes.
 */
void
tunnel_free(struct tunnel *t)
{
	char	buf[ADDR_STRLEN];

	evtimer_del(&t->expire_ev);
	fwd_tunnel_gone(t->rd, t);
	membership_clear(t);
	tunnel_unlink(t);
	rlog(t->rd, RLOG_TUNNEL, LOG_INFO, "tunnel %s down (%u tunnels)",
	    addr_str((struct sockaddr *)&t->gw, buf, sizeof(buf)),
	    t->rd->ntunnels);
	free(t);
}

/* R13, RFC 7450 5.3.3.7: restart the timer on every verified Update. */
void
tunnel_refresh(struct tunnel *t)
{
	struct timeval	tv;

	t->refreshed = clock_mono_s();
	t->unreach_n = 0;		/* the gateway is there (unreach.c) */
	tv.tv_sec = conf_tunnel_timeout(&t->rd->conf);
	tv.tv_usec = 0;
	evtimer_add(&t->expire_ev, &tv);
}

static void
tunnel_expire_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct tunnel	*t = arg;
	char		 buf[ADDR_STRLEN];

	t->rd->stats.gateways_timed_out++;
	rlog(t->rd, RLOG_TUNNEL, LOG_INFO, "tunnel %s timed out",
	    addr_str((struct sockaddr *)&t->gw, buf, sizeof(buf)));
	tunnel_free(t);
}

/*
 * Shutdown (R16): every tunnel out of the forwarding table.  The
 * upstream sockets close first, which leaves all their groups at once;
 * leaving them one flow at a time costs seconds at 50,000 joins.
 */
void
tunnel_stop(struct relayd *rd)
{
	struct tunnel	*t;

	upstream_stop(rd);
	while ((t = TAILQ_FIRST(&rd->tunnels)) != NULL)
		tunnel_free(t);
	free(rd->thash);
	rd->thash = NULL;
	rd->thash_size = 0;
}
