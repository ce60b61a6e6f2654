/*
 * Address helpers: sockaddr <-> the canonical 16-byte form used by the
 * Response MAC and by Teardown/Query gateway fields (RFC 7450 5.1.4.5:
 * an IPv4 address is carried as ::a.b.c.d, the IPv4-compatible form),
 * printing and parsing.
 */
#ifndef AMT_ADDR_H
#define AMT_ADDR_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* An IP address without a port; family is AF_INET or AF_INET6. */
struct amt_ip {
	int		family;
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
		uint8_t		b[16];
	} u;
};

/* An address prefix: ip/len, the bits beyond len zero. */
struct amt_prefix {
	struct amt_ip	ip;
	unsigned	len;		/* 0..32 or 0..128 */
};

#define ADDR_STRLEN	(INET6_ADDRSTRLEN + 8)	/* "[addr]:port" */

socklen_t	 addr_len(const struct sockaddr *);
/* Canonical 16-byte form and port (host order) of a sockaddr. */
int		 addr_canon(const struct sockaddr *, uint8_t [16], uint16_t *);
/* Back from canonical form: ::a.b.c.d (but not :: or ::1) becomes IPv4. */
void		 addr_from_canon(const uint8_t [16], uint16_t,
		    struct sockaddr_storage *);
/* Same address and port. */
bool		 addr_eq(const struct sockaddr *, const struct sockaddr *);
/* "192.0.2.1:2268", "[2001:db8::1]:2268" or, with port 0, without port. */
const char	*addr_str(const struct sockaddr *, char *, size_t);
/* Parse "addr", "addr:port", "[v6]:port"; defport when none given. */
int		 addr_parse(const char *, uint16_t, struct sockaddr_storage *);

void		 ip_from_sa(const struct sockaddr *, struct amt_ip *);
void		 ip_to_sa(const struct amt_ip *, uint16_t,
		    struct sockaddr_storage *);
bool		 ip_eq(const struct amt_ip *, const struct amt_ip *);
bool		 ip_is_any(const struct amt_ip *);
bool		 ip_is_multicast(const struct amt_ip *);
/* Length of the address bytes: 4 or 16. */
size_t		 ip_len(int);
const char	*ip_str(const struct amt_ip *, char *, size_t);
int		 ip_parse(const char *, struct amt_ip *);
/* "addr/len" or "addr" (a host prefix); the host bits must be zero. */
int		 ip_prefix_parse(const char *, struct amt_prefix *);
/* Is ip inside p (same family, first p->len bits equal)? */
bool		 ip_prefix_match(const struct amt_prefix *,
		    const struct amt_ip *);
/* "addr/len" */
const char	*ip_prefix_str(const struct amt_prefix *, char *, size_t);

#endif
