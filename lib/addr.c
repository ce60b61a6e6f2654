/*
 * Address helpers (see include/amt/addr.h): sockaddr lengths, the
 * canonical 16-byte form of RFC 7450, printing and parsing.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amt/addr.h"

socklen_t
addr_len(const struct sockaddr *sa)
{
	switch (sa->sa_family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	default:
		return 0;
	}
}

/*
 * RFC 7450 5.1.4.5, 5.1.5.5: an IPv4 gateway address "is stored as an
 * IPv4-compatible IPv6 address, where the IPv4 address is prefixed with 96
 * bits set to zero".  The same bytes feed the Response MAC (5.3.5).  An
 * IPv4-mapped source (::ffff:a.b.c.d, from a dual-stack socket) is an IPv4
 * gateway too and gets the same ::a.b.c.d form.
 */
int
addr_canon(const struct sockaddr *sa, uint8_t out[16], uint16_t *port)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	memset(out, 0, 16);
	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)sa;
		memcpy(out + 12, &sin->sin_addr, 4);
		*port = ntohs(sin->sin_port);
		return 0;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			memcpy(out + 12, sin6->sin6_addr.s6_addr + 12, 4);
		else
			memcpy(out, &sin6->sin6_addr, 16);
		*port = ntohs(sin6->sin6_port);
		return 0;
	default:
		*port = 0;
		return -1;
	}
}

/* ::a.b.c.d with a non-zero IPv4 part other than ::1. */
static int
addr_canon_is_v4(const uint8_t c[16])
{
	static const uint8_t	zero[12];
	uint32_t		v4;

	if (memcmp(c, zero, sizeof(zero)) != 0)
		return 0;
	v4 = (uint32_t)c[12] << 24 | (uint32_t)c[13] << 16 |
	    (uint32_t)c[14] << 8 | c[15];
	return v4 != 0 && v4 != 1;
}

void
addr_from_canon(const uint8_t c[16], uint16_t port,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;

	memset(ss, 0, sizeof(*ss));
	if (addr_canon_is_v4(c)) {
		sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, c + 12, 4);
		sin->sin_port = htons(port);
	} else {
		sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, c, 16);
		sin6->sin6_port = htons(port);
	}
}

static uint16_t
addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

/*
 * Same family, address and port.  IPv6 scope ids are compared only when
 * both sides carry one, so a configured fe80:: address without a scope
 * matches the same address received on an interface.
 */
bool
addr_eq(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in6	*a6, *b6;
	struct amt_ip			 ia, ib;

	if (a->sa_family != b->sa_family || addr_port(a) != addr_port(b))
		return false;
	ip_from_sa(a, &ia);
	ip_from_sa(b, &ib);
	if (!ip_eq(&ia, &ib))
		return false;
	if (a->sa_family != AF_INET6)
		return true;
	a6 = (const struct sockaddr_in6 *)a;
	b6 = (const struct sockaddr_in6 *)b;
	return a6->sin6_scope_id == 0 || b6->sin6_scope_id == 0 ||
	    a6->sin6_scope_id == b6->sin6_scope_id;
}

const char *
addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char		ip[INET6_ADDRSTRLEN];
	struct amt_ip	a;
	uint16_t	port;

	ip_from_sa(sa, &a);
	if (a.family == AF_UNSPEC) {
		snprintf(buf, len, "(family %d)", sa->sa_family);
		return buf;
	}
	ip_str(&a, ip, sizeof(ip));
	port = addr_port(sa);
	if (port == 0)
		snprintf(buf, len, "%s", ip);
	else if (a.family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, port);
	else
		snprintf(buf, len, "%s:%u", ip, port);
	return buf;
}

/* A decimal port 1-65535, nothing else. */
static int
addr_parse_port(const char *s, uint16_t *port)
{
	unsigned long	 v;
	char		*end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "fe80::1%eth0" or "fe80::1%3": the part after % as a scope id. */
static int
addr_parse_scope(char *s, uint32_t *scope)
{
	char		*pct, *end;
	unsigned long	 v;

	*scope = 0;
	if ((pct = strchr(s, '%')) == NULL)
		return 0;
	*pct++ = '\0';
	if (*pct == '\0')
		return -1;
	errno = 0;
	v = strtoul(pct, &end, 10);
	if (*pct >= '0' && *pct <= '9' && *end == '\0' && errno == 0 &&
	    v <= UINT32_MAX) {
		*scope = (uint32_t)v;
		return 0;
	}
	if ((*scope = if_nametoindex(pct)) == 0)
		return -1;
	return 0;
}

/* Split "[v6]:port", "[v6]", "v4:port", "v4", "v6" into host and port. */
static int
addr_split(char *s, char **host, const char **port)
{
	char	*p;

	*port = NULL;
	if (s[0] == '[') {
		if ((p = strchr(s, ']')) == NULL)
			return -1;
		*p++ = '\0';
		*host = s + 1;
		if (*p == ':')
			*port = p + 1;
		else if (*p != '\0')
			return -1;
		return 0;
	}
	*host = s;
	p = strchr(s, ':');
	if (p != NULL && strchr(p + 1, ':') == NULL) {
		/* exactly one colon: IPv4 with a port */
		*p = '\0';
		*port = p + 1;
	}
	return 0;
}

int
addr_parse(const char *str, uint16_t defport, struct sockaddr_storage *ss)
{
	char		 tmp[ADDR_STRLEN + IF_NAMESIZE], *host;
	const char	*portstr;
	struct amt_ip	 ip;
	uint16_t	 port = defport;
	uint32_t	 scope = 0;

	if (strlen(str) >= sizeof(tmp))
		return -1;
	memcpy(tmp, str, strlen(str) + 1);
	if (addr_split(tmp, &host, &portstr) == -1)
		return -1;
	if (portstr != NULL && addr_parse_port(portstr, &port) == -1)
		return -1;
	if (addr_parse_scope(host, &scope) == -1)
		return -1;
	if (ip_parse(host, &ip) == -1)
		return -1;
	if (str[0] == '[' && ip.family != AF_INET6)
		return -1;
	if (scope != 0 && ip.family != AF_INET6)
		return -1;
	ip_to_sa(&ip, port, ss);
	if (ip.family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_scope_id = scope;
	return 0;
}

void
ip_from_sa(const struct sockaddr *sa, struct amt_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	switch (sa->sa_family) {
	case AF_INET:
		ip->family = AF_INET;
		ip->u.v4 = ((const struct sockaddr_in *)sa)->sin_addr;
		break;
	case AF_INET6:
		ip->family = AF_INET6;
		ip->u.v6 = ((const struct sockaddr_in6 *)sa)->sin6_addr;
		break;
	default:
		ip->family = AF_UNSPEC;
		break;
	}
}

void
ip_to_sa(const struct amt_ip *ip, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;

	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET) {
		sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_addr = ip->u.v4;
		sin->sin_port = htons(port);
	} else if (ip->family == AF_INET6) {
		sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = ip->u.v6;
		sin6->sin6_port = htons(port);
	} else
		ss->ss_family = AF_UNSPEC;
}

bool
ip_eq(const struct amt_ip *a, const struct amt_ip *b)
{
	size_t	n;

	if (a->family != b->family)
		return false;
	if ((n = ip_len(a->family)) == 0)
		return true;
	return memcmp(a->u.b, b->u.b, n) == 0;
}

bool
ip_is_any(const struct amt_ip *ip)
{
	static const uint8_t	zero[16];
	size_t			n;

	if ((n = ip_len(ip->family)) == 0)
		return false;
	return memcmp(ip->u.b, zero, n) == 0;
}

/* 224.0.0.0/4 and ff00::/8. */
bool
ip_is_multicast(const struct amt_ip *ip)
{
	if (ip->family == AF_INET)
		return (ip->u.b[0] & 0xf0) == 0xe0;
	if (ip->family == AF_INET6)
		return ip->u.b[0] == 0xff;
	return false;
}

size_t
ip_len(int family)
{
	if (family == AF_INET)
		return 4;
	if (family == AF_INET6)
		return 16;
	return 0;
}

const char *
ip_str(const struct amt_ip *ip, char *buf, size_t len)
{
	if (len > 0)
		buf[0] = '\0';
	if (ip_len(ip->family) == 0 ||
	    inet_ntop(ip->family, ip->u.b, buf, len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/* A numeric IPv4 (dotted quad only) or IPv6 address. */
int
ip_parse(const char *s, struct amt_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, &ip->u.v4) == 1) {
		ip->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &ip->u.v6) == 1) {
		ip->family = AF_INET6;
		return 0;
	}
	ip->family = AF_UNSPEC;
	return -1;
}

/* Do the first len bits of a and b agree? */
static bool
ip_bits_eq(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned	whole = len / 8, rest = len % 8;
	uint8_t		mask;

	if (memcmp(a, b, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a[whole] & mask) == (b[whole] & mask);
}

int
ip_prefix_parse(const char *s, struct amt_prefix *p)
{
	char		 buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	struct amt_ip	 zero;
	unsigned long	 len;

	memset(p, 0, sizeof(*p));
	if (strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (ip_parse(buf, &p->ip) == -1)
		return -1;
	p->len = (unsigned)ip_len(p->ip.family) * 8;
	if (slash != NULL) {
		if (*slash < '0' || *slash > '9')
			return -1;
		len = strtoul(slash, &end, 10);
		if (*end != '\0' || len > p->len)
			return -1;
		p->len = (unsigned)len;
	}
	/* The bits past the length must be zero: 239.1.2.3/8 is a typo. */
	memset(&zero, 0, sizeof(zero));
	zero.family = p->ip.family;
	memcpy(zero.u.b, p->ip.u.b, (p->len + 7) / 8);
	if (p->len % 8 != 0)
		zero.u.b[p->len / 8] &= (uint8_t)(0xff << (8 - p->len % 8));
	return ip_eq(&zero, &p->ip) ? 0 : -1;
}

bool
ip_prefix_match(const struct amt_prefix *p, const struct amt_ip *ip)
{
	return p->ip.family == ip->family &&
	    ip_bits_eq(p->ip.u.b, ip->u.b, p->len);
}

const char *
ip_prefix_str(const struct amt_prefix *p, char *buf, size_t len)
{
	char	a[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", ip_str(&p->ip, a, sizeof(a)), p->len);
	return buf;
}
