/*
 * DRIAD (RFC 8777): relay discovery through the AMTRELAY record (type
 * 260) at the reverse name of a multicast source.  This part of the
 * library holds what can be done without a network: the RDATA parser,
 * reverse names, a bounded reader of DNS answers (CNAME/DNAME chains,
 * compressed owner names), the ordering of relay candidates and the DNS
 * retry back-off.  The asynchronous look-up itself (c-ares) is the
 * gateway's (gateway/resolve.h).
 */
#ifndef AMT_DRIAD_H
#define AMT_DRIAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amt/addr.h"
#include "amt/buf.h"

#define DRIAD_RRTYPE		260	/* RFC 8777 4.1 */
#define DRIAD_NAME_MAX		255	/* wire form, RFC 1035 2.3.4 */
#define DRIAD_LABEL_MAX		63
/* Presentation form: \DDD for every octet at worst, and a NUL. */
#define DRIAD_NAME_STRLEN	(DRIAD_NAME_MAX * 4 + 1)
/* "x.x. ... .ip6.arpa" (32 nibbles) and a NUL. */
#define DRIAD_REVNAME_LEN	73
#define DRIAD_MAX_RR		32	/* AMTRELAY records kept */
#define DRIAD_MAX_CHAIN		8	/* CNAME/DNAME steps followed */

/* RFC 8777 4.2.3: relay types. */
#define DRIAD_TYPE_NONE		0	/* no AMT for this source */
#define DRIAD_TYPE_IPV4		1
#define DRIAD_TYPE_IPV6		2
#define DRIAD_TYPE_NAME		3	/* uncompressed name */

/* A domain name in uncompressed wire form, root label included. */
struct driad_name {
	uint8_t		len;
	uint8_t		b[DRIAD_NAME_MAX];
};

/* One AMTRELAY record. */
struct driad_rr {
	uint8_t			precedence;
	bool			d;	/* Discovery optional (D bit) */
	uint8_t			type;	/* DRIAD_TYPE_*, others */
	struct amt_ip		ip;	/* types 1 and 2 */
	struct driad_name	name;	/* type 3 */
};

/* driad_rdata_parse() results. */
#define DRIAD_RR_BAD		-1	/* malformed: skip the record */
#define DRIAD_RR_OK		0
#define DRIAD_RR_UNKNOWN	1	/* undefined type: not considered */

int		 driad_rdata_parse(const void *, size_t, struct driad_rr *);

/* "4.3.2.1.in-addr.arpa" or the 32-nibble ip6.arpa name; -1 if short. */
int		 driad_reverse_name(const struct amt_ip *, char *, size_t);

/*
 * Read a name at the cursor (RFC 1035 3.1, 4.1.4).  msg is the whole
 * message, against which compression pointers are resolved; NULL where a
 * pointer is an error (the AMTRELAY relay name, RFC 8777 4.2.4).
 */
int		 driad_name_read(struct rbuf *, const struct rbuf *,
		    struct driad_name *);
/* Names: text (with \. and \DDD escapes) <-> wire form; equality
 * ignores ASCII case (RFC 4343). */
int		 driad_name_from_str(const char *, struct driad_name *);
int		 driad_name_str(const struct driad_name *, char *, size_t);
bool		 driad_name_eq(const struct driad_name *,
		    const struct driad_name *);
/*
 * DNAME substitution (RFC 6672 2.2): if owner is a proper ancestor of
 * the name, replace that suffix of it by target.  1 if done, 0 if owner
 * is not an ancestor, -1 if the result would be too long.
 */
int		 driad_name_subst(struct driad_name *,
		    const struct driad_name *, const struct driad_name *);

/*
 * What a DNS response to an AMTRELAY query says.  The CNAME/DNAME chain
 * from the question name is followed inside the answer; "final" is where
 * it ends.  When the answer has no AMTRELAY record at "final" and
 * "followed" is set, the caller asks again for "final".
 */
struct driad_answer {
	uint8_t			rcode;
	bool			truncated;
	struct driad_name	final;
	bool			followed;
	struct driad_rr		rr[DRIAD_MAX_RR];	/* types 1-3 */
	size_t			nrr;
	bool			none;		/* a type 0 record */
	unsigned		nunknown;	/* undefined types, skipped */
	unsigned		nbad;		/* malformed, skipped */
	unsigned		nextra;		/* beyond DRIAD_MAX_RR */
	uint32_t		ttl;		/* smallest TTL used */
};

/*
 * Read a DNS response (RFC 1035 4.1) to an AMTRELAY query for qname
 * (NULL: whatever the question says).  0 if the message is well formed,
 * whatever it holds; -1 if its header, question, framing or chain is not.
 */
int		 driad_answer_parse(const void *, size_t, const char *,
		    struct driad_answer *);

/* A relay address to try, with what its record said. */
struct driad_cand {
	struct amt_ip	ip;
	uint8_t		precedence;
	bool		d;
};

#define DRIAD_FAM_V4	0x01
#define DRIAD_FAM_V6	0x02

/* What the gateway can use (RFC 6724 rule 1) and prefers (rule 6). */
struct driad_pref {
	unsigned	families;	/* DRIAD_FAM_*; 0: both */
	int		first;		/* AF_INET, AF_INET6 or 0 */
};

/*
 * D2: order candidates in place and return how many are kept: lowest
 * precedence first; among equal precedence the preferred family first
 * (AF_UNSPEC: the RFC 6724 default policy table), then a random order
 * among equals.  Unusable families and duplicate addresses are dropped.
 */
size_t		 driad_order(struct driad_cand *, size_t,
		    const struct driad_pref *);

/* D5, RFC 8777 3.5: the wait before DNS retry n (0, 1, ...): random in
 * [1 s, min(2^n s, 120 s)], in milliseconds. */
uint32_t	 driad_backoff_ms(unsigned);

#endif
