/*
 * Control socket (see include/amt/ctl.h).  Server side: a Unix stream
 * socket on the daemon's event loop; every connection is a bufferevent
 * that reads one request line, gets the reply from the daemon's handler,
 * writes it as compact JSON and a newline, and closes.  Nothing blocks the
 * loop: a slow or silent client only holds its own connection until its
 * timeout, and at most CTL_MAX_CONNS connections are open at once (more
 * wait in the listen backlog).  Client side: ctl_request, used by amtctl.
 *
 * The daemon must ignore SIGPIPE (a client may leave before its reply).
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "amt/ctl.h"
#include "amt/log.h"

#define CTL_MAX_CONNS	64
#define CTL_TIMEOUT_S	5
#define CTL_MAX_REPLY	(64 * 1024 * 1024)

struct ctl_conn {
	struct ctl_server	*srv;
	struct bufferevent	*bev;
	int			 answered;
	TAILQ_ENTRY(ctl_conn)	 entry;
};

struct ctl_server {
	struct event_base	*base;
	struct evconnlistener	*lst;
	struct event		*retry_ev;	/* accept again after errors */
	char			*path;
	ctl_handler		 handler;
	void			*arg;
	TAILQ_HEAD(, ctl_conn)	 conns;
	unsigned		 nconns;
};

static void	ctl_conn_free(struct ctl_conn *);
static void	ctl_event(struct bufferevent *, short, void *);

/* Separators are blanks; any other control or non-ASCII byte is bad. */
int
ctl_split(char *line, char **argv, int max)
{
	int	argc = 0, inword = 0;
	char	*p;

	for (p = line; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			*p = '\0';
			inword = 0;
			continue;
		}
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return -1;
		if (inword)
			continue;
		if (argc >= max)
			return -1;
		argv[argc++] = p;
		inword = 1;
	}
	if (argc < max)
		argv[argc] = NULL;
	return argc;
}

static json_t *
ctl_error(const char *msg)
{
	return json_pack("{s:s}", "error", msg);
}

/* The reply to one line of n bytes (NUL bytes inside make it garbage). */
static json_t *
ctl_dispatch(struct ctl_server *srv, char *line, size_t n)
{
	char	*argv[CTL_MAX_ARGS];
	int	 argc;
	json_t	*reply;

	if (n > CTL_MAX_LINE)
		return ctl_error("request line too long");
	if (strlen(line) != n)
		return ctl_error("malformed request");
	if ((argc = ctl_split(line, argv, CTL_MAX_ARGS)) == -1)
		return ctl_error("malformed request");
	if (argc == 0)
		return ctl_error("empty request");
	if ((reply = srv->handler(argc, argv, srv->arg)) == NULL)
		return ctl_error("internal error");
	return reply;
}

static void
ctl_write_done(struct bufferevent *bev, void *arg)
{
	struct ctl_conn	*c = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		ctl_conn_free(c);
}

/* Send the reply, then close once the output has drained. */
static void
ctl_answer(struct ctl_conn *c, json_t *reply)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	char		*s;

	c->answered = 1;
	bufferevent_disable(c->bev, EV_READ);
	if ((s = json_dumps(reply, JSON_COMPACT)) == NULL) {
		evbuffer_add_printf(out, "{\"error\":\"reply not encodable\"}\n");
	} else {
		evbuffer_add(out, s, strlen(s));
		evbuffer_add(out, "\n", 1);
		free(s);
	}
	json_decref(reply);
	bufferevent_setcb(c->bev, NULL, ctl_write_done, ctl_event, c);
	bufferevent_enable(c->bev, EV_WRITE);
}

static void
ctl_read(struct bufferevent *bev, void *arg)
{
	struct ctl_conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 n;

	if (c->answered)
		return;
	line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
	if (line == NULL) {
		if (evbuffer_get_length(in) > CTL_MAX_LINE)
			ctl_answer(c, ctl_error("request line too long"));
		return;
	}
	ctl_answer(c, ctl_dispatch(c->srv, line, n));
	free(line);
}

/* EOF before a newline: what was sent is the request.  Else give up. */
static void
ctl_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		 line[CTL_MAX_LINE + 1];
	size_t		 n;

	if (!c->answered && (what & BEV_EVENT_EOF) &&
	    (n = evbuffer_get_length(in)) > 0 && n <= CTL_MAX_LINE) {
		evbuffer_remove(in, line, n);
		line[n] = '\0';
		ctl_answer(c, ctl_dispatch(c->srv, line, n));
		return;
	}
	ctl_conn_free(c);
}

static void
ctl_conn_free(struct ctl_conn *c)
{
	struct ctl_server	*srv = c->srv;

	TAILQ_REMOVE(&srv->conns, c, entry);
	bufferevent_free(c->bev);
	free(c);
	if (srv->nconns-- == CTL_MAX_CONNS)
		evconnlistener_enable(srv->lst);
}

static void
ctl_accept(struct evconnlistener *lst, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct ctl_server	*srv = arg;
	struct ctl_conn		*c;
	struct timeval		 tv = { CTL_TIMEOUT_S, 0 };

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->bev = bufferevent_socket_new(srv->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warn("control connection");
		free(c);
		close(fd);
		return;
	}
	c->srv = srv;
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	if (++srv->nconns == CTL_MAX_CONNS)
		evconnlistener_disable(lst);
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_MAX_LINE + 2);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_setcb(c->bev, ctl_read, NULL, ctl_event, c);
	bufferevent_enable(c->bev, EV_READ);
}

/* accept() failed (EMFILE...): pause the listener for a second rather
 * than spin on a socket that stays readable. */
static void
ctl_accept_error(struct evconnlistener *lst, void *arg)
{
	struct ctl_server	*srv = arg;
	struct timeval		 tv = { 1, 0 };

	log_warn("control socket accept");
	evconnlistener_disable(lst);
	evtimer_add(srv->retry_ev, &tv);
}

static void
ctl_accept_retry(evutil_socket_t fd, short ev, void *arg)
{
	struct ctl_server	*srv = arg;

	if (srv->nconns < CTL_MAX_CONNS)
		evconnlistener_enable(srv->lst);
}

static int
ctl_sun(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

/*
 * Remove a stale socket left by a daemon that died; refuse to take the
 * path of a daemon still listening there, or a file that is no socket.
 */
static int
ctl_unlink_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat	st;
	int		fd, r;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (r == -1 && errno == EAGAIN)
		r = 0;	/* a full backlog: someone is listening */
	close(fd);
	if (r == 0) {
		errno = EADDRINUSE;
		return -1;
	}
	return unlink(path);
}

static int
ctl_listen(const char *path)
{
	struct sockaddr_un	sun;
	mode_t			old;
	int			fd, r;

	if (ctl_sun(path, &sun) == -1 || ctl_unlink_stale(path, &sun) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	old = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r == -1 || chmod(path, 0660) == -1 || listen(fd, 16) == -1) {
		r = errno;
		close(fd);
		errno = r;
		return -1;
	}
	return fd;
}

struct ctl_server *
ctl_server_new(struct event_base *base, const char *path, ctl_handler h,
    void *arg)
{
	struct ctl_server	*srv;
	int			 fd;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	TAILQ_INIT(&srv->conns);
	srv->base = base;
	srv->handler = h;
	srv->arg = arg;
	if ((srv->retry_ev = evtimer_new(base, ctl_accept_retry, srv)) == NULL ||
	    (srv->path = strdup(path)) == NULL || (fd = ctl_listen(path)) == -1)
		goto fail;
	srv->lst = evconnlistener_new(base, ctl_accept, srv,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (srv->lst == NULL) {
		close(fd);
		unlink(path);
		goto fail;
	}
	evconnlistener_set_error_cb(srv->lst, ctl_accept_error);
	return srv;
fail:
	if (srv->retry_ev != NULL)
		event_free(srv->retry_ev);
	free(srv->path);
	free(srv);
	return NULL;
}

void
ctl_server_free(struct ctl_server *srv)
{
	struct ctl_conn	*c;

	if (srv == NULL)
		return;
	while ((c = TAILQ_FIRST(&srv->conns)) != NULL)
		ctl_conn_free(c);
	evconnlistener_free(srv->lst);
	event_free(srv->retry_ev);
	unlink(srv->path);
	free(srv->path);
	free(srv);
}

/* Milliseconds left until the deadline (CLOCK_MONOTONIC), at least 0. */
static int
ctl_left_ms(const struct timespec *deadline)
{
	struct timespec	now;
	long long	ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

static int
ctl_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un	sun;
	struct timeval		tv;
	int			fd, e;

	if (ctl_sun(path, &sun) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* a blocking connect to a full backlog waits at most this long */
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		e = errno == EINPROGRESS || errno == EAGAIN ? ETIMEDOUT : errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
ctl_send_line(int fd, const char *line)
{
	size_t	len = strlen(line);
	ssize_t	n;

	if (len > CTL_MAX_LINE) {
		errno = EMSGSIZE;
		return -1;
	}
	if ((n = send(fd, line, len, MSG_NOSIGNAL)) != (ssize_t)len ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) != 1) {
		if (n >= 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* Read until EOF or the deadline into a growing NUL-terminated buffer. */
static char *
ctl_read_reply(int fd, const struct timespec *deadline)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	char		*buf = NULL, *nb;
	size_t		 len = 0, cap = 0;
	ssize_t		 n;
	int		 r;

	for (;;) {
		if (cap - len < 4096) {
			if (cap >= CTL_MAX_REPLY) {
				errno = EMSGSIZE;
				goto fail;
			}
			cap = cap == 0 ? 8192 : cap * 2;
			if ((nb = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nb;
		}
		if ((r = poll(&pfd, 1, ctl_left_ms(deadline))) == 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 || (n = read(fd, buf + len, cap - len - 1)) == -1)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
fail:
	free(buf);
	return NULL;
}

/*
 * Client: connect to the control socket at path, send one request line
 * and parse the JSON reply, all within timeout_ms milliseconds.  NULL
 * with errno set on failure (EBADMSG: the reply was not JSON).
 */
json_t *
ctl_request(const char *path, const char *line, int timeout_ms)
{
	struct timespec	 deadline;
	json_t		*reply;
	json_error_t	 jerr;
	char		*buf;
	int		 fd, e;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	if ((fd = ctl_connect(path, timeout_ms)) == -1)
		return NULL;
	buf = ctl_send_line(fd, line) == -1 ? NULL :
	    ctl_read_reply(fd, &deadline);
	e = errno;
	close(fd);
	if (buf == NULL) {
		errno = e;
		return NULL;
	}
	reply = json_loads(buf, 0, &jerr);
	free(buf);
	if (reply == NULL)
		errno = EBADMSG;
	return reply;
}
