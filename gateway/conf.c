/*
 * Command line of amtgwd: one option table, defaults, validation with
 * clear messages; exit codes from sysexits.h.
 */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "amt/addr.h"
#include "amt/log.h"
#include "amt/wire.h"
#include "gateway.h"

enum {
	OPT_TUN_ADDR4 = 256,
	OPT_TUN_ADDR6,
	OPT_MTU,
	OPT_DISC_TIMEOUT,
	OPT_REQ_TIMEOUT,
	OPT_REQ_RETRIES,
	OPT_KEEPALIVE,
	OPT_PORT,
	OPT_HOLDDOWN,
	OPT_KEEP_RP_ALL,
	OPT_MAX_TIMEOUT,
};

static const struct option conf_longopts[] = {
	{ "debug",		no_argument,		NULL, 'd' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "discovery",		required_argument,	NULL, 'r' },
	{ "relay",		required_argument,	NULL, 'R' },
	{ "tun",		required_argument,	NULL, 't' },
	{ "socket",		required_argument,	NULL, 'S' },
	{ "check",		no_argument,		NULL, 'n' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ "tun-addr4",		required_argument,	NULL, OPT_TUN_ADDR4 },
	{ "tun-addr6",		required_argument,	NULL, OPT_TUN_ADDR6 },
	{ "mtu",		required_argument,	NULL, OPT_MTU },
	{ "discovery-timeout",	required_argument,	NULL, OPT_DISC_TIMEOUT },
	{ "request-timeout",	required_argument,	NULL, OPT_REQ_TIMEOUT },
	{ "request-retries",	required_argument,	NULL, OPT_REQ_RETRIES },
	{ "keepalive",		required_argument,	NULL, OPT_KEEPALIVE },
	{ "port",		required_argument,	NULL, OPT_PORT },
	{ "holddown",		required_argument,	NULL, OPT_HOLDDOWN },
	{ "max-timeout",	required_argument,	NULL, OPT_MAX_TIMEOUT },
	{ "keep-rp-filter-all",	no_argument,		NULL, OPT_KEEP_RP_ALL },
	{ NULL, 0, NULL, 0 }
};

static void
conf_usage(FILE *f)
{
	fprintf(f,
"usage: amtgwd [-dnv6] [-r discovery-address | -R relay-address]\n"
"              [-t tun] [-S socket] [--port port] [--mtu mtu]\n"
"              [--tun-addr4 addr[/len]] [--tun-addr6 fe80::addr]\n"
"              [--discovery-timeout s] [--request-timeout s]\n"
"              [--request-retries n] [--keepalive s] [--holddown s]\n"
"              [--max-timeout s] [--keep-rp-filter-all]\n");
}

static void
conf_defaults(struct gw_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->port = AMT_PORT;
	c->discovery = true;
	snprintf(c->tun_name, sizeof(c->tun_name), "%s", GW_TUN_NAME);
	c->ctl_path = GW_CTL_PATH;
	inet_pton(AF_INET, GW_TUN_ADDR4, &c->tun_addr4);
	c->tun_plen4 = 32;
	inet_pton(AF_INET6, GW_TUN_ADDR6, &c->tun_addr6);
	c->disc_timeout = 1;
	c->req_timeout = 1;
	c->req_retries = 5;
	c->holddown = GW_HOLDDOWN;
	c->max_timeout = GW_MAX_TIMEOUT;
}

static int
conf_num(const char *name, const char *arg, long long lo, long long hi,
    unsigned *out)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < lo || v > hi) {
		log_warnx("--%s: \"%s\" is not a number in [%lld, %lld]",
		    name, arg, lo, hi);
		return (-1);
	}
	*out = (unsigned)v;
	return (0);
}

static int
conf_addr4(struct gw_conf *c, const char *arg)
{
	char		 buf[64], *slash;
	unsigned	 plen = 32;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", arg) >= sizeof(buf))
		goto bad;
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (conf_num("tun-addr4", slash, 1, 32, &plen) == -1)
			return (-1);
	}
	if (inet_pton(AF_INET, buf, &c->tun_addr4) != 1)
		goto bad;
	c->tun_plen4 = plen;
	return (0);
bad:
	log_warnx("--tun-addr4: \"%s\" is not an IPv4 address[/len]", arg);
	return (-1);
}

static int
conf_addr6(struct gw_conf *c, const char *arg)
{
	if (inet_pton(AF_INET6, arg, &c->tun_addr6) != 1 ||
	    !IN6_IS_ADDR_LINKLOCAL(&c->tun_addr6)) {
		log_warnx("--tun-addr6: \"%s\" is not a link-local IPv6 "
		    "address (fe80::/10)", arg);
		return (-1);
	}
	return (0);
}

static int
conf_string(const char *name, const char *arg, char *out, size_t len)
{
	if (*arg == '\0' || (size_t)snprintf(out, len, "%s", arg) >= len) {
		log_warnx("%s: \"%s\" is empty or too long (max %zu)", name,
		    arg, len - 1);
		return (-1);
	}
	return (0);
}

static int
conf_long(struct gw_conf *c, int ch, const char *arg)
{
	switch (ch) {
	case OPT_TUN_ADDR4:
		return (conf_addr4(c, arg));
	case OPT_TUN_ADDR6:
		return (conf_addr6(c, arg));
	case OPT_MTU:
		return (conf_num("mtu", arg, 576, 65535, &c->mtu));
	case OPT_DISC_TIMEOUT:
		return (conf_num("discovery-timeout", arg, 1, GW_MAX_TIMEOUT,
		    &c->disc_timeout));
	case OPT_REQ_TIMEOUT:
		return (conf_num("request-timeout", arg, 1, GW_MAX_TIMEOUT,
		    &c->req_timeout));
	case OPT_REQ_RETRIES:
		return (conf_num("request-retries", arg, 1, 100,
		    &c->req_retries));
	case OPT_KEEPALIVE:
		return (conf_num("keepalive", arg, 0, 3600, &c->keepalive));
	case OPT_HOLDDOWN:
		return (conf_num("holddown", arg, 0, 3600, &c->holddown));
	case OPT_MAX_TIMEOUT:
		return (conf_num("max-timeout", arg, 1, 3600,
		    &c->max_timeout));
	case OPT_KEEP_RP_ALL:
		c->keep_rp_all = true;
		return (0);
	}
	return (-1);
}

/* -r/-R/default: the address to talk to, resolved once --port is known. */
static int
conf_peer(struct gw_conf *c, const char *peer, bool v6)
{
	unsigned	port = c->port;

	if (peer == NULL)
		peer = v6 ? AMT_ANYCAST_V6 : AMT_ANYCAST_V4;
	if (addr_parse(peer, (uint16_t)port, &c->peer) == -1) {
		log_warnx("%s: \"%s\" is not an IPv4 or IPv6 address",
		    c->discovery ? "-r" : "-R", peer);
		return (-1);
	}
	return (0);
}

static int
conf_opt(struct gw_conf *c, int ch, const char *arg, const char **peer,
    bool *v6)
{
	unsigned	port;

	switch (ch) {
	case 'd':
		c->debug = 1;
		return (0);
	case 'v':
		c->verbose++;
		return (0);
	case 'n':
		c->check_only = true;
		return (0);
	case '6':
		*v6 = true;
		return (0);
	case 'r':
	case 'R':
		if (*peer != NULL) {
			log_warnx("-r and -R: give one relay or discovery "
			    "address");
			return (-1);
		}
		*peer = arg;
		c->discovery = (ch == 'r');
		return (0);
	case 't':
		return (conf_string("-t", arg, c->tun_name,
		    sizeof(c->tun_name)));
	case 'S':
		c->ctl_path = arg;
		return (0);
	case OPT_PORT:
		if (conf_num("port", arg, 1, 65535, &port) == -1)
			return (-1);
		c->port = (uint16_t)port;
		return (0);
	}
	return (conf_long(c, ch, arg));
}

/*
 * Returns 0 to run, -1 with *code set when the process should exit
 * (EX_OK after -h/-V, EX_USAGE on errors).
 */
int
conf_parse(struct gw_conf *c, int argc, char **argv)
{
	const char	*peer = NULL;
	bool		 v6 = false;
	int		 ch;

	conf_defaults(c);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "dvnh6Vr:R:t:S:",
	    conf_longopts, NULL)) != -1) {
		if (ch == 'h') {
			conf_usage(stdout);
			return (EX_OK);
		}
		if (ch == 'V') {
			printf("amtgwd %s\n", PACKAGE_VERSION);
			return (EX_OK);
		}
		if (ch == '?' || conf_opt(c, ch, optarg, &peer, &v6) == -1) {
			conf_usage(stderr);
			return (EX_USAGE);
		}
	}
	if (optind != argc) {
		log_warnx("unexpected argument \"%s\"", argv[optind]);
		conf_usage(stderr);
		return (EX_USAGE);
	}
	if (conf_peer(c, peer, v6) == -1)
		return (EX_USAGE);
	return (-1);
}

void
conf_print(const struct gw_conf *c)
{
	char	 a[ADDR_STRLEN], a4[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];

	printf("%s %s\n", c->discovery ? "discovery" : "relay",
	    addr_str((const struct sockaddr *)&c->peer, a, sizeof(a)));
	printf("tun %s\n", c->tun_name);
	printf("tun-addr4 %s/%u\n", inet_ntop(AF_INET, &c->tun_addr4, a4,
	    sizeof(a4)), c->tun_plen4);
	printf("tun-addr6 %s\n", inet_ntop(AF_INET6, &c->tun_addr6, a6,
	    sizeof(a6)));
	if (c->mtu)
		printf("mtu %u\n", c->mtu);
	else
		printf("mtu auto\n");
	printf("socket %s\n", c->ctl_path);
	printf("discovery-timeout %u\nrequest-timeout %u\n"
	    "request-retries %u\nkeepalive %u\nholddown %u\n"
	    "max-timeout %u\n", c->disc_timeout, c->req_timeout,
	    c->req_retries, c->keepalive, c->holddown, c->max_timeout);
	printf("keep-rp-filter-all %s\n", c->keep_rp_all ? "yes" : "no");
}
