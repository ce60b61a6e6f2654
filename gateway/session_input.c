/*
 * What reaches a relay session from outside (RFC 7450 5.2.3): Relay
 * Advertisements and Membership Queries from the relay, checked before
 * they become events of the state machine; ICMP errors on its sockets;
 * changes of the local membership read from the tun.
 */
#include "config.h"

#include <sys/socket.h>
#include <string.h>

#include "amt/log.h"
#include "amt/mcast.h"
#include "amt/wire.h"
#include "gateway.h"

/*
 * RFC 7450 5.2.3.4.4: only while discovering, only with our nonce, only
 * from where the Discovery went (the connected discovery socket).
 */
void
session_recv_advert(struct session *s, const struct amt_msg *m, bool disc)
{
	if (!disc || s->state != SS_DISCOVERING || m->nonce != s->disc_nonce ||
	    ip_is_any(&m->relay) || ip_is_multicast(&m->relay)) {
		s->gw->st.advert_ignored++;
		log_debug("Relay Advertisement ignored (state %s)",
		    fsm_state_name(s->state));
		return;
	}
	s->cnt.relay_advertisement++;
	s->ev_msg = m;
	session_fsm(s, SE_ADVERT);
	s->ev_msg = NULL;
}

/*
 * RFC 7450 5.2.3.5.4 (G4), checked in this order: waiting for a Query,
 * the nonce of the last Request (a stale answer changes nothing and is
 * counted), an IGMPv3 or MLDv2 General Query, one per family and cycle.
 * The family need not be the one P asked for: relays in the field
 * ignore P, and the MAC and nonce, all an Update needs, do not depend on
 * it (amtgwd(8), INTEROPERABILITY).
 */
static bool
query_acceptable(struct session *s, const struct amt_msg *m,
    struct mcast_query *q)
{
	int	rc;

	if (s->state != SS_REQUESTING && s->state != SS_UP)
		return false;
	if (m->nonce != s->req_nonce) {
		s->cnt.stale_queries++;
		log_debug("Membership Query for nonce %08x, not %08x: ignored",
		    m->nonce, s->req_nonce);
		return false;
	}
	if ((rc = mcast_query_parse(m->inner, m->inner_len, q)) != MCAST_OK) {
		log_debug("Membership Query: %s", mcast_strerror(rc));
		return false;
	}
	if ((q->family == AF_INET && q->version != 3) ||
	    (q->family == AF_INET6 && q->version != 2) ||
	    !ip_is_any(&q->group))
		return false;
	return (s->got_fams & session_query_family(q)) == 0;
}

/* RFC 7450 5.2.3.5.4 (G4). */
void
session_recv_query(struct session *s, const struct amt_msg *m)
{
	struct mcast_query	q;

	if (!query_acceptable(s, m, &q)) {
		s->gw->st.query_ignored++;
		return;
	}
	s->cnt.membership_query++;
	/* A relay that ignores P (amtgwd(8), INTEROPERABILITY). */
	if ((s->req_fams & session_query_family(&q)) == 0)
		s->cnt.other_family++;
	s->ev_msg = m;
	s->ev_query = &q;
	if (m->flags & AMT_QUERY_FLAG_L)
		session_fsm(s, SE_QUERY_L);
	else {
		/* RFC 7450 5.2.3.7.1 (G8): gateway fields changed. */
		if ((m->flags & AMT_QUERY_FLAG_G) && s->have_query && s->q_g &&
		    (m->gw_port != s->q_gw_port || memcmp(m->gw_addr,
		    s->q_gw_addr, sizeof(s->q_gw_addr)) != 0))
			session_fsm(s, SE_G_CHANGE);
		session_fsm(s, SE_QUERY);
	}
	s->ev_msg = NULL;
	s->ev_query = NULL;
}

/* G9: an ICMP error reported on a session socket. */
void
session_icmp(struct session *s, int err)
{
	char	a[ADDR_STRLEN];

	s->gw->st.icmp_errors++;
	s->cnt.icmp_errors++;
	log_debug("relay %s: %s", session_relay_str(s, a, sizeof(a)),
	    strerror(err));
	liveness_icmp(s);
	if (s->busy > 0)
		s->pending_icmp = true;
	else
		session_fsm(s, SE_ICMP_ERR);
}

void
session_local_change(struct session *s, const struct mcast_report *r)
{
	s->ev_report = r;
	session_fsm(s, SE_G_JOIN);
	s->ev_report = NULL;
}

/* What the relay sockets hand up (relaysock.c), registered at start. */
const struct relaysock_input session_input = {
	.advert = session_recv_advert,
	.query = session_recv_query,
	.icmp = session_icmp,
};
