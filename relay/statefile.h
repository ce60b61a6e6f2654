/*
 * The relay's state file (statefile.c writes it, statefile_read.c reads
 * it): the response MAC secrets and every tunnel, so that a restarted
 * relay goes on forwarding to its gateways (not in RFC 7450: its 5.3.5
 * only asks that the secret be kept secret; a new one after a restart is
 * what makes gateways start over).  Big-endian, through the bounded
 * cursors of amt/buf.h:
 *
 *	"AMTRSTAT" version(4) body-length(4) body checksum(16)
 *	body:	written(8, Unix s) addrset(16)
 *		cur(16) prev(16) have-prev(1) cur-age(4, s)
 *		ntunnels(4), per tunnel:
 *		    gw-family(1) gw-addr(16) gw-port(2)
 *		    local-family(1) local-addr(16)
 *		    nonce(4) mac(6) flags(1: 0x01 E) remaining(4, s)
 *		    ngroups(4), per group:
 *			family(1) group(16) mode(1: 1 INCLUDE, 2 EXCLUDE)
 *			nsrc(4) nsrc x source(16)
 *
 * The checksum is BLAKE2b-128 (libsodium crypto_generichash) of all that
 * precedes it; addrset is the same hash of the relay's addresses and
 * port: a file of another relay is not taken.
 */
#ifndef AMT_RELAY_STATEFILE_H
#define AMT_RELAY_STATEFILE_H

#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "amt/addr.h"
#include "amt/mac.h"
#include "amt/wire.h"

#define SF_MAGIC	"AMTRSTAT"
#define SF_MAGIC_LEN	8
#define SF_VERSION	1
#define SF_SUM_LEN	16
#define SF_HEAD_LEN	(SF_MAGIC_LEN + 4 + 4)
#define SF_MAX_LEN	(256U * 1024 * 1024)
#define SF_FLAG_ECN	0x01
#define SF_MODE_INCLUDE	1
#define SF_MODE_EXCLUDE	2

struct sf_header {
	time_t		written;
	uint8_t		addrset[SF_SUM_LEN];
	uint8_t		cur[MAC_KEY_LEN];
	uint8_t		prev[MAC_KEY_LEN];
	bool		have_prev;
	uint32_t	cur_age;
	uint32_t	ntunnels;
};

struct sf_tunnel {
	struct sockaddr_storage	 gw;
	struct amt_ip		 local;		/* the listener's address */
	uint32_t		 nonce;
	uint8_t			 mac[AMT_MAC_LEN];
	bool			 ecn;
	uint32_t		 remaining;
	uint32_t		 ngroups;
};

struct sf_group {
	struct amt_ip	 group;
	bool		 exclude;
	uint32_t	 nsrc;
	const uint8_t	*srcs;			/* nsrc x 16 octets */
};

/* What the reader hands over, tunnel by tunnel (NULL: check only). */
struct sf_ops {
	void	(*tunnel)(const struct sf_tunnel *, void *);
	void	(*group)(const struct sf_group *, void *);
};

/* statefile_read.c: 0, or -1 with why in err (nothing was handed over
 * unless ops was given and the whole file held). */
int	sf_parse(const uint8_t *, size_t, struct sf_header *,
	    const struct sf_ops *, void *, char *, size_t);
void	sf_checksum(const uint8_t *, size_t, uint8_t [SF_SUM_LEN]);

#endif
