/*
 * The seven AMT messages of RFC 7450 section 5.1: one decode and one
 * encode, every length rule in one place (wire.c).
 */
#ifndef AMT_WIRE_H
#define AMT_WIRE_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amt/addr.h"

#define AMT_PORT		2268	/* RFC 7450 7.2 */
#define AMT_MAC_LEN		6
#define AMT_ANYCAST_V4		"192.52.193.1"	/* RFC 7450 7.1 */
#define AMT_ANYCAST_V6		"2001:3::1"

enum amt_type {
	AMT_RELAY_DISCOVERY = 1,
	AMT_RELAY_ADVERTISEMENT = 2,
	AMT_REQUEST = 3,
	AMT_MEMBERSHIP_QUERY = 4,
	AMT_MEMBERSHIP_UPDATE = 5,
	AMT_MULTICAST_DATA = 6,
	AMT_TEARDOWN = 7,
};
#define AMT_TYPE_MAX		7

/* Octet 1 flags (RFC 7450 5.1.3.3, 5.1.4.3; RFC 9601 for E). */
#define AMT_REQ_FLAG_P		0x01	/* 1: MLDv2 query wanted */
#define AMT_REQ_FLAG_E		0x02	/* RFC 9601: copy inner ECN */
#define AMT_REQ_FLAG_P_LINUX	0x80	/* Q2: Linux driver's P */
#define AMT_QUERY_FLAG_G	0x01	/* gateway fields present */
#define AMT_QUERY_FLAG_L	0x02	/* relay at capacity */

/* Fixed sizes (RFC 7450 5.1). */
#define AMT_DISCOVERY_LEN	8
#define AMT_ADVERT_V4_LEN	12
#define AMT_ADVERT_V6_LEN	24
#define AMT_REQUEST_LEN		8
#define AMT_QUERY_HDR_LEN	12
#define AMT_GWFIELDS_LEN	18
#define AMT_UPDATE_HDR_LEN	12
#define AMT_DATA_HDR_LEN	2
#define AMT_TEARDOWN_LEN	30

enum amt_err {
	AMT_OK = 0,
	AMT_ERR_SHORT = -1,	/* fewer bytes than the type needs */
	AMT_ERR_VERSION = -2,	/* version != 0 (W2) */
	AMT_ERR_TYPE = -3,	/* unknown type (W2) */
	AMT_ERR_LENGTH = -4,	/* a length that no rule allows */
	AMT_ERR_INNER = -5,	/* inner IP header absent or too long */
	AMT_ERR_NOSPACE = -6,	/* encode: output buffer too small */
};

/*
 * A decoded message.  Fields not used by the type are zero.  The nonce is
 * in host order; encode writes it back byte for byte (W9).  inner points
 * into the decoded packet and is trimmed to the inner IP datagram's own
 * length (W8: trailing bytes are ignored).
 */
struct amt_msg {
	uint8_t		 type;
	uint8_t		 flags;		/* octet 1 as received / to send */
	uint32_t	 nonce;
	uint8_t		 mac[AMT_MAC_LEN];
	struct amt_ip	 relay;		/* Advertisement */
	uint16_t	 gw_port;	/* Query with G, Teardown */
	uint8_t		 gw_addr[16];	/* canonical form */
	const uint8_t	*inner;		/* Query, Update, Data */
	size_t		 inner_len;
};

int		 amt_decode(const void *, size_t, struct amt_msg *);
/* Returns the encoded length or a negative enum amt_err. */
ssize_t		 amt_encode(const struct amt_msg *, void *, size_t);
/* Length of the IP datagram at p (IPv4 total length or 40 + IPv6 payload
 * length), or -1 if the header is absent, malformed or longer than len. */
ssize_t		 amt_inner_len(const uint8_t *, size_t);
const char	*amt_type_name(int);
const char	*amt_strerror(int);

#endif
