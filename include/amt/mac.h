/*
 * Response MAC (RFC 7450 5.3.5, 5.3.6; R5): the first 48 bits of a
 * keyed SipHash-2-4 (libsodium crypto_shorthash) over the canonical 16-byte
 * gateway address, the gateway UDP port (network order) and the request
 * nonce (network order).  A key ring holds the current and the previous
 * secret; the caller's clock drives rotation; the previous secret is
 * accepted for a grace time after each rotation.  Nonces come from the
 * CSPRNG.
 */
#ifndef AMT_MAC_H
#define AMT_MAC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "amt/wire.h"

#define MAC_KEY_LEN	16

struct mac_ring {
	uint8_t		cur[MAC_KEY_LEN];
	uint8_t		prev[MAC_KEY_LEN];
	bool		have_prev;
	time_t		rotated_at;	/* when cur became current */
	unsigned	rotate_s;	/* rotation period, <= 7200 */
	unsigned	grace_s;	/* prev accepted this long after */
};

/* sodium_init() once; returns -1 if libsodium cannot start. */
int		 mac_lib_init(void);
void		 mac_compute(const uint8_t [MAC_KEY_LEN], const uint8_t [16],
		    uint16_t, uint32_t, uint8_t [AMT_MAC_LEN]);
void		 mac_ring_init(struct mac_ring *, unsigned, unsigned, time_t);
/* Rotate now: cur becomes prev, a fresh random cur. */
void		 mac_ring_rotate(struct mac_ring *, time_t);
/* Rotate if the period has passed; returns true if it rotated. */
bool		 mac_ring_tick(struct mac_ring *, time_t);
void		 mac_ring_make(const struct mac_ring *, const uint8_t [16],
		    uint16_t, uint32_t, uint8_t [AMT_MAC_LEN]);
/* Constant-time check against cur, and prev inside its grace time. */
bool		 mac_ring_verify(const struct mac_ring *, time_t,
		    const uint8_t [16], uint16_t, uint32_t,
		    const uint8_t [AMT_MAC_LEN]);
/*
 * RFC 9601 6.1.4.2 (R15): the MAC of a Request with E set covers one more
 * octet; with e false these equal mac_compute() and mac_ring_make().
 */
void		 mac_compute_ecn(const uint8_t [MAC_KEY_LEN],
		    const uint8_t [16], uint16_t, uint32_t, bool,
		    uint8_t [AMT_MAC_LEN]);
void		 mac_ring_make_ecn(const struct mac_ring *, const uint8_t [16],
		    uint16_t, uint32_t, bool, uint8_t [AMT_MAC_LEN]);
/* As mac_ring_verify() for E = 0, then E = 1; *e: E = 1 matched. */
bool		 mac_ring_verify_ecn(const struct mac_ring *, time_t,
		    const uint8_t [16], uint16_t, uint32_t,
		    const uint8_t [AMT_MAC_LEN], bool *);
/* Constant-time equality of two MACs. */
bool		 mac_equal(const uint8_t [AMT_MAC_LEN],
		    const uint8_t [AMT_MAC_LEN]);

/* A random nonce from the CSPRNG, never 0. */
uint32_t	 nonce_new(void);
/* A random value in [lo, hi] from the CSPRNG (retransmission jitter). */
uint32_t	 rand_range(uint32_t, uint32_t);

#endif
