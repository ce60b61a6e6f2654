/*
 * amtgwd --driad (RFC 8777): the state of each source of an (S,G) join,
 * the relay sessions they use, and the relays held down.  Shared by
 * driad.c (look-ups, choice of relay), driad_relay.c (sessions per relay
 * and hold-downs) and driad_show.c (what amtctl shows).
 */
#ifndef AMT_GATEWAY_DRIAD_H
#define AMT_GATEWAY_DRIAD_H

#include <sys/queue.h>
#include <stdbool.h>
#include <stdint.h>

#include "amt/driad.h"
#include "gateway.h"
#include "resolve.h"

#define DRIAD_TTL_FLOOR		30	/* s: re-query no sooner */
#define DRIAD_NODATA_INIT	4	/* RFC 8777 3.3.4.1: initial_timeout */
#define DRIAD_NODATA_MAX	120	/* and maximum_timeout */
#define DRIAD_WHY_LEN		96

enum dsrc_state {
	DS_LOOKING = 0,		/* AMTRELAY query in flight */
	DS_READY,		/* a relay serves it */
	DS_NO_AMT,		/* type 0: no AMT for this source */
	DS_NO_RELAY,		/* no usable record */
	DS_BACKOFF,		/* DNS failed: asking again later */
	DS_HELD,		/* every candidate held down */
};

struct dsess;

/* One source of an (S,G) join in the local membership. */
struct dsrc {
	TAILQ_ENTRY(dsrc)	 entry;
	struct driad		*d;
	struct amt_ip		 src;
	enum dsrc_state		 state;
	struct resolve_lookup	*lookup;
	struct event		*timer;		/* retry, re-query, hold */
	unsigned		 dns_retry;
	uint32_t		 wait_ms;	/* current back-off */
	struct driad_cand	 cand[RESOLVE_MAX_CAND];
	size_t			 ncand;
	struct driad_cand	 used;		/* candidate in use */
	struct dsess		*ds;		/* serving DRIAD session */
	bool			 fallback;	/* served by gw->sess */
	unsigned		 nodata;	/* no-data hold-downs in a row */
	char			 why[DRIAD_WHY_LEN];
	bool			 mark;
};
TAILQ_HEAD(dsrc_list, dsrc);

/* A session to one relay (or discovery address) from AMTRELAY (D4). */
struct dsess {
	TAILQ_ENTRY(dsess)	 entry;
	struct session		 s;
	struct amt_ip		 addr;
	bool			 d;		/* D=1: Request at once */
	size_t			 nsrc;
	struct event		*data_ev;	/* RFC 8777 3.3.4.1 */
	uint64_t		 data_mark;
	bool			 data_ok;
	bool			 failed;
	char			 fail_why[48];
};
TAILQ_HEAD(dsess_list, dsess);

/* A relay not to use until a time (D5). */
struct dhold {
	TAILQ_ENTRY(dhold)	 entry;
	struct amt_ip		 addr;
	uint64_t		 until;		/* clock_mono_ms */
	char			 why[48];
};
TAILQ_HEAD(dhold_list, dhold);

struct driad {
	struct gateway		*gw;
	struct resolve		*res;
	struct dsrc_list	 srcs;
	struct dsess_list	 sess;
	struct dhold_list	 holds;
	struct event		*gc_ev;
};

/* driad_relay.c: sessions per relay, their health, hold-downs. */
struct dsrc		*driad_find(struct driad *, const struct amt_ip *);
void			 driad_timer_ms(struct event *, uint32_t);
const struct dhold	*driad_held(struct driad *, const struct amt_ip *);
struct dsess		*dsess_get(struct driad *, const struct driad_cand *);
void			 dsess_free(struct driad *, struct dsess *);
void			 driad_gc_soon(struct driad *);
/* The session hooks (gateway.h). */
bool			 driad_serves(struct session *, const struct amt_ip *);
void			 driad_session_up(struct session *);
bool			 driad_session_failed(struct session *, const char *);
bool			 driad_advert_held(struct session *);

/* driad_show.c: JSON for amtctl. */
struct json_t;
void		 driad_show_session(struct session *, struct json_t *);
struct json_t	*driad_show_sources(struct gateway *);
const char	*driad_state_str(const struct dsrc *, char *, size_t);

#endif
