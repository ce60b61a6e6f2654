/*
 * What igmp.c and mld.c share inside the library (mrec.c): group
 * records, query tails and defaults.  Not part of the public API in
 * include/amt/mcast.h.
 */
#ifndef AMT_MREC_H
#define AMT_MREC_H

#include <stdbool.h>

#include "amt/buf.h"
#include "amt/mcast.h"

#define MCAST_TTL		1	/* RFC 3376 4, RFC 3810 5 */
#define MCAST_TOS		0xc0	/* RFC 3376 4: Internetwork Control */
#define MCAST_DEF_QRV		2	/* RFC 3376 8.1 */
#define MCAST_DEF_QQI		125	/* RFC 3376 8.2, seconds */
#define MCAST_DEF_MRT_MS	100	/* M3: Max Resp Code 1 */

/* The IGMP or ICMPv6 message of a checked datagram. */
struct mcast_pkt {
	struct amt_ip	 src;
	struct amt_ip	 dst;
	struct rbuf	 msg;
};

void	 mrec_ip_set(struct amt_ip *, int, const uint8_t *);
bool	 mrec_is_group(int, const uint8_t *);
int	 mrec_records(struct rbuf *, uint8_t, struct mcast_report *);
int	 mrec_single(struct mcast_report *, const uint8_t *, uint8_t, bool);
int	 mrec_query_tail(struct rbuf *, struct mcast_query *);
int	 mrec_put(struct wbuf *, int, uint8_t, const struct mcast_record *,
	    size_t);
void	 mrec_query_defaults(const struct mcast_query_params *,
	    struct mcast_query_params *);

#endif
