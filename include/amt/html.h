/*
 * Server-rendered status pages (GET / on the metrics listener): one
 * self-contained HTML document per request, built into an evbuffer, no
 * external assets, no script, a meta refresh.  Every string that may
 * have come from the network goes through html_text() or a cell
 * function, which escape & < > " and '.
 *
 *	html_begin(out, "amtrelayd", 5);
 *	html_table(out, "tunnels", "Tunnels", "gateway", "age", NULL);
 *	html_row(out, "192.0.2.1:4321", "12 s", NULL);
 *	html_table_end(out);
 *	html_end(out);
 */
#ifndef AMT_HTML_H
#define AMT_HTML_H

#include <stdint.h>
#include <time.h>

#include "amt/metrics.h"

struct evbuffer;

/* The document head (title escaped, refresh in seconds) and its end. */
void	html_begin(struct evbuffer *, const char *, unsigned);
void	html_end(struct evbuffer *);
/* s escaped as element text or attribute value. */
void	html_text(struct evbuffer *, const char *);
/* <h2>title</h2> */
void	html_heading(struct evbuffer *, const char *);
/* A key/value line of a definition list <dl>: both escaped. */
void	html_dl_begin(struct evbuffer *);
void	html_dl(struct evbuffer *, const char *, const char *);
void	html_dl_end(struct evbuffer *);
/* A table with a caption and column heads (NULL ended), rows of cells
 * (NULL ended, each escaped), an id on the table for tests and styles. */
void	html_table(struct evbuffer *, const char *, const char *,
	    const char *, ...) __attribute__((sentinel));
void	html_row(struct evbuffer *, const char *, ...)
	    __attribute__((sentinel));
void	html_table_end(struct evbuffer *);
/* A paragraph of escaped text, class given (e.g. "empty", "error"). */
void	html_para(struct evbuffer *, const char *, const char *);

/* Numbers for people: 1234567 -> "1.2 M", durations as "1d 2h 3m 4s". */
const char	*html_si(uint64_t, char *, size_t);
const char	*html_duration(uint64_t, char *, size_t);
/* Per second since the last call one interval ago; *mark becomes now. */
uint64_t	 html_rate(uint64_t *, uint64_t, unsigned);
/* A wall-clock time as "2024-05-01 12:00:00 UTC". */
const char	*html_time(time_t, char *, size_t);

/*
 * A daemon's status page (lib/html_status.c): html_status_start() puts
 * page(out, arg) on GET / of the metrics listener, notes the start time
 * and calls sample(st, arg) every interval seconds, where the daemon
 * turns its counters into rates (html_rate) with mark[] and rate[]:
 * [0] packets, [1] bytes.  NULL on failure, logged.
 */
struct html_status;
typedef void	(*html_sample_cb)(struct html_status *, void *);

struct html_status {
	struct event	*ev;
	time_t		 started;	/* clock_mono_s */
	uint64_t	 mark[2];	/* packets, bytes at the last sample */
	uint64_t	 rate[2];	/* per second */
	html_sample_cb	 sample;
	void		*arg;
};

struct html_status	*html_status_start(struct event_base *,
			    struct metrics *, unsigned, html_sample_cb,
			    metrics_page_cb, void *);
void			 html_status_stop(struct html_status *);

#endif
