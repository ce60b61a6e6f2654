/*
 * What the relay joins upstream on a gateway's behalf: group scope,
 * the operator's allow and deny lists, and which sources can be real.
 *
 * RFC 7450 5.3.1 makes the relay a host on its upstream network that
 * joins what its gateways ask for; a gateway is anyone on the Internet
 * with a valid MAC, so by default only groups of global scope are
 * joined (RFC 5771 and RFC 2365 for IPv4: 224.0.0.0/24 link-local
 * control, 224.0.1.0/24 internetwork control, 239.0.0.0/8
 * administratively scoped; RFC 4291 2.7 and RFC 3306 for IPv6: any
 * scope other than global (0xe), whatever the flags).  The operator's
 * prefixes (allow-group, deny-group) decide first: the longest prefix
 * that matches wins, deny on a tie.  A source must be a unicast address
 * another host could send from: not unspecified, loopback, multicast,
 * broadcast or class E, not IPv4-mapped or link-local, not one of the
 * relay's own; with allow-source, also inside one of those prefixes (and
 * then ASM, an EXCLUDE-mode group, is refused: it would let any source
 * through).  Every refusal is counted by reason.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "amt/log.h"
#include "relay.h"

/* The longest prefix of l matching ip: its length + 1, or 0 if none. */
static unsigned
policy_longest(const struct conf_prefixes *l, const struct amt_ip *ip)
{
	unsigned	best = 0;
	int		i;

	for (i = 0; i < l->n; i++)
		if (ip_prefix_match(&l->p[i], ip) && l->p[i].len + 1 > best)
			best = l->p[i].len + 1;
	return best;
}

/* A refusal: counted, and logged within the policy log limit; false. */
static bool
policy_refuse(struct relayd *rd, uint64_t *counter, const char *what,
    const struct amt_ip *ip, const char *why)
{
	char	buf[INET6_ADDRSTRLEN];

	(*counter)++;
	log_limited(&rd->rlog[RLOG_POLICY], LOG_DEBUG, 0, "%s %s refused: %s",
	    what, ip_str(ip, buf, sizeof(buf)), why);
	return false;
}

/* Global scope (see the top of this file). */
bool
policy_global_scope(const struct amt_ip *g)
{
	if (g->family == AF_INET) {
		if (g->u.b[0] == 224 && g->u.b[1] == 0 && g->u.b[2] <= 1)
			return false;
		return g->u.b[0] != 239;
	}
	return (g->u.b[1] & 0x0f) == 0x0e;
}

/* May the relay join group g for a gateway?  Counts each refusal. */
bool
policy_group_ok(struct relayd *rd, const struct amt_ip *g)
{
	unsigned	allow, deny;

	allow = policy_longest(&rd->conf.allow_group, g);
	deny = policy_longest(&rd->conf.deny_group, g);
	if (deny != 0 && deny >= allow)
		return policy_refuse(rd, &rd->stats.refused_group_policy,
		    "group", g, "deny-group");
	if (allow == 0 && !policy_global_scope(g))
		return policy_refuse(rd, &rd->stats.refused_group_scope,
		    "group", g, "not of global scope");
	return true;
}

/* Could another host send from s? */
static bool
policy_source_real(const struct amt_ip *s)
{
	const struct in6_addr	*a = &s->u.v6;

	if (s->family == AF_INET)
		return s->u.b[0] != 0 && s->u.b[0] != 127 && s->u.b[0] < 224;
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	    !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_V4MAPPED(a) &&
	    !IN6_IS_ADDR_LINKLOCAL(a);
}

static bool
policy_own(const struct relayd *rd, const struct amt_ip *s)
{
	unsigned	i;

	for (i = 0; i < rd->nlocal; i++)
		if (ip_eq(&rd->local[i], s))
			return true;
	return ip_eq(&rd->conf.relay_addr4, s) ||
	    ip_eq(&rd->conf.relay_addr6, s);
}

/* May the relay join (s, g) for a gateway?  Counts each refusal. */
bool
policy_source_ok(struct relayd *rd, const struct amt_ip *s)
{
	if (!policy_source_real(s) || policy_own(rd, s))
		return policy_refuse(rd, &rd->stats.refused_source_invalid,
		    "source", s, "not a unicast source");
	if (rd->conf.allow_source.n != 0 &&
	    policy_longest(&rd->conf.allow_source, s) == 0)
		return policy_refuse(rd, &rd->stats.refused_source_policy,
		    "source", s, "allow-source");
	return true;
}

/* May the relay join (*,G) (ASM)?  Not when sources are restricted. */
bool
policy_asm_ok(struct relayd *rd)
{
	if (rd->conf.allow_source.n == 0)
		return true;
	rd->stats.refused_source_policy++;
	return false;
}

/* The host's own addresses, as sources nobody else can send from. */
int
policy_start(struct relayd *rd)
{
	struct ifaddrs	*ifa, *i;
	struct amt_ip	*v;
	unsigned	 n = 0;

	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs");
		return 0;		/* the -a addresses still count */
	}
	for (i = ifa; i != NULL; i = i->ifa_next)
		n++;
	if ((v = calloc(n + 1, sizeof(*v))) != NULL) {
		free(rd->local);
		rd->local = v;
		rd->nlocal = 0;
		for (i = ifa; i != NULL; i = i->ifa_next)
			if (i->ifa_addr != NULL && (i->ifa_addr->sa_family ==
			    AF_INET || i->ifa_addr->sa_family == AF_INET6))
				ip_from_sa(i->ifa_addr, &v[rd->nlocal++]);
	}
	freeifaddrs(ifa);
	return 0;
}

void
policy_stop(struct relayd *rd)
{
	free(rd->local);
	rd->local = NULL;
	rd->nlocal = 0;
}
