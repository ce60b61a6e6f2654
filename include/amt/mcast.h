/*
 * IGMPv2/v3 (RFC 2236, RFC 3376) and MLDv1/v2 (RFC 2710, RFC 3810) inside
 * their IP datagram: General Queries built for the relay, queries parsed
 * by the gateway, reports parsed into records (relay) and built (gateway,
 * tests).  Every count is checked against the bytes present (M1), every
 * checksum verified (M2).  igmp.c holds IPv4, mld.c IPv6, mcast.c what
 * both share.
 *
 * IGMPv2 and MLDv1 reports are presented as records too, so that the relay
 * has one state machine: a v1/v2 report is CHANGE_TO_EXCLUDE {} of the
 * group (an ASM join), a leave/done is CHANGE_TO_INCLUDE {}.
 */
#ifndef AMT_MCAST_H
#define AMT_MCAST_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amt/addr.h"

/* Record types, RFC 3376 4.2.12 and RFC 3810 5.2.12. */
enum mcast_rec_type {
	MCAST_MODE_IS_INCLUDE = 1,
	MCAST_MODE_IS_EXCLUDE = 2,
	MCAST_CHANGE_TO_INCLUDE = 3,
	MCAST_CHANGE_TO_EXCLUDE = 4,
	MCAST_ALLOW_NEW_SOURCES = 5,
	MCAST_BLOCK_OLD_SOURCES = 6,
};

enum mcast_err {
	MCAST_OK = 0,
	MCAST_ERR_SHORT = -1,		/* bytes missing */
	MCAST_ERR_IPHDR = -2,		/* IP header breaks the rules */
	MCAST_ERR_IPCSUM = -3,		/* IPv4 header checksum */
	MCAST_ERR_CSUM = -4,		/* IGMP / ICMPv6 checksum */
	MCAST_ERR_TYPE = -5,		/* not a report/leave (or not a query) */
	MCAST_ERR_COUNT = -6,		/* a count larger than the bytes */
	MCAST_ERR_NOSPACE = -7,		/* build: output too small */
};

struct mcast_record {
	uint8_t		 type;		/* enum mcast_rec_type */
	struct amt_ip	 group;
	uint16_t	 nsrc;
	const uint8_t	*srcs;		/* nsrc addresses of ip_len(family) */
};

/* A validated report; iterate its records with mcast_report_next(). */
struct mcast_report {
	int		 family;	/* AF_INET, AF_INET6 */
	int		 version;	/* IGMP 2 or 3, MLD 1 or 2 */
	struct amt_ip	 src;		/* IP source (may be any, M4) */
	uint16_t	 nrec;
	/* iteration state */
	const uint8_t	*recs;
	size_t		 recs_len;
	size_t		 pos;
	uint16_t	 next;
	struct mcast_record v1;		/* the single v1/v2 record */
};

struct mcast_query {
	int		 family;
	int		 version;	/* IGMP 2 or 3, MLD 1 or 2 */
	struct amt_ip	 src;
	struct amt_ip	 group;		/* any: General Query */
	unsigned	 max_resp_ms;
	bool		 s_flag;
	uint8_t		 qrv;
	unsigned	 qqi;		/* seconds, from QQIC */
	uint16_t	 nsrc;
};

/* Parameters of a General Query built by the relay (M3). */
struct mcast_query_params {
	struct amt_ip	 src;		/* IP source of the query */
	uint8_t		 qrv;		/* default 2, never 0 */
	unsigned	 qqi;		/* seconds, default 125 */
	unsigned	 max_resp_ms;	/* default 100 (Max Resp Code 1) */
};

#define MCAST_QUERY_V4_LEN	36	/* 20 + 4 (Router Alert) + 12 */
#define MCAST_QUERY_V6_LEN	76	/* 40 + 8 (Hop-by-Hop) + 28 */

/* Parse and validate an IP datagram carrying a report, leave or done. */
int		 mcast_report_parse(const uint8_t *, size_t,
		    struct mcast_report *);
/* Next record: 1 and *rec filled, or 0 at the end. */
int		 mcast_report_next(struct mcast_report *,
		    struct mcast_record *);
/* Parse and validate an IP datagram carrying an IGMP or MLD query. */
int		 mcast_query_parse(const uint8_t *, size_t,
		    struct mcast_query *);

/* Build a General Query of the family of p->src (M3). */
ssize_t		 mcast_build_query(const struct mcast_query_params *,
		    void *, size_t);
/* Build an IGMPv3 / MLDv2 report with Router Alert from src. */
ssize_t		 mcast_build_report(const struct amt_ip *,
		    const struct mcast_record *, size_t, void *, size_t);
/* Build an IGMPv2 report/leave or MLDv1 report/done (leave = true). */
ssize_t		 mcast_build_v1report(const struct amt_ip *,
		    const struct amt_ip *, bool, void *, size_t);

/* QQIC / Max Resp Code (RFC 3376 4.1.1, 4.1.7; RFC 3810 5.1.3, 5.1.9). */
uint8_t		 mcast_code8_encode(unsigned);
unsigned	 mcast_code8_decode(uint8_t);
uint16_t	 mcast_code16_encode(unsigned);
unsigned	 mcast_code16_decode(uint16_t);

const char	*mcast_strerror(int);
const char	*mcast_rec_name(int);

#endif
