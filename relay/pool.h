/*
 * A relay in a pool (announce.c, drain.c, discif.c): its discovery
 * addresses announced on the discovery interface while it is healthy,
 * and the drain that sends its gateways to the other relays.
 */
#ifndef AMT_RELAY_POOL_H
#define AMT_RELAY_POOL_H

#include "relay.h"

/* The discovery interface (discif.c). */
struct discif {
	int		 tun;		/* kept open: the interface lives */
	int		 nl;		/* rtnetlink, for the addresses */
	int		 ifindex;
	uint32_t	 seq;
};

struct pool {
	struct relayd	*rd;
	struct discif	 di;
	bool		 has_if;	/* --discovery-interface given */
	bool		 announced;
	bool		 stopping;	/* shutdown: withdrawn for good */
	int		 ioc;		/* socket for SIOCGIFFLAGS */
	const char	*why;		/* why withdrawn, NULL if announced */
	unsigned	 retry_wait;	/* checks before adding them again */
	uint64_t	 announcements;
	uint64_t	 withdrawals;
	struct event	*check_ev;
	/* drain.c */
	struct event	*drain_ev;
	uint64_t	 drain_end_ms;	/* monotonic */
	bool		 drain_done;	/* the tunnels were ended */
	uint64_t	 drain_ended;	/* tunnels ended by drains */
};

/* discif.c */
int	discif_open(struct discif *, const char *);
void	discif_close(struct discif *);
int	discif_set(struct discif *, const struct relay_conf *, bool);

/* drain.c */
int	drain_init(struct pool *);
void	drain_free(struct pool *);
void	drain_set(struct pool *, bool);

#endif
