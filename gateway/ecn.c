/*
 * ECN at the tunnel egress (RFC 9601 6.1.4, RFC 6040 4.2 normal mode):
 * the ECN field of the outer header of a Data datagram is combined with
 * the inner packet's before the inner packet goes to the tun.  Pure
 * functions on the inner header, unit tested cell by cell.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amt/buf.h"
#include "gateway.h"

/*
 * RFC 6040 4.2, Figure 4: the outgoing inner ECN for an arriving inner
 * (rows) and outer (columns) pair, or ECN_DROP.
 *	inner \ outer	Not-ECT	ECT(0)	ECT(1)	CE
 *	Not-ECT		Not-ECT	Not-ECT	Not-ECT	drop
 *	ECT(0)		ECT(0)	ECT(0)	ECT(1)	CE
 *	ECT(1)		ECT(1)	ECT(1)	ECT(1)	CE
 *	CE		CE	CE	CE	CE
 */
uint8_t
ecn_egress(uint8_t inner, uint8_t outer)
{
	inner &= ECN_MASK;
	outer &= ECN_MASK;
	if (outer == ECN_CE)
		return inner == ECN_NOT_ECT ? ECN_DROP : ECN_CE;
	if (outer == ECN_ECT1 && inner == ECN_ECT0)
		return ECN_ECT1;
	return inner;
}

/*
 * RFC 6040 4.2: the combinations marked (!!!) in Figure 4 cannot come
 * from a compliant ingress; the egress SHOULD log them (a counter here).
 */
bool
ecn_egress_alarm(uint8_t inner, uint8_t outer)
{
	inner &= ECN_MASK;
	outer &= ECN_MASK;
	if (inner == ECN_NOT_ECT)
		return outer != ECN_NOT_ECT;
	return inner == ECN_CE && outer == ECN_ECT1;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), one 16-bit word changed. */
uint16_t
ecn_csum_update(uint16_t csum, uint16_t old, uint16_t new)
{
	uint32_t	sum;

	sum = (uint16_t)~csum + (uint32_t)(uint16_t)~old + new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * The inner header's first 16-bit word holds its ECN field: IPv4 TOS
 * (mask 0x0003, header checksum at octet 10), IPv6 Traffic Class
 * (mask 0x0030, no checksum).  Writes the new field; -1 if too short.
 */
static int
ecn_rewrite(uint8_t *p, size_t len, uint16_t word, uint8_t ecn)
{
	struct wbuf	w;
	struct rbuf	r;
	uint16_t	nw, csum;

	if ((word >> 12) == 4) {
		nw = (word & ~0x0003) | ecn;
		rbuf_init(&r, p, len);
		if (rbuf_skip(&r, 10) == -1 || rbuf_get_n16(&r, &csum) == -1)
			return -1;
		wbuf_init(&w, p + 10, 2);
		wbuf_add_n16(&w, ecn_csum_update(csum, word, nw));
	} else
		nw = (word & ~0x0030) | (uint16_t)(ecn << 4);
	wbuf_init(&w, p, 2);
	return wbuf_add_n16(&w, nw);
}

/*
 * Apply Figure 4 to the inner packet p in place, given the outer ECN.
 * Returns -1 when the packet is to be dropped (counted), else 0.
 */
int
ecn_decap(uint8_t *p, size_t len, uint8_t outer, struct gw_stats *st)
{
	struct rbuf	r;
	uint16_t	word;
	uint8_t		inner, out;

	rbuf_init(&r, p, len);
	if (rbuf_get_n16(&r, &word) == -1 || len < 20)
		return 0;
	if ((word >> 12) == 4)
		inner = word & ECN_MASK;
	else if ((word >> 12) == 6)
		inner = (word >> 4) & ECN_MASK;
	else
		return 0;
	if (ecn_egress_alarm(inner, outer))
		st->ecn_alarms++;
	if ((out = ecn_egress(inner, outer)) == ECN_DROP) {
		st->ecn_ce_drops++;
		return -1;
	}
	if (out == inner)
		return 0;
	if (out == ECN_CE)
		st->ecn_ce_marked++;
	return ecn_rewrite(p, len, word, out) == -1 ? -1 : 0;
}
