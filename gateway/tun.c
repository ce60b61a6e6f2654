/*
 * The tun interface: the gateway pseudo-interface (RFC 7450 5.2.2, G1).
 * Create it (or attach to an existing tun), give it an MTU that fits
 * inside the tunnel, bring it up with IFF_MULTICAST, add an IPv4 address
 * and a fixed IPv6 link-local address (no DAD), and switch off the
 * reverse-path filter that would drop every decapsulated packet (the
 * source of tunnelled data is never reachable through the tun, so a strict
 * filter drops it all).  Every change is logged.
 * General Queries are written into it so that the kernel reports its
 * joins (G1).
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <linux/ipv6.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "amt/log.h"
#include "amt/mcast.h"
#include "gateway.h"

#define TUN_DEV		"/dev/net/tun"
#define CONF4		"/proc/sys/net/ipv4/conf"
#define CONF6		"/proc/sys/net/ipv6/conf"
#define TUN_MIN_PATH_MTU	1280

static void	tun_rp_raise(const char *, int);

static int
sysctl_read(const char *path, int *val)
{
	FILE	*f;
	int	 ok;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	ok = fscanf(f, "%d", val);
	fclose(f);
	return ok == 1 ? 0 : -1;
}

static int
sysctl_write(const char *path, int val)
{
	FILE	*f;
	int	 ok;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	ok = fprintf(f, "%d\n", val);
	if (fclose(f) != 0)
		ok = -1;
	return ok > 0 ? 0 : -1;
}

/* Set a sysctl and log what changed; -1 (logged) if it cannot. */
static int
sysctl_set(const char *dir, const char *ifname, const char *key, int val)
{
	char	path[256];
	int	old;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, ifname, key);
	if (sysctl_read(path, &old) == -1) {
		log_warn("cannot read %s", path);
		return -1;
	}
	if (old == val)
		return 0;
	if (sysctl_write(path, val) == -1) {
		log_warn("cannot set %s to %d", path, val);
		return -1;
	}
	log_info("set %s: %d -> %d", path + strlen("/proc/sys/"), old, val);
	return 0;
}

/*
 * The kernel uses max(conf/all, conf/IF) as the effective rp_filter.  To
 * make the tun's 0 effective without weakening any other interface, first
 * raise every other interface to the old conf/all value, then set
 * conf/all to 0.  With --keep-rp-filter-all only warn.
 */
static void
tun_rp_filter_all(struct gateway *gw)
{
	struct dirent	*de;
	DIR		*d;
	int		 all;

	if (sysctl_read(CONF4 "/all/rp_filter", &all) == -1 || all == 0)
		return;
	if (gw->conf.keep_rp_all) {
		log_warnx("net.ipv4.conf.all.rp_filter is %d: the effective "
		    "value on %s is max(all, %s) = %d, decapsulated packets "
		    "from sources not routed through %s are dropped", all,
		    gw->tun.name, gw->tun.name, all, gw->tun.name);
		return;
	}
	if ((d = opendir(CONF4)) == NULL) {
		log_warn("cannot read %s", CONF4);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "all") == 0 ||
		    strcmp(de->d_name, "default") == 0 ||
		    strcmp(de->d_name, gw->tun.name) == 0)
			continue;
		tun_rp_raise(de->d_name, all);
	}
	closedir(d);
	log_info("net.ipv4.conf.all.rp_filter was %d: every other interface "
	    "keeps that effective value, all is set to 0 so that %s can "
	    "accept decapsulated packets", all, gw->tun.name);
	sysctl_set(CONF4, "all", "rp_filter", 0);
}

static void
tun_rp_raise(const char *ifname, int all)
{
	char	path[sizeof(CONF4) + NAME_MAX + 16];
	int	cur;

	snprintf(path, sizeof(path), CONF4 "/%s/rp_filter", ifname);
	if (sysctl_read(path, &cur) == 0 && cur < all)
		sysctl_set(CONF4, ifname, "rp_filter", all);
}

/*
 * What arrives on the tun comes from the relay: the host takes no
 * configuration from it (RFC 4861 6.3.4 Router Advertisements, 8
 * Redirects; RFC 4862 5.5 autoconfiguration), and its IGMP/MLD stay in
 * the versions that carry source filters (RFC 3376 7, RFC 3810 8): no
 * query, injected or stray, moves it to IGMPv2/MLDv1 and turns a
 * source-specific join into an any-source one.  Failures are logged.
 */
static const struct {
	bool		 v6;
	const char	*key;
	int		 val;
} tun_hardening[] = {
	{ false, "accept_redirects", 0 },
	{ false, "force_igmp_version", 3 },
	{ true, "accept_ra", 0 },
	{ true, "autoconf", 0 },
	{ true, "accept_redirects", 0 },
	{ true, "force_mld_version", 2 },
};

static void
tun_harden(struct gateway *gw, bool v6)
{
	size_t	i;

	for (i = 0; i < sizeof(tun_hardening) / sizeof(tun_hardening[0]);
	    i++) {
		if (!tun_hardening[i].v6 || v6)
			sysctl_set(tun_hardening[i].v6 ? CONF6 : CONF4,
			    gw->tun.name,
			    tun_hardening[i].key, tun_hardening[i].val);
	}
}

static int
tun_sysctls(struct gateway *gw)
{
	struct stat	 sb;
	char		 path[256];
	int		 dad;

	if (sysctl_set(CONF4, gw->tun.name, "rp_filter", 0) == -1)
		return -1;
	tun_rp_filter_all(gw);
	snprintf(path, sizeof(path), CONF6 "/%s", gw->tun.name);
	if (stat(path, &sb) == -1) {
		log_warnx("IPv6 is not enabled on %s (MTU %u < 1280 or IPv6 "
		    "disabled): MLD and IPv6 data will not work", gw->tun.name,
		    gw->tun.mtu);
		tun_harden(gw, false);
		return 0;
	}
	/*
	 * No duplicate address detection: the address is usable at once.
	 * The kernel gives a NOARP device such as a tun -1 (no DAD) already;
	 * writing 0 over it would only fail where /proc/sys is read-only
	 * (a container).
	 */
	snprintf(path, sizeof(path), CONF6 "/%s/accept_dad", gw->tun.name);
	if (sysctl_read(path, &dad) == -1 || dad > 0)
		sysctl_set(CONF6, gw->tun.name, "accept_dad", 0);
	/* No automatic link-local: MLD reports come from ours. */
	sysctl_set(CONF6, gw->tun.name, "addr_gen_mode", 1);
	tun_harden(gw, true);
	gw->tun.have_v6 = true;
	return 0;
}

static int
tun_is_tun(const char *name)
{
	char		path[128];
	struct stat	sb;

	if (if_nametoindex(name) == 0)
		return -1;		/* does not exist yet */
	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", name);
	return stat(path, &sb) == 0;
}

static int
tun_attach(struct gateway *gw)
{
	struct ifreq	ifr;
	int		fd, exists, err;

	if ((exists = tun_is_tun(gw->conf.tun_name)) == 0) {
		log_warnx("interface %s exists and is not a tun device: give "
		    "another name with -t", gw->conf.tun_name);
		return EX_CONFIG;
	}
	if ((fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1) {
		err = errno;
		if (err == ENOENT || err == ENODEV || err == ENXIO)
			log_warnx("%s: no tun support (modprobe tun, or "
			    "mknod %s c 10 200)", TUN_DEV, TUN_DEV);
		else if (err == EACCES || err == EPERM)
			log_warnx("%s: permission denied: amtgwd needs root "
			    "(CAP_NET_ADMIN)", TUN_DEV);
		else
			log_warn("%s", TUN_DEV);
		return EX_OSERR;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", gw->conf.tun_name);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		err = errno;
		if (err == EPERM)
			log_warnx("%s: permission denied: amtgwd needs root "
			    "(CAP_NET_ADMIN)", gw->conf.tun_name);
		else if (err == EINVAL)
			log_warnx("%s: exists and is not a tun (IFF_TUN) "
			    "device", gw->conf.tun_name);
		else if (err == EBUSY)
			log_warnx("%s: tun already in use by another process",
			    gw->conf.tun_name);
		else
			log_warn("%s: TUNSETIFF", gw->conf.tun_name);
		close(fd);
		return err == EPERM ? EX_NOPERM : EX_OSERR;
	}
	gw->tun.fd = fd;
	gw->tun.created = (exists != 1);
	snprintf(gw->tun.name, sizeof(gw->tun.name), "%s", ifr.ifr_name);
	gw->tun.ifindex = (int)if_nametoindex(gw->tun.name);
	log_info("%s %s (ifindex %d)", gw->tun.created ? "created tun" :
	    "attached to existing tun", gw->tun.name, gw->tun.ifindex);
	return 0;
}

static int
tun_ioctl(int s, unsigned long req, struct ifreq *ifr, const char *what)
{
	if (ioctl(s, req, ifr) == -1) {
		log_warn("%s: %s", ifr->ifr_name, what);
		return -1;
	}
	return 0;
}

static int
tun_up(struct gateway *gw, int s)
{
	struct ifreq	ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", gw->tun.name);
	ifr.ifr_mtu = (int)gw->tun.mtu;
	if (tun_ioctl(s, SIOCSIFMTU, &ifr, "set MTU") == -1)
		return -1;
	log_info("%s: MTU %u", gw->tun.name, gw->tun.mtu);
	if (tun_sysctls(gw) == -1)
		return -1;
	if (tun_ioctl(s, SIOCGIFFLAGS, &ifr, "get flags") == -1)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_MULTICAST;
	if (tun_ioctl(s, SIOCSIFFLAGS, &ifr, "set flags UP MULTICAST") == -1)
		return -1;
	log_info("%s: up, multicast", gw->tun.name);
	return 0;
}

static int
tun_addr4(struct gateway *gw, int s)
{
	struct ifreq		 ifr;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ifr.ifr_addr;
	char			 a[INET_ADDRSTRLEN];

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", gw->tun.name);
	sin->sin_family = AF_INET;
	sin->sin_addr = gw->conf.tun_addr4;
	if (tun_ioctl(s, SIOCSIFADDR, &ifr, "set IPv4 address") == -1)
		return -1;
	sin->sin_addr.s_addr = gw->conf.tun_plen4 == 0 ? 0 :
	    htonl(0xffffffffU << (32 - gw->conf.tun_plen4));
	if (tun_ioctl(s, SIOCSIFNETMASK, &ifr, "set IPv4 netmask") == -1)
		return -1;
	log_info("%s: address %s/%u", gw->tun.name, inet_ntop(AF_INET,
	    &gw->conf.tun_addr4, a, sizeof(a)), gw->conf.tun_plen4);
	return 0;
}

static int
tun_addr6(struct gateway *gw)
{
	struct in6_ifreq	ifr6;
	char			a[INET6_ADDRSTRLEN];
	int			s, rv = 0;

	if (!gw->tun.have_v6)
		return 0;
	if ((s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("IPv6 socket");
		return -1;
	}
	memset(&ifr6, 0, sizeof(ifr6));
	ifr6.ifr6_addr = gw->conf.tun_addr6;
	ifr6.ifr6_prefixlen = 64;
	ifr6.ifr6_ifindex = gw->tun.ifindex;
	inet_ntop(AF_INET6, &gw->conf.tun_addr6, a, sizeof(a));
	if (ioctl(s, SIOCSIFADDR, &ifr6) == -1 && errno != EEXIST) {
		log_warn("%s: add IPv6 address %s", gw->tun.name, a);
		rv = -1;
	} else
		log_info("%s: address %s/64", gw->tun.name, a);
	close(s);
	return rv;
}

/* Without a route to the relay: the largest MTU of the host's links. */
static int
tun_mtu_links(void)
{
	struct if_nameindex	*ifs, *i;
	struct ifreq		 ifr;
	int			 s, mtu = 0;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	if ((ifs = if_nameindex()) != NULL) {
		for (i = ifs; i->if_index != 0; i++) {
			memset(&ifr, 0, sizeof(ifr));
			snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s",
			    i->if_name);
			if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1 ||
			    (ifr.ifr_flags & (IFF_LOOPBACK | IFF_POINTOPOINT)))
				continue;
			if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > mtu)
				mtu = ifr.ifr_mtu;
		}
		if_freenameindex(ifs);
	}
	close(s);
	return mtu;
}

/*
 * The tunnel MTU: what the route to the relay carries minus the outer
 * IP header, UDP and the 2-byte Data header (RFC 7450 5.3.3.6.1).
 */
unsigned
tun_mtu_for(const struct sockaddr *peer, unsigned conf_mtu)
{
	int		 s, mtu = 0;
	socklen_t	 len = sizeof(mtu);
	unsigned	 hdr = peer->sa_family == AF_INET6 ? 40 : 20;

	if (conf_mtu != 0)
		return conf_mtu;
	if ((s = socket(peer->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) != -1) {
		if (connect(s, peer, addr_len(peer)) == -1 ||
		    getsockopt(s, peer->sa_family == AF_INET6 ? IPPROTO_IPV6 :
		    IPPROTO_IP, peer->sa_family == AF_INET6 ? IPV6_MTU :
		    IP_MTU, &mtu, &len) == -1)
			mtu = 0;
		close(s);
	}
	if (mtu == 0) {
		mtu = tun_mtu_links();
		log_info("no route MTU to the relay yet: %s", mtu ?
		    "largest link MTU" : "IPv6 minimum MTU");
	}
	/* RFC 8200 5: every IPv6 path carries 1280. */
	if (mtu == 0)
		mtu = TUN_MIN_PATH_MTU;
	return (unsigned)mtu - hdr - 8 - AMT_DATA_HDR_LEN;
}

/*
 * Inner report size of one Membership Update: the Update must fit the
 * path to the relay as Data does (the tun MTU plus the 2-byte Data
 * header) less the 12 bytes of Update header.
 */
size_t
tun_update_max(const struct gateway *gw)
{
	unsigned	mtu = gw->tun.mtu;

	if (mtu == 0)
		mtu = TUN_MIN_PATH_MTU - 40 - 8 - AMT_DATA_HDR_LEN;
	return (size_t)mtu + AMT_DATA_HDR_LEN - 12;
}

int
tun_open(struct gateway *gw)
{
	int	s, rv;

	gw->tun.fd = -1;
	if ((rv = tun_attach(gw)) != 0)
		return rv;
	gw->tun.mtu = tun_mtu_for((struct sockaddr *)&gw->conf.peer,
	    gw->conf.mtu);
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("socket");
		return EX_OSERR;
	}
	rv = (tun_up(gw, s) == -1 || tun_addr4(gw, s) == -1 ||
	    tun_addr6(gw) == -1) ? EX_OSERR : 0;
	close(s);
	return rv;
}

void
tun_close(struct gateway *gw)
{
	if (gw->tun.fd != -1) {
		close(gw->tun.fd);
		gw->tun.fd = -1;
	}
}

int
tun_write(struct gateway *gw, const uint8_t *p, size_t len)
{
	if (write(gw->tun.fd, p, len) != (ssize_t)len) {
		gw->st.tun_write_errors++;
		return -1;
	}
	return 0;
}

static void
tun_inject(struct gateway *gw, const struct amt_ip *src)
{
	struct mcast_query_params	qp;
	uint8_t				buf[128];
	char				a[INET6_ADDRSTRLEN];
	ssize_t				len;

	memset(&qp, 0, sizeof(qp));
	qp.src = *src;
	/*
	 * QRV 1: the kernel sends each state change once; the gateway
	 * repeats it with the relay's QRV (G6).
	 */
	qp.qrv = 1;
	qp.qqi = 125;
	qp.max_resp_ms = 100;
	if ((len = mcast_build_query(&qp, buf, sizeof(buf))) < 0) {
		log_warnx("cannot build a General Query: %s",
		    mcast_strerror((int)len));
		return;
	}
	if (tun_write(gw, buf, (size_t)len) == -1) {
		log_warn("%s: write General Query", gw->tun.name);
		return;
	}
	gw->st.tun_queries++;
	log_debug("%s: General Query from %s written", gw->tun.name,
	    ip_str(src, a, sizeof(a)));
}

/*
 * G1: a General Query of each family into the tun; the kernel answers
 * with current-state reports of every join.  The IPv4
 * query must not come from the tun's own address (the kernel drops a
 * packet whose source is local), so it comes from the next address.
 */
void
tun_inject_queries(struct gateway *gw)
{
	struct amt_ip	src;
	uint32_t	a;

	memset(&src, 0, sizeof(src));
	src.family = AF_INET;
	a = ntohl(gw->conf.tun_addr4.s_addr);
	src.u.v4.s_addr = htonl(a ^ 1);
	tun_inject(gw, &src);
	if (!gw->tun.have_v6)
		return;
	memset(&src, 0, sizeof(src));
	src.family = AF_INET6;
	src.u.v6 = gw->conf.tun_addr6;
	src.u.b[15] ^= 1;
	tun_inject(gw, &src);
}
