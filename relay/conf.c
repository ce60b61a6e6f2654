/*
 * amtrelayd configuration: one option table (amt/conf.h) serves
 * getopt_long, the amtrelayd.conf file (`key value` lines, the keys are
 * the long options), the -n dump and the usage text.  Order: defaults <
 * file (-f) < command line.  Everything here returns errors as text, so
 * that a reload (SIGHUP) can log them and keep the running
 * configuration; conf_parse, at start-up, returns the exit code.
 */
#include "config.h"

#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>

#include "amt/log.h"
#include "relay.h"

/* Defaults (M3, R5, R13, R14; RFC 3376 8.2-8.3). */
#define CONF_QQI		125
#define CONF_QRV		2
#define CONF_QRI		10	/* RFC 7450 5.3.3.7: >= 10 s */
#define CONF_KEY_ROTATE		3600	/* R5: at most 7200 */
#define CONF_MAX_TUNNELS	10000
#define CONF_MAX_PER_IP		100
#define CONF_MAX_GROUPS		256
#define CONF_MAX_SOURCES	1024
#define CONF_TUNNEL_PREFIX4	32	/* per address */
#define CONF_TUNNEL_PREFIX6	64	/* per /64: what one host holds */
#define CONF_NEW_GW_SHARE	10	/* % of max-tunnels */
/* The outer path MTU towards gateways, not a buffer size (R12). */
#define CONF_TUNNEL_MTU		1500
#define CONF_CTL_PATH		"/run/amtrelayd.sock"
#define CONF_PID_FILE		"/run/amtrelayd.pid"
#define CONF_STATE_FILE		"/var/lib/amt/amtrelayd.state"
#define CONF_METRICS_PORT	9768
#define CONF_METRICS_TUNNELS	100
#define CONF_DRAIN_TIME		5

#define O(n, c, k, m)	.name = n, .ch = c, .kind = k, \
	CONF_FIELD(struct relay_conf, m)
static const struct conf_opt conf_opts[] = {
	{ O("debug", 'd', CONF_BOOL, debug), .flags = CONF_F_CMDLINE,
	    .help = "stay in the foreground, log to stderr" },
	{ O("verbose", 'v', CONF_COUNT, verbose), .flags = CONF_F_CMDLINE,
	    .help = "log debug messages (repeat for more)" },
	{ O("interface", 'i', CONF_IFNAME, upstream_if), .arg = "IF",
	    .help = "upstream interface (joins, capture)" },
	{ O("relay-address", 'a', CONF_ADDRS, relay_addrs),
	    .flags = CONF_F_UNICAST, .arg = "ADDR",
	    .help = "relay address, one IPv4 and/or one IPv6" },
	{ O("discovery-address", 'D', CONF_ADDRS, discovery_addrs),
	    .flags = CONF_F_UNICAST, .arg = "ADDR",
	    .help = "discovery (anycast) address, repeatable" },
	{ O("discovery-interface", 0, CONF_IFNAME, discovery_if),
	    .arg = "IF", .help = "tun made for the discovery addresses, "
	    "which are there while healthy (BGP anycast)" },
	{ O("drain-time", 0, CONF_DURATION, drain_time), .max = 86400,
	    .arg = "S", .help = "amtctl drain ends the tunnels after (5)" },
	{ O("port", 0, CONF_UINT, port), .min = 1, .max = 65535,
	    .arg = "N", .help = "UDP port (2268)" },
	{ O("control-socket", 'S', CONF_STRING, ctl_path), .arg = "PATH",
	    .help = "control socket (" CONF_CTL_PATH ")" },
	{ O("control-group", 0, CONF_STRING, ctl_group), .arg = "GROUP",
	    .help = "group owning the control socket (mode 0660)" },
	{ O("pid-file", 'P', CONF_STRING, pid_file), .arg = "PATH",
	    .help = "pid file (" CONF_PID_FILE " unless -d)" },
	{ O("state-file", 0, CONF_STRING, state_file), .arg = "PATH",
	    .help = "tunnels and keys kept across restarts (" CONF_STATE_FILE
	    "; none: off)" },
	{ O("user", 'u', CONF_STRING, user), .arg = "USER",
	    .help = "drop privileges to USER once sockets are open" },
	{ O("log-facility", 0, CONF_LOG_FACILITY, log_facility),
	    .arg = "NAME", .help = "syslog facility (daemon)" },
	{ O("log-level", 0, CONF_LOG_LEVEL, log_level), .arg = "LEVEL",
	    .help = "warning, info or debug (info)" },
	{ O("metrics", 0, CONF_SOCKADDR, metrics), .min = CONF_METRICS_PORT,
	    .arg = "ADDR[:PORT]", .help = "serve /metrics (Prometheus) there" },
	{ O("metrics-tunnels", 0, CONF_UINT, metrics_tunnels), .max = 100000,
	    .arg = "N", .help = "per-tunnel samples up to N tunnels (100)" },
	/* RFC 3376 4.1.7: QQIC encodes at most 31744 s. */
	{ O("query-interval", 0, CONF_DURATION, qqi), .min = 1,
	    .max = 31744, .arg = "S", .help = "query interval (125)" },
	/* RFC 7450 5.3.3.3: QRV non-zero; 3 bits (RFC 3376 4.1.6). */
	{ O("qrv", 0, CONF_UINT, qrv), .min = 1, .max = 7, .arg = "N",
	    .help = "robustness variable (2)" },
	{ O("query-response-interval", 0, CONF_DURATION, qri), .min = 1,
	    .max = 3600, .arg = "S", .help = "query response interval (10)" },
	{ O("tunnel-timeout", 0, CONF_DURATION, tunnel_timeout),
	    .max = 86400, .arg = "S",
	    .help = "tunnel lifetime; 0: QRV x QQI + QRI" },
	/* RFC 7450 5.3.6: a new secret at least every 2 hours. */
	{ O("key-rotate", 0, CONF_DURATION, key_rotate), .min = 1,
	    .max = 7200, .arg = "S", .help = "MAC secret lifetime (3600)" },
	{ O("max-tunnels", 0, CONF_UINT, max_tunnels), .min = 1,
	    .max = 1000000, .arg = "N", .help = "tunnels at most (10000)" },
	{ O("max-tunnels-per-ip", 0, CONF_UINT, max_tunnels_per_ip),
	    .min = 1, .max = 1000000, .arg = "N",
	    .help = "tunnels per gateway prefix, below (100)" },
	{ O("tunnel-prefix4", 0, CONF_UINT, tunnel_prefix4), .min = 1,
	    .max = 32, .arg = "LEN",
	    .help = "IPv4 prefix max-tunnels-per-ip counts in (32)" },
	{ O("tunnel-prefix6", 0, CONF_UINT, tunnel_prefix6), .min = 1,
	    .max = 128, .arg = "LEN",
	    .help = "IPv6 prefix max-tunnels-per-ip counts in (64)" },
	{ O("new-gateway-share", 0, CONF_UINT, new_gateway_share),
	    .max = 50, .arg = "PERCENT",
	    .help = "tunnels kept for prefixes with none yet (10)" },
	{ O("max-upstream-groups", 0, CONF_UINT, max_upstream_groups),
	    .max = 10000000, .arg = "N",
	    .help = "upstream joins at most (0: sized to the fd limit)" },
	{ O("allow-group", 0, CONF_PREFIXES, allow_group),
	    .arg = "PREFIX", .help = "join these groups even if scoped" },
	{ O("deny-group", 0, CONF_PREFIXES, deny_group), .arg = "PREFIX",
	    .help = "never join these groups (longest prefix wins)" },
	{ O("allow-source", 0, CONF_PREFIXES, allow_source),
	    .arg = "PREFIX", .help = "join only these sources; no ASM" },
	{ O("max-groups", 0, CONF_UINT, max_groups), .min = 1, .max = 65535,
	    .arg = "N", .help = "groups per tunnel (256)" },
	{ O("max-sources", 0, CONF_UINT, max_sources), .max = 1000000,
	    .arg = "N", .help = "sources per tunnel, (*,G) as one (1024)" },
	/* R14: 0 = off (the default: see amtrelayd(8)). */
	{ O("request-rate", 0, CONF_UINT, request_rate), .max = 100000,
	    .arg = "N", .help = "Requests per second per source IP (0: off)" },
	{ O("tunnel-mtu", 0, CONF_UINT, tunnel_mtu), .min = 576,
	    .max = 65535, .arg = "N", .help = "path MTU to gateways (1500)" },
	{ O("advertise-teardown", 0, CONF_BOOL, advertise_g),
	    .help = "G flag and gateway fields in Queries" },
	{ O("linux-p-bit", 0, CONF_BOOL, linux_p_bit),
	    .help = "read 0x80 of a Request as P (Linux AMT)" },
	/* R15, RFC 9601 6.1.4: RECOMMENDED, hence the default. */
	{ O("ecn", 0, CONF_BOOL, ecn),
	    .help = "copy inner ECN to gateways that set E (yes)" },
	CONF_END
};
#undef O

static void
conf_defaults(struct relay_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->port = AMT_PORT;
	snprintf(c->ctl_path, sizeof(c->ctl_path), "%s", CONF_CTL_PATH);
	c->log_facility = LOG_DAEMON;
	c->log_level = LOG_INFO;
	c->metrics_tunnels = CONF_METRICS_TUNNELS;
	c->qqi = CONF_QQI;
	c->qrv = CONF_QRV;
	c->qri = CONF_QRI;
	c->key_rotate = CONF_KEY_ROTATE;
	c->max_tunnels = CONF_MAX_TUNNELS;
	c->max_tunnels_per_ip = CONF_MAX_PER_IP;
	c->max_groups = CONF_MAX_GROUPS;
	c->max_sources = CONF_MAX_SOURCES;
	c->tunnel_prefix4 = CONF_TUNNEL_PREFIX4;
	c->tunnel_prefix6 = CONF_TUNNEL_PREFIX6;
	c->new_gateway_share = CONF_NEW_GW_SHARE;
	c->tunnel_mtu = CONF_TUNNEL_MTU;
	c->ecn = true;
	c->drain_time = CONF_DRAIN_TIME;
	snprintf(c->state_file, sizeof(c->state_file), "%s", CONF_STATE_FILE);
}

/* -a: at most one unicast relay address per family (RFC 7450 5.3.2). */
static int
conf_relay_addrs(struct relay_conf *c, char *err, size_t len)
{
	struct amt_ip	*slot;
	int		 i;

	memset(&c->relay_addr4, 0, sizeof(c->relay_addr4));
	memset(&c->relay_addr6, 0, sizeof(c->relay_addr6));
	for (i = 0; i < c->relay_addrs.n; i++) {
		slot = c->relay_addrs.a[i].family == AF_INET ?
		    &c->relay_addr4 : &c->relay_addr6;
		if (slot->family != 0) {
			snprintf(err, len, "relay-address: only one %s address",
			    slot == &c->relay_addr4 ? "IPv4" : "IPv6");
			return -1;
		}
		*slot = c->relay_addrs.a[i];
	}
	if (c->relay_addr4.family == 0 && c->relay_addr6.family == 0) {
		snprintf(err, len, "relay-address (-a) is required");
		return -1;
	}
	return 0;
}

/* -D: distinct discovery addresses, usually anycast (RFC 7450 7.1). */
static int
conf_discovery_addrs(struct relay_conf *c, char *err, size_t len)
{
	char	buf[INET6_ADDRSTRLEN];
	int	i, j;

	for (i = 0; i < c->discovery_addrs.n; i++) {
		for (j = 0; j < i; j++)
			if (ip_eq(&c->discovery_addrs.a[i],
			    &c->discovery_addrs.a[j])) {
				snprintf(err, len, "discovery-address: %s "
				    "given twice", ip_str(&c->discovery_addrs.a[i],
				    buf, sizeof(buf)));
				return -1;
			}
		c->discovery[i] = c->discovery_addrs.a[i];
	}
	c->ndiscovery = c->discovery_addrs.n;
	return 0;
}

/* Derived values and the rules between options, once all are read. */
static int
conf_finish(struct relay_conf *c, char *err, size_t len)
{
	if (c->upstream_if[0] == '\0') {
		snprintf(err, len, "interface (-i) is required");
		return -1;
	}
	if (conf_relay_addrs(c, err, len) == -1 ||
	    conf_discovery_addrs(c, err, len) == -1)
		return -1;
	if (c->discovery_if[0] != '\0' && c->ndiscovery == 0) {
		snprintf(err, len, "discovery-interface needs "
		    "discovery-address (-D)");
		return -1;
	}
	c->qri_ms = 1000 * c->qri;
	if (c->max_tunnels_per_ip > c->max_tunnels) {
		snprintf(err, len, "max-tunnels-per-ip (%u) exceeds "
		    "max-tunnels (%u)", c->max_tunnels_per_ip, c->max_tunnels);
		return -1;
	}
	/* RFC 7450 5.3.3.7: longer than the query interval sent. */
	if (c->tunnel_timeout != 0 && c->tunnel_timeout <= c->qqi) {
		snprintf(err, len, "tunnel-timeout (%u) must exceed "
		    "query-interval (%u)", c->tunnel_timeout, c->qqi);
		return -1;
	}
	return 0;
}

int
conf_read(const struct conf_args *a, struct relay_conf *c, char *err,
    size_t len)
{
	conf_defaults(c);
	c->args = *a;
	if (conf_load(conf_opts, a, c, err, len) == -1)
		return -1;
	return conf_finish(c, err, len);
}

/* -n and `show config`: the effective configuration in file syntax. */
void
conf_print(const struct relay_conf *c, FILE *f)
{
	conf_dump(conf_opts, c, f);
}

/* R13: QRV x QQI + QRI (260 s with the defaults) unless configured. */
unsigned
conf_tunnel_timeout(const struct relay_conf *c)
{
	if (c->tunnel_timeout != 0)
		return c->tunnel_timeout;
	return c->qrv * c->qqi + (c->qri_ms + 999) / 1000;
}

/*
 * Start-up, the same contract as amtgwd's: -1 to run, or the exit code
 * (EX_OK after -h, -V and -n; EX_USAGE, or EX_CONFIG for the file, on
 * errors).  Errors go to stderr (log_init(1, ...) is in effect), before
 * anything is opened.  The command line is kept in c->args for reloads.
 */
int
conf_parse(struct relay_conf *c, int argc, char **argv)
{
	struct conf_args	a;
	char			err[1024];
	int			rc;

	if ((rc = conf_cmdline(conf_opts, "amtrelayd", argc, argv, &a)) >= 0)
		return rc;
	if (conf_read(&a, c, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return a.file != NULL ? EX_CONFIG : EX_USAGE;
	}
	if (a.check) {
		conf_print(c, stdout);
		printf("configuration OK\n");
		return EX_OK;
	}
	return -1;
}

/* -P: given, or the default when detached; none with -d unless given. */
const char *
conf_pid_file(const struct relay_conf *c)
{
	if (c->pid_file[0] != '\0')
		return c->pid_file;
	return c->debug ? NULL : CONF_PID_FILE;
}
