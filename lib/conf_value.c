/*
 * Values of the option table (amt/conf.h): one parser and one printer
 * per kind.  A value printed by conf_value_print parses back to the same
 * value, so `-n` output is itself a valid configuration file.
 */
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "amt/addr.h"
#include "amt/conf.h"
#include "conf_priv.h"

static void *
field(const struct conf_opt *o, void *conf)
{
	return (char *)conf + o->off;
}

static const void *
cfield(const struct conf_opt *o, const void *conf)
{
	return (const char *)conf + o->off;
}

/* An unsigned member of 1, 2, 4 or 8 bytes. */
static void
uint_store(void *p, size_t size, unsigned long long v)
{
	switch (size) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	default: { uint64_t x = v; memcpy(p, &x, 8); break; }
	}
}

static unsigned long long
uint_load(const void *p, size_t size)
{
	uint8_t		a;
	uint16_t	b;
	uint32_t	c;
	uint64_t	d;

	switch (size) {
	case 1: memcpy(&a, p, 1); return a;
	case 2: memcpy(&b, p, 2); return b;
	case 4: memcpy(&c, p, 4); return c;
	default: memcpy(&d, p, 8); return d;
	}
}

/* Decimal digits only: no sign, no blanks, no base prefixes. */
static int
parse_digits(const char *s, const char **end, unsigned long long *v)
{
	unsigned long long	n = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (n > (ULLONG_MAX - (unsigned)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (unsigned)(*s - '0');
	}
	*end = s;
	*v = n;
	return 0;
}

static int
set_uint(const struct conf_opt *o, void *conf, const char *s, char *err,
    size_t len)
{
	unsigned long long	 v, mul = 1;
	const char		*end;

	if (parse_digits(s, &end, &v) == -1)
		goto bad;
	if (o->kind == CONF_DURATION && end[0] != '\0' && end[1] == '\0') {
		switch (*end++) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		default: goto bad;
		}
	}
	if (*end != '\0' || v > ULLONG_MAX / mul)
		goto bad;
	v *= mul;
	if (v < o->min || v > o->max) {
		snprintf(err, len, "%llu is out of range %llu..%llu", v, o->min,
		    o->max);
		return -1;
	}
	uint_store(field(o, conf), o->size, v);
	return 0;
bad:
	snprintf(err, len, "'%s' is not a %s", s, o->kind == CONF_DURATION ?
	    "duration (seconds, or with s, m, h, d)" : "decimal number");
	return -1;
}

static int
word_in(const char *s, const char *const *words, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	return 0;
}

static int
set_bool(const struct conf_opt *o, void *conf, const char *s, char *err,
    size_t len)
{
	static const char *const	yes[] = { "yes", "true", "on", "1" };
	static const char *const	no[] = { "no", "false", "off", "0" };
	bool				v;

	if (s == NULL || word_in(s, yes, 4))
		v = true;
	else if (word_in(s, no, 4))
		v = false;
	else {
		snprintf(err, len, "'%s' is not yes or no", s);
		return -1;
	}
	memcpy(field(o, conf), &v, sizeof(v));
	return 0;
}

/* One word that a file line can hold and print back. */
static int
check_word(const char *s, size_t size, char *err, size_t len)
{
	const char	*p;

	if (*s == '\0' || *s == '#') {
		snprintf(err, len, "'%s' is empty or starts with #", s);
		return -1;
	}
	for (p = s; *p != '\0'; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p)) {
			snprintf(err, len, "blanks or control characters "
			    "in value");
			return -1;
		}
	if ((size_t)(p - s) >= size) {
		snprintf(err, len, "'%s' is longer than %zu bytes", s,
		    size - 1);
		return -1;
	}
	return 0;
}

/* Linux dev_valid_name(): not ".", "..", no '/', ':' or blanks. */
static int
set_string(const struct conf_opt *o, void *conf, const char *s, char *err,
    size_t len)
{
	size_t	size = o->size;

	if (o->kind == CONF_IFNAME && size > IF_NAMESIZE)
		size = IF_NAMESIZE;
	if (check_word(s, size, err, len) == -1)
		return -1;
	if (o->kind == CONF_IFNAME && (strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0 || strpbrk(s, "/:") != NULL)) {
		snprintf(err, len, "'%s' is not an interface name", s);
		return -1;
	}
	memset(field(o, conf), 0, o->size);
	memcpy(field(o, conf), s, strlen(s));
	return 0;
}

static int
parse_ip(const struct conf_opt *o, const char *s, struct amt_ip *ip,
    char *err, size_t len)
{
	memset(ip, 0, sizeof(*ip));
	if (ip_parse(s, ip) == -1) {
		snprintf(err, len, "'%s' is not an IPv4 or IPv6 address", s);
		return -1;
	}
	if ((o->flags & CONF_F_UNICAST) && (ip_is_any(ip) ||
	    ip_is_multicast(ip))) {
		snprintf(err, len, "%s is not a unicast address", s);
		return -1;
	}
	return 0;
}

static int
set_addr(const struct conf_opt *o, void *conf, const char *s, char *err,
    size_t len)
{
	struct amt_ip	ip;

	if (parse_ip(o, s, &ip, err, len) == -1)
		return -1;
	memcpy(field(o, conf), &ip, sizeof(ip));
	return 0;
}

static int
set_addrs(const struct conf_opt *o, void *conf, const char *s, char *err,
    size_t len)
{
	struct conf_addrs	*l = field(o, conf);
	struct amt_ip		 ip;
	int			 i;

	if (parse_ip(o, s, &ip, err, len) == -1)
		return -1;
	for (i = 0; i < l->n; i++)
		if (ip_eq(&l->a[i], &ip)) {
			snprintf(err, len, "%s given twice", s);
			return -1;
		}
	if (l->n == CONF_ADDRS_MAX) {
		snprintf(err, len, "at most %d addresses", CONF_ADDRS_MAX);
		return -1;
	}
	l->a[l->n++] = ip;
	return 0;
}

static int
set_prefixes(const struct conf_opt *o, void *conf, const char *s, char *err,
    size_t len)
{
	struct conf_prefixes	*l = field(o, conf);
	struct amt_prefix	 p;

	if (ip_prefix_parse(s, &p) == -1) {
		snprintf(err, len, "'%s' is not an address/length prefix", s);
		return -1;
	}
	if (l->n == CONF_PREFIXES_MAX) {
		snprintf(err, len, "at most %d prefixes", CONF_PREFIXES_MAX);
		return -1;
	}
	l->p[l->n++] = p;
	return 0;
}

static int
set_sockaddr(const struct conf_opt *o, void *conf, const char *s, char *err,
    size_t len)
{
	struct sockaddr_storage	ss;
	struct amt_ip		ip;

	memset(&ss, 0, sizeof(ss));
	if (addr_parse(s, (uint16_t)o->min, &ss) == -1) {
		snprintf(err, len, "'%s' is not an address[:port]", s);
		return -1;
	}
	ip_from_sa((struct sockaddr *)&ss, &ip);
	if ((o->flags & CONF_F_UNICAST) && (ip_is_any(&ip) ||
	    ip_is_multicast(&ip))) {
		snprintf(err, len, "%s is not a unicast address", s);
		return -1;
	}
	memcpy(field(o, conf), &ss, sizeof(ss));
	return 0;
}

int
conf_set(const struct conf_opt *o, void *conf, const char *s, char *err,
    size_t len)
{
	int	n;

	if (s == NULL && o->kind != CONF_BOOL && o->kind != CONF_COUNT) {
		snprintf(err, len, "missing value");
		return -1;
	}
	switch (o->kind) {
	case CONF_BOOL:
		return set_bool(o, conf, s, err, len);
	case CONF_COUNT:
		memcpy(&n, field(o, conf), sizeof(n));
		n++;
		memcpy(field(o, conf), &n, sizeof(n));
		return 0;
	case CONF_UINT:
	case CONF_DURATION:
		return set_uint(o, conf, s, err, len);
	case CONF_STRING:
	case CONF_IFNAME:
		return set_string(o, conf, s, err, len);
	case CONF_ADDR:
		return set_addr(o, conf, s, err, len);
	case CONF_ADDRS:
		return set_addrs(o, conf, s, err, len);
	case CONF_PREFIXES:
		return set_prefixes(o, conf, s, err, len);
	case CONF_SOCKADDR:
		return set_sockaddr(o, conf, s, err, len);
	case CONF_LOG_LEVEL:
	case CONF_LOG_FACILITY:
		if (conf_log_set(o, &n, s, err, len) == -1)
			return -1;
		memcpy(field(o, conf), &n, sizeof(n));
		return 0;
	case CONF_CUSTOM:
		return o->set(conf, s, err, len);
	}
	snprintf(err, len, "bad option kind");
	return -1;
}

/* First use of a list in a file or on the command line replaces it. */
void
conf_value_reset(const struct conf_opt *o, void *conf)
{
	if (o->kind == CONF_ADDRS)
		memset(field(o, conf), 0, sizeof(struct conf_addrs));
	if (o->kind == CONF_PREFIXES)
		memset(field(o, conf), 0, sizeof(struct conf_prefixes));
}

/* addr_parse() needs a port, so it is always there to print; so is a
 * scope id, which addr_str() leaves out. */
static void
print_sockaddr(const struct conf_opt *o, const struct sockaddr *sa, FILE *f)
{
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;
	struct amt_ip			 ip;
	char				 buf[ADDR_STRLEN];

	if (sa->sa_family == AF_INET6 && sin6->sin6_scope_id != 0) {
		ip_from_sa(sa, &ip);
		fprintf(f, "%s [%s%%%u]:%u\n", o->name, ip_str(&ip, buf,
		    sizeof(buf)), (unsigned)sin6->sin6_scope_id,
		    (unsigned)ntohs(sin6->sin6_port));
	} else if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)
		fprintf(f, "%s %s\n", o->name, addr_str(sa, buf, sizeof(buf)));
}

static void
print_prefixes(const struct conf_opt *o, const struct conf_prefixes *l,
    FILE *f)
{
	char	buf[ADDR_STRLEN];
	int	i;

	for (i = 0; i < l->n; i++)
		fprintf(f, "%s %s\n", o->name, ip_prefix_str(&l->p[i], buf,
		    sizeof(buf)));
}

void
conf_value_print(const struct conf_opt *o, const void *conf, FILE *f)
{
	const struct conf_addrs	*l = cfield(o, conf);
	const char		*s = cfield(o, conf);
	char			 buf[ADDR_STRLEN];
	bool			 b;
	int			 i;

	switch (o->kind) {
	case CONF_BOOL:
		memcpy(&b, cfield(o, conf), sizeof(b));
		fprintf(f, "%s %s\n", o->name, b ? "yes" : "no");
		break;
	case CONF_UINT:
	case CONF_DURATION:
		fprintf(f, "%s %llu\n", o->name, uint_load(cfield(o, conf),
		    o->size));
		break;
	case CONF_STRING:
	case CONF_IFNAME:
		if (s[0] != '\0')
			fprintf(f, "%s %.*s\n", o->name, (int)o->size, s);
		break;
	case CONF_ADDR:
	case CONF_ADDRS:
		for (i = 0; i < (o->kind == CONF_ADDR ? 1 : l->n); i++) {
			const struct amt_ip *ip = o->kind == CONF_ADDR ?
			    cfield(o, conf) : &l->a[i];
			if (ip->family != 0)
				fprintf(f, "%s %s\n", o->name,
				    ip_str(ip, buf, sizeof(buf)));
		}
		break;
	case CONF_PREFIXES:
		print_prefixes(o, cfield(o, conf), f);
		break;
	case CONF_SOCKADDR:
		print_sockaddr(o, cfield(o, conf), f);
		break;
	case CONF_LOG_LEVEL:
	case CONF_LOG_FACILITY:
		memcpy(&i, cfield(o, conf), sizeof(i));
		conf_log_print(o, i, f);
		break;
	case CONF_CUSTOM:
		if (o->print != NULL)
			o->print(conf, o->name, f);
		break;
	case CONF_COUNT:
		break;
	}
}
