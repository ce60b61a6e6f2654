/*
 * Replication of captured datagrams to tunnels (RFC 7450 5.3.3.6;
 * R10, R12, R15): the flows of a datagram from the forwarding table, the
 * tunnels of an EXCLUDE-mode group that do not exclude its source, once
 * per outer family a decision (whole, IPv4 fragments, or drop and one
 * ICMP Too Big), then one Data message per tunnel into the send batches.
 *
 * R15, RFC 9601 6.1.4: to a tunnel whose gateway set E (tunnel_ecn()),
 * the outer ECN field is the inner one (normal mode); every other tunnel
 * gets outer ECN 0 (compatibility mode).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <stdlib.h>
#include <string.h>

#include "amt/log.h"
#include "amt/wire.h"
#include "relay.h"
#include "data.h"

/* Fragments being sent and the ICMP sockets for Too Big. */
struct repl {
	struct frag_set		*frags[2];	/* per outer family */
	bool			 frags_queued;
	struct mtu_icmp		*icmp;
};

int
repl_start(struct relayd *rd)
{
	if ((rd->repl = calloc(1, sizeof(*rd->repl))) == NULL) {
		log_warn("repl_start");
		return -1;
	}
	rd->repl->icmp = mtu_icmp_open(rd->conf.upstream_if, 10);
	return 0;
}

void
repl_stop(struct relayd *rd)
{
	struct repl	*rp = rd->repl;

	if (rp == NULL)
		return;
	mtu_icmp_close(rp->icmp);
	free(rp->frags[0]);
	free(rp->frags[1]);
	free(rp);
	rd->repl = NULL;
}

/* Per outer family, what to do with the packet. */
enum repl_fit { FIT_WHOLE, FIT_FRAGS, FIT_DROP };

struct repl_plan {
	enum repl_fit	 fit[2];
	bool		 planned[2];
	unsigned	 too_big_mtu;	/* smallest TMTU of a drop; 0: none */
};

static unsigned
repl_tmtu(const struct relayd *rd, int fam)
{
	unsigned	outer = AMT_DATA_HDR_LEN +
	    (fam == AF_INET6 ? DATA_OUTER_V6 : DATA_OUTER_V4);

	return rd->conf.tunnel_mtu > outer ? rd->conf.tunnel_mtu - outer : 0;
}

/* RFC 7450 5.3.3.6.2: decide once per outer family and packet. */
static enum repl_fit
repl_plan_for(struct relayd *rd, struct repl_plan *pl,
    const struct data_pkt *pkt, int i)
{
	struct repl	*rp = rd->repl;
	unsigned	 tmtu = repl_tmtu(rd, i ? AF_INET6 : AF_INET);

	if (pl->planned[i])
		return pl->fit[i];
	pl->planned[i] = true;
	pl->fit[i] = FIT_DROP;
	if (pkt->len <= tmtu)
		pl->fit[i] = FIT_WHOLE;
	else if (pkt->dst.family == AF_INET && !pkt->df) {
		if (rp->frags[i] == NULL)
			rp->frags[i] = malloc(sizeof(*rp->frags[i]));
		/* Queued messages may point into the fragments. */
		if (rp->frags_queued) {
			batch_flush(rd);
			rp->frags_queued = false;
		}
		if (rp->frags[i] != NULL &&
		    frag_build(rp->frags[i], pkt, tmtu) == 0) {
			pl->fit[i] = FIT_FRAGS;
			rp->frags_queued = true;
		}
	}
	if (pl->fit[i] == FIT_DROP &&
	    (pl->too_big_mtu == 0 || tmtu < pl->too_big_mtu))
		pl->too_big_mtu = tmtu;
	return pl->fit[i];
}

static void
repl_one(struct relayd *rd, struct repl_plan *pl, const struct data_pkt *pkt,
    struct tunnel *t)
{
	struct frag_set	*fs;
	struct iovec	 v[2];
	unsigned	 i, k = t->gw.ss_family == AF_INET6;
	uint8_t		 ecn;

	/* R15: normal mode copies the inner ECN; fragments carry it too. */
	ecn = pkt->ecn != 0 && tunnel_ecn(t) ? pkt->ecn : 0;

	switch (repl_plan_for(rd, pl, pkt, (int)k)) {
	case FIT_WHOLE:
		v[0].iov_base = pkt->ip;
		v[0].iov_len = pkt->len;
		batch_queue(rd, t, v, 1, ecn);
		break;
	case FIT_FRAGS:
		fs = rd->repl->frags[k];
		for (i = 0; i < fs->n; i++) {
			v[0].iov_base = fs->hdr[i];
			v[0].iov_len = fs->hlen[i];
			v[1].iov_base = fs->data[i];
			v[1].iov_len = fs->dlen[i];
			batch_queue(rd, t, v, 2, ecn);
		}
		break;
	case FIT_DROP:
		break;
	}
}

void
repl_packet(struct relayd *rd, const struct data_pkt *pkt)
{
	struct fwd_flow	*sg, *g;
	struct amt_ip	 any;
	struct repl_plan	 pl;
	unsigned	 i;

	if (rd->fwd == NULL || rd->repl == NULL)
		return;
	memset(&any, 0, sizeof(any));
	sg = fwd_flow_find(rd->fwd, &pkt->src, &pkt->dst);
	g = fwd_flow_find(rd->fwd, &any, &pkt->dst);
	if (sg == NULL && g == NULL) {
		rd->stats.data_no_tunnel++;
		return;
	}
	memset(&pl, 0, sizeof(pl));
	for (i = 0; sg != NULL && i < sg->n; i++)
		repl_one(rd, &pl, pkt, sg->tun[i]);
	/* R10: a tunnel in EXCLUDE mode gets every source it does not
	 * exclude (RFC 3376 6.4). */
	for (i = 0; g != NULL && i < g->n; i++)
		if (!membership_excludes(g->tun[i], &pkt->dst, &pkt->src))
			repl_one(rd, &pl, pkt, g->tun[i]);
	if (pl.fit[0] == FIT_FRAGS || pl.fit[1] == FIT_FRAGS)
		rd->stats.data_fragmented++;
	if (pl.too_big_mtu != 0) {
		/* RFC 7450 5.3.3.6.2: one ICMP for all tunnels. */
		rd->stats.data_too_big++;
		mtu_icmp_send(rd->repl->icmp, pkt, pl.too_big_mtu);
	}
}

