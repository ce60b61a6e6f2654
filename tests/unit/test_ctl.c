/*
 * Control socket: ctl_split, and the server on a real event_base with a
 * real Unix socket in a temporary directory, driven by ctl_request and raw
 * clients from threads (the loop runs in the main thread and never
 * blocks).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "amt/ctl.h"

#define NCLIENTS	100	/* more than the server's connection bound */
#define LOOP_LIMIT_S	20

/* ---- ctl_split ---- */

static void
test_split_words(void **state)
{
	char	line[] = "  show\ttunnels  \r\n", *argv[CTL_MAX_ARGS];

	assert_int_equal(ctl_split(line, argv, CTL_MAX_ARGS), 2);
	assert_string_equal(argv[0], "show");
	assert_string_equal(argv[1], "tunnels");
	assert_null(argv[2]);
}

static void
test_split_empty_and_blank(void **state)
{
	char	empty[] = "", blank[] = " \t \r\n", *argv[CTL_MAX_ARGS];

	assert_int_equal(ctl_split(empty, argv, CTL_MAX_ARGS), 0);
	assert_null(argv[0]);
	assert_int_equal(ctl_split(blank, argv, CTL_MAX_ARGS), 0);
}

static void
test_split_too_many_words(void **state)
{
	char	line[128], *argv[CTL_MAX_ARGS];
	int	i;

	line[0] = '\0';
	for (i = 0; i < CTL_MAX_ARGS; i++)
		strcat(line, "w ");
	assert_int_equal(ctl_split(line, argv, CTL_MAX_ARGS), CTL_MAX_ARGS);
	line[0] = '\0';
	for (i = 0; i < CTL_MAX_ARGS + 1; i++)
		strcat(line, "w ");
	assert_int_equal(ctl_split(line, argv, CTL_MAX_ARGS), -1);
	strcpy(line, "a b c");
	assert_int_equal(ctl_split(line, argv, 2), -1);
	strcpy(line, "a b");
	assert_int_equal(ctl_split(line, argv, 2), 2);
}

static void
test_split_garbage_rejected(void **state)
{
	static const char	*bad[] = { "show\001stats", "\033[2J",
	    "show st\x7f", "caf\xc3\xa9", "\xff\xfe", "a\bb", "x\vy", "x\fy" };
	char			 line[64], *argv[CTL_MAX_ARGS];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(line, bad[i]);
		if (ctl_split(line, argv, CTL_MAX_ARGS) != -1)
			fail_msg("accepted bad line %zu", i);
	}
}

static void
test_split_punctuation_kept(void **state)
{
	char	line[] = "show flows 232.1.1.1 [2001:db8::1]:2268 {\"x\"}";
	char	*argv[CTL_MAX_ARGS];

	assert_int_equal(ctl_split(line, argv, CTL_MAX_ARGS), 5);
	assert_string_equal(argv[3], "[2001:db8::1]:2268");
	assert_string_equal(argv[4], "{\"x\"}");
}

/* ---- server end to end ---- */

struct fixture {
	char			 dir[64];
	char			 path[128];
	struct event_base	*base;
	struct ctl_server	*srv;
	int			 calls;
};

/* echo ARGS -> {"argv": [...]}; null -> NULL; anything else -> error. */
static json_t *
handler(int argc, char **argv, void *arg)
{
	struct fixture	*fx = arg;
	json_t		*a;
	int		 i;

	fx->calls++;
	if (strcmp(argv[0], "null") == 0)
		return NULL;
	if (strcmp(argv[0], "big") == 0) {
		a = json_array();
		for (i = 0; i < 20000; i++)
			json_array_append_new(a, json_pack("{s:i,s:s}",
			    "n", i, "s", "0123456789abcdef"));
		return json_pack("{s:o}", "rows", a);
	}
	if (strcmp(argv[0], "echo") != 0)
		return json_pack("{s:s}", "error", "unknown command");
	a = json_array();
	for (i = 1; i < argc; i++)
		json_array_append_new(a, json_string(argv[i]));
	return json_pack("{s:o}", "argv", a);
}

static int
setup_server(void **state)
{
	struct fixture	*fx;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	strcpy(fx->dir, "/tmp/test_ctl.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/ctl.sock", fx->dir);
	if ((fx->base = event_base_new()) == NULL)
		return -1;
	fx->srv = ctl_server_new(fx->base, fx->path, handler, fx);
	if (fx->srv == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown_server(void **state)
{
	struct fixture	*fx = *state;

	ctl_server_free(fx->srv);
	event_base_free(fx->base);
	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* A client job run in a thread while the main thread runs the loop. */
struct job {
	const char	*path;
	const char	*raw;		/* raw bytes, or NULL: use ctl_request */
	size_t		 rawlen;
	const char	*line;
	int		 hold_s;	/* raw: stay silent this long first */
	json_t		*reply;
	int		 err;
	char		 text[256];	/* raw reply */
	double		 finished;	/* CLOCK_MONOTONIC seconds */
	atomic_int	*done;
};

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
raw_client(struct job *j)
{
	struct sockaddr_un	sun;
	int			fd;
	ssize_t			n;
	size_t			len = 0;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, j->path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun,
	    sizeof(sun)) == -1) {
		j->err = errno;
		return;
	}
	if (j->hold_s > 0)
		sleep((unsigned)j->hold_s);
	if (j->rawlen > 0)
		(void)send(fd, j->raw, j->rawlen, MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	while (len < sizeof(j->text) - 1 &&
	    (n = read(fd, j->text + len, sizeof(j->text) - 1 - len)) > 0)
		len += (size_t)n;
	j->text[len] = '\0';
	close(fd);
}

static void *
client_main(void *arg)
{
	struct job	*j = arg;

	if (j->raw != NULL || j->hold_s > 0)
		raw_client(j);
	else if ((j->reply = ctl_request(j->path, j->line, 5000)) == NULL)
		j->err = errno;
	j->finished = now_s();
	atomic_fetch_add(j->done, 1);
	return NULL;
}

struct waiter {
	struct event_base	*base;
	atomic_int		*done;
	int			 want;
};

static void
poll_done(evutil_socket_t fd, short ev, void *arg)
{
	struct waiter	*w = arg;

	if (atomic_load(w->done) >= w->want)
		event_base_loopbreak(w->base);
}

/* Run the loop until n jobs are done (bounded by LOOP_LIMIT_S). */
static void
run_jobs(struct fixture *fx, struct job *jobs, int n)
{
	pthread_t	 th[NCLIENTS + 1];
	atomic_int	 done = 0;
	struct waiter	 w = { fx->base, &done, n };
	struct timeval	 tick = { 0, 10000 }, limit = { LOOP_LIMIT_S, 0 };
	struct event	*ev;
	int		 i;

	assert_true(n <= NCLIENTS + 1);
	ev = event_new(fx->base, -1, EV_PERSIST, poll_done, &w);
	event_add(ev, &tick);
	for (i = 0; i < n; i++) {
		jobs[i].path = fx->path;
		jobs[i].done = &done;
		assert_int_equal(pthread_create(&th[i], NULL, client_main,
		    &jobs[i]), 0);
	}
	event_base_loopexit(fx->base, &limit);
	event_base_dispatch(fx->base);
	event_free(ev);
	assert_int_equal(atomic_load(&done), n);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
}

static const char *
reply_error(json_t *r)
{
	return json_string_value(json_object_get(r, "error"));
}

static void
test_server_echo(void **state)
{
	struct fixture	*fx = *state;
	struct job	 j = { .line = "echo  show\ttunnels" };
	json_t		*argv;

	run_jobs(fx, &j, 1);
	assert_non_null(j.reply);
	argv = json_object_get(j.reply, "argv");
	assert_int_equal(json_array_size(argv), 2);
	assert_string_equal(json_string_value(json_array_get(argv, 0)),
	    "show");
	assert_string_equal(json_string_value(json_array_get(argv, 1)),
	    "tunnels");
	json_decref(j.reply);
}

static void
test_server_errors(void **state)
{
	struct fixture	*fx = *state;
	struct job	 j[3] = { { .line = "frobnicate" }, { .line = "null" },
	    { .line = "   " } };
	int		 i;

	run_jobs(fx, j, 3);
	for (i = 0; i < 3; i++)
		assert_non_null(j[i].reply);
	assert_string_equal(reply_error(j[0].reply), "unknown command");
	assert_string_equal(reply_error(j[1].reply), "internal error");
	assert_string_equal(reply_error(j[2].reply), "empty request");
	for (i = 0; i < 3; i++)
		json_decref(j[i].reply);
	assert_int_equal(fx->calls, 2);
}

/* A too-long line, with or without newline, gets an error reply. */
static void
test_server_too_long_line(void **state)
{
	struct fixture	*fx = *state;
	char		 nl[CTL_MAX_LINE + 10], nonl[3 * CTL_MAX_LINE];
	struct job	 j[2];

	memset(nl, 'a', sizeof(nl));
	nl[sizeof(nl) - 1] = '\n';
	memset(nonl, 'b', sizeof(nonl));
	memset(j, 0, sizeof(j));
	j[0].raw = nl;
	j[0].rawlen = sizeof(nl);
	j[1].raw = nonl;
	j[1].rawlen = sizeof(nonl);
	run_jobs(fx, j, 2);
	assert_string_equal(j[0].text,
	    "{\"error\":\"request line too long\"}\n");
	assert_string_equal(j[1].text,
	    "{\"error\":\"request line too long\"}\n");
	assert_int_equal(fx->calls, 0);
}

/* Garbage: control bytes, a NUL inside, non-UTF-8; and no newline. */
static void
test_server_garbage_lines(void **state)
{
	struct fixture	*fx = *state;
	static const char	nul[] = "echo a\0b\n", ctl[] = "\033[31m\n",
				bin[] = "\xff\xfe\xfd\n", nonl[] = "echo x";
	struct job		j[4];

	memset(j, 0, sizeof(j));
	j[0].raw = nul;
	j[0].rawlen = sizeof(nul) - 1;
	j[1].raw = ctl;
	j[1].rawlen = sizeof(ctl) - 1;
	j[2].raw = bin;
	j[2].rawlen = sizeof(bin) - 1;
	j[3].raw = nonl;
	j[3].rawlen = sizeof(nonl) - 1;
	run_jobs(fx, j, 4);
	assert_string_equal(j[0].text, "{\"error\":\"malformed request\"}\n");
	assert_string_equal(j[1].text, "{\"error\":\"malformed request\"}\n");
	assert_string_equal(j[2].text, "{\"error\":\"malformed request\"}\n");
	/* EOF ends a request without a newline */
	assert_string_equal(j[3].text, "{\"argv\":[\"x\"]}\n");
	assert_int_equal(fx->calls, 1);
}

/*
 * Many clients at once, more than the connection bound, and one that
 * connects and stays silent: all the others are answered meanwhile.
 */
static void
test_server_many_clients_not_blocked(void **state)
{
	struct fixture	*fx = *state;
	struct job	*j;
	double		 start = now_s();
	int		 i;

	j = calloc(NCLIENTS + 1, sizeof(*j));
	assert_non_null(j);
	j[0].hold_s = 3;
	for (i = 1; i <= NCLIENTS; i++)
		j[i].line = "echo many";
	run_jobs(fx, j, NCLIENTS + 1);
	assert_true(j[0].finished - start >= 3);
	for (i = 1; i <= NCLIENTS; i++) {
		if (j[i].reply == NULL)
			fail_msg("client %d: %s", i, strerror(j[i].err));
		/* answered while the silent client still held its slot */
		assert_true(j[i].finished - start < 2.5);
		json_decref(j[i].reply);
	}
	assert_int_equal(fx->calls, NCLIENTS);
	free(j);
}

/* A large reply is written in pieces without blocking and arrives whole. */
static void
test_server_big_reply(void **state)
{
	struct fixture	*fx = *state;
	struct job	 j = { .line = "big" };

	run_jobs(fx, &j, 1);
	assert_non_null(j.reply);
	assert_int_equal(json_array_size(json_object_get(j.reply, "rows")),
	    20000);
	json_decref(j.reply);
}

static void
test_server_socket_mode(void **state)
{
	struct fixture	*fx = *state;
	struct stat	 st;

	assert_int_equal(stat(fx->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
}

/* A second server on a live path fails; a stale socket is replaced. */
static void
test_server_live_and_stale_path(void **state)
{
	struct fixture		*fx = *state;
	struct ctl_server	*other;
	struct sockaddr_un	 sun;
	char			 stale[160], file[160];
	int			 fd;

	assert_null(ctl_server_new(fx->base, fx->path, handler, fx));
	assert_int_equal(errno, EADDRINUSE);

	snprintf(stale, sizeof(stale), "%s/stale.sock", fx->dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, stale);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	other = ctl_server_new(fx->base, stale, handler, fx);
	assert_non_null(other);
	ctl_server_free(other);
	assert_int_equal(access(stale, F_OK), -1);

	snprintf(file, sizeof(file), "%s/plain", fx->dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_null(ctl_server_new(fx->base, file, handler, fx));
	assert_int_equal(access(file, F_OK), 0);
	unlink(file);
}

/* ---- client errors ---- */

static void
test_request_no_server(void **state)
{
	assert_null(ctl_request("/nonexistent/amt.sock", "show stats", 500));
	assert_int_equal(errno, ENOENT);
}

/* A server that accepts nothing and says nothing: the timeout holds. */
static void
test_request_timeout(void **state)
{
	char			 dir[] = "/tmp/test_ctl.XXXXXX", path[64];
	struct sockaddr_un	 sun;
	int			 fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mute.sock", dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_null(ctl_request(path, "show stats", 200));
	assert_int_equal(errno, ETIMEDOUT);
	close(fd);
	unlink(path);
	rmdir(dir);
}

static void
test_request_line_too_long(void **state)
{
	char	line[CTL_MAX_LINE + 2];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	assert_null(ctl_request("/nonexistent/amt.sock", line, 100));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_split_empty_and_blank),
		cmocka_unit_test(test_split_too_many_words),
		cmocka_unit_test(test_split_garbage_rejected),
		cmocka_unit_test(test_split_punctuation_kept),
		cmocka_unit_test_setup_teardown(test_server_echo,
		    setup_server, teardown_server),
		cmocka_unit_test_setup_teardown(test_server_errors,
		    setup_server, teardown_server),
		cmocka_unit_test_setup_teardown(test_server_too_long_line,
		    setup_server, teardown_server),
		cmocka_unit_test_setup_teardown(test_server_garbage_lines,
		    setup_server, teardown_server),
		cmocka_unit_test_setup_teardown(
		    test_server_many_clients_not_blocked,
		    setup_server, teardown_server),
		cmocka_unit_test_setup_teardown(test_server_big_reply,
		    setup_server, teardown_server),
		cmocka_unit_test_setup_teardown(test_server_socket_mode,
		    setup_server, teardown_server),
		cmocka_unit_test_setup_teardown(test_server_live_and_stale_path,
		    setup_server, teardown_server),
		cmocka_unit_test(test_request_no_server),
		cmocka_unit_test(test_request_timeout),
		cmocka_unit_test(test_request_line_too_long),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
