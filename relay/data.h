/*
 * amtrelayd data plane internals: what capture.c, forward.c,
 * replicate.c, batch.c and mtu.c share.  The interface to the control plane is in relay.h.
 */
#ifndef AMT_RELAY_DATA_H
#define AMT_RELAY_DATA_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event_struct.h>

#include "amt/addr.h"

struct relayd;
struct tunnel;

/* A captured multicast datagram whose IP header was checked. */
struct data_pkt {
	uint8_t		*ip;		/* the datagram (in the capture ring) */
	size_t		 len;		/* its own length (IPv4 total length) */
	size_t		 hlen;		/* IPv4 header length; 40 for IPv6 */
	struct amt_ip	 src;
	struct amt_ip	 dst;
	bool		 df;		/* IPv4 Don't Fragment */
	uint8_t		 ecn;		/* its ECN field (RFC 3168 5) */
	uint16_t	 frag;		/* IPv4 offset (8-octet units) | MF */
};

#define FWD_IPV4_MF	0x2000
#define FWD_IPV4_DF	0x4000
#define FWD_IPV4_OFF	0x1fff

/* IP + UDP of the outer header, by tunnel family. */
#define DATA_OUTER_V4	(20 + 8)
#define DATA_OUTER_V6	(40 + 8)

/*
 * forward.c: the forwarding table.  A flow is (S,G), or (*,G) with s of
 * family AF_UNSPEC; it lists the tunnels that want it.  Each tunnel has a
 * back-reference record listing its flows and its index in each, so that
 * a tunnel leaves every flow in O(its flows).
 */
struct fwd_flow {
	struct amt_ip		 s;
	struct amt_ip		 g;
	struct tunnel		**tun;
	unsigned		 n;
	unsigned		 cap;
	bool			 joined;	/* upstream (R9) */
	bool			 pending;	/* on the retry list */
	bool			 queued;	/* on the join queue */
	struct fwd_flow		*hnext;
	TAILQ_ENTRY(fwd_flow)	 pentry;
};

struct fwd_ref {
	struct fwd_flow		*f;
	unsigned		 idx;		/* t's index in f->tun */
};

struct fwd_tref {
	struct tunnel		*t;
	struct fwd_ref		*refs;
	unsigned		 n;
	unsigned		 cap;
	struct fwd_tref		*hnext;
};

struct frag_set;
struct mtu_icmp;

TAILQ_HEAD(fwd_flow_list, fwd_flow);

struct fwd_table {
	struct fwd_flow		**fhash;
	unsigned		 fhash_size;
	unsigned		 nflows;
	struct fwd_tref		**thash;
	unsigned		 thash_size;
	unsigned		 ntrefs;
	/* flows wanted but not joined upstream: retried (forward.c) */
	struct fwd_flow_list	 pending;
	unsigned		 npending;
	struct event		 retry_ev;
	/* flows not tried yet: joined in slices (forward.c) */
	struct fwd_flow_list	 joinq;
	struct event		 join_ev;
};

struct fwd_flow	*fwd_flow_find(struct fwd_table *, const struct amt_ip *,
		    const struct amt_ip *);

/*
 * replicate.c: replicate one datagram to every tunnel that wants it.  The
 * queued messages point into pkt->ip: batch_flush() must run before the
 * bytes go back to the kernel.
 */
void		 repl_packet(struct relayd *, const struct data_pkt *);

/* batch.c: Data messages queued per relay socket, sent by sendmmsg(). */
/* Queue 06 00 then npiece pieces of a datagram to t, outer ECN ecn. */
void		 batch_queue(struct relayd *, struct tunnel *,
		    const struct iovec *, unsigned, uint8_t);
void		 batch_flush(struct relayd *);
/* Socket options of a relay socket that carries Data (R12, R15). */
void		 batch_sockopts(int, int);

/* mtu.c: RFC 7450 5.3.3.6.2, IPv4 fragments and Too Big messages. */
#define FRAG_MAX	128
#define FRAG_HDR_MAX	60

struct frag_set {
	unsigned	 n;
	size_t		 hlen[FRAG_MAX];
	uint8_t		 hdr[FRAG_MAX][FRAG_HDR_MAX];
	uint8_t		*data[FRAG_MAX];
	size_t		 dlen[FRAG_MAX];
};

/* Cut pkt into fragments of at most maxlen octets; -1 if impossible. */
int		 frag_build(struct frag_set *, const struct data_pkt *, size_t);
/* Raw ICMP/ICMPv6 sockets on the upstream interface, with a rate limit. */
struct mtu_icmp	*mtu_icmp_open(const char *, unsigned);
void		 mtu_icmp_close(struct mtu_icmp *);
/* Tell the source of pkt that at most mtu octets pass; rate-limited. */
int		 mtu_icmp_send(struct mtu_icmp *, const struct data_pkt *,
		    unsigned);

#endif
