/*
 * Control socket: a Unix stream socket; a client writes one request line
 * ("show tunnels", "show stats", ...), the daemon answers with one JSON
 * document followed by a newline and closes.  Replies are objects; an
 * error is {"error": "text"}.
 */
#ifndef AMT_CTL_H
#define AMT_CTL_H

#include <event2/event.h>
#include <jansson.h>

#define CTL_MAX_LINE	1024
#define CTL_MAX_ARGS	16

/* Handler: argv of the request line; returns a new reference. */
typedef json_t *(*ctl_handler)(int, char **, void *);

struct ctl_server;

struct ctl_server	*ctl_server_new(struct event_base *, const char *,
			    ctl_handler, void *);
void			 ctl_server_free(struct ctl_server *);
/* Split a request line into at most CTL_MAX_ARGS words; -1 if bad. */
int			 ctl_split(char *, char **, int);
/* Client: send a request, return the parsed reply (or NULL, errno).
 * Arguments: socket path, request line, timeout in milliseconds. */
json_t			*ctl_request(const char *, const char *, int);

#endif
