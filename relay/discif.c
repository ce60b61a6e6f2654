/*
 * The discovery interface (--discovery-interface NAME): a tun that the
 * relay creates without TUNSETPERSIST and keeps open, so that the kernel
 * removes it when the process ends, by SIGKILL too.  The discovery
 * addresses (-D, RFC 7450 7.1 anycast) live on it as /32 and /128 while
 * the relay is announced; a routing daemon announces what is on the
 * interface (BIRD `protocol direct`, FRR `redistribute connected`) and
 * withdraws it when the addresses or the interface go.  Withdrawing
 * removes the addresses (RTM_DELADDR): the routing daemon hears of it by
 * netlink at once, and the link stays up, so IPv6 needs no new DAD.
 *
 * Requests from gateways never reach these addresses (message.c: they
 * go to the relay address in the Advertisement, RFC 7450 5.3.3.2), and
 * the discovery sockets are bound with IP_FREEBIND (listen.c), so they
 * stay bound whether the addresses are there or not.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "amt/log.h"
#include "pool.h"

struct discif_req {
	struct nlmsghdr		nh;
	struct ifaddrmsg	ifa;
	char			attrs[64];
};

static void
discif_attr(struct discif_req *r, unsigned short type, const void *data,
    size_t len)
{
	struct rtattr	*rta;

	rta = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(
	    rta->rta_len);
}

/* The kernel's answer to one request: 0, or -1 with errno. */
static int
discif_ack(int fd, uint32_t seq)
{
	char			 buf[512];
	struct nlmsghdr		*nh;
	struct nlmsgerr		*e;
	ssize_t			 n;

	for (;;) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1)
			return -1;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		    nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != seq || nh->nlmsg_type != NLMSG_ERROR)
				continue;
			e = NLMSG_DATA(nh);
			if (e->error == 0)
				return 0;
			errno = -e->error;
			return -1;
		}
	}
}

/* RTM_NEWADDR or RTM_DELADDR of one discovery address, host prefix. */
static int
discif_addr(struct discif *di, int type, const struct amt_ip *ip)
{
	struct discif_req	r;
	uint32_t		flags = IFA_F_NODAD;
	size_t			alen = ip->family == AF_INET ? 4 : 16;

	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(r.ifa));
	r.nh.nlmsg_type = (unsigned short)type;
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWADDR)
		r.nh.nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	r.nh.nlmsg_seq = ++di->seq;
	r.ifa.ifa_family = (unsigned char)ip->family;
	r.ifa.ifa_prefixlen = (unsigned char)(alen * 8);
	r.ifa.ifa_index = (unsigned)di->ifindex;
	discif_attr(&r, IFA_LOCAL, ip->u.b, alen);
	discif_attr(&r, IFA_ADDRESS, ip->u.b, alen);
	discif_attr(&r, IFA_FLAGS, &flags, sizeof(flags));
	if (send(di->nl, &r, r.nh.nlmsg_len, 0) == -1)
		return -1;
	return discif_ack(di->nl, r.nh.nlmsg_seq);
}

/* Every discovery address on (RTM_NEWADDR) or off (RTM_DELADDR). */
int
discif_set(struct discif *di, const struct relay_conf *c, bool on)
{
	char	buf[INET6_ADDRSTRLEN];
	int	i, rc = 0;

	for (i = 0; i < c->ndiscovery; i++) {
		if (discif_addr(di, on ? RTM_NEWADDR : RTM_DELADDR,
		    &c->discovery[i]) == 0 || (!on && errno == EADDRNOTAVAIL))
			continue;
		log_warn("%s %s on %s", on ? "adding" : "removing",
		    ip_str(&c->discovery[i], buf, sizeof(buf)),
		    c->discovery_if);
		rc = -1;
	}
	return rc;
}

/* The tun: created, attached (carrier), not persistent, link up. */
static int
discif_tun(struct discif *di, const char *name)
{
	struct ifreq	ifr;
	int		s;

	if ((di->tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC |
	    O_NONBLOCK)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(di->tun, TUNSETIFF, &ifr) == -1)
		return -1;
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) == 0)
			di->ifindex = (int)if_nametoindex(name);
	}
	close(s);
	return di->ifindex > 0 ? 0 : -1;
}

int
discif_open(struct discif *di, const char *name)
{
	memset(di, 0, sizeof(*di));
	di->tun = di->nl = -1;
	if (discif_tun(di, name) == -1) {
		log_warn("discovery-interface %s", name);
		discif_close(di);
		return -1;
	}
	di->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (di->nl == -1) {
		log_warn("netlink");
		discif_close(di);
		return -1;
	}
	log_info("discovery interface %s (index %d)", name, di->ifindex);
	return 0;
}

/* Closing the tun removes the interface and what is on it. */
void
discif_close(struct discif *di)
{
	if (di->nl != -1)
		close(di->nl);
	if (di->tun != -1)
		close(di->tun);
	di->nl = di->tun = -1;
}
