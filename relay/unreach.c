/*
 * Gateways that are gone: ICMP port unreachable (RFC 792 type 3 code 3,
 * RFC 4443 3.1 type 1 code 4) in answer to what the relay sent a
 * tunnel's gateway.  After a NAT binding changes, the old (address,
 * port) answers every Data message with one; without this the tunnel
 * would receive data until it times out (R13, minutes).
 *
 * The AMT sockets set IP_RECVERR / IPV6_RECVERR, so the kernel queues
 * those errors on the socket and reports the latest to the next receive
 * or send; listen.c calls unreach_read() when a receive fails, or after
 * a send reported one: nothing is added per received or sent packet.  The offender is the
 * original destination the kernel reports (address and port); a tunnel
 * is dropped once its errors span UNREACH_GRACE_MS with at least
 * UNREACH_MIN_ERRORS of them, so that one stray ICMP message does not
 * end it, and a verified Update from the gateway starts the count again
 * (tunnel_refresh).  Counted as tunnels-unreachable.
 *
 * Nothing authenticates an ICMP error: a party that knows a gateway's
 * address and port and can send to the relay can forge them (see
 * SECURITY in amtrelayd(8)); the gateway's next Update makes a new
 * tunnel.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <linux/errqueue.h>

#include <errno.h>
#include <string.h>
#include <syslog.h>

#include "amt/clock.h"
#include "amt/log.h"
#include "relay.h"

#define UNREACH_GRACE_MS	1000	/* errors over at least this long */
#define UNREACH_MIN_ERRORS	2	/* and at least this many */
#define UNREACH_RESET_MS	30000	/* a run older than this restarts */
#define UNREACH_READS		64	/* errors read per call */

/* Ask the kernel to queue ICMP errors on an AMT socket. */
int
unreach_sockopts(int fd, int family)
{
	int	on = 1;

	if (family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
}

/* Is this queued error a port unreachable from the network? */
static bool
unreach_is_port(struct msghdr *h)
{
	struct cmsghdr			*c;
	const struct sock_extended_err	*ee;

	for (c = CMSG_FIRSTHDR(h); c != NULL;
	    c = CMSG_NXTHDR(h, c)) {
		if (!((c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_RECVERR)))
			continue;
		ee = (const struct sock_extended_err *)CMSG_DATA(c);
		if (ee->ee_origin == SO_EE_ORIGIN_ICMP)
			return ee->ee_type == ICMP_DEST_UNREACH &&
			    ee->ee_code == ICMP_PORT_UNREACH;
		if (ee->ee_origin == SO_EE_ORIGIN_ICMP6)
			return ee->ee_type == ICMP6_DST_UNREACH &&
			    ee->ee_code == ICMP6_DST_UNREACH_NOPORT;
	}
	return false;
}

/* One port unreachable for t: drop it past the grace. */
static void
unreach_count(struct tunnel *t)
{
	struct relayd	*rd = t->rd;
	uint64_t	 now = clock_mono_ms();
	char		 buf[ADDR_STRLEN];

	if (t->unreach_n == 0 || now - t->unreach_ms > UNREACH_RESET_MS) {
		t->unreach_n = 0;
		t->unreach_ms = now;
	}
	if (++t->unreach_n < UNREACH_MIN_ERRORS ||
	    now - t->unreach_ms < UNREACH_GRACE_MS)
		return;
	rd->stats.tunnels_unreachable++;
	rlog(rd, RLOG_TUNNEL, LOG_INFO, "tunnel %s: port unreachable, "
	    "dropped", addr_str((struct sockaddr *)&t->gw, buf, sizeof(buf)));
	tunnel_free(t);
}

/* Read l's error queue (recvmmsg failed: an error is pending). */
void
unreach_read(struct listener *l)
{
	struct sockaddr_storage	 from;
	struct msghdr		 h;
	struct iovec		 iov;
	struct tunnel		*t;
	uint8_t			 data[64], ctl[512];
	int			 i;

	for (i = 0; i < UNREACH_READS; i++) {
		memset(&h, 0, sizeof(h));
		iov.iov_base = data;
		iov.iov_len = sizeof(data);
		h.msg_name = &from;
		h.msg_namelen = sizeof(from);
		h.msg_iov = &iov;
		h.msg_iovlen = 1;
		h.msg_control = ctl;
		h.msg_controllen = sizeof(ctl);
		if (recvmsg(l->fd, &h, MSG_ERRQUEUE | MSG_DONTWAIT) == -1)
			return;			/* EAGAIN: all read */
		if (!unreach_is_port(&h) || h.msg_namelen == 0)
			continue;
		if ((t = tunnel_find(l->rd, (struct sockaddr *)&from)) != NULL)
			unreach_count(t);
	}
}
