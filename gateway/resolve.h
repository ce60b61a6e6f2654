/*
 * DRIAD look-ups (RFC 8777) with c-ares on the gateway's event_base: the
 * AMTRELAY records at the reverse name of a source, CNAME/DNAME chains
 * followed, type 3 names resolved with A and AAAA, and the relay
 * candidates handed back in the order to try them (D1, D2).  What to do
 * with them (D3-D6), and when to ask again, is the caller's.
 */
#ifndef AMT_GATEWAY_RESOLVE_H
#define AMT_GATEWAY_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "amt/addr.h"
#include "amt/driad.h"

struct event_base;
struct resolve;
struct resolve_lookup;

#define RESOLVE_MAX_CAND	64

enum resolve_status {
	RESOLVE_OK,		/* cand[0..ncand) in the order to try */
	RESOLVE_NO_AMT,		/* type 0: no AMT for this source */
	RESOLVE_NO_RELAY,	/* NXDOMAIN, no data, nothing usable */
	RESOLVE_RETRY,		/* SERVFAIL, timeout, refused, bad answer:
				 * ask again after driad_backoff_ms() */
};

struct resolve_result {
	enum resolve_status	 status;
	const char		*why;		/* for the log */
	struct amt_ip		 source;
	const struct driad_cand	*cand;
	size_t			 ncand;
	uint32_t		 ttl;		/* smallest TTL used */
	unsigned		 nunknown;	/* undefined types */
	unsigned		 nbad;		/* malformed, skipped */
};

/*
 * Called once per look-up, from its own event (never from inside
 * resolve_amtrelay()), never after resolve_cancel() or resolve_free().
 * The result lives until the callback returns; the look-up handle is
 * gone once the callback runs (do not cancel it there).
 */
typedef void (*resolve_cb)(const struct resolve_result *, void *);

struct resolve_opts {
	int		 timeout_ms;	/* per try; 0: c-ares default */
	int		 tries;		/* 0: c-ares default */
	struct driad_pref pref;		/* families usable, preferred */
};

/*
 * server: "addr", "addr:port" or "[v6]:port", several comma-separated;
 * NULL: the system's resolv.conf.  opts may be NULL.  NULL on failure.
 */
struct resolve		*resolve_new(struct event_base *, const char *,
			    const struct resolve_opts *);
/* Ends every look-up in flight without calling back. */
void			 resolve_free(struct resolve *);
struct resolve_lookup	*resolve_amtrelay(struct resolve *,
			    const struct amt_ip *, resolve_cb, void *);
void			 resolve_cancel(struct resolve_lookup *);
const char		*resolve_status_str(enum resolve_status);

#endif
