/*
 * AMT sockets (R1): one UDP socket per local address, bound to ADDR:2268
 * (RFC 7450 7.2): the IPv4 and the IPv6 relay address (-a) and every
 * discovery address (-D) that is not also a relay address.  Datagrams
 * are read in batches with recvmmsg() and handed to the input function
 * the daemon set (message.c's msg_input()).
 *
 * R2 asks that an Advertisement leave FROM the Discovery's destination
 * so that anycast discovery works.  IP_PKTINFO / IPV6_RECVPKTINFO are not
 * needed for that here: each socket is bound to exactly one address, so
 * the socket a datagram arrives on IS its destination address and port,
 * and a reply sent on that socket leaves from them (RFC 7450 5.3.3.2,
 * 5.3.3.3: source of the reply = destination of the message).  A wildcard
 * bind would need PKTINFO; we never bind the wildcard.  With a discovery
 * interface (announce.c) the discovery addresses come and go: their
 * sockets are bound with IP_FREEBIND, before the addresses exist, and
 * stay bound while they are withdrawn.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amt/log.h"
#include "relay.h"

#define LISTEN_BATCH	32
/*
 * The largest UDP payload the kernel can hand over (65535 octets of
 * IPv6 payload less the UDP header; IPv4 allows 20 fewer): no AMT
 * message is cut, whatever the MTU or reassembly on the way.  The batch
 * is allocated, not touched until used: pages that no datagram reached
 * cost no memory.
 */
#define LISTEN_MSGLEN	(65535 - 8)
#define LISTEN_RCVBUF	(4 << 20)	/* bursts of Updates (Q4) */

/* A listener with its receive batch (struct listener comes first). */
struct lsock {
	struct listener		 l;
	struct mmsghdr		 msgs[LISTEN_BATCH];
	struct iovec		 iov[LISTEN_BATCH];
	struct sockaddr_storage	 from[LISTEN_BATCH];
	uint8_t			 buf[LISTEN_BATCH][LISTEN_MSGLEN];
	int			 n, next;	/* read, handed on */
	struct event		 more_ev;	/* the rest, next turn */
	struct event		 err_ev;	/* read the error queue */
};

static void	listen_read_cb(evutil_socket_t, short, void *);

/*
 * A send took the socket's pending ICMP error (IP_RECVERR): the error
 * queue holds it, and a socket that keeps receiving may not see a
 * receive fail for long, so it is read after this turn of the loop (not
 * from inside the send, whose tunnel it may drop).
 */
static void
listen_err_cb(evutil_socket_t fd, short ev, void *arg)
{
	unreach_read(arg);
}

static void
listen_icmp_seen(struct relayd *rd, int fd)
{
	struct listener	*l;

	TAILQ_FOREACH(l, &rd->listeners, entry)
		if (l->fd == fd)
			relay_slice_next(&((struct lsock *)l)->err_ev);
}

/*
 * R12, RFC 7450 5.3.3.6.3: Multicast Data over IPv4 leaves with DF set
 * and never as fragments; over IPv6 without a fragment header.  PROBE
 * sets DF and never fragments locally (too big: EMSGSIZE to the sender).
 */
static int
listen_sockopts(int fd, int family)
{
	int	on = 1, rcv = LISTEN_RCVBUF, pmtu;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv,
	    sizeof(rcv)) == -1 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF,
	    &rcv, sizeof(rcv)) == -1)
		log_warn("SO_RCVBUF");
	if (unreach_sockopts(fd, family) == -1)
		log_warn("IP_RECVERR");
	if (family == AF_INET) {
		pmtu = IP_PMTUDISC_PROBE;
		return setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
		    sizeof(pmtu));
	}
	pmtu = IPV6_PMTUDISC_PROBE;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		return -1;
	return setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu,
	    sizeof(pmtu));
}

static int
listen_socket(const struct amt_ip *ip, uint16_t port, bool freebind)
{
	struct sockaddr_storage	ss;
	char			buf[ADDR_STRLEN];
	int			fd, on = 1;

	ip_to_sa(ip, port, &ss);
	fd = socket(ip->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("socket");
		return -1;
	}
	if (listen_sockopts(fd, ip->family) == -1) {
		log_warn("socket options");
		close(fd);
		return -1;
	}
	/* SOL_IP applies to AF_INET6 UDP sockets too. */
	if (freebind && setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &on,
	    sizeof(on)) == -1)
		log_warn("IP_FREEBIND");
	if (bind(fd, (struct sockaddr *)&ss, addr_len((struct sockaddr *)
	    &ss)) == -1) {
		log_warn("bind %s", addr_str((struct sockaddr *)&ss, buf,
		    sizeof(buf)));
		close(fd);
		return -1;
	}
	return fd;
}

static int
listen_add(struct relayd *rd, const struct amt_ip *ip, bool discovery_only)
{
	struct lsock	*ls;
	char		 buf[INET6_ADDRSTRLEN];
	int		 fd;

	if ((fd = listen_socket(ip, rd->conf.port, discovery_only &&
	    rd->conf.discovery_if[0] != '\0')) == -1)
		return -1;
	if ((ls = calloc(1, sizeof(*ls))) == NULL) {
		log_warn("listener");
		close(fd);
		return -1;
	}
	ls->l.fd = fd;
	ls->l.addr = *ip;
	ls->l.discovery_only = discovery_only;
	ls->l.rd = rd;
	event_assign(&ls->l.ev, rd->base, fd, EV_READ | EV_PERSIST,
	    listen_read_cb, ls);
	evtimer_assign(&ls->more_ev, rd->base, listen_read_cb, ls);
	evtimer_assign(&ls->err_ev, rd->base, listen_err_cb, ls);
	event_add(&ls->l.ev, NULL);
	TAILQ_INSERT_TAIL(&rd->listeners, &ls->l, entry);
	log_info("listening on %s port %u%s", ip_str(ip, buf, sizeof(buf)),
	    rd->conf.port, discovery_only ? " (discovery)" : "");
	return 0;
}

/* A discovery address that is also a relay address shares its socket. */
static bool
listen_is_relay_addr(const struct relay_conf *c, const struct amt_ip *ip)
{
	return ip_eq(ip, &c->relay_addr4) || ip_eq(ip, &c->relay_addr6);
}

/* Open every AMT socket; what each receives goes to rd->listen_input. */
int
listen_start(struct relayd *rd)
{
	const struct relay_conf	*c = &rd->conf;
	int			 i;

	TAILQ_INIT(&rd->listeners);
	rd->icmp_seen = listen_icmp_seen;
	if (c->relay_addr4.family != 0 &&
	    listen_add(rd, &c->relay_addr4, false) == -1)
		goto fail;
	if (c->relay_addr6.family != 0 &&
	    listen_add(rd, &c->relay_addr6, false) == -1)
		goto fail;
	for (i = 0; i < c->ndiscovery; i++) {
		if (listen_is_relay_addr(c, &c->discovery[i]))
			continue;
		if (listen_add(rd, &c->discovery[i], true) == -1)
			goto fail;
	}
	return 0;
fail:
	listen_stop(rd);
	return -1;
}

void
listen_stop(struct relayd *rd)
{
	struct listener	*l;

	while ((l = TAILQ_FIRST(&rd->listeners)) != NULL) {
		TAILQ_REMOVE(&rd->listeners, l, entry);
		event_del(&l->ev);
		event_del(&((struct lsock *)l)->more_ev);
		event_del(&((struct lsock *)l)->err_ev);
		close(l->fd);
		free(l);
	}
}

int
listen_send(struct listener *l, const struct sockaddr *dst, const void *buf,
    size_t len)
{
	char	tmp[ADDR_STRLEN];
	int	try;

	/* A send reports (and clears) an ICMP error pending for an
	 * earlier datagram (IP_RECVERR) and is not made: once more. */
	for (try = 0; try < 2; try++) {
		if (sendto(l->fd, buf, len, MSG_DONTWAIT, dst,
		    addr_len(dst)) == (ssize_t)len)
			return 0;
		if (!listen_icmp_errno(errno))
			break;
		relay_slice_next(&((struct lsock *)l)->err_ev);
	}
	l->rd->stats.tx_control_errors++;
	log_debug("send to %s: %s", addr_str(dst, tmp, sizeof(tmp)),
	    strerror(errno));
	return -1;
}

/* Prepare the batch for recvmmsg(). */
static void
listen_batch_init(struct lsock *ls)
{
	struct msghdr	*h;
	int		 i;

	for (i = 0; i < LISTEN_BATCH; i++) {
		ls->iov[i].iov_base = ls->buf[i];
		ls->iov[i].iov_len = sizeof(ls->buf[i]);
		h = &ls->msgs[i].msg_hdr;
		memset(h, 0, sizeof(*h));
		h->msg_name = &ls->from[i];
		h->msg_namelen = sizeof(ls->from[i]);
		h->msg_iov = &ls->iov[i];
		h->msg_iovlen = 1;
	}
}

/*
 * Hand the batch on, at least one message, then until RELAY_SLICE_US
 * has passed: a batch of Updates of hundreds of records each, or of
 * Teardowns of such tunnels, is spread over turns of the loop.
 */
static void
listen_input_batch(struct lsock *ls, uint64_t start)
{
	struct msghdr	*h;

	while (ls->next < ls->n) {
		if (relay_slice_over(start)) {
			relay_slice_next(&ls->more_ev);
			return;
		}
		h = &ls->msgs[ls->next].msg_hdr;
		if (h->msg_flags & MSG_TRUNC)
			ls->l.rd->stats.err_incomplete_packet++;
		else
			ls->l.rd->listen_input(&ls->l, h->msg_name,
			    ls->buf[ls->next], ls->msgs[ls->next].msg_len);
		ls->next++;
	}
}

/*
 * One batch per readable event (the event is level-triggered: the rest
 * is read on the next turn of the loop, so other sockets are not starved);
 * what a slice left of the batch goes first.
 * Nothing here rate-limits: bursts of Updates are all handled (Q4).
 */
static void
listen_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct lsock	*ls = arg;
	uint64_t	 start = clock_mono_us();
	int		 n;

	if (ls->next < ls->n) {
		listen_input_batch(ls, start - RELAY_SLICE_US / 2);
		return;
	}
	listen_batch_init(ls);
	n = recvmmsg(ls->l.fd, ls->msgs, LISTEN_BATCH, MSG_DONTWAIT, NULL);
	if (n == -1) {
		/* An ICMP error is pending (IP_RECVERR), or was, and the
		 * socket woke us for its error queue: unreach.c reads it. */
		if (errno != EINTR)
			unreach_read(&ls->l);
		return;
	}
	ls->n = n;
	ls->next = 0;
	listen_input_batch(ls, start);
}
