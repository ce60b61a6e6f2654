/*
 * The IGMP (igmp.c) and MLD (mld.c) halves that mcast.c picks from by
 * family (not part of the public API in include/amt/mcast.h).
 */
#ifndef AMT_MCAST_PRIV_H
#define AMT_MCAST_PRIV_H

#include "amt/mcast.h"

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
