/*
 * amtrelayd command line: one option table serves getopt_long and the
 * usage text; every value is checked here, with a message that names the
 * option, so that nothing later has to doubt the configuration.  Errors
 * exit with EX_USAGE (sysexits.h) before anything is opened.
 */
#include "config.h"

#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "relay.h"

/* Defaults (spec.md M3, R5, R13, R14; RFC 3376 8.2-8.3). */
#define CONF_QQI		125
#define CONF_QRV		2
#define CONF_QRI_MS		10000	/* RFC 7450 5.3.3.7: >= 10 s */
#define CONF_KEY_ROTATE		3600	/* R5: at most 7200 */
#define CONF_MAX_TUNNELS	10000
#define CONF_MAX_PER_IP		100
#define CONF_MAX_GROUPS		256
#define CONF_MAX_SOURCES	1024
#define CONF_TUNNEL_MTU		1500
#define CONF_CTL_PATH		"/run/amtrelayd.sock"

/* Long-only options. */
enum {
	OPT_QQI = 256,
	OPT_QRV,
	OPT_QRI,
	OPT_TIMEOUT,
	OPT_KEY_ROTATE,
	OPT_MAX_TUNNELS,
	OPT_MAX_PER_IP,
	OPT_MAX_GROUPS,
	OPT_MAX_SOURCES,
	OPT_ADVERTISE_G,
	OPT_LINUX_P,
	OPT_MTU,
	OPT_PORT,
};

static const struct option conf_options[] = {
	{ "debug",			no_argument,	   NULL, 'd' },
	{ "interface",			required_argument, NULL, 'i' },
	{ "relay-address",		required_argument, NULL, 'a' },
	{ "discovery-address",		required_argument, NULL, 'D' },
	{ "control-socket",		required_argument, NULL, 'S' },
	{ "verbose",			no_argument,	   NULL, 'v' },
	{ "check",			no_argument,	   NULL, 'n' },
	{ "help",			no_argument,	   NULL, 'h' },
	{ "version",			no_argument,	   NULL, 'V' },
	{ "query-interval",		required_argument, NULL, OPT_QQI },
	{ "qrv",			required_argument, NULL, OPT_QRV },
	{ "query-response-interval",	required_argument, NULL, OPT_QRI },
	{ "tunnel-timeout",		required_argument, NULL, OPT_TIMEOUT },
	{ "key-rotate",			required_argument, NULL, OPT_KEY_ROTATE },
	{ "max-tunnels",		required_argument, NULL, OPT_MAX_TUNNELS },
	{ "max-tunnels-per-ip",		required_argument, NULL, OPT_MAX_PER_IP },
	{ "max-groups",			required_argument, NULL, OPT_MAX_GROUPS },
	{ "max-sources",		required_argument, NULL, OPT_MAX_SOURCES },
	{ "advertise-teardown",		no_argument,	   NULL, OPT_ADVERTISE_G },
	{ "linux-p-bit",		no_argument,	   NULL, OPT_LINUX_P },
	{ "tunnel-mtu",			required_argument, NULL, OPT_MTU },
	{ "port",			required_argument, NULL, OPT_PORT },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
conf_usage(int code)
{
	FILE	*f = code == 0 ? stdout : stderr;

	fprintf(f,
"usage: amtrelayd [-dnv] -i upstream-if -a relay-addr [-a relay-addr6]\n"
"                 [-D discovery-addr]... [-S control-socket]\n"
"                 [--query-interval s] [--qrv n] [--query-response-interval s]\n"
"                 [--tunnel-timeout s] [--key-rotate s] [--max-tunnels n]\n"
"                 [--max-tunnels-per-ip n] [--max-groups n] [--max-sources n]\n"
"                 [--advertise-teardown] [--linux-p-bit] [--tunnel-mtu n]\n"
"                 [--port n]\n");
	exit(code);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
conf_die(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "amtrelayd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(EX_USAGE);
}

/* A decimal number in [lo, hi] for option name, or exit. */
static unsigned
conf_number(const char *name, const char *s, unsigned lo, unsigned hi)
{
	unsigned long	 v;
	char		*end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno == ERANGE)
		conf_die("--%s: '%s' is not a number", name, s);
	if (v < lo || v > hi)
		conf_die("--%s: %lu is out of range %u..%u", name, v, lo, hi);
	return (unsigned)v;
}

static void
conf_defaults(struct relay_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->port = AMT_PORT;
	snprintf(c->ctl_path, sizeof(c->ctl_path), "%s", CONF_CTL_PATH);
	c->qqi = CONF_QQI;
	c->qrv = CONF_QRV;
	c->qri_ms = CONF_QRI_MS;
	c->key_rotate = CONF_KEY_ROTATE;
	c->max_tunnels = CONF_MAX_TUNNELS;
	c->max_tunnels_per_ip = CONF_MAX_PER_IP;
	c->max_groups = CONF_MAX_GROUPS;
	c->max_sources = CONF_MAX_SOURCES;
	c->tunnel_mtu = CONF_TUNNEL_MTU;
}

/* -a: one unicast relay address per family (RFC 7450 5.3.2). */
static void
conf_relay_addr(struct relay_conf *c, const char *s)
{
	struct amt_ip	 ip;
	struct amt_ip	*slot;

	if (ip_parse(s, &ip) == -1)
		conf_die("-a: '%s' is not an IPv4 or IPv6 address", s);
	if (ip_is_any(&ip) || ip_is_multicast(&ip))
		conf_die("-a: %s is not a unicast address", s);
	slot = ip.family == AF_INET ? &c->relay_addr4 : &c->relay_addr6;
	if (slot->family != 0)
		conf_die("-a: only one %s relay address",
		    ip.family == AF_INET ? "IPv4" : "IPv6");
	*slot = ip;
}

/* -D: a discovery address, usually anycast (RFC 7450 7.1). */
static void
conf_discovery_addr(struct relay_conf *c, const char *s)
{
	struct amt_ip	ip;
	int		i;

	if (ip_parse(s, &ip) == -1)
		conf_die("-D: '%s' is not an IPv4 or IPv6 address", s);
	if (ip_is_any(&ip) || ip_is_multicast(&ip))
		conf_die("-D: %s is not a unicast address", s);
	for (i = 0; i < c->ndiscovery; i++)
		if (ip_eq(&c->discovery[i], &ip))
			conf_die("-D: %s given twice", s);
	if (c->ndiscovery == (int)(sizeof(c->discovery) /
	    sizeof(c->discovery[0])))
		conf_die("-D: at most %zu discovery addresses",
		    sizeof(c->discovery) / sizeof(c->discovery[0]));
	c->discovery[c->ndiscovery++] = ip;
}

static void
conf_string(const char *opt, char *dst, size_t len, const char *s)
{
	if (*s == '\0')
		conf_die("%s: empty", opt);
	if ((size_t)snprintf(dst, len, "%s", s) >= len)
		conf_die("%s: '%s' is longer than %zu bytes", opt, s, len - 1);
}

static bool
conf_option(struct relay_conf *c, int ch, const char *arg)
{
	switch (ch) {
	case 'd': c->debug = true; break;
	case 'i': conf_string("-i", c->upstream_if, IF_NAMESIZE, arg); break;
	case 'a': conf_relay_addr(c, arg); break;
	case 'D': conf_discovery_addr(c, arg); break;
	case 'S': conf_string("-S", c->ctl_path, sizeof(c->ctl_path), arg);
		break;
	case 'v': c->verbose++; break;
	/* RFC 3376 4.1.7: QQIC encodes at most 31744 s. */
	case OPT_QQI: c->qqi = conf_number("query-interval", arg, 1, 31744);
		break;
	/* RFC 7450 5.3.3.3: QRV non-zero; 3 bits (RFC 3376 4.1.6). */
	case OPT_QRV: c->qrv = conf_number("qrv", arg, 1, 7); break;
	case OPT_QRI: c->qri_ms = 1000 * conf_number(
	    "query-response-interval", arg, 1, 3600); break;
	case OPT_TIMEOUT: c->tunnel_timeout = conf_number("tunnel-timeout",
	    arg, 0, 86400); break;
	/* RFC 7450 5.3.6: new secret at least every 2 hours. */
	case OPT_KEY_ROTATE: c->key_rotate = conf_number("key-rotate", arg,
	    1, 7200); break;
	case OPT_MAX_TUNNELS: c->max_tunnels = conf_number("max-tunnels",
	    arg, 1, 1000000); break;
	case OPT_MAX_PER_IP: c->max_tunnels_per_ip = conf_number(
	    "max-tunnels-per-ip", arg, 1, 1000000); break;
	case OPT_MAX_GROUPS: c->max_groups = conf_number("max-groups", arg,
	    1, 65535); break;
	case OPT_MAX_SOURCES: c->max_sources = conf_number("max-sources",
	    arg, 0, 1000000); break;
	case OPT_ADVERTISE_G: c->advertise_g = true; break;
	case OPT_LINUX_P: c->linux_p_bit = true; break;
	case OPT_MTU: c->tunnel_mtu = conf_number("tunnel-mtu", arg, 576,
	    65535); break;
	case OPT_PORT: c->port = conf_number("port", arg, 1, 65535); break;
	default: return false;
	}
	return true;
}

/* Rules between options, once all are read. */
static void
conf_check(const struct relay_conf *c)
{
	if (c->upstream_if[0] == '\0')
		conf_die("-i upstream-if is required");
	if (if_nametoindex(c->upstream_if) == 0)
		conf_die("-i: no interface named %s", c->upstream_if);
	if (c->relay_addr4.family == 0 && c->relay_addr6.family == 0)
		conf_die("-a relay-addr is required");
	if (c->max_tunnels_per_ip > c->max_tunnels)
		conf_die("--max-tunnels-per-ip (%u) exceeds --max-tunnels (%u)",
		    c->max_tunnels_per_ip, c->max_tunnels);
	/* RFC 7450 5.3.3.7: longer than the query interval sent. */
	if (c->tunnel_timeout != 0 && c->tunnel_timeout <= c->qqi)
		conf_die("--tunnel-timeout (%u) must exceed --query-interval "
		    "(%u)", c->tunnel_timeout, c->qqi);
}

/* -n: the effective configuration, one "option value" a line. */
static void
conf_print(const struct relay_conf *c)
{
	char	buf[INET6_ADDRSTRLEN];
	int	i;

	printf("interface %s\n", c->upstream_if);
	if (c->relay_addr4.family != 0)
		printf("relay-address %s\n", ip_str(&c->relay_addr4, buf,
		    sizeof(buf)));
	if (c->relay_addr6.family != 0)
		printf("relay-address %s\n", ip_str(&c->relay_addr6, buf,
		    sizeof(buf)));
	for (i = 0; i < c->ndiscovery; i++)
		printf("discovery-address %s\n", ip_str(&c->discovery[i], buf,
		    sizeof(buf)));
	printf("control-socket %s\nport %u\nquery-interval %u\nqrv %u\n"
	    "query-response-interval %u\ntunnel-timeout %u\nkey-rotate %u\n"
	    "max-tunnels %u\nmax-tunnels-per-ip %u\nmax-groups %u\n"
	    "max-sources %u\nadvertise-teardown %s\nlinux-p-bit %s\n"
	    "tunnel-mtu %u\n", c->ctl_path, c->port, c->qqi, c->qrv,
	    c->qri_ms / 1000, conf_tunnel_timeout(c), c->key_rotate,
	    c->max_tunnels, c->max_tunnels_per_ip, c->max_groups,
	    c->max_sources, c->advertise_g ? "yes" : "no",
	    c->linux_p_bit ? "yes" : "no", c->tunnel_mtu);
}

/* R13: QRV x QQI + QRI (260 s with the defaults) unless configured. */
unsigned
conf_tunnel_timeout(const struct relay_conf *c)
{
	if (c->tunnel_timeout != 0)
		return c->tunnel_timeout;
	return c->qrv * c->qqi + (c->qri_ms + 999) / 1000;
}

void
conf_parse(struct relay_conf *c, int argc, char **argv)
{
	bool	check = false;
	int	ch;

	conf_defaults(c);
	while ((ch = getopt_long(argc, argv, "dD:a:hi:nS:vV", conf_options,
	    NULL)) != -1) {
		if (conf_option(c, ch, optarg))
			continue;
		switch (ch) {
		case 'n':
			check = true;
			break;
		case 'h':
			conf_usage(0);
		case 'V':
			printf("amtrelayd %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			conf_usage(EX_USAGE);
		}
	}
	if (optind != argc)
		conf_die("unexpected argument '%s'", argv[optind]);
	conf_check(c);
	if (check) {
		conf_print(c);
		exit(0);
	}
}
