/*
 * The layout of octet 1 of the Requests a session sends, for the relays
 * deployed in the field (amtgwd(8), INTEROPERABILITY; Q2).
 *
 * RFC 7450 5.1.3.4 puts P at 0x01 of octet 1 and RFC 9601 6.1.4.2 puts
 * E at 0x02.  The Linux kernel's relay (drivers/net/amt.c) reads P at
 * 0x80 and drops a Request with any other bit of octet 1 set: it answers
 * neither the RFC's P = 1 nor E.  A session starts with the RFC layout.
 * When a Request cycle that asks for an MLDv2 Query goes unanswered for
 * INTEROP_LAYOUT_TRIES Requests in a row, the session tries the other
 * layout (P at 0x80, no E), and again after as many more; the layout in
 * use when a Query comes is kept for that relay, until the relay
 * changes.  A relay of either kind answers a Request that asks for an
 * IGMPv3 Query without E (octet 1 = 0), and an RFC relay ignores the
 * reserved 0x80 (W3), so no relay is lost by trying.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>

#include "amt/log.h"
#include "amt/wire.h"
#include "gateway.h"

/* Unanswered Requests of one layout before the other is tried. */
#define INTEROP_LAYOUT_TRIES	2

static const char *const interop_layout_names[SL_MAX] = {
	[SL_RFC] = "rfc",
	[SL_LINUX] = "linux",
};

const char *
interop_layout_name(int layout)
{
	if (layout < 0 || layout >= SL_MAX)
		return "?";
	return interop_layout_names[layout];
}

/* Octet 1 of a Request asking for MLDv2 (mld) or IGMPv3; e: RFC 9601 E. */
uint8_t
interop_req_flags(const struct session *s, bool mld, uint8_t e)
{
	if (s->req_layout == SL_LINUX)
		return mld ? AMT_REQ_FLAG_P_LINUX : 0;
	return (mld ? AMT_REQ_FLAG_P : 0) | e;
}

/*
 * RFC 7450 5.2.3.5.3: the Request of this cycle is about to be sent
 * again (req_retry unanswered so far): every INTEROP_LAYOUT_TRIES, when
 * the cycle asks for MLDv2, the other layout.
 */
void
interop_req_unanswered(struct session *s)
{
	char	a[ADDR_STRLEN];

	if ((s->req_fams & SESS_FAM_V6) == 0 ||
	    s->req_retry % INTEROP_LAYOUT_TRIES != 0)
		return;
	s->req_layout = s->req_layout == SL_RFC ? SL_LINUX : SL_RFC;
	s->cnt.layout_switches++;
	log_info("relay %s: no Membership Query after %u Requests: trying "
	    "the %s Request layout", addr_str((const struct sockaddr *)
	    &s->relay_sa, a, sizeof(a)),
	    s->req_retry, interop_layout_name(s->req_layout));
}

/* A new relay: the RFC layout first. */
void
interop_relay_changed(struct session *s)
{
	s->req_layout = SL_RFC;
}
