/*
 * Make the checksums of an IGMP or MLD datagram right after its bytes
 * were made up or edited: for the IGMP/MLD fuzz targets (so that the
 * fuzzer reaches the record and query parsers instead of stopping at a
 * checksum) and for the unit tests that edit captured reports.
 */
#ifndef FUZZ_MCAST_FIX_H
#define FUZZ_MCAST_FIX_H

#include <stddef.h>
#include <stdint.h>

/* IPv4 header checksum over hl octets, IGMP checksum over hl..len. */
void	fix_ip4_cksums(uint8_t *, size_t, size_t);
/* ICMPv6 checksum of the message at off..len, pseudo-header from b. */
void	fix_icmp6_cksum(uint8_t *, size_t, size_t);
/* Fix the checksums of b in place (as far as its own lengths allow). */
void	fix_cksums(uint8_t *, size_t);

#endif
