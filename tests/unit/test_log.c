/*
 * Logging: what reaches stderr in the foreground, log_debug only when
 * verbose, strerror on log_warn and fatal, exit status of fatal/fatalx,
 * libevent's messages routed in, nothing on stderr in syslog mode.  Each
 * case runs in a child whose stderr goes to a file.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "amt/log.h"

/* Run fn in a child; its stderr in buf; returns its exit status. */
static int
run_child(void (*fn)(void), char *buf, size_t len)
{
	FILE	*f = tmpfile();
	pid_t	 pid;
	int	 status;
	size_t	 n;

	assert_non_null(f);
	fflush(stderr);
	if ((pid = fork()) == 0) {
		dup2(fileno(f), 2);
		fn();
		exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
child_levels(void)
{
	log_init(1, LOG_DAEMON, "test");
	log_info("info %d", 1);
	log_debug("hidden");
	log_setverbose(1);
	if (log_getverbose() != 1)
		exit(2);
	log_debug("debug %s", "shown");
	log_warnx("warnx");
	errno = ENOENT;
	log_warn("open %s", "x");
	if (errno != ENOENT)
		exit(3);
	log_setverbose(-1);
	log_info("info hidden");
	log_debug("debug hidden");
	log_warnx("warnx only");
}

static void
test_log_levels_and_strerror(void **state)
{
	char	buf[1024];

	assert_int_equal(run_child(child_levels, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "info 1\ndebug shown\nwarnx\n"
	    "open x: No such file or directory\nwarnx only\n");
}

static void
child_fatal(void)
{
	log_init(1, LOG_DAEMON, "test");
	errno = EACCES;
	fatal("bind %s", "y");
}

static void
child_fatalx(void)
{
	log_init(1, LOG_DAEMON, "test");
	errno = EACCES;
	fatalx("bad %d", 7);
}

static void
test_log_fatal_exits_1(void **state)
{
	char	buf[1024];

	assert_int_equal(run_child(child_fatal, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "fatal: bind y: Permission denied\n");
	assert_int_equal(run_child(child_fatalx, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "fatal: bad 7\n");
}

/* libevent's complaint about late debug mode reaches our log, fatally. */
static void
child_libevent(void)
{
	struct event_base	*base;

	log_init(1, LOG_DAEMON, "test");
	log_libevent();
	base = event_base_new();
	event_enable_debug_mode();
	event_base_free(base);
}

static void
test_log_libevent_routed(void **state)
{
	char	buf[1024];

	assert_int_equal(run_child(child_libevent, buf, sizeof(buf)), 1);
	assert_non_null(strstr(buf, "libevent: "));
	assert_non_null(strstr(buf, "fatal: libevent: fatal error"));
}

static void
child_syslog(void)
{
	log_init(0, LOG_DAEMON, "test_log");
	log_info("to syslog");
	log_warnx("to syslog");
}

static void
test_log_syslog_mode_quiet_on_stderr(void **state)
{
	char	buf[1024];

	assert_int_equal(run_child(child_syslog, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_log_levels_and_strerror),
		cmocka_unit_test(test_log_fatal_exits_1),
		cmocka_unit_test(test_log_libevent_routed),
		cmocka_unit_test(test_log_syslog_mode_quiet_on_stderr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
