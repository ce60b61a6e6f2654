/*
 * amtctl end to end: the real binary against a control server on a real
 * event_base and Unix socket: text tables, name/value lines, ages,
 * --json, error replies and unreachable sockets with their exit codes.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "amt/ctl.h"

#ifndef AMTCTL_BIN
#define AMTCTL_BIN	"tools/amtctl"
#endif
#define RUN_LIMIT_S	10

static const char	*replies[][2] = {
	{ "show tunnels", "{\"tunnels\":[{\"gateway\":\"192.0.2.1:5000\","
	    "\"state\":\"up\",\"flows\":3},{\"gateway\":\"[2001:db8::1]:6000\","
	    "\"state\":\"joining\",\"flows\":12}]}" },
	{ "show stats", "{\"request\":5,\"membership-update\":12,"
	    "\"errors\":{\"invalid-mac\":1},\"relay\":null}" },
	{ "show both", "{\"version\":\"0.1\",\"tunnels\":[{\"g\":\"a\","
	    "\"groups\":[\"232.1.1.1\",\"232.1.1.2\"]}],\"flows\":[{\"s\":\"x\","
	    "\"n\":1,\"extra\":true},{\"n\":22}]}" },
	{ "show empty", "{\"tunnels\":[]}" },
};

struct fixture {
	char			 dir[64];
	char			 path[128];
	struct event_base	*base;
	struct ctl_server	*srv;
};

struct run {
	struct event_base	*base;
	pid_t			 pid;
	int			 status;
	int			 exited;
};

/* Ages in amtgwd's "since" (epoch seconds) that one second cannot change
 * in text, and one of seconds. */
#define AGE_DAYS	(2 * 86400 + 3 * 3600 + 100)
#define AGE_HOURS	(3600 + 5 * 60 + 30)
#define AGE_SECS	45

static json_t *
sessions_reply(void)
{
	time_t	now = time(NULL);

	return json_pack("{s:[{s:s, s:I}, {s:s, s:I}, {s:s, s:I}]}",
	    "sessions", "relay", "a", "since", (json_int_t)(now - AGE_DAYS),
	    "relay", "b", "since", (json_int_t)(now - AGE_HOURS),
	    "relay", "c", "since", (json_int_t)(now - AGE_SECS));
}

static json_t *
handler(int argc, char **argv, void *arg)
{
	char		line[CTL_MAX_LINE + 1] = "";
	size_t		i;
	int		a;

	for (a = 0; a < argc; a++) {
		if (a > 0)
			strcat(line, " ");
		strcat(line, argv[a]);
	}
	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		if (strcmp(line, replies[i][0]) == 0)
			return json_loads(replies[i][1], 0, NULL);
	}
	if (strcmp(line, "show sessions") == 0)
		return sessions_reply();
	return json_pack("{s:s}", "error", "unknown command");
}

static int
setup(void **state)
{
	struct fixture	*fx;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	strcpy(fx->dir, "/tmp/test_amtctl.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/ctl.sock", fx->dir);
	if ((fx->base = event_base_new()) == NULL)
		return -1;
	if ((fx->srv = ctl_server_new(fx->base, fx->path, handler, fx)) == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	ctl_server_free(fx->srv);
	event_base_free(fx->base);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void
reap(evutil_socket_t fd, short ev, void *arg)
{
	struct run	*r = arg;

	if (waitpid(r->pid, &r->status, WNOHANG) == r->pid) {
		r->exited = 1;
		event_base_loopbreak(r->base);
	}
}

/* Read what a finished child wrote into a temporary file. */
static void
slurp(FILE *f, char *buf, size_t len)
{
	size_t	n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
}

/*
 * Run amtctl with args while the loop serves it; returns the exit code,
 * with its stdout and stderr in out and err.
 */
static int
amtctl(struct fixture *fx, char *out, char *err, size_t len, ...)
{
	char		*argv[16];
	va_list		 ap;
	int		 argc = 0;
	struct run	 r = { fx->base, -1, 0, 0 };
	struct timeval	 tick = { 0, 10000 }, limit = { RUN_LIMIT_S, 0 };
	struct event	*ev;
	FILE		*fo = tmpfile(), *fe = tmpfile();

	argv[argc++] = (char *)AMTCTL_BIN;
	va_start(ap, len);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	assert_non_null(fo);
	assert_non_null(fe);
	if ((r.pid = fork()) == 0) {
		dup2(fileno(fo), 1);
		dup2(fileno(fe), 2);
		execv(AMTCTL_BIN, argv);
		_exit(127);
	}
	assert_true(r.pid > 0);
	ev = event_new(fx->base, -1, EV_PERSIST, reap, &r);
	event_add(ev, &tick);
	event_base_loopexit(fx->base, &limit);
	event_base_dispatch(fx->base);
	event_free(ev);
	if (!r.exited) {
		kill(r.pid, SIGKILL);
		waitpid(r.pid, &r.status, 0);
		fail_msg("amtctl did not finish in %d s", RUN_LIMIT_S);
	}
	slurp(fo, out, len);
	slurp(fe, err, len);
	fclose(fo);
	fclose(fe);
	assert_true(WIFEXITED(r.status));
	return WEXITSTATUS(r.status);
}

static void
test_amtctl_table(void **state)
{
	struct fixture	*fx = *state;
	char		 out[4096], err[4096];

	assert_int_equal(amtctl(fx, out, err, sizeof(out), "-S", fx->path,
	    "show", "tunnels", NULL), 0);
	assert_string_equal(out,
	    "gateway             state    flows\n"
	    "192.0.2.1:5000      up           3\n"
	    "[2001:db8::1]:6000  joining     12\n");
	assert_string_equal(err, "");
}

static void
test_amtctl_flat_stats(void **state)
{
	struct fixture	*fx = *state;
	char		 out[4096], err[4096];

	assert_int_equal(amtctl(fx, out, err, sizeof(out), "-S", fx->path,
	    "show", "stats", NULL), 0);
	assert_string_equal(out,
	    "request             5\n"
	    "membership-update   12\n"
	    "errors.invalid-mac  1\n"
	    "relay               -\n");
}

/* Several members: titles; later rows missing a key print "-". */
static void
test_amtctl_several_tables(void **state)
{
	struct fixture	*fx = *state;
	char		 out[4096], err[4096];

	assert_int_equal(amtctl(fx, out, err, sizeof(out), "show", "both",
	    "-S", fx->path, NULL), 0);
	assert_string_equal(out,
	    "version  0.1\n"
	    "\n"
	    "tunnels:\n"
	    "g  groups\n"
	    "a  232.1.1.1,232.1.1.2\n"
	    "\n"
	    "flows:\n"
	    "s   n  extra\n"
	    "x   1  true\n"
	    "-  22  -\n");
}

static void
test_amtctl_empty_table(void **state)
{
	struct fixture	*fx = *state;
	char		 out[4096], err[4096];

	assert_int_equal(amtctl(fx, out, err, sizeof(out), "-S", fx->path,
	    "show", "empty", NULL), 0);
	assert_string_equal(out, "tunnels  -\n");
}

/* --json prints the reply itself, before or after the command words. */
static void
test_amtctl_json(void **state)
{
	struct fixture	*fx = *state;
	char		 out[4096], err[4096];
	json_t		*got, *want;

	assert_int_equal(amtctl(fx, out, err, sizeof(out), "-S", fx->path,
	    "show", "tunnels", "--json", NULL), 0);
	got = json_loads(out, 0, NULL);
	want = json_loads(replies[0][1], 0, NULL);
	assert_non_null(got);
	assert_true(json_equal(got, want));
	json_decref(got);
	assert_int_equal(amtctl(fx, out, err, sizeof(out), "--json", "-S",
	    fx->path, "show", "stats", NULL), 0);
	assert_non_null(strchr(out, '\n'));
	got = json_loads(out, 0, NULL);
	assert_non_null(got);
	assert_int_equal(json_integer_value(json_object_get(got, "request")),
	    5);
	json_decref(got);
	json_decref(want);
}

/* amtgwd's "since": an age in the table, epoch seconds in --json. */
static void
test_amtctl_since_as_age(void **state)
{
	struct fixture	*fx = *state;
	const char	*want = "relay  since\n"
			    "a      2d03h\n"
			    "b      1h05m\n"
			    "c        4";
	char		 out[4096], err[4096];
	json_t		*got, *row;
	json_int_t	 since;

	assert_int_equal(amtctl(fx, out, err, sizeof(out), "-S", fx->path,
	    "show", "sessions", NULL), 0);
	assert_int_equal(strncmp(out, want, strlen(want)), 0);
	assert_true(strcmp(out + strlen(want), "5s\n") == 0 ||
	    strcmp(out + strlen(want), "6s\n") == 0);
	assert_int_equal(amtctl(fx, out, err, sizeof(out), "-S", fx->path,
	    "--json", "show", "sessions", NULL), 0);
	got = json_loads(out, 0, NULL);
	assert_non_null(got);
	row = json_array_get(json_object_get(got, "sessions"), 0);
	since = json_integer_value(json_object_get(row, "since"));
	assert_true(since >= (json_int_t)time(NULL) - AGE_DAYS - 2 &&
	    since <= (json_int_t)time(NULL) - AGE_DAYS);
	json_decref(got);
}

static void
test_amtctl_error_reply_exit_1(void **state)
{
	struct fixture	*fx = *state;
	char		 out[4096], err[4096];

	assert_int_equal(amtctl(fx, out, err, sizeof(out), "-S", fx->path,
	    "show", "nothing", NULL), 1);
	assert_string_equal(out, "");
	assert_string_equal(err, "amtctl: unknown command\n");
}

static void
test_amtctl_unreachable(void **state)
{
	struct fixture	*fx = *state;
	char		 out[4096], err[4096], path[160];

	snprintf(path, sizeof(path), "%s/none.sock", fx->dir);
	assert_int_equal(amtctl(fx, out, err, sizeof(out), "-S", path,
	    "show", "stats", NULL), 69);
	assert_non_null(strstr(err, "No such file or directory"));
	assert_int_equal(amtctl(fx, out, err, sizeof(out), "-S", fx->path,
	    NULL), 64);
	assert_non_null(strstr(err, "usage"));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(test_amtctl_table, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_amtctl_flat_stats, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_amtctl_several_tables,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_amtctl_empty_table, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_amtctl_json, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_amtctl_since_as_age,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_amtctl_error_reply_exit_1,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_amtctl_unreachable, setup,
		    teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
