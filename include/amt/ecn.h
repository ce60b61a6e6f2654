/*
 * The ECN field (RFC 3168 5): the low 2 bits of the IPv4 TOS octet and of
 * the IPv6 Traffic Class, and its four codepoints.  The relay copies it to
 * the outer header (RFC 6040 4.1), the gateway combines the two at egress
 * (RFC 6040 4.2); RFC 9601 6.1.4 applies both to AMT.
 */
#ifndef AMT_ECN_H
#define AMT_ECN_H

#define ECN_MASK	0x03
#define ECN_NOT_ECT	0x00
#define ECN_ECT1	0x01
#define ECN_ECT0	0x02
#define ECN_CE		0x03

#endif
