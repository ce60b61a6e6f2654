/*
 * The relay session state machine as a table (RFC 7450 5.2.3), with the
 * names of its states, events and actions, and the retransmission
 * back-off.  No I/O here: session.c performs the actions.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "amt/mac.h"
#include "gateway.h"

static const struct sess_trans fsm_table[] = {
	/* RFC 7450 5.2.3.1: on start, discovery (or a configured relay). */
	{ SS_INITIAL,		SE_START,	SA_START,	SS_ACT },
	/* RFC 7450 5.2.3.4.3: retransmit with the same nonce. */
	{ SS_DISCOVERING,	SE_DISC_TIMEOUT, SA_DISC_RESEND, SS_SAME },
	{ SS_DISCOVERING,	SE_ADVERT,	SA_ADVERT,	SS_ACT },
	/* RFC 7450 5.2.3.9 (2): keep waiting, retransmissions go on. */
	{ SS_DISCOVERING,	SE_ICMP_ERR,	SA_NONE,	SS_SAME },
	{ SS_DISCOVERING,	SE_G_JOIN,	SA_SEND_CHANGE,	SS_SAME },
	/* RFC 7450 5.2.3.5.3: retransmit, then find another relay. */
	{ SS_REQUESTING,	SE_REQ_TIMEOUT,	SA_REQ_RESEND,	SS_SAME },
	{ SS_REQUESTING,	SE_REQ_GIVEUP,	SA_REQ_GIVEUP,	SS_ACT },
	{ SS_REQUESTING,	SE_QUERY,	SA_QUERY,	SS_UP },
	{ SS_REQUESTING,	SE_QUERY_L,	SA_LIMIT,	SS_ACT },
	{ SS_REQUESTING,	SE_G_CHANGE,	SA_TEARDOWN,	SS_SAME },
	{ SS_REQUESTING,	SE_ICMP_ERR,	SA_NONE,	SS_SAME },
	{ SS_REQUESTING,	SE_G_JOIN,	SA_SEND_CHANGE,	SS_SAME },
	/* A second Query of the other family in the same cycle. */
	{ SS_UP,		SE_QUERY,	SA_QUERY,	SS_UP },
	{ SS_UP,		SE_QUERY_L,	SA_LIMIT,	SS_ACT },
	{ SS_UP,		SE_G_CHANGE,	SA_TEARDOWN,	SS_SAME },
	/* RFC 7450 5.2.3.5.5: the query timer starts the next cycle. */
	{ SS_UP,		SE_QUERY_TIMER,	SA_NEW_CYCLE,	SS_REQUESTING },
	/* RFC 7450 5.2.3.9 (3): after an Update, a new Request cycle. */
	{ SS_UP,		SE_ICMP_ERR,	SA_ICMP,	SS_REQUESTING },
	{ SS_UP,		SE_G_JOIN,	SA_SEND_CHANGE,	SS_SAME },
	/* RFC 7450 5.2.3.8: Teardown or delete-all Update on shutdown. */
	{ SS_INITIAL,		SE_STOP,	SA_NONE,	SS_DOWN },
	{ SS_ANY,		SE_STOP,	SA_STOP,	SS_DOWN },
};

static const char *const fsm_state_names[SS_MAX] = {
	"initial", "discovering", "requesting", "up", "down",
};

static const char *const fsm_event_names[SE_MAX] = {
	"START", "ADVERT", "DISC_TIMEOUT", "REQ_TIMEOUT", "REQ_GIVEUP",
	"QUERY", "QUERY_L", "G_CHANGE", "QUERY_TIMER", "ICMP_ERR",
	"G_JOIN", "STOP",
};

static const char *const fsm_action_names[SA_MAX] = {
	"none", "start", "disc-resend", "advert", "req-resend",
	"req-giveup", "query", "limit", "teardown", "new-cycle", "icmp",
	"send-change", "stop",
};

/* The first row matching the state (or any state) and the event. */
const struct sess_trans *
fsm_lookup(int state, int event)
{
	size_t	i;

	for (i = 0; i < sizeof(fsm_table) / sizeof(fsm_table[0]); i++) {
		if (fsm_table[i].event != event)
			continue;
		if (fsm_table[i].state == state ||
		    fsm_table[i].state == SS_ANY)
			return &fsm_table[i];
	}
	return NULL;
}

const char *
fsm_state_name(int s)
{
	if (s < 0 || s >= SS_MAX)
		return "?";
	return fsm_state_names[s];
}

const char *
fsm_event_name(int e)
{
	if (e < 0 || e >= SE_MAX)
		return "?";
	return fsm_event_names[e];
}

const char *
fsm_action_name(int a)
{
	if (a < 0 || (size_t)a >= sizeof(fsm_action_names) /
	    sizeof(fsm_action_names[0]))
		return "?";
	return fsm_action_names[a];
}

/*
 * RFC 7450 5.2.3.4.3, 5.2.3.5.3: the n-th retransmission waits a random
 * time in [initial, MIN(initial * 2^n, maximum)].
 */
uint32_t
fsm_backoff_max_ms(unsigned init_s, unsigned n, unsigned max_s)
{
	uint64_t	hi;

	if (init_s == 0)
		init_s = 1;
	if (max_s < init_s)
		max_s = init_s;
	if (n > 16)
		n = 16;
	hi = (uint64_t)init_s << n;
	if (hi > max_s)
		hi = max_s;
	return (uint32_t)(hi * 1000);
}

uint32_t
fsm_backoff_ms(unsigned init_s, unsigned n, unsigned max_s)
{
	uint32_t	lo;

	/* fsm_backoff_max_ms() never returns less than this. */
	lo = (init_s == 0 ? 1 : init_s) * 1000;
	return rand_range(lo, fsm_backoff_max_ms(init_s, n, max_s));
}
