/*
 * Response MAC, its key ring, nonces and jitter (see include/amt/mac.h).
 *
 * RFC 7450 5.3.5: the relay computes the Response MAC from the gateway's
 * source address and port and the Request nonce, with a secret key, so
 * that it can verify a later Membership Update without keeping per-Request
 * state (R4).  We use keyed SipHash-2-4 (libsodium crypto_shorthash, 16 ns
 * per call) and keep its first 48 bits.
 */
#include <string.h>

#include <sodium.h>

#include "amt/buf.h"
#include "amt/mac.h"

/* RFC 7450 5.3.6: keys rotate at least every 2 hours. */
#define MAC_ROTATE_MAX	7200

#define MAC_INPUT_LEN	(16 + 2 + 4)
/* RFC 9601 6.1.4.2: the E flag of the Request, an input octet of its own */
#define MAC_INPUT_E	0x01

_Static_assert(MAC_KEY_LEN == crypto_shorthash_KEYBYTES,
    "MAC key is a crypto_shorthash key");
_Static_assert(AMT_MAC_LEN <= crypto_shorthash_BYTES,
    "MAC is a prefix of crypto_shorthash");

int
mac_lib_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

/*
 * R5: SipHash-2-4 over canonical address (16) || port (2, network order)
 * || nonce (4, network order), first 48 bits.  RFC 9601 6.1.4.2: a
 * Request with E set gets a MAC over one more octet (01), so that the
 * Update, which carries the MAC but not the flag, still says whether its
 * gateway propagates ECN (R4: the Request left no state).  E = 0 is the
 * plain MAC of RFC 7450.
 */
void
mac_compute_ecn(const uint8_t key[MAC_KEY_LEN], const uint8_t addr[16],
    uint16_t port, uint32_t nonce, bool e, uint8_t out[AMT_MAC_LEN])
{
	uint8_t		in[MAC_INPUT_LEN + 1], h[crypto_shorthash_BYTES];
	struct wbuf	w;

	wbuf_init(&w, in, sizeof(in));
	wbuf_add_bytes(&w, addr, 16);
	wbuf_add_n16(&w, port);
	wbuf_add_n32(&w, nonce);
	if (e)
		wbuf_add_u8(&w, MAC_INPUT_E);
	crypto_shorthash(h, in, w.len, key);
	memcpy(out, h, AMT_MAC_LEN);
	sodium_memzero(h, sizeof(h));
}

void
mac_compute(const uint8_t key[MAC_KEY_LEN], const uint8_t addr[16],
    uint16_t port, uint32_t nonce, uint8_t out[AMT_MAC_LEN])
{
	mac_compute_ecn(key, addr, port, nonce, false, out);
}

void
mac_ring_init(struct mac_ring *r, unsigned rotate_s, unsigned grace_s,
    time_t now)
{
	memset(r, 0, sizeof(*r));
	if (rotate_s == 0 || rotate_s > MAC_ROTATE_MAX)
		rotate_s = MAC_ROTATE_MAX;
	r->rotate_s = rotate_s;
	r->grace_s = grace_s;
	randombytes_buf(r->cur, sizeof(r->cur));
	r->have_prev = false;
	r->rotated_at = now;
}

void
mac_ring_rotate(struct mac_ring *r, time_t now)
{
	memcpy(r->prev, r->cur, sizeof(r->prev));
	randombytes_buf(r->cur, sizeof(r->cur));
	r->have_prev = true;
	r->rotated_at = now;
}

bool
mac_ring_tick(struct mac_ring *r, time_t now)
{
	if (now < r->rotated_at || now - r->rotated_at < (time_t)r->rotate_s)
		return false;
	mac_ring_rotate(r, now);
	return true;
}

void
mac_ring_make(const struct mac_ring *r, const uint8_t addr[16],
    uint16_t port, uint32_t nonce, uint8_t out[AMT_MAC_LEN])
{
	mac_compute(r->cur, addr, port, nonce, out);
}

void
mac_ring_make_ecn(const struct mac_ring *r, const uint8_t addr[16],
    uint16_t port, uint32_t nonce, bool e, uint8_t out[AMT_MAC_LEN])
{
	mac_compute_ecn(r->cur, addr, port, nonce, e, out);
}

/* R5: the previous key counts for grace_s after a rotation, never longer. */
static bool
mac_ring_prev_valid(const struct mac_ring *r, time_t now)
{
	return r->have_prev && now >= r->rotated_at &&
	    now - r->rotated_at < (time_t)r->grace_s;
}

/*
 * R5: constant time, all 48 bits, current key then previous key.  Both
 * MACs are always computed so the time taken does not tell which key
 * matched.
 */
static bool
mac_ring_verify_e(const struct mac_ring *r, time_t now,
    const uint8_t addr[16], uint16_t port, uint32_t nonce, bool e,
    const uint8_t mac[AMT_MAC_LEN])
{
	uint8_t	want_cur[AMT_MAC_LEN], want_prev[AMT_MAC_LEN];
	int	ok_cur, ok_prev;

	mac_compute_ecn(r->cur, addr, port, nonce, e, want_cur);
	mac_compute_ecn(r->prev, addr, port, nonce, e, want_prev);
	ok_cur = mac_equal(want_cur, mac);
	ok_prev = (int)mac_equal(want_prev, mac) &
	    (int)mac_ring_prev_valid(r, now);
	return (ok_cur | ok_prev) != 0;
}

bool
mac_ring_verify(const struct mac_ring *r, time_t now, const uint8_t addr[16],
    uint16_t port, uint32_t nonce, const uint8_t mac[AMT_MAC_LEN])
{
	return mac_ring_verify_e(r, now, addr, port, nonce, false, mac);
}

/*
 * RFC 9601 6.1.4.2: the MAC as made for E = 0, else as made for E = 1;
 * both are always checked, each in constant time, and *e says which one
 * matched.
 */
bool
mac_ring_verify_ecn(const struct mac_ring *r, time_t now,
    const uint8_t addr[16], uint16_t port, uint32_t nonce,
    const uint8_t mac[AMT_MAC_LEN], bool *e)
{
	bool	ok0, ok1;

	ok0 = mac_ring_verify_e(r, now, addr, port, nonce, false, mac);
	ok1 = mac_ring_verify_e(r, now, addr, port, nonce, true, mac);
	*e = !ok0 & ok1;
	return ok0 || ok1;
}

bool
mac_equal(const uint8_t a[AMT_MAC_LEN], const uint8_t b[AMT_MAC_LEN])
{
	return sodium_memcmp(a, b, AMT_MAC_LEN) == 0;
}

/*
 * G2, W9: a nonce from the CSPRNG, never 0.  randombytes_uniform() draws
 * from the same generator as randombytes_buf() and, shifted by one, covers
 * [1, 2^32 - 1] uniformly with no retry loop.
 */
uint32_t
nonce_new(void)
{
	return randombytes_uniform(UINT32_MAX) + 1;
}

/* A uniform value in [lo, hi] (G3 retransmission jitter). */
uint32_t
rand_range(uint32_t lo, uint32_t hi)
{
	if (hi <= lo)
		return lo;
	if (hi - lo == UINT32_MAX)
		return randombytes_random();
	return lo + randombytes_uniform(hi - lo + 1);
}
