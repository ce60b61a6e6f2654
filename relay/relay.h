/*
 * amtrelayd: daemon context and per-file prototypes.
 *
 * Ownership: main.c, keys.c, conf.c, reload.c, listen.c, message.c,
 * tunnel.c, ratelimit.c, membership.c, control.c, metrics.c (control
 * plane); forward.c (the forwarding table), upstream.c, capture.c,
 * replicate.c, batch.c, mtu.c (data plane).  The control plane tells the
 * data plane which tunnels want which flows with fwd_*(); the data plane
 * joins upstream and replicates.
 */
#ifndef AMT_RELAY_H
#define AMT_RELAY_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "amt/addr.h"
#include "amt/clock.h"
#include "amt/conf.h"
#include "amt/log.h"
#include "amt/mac.h"
#include "amt/mcast.h"
#include "amt/wire.h"

struct relayd;
struct fwd_table;
struct batches;
struct repl;
struct upstream;
struct capture;
struct ctl_server;
struct metrics;
struct pidfile;
struct ratelimit;
struct statefile;
struct html_status;
struct pool;

/*
 * Configuration: one option table (conf.c) for the command line and
 * amtrelayd.conf.  relay_addr4/6, discovery/ndiscovery and qri_ms are
 * derived from relay_addrs, discovery_addrs and qri by conf_finish().
 */
struct relay_conf {
	char		 upstream_if[32];
	struct amt_ip	 relay_addr4;		/* -a (IPv4), family 0 if none */
	struct amt_ip	 relay_addr6;		/* -a (IPv6), family 0 if none */
	struct amt_ip	 discovery[8];		/* -D, anycast allowed */
	int		 ndiscovery;
	uint16_t	 port;			/* 2268 */
	char		 ctl_path[108];		/* -S */
	unsigned	 qqi;			/* query interval, s (125) */
	uint8_t		 qrv;			/* robustness (2) */
	unsigned	 qri_ms;		/* query response interval */
	unsigned	 tunnel_timeout;	/* s; 0: QRV x QQI + QRI (R13) */
	unsigned	 key_rotate;		/* s, <= 7200 (R5) */
	unsigned	 max_tunnels;		/* R14 */
	unsigned	 max_tunnels_per_ip;
	unsigned	 max_groups;		/* per tunnel */
	unsigned	 max_sources;		/* per tunnel */
	unsigned	 request_rate;		/* Requests/s per source IP, 0 off */
	/* abuse limits: admission by prefix, upstream, policy (policy.c) */
	unsigned	 tunnel_prefix4;	/* max_tunnels_per_ip counts per */
	unsigned	 tunnel_prefix6;	/* /32 and /64 by default */
	unsigned	 new_gateway_share;	/* % of max_tunnels kept (10) */
	unsigned	 max_upstream_groups;	/* 0: sized at start (limits.c) */
	struct conf_prefixes allow_group;
	struct conf_prefixes deny_group;
	struct conf_prefixes allow_source;
	bool		 advertise_g;		/* G flag / Teardown (R3, default off) */
	bool		 linux_p_bit;		/* Q2 */
	bool		 ecn;			/* R15: honour E (default) */
	unsigned	 tunnel_mtu;		/* outer path MTU (R12), 1500 */
	int		 verbose;
	bool		 debug;
	/* operations: drain, limits, metrics */
	struct conf_addrs relay_addrs;		/* -a, one per family */
	struct conf_addrs discovery_addrs;	/* -D */
	char		 discovery_if[32];	/* tun for -D, announce.c */
	unsigned	 drain_time;		/* s, drain.c (5) */
	unsigned	 qri;			/* s */
	char		 ctl_group[32];		/* control socket group */
	char		 pid_file[256];		/* -P */
	char		 user[32];		/* -u: drop privileges to */
	int		 log_facility;		/* LOG_DAEMON */
	int		 log_level;		/* LOG_WARNING/INFO/DEBUG */
	struct sockaddr_storage metrics;	/* /metrics; family 0: off */
	unsigned	 metrics_tunnels;	/* per-tunnel samples up to */
	char		 state_file[256];	/* "none": no state file */
	struct conf_args args;			/* the command line, for reloads */
};

/* Counters, named as in the AMT YANG model. */
struct relay_stats {
	uint64_t	rx_relay_discovery;
	uint64_t	rx_request;
	uint64_t	rx_membership_update;
	uint64_t	rx_teardown;
	uint64_t	tx_relay_advertisement;
	uint64_t	tx_membership_query;
	uint64_t	err_incomplete_packet;
	uint64_t	err_invalid_mac;
	uint64_t	err_unexpected_type;
	uint64_t	err_invalid_relay_discovery_address;
	uint64_t	err_invalid_membership_request_address;
	uint64_t	err_invalid_membership_update_address;
	uint64_t	err_no_active_gateway;
	uint64_t	err_invalid_inner_header_checksum;
	uint64_t	err_invalid_inner_header;
	uint64_t	err_bad_version;
	uint64_t	gateways_timed_out;
	uint64_t	tunnels_refused;	/* R14 at capacity */
	uint64_t	limit_ignored;		/* R14 per-tunnel limit */
	uint64_t	request_rate_limited;	/* R14 --request-rate */
	uint64_t	tx_control_errors;	/* Advertisement/Query not sent */
	/* abuse limits: refusals by reason */
	uint64_t	refused_group_scope;	/* not global scope (policy.c) */
	uint64_t	refused_group_policy;	/* deny-group */
	uint64_t	refused_source_invalid;	/* not a unicast source */
	uint64_t	refused_source_policy;	/* not in allow-source */
	uint64_t	exclude_over_limit;	/* EXCLUDE too long: group dropped */
	uint64_t	tunnels_refused_prefix;	/* per-prefix limit */
	uint64_t	tunnels_refused_reserve; /* share kept for new prefixes */
	uint64_t	upstream_over_limit;	/* flows past max-upstream-groups */
	uint64_t	upstream_join_errors;	/* joins that failed (retried) */
	uint64_t	upstream_join_retries;	/* of which later joined */
	uint64_t	log_suppressed;		/* rate-limited log lines */
	uint64_t	tunnels_unreachable;	/* dropped: port unreachable */
	/* data plane */
	uint64_t	data_rx_packets;
	uint64_t	data_rx_bytes;
	uint64_t	data_tx_packets;
	uint64_t	data_tx_bytes;
	uint64_t	data_no_tunnel;
	uint64_t	data_send_errors;
	uint64_t	data_fragmented;
	uint64_t	data_too_big;
	uint64_t	data_csum_fixed;
	uint64_t	data_bad_packet;
	uint64_t	data_rx_dropped;	/* capture ring full (kernel) */
	uint64_t	data_ecn_copied;	/* R15: outer ECN set from inner */
	uint64_t	tunnels_restored;	/* from the state file at start */
};

/* One UDP socket on port 2268, bound to one local address (listen.c). */
struct listener {
	int			 fd;
	struct amt_ip		 addr;
	bool			 discovery_only;
	struct event		 ev;
	struct relayd		*rd;
	TAILQ_ENTRY(listener)	 entry;
};

/* A (gateway IP, gateway port) tunnel (R7), tunnel.c. */
struct tunnel {
	struct sockaddr_storage	 gw;		/* key: as received */
	struct listener		*lsn;		/* data leaves from here (R10) */
	uint32_t		 nonce;		/* last verified (Q1) */
	uint8_t			 mac[AMT_MAC_LEN];
	bool			 ecn;		/* R15: its MAC was for E = 1 */
	time_t			 created;
	time_t			 refreshed;
	struct event		 expire_ev;
	struct relayd		*rd;
	/* membership.c: the gateway's per-group filter state (R8) */
	void			*groups;
	unsigned		 ngroups;
	unsigned		 nsources;
	/* counters */
	uint64_t		 rx_request;
	uint64_t		 tx_query;
	uint64_t		 rx_update;
	uint64_t		 data_packets;
	uint64_t		 data_bytes;
	/* status.c: data packets, bytes at the last sample, and per s */
	uint64_t		 st_mark[2];
	uint64_t		 st_rate[2];
	/* unreach.c: ICMP port unreachable from the gateway */
	uint64_t		 unreach_ms;	/* first of this run */
	unsigned		 unreach_n;
	/* hash chaining (tunnel.c) */
	struct tunnel		*hnext;
	TAILQ_ENTRY(tunnel)	 entry;
};
TAILQ_HEAD(tunnel_list, tunnel);
TAILQ_HEAD(listener_list, listener);

/* Kinds of log lines a remote party can cause, each rate-limited. */
enum rlog_kind {
	RLOG_TUNNEL,		/* tunnel up, down, timed out, torn down */
	RLOG_POLICY,		/* groups and sources refused */
	RLOG_LIMIT,		/* per-tunnel and upstream limits reached */
	RLOG_UPSTREAM,		/* upstream joins and leaves that failed */
	RLOG_MESSAGE,		/* messages that could not be answered */
	RLOG_NKINDS
};

struct relayd {
	struct event_base	*base;
	struct relay_conf	 conf;
	struct mac_ring		 macs;
	struct listener_list	 listeners;
	/* listen.c hands every datagram received to this (main.c sets it) */
	void			(*listen_input)(struct listener *,
				    const struct sockaddr *, const uint8_t *,
				    size_t);
	/* a send on AMT socket fd reported an earlier datagram's ICMP
	 * error: its error queue is to be read (listen.c sets it) */
	void			(*icmp_seen)(struct relayd *, int);
	/* tunnel.c */
	struct tunnel		**thash;
	unsigned		 thash_size;
	uint8_t			 thash_key[16];	/* seeded bucket hash */
	struct tunnel_list	 tunnels;
	unsigned		 ntunnels;
	/* ratelimit.c: Request buckets, fixed size (R4, R14) */
	struct ratelimit	*rl;
	/* data plane */
	struct fwd_table	*fwd;
	struct batches		*batches;	/* batch.c */
	struct repl		*repl;		/* replicate.c */
	struct upstream		*up;
	struct capture		*cap;
	struct ctl_server	*ctl;
	struct event		*sig_ev[4];
	struct event		 rotate_ev;
	struct relay_stats	 stats;
	/* limits.c: rate-limited logging, then policy.c: own addresses */
	struct log_limit	 rlog[RLOG_NKINDS];
	struct event		 rlog_ev;
	struct amt_ip		*local;
	unsigned		 nlocal;
	unsigned		 max_upstream;	/* joins (max-upstream-groups) */
	unsigned		 max_upstream_socks; /* descriptors for joins */
	/* operations: the pid file, the /metrics listener */
	struct pidfile		*pidfile;
	struct metrics		*metrics;
	struct statefile	*sf;		/* statefile.c */
	struct html_status	*status;	/* status.c: GET / */
	/* a relay of a pool: announce.c, drain.c (pool.h) */
	struct pool		*pool;
	bool			 draining;	/* L in every Query */
};

/*
 * R15, RFC 9601 6.1.4: normal mode (outer ECN copied from the inner) to
 * a gateway that declared E, while `ecn yes`; compatibility mode (outer
 * ECN zero) otherwise.  Asked per packet, so a reload applies at once.
 */
static inline bool
tunnel_ecn(const struct tunnel *t)
{
	return t->ecn && t->rd->conf.ecn;
}

/* keys.c: the response MAC secrets and their rotation (R5) */
int		 keys_start(struct relayd *);
void		 keys_stop(struct relayd *);
int		 keys_arm(struct relayd *);
int		 keys_reconf(struct relayd *);

/* conf.c: command line and file into struct relay_conf */
/* argv and the file: -1 to run, or the exit code (-h, -V, -n, errors) */
int		 conf_parse(struct relay_conf *, int, char **);
/* Defaults, the file, then the command line a (kept in c->args); 0, or
 * -1 with err.  A reload passes the running args again. */
int		 conf_read(const struct conf_args *, struct relay_conf *,
		    char *, size_t);
void		 conf_print(const struct relay_conf *, FILE *);
const char	*conf_pid_file(const struct relay_conf *);
unsigned	 conf_tunnel_timeout(const struct relay_conf *);

/* reload.c: SIGHUP and `amtctl reload` (apply what can change live) */
int		 reload_conf(struct relayd *, char *, size_t);

/* metrics.c: the optional /metrics listener (Prometheus text format) */
int		 prom_start(struct relayd *);
void		 prom_stop(struct relayd *);

/* status.c: the status page on the metrics listener (GET /) */
int		 status_start(struct relayd *);
void		 status_stop(struct relayd *);

/* listen.c */
int		 listen_start(struct relayd *);
void		 listen_stop(struct relayd *);
int		 listen_send(struct listener *, const struct sockaddr *,
		    const void *, size_t);
/* errno of an ICMP error that a send reports for an earlier datagram
 * (IP_RECVERR, unreach.c): this datagram was not sent. */
static inline bool
listen_icmp_errno(int e)
{
	return e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH ||
	    e == EHOSTDOWN || e == EPROTO || e == ENONET;
}

/* unreach.c: tunnels whose gateway answers ICMP port unreachable */
int		 unreach_sockopts(int, int);
void		 unreach_read(struct listener *);
/* message.c: one handler per AMT message the relay accepts */
/* One datagram received on l (listen.c calls it as rd->listen_input). */
void		 msg_input(struct listener *, const struct sockaddr *,
		    const uint8_t *, size_t);

/* tunnel.c */
int		 tunnel_start(struct relayd *);
struct tunnel	*tunnel_find(struct relayd *, const struct sockaddr *);
struct tunnel	*tunnel_new(struct relayd *, const struct sockaddr *,
		    struct listener *);
void		 tunnel_free(struct tunnel *);
void		 tunnel_refresh(struct tunnel *);
/* R14: tunnels in the gateway's prefix (tunnel-prefix4/6) */
unsigned	 tunnel_count_prefix(struct relayd *, const struct sockaddr *);
uint64_t	 tunnel_ip_hash(const struct relayd *, const uint8_t [16]);
void		 tunnel_stop(struct relayd *);

/* ratelimit.c: --request-rate, per source IP in fixed memory (R14) */
int		 ratelimit_start(struct relayd *);
void		 ratelimit_stop(struct relayd *);
bool		 ratelimit_allow(struct relayd *, const uint8_t [16], uint32_t);

/* policy.c: which groups and sources may be joined for a gateway */
int		 policy_start(struct relayd *);
void		 policy_stop(struct relayd *);
bool		 policy_global_scope(const struct amt_ip *);
bool		 policy_group_ok(struct relayd *, const struct amt_ip *);
bool		 policy_source_ok(struct relayd *, const struct amt_ip *);
bool		 policy_asm_ok(struct relayd *);

/* limits.c: descriptors, the upstream budget, rate-limited logs */
int		 limits_start(struct relayd *);
void		 limits_stop(struct relayd *);
/*
 * Work that a burst can make large (upstream joins and leaves) is queued
 * and done from the event loop in slices of at most RELAY_SLICE_US, each
 * slice followed by a turn of the loop, so that Requests and Updates
 * from other gateways wait at most about that long.
 */
#define RELAY_SLICE_US	2000
static inline bool
relay_slice_over(uint64_t start_us)
{
	return clock_mono_us() - start_us >= RELAY_SLICE_US;
}
/* Arm ev (a timer) to run after this turn of the loop. */
static inline void
relay_slice_next(struct event *ev)
{
	struct timeval	now = { 0, 0 };

	if (!evtimer_pending(ev, NULL))
		evtimer_add(ev, &now);
}
#define rlog(rd, kind, pri, ...) \
	log_limited(&(rd)->rlog[(kind)], (pri), 0, __VA_ARGS__)

/* membership.c: RFC 3376 6.4 / RFC 3810 7.4 per tunnel (R8) */
int		 membership_apply(struct tunnel *, const struct mcast_record *);
void		 membership_clear(struct tunnel *);
/* Does tunnel t (in EXCLUDE mode for g) exclude source s? */
bool		 membership_excludes(const struct tunnel *,
		    const struct amt_ip *, const struct amt_ip *);
/* Each flow of t: (S,G) for INCLUDE sources, (NULL,G) for EXCLUDE. */
void		 membership_walk(const struct tunnel *,
		    void (*)(const struct amt_ip *, const struct amt_ip *,
		    void *), void *);

/* Each group of t: its mode, its sources (16 octets each, sorted). */
void		 membership_each(const struct tunnel *,
		    void (*)(const struct amt_ip *, bool, const uint8_t *,
		    unsigned, void *), void *);

/* statefile.c, statefile_read.c: tunnels and keys across restarts */
int		 statefile_start(struct relayd *);
void		 statefile_stop(struct relayd *);

/* announce.c, drain.c: the discovery interface and the drain */
int		 pool_start(struct relayd *);
void		 pool_stop(struct relayd *);
void		 pool_shutdown(struct relayd *);
void		 pool_drain(struct relayd *, bool);
const char	*pool_describe(struct relayd *, char *, size_t);
void		 pool_report(struct relayd *, void (*)(const char *, uint64_t,
		    bool, void *), void *);

/* control.c */
int		 control_start(struct relayd *);
void		 control_stop(struct relayd *);
void		 control_log_stats(struct relayd *);
/* Each counter of struct relay_stats with its AMT YANG name. */
void		 control_counters(struct relayd *, void (*)(const char *,
		    uint64_t, void *), void *);

/*
 * forward.c (data plane).  The control plane calls these as a tunnel's
 * state changes; the data plane joins upstream on the first interest in
 * a flow and leaves on the last (R9).  A tunnel with an EXCLUDE-mode
 * group is registered with fwd_g_add(); per packet the data plane asks
 * membership_excludes() before sending.
 */
/* Argument order everywhere: (source, group), as in "(S,G)". */
int		 fwd_start(struct relayd *);
void		 fwd_stop(struct relayd *);
int		 fwd_sg_add(struct relayd *, const struct amt_ip *,
		    const struct amt_ip *, struct tunnel *);
void		 fwd_sg_del(struct relayd *, const struct amt_ip *,
		    const struct amt_ip *, struct tunnel *);
int		 fwd_g_add(struct relayd *, const struct amt_ip *,
		    struct tunnel *);
void		 fwd_g_del(struct relayd *, const struct amt_ip *,
		    struct tunnel *);
/* Remove a tunnel from every flow at once (Teardown, expiry). */
void		 fwd_tunnel_gone(struct relayd *, struct tunnel *);
/* For `show flows`: calls cb for each flow with its tunnel count. */
void		 fwd_walk(struct relayd *, void (*)(const struct amt_ip *,
		    const struct amt_ip *, unsigned, void *), void *);

/* upstream.c: host joins on the upstream interface (R9) */
#define UPSTREAM_FULL	(-2)	/* upstream_join: max-upstream-groups */
int		 upstream_start(struct relayd *);
void		 upstream_stop(struct relayd *);
int		 upstream_join(struct relayd *, const struct amt_ip *,
		    const struct amt_ip *);
unsigned	 upstream_count(const struct relayd *);
void		 upstream_leave(struct relayd *, const struct amt_ip *,
		    const struct amt_ip *);

/* batch.c, replicate.c: the send batches, then replication to tunnels */
int		 batch_start(struct relayd *);
void		 batch_stop(struct relayd *);
int		 repl_start(struct relayd *);
void		 repl_stop(struct relayd *);

/* capture.c: native multicast from the upstream interface (R10) */
int		 capture_start(struct relayd *);
void		 capture_stop(struct relayd *);

#endif
