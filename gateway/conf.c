/*
 * Configuration of amtgwd: one option table (amt/conf.h) for the command
 * line and amtgwd.conf, the gateway's defaults, the checks between
 * options, and the reload that reads the file again under the same
 * command line.  Exit codes from sysexits.h.
 */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>

#include "amt/addr.h"
#include "amt/conf.h"
#include "amt/log.h"
#include "amt/wire.h"
#include "gateway.h"

#define GW_DRIAD_DNS_BACKOFF	120	/* RFC 8777 3.3.5 (D5): 1 .. 120 s */

static int
set_tun_addr4(void *conf, const char *s, char *err, size_t len)
{
	struct gw_conf	*c = conf;
	char		 buf[64], *slash, *end;
	unsigned long	 plen = 32;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", s) >= sizeof(buf))
		goto bad;
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		plen = strtoul(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || plen < 1 || plen > 32)
			goto bad;
	}
	if (inet_pton(AF_INET, buf, &c->tun_addr4) != 1)
		goto bad;
	c->tun_plen4 = (unsigned)plen;
	return 0;
bad:
	snprintf(err, len, "'%s' is not an IPv4 address[/1..32]", s);
	return -1;
}

static void
print_tun_addr4(const void *conf, const char *name, FILE *f)
{
	const struct gw_conf	*c = conf;
	char			 a[INET_ADDRSTRLEN];

	fprintf(f, "%s %s/%u\n", name, inet_ntop(AF_INET, &c->tun_addr4, a,
	    sizeof(a)), c->tun_plen4);
}

static int
set_tun_addr6(void *conf, const char *s, char *err, size_t len)
{
	struct gw_conf	*c = conf;

	if (inet_pton(AF_INET6, s, &c->tun_addr6) != 1 ||
	    !IN6_IS_ADDR_LINKLOCAL(&c->tun_addr6)) {
		snprintf(err, len, "'%s' is not a link-local IPv6 address "
		    "(fe80::/10)", s);
		return -1;
	}
	return 0;
}

static void
print_tun_addr6(const void *conf, const char *name, FILE *f)
{
	const struct gw_conf	*c = conf;
	char			 a[INET6_ADDRSTRLEN];

	fprintf(f, "%s %s\n", name, inet_ntop(AF_INET6, &c->tun_addr6, a,
	    sizeof(a)));
}

/* "auto" (from the route to the relay) or 576 .. 65535. */
static int
set_mtu(void *conf, const char *s, char *err, size_t len)
{
	struct gw_conf	*c = conf;
	char		*end;
	unsigned long	 v;

	if (strcmp(s, "auto") == 0) {
		c->mtu = 0;
		return 0;
	}
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || v < 576 || v > 65535) {
		snprintf(err, len, "'%s' is not auto or 576..65535", s);
		return -1;
	}
	c->mtu = (unsigned)v;
	return 0;
}

static void
print_mtu(const void *conf, const char *name, FILE *f)
{
	const struct gw_conf	*c = conf;

	if (c->mtu == 0)
		fprintf(f, "%s auto\n", name);
	else
		fprintf(f, "%s %u\n", name, c->mtu);
}

#define GWC(m)		CONF_FIELD(struct gw_conf, m)
#define DUR(n, m, lo, hi, h) { .name = n, .kind = CONF_DURATION, GWC(m), \
	.min = lo, .max = hi, .arg = "SECONDS", .help = h }
#define MS(n, m, lo, hi, h) { .name = n, .kind = CONF_UINT, GWC(m), \
	.min = lo, .max = hi, .arg = "MS", .help = h }
#define CUSTOM(n, s, p, a, h) { .name = n, .kind = CONF_CUSTOM, \
	.set = s, .print = p, .arg = a, .help = h }

static const struct conf_opt conf_table[] = {
	{ .name = "debug", .ch = 'd', .kind = CONF_BOOL, GWC(debug),
	    .flags = CONF_F_CMDLINE,
	    .help = "stay in the foreground, log to stderr" },
	{ .name = "verbose", .ch = 'v', .kind = CONF_COUNT, GWC(verbose),
	    .flags = CONF_F_CMDLINE, .help = "log debug messages (repeat: "
	    "libevent's too)" },
	{ .name = "discovery", .ch = 'r', .kind = CONF_SOCKADDR,
	    GWC(disc_opt), .min = AMT_PORT, .flags = CONF_F_UNICAST,
	    .arg = "ADDR", .help = "relay discovery address (default "
	    AMT_ANYCAST_V4 ")" },
	{ .name = "relay", .ch = 'R', .kind = CONF_SOCKADDR, GWC(relay_opt),
	    .min = AMT_PORT, .flags = CONF_F_UNICAST, .arg = "ADDR",
	    .help = "relay address: no discovery" },
	{ .name = "ipv6", .ch = '6', .kind = CONF_BOOL, GWC(ipv6),
	    .help = "default discovery address " AMT_ANYCAST_V6 },
	{ .name = "port", .kind = CONF_UINT, GWC(port), .min = 1,
	    .max = 65535, .arg = "PORT", .help = "relay UDP port (2268)" },
	{ .name = "tun", .ch = 't', .kind = CONF_IFNAME, GWC(tun_name),
	    .arg = "NAME", .help = "tun interface (" GW_TUN_NAME ")" },
	CUSTOM("tun-addr4", set_tun_addr4, print_tun_addr4, "ADDR[/LEN]",
	    "IPv4 address of the tun (" GW_TUN_ADDR4 "/32)"),
	CUSTOM("tun-addr6", set_tun_addr6, print_tun_addr6, "FE80::ADDR",
	    "link-local IPv6 address of the tun (" GW_TUN_ADDR6 ")"),
	CUSTOM("mtu", set_mtu, print_mtu, "MTU|auto",
	    "tun MTU (auto: from the route to the relay)"),
	{ .name = "keep-rp-filter-all", .kind = CONF_BOOL, GWC(keep_rp_all),
	    .help = "never change net.ipv4.conf.all.rp_filter" },
	{ .name = "socket", .ch = 'S', .kind = CONF_STRING, GWC(ctl_path),
	    .arg = "PATH", .help = "control socket (" GW_CTL_PATH ")" },
	{ .name = "pidfile", .ch = 'P', .kind = CONF_STRING, GWC(pid_path),
	    .arg = "PATH", .help = "pid file (" GW_PID_PATH "; none with -d)" },
	{ .name = "user", .ch = 'u', .kind = CONF_STRING, GWC(user),
	    .arg = "USER", .help = "run as USER once the tun is open" },
	{ .name = "keep-net-admin", .kind = CONF_BOOL, GWC(keep_net_admin),
	    .help = "keep CAP_NET_ADMIN after dropping privileges" },
	{ .name = "log-facility", .kind = CONF_LOG_FACILITY,
	    GWC(log_facility), .arg = "FACILITY",
	    .help = "syslog facility (daemon)" },
	{ .name = "log-level", .kind = CONF_LOG_LEVEL, GWC(log_level),
	    .arg = "LEVEL", .help = "debug, info or warning (info)" },
	{ .name = "metrics", .kind = CONF_SOCKADDR, GWC(metrics),
	    .arg = "ADDR:PORT", .help = "serve /metrics over HTTP there" },
	DUR("discovery-timeout", disc_timeout, 1, GW_MAX_TIMEOUT,
	    "first Relay Discovery retransmission (1 s)"),
	DUR("request-timeout", req_timeout, 1, GW_MAX_TIMEOUT,
	    "first Request retransmission (1 s)"),
	{ .name = "request-retries", .kind = CONF_UINT, GWC(req_retries),
	    .min = 1, .max = 100, .arg = "N",
	    .help = "Requests before discovery starts again (5)" },
	DUR("keepalive", keepalive, 0, 3600,
	    "Request cycle at most this far apart (0: the relay's QQI)"),
	DUR("holddown", holddown, 0, 3600,
	    "avoid a relay that sent L for this long (600 s)"),
	DUR("max-timeout", max_timeout, 1, 3600,
	    "retransmission back-off cap (120 s)"),
	MS("silence-ms", silence_ms, 0, 3600000, "joined flows silent this "
	    "long: probe the relay (500; 0: never)"),
	MS("probe-first-ms", probe_first_ms, 10, 60000, "first "
	    "retransmission of an unanswered probe (250)"),
	MS("probe-quick-ms", probe_quick_ms, 0, 60000, "unanswered probe "
	    "retransmissions stay at probe-first-ms this long (2500)"),
	MS("probe-max-ms", probe_max_ms, 10, 3600000, "cap of the "
	    "doubling probe retransmissions (1500)"),
	{ .name = "probe-retries", .kind = CONF_UINT, GWC(probe_retries),
	    .min = 1, .max = 100, .arg = "N", .help = "unanswered probe "
	    "Requests before discovery starts again (3)" },
	{ .name = "ecn", .kind = CONF_BOOL, GWC(ecn),
	    .help = "RFC 9601: set E, propagate the outer ECN (yes)" },
	{ .name = "driad", .kind = CONF_BOOL, GWC(driad),
	    .help = "relay per source from DNS AMTRELAY records (RFC 8777)" },
	{ .name = "resolver", .kind = CONF_SOCKADDR, GWC(resolver),
	    .min = 53, .flags = CONF_F_UNICAST, .arg = "ADDR[:PORT]",
	    .help = "DNS server for --driad (resolv.conf)" },
	{ .name = "fallback-relay", .kind = CONF_SOCKADDR,
	    GWC(fallback_relay), .min = AMT_PORT, .flags = CONF_F_UNICAST,
	    .arg = "ADDR", .help = "--driad: relay for (*,G) and sources "
	    "without AMTRELAY" },
	DUR("driad-holddown", driad_holddown, 0, 86400,
	    "--driad: avoid a failed relay this long (600 s)"),
	DUR("driad-dns-max-backoff", driad_dns_max_backoff, 1, 3600,
	    "--driad: DNS retry back-off cap (120 s)"),
	CONF_END
};

static void
conf_defaults(struct gw_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->port = AMT_PORT;
	snprintf(c->tun_name, sizeof(c->tun_name), "%s", GW_TUN_NAME);
	snprintf(c->ctl_path, sizeof(c->ctl_path), "%s", GW_CTL_PATH);
	c->log_facility = LOG_DAEMON;
	c->log_level = LOG_INFO;
	inet_pton(AF_INET, GW_TUN_ADDR4, &c->tun_addr4);
	c->tun_plen4 = 32;
	inet_pton(AF_INET6, GW_TUN_ADDR6, &c->tun_addr6);
	c->disc_timeout = 1;
	c->req_timeout = 1;
	c->req_retries = 5;
	c->holddown = GW_HOLDDOWN;
	/* RFC 9601 6.1.4: RFC 6040 at AMT endpoints is RECOMMENDED. */
	c->ecn = true;
	c->max_timeout = GW_MAX_TIMEOUT;
	c->silence_ms = 500;
	c->probe_first_ms = 250;
	c->probe_max_ms = 1500;
	c->probe_quick_ms = 2500;
	c->probe_retries = 3;
	c->driad_holddown = GW_HOLDDOWN;
	c->driad_dns_max_backoff = GW_DRIAD_DNS_BACKOFF;
}

static uint16_t
conf_get_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

static void
conf_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* Between options: one peer, its port, the default anycast address. */
static int
conf_finish(struct gw_conf *c, char *err, size_t len)
{
	if (c->disc_opt.ss_family != 0 && c->relay_opt.ss_family != 0) {
		snprintf(err, len, "discovery (-r) and relay (-R): give one "
		    "relay or discovery address");
		return -1;
	}
	/* In the foreground (-d) a pid file only where -P says. */
	if (c->pid_path[0] == '\0' && !c->debug)
		snprintf(c->pid_path, sizeof(c->pid_path), "%s", GW_PID_PATH);
	if (c->ctl_path[0] != '/' || (c->pid_path[0] != '\0' &&
	    c->pid_path[0] != '/')) {
		snprintf(err, len, "socket and pidfile need absolute paths");
		return -1;
	}
	/* --port applies to an address given without a port. */
	if (c->port != AMT_PORT && conf_get_port(&c->disc_opt) == AMT_PORT)
		conf_set_port(&c->disc_opt, c->port);
	if (c->port != AMT_PORT && conf_get_port(&c->relay_opt) == AMT_PORT)
		conf_set_port(&c->relay_opt, c->port);
	c->discovery = c->relay_opt.ss_family == 0;
	if (!c->discovery)
		c->peer = c->relay_opt;
	else if (c->disc_opt.ss_family != 0)
		c->peer = c->disc_opt;
	else if (addr_parse(c->ipv6 ? AMT_ANYCAST_V6 : AMT_ANYCAST_V4,
	    c->port, &c->peer) == -1) {
		snprintf(err, len, "cannot parse the anycast address");
		return -1;
	}
	return 0;
}

/* Defaults, the file (-f), the command line, the checks between them. */
static int
conf_build(struct gw_conf *c, const struct conf_args *a, char *err,
    size_t len)
{
	conf_defaults(c);
	c->args = *a;
	if (conf_load(conf_table, a, c, err, len) == -1)
		return -1;
	return conf_finish(c, err, len);
}

/*
 * Start-up, the same contract as amtrelayd's: -1 to run, or the exit
 * code (EX_OK after -h, -V and -n; EX_USAGE for the command line,
 * EX_CONFIG for a value or the file).  Errors go to stderr
 * (log_init(1, ...) is in effect).  The command line is kept in c->args
 * for reloads.
 */
int
conf_parse(struct gw_conf *c, int argc, char **argv)
{
	struct conf_args	a;
	char			err[512];
	int			rc;

	if ((rc = conf_cmdline(conf_table, "amtgwd", argc, argv, &a)) >= 0)
		return rc;
	if (conf_build(c, &a, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return EX_CONFIG;
	}
	if (a.check) {
		conf_print(c, stdout);
		printf("configuration OK\n");
		return EX_OK;
	}
	return -1;
}

/* SIGHUP: the file again under the same command line, into nc. */
int
conf_reread(const struct gw_conf *old, struct gw_conf *nc, char *err,
    size_t len)
{
	return conf_build(nc, &old->args, err, len);
}

/* The effective configuration, itself a valid amtgwd.conf. */
void
conf_print(const struct gw_conf *c, FILE *f)
{
	conf_dump(conf_table, c, f);
}
