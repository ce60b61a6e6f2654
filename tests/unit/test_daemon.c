/*
 * Daemon life, each case in a forked child: pid file lock contention,
 * detaching (session, cwd, umask, descriptors 0-2 on /dev/null, the
 * parent's exit code follows readiness), closing inherited descriptors
 * (/proc/self/fd), READY=1 over $NOTIFY_SOCKET, the privilege drop as
 * root to nobody keeping CAP_NET_RAW (/proc/self/status).
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "amt/daemon.h"

/* In children: no cmocka, a failing line number as the exit status. */
#define CHECK(c)	do { if (!(c)) return __LINE__ % 250 + 1; } while (0)

static int
run_child(int (*fn)(void *), void *arg)
{
	pid_t	pid;
	int	status;

	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(fn(arg));
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int
reap(pid_t pid)
{
	int	status, i;

	/* The daemon exits on its own when told; bounded wait. */
	for (i = 0; i < 500; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 254;
}

static int
fd_is_devnull(int fd)
{
	char	path[64], buf[PATH_MAX];
	ssize_t	n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((n = readlink(path, buf, sizeof(buf) - 1)) == -1)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, "/dev/null") == 0;
}

/* Descriptors open in this process, not counting the directory's. */
static int
count_fds(int *max)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0, fd;

	*max = -1;
	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((fd = atoi(e->d_name)) == dirfd(d))
			continue;
		n++;
		if (fd > *max)
			*max = fd;
	}
	closedir(d);
	return n;
}

static int
child_close_inherited(void *arg)
{
	int	p[2], max;

	CHECK(pipe(p) == 0);
	CHECK(dup2(p[0], 50) == 50);
	CHECK(open("/dev/null", O_RDONLY) >= 3);
	CHECK(count_fds(&max) >= 6 && max >= 50);
	CHECK(daemon_close_inherited() == 0);
	CHECK(count_fds(&max) == 3 && max == 2);
	return 0;
}

static void
test_daemon_close_inherited_leaves_0_to_2(void **state)
{
	assert_int_equal(run_child(child_close_inherited, NULL), 0);
}

/* What the detached daemon found, sent back over a pipe. */
struct detach_report {
	pid_t	pid, sid, ppid_before;
	int	devnull, cwd_root, umask_ok, ready_fd_ok;
};

static int
child_detach(void *arg)
{
	int			*p = arg, fd;
	struct detach_report	 r;
	char			 err[256], cwd[PATH_MAX];
	mode_t			 m;

	memset(&r, 0, sizeof(r));
	r.ppid_before = getpid();
	close(p[0]);
	if ((fd = daemon_detach(err, sizeof(err))) == -1)
		return 2;
	r.pid = getpid();
	r.sid = getsid(0);
	r.devnull = fd_is_devnull(0) && fd_is_devnull(1) && fd_is_devnull(2);
	r.cwd_root = getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, "/") == 0;
	m = umask(0);
	r.umask_ok = m == 027;
	r.ready_fd_ok = fd > 2 && (fcntl(fd, F_GETFD) & FD_CLOEXEC);
	if (write(p[1], &r, sizeof(r)) != sizeof(r))
		return 3;
	daemon_ready(fd);
	return 0;
}

static void
test_daemon_detach_session_cwd_umask_devnull(void **state)
{
	struct detach_report	r;
	int			p[2];

	assert_int_equal(pipe(p), 0);
	/* The original process exits 0 once the daemon is ready. */
	assert_int_equal(run_child(child_detach, p), 0);
	close(p[1]);
	assert_int_equal(read(p[0], &r, sizeof(r)), sizeof(r));
	close(p[0]);
	assert_int_not_equal(r.pid, r.ppid_before);
	/* A new session, and not its leader: no terminal to acquire. */
	assert_int_not_equal(r.sid, getsid(0));
	assert_int_not_equal(r.sid, r.pid);
	assert_true(r.devnull);
	assert_true(r.cwd_root);
	assert_true(r.umask_ok);
	assert_true(r.ready_fd_ok);
	assert_int_equal(reap(r.pid), 0);
}

static int
child_detach_dies(void *arg)
{
	char	err[256];

	if (daemon_detach(err, sizeof(err)) == -1)
		return 2;
	_exit(7);			/* dies before daemon_ready() */
}

static void
test_daemon_detach_parent_fails_if_daemon_dies(void **state)
{
	assert_int_equal(run_child(child_detach_dies, NULL), 1);
}

/* A daemon holding the pid file; a second instance must fail. */
static int
child_pidfile_daemon(void *arg)
{
	const char	*path = ((const char **)arg)[0];
	int		 go = atoi(((const char **)arg)[1]);
	int		 stop = atoi(((const char **)arg)[2]);
	struct pidfile	*pf;
	char		 err[256], c;
	int		 fd;

	close(stop);			/* the test's end */
	if ((pf = pidfile_open(path, err, sizeof(err))) == NULL)
		return 2;
	if ((fd = daemon_detach(err, sizeof(err))) == -1)
		return 3;
	if (pidfile_write(pf, err, sizeof(err)) == -1)
		_exit(4);
	daemon_ready(fd);
	(void)read(go, &c, 1);		/* until the test says stop */
	pidfile_remove(pf);
	_exit(0);
}

static void
test_daemon_pidfile_lock_contention(void **state)
{
	char		 path[64], err[256], buf[32], gostr[16], stopstr[16];
	const char	*args[3] = { path, gostr, stopstr };
	struct pidfile	*pf;
	struct stat	 st;
	long		 pid;
	int		 go[2], fd, i;
	ssize_t		 n;

	snprintf(path, sizeof(path), "/tmp/test_daemon.%ld.pid",
	    (long)getpid());
	assert_int_equal(pipe(go), 0);
	snprintf(gostr, sizeof(gostr), "%d", go[0]);
	snprintf(stopstr, sizeof(stopstr), "%d", go[1]);
	assert_int_equal(run_child(child_pidfile_daemon, args), 0);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	assert_true((n = read(fd, buf, sizeof(buf) - 1)) > 0);
	close(fd);
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	assert_true(pid > 0 && kill((pid_t)pid, 0) == 0);
	assert_null(pf = pidfile_open(path, err, sizeof(err)));
	snprintf(buf, sizeof(buf), "(pid %ld)", pid);
	assert_non_null(strstr(err, "already running"));
	assert_non_null(strstr(err, buf));
	close(go[1]);			/* stop */
	assert_int_equal(reap((pid_t)pid), 0);
	for (i = 0; i < 200 && stat(path, &st) == 0; i++)
		usleep(10000);
	assert_int_equal(stat(path, &st), -1);
	assert_non_null(pf = pidfile_open(path, err, sizeof(err)));
	assert_int_equal(pidfile_write(pf, err, sizeof(err)), 0);
	pidfile_remove(pf);
	close(go[0]);
}

static int
recv_state(int s, char *buf, size_t len)
{
	struct timeval	tv = { 2, 0 };
	ssize_t		n;

	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if ((n = recv(s, buf, len - 1, 0)) < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static void
test_daemon_notify_ready_over_notify_socket(void **state)
{
	struct sockaddr_un	sun;
	char			buf[64], name[64];
	int			s;
	socklen_t		slen;

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(daemon_notify("READY=1"), 0);	/* nobody asked */
	/* A path socket, as systemd uses. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/test_daemon.%ld.sd",
	    (long)getpid());
	unlink(sun.sun_path);
	assert_true((s = socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setenv("NOTIFY_SOCKET", sun.sun_path, 1);
	daemon_ready(-1);
	assert_int_equal(recv_state(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "READY=1");
	close(s);
	unlink(sun.sun_path);
	/* An abstract socket ("@name"). */
	snprintf(name, sizeof(name), "@test_daemon.%ld", (long)getpid());
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, name + 1, strlen(name) - 1);
	slen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(name));
	assert_true((s = socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, slen), 0);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(daemon_notify("RELOADING=1"), 0);
	assert_int_equal(recv_state(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "RELOADING=1");
	close(s);
	setenv("NOTIFY_SOCKET", "relative", 1);
	assert_int_equal(daemon_notify("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

/* "CapEff:\t0000000000002000" and friends from /proc/self/status. */
static int
status_field(const char *key, char *out, size_t len)
{
	FILE	*f;
	char	 line[256];
	size_t	 kl = strlen(key);
	int	 found = -1;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			snprintf(out, len, "%s", line + kl + 2);
			out[strcspn(out, "\n")] = '\0';
			found = 0;
		}
	fclose(f);
	return found;
}

static int
child_drop_keep_raw(void *arg)
{
	const int		caps[] = { CAP_NET_RAW };
	struct sockaddr_in	sin;
	char			err[256], v[128];
	int			s;

	CHECK(daemon_drop_privs("nobody", caps, 1, err, sizeof(err)) == 0);
	CHECK(status_field("Uid", v, sizeof(v)) == 0);
	CHECK(strcmp(v, "65534\t65534\t65534\t65534") == 0);
	CHECK(status_field("Gid", v, sizeof(v)) == 0);
	CHECK(strcmp(v, "65534\t65534\t65534\t65534") == 0);
	CHECK(status_field("Groups", v, sizeof(v)) == 0);
	CHECK(strcmp(v, "65534 ") == 0 || strcmp(v, "65534") == 0);
	CHECK(status_field("CapEff", v, sizeof(v)) == 0);
	CHECK(strcmp(v, "0000000000002000") == 0);
	CHECK(status_field("CapPrm", v, sizeof(v)) == 0);
	CHECK(strcmp(v, "0000000000002000") == 0);
	CHECK(status_field("CapInh", v, sizeof(v)) == 0);
	CHECK(strcmp(v, "0000000000000000") == 0);
	CHECK(status_field("CapAmb", v, sizeof(v)) == 0);
	CHECK(strcmp(v, "0000000000000000") == 0);
	CHECK(setuid(0) == -1);
	/* CAP_NET_RAW works; CAP_NET_BIND_SERVICE is gone. */
	CHECK((s = socket(AF_INET, SOCK_RAW, IPPROTO_UDP)) >= 0);
	close(s);
	CHECK((s = socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(99);
	CHECK(bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno == EACCES);
	close(s);
	/* Gone for good: asking for CAP_NET_ADMIN back fails. */
	{
		const int	more[] = { CAP_NET_RAW, CAP_NET_ADMIN };

		CHECK(daemon_drop_privs(NULL, more, 2, err, sizeof(err)) ==
		    -1);
		CHECK(strstr(err, "is not permitted") != NULL);
	}
	/* Dropping the last one as the same user works. */
	CHECK(daemon_drop_privs("nobody", NULL, 0, err, sizeof(err)) == 0);
	CHECK(socket(AF_INET, SOCK_RAW, IPPROTO_UDP) == -1);
	return 0;
}

static void
test_daemon_drop_privs_to_nobody_keeps_net_raw(void **state)
{
	if (geteuid() != 0)
		skip();
	assert_int_equal(run_child(child_drop_keep_raw, NULL), 0);
}

static int
child_drop_errors(void *arg)
{
	const int	bad[] = { 64 };
	char		err[256];

	CHECK(daemon_drop_privs("no-such-user-amt", NULL, 0, err,
	    sizeof(err)) == -1);
	CHECK(strcmp(err, "user no-such-user-amt: no such user") == 0);
	CHECK(daemon_drop_privs(NULL, bad, 1, err, sizeof(err)) == -1);
	CHECK(strcmp(err, "bad capability 64") == 0);
	return 0;
}

static void
test_daemon_drop_privs_errors(void **state)
{
	assert_int_equal(run_child(child_drop_errors, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_daemon_close_inherited_leaves_0_to_2),
		cmocka_unit_test(test_daemon_detach_session_cwd_umask_devnull),
		cmocka_unit_test(test_daemon_detach_parent_fails_if_daemon_dies),
		cmocka_unit_test(test_daemon_pidfile_lock_contention),
		cmocka_unit_test(test_daemon_notify_ready_over_notify_socket),
		cmocka_unit_test(test_daemon_drop_privs_to_nobody_keeps_net_raw),
		cmocka_unit_test(test_daemon_drop_privs_errors),
	};

	/* Detached daemons are re-parented here, so they can be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
