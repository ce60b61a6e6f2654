/*
 * mroute-probe: can this network namespace route multicast?  Takes the
 * kernel's multicast routing socket the way a routing daemon does
 * (MRT_INIT on a raw IGMP socket, MRT6_INIT on a raw ICMPv6 one) and
 * lets it go again.  A kernel without CONFIG_IP_MROUTE or
 * CONFIG_IPV6_MROUTE answers ENOPROTOOPT.
 *
 * usage: mroute-probe [-4] [-6]	(both families without an option)
 * Exits 0 when every family asked for works; otherwise prints the reason
 * ("no IPv4 multicast routing: ...") and exits 1.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* probe_family: take and release the routing socket of one family. */
static int
probe_family(int af, int proto, int level, int opt, const char *name)
{
	int	s, on = 1;

	if ((s = socket(af, SOCK_RAW, proto)) == -1) {
		printf("no %s multicast routing: socket: %s\n", name,
		    strerror(errno));
		return (-1);
	}
	if (setsockopt(s, level, opt, &on, sizeof(on)) == -1) {
		printf("no %s multicast routing: setsockopt(%s): %s\n", name,
		    af == AF_INET ? "MRT_INIT" : "MRT6_INIT", strerror(errno));
		close(s);
		return (-1);
	}
	close(s);
	return (0);
}

int
main(int argc, char *argv[])
{
	int	v4 = 0, v6 = 0, rc = 0, c;

	while ((c = getopt(argc, argv, "46")) != -1) {
		switch (c) {
		case '4':
			v4 = 1;
			break;
		case '6':
			v6 = 1;
			break;
		default:
			fprintf(stderr, "usage: mroute-probe [-4] [-6]\n");
			return (2);
		}
	}
	if (!v4 && !v6)
		v4 = v6 = 1;
	if (v4 && probe_family(AF_INET, IPPROTO_IGMP, IPPROTO_IP, MRT_INIT,
	    "IPv4") == -1)
		rc = 1;
	if (v6 && probe_family(AF_INET6, IPPROTO_ICMPV6, IPPROTO_IPV6,
	    MRT6_INIT, "IPv6") == -1)
		rc = 1;
	return (rc);
}
