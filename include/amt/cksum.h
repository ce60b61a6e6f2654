/*
 * Internet checksum (RFC 1071) and the checksums built on it: IPv4 header,
 * IGMP, ICMPv6 and UDP over IPv4 or IPv6 (with the pseudo-header).
 * Results are in network byte order, ready to be stored with memcpy;
 * a buffer whose checksum field is correct sums to 0 (cksum_ok).
 */
#ifndef AMT_CKSUM_H
#define AMT_CKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amt/addr.h"

uint32_t	 cksum_add(uint32_t, const void *, size_t);
uint16_t	 cksum_fold(uint32_t);
/* Checksum of a plain buffer (IPv4 header, IGMP). */
uint16_t	 cksum(const void *, size_t);
/* Sum of the pseudo-header for UDP/ICMPv6 (RFC 768, RFC 8200 8.1). */
uint32_t	 cksum_pseudo(const struct amt_ip *, const struct amt_ip *,
		    uint8_t, uint32_t);
/* Checksum of an upper-layer payload with its pseudo-header. */
uint16_t	 cksum_l4(const struct amt_ip *, const struct amt_ip *,
		    uint8_t, const void *, size_t);
bool		 cksum_ok(const void *, size_t);
/*
 * Finish the UDP (or TCP, ICMPv6) checksum of a complete, unfragmented IP
 * datagram in place: used on frames captured with an unfinished checksum
 * (TP_STATUS_CSUMNOTREADY).  Returns 0, or -1 if it cannot (fragment,
 * unknown protocol, malformed).  A zero UDP result is sent as 0xffff.
 */
int		 cksum_finish_l4(uint8_t *, size_t);

#endif
