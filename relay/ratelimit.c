/*
 * The optional Request rate limit per source IP (R14, --request-rate).
 *
 * R4 forbids state per gateway for a Request, so the limiter lives in
 * memory fixed at start: RL_SLOTS token buckets, a source address picks
 * its slot by the tunnel table's keyed hash of the address alone
 * (tunnel_ip_hash), so that an attacker cannot aim addresses at
 * another's slot.  A slot remembers the address it serves; another
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

#include <stdlib.h>
#include <string.h>

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
	struct rl_slot	slots[RL_SLOTS];
};

int
ratelimit_start(struct relayd *rd)
{
	/* calloc: untouched slots cost no resident memory. */
	if ((rd->rl = calloc(1, sizeof(*rd->rl))) == NULL)
		return -1;
	return 0;
}

void
ratelimit_stop(struct relayd *rd)
{
	free(rd->rl);
	rd->rl = NULL;
}

/* The bucket size in thousandths for `rate` Requests per second. */
static uint32_t
ratelimit_burst(unsigned rate)
{
	return (rate < RL_MIN_BURST ? RL_MIN_BURST : rate) * RL_MILLI;
}

/*
 * May a Request from the canonical address canon at time now_ms (the
 * monotonic clock; only differences count, so its wrap every 49 days
 * does not) be answered?  Always with the limit off (request-rate 0);
 * otherwise takes a token or counts the drop.
 */
bool
ratelimit_allow(struct relayd *rd, const uint8_t canon[16], uint32_t now_ms)
{
	struct rl_slot	*s;
	uint32_t	 burst = ratelimit_burst(rd->conf.request_rate);
	uint64_t	 fill;

	if (rd->conf.request_rate == 0 || rd->rl == NULL)
		return true;
	s = &rd->rl->slots[tunnel_ip_hash(rd, canon) & (RL_SLOTS - 1)];
	if (memcmp(s->addr, canon, sizeof(s->addr)) != 0) {
		memcpy(s->addr, canon, sizeof(s->addr));
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
