/*
 * /metrics in the Prometheus text exposition format (0.0.4) over
 * libevent's evhttp: the design's choice of HTTP server, already linked
 * by both daemons.  The text is built per scrape by the daemon's
 * callback; names are checked and label values escaped here, so a
 * gateway address or interface name can never break the format.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "amt/addr.h"
#include "amt/metrics.h"

#define METRICS_TIMEOUT		10	/* s, per connection */
#define METRICS_MAX_HEADERS	8192
#define METRICS_MAX_BODY	1024
#define METRICS_CTYPE		"text/plain; version=0.0.4; charset=utf-8"
#define METRICS_HTML		"text/html; charset=utf-8"

struct metrics {
	struct evhttp	*http;
	int		 fd;
	metrics_cb	 cb;
	void		*arg;
	metrics_page_cb	 page;		/* GET /, NULL: none */
	void		*page_arg;
};

struct metrics_builder {
	char		*text;
	size_t		 len, cap;
	char		**names;	/* metrics written so far */
	size_t		 nnames;
	bool		 bad;
};

struct metrics_builder *
metrics_builder_new(void)
{
	return calloc(1, sizeof(struct metrics_builder));
}

void
metrics_builder_free(struct metrics_builder *b)
{
	size_t	i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nnames; i++)
		free(b->names[i]);
	free(b->names);
	free(b->text);
	free(b);
}

const char *
metrics_builder_text(struct metrics_builder *b)
{
	if (b->bad)
		return NULL;
	return b->text != NULL ? b->text : "";
}

static void
put(struct metrics_builder *b, const char *s, size_t n)
{
	char	*p;
	size_t	 cap;

	if (b->bad)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap == 0 ? 4096 : b->cap;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->text, cap)) == NULL) {
			b->bad = true;
			return;
		}
		b->text = p;
		b->cap = cap;
	}
	memcpy(b->text + b->len, s, n);
	b->len += n;
	b->text[b->len] = '\0';
}

static void
puts_b(struct metrics_builder *b, const char *s)
{
	put(b, s, strlen(s));
}

/* HELP text: \ and newline escaped; label values: " as well. */
static void
put_escaped(struct metrics_builder *b, const char *s, bool quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			puts_b(b, "\\\\");
		else if (*s == '\n')
			puts_b(b, "\\n");
		else if (*s == '"' && quote)
			puts_b(b, "\\\"");
		else
			put(b, s, 1);
	}
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* for metrics, without ':' for labels. */
static bool
valid_name(const char *s, bool label)
{
	const char	*ok = label ? "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789" :
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:0123456789";

	if (*s == '\0' || (*s >= '0' && *s <= '9') || strspn(s, ok) !=
	    strlen(s))
		return false;
	return !label || strncmp(s, "__", 2) != 0;
}

/* HELP and TYPE once, before the first sample of a metric. */
static void
family(struct metrics_builder *b, const char *name, enum metrics_type type,
    const char *help)
{
	char	**n;
	size_t	  i;

	if (b->nnames > 0 && strcmp(b->names[b->nnames - 1], name) == 0)
		return;
	for (i = 0; i < b->nnames; i++)
		if (strcmp(b->names[i], name) == 0)
			b->bad = true;	/* samples of a metric split up */
	if ((n = reallocarray(b->names, b->nnames + 1, sizeof(*n))) == NULL ||
	    (n[b->nnames] = strdup(name)) == NULL) {
		if (n != NULL)
			b->names = n;
		b->bad = true;
		return;
	}
	b->names = n;
	b->nnames++;
	puts_b(b, "# HELP ");
	puts_b(b, name);
	puts_b(b, " ");
	put_escaped(b, help != NULL ? help : "", false);
	puts_b(b, "\n# TYPE ");
	puts_b(b, name);
	puts_b(b, type == METRICS_COUNTER ? " counter\n" : " gauge\n");
}

void
metrics_add(struct metrics_builder *b, const char *name,
    enum metrics_type type, const char *help, uint64_t value, ...)
{
	va_list		 ap;
	const char	*k, *v;
	char		 num[32];
	int		 n = 0;

	if (!valid_name(name, false))
		b->bad = true;
	family(b, name, type, help);
	puts_b(b, name);
	va_start(ap, value);
	while ((k = va_arg(ap, const char *)) != NULL) {
		if ((v = va_arg(ap, const char *)) == NULL || !valid_name(k,
		    true)) {
			b->bad = true;
			break;
		}
		puts_b(b, n++ == 0 ? "{" : ",");
		puts_b(b, k);
		puts_b(b, "=\"");
		put_escaped(b, v, true);
		puts_b(b, "\"");
	}
	va_end(ap);
	snprintf(num, sizeof(num), "%s %llu\n", n > 0 ? "}" : "",
	    (unsigned long long)value);
	puts_b(b, num);
}

static void
metrics_reply(struct evhttp_request *req, struct metrics *m)
{
	struct metrics_builder	*b;
	struct evbuffer		*out;
	const char		*text;

	if ((b = metrics_builder_new()) == NULL ||
	    (out = evbuffer_new()) == NULL) {
		metrics_builder_free(b);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	/* evhttp would send a body to HEAD: build none. */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_GET)
		m->cb(b, m->arg);
	if ((text = metrics_builder_text(b)) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, "Bad metrics");
	} else {
		evbuffer_add(out, text, strlen(text));
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", METRICS_CTYPE);
		evhttp_send_reply(req, HTTP_OK, "OK", out);
	}
	evbuffer_free(out);
	metrics_builder_free(b);
}

/* The status page: rendered per request, never cached. */
static void
metrics_page(struct evhttp_request *req, struct metrics *m)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	struct evbuffer		*out;

	if ((out = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	if (evhttp_request_get_command(req) == EVHTTP_REQ_GET)
		m->page(out, m->page_arg);
	evhttp_add_header(h, "Content-Type", METRICS_HTML);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, HTTP_OK, "OK", out);
	evbuffer_free(out);
}

static void
metrics_request(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = uri ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);
	struct metrics		*m = arg;
	bool			 page;

	page = path != NULL && strcmp(path, "/") == 0 && m->page != NULL;
	if (!page && (path == NULL || strcmp(path, "/metrics") != 0)) {
		evhttp_send_error(req, HTTP_NOTFOUND, NULL);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		/* evhttp_send_error() would drop the Allow header. */
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
		evhttp_send_reply(req, 405, "Method Not Allowed", NULL);
		return;
	}
	if (page)
		metrics_page(req, m);
	else
		metrics_reply(req, m);
}

static int
metrics_listen(const struct sockaddr *sa, char *err, size_t len)
{
	char	buf[ADDR_STRLEN];
	int	fd, on = 1;

	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(fd, sa, addr_len(sa)) == -1 || listen(fd, 16) == -1) {
		snprintf(err, len, "metrics %s: %s", addr_str(sa, buf,
		    sizeof(buf)), strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

struct metrics *
metrics_new(struct event_base *base, const struct sockaddr *sa,
    metrics_cb cb, void *arg, char *err, size_t len)
{
	struct metrics	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->http = evhttp_new(base)) == NULL) {
		snprintf(err, len, "metrics: %s", strerror(errno));
		free(m);
		return NULL;
	}
	m->cb = cb;
	m->arg = arg;
	/* Every method reaches metrics_request, which answers 405. */
	evhttp_set_allowed_methods(m->http, 0xffff);
	evhttp_set_timeout(m->http, METRICS_TIMEOUT);
	evhttp_set_max_headers_size(m->http, METRICS_MAX_HEADERS);
	evhttp_set_max_body_size(m->http, METRICS_MAX_BODY);
	evhttp_set_gencb(m->http, metrics_request, m);
	if ((m->fd = metrics_listen(sa, err, len)) == -1 ||
	    evhttp_accept_socket(m->http, m->fd) == -1) {
		if (m->fd != -1) {
			snprintf(err, len, "metrics: evhttp_accept_socket");
			close(m->fd);
		}
		evhttp_free(m->http);
		free(m);
		return NULL;
	}
	return m;
}

void
metrics_set_page(struct metrics *m, metrics_page_cb cb, void *arg)
{
	m->page = cb;
	m->page_arg = arg;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	evhttp_free(m->http);		/* closes the listening socket */
	free(m);
}

int
metrics_addr(const struct metrics *m, struct sockaddr_storage *ss)
{
	socklen_t	len = sizeof(*ss);

	return getsockname(m->fd, (struct sockaddr *)ss, &len);
}
