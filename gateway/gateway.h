/*
 * amtgwd: daemon context and per-file prototypes.
 *
 * One gateway owns one tun interface (the pseudo-interface of RFC 7450
 * 5.2.2), a local membership database learnt from the kernel's IGMP/MLD
 * reports on that tun, and its relay sessions (the default one, and with
 * --driad one per relay): the discovery / request / query state machine
 * of RFC 7450 5.2.3 with its UDP sockets.
 */
#ifndef AMT_GATEWAY_H
#define AMT_GATEWAY_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "amt/addr.h"
#include "amt/conf.h"
#include "amt/ecn.h"
#include "amt/mcast.h"
#include "amt/wire.h"

struct gateway;
struct ctl_server;
struct metrics;
struct pidfile;
struct html_status;

#define GW_CTL_PATH		"/run/amtgwd.sock"
#define GW_TUN_NAME		"amt0"
/* RFC 3927 link-local: never routed, never leaves the host. */
#define GW_TUN_ADDR4		"169.254.99.1"
#define GW_TUN_ADDR6		"fe80::a:1"
#define GW_MAX_TIMEOUT		120	/* RFC 7450 5.2.3.4.3 maximum_timeout */
#define GW_HOLDDOWN		600	/* RFC 8777 3.3.5: about 10 minutes */
#define GW_RX_BATCH		32
/* Largest UDP payload the kernel can hand over (65535 - UDP header). */
#define GW_RX_BUFSZ		(65535 - 8)
#define GW_TUN_BURST		64	/* tun reads per callback */
#define GW_HOLD_MAX		8

/* conf.c: configuration from the command line and amtgwd.conf. */
#define GW_PID_PATH		"/run/amtgwd.pid"
#define GW_PATH_MAX		108	/* sun_path of the control socket */
#define GW_USER_MAX		64

struct gw_conf {
	bool			 debug;		/* -d: foreground, stderr */
	int			 verbose;	/* -v count */
	bool			 discovery;	/* peer is a discovery addr */
	struct sockaddr_storage	 peer;		/* discovery or relay addr */
	struct sockaddr_storage	 disc_opt;	/* -r / discovery */
	struct sockaddr_storage	 relay_opt;	/* -R / relay */
	bool			 ipv6;		/* -6: IPv6 anycast default */
	uint16_t		 port;		/* relay UDP port, 2268 */
	char			 tun_name[IFNAMSIZ];
	char			 ctl_path[GW_PATH_MAX];
	char			 pid_path[GW_PATH_MAX];
	char			 user[GW_USER_MAX];	/* "": stay */
	bool			 keep_net_admin; /* CAP_NET_ADMIN kept */
	int			 log_facility;	/* LOG_DAEMON */
	int			 log_level;	/* LOG_INFO */
	struct sockaddr_storage	 metrics;	/* family 0: no listener */
	struct in_addr		 tun_addr4;
	unsigned		 tun_plen4;
	struct in6_addr		 tun_addr6;
	unsigned		 mtu;		/* 0: from the route */
	unsigned		 disc_timeout;	/* initial, seconds */
	unsigned		 req_timeout;	/* initial, seconds */
	unsigned		 req_retries;	/* then rediscover */
	unsigned		 keepalive;	/* 0: QQI only (G5) */
	unsigned		 holddown;	/* after L (G10) */
	unsigned		 max_timeout;	/* back-off cap, 120 s */
	bool			 keep_rp_all;	/* never touch conf/all */
	bool			 ecn;		/* RFC 9601: E, propagate */
	/* liveness.c: silent flows and a lost relay (G5, G9) */
	unsigned		 silence_ms;	/* 0: no probes */
	unsigned		 probe_first_ms;
	unsigned		 probe_max_ms;
	unsigned		 probe_quick_ms;
	unsigned		 probe_retries;	/* then rediscover */
	/* RFC 8777 DRIAD (used with --driad). */
	bool			 driad;
	struct sockaddr_storage	 resolver;	/* family 0: resolv.conf */
	struct sockaddr_storage	 fallback_relay; /* (*,G), no AMTRELAY */
	unsigned		 driad_holddown;
	unsigned		 driad_dns_max_backoff;
	/* The command line, applied again over the file on reload. */
	struct conf_args	 args;
};

/*
 * Data not delivered to the host (G12), by reason: named "data-NAME" in
 * show stats and amt_gateway_data_NAME_total in /metrics
 * (relaysock.c: gw_drop_names).
 */
enum gw_drop {
	GD_PASS = 0,
	GD_NOT_JOINED,		/* group not joined on the tun */
	GD_SOURCE_EXCLUDED,	/* source not allowed by its filter */
	GD_LINK_LOCAL,		/* 224.0.0.0/24, ff0x::/16 scope <= 2 */
	GD_CONTROL_PROTOCOL,	/* IGMP, MLD, any ICMPv6 */
	GD_MALFORMED,		/* inner header does not hold */
	GD_MAX
};
extern const char *const gw_drop_names[GD_MAX];

/* Gateway counters (names of the AMT YANG draft where there is one). */
struct gw_stats {
	uint64_t	tun_reports;		/* IGMP/MLD reports read */
	uint64_t	tun_ignored;		/* other packets from the tun */
	uint64_t	tun_bad_report;		/* failed mcast_report_parse */
	uint64_t	tun_read_errors;
	uint64_t	tun_too_big;		/* read longer than the MTU */
	uint64_t	tun_write_errors;
	uint64_t	tun_queries;		/* General Queries injected */
	uint64_t	linklocal_records;	/* link-scope groups not sent */
	uint64_t	rx_datagrams;
	uint64_t	rx_truncated;
	uint64_t	rx_bad_message;		/* amt_decode failed */
	uint64_t	unexpected_type;
	uint64_t	data_not_multicast;
	uint64_t	data_unexpected_source;
	uint64_t	data_drops[GD_MAX];	/* G12, by enum gw_drop */
	uint64_t	ecn_ce_drops;		/* outer CE, inner Not-ECT */
	uint64_t	ecn_ce_marked;		/* inner set to CE */
	uint64_t	ecn_alarms;		/* RFC 6040 (!!!) pairs */
	uint64_t	advert_ignored;
	uint64_t	query_ignored;
	uint64_t	icmp_errors;
	uint64_t	send_errors;
};

/* membership.c: local membership database (the kernel's host state). */
enum lm_mode {
	LM_INCLUDE = 0,
	LM_EXCLUDE = 1,
};

struct lgroup {
	TAILQ_ENTRY(lgroup)	 entry;
	LIST_ENTRY(lgroup)	 hentry;	/* lmdb index */
	struct amt_ip		 group;
	enum lm_mode		 mode;
	struct amt_ip		*srcs;
	size_t			 nsrc;
	size_t			 cap;
	unsigned		 rexmit;	/* state-change repeats left */
};
TAILQ_HEAD(lgroup_list, lgroup);
LIST_HEAD(lgroup_bucket, lgroup);

#define LMDB_BUCKETS	256	/* a power of two */
struct lmdb {
	struct lgroup_list	 groups;
	struct lgroup_bucket	 index[LMDB_BUCKETS];
	size_t			 ngroups;
};

void		 lmdb_init(struct lmdb *);
void		 lmdb_clear(struct lmdb *);
struct lgroup	*lmdb_find(struct lmdb *, const struct amt_ip *);
/* Apply one record as the host reported it; true if state changed. */
bool		 lmdb_apply(struct lmdb *, const struct mcast_record *);
/* The same for an IGMPv2/MLDv1 record: source-specific state is kept. */
bool		 lmdb_apply_old(struct lmdb *, const struct mcast_record *);
void		 lmdb_prune(struct lmdb *);
bool		 lmdb_rexmit_done(struct lmdb *);
bool		 lgroup_active(const struct lgroup *);
bool		 lmdb_has_family(const struct lmdb *, int);
size_t		 lmdb_count(const struct lmdb *, int);
bool		 mcast_is_linklocal(const struct amt_ip *);
/* 0 if Data from src to group may reach the host, else a GD_* reason. */
int		 lmdb_permits(struct lmdb *, const struct amt_ip *,
		    const struct amt_ip *);
/* Record describing a group's current state (IS_IN / IS_EX or TO_*). */
void		 lgroup_record(const struct lgroup *, bool, struct mcast_record *,
		    uint8_t *, size_t);

/* fsm.c: the session state machine table (pure, unit tested). */
enum sess_state {
	SS_INITIAL = 0,
	SS_DISCOVERING,
	SS_REQUESTING,
	SS_UP,
	SS_DOWN,
	SS_MAX
};
#define SS_ANY		0xff	/* table: any state */
#define SS_ACT		0xfe	/* table: the action decides */
#define SS_SAME		0xfd	/* table: stay */

enum sess_event {
	SE_START = 0,		/* pseudo-interface enabled */
	SE_ADVERT,		/* valid Relay Advertisement */
	SE_DISC_TIMEOUT,	/* no Advertisement yet */
	SE_REQ_TIMEOUT,		/* no Query yet */
	SE_REQ_GIVEUP,		/* Request retries exhausted */
	SE_QUERY,		/* valid Membership Query */
	SE_QUERY_L,		/* valid Query with the L flag */
	SE_G_CHANGE,		/* Query gateway fields changed (NAT) */
	SE_QUERY_TIMER,		/* next membership update cycle */
	SE_ICMP_ERR,		/* ECONNREFUSED / unreachable */
	SE_G_JOIN,		/* local state changed */
	SE_STOP,		/* shutdown */
	SE_MAX
};

enum sess_action {
	SA_NONE = 0,
	SA_START,		/* discovery or first Request */
	SA_DISC_RESEND,		/* same nonce, backoff */
	SA_ADVERT,		/* take the relay, first Request */
	SA_REQ_RESEND,		/* same nonce, backoff */
	SA_REQ_GIVEUP,		/* rediscover, or new cycle */
	SA_QUERY,		/* save nonce/MAC, send state, timer */
	SA_LIMIT,		/* L: hold down, rediscover */
	SA_TEARDOWN,		/* G fields changed: Teardown the old */
	SA_NEW_CYCLE,		/* new Request cycle, new nonce */
	SA_ICMP,		/* back off */
	SA_SEND_CHANGE,		/* send local change if we can */
	SA_STOP,		/* Teardown or delete-all Update */
	SA_MAX
};

struct sess_trans {
	uint8_t		state;		/* SS_* or SS_ANY */
	uint8_t		event;
	uint8_t		action;
	uint8_t		next;		/* SS_*, SS_ACT or SS_SAME */
};

const struct sess_trans	*fsm_lookup(int, int);
const char		*fsm_state_name(int);
const char		*fsm_event_name(int);
const char		*fsm_action_name(int);
/* RFC 7450 5.2.3.4.3: upper bound of the n-th retransmission, in ms. */
uint32_t		 fsm_backoff_max_ms(unsigned, unsigned, unsigned);
uint32_t		 fsm_backoff_ms(unsigned, unsigned, unsigned);

/* session.c: one relay session (pseudo-interface). */
struct sess_hold {
	struct sockaddr_storage	 relay;
	uint64_t		 until;		/* clock_mono_ms */
};

struct sess_counters {
	uint64_t	relay_discovery;	/* sent */
	uint64_t	relay_advertisement;	/* accepted */
	uint64_t	request;		/* sent */
	uint64_t	membership_query;	/* accepted */
	uint64_t	membership_update;	/* sent */
	uint64_t	teardown;		/* sent */
	uint64_t	data_packets;
	uint64_t	data_bytes;
	uint64_t	limited;		/* Queries with L */
	uint64_t	icmp_errors;
	uint64_t	transitions;
	uint64_t	probes;			/* liveness.c */
	uint64_t	silences;
	uint64_t	recoveries;
	/* interop.c, session_input.c: relays in the field */
	uint64_t	stale_queries;		/* nonce not the last Request's */
	uint64_t	other_family;		/* Query of a family not asked */
	uint64_t	layout_switches;	/* Request layout changed */
};

/* liveness.c: silence of the joined flows, probes of the relay. */
struct sess_live {
	struct event	*ev;		/* the silence check */
	uint64_t	 last_pkts;	/* data_packets at the last check */
	uint64_t	 last_data;	/* clock_mono_ms of the last data */
	uint64_t	 calm_since;	/* end of the last silent period */
	uint64_t	 next_probe;	/* earliest probe while answered */
	uint64_t	 probe_t0;	/* clock_mono_ms of the unanswered probe */
	bool		 had_data;
	bool		 silent;	/* in a silent period */
	bool		 probed;	/* a probe went in this period */
	bool		 probing;	/* a probe not answered yet */
	unsigned	 step;		/* its retransmissions so far */
	unsigned	 answered;	/* probes answered, still silent */
};

/* interop.c: the layout of octet 1 of a Request (Q2). */
enum sess_layout {
	SL_RFC = 0,		/* RFC 7450 P 0x01, RFC 9601 E 0x02 */
	SL_LINUX,		/* drivers/net/amt.c: P 0x80, nothing else */
	SL_MAX
};

struct dsess;

struct session {
	struct gateway		*gw;
	TAILQ_ENTRY(session)	 entry;		/* gw->sessions, not the default */
	struct dsess		*dr;		/* its owner's; NULL: default */
	int			 state;
	bool			 use_discovery;
	struct sockaddr_storage	 disc_sa;	/* discovery addr:port */
	struct sockaddr_storage	 relay_sa;	/* relay addr:port */
	bool			 have_relay;
	int			 disc_fd;
	struct event		*disc_ev;
	int			 fd;		/* connected to the relay */
	struct event		*rd_ev;
	unsigned		 sock_gen;	/* bumped on close */
	struct event		*timer;		/* rexmit / query timer */
	struct event		*td_ev;		/* Teardown repeats */
	uint32_t		 disc_nonce;
	unsigned		 disc_retry;
	uint32_t		 req_nonce;
	unsigned		 req_retry;
	unsigned		 req_fams;	/* bit 0: IGMPv3, bit 1: MLDv2 */
	uint8_t			 req_layout;	/* enum sess_layout */
	unsigned		 got_fams;
	/* Saved from the last accepted Query (RFC 7450 5.2.3.5.4). */
	bool			 have_query;
	uint32_t		 q_nonce;
	uint8_t			 q_mac[AMT_MAC_LEN];
	bool			 q_g;
	uint16_t		 q_gw_port;
	uint8_t			 q_gw_addr[16];
	uint8_t			 qrv;
	unsigned		 qqi;
	bool			 limited;	/* last Query had L */
	bool			 reported;	/* Updates with groups sent */
	bool			 queried_tun;	/* GQ injected since UP */
	unsigned		 icmp_streak;
	unsigned		 l_streak;
	/* Teardown retransmissions (G8). */
	struct amt_msg		 td_msg;
	unsigned		 td_left;
	struct sess_hold	 hold[GW_HOLD_MAX];
	time_t			 since;		/* epoch, for show */
	unsigned		 busy;		/* inside an action */
	bool			 pending_icmp;	/* ICMP met by an action */
	/* event context for the actions */
	const struct amt_msg	*ev_msg;
	const struct mcast_query *ev_query;
	const struct mcast_report *ev_report;
	struct sess_counters	 cnt;
	struct sess_live	 live;
};

int		 session_init(struct gateway *, struct session *);
void		 session_free(struct session *);
void		 session_fsm(struct session *, int);
void		 session_recv_advert(struct session *, const struct amt_msg *,
		    bool);
void		 session_recv_query(struct session *, const struct amt_msg *);
void		 session_icmp(struct session *, int);
void		 session_local_change(struct session *,
		    const struct mcast_report *);
bool		 session_held_down(struct session *, const struct sockaddr *,
		    uint64_t);
void		 session_timers_changed(struct session *,
		    const struct gw_conf *);
const char	*session_relay_str(struct session *, char *, size_t);
/* The req_fams / got_fams bit of a Query's family. */
#define SESS_FAM_V4	0x01
#define SESS_FAM_V6	0x02
int		 session_query_family(const struct mcast_query *);

/* interop.c */
const char	*interop_layout_name(int);
uint8_t		 interop_req_flags(const struct session *, bool, uint8_t);
void		 interop_req_unanswered(struct session *);
void		 interop_relay_changed(struct session *);

/*
 * A feature that owns sessions of its own (--driad: driad.c) plugs into
 * the core through these, registered at its start; without one (NULL)
 * there is the default session alone and it carries everything.
 */
struct json_t;
struct session_hooks {
	/* session.c: s is up (a Query came) */
	void		 (*up)(struct session *);
	/* session.c: s's relay failed; true: the owner acts, not s */
	bool		 (*failed)(struct session *, const char *);
	/* session.c: s was advertised a relay the owner keeps away from */
	bool		 (*advert_held)(struct session *);
	/* update.c: does s carry source src (NULL: any-source records)? */
	bool		 (*serves)(struct session *, const struct amt_ip *);
	/* sessions.c: the local membership changed (after the sessions) */
	void		 (*membership)(struct gateway *);
	/* sessions.c: the default session's peer changed on reload */
	int		 (*reload_default)(struct gateway *);
	/* control.c: "show sessions" (more of s), "show sources" */
	void		 (*show_session)(struct session *, struct json_t *);
	struct json_t	*(*show_sources)(struct gateway *);
};

/*
 * sessions.c: the gateway's sessions, the default one first; the repeats
 * of state changes (G6) to every one of them.
 */
int		 sessions_start(struct gateway *);
void		 sessions_free(struct gateway *);
void		 sessions_run(struct gateway *);
void		 sessions_stop(struct gateway *);
struct session	*sessions_next(struct gateway *, struct session *);
void		 sessions_add(struct gateway *, struct session *);
void		 sessions_remove(struct gateway *, struct session *);
/* The message counters of every session added up (show stats). */
void		 sessions_totals(struct gateway *, struct sess_counters *);
void		 sessions_local_change(struct gateway *,
		    const struct mcast_report *, bool);
void		 sessions_rexmit_schedule(struct gateway *);
int		 sessions_reset_default(struct gateway *);
int		 sessions_restart_default(struct gateway *);

/* update.c: Membership Updates and Teardowns on the wire. */
void		 update_send_state(struct session *, int);
void		 update_send_change(struct session *);
void		 update_rexmit(struct session *);
void		 update_delete_all(struct session *);
void		 update_block_source(struct session *, const struct amt_ip *);
void		 teardown_start(struct session *);
void		 teardown_send_now(struct session *);
void		 teardown_send_local(struct session *);
void		 teardown_cb(evutil_socket_t, short, void *);

/*
 * relaysock.c: the sockets of a session to its relay: control messages
 * and data.  What is not data goes up through the gateway's input,
 * registered at start (session_input.c).
 */
struct relaysock_input {
	void	(*advert)(struct session *, const struct amt_msg *, bool);
	void	(*query)(struct session *, const struct amt_msg *);
	void	(*icmp)(struct session *, int);
};
int		 relaysock_start(struct gateway *);
void		 relaysock_stop(struct gateway *);
int		 relaysock_open(struct session *, const struct sockaddr *);
void		 relaysock_close(struct session *);
int		 relaysock_open_discovery(struct session *);
void		 relaysock_close_discovery(struct session *);
int		 relaysock_send(struct session *, int, const struct amt_msg *);

/* liveness.c */
int		 liveness_init(struct session *);
void		 liveness_free(struct session *);
bool		 liveness_backoff(struct session *, uint32_t *);
unsigned	 liveness_req_retries(const struct session *);
void		 liveness_icmp(struct session *);
void		 liveness_moved(struct session *, int);

/* session_input.c */
extern const struct relaysock_input session_input;

/* ecn.c: RFC 6040 4.2 egress, RFC 9601 6.1.4 (pure, unit tested). */
#define ECN_DROP	0xff	/* not a codepoint (amt/ecn.h): drop */
uint8_t		 ecn_egress(uint8_t, uint8_t);
bool		 ecn_egress_alarm(uint8_t, uint8_t);
uint16_t	 ecn_csum_update(uint16_t, uint16_t, uint16_t);
int		 ecn_decap(uint8_t *, size_t, uint8_t, struct gw_stats *);

/* tun.c: the pseudo-interface. */
struct gw_tun {
	int		 fd;
	int		 ifindex;
	char		 name[IFNAMSIZ];
	unsigned	 mtu;
	bool		 created;
	bool		 have_v6;
	struct event	*ev;
};

int		 tun_open(struct gateway *);
void		 tun_close(struct gateway *);
int		 tun_write(struct gateway *, const uint8_t *, size_t);
unsigned	 tun_mtu_for(const struct sockaddr *, unsigned);
size_t		 tun_update_max(const struct gateway *);
void		 tun_inject_queries(struct gateway *);

/* local.c: packets the kernel sends into the tun. */
int		 local_start(struct gateway *);
void		 local_stop(struct gateway *);
void		 local_input(struct gateway *, const uint8_t *, size_t);

/* control.c */
int		 control_start(struct gateway *);
void		 control_stop(struct gateway *);
void		 control_log_stats(struct gateway *);

/* conf.c */
int		 conf_parse(struct gw_conf *, int, char **);
void		 conf_print(const struct gw_conf *, FILE *);
int		 conf_reread(const struct gw_conf *, struct gw_conf *, char *,
		    size_t);

struct gateway {
	struct event_base	*base;
	struct gw_conf		 conf;
	struct gw_tun		 tun;
	struct lmdb		 db;
	struct session		 sess;		/* the default session */
	TAILQ_HEAD(, session)	 sessions;	/* the others (sessions.c) */
	struct event		*rexmit_ev;	/* state-change repeats (G6) */
	const struct session_hooks *hooks;	/* NULL: no owner */
	const struct relaysock_input *input;
	struct driad		*driad;		/* --driad: driad.c */
	struct gw_stats		 st;
	uint64_t		 drop_logged[GD_MAX]; /* clock_mono_ms */
	struct sess_counters	 sess_gone;	/* of sessions replaced */
	struct ctl_server	*ctl;
	struct metrics		*metrics;
	struct html_status	*status;	/* status.c: GET / */
	struct pidfile		*pf;
	struct event		*sig_ev[4];
	bool			 stopping;
	size_t			 started;	/* modules of main.c */
	/* receive batch shared by the relay sockets (one loop) */
	uint8_t			*rx_buf;
	/* the send path, sized to the path MTU at start (relaysock.c) */
	uint8_t			*tx_buf;	/* one encoded message */
	uint8_t			*upd_pkt;	/* one inner report */
	uint8_t			*upd_srcs;	/* its source lists */
	size_t			 tx_buflen;
	/* one packet from the tun: MTU + 1 (longer reads are counted) */
	uint8_t			*tun_buf;
	size_t			 tun_buflen;
};

/*
 * driad.c (built with c-ares; driad_none.c without): RFC 8777 relays per
 * source (--driad), sessions per relay, through the session hooks.
 */
int		 driad_start(struct gateway *);
void		 driad_free(struct gateway *);
/* Relays held down now (D5); 0 without DRIAD. */
unsigned	 driad_held_count(struct gateway *);

/* main.c */
void		 gateway_stop(struct gateway *);

/* reload.c: SIGHUP and the control socket's reload, log levels. */
int		 reload_conf(struct gateway *, char *, size_t);
void		 reload_log_apply(const struct gw_conf *);

/* metrics.c: the optional /metrics listener (Prometheus text). */
int		 gwmetrics_start(struct gateway *);
void		 gwmetrics_stop(struct gateway *);

/* status.c: the status page on the metrics listener (GET /). */
int		 gwstatus_start(struct gateway *);
void		 gwstatus_stop(struct gateway *);

#endif
