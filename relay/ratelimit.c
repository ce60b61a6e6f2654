/*
 * The optional Request rate limit per source IP (R14, --request-rate).
 *
 * R4 forbids state per gateway for a Request, so the limiter lives in
 * memory fixed at start: RL_SLOTS token buckets, a source address picks
 * its slot by a keyed SipHash (libsodium crypto_shorthash, key random at
 * start) of the address alone, so that an attacker cannot aim addresses
 * at another's slot.  A slot remembers the address it serves; another
 * address hashing to it takes it over with a full bucket.  A collision
 * therefore never drops a Request that would otherwise pass: at worst it
 * lets an address start over.
 *
 * A bucket fills at request-rate tokens per second up to one second's
 * worth (at least RL_MIN_BURST), and a Request takes one token.  Tokens
 * are kept in thousandths, so that the refill per millisecond is exactly
 * the rate.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "relay.h"

#define RL_SLOTS	8192	/* a power of two */
#define RL_MIN_BURST	4	/* Requests in a row at a low rate */
#define RL_MILLI	1000

struct rl_slot {
	uint8_t		addr[16];	/* canonical source address */
	uint32_t	tokens;		/* thousandths of a Request */
	uint32_t	last_ms;	/* time of the last refill */
};

struct ratelimit {
	uint8_t		key[crypto_shorthash_KEYBYTES];
	struct rl_slot	slots[RL_SLOTS];
};

int
ratelimit_init(struct relayd *rd)
{
	/* calloc: untouched slots cost no resident memory. */
	if ((rd->rl = calloc(1, sizeof(*rd->rl))) == NULL)
		return -1;
	randombytes_buf(rd->rl->key, sizeof(rd->rl->key));
	return 0;
}

void
ratelimit_free(struct relayd *rd)
{
	free(rd->rl);
	rd->rl = NULL;
}

/* Monotonic milliseconds; wraps every 49 days, differences do not. */
uint32_t
ratelimit_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static struct rl_slot *
ratelimit_slot(struct ratelimit *rl, const uint8_t *canon)
{
	uint8_t		h[crypto_shorthash_BYTES];
	uint64_t	v;

	crypto_shorthash(h, canon, 16, rl->key);
	memcpy(&v, h, sizeof(v));
	return &rl->slots[v & (RL_SLOTS - 1)];
}

/* The bucket size in thousandths for `rate` Requests per second. */
static uint32_t
ratelimit_burst(unsigned rate)
{
	return (rate < RL_MIN_BURST ? RL_MIN_BURST : rate) * RL_MILLI;
}

/*
 * May a Request from `from` at time now_ms be answered?  Always with the
 * limit off (request-rate 0); otherwise takes a token or counts the drop.
 */
bool
ratelimit_allow(struct relayd *rd, const struct sockaddr *from,
    uint32_t now_ms)
{
	struct rl_slot	*s;
	uint8_t		 canon[16];
	uint16_t	 port;
	uint32_t	 burst = ratelimit_burst(rd->conf.request_rate);
	uint64_t	 fill;

	if (rd->conf.request_rate == 0 || rd->rl == NULL ||
	    addr_canon(from, canon, &port) == -1)
		return true;
	s = ratelimit_slot(rd->rl, canon);
	if (memcmp(s->addr, canon, sizeof(canon)) != 0) {
		memcpy(s->addr, canon, sizeof(canon));
		s->tokens = burst;
	} else {
		fill = (uint64_t)(uint32_t)(now_ms - s->last_ms) *
		    rd->conf.request_rate + s->tokens;
		s->tokens = fill > burst ? burst : (uint32_t)fill;
	}
	s->last_ms = now_ms;
	if (s->tokens < RL_MILLI) {
		rd->stats.request_rate_limited++;
		return false;
	}
	s->tokens -= RL_MILLI;
	return true;
}
