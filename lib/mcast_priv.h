/*
 * What igmp.c, mld.c and mcast.c share inside the library (not part of
 * the public API in include/amt/mcast.h).
 */
#ifndef AMT_MCAST_PRIV_H
#define AMT_MCAST_PRIV_H

#include "amt/buf.h"
#include "amt/mcast.h"

#define MCAST_TTL		1	/* RFC 3376 4, RFC 3810 5 */
#define MCAST_TOS		0xc0	/* RFC 3376 4: Internetwork Control */
#define MCAST_DEF_QRV		2	/* RFC 3376 8.1 */
#define MCAST_DEF_QQI		125	/* RFC 3376 8.2, seconds */
#define MCAST_DEF_MRT_MS	100	/* spec.md M3: Max Resp Code 1 */

/* The IGMP or ICMPv6 message of a checked datagram. */
struct mcast_pkt {
	struct amt_ip	 src;
	struct amt_ip	 dst;
	struct rbuf	 msg;
};

/* mcast.c */
void	 mcast_ip_set(struct amt_ip *, int, const uint8_t *);
bool	 mcast_is_group(int, const uint8_t *);
int	 mcast_report_records(struct rbuf *, uint8_t, struct mcast_report *);
int	 mcast_report_single(struct mcast_report *, const uint8_t *, uint8_t,
	    bool);
int	 mcast_query_tail(struct rbuf *, struct mcast_query *);
int	 mcast_report_put(struct wbuf *, int, uint8_t,
	    const struct mcast_record *, size_t);
void	 mcast_query_defaults(const struct mcast_query_params *,
	    struct mcast_query_params *);

/* igmp.c */
int	 igmp_report_parse(const uint8_t *, size_t, struct mcast_report *);
int	 igmp_query_parse(const uint8_t *, size_t, struct mcast_query *);
ssize_t	 igmp_build_query(const struct mcast_query_params *, void *, size_t);
ssize_t	 igmp_build_report(const struct amt_ip *, const struct mcast_record *,
	    size_t, void *, size_t);
ssize_t	 igmp_build_v2report(const struct amt_ip *, const struct amt_ip *,
	    bool, void *, size_t);

/* mld.c */
int	 mld_report_parse(const uint8_t *, size_t, struct mcast_report *);
int	 mld_query_parse(const uint8_t *, size_t, struct mcast_query *);
ssize_t	 mld_build_query(const struct mcast_query_params *, void *, size_t);
ssize_t	 mld_build_report(const struct amt_ip *, const struct mcast_record *,
	    size_t, void *, size_t);
ssize_t	 mld_build_v1report(const struct amt_ip *, const struct amt_ip *,
	    bool, void *, size_t);

#endif
