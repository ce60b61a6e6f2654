/*
 * What the gateway session tests share (see gwfix.h).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "amt/mcast.h"
#include "amt/wire.h"
#include "gwfix.h"

int
gwfix_relay_socket(int af, uint16_t port, struct sockaddr_storage *ss)
{
	struct amt_ip	lo;
	socklen_t	len = sizeof(*ss);
	int		fd;

	ip_parse(af == AF_INET ? "127.0.0.1" : "::1", &lo);
	ip_to_sa(&lo, port, ss);
	fd = socket(af, SOCK_DGRAM, 0);
	assert_true(fd != -1);
	if (bind(fd, (struct sockaddr *)ss, addr_len((struct sockaddr *)ss))
	    == -1) {
		close(fd);
		return -1;
	}
	assert_int_equal(getsockname(fd, (struct sockaddr *)ss, &len), 0);
	return fd;
}

void
gwfix_gateway(struct gateway *gw, const char *mode, uint16_t port)
{
	char	 p[16], m[4];
	char	*argv[] = { "amtgwd", m, "127.0.0.1", "--port", p, NULL };

	snprintf(p, sizeof(p), "%u", port);
	snprintf(m, sizeof(m), "%s", mode);
	assert_int_equal(conf_parse(&gw->conf, 5, argv), -1);
	gw->base = event_base_new();
	gw->tun.fd = -1;
	snprintf(gw->tun.name, sizeof(gw->tun.name), "none");
	lmdb_init(&gw->db);
	assert_int_equal(relaysock_start(gw), 0);
	assert_int_equal(sessions_start(gw), 0);
}

void
gwfix_gateway_free(struct gateway *gw)
{
	sessions_free(gw);
	relaysock_stop(gw);
	lmdb_clear(&gw->db);
	event_base_free(gw->base);
}

void
gwfix_run(struct gateway *gw, int ms)
{
	int	i;

	for (i = 0; i < ms / 10; i++) {
		event_base_loop(gw->base, EVLOOP_NONBLOCK);
		usleep(10000);
	}
}

ssize_t
gwfix_recv(struct gateway *gw, int fd, uint8_t *buf, size_t len, int ms,
    struct sockaddr *from, socklen_t fromlen, struct amt_msg *m)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	ssize_t		n;
	int		i;

	for (i = 0; i < ms / 10; i++) {
		event_base_loop(gw->base, EVLOOP_NONBLOCK);
		if (poll(&pfd, 1, 10) != 1)
			continue;
		n = recvfrom(fd, buf, len, 0, from, &fromlen);
		assert_true(n > 0);
		assert_int_equal(amt_decode(buf, (size_t)n, m), AMT_OK);
		return n;
	}
	return -1;
}

void
gwfix_report(struct gateway *gw, uint8_t type, const char *group,
    const char *source)
{
	struct mcast_record	r;
	struct amt_ip		from, src;
	uint8_t			pkt[256];
	ssize_t			len;

	memset(&r, 0, sizeof(r));
	r.type = type;
	ip_parse(group, &r.group);
	ip_parse(source, &src);
	r.srcs = src.u.b;
	r.nsrc = 1;
	ip_parse(r.group.family == AF_INET ? GW_TUN_ADDR4 : GW_TUN_ADDR6,
	    &from);
	len = mcast_build_report(&from, &r, 1, pkt, sizeof(pkt));
	assert_true(len > 0);
	local_input(gw, pkt, (size_t)len);
}
