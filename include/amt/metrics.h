/*
 * Prometheus metrics over HTTP (libevent's evhttp): GET /metrics on a
 * local address answers with the text exposition format (version
 * 0.0.4); GET / with the daemon's status page if it set one
 * (metrics_set_page); 404 elsewhere, 405 for other methods.  On each scrape the
 * daemon's callback adds its samples to a builder:
 *
 *	metrics_add(b, "amt_relay_request_total", METRICS_COUNTER,
 *	    "Requests received", st->rx_request, NULL);
 *	metrics_add(b, "amt_relay_tunnel_data_packets_total",
 *	    METRICS_COUNTER, "Data packets sent, per tunnel", t->pkts,
 *	    "gateway", "192.0.2.1", "port", "4321", NULL);
 *
 * Labels are name, value pairs ended by NULL; values are escaped here.
 * Samples of one metric must be added one after another (HELP and TYPE
 * are written before the first); a bad name, a bad label name or a
 * metric split in two turns the scrape into a 500.
 */
#ifndef AMT_METRICS_H
#define AMT_METRICS_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

enum metrics_type {
	METRICS_COUNTER,
	METRICS_GAUGE,
};

struct metrics;
struct metrics_builder;

typedef void (*metrics_cb)(struct metrics_builder *, void *);
/* GET / (amt/html.h): the daemon writes its status page into the buffer. */
struct evbuffer;
typedef void (*metrics_page_cb)(struct evbuffer *, void *);

/* Listen on sa (port 0: the kernel chooses); NULL with err. */
struct metrics	*metrics_new(struct event_base *, const struct sockaddr *,
		    metrics_cb, void *, char *, size_t);
void		 metrics_free(struct metrics *);
/* Serve a status page on GET / (without one: 404). */
void		 metrics_set_page(struct metrics *, metrics_page_cb, void *);
/* The address actually bound. */
int		 metrics_addr(const struct metrics *, struct sockaddr_storage *);

void		 metrics_add(struct metrics_builder *, const char *,
		    enum metrics_type, const char *, uint64_t, ...)
		    __attribute__((sentinel));

/* The builder alone, e.g. for tests or a log dump. */
struct metrics_builder	*metrics_builder_new(void);
void			 metrics_builder_free(struct metrics_builder *);
/* The text so far (NUL-terminated), or NULL after a bad call. */
const char		*metrics_builder_text(struct metrics_builder *);

#endif
