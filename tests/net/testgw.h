/*
 * amt-testgw: a message-level AMT gateway for the relay's network
 * scenarios.  One process runs one or many gateways (one UDP socket each)
 * against a relay: Discovery, Request, Query, Updates built from records
 * given on the command line, Teardown, periodic Request cycles, Data
 * counted per (S,G); and attack modes (random and mutated messages,
 * forged MACs, Requests from spoofed sources).  Everything it saw is
 * printed as one JSON document at the end.
 *
 * amt-testgw.c: options, main loop.  testgw-session.c: one gateway's
 * exchange.  testgw-report.c: records and Updates.  testgw-flow.c: Data
 * per (S,G).  testgw-attack.c: hostile traffic.  testgw-output.c: the
 * JSON report.
 */
#ifndef TESTGW_H
#define TESTGW_H

#include <sys/socket.h>
#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <jansson.h>

#include "amt/addr.h"
#include "amt/mcast.h"
#include "amt/wire.h"

#define TG_QUERY_SLOW_MS 50
#define TG_MAX_RECS	256
#define TG_MAX_SRCS	16
#define TG_MAX_PHASES	8
#define TG_MAX_BURST	32
#define TG_MAX_FLOWS	4096
#define TG_BUFSZ	65536

/* One record of a report, as given on the command line. */
struct tg_rec {
	uint8_t		 type;		/* enum mcast_rec_type */
	struct amt_ip	 group;
	struct amt_ip	 srcs[TG_MAX_SRCS];
	uint16_t	 nsrc;
};

/* The records sent in one phase (phases advance on SIGUSR1 / --step). */
struct tg_phase {
	struct tg_rec	 recs[TG_MAX_RECS];
	int		 nrecs;
	bool		 v2;		/* IGMPv2 / MLDv1 reports */
	bool		 teardown;	/* send a Teardown in this phase */
	bool		 bad_teardown;	/* ... with a wrong MAC (R11) */
};

struct tg_conf {
	struct sockaddr_storage	 relay;		/* -r */
	struct sockaddr_storage	 disco;		/* -D */
	struct sockaddr_storage	 bind;		/* -b addr[:port] */
	bool			 have_relay;
	bool			 have_disco;
	int			 ngw;		/* -n */
	uint8_t			 req_flags;	/* octet 1 of the Request */
	bool			 req9;		/* 9-byte Request (Q1) */
	struct tg_phase		 phases[TG_MAX_PHASES];
	int			 nphases;
	double			 duration;	/* -t */
	double			 step;		/* --step: phase period */
	double			 refresh;	/* --refresh: Request cycle */
	bool			 keep_first;	/* --keep-first (VLC, Q1) */
	bool			 spread;	/* --spread: S + gateway index */
	double			 update_delay;	/* --update-delay */
	bool			 teardown_exit;	/* --teardown-at-exit */
	bool			 bad_mac;	/* --bad-mac: forged Update MACs */
	int			 burst;		/* Requests per cycle (Q4) */
	int			 retries;	/* Request retransmissions */
	double			 start_rate;	/* gateways started per second */
	uint64_t		 expect;	/* data packets per gateway */
	bool			 discover_only;	/* stop after the Advertisement */
	bool			 verbose;
	struct amt_ip		 report_src4;	/* inner source of reports */
	struct amt_ip		 report_src6;
	/* attack */
	unsigned		 atk_random;
	unsigned		 atk_mutate;
	unsigned		 atk_forge;
	unsigned		 atk_spoof;
	unsigned		 atk_rate;	/* messages per second */
	double			 atk_delay;	/* seconds before the attack */
	struct amt_ip		 spoof_net;
	int			 spoof_plen;
};

enum tg_state {
	TG_IDLE,
	TG_DISCOVERING,
	TG_REQUESTING,
	TG_UP,
	TG_DONE,
};

struct tg;
struct tg_attack;

/* One gateway: one UDP socket. */
struct tg_gw {
	struct tg		*tg;
	int			 idx;
	int			 fd;
	struct event		 rd_ev;
	struct event		 tm_ev;
	struct sockaddr_storage	 local;
	struct sockaddr_storage	 relay;
	struct amt_ip		 rsrc4;		/* inner source of IGMP reports */
	enum tg_state		 state;
	uint32_t		 disco_nonce;
	uint32_t		 nonces[TG_MAX_BURST];
	int			 nnonces;
	int			 tries;
	bool			 have_q;
	uint32_t		 q_nonce;	/* last verified Query */
	uint8_t			 q_mac[AMT_MAC_LEN];
	int			 phase;
	bool			 pending;	/* Update after --update-delay */
	bool			 done;
	bool			 torn;		/* Teardown sent */
	double			 torn_at;
	double			 req_at;	/* first send of this Request */
	uint64_t		 queries;
	uint64_t		 data;
	uint64_t		 updates;
};

struct tg_flow {
	struct amt_ip	 s;
	struct amt_ip	 g;
	uint64_t	 packets;
	uint64_t	 bytes;
	uint64_t	 fragments;
	uint64_t	 bad_csum;	/* inner UDP checksum wrong */
};

/* What was seen: printed by tg_print(). */
struct tg_counts {
	uint64_t	discoveries, advertisements, adv_bad;
	uint64_t	requests, queries, query_bad, query_g, query_l;
	uint64_t	updates, teardowns, data, data_bad, data_late, other;
	uint64_t	decode_err;
	uint64_t	send_err, icmp_err;
	double		query_ms_max;	/* Request to its Query, slowest */
	uint64_t	query_slow;	/* Queries later than TG_QUERY_SLOW_MS */
	size_t		query_len_min, query_len_max;
	int		query_flags, query_family, query_version;
	unsigned	query_qqi, query_qrv, query_mrt_ms;
	char		adv_relay[INET6_ADDRSTRLEN];
	size_t		max_inner;
	/* attack */
	uint64_t	atk_sent, atk_queries, atk_err;
};

struct tg {
	struct event_base	*base;
	struct tg_conf		 conf;
	struct tg_gw		*gws;
	struct tg_counts	 c;
	struct tg_flow		 flows[TG_MAX_FLOWS];
	int			 nflows;
	int			 phase;
	struct event		*end_ev;
	struct event		*step_ev;
	struct event		*sig_ev[3];
	struct tg_attack	*atk;
	bool			 failed;
	uint8_t			 buf[TG_BUFSZ];
};

/* amt-testgw.c */
double		 tg_now(void);
void		 tg_timer(struct event *, double);
void		 tg_log(struct tg *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 tg_maybe_done(struct tg *);

/* testgw-output.c */
int		 tg_report(struct tg *);

/* testgw-session.c */
int		 gw_open(struct tg *, struct tg_gw *, int);
void		 gw_start(struct tg_gw *);
void		 gw_close(struct tg_gw *);
void		 gw_phase(struct tg_gw *, int);
void		 gw_teardown(struct tg_gw *, bool);
int		 gw_send(struct tg_gw *, const void *, size_t);
json_t		*gw_json(const struct tg_gw *);

/* testgw-report.c, testgw-flow.c */
int		 rec_parse(struct tg_phase *, const char *, const char *);
/* Send the phase's records as Updates with (nonce, mac). */
int		 rec_send_updates(struct tg_gw *, const struct tg_phase *,
		    uint32_t, const uint8_t *);
/* Build one Update with the phase's records as leaves (forgery). */
ssize_t		 rec_build_leave(struct tg_gw *, const struct tg_phase *,
		    uint32_t, const uint8_t *, uint8_t *, size_t);
void		 flow_count(struct tg *, const uint8_t *, size_t);
json_t		*flows_json(const struct tg *);

/* testgw-attack.c */
int		 atk_start(struct tg *);
bool		 atk_done(const struct tg *);
void		 atk_free(struct tg *);

#endif
