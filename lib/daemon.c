/*
 * Detaching from the terminal, inherited descriptors, readiness (the
 * waiting parent, systemd's $NOTIFY_SOCKET).  See amt/daemon.h for the
 * order of start-up these functions fit in.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amt/daemon.h"
#include "amt/log.h"

#define DAEMON_UMASK	027
#define DAEMON_FD_LOOP	65536	/* close() loop bound without close_range */

int
daemon_close_inherited(void)
{
	struct rlimit	rl;
	int		fd, max = DAEMON_FD_LOOP;

	if (close_range(3, ~0U, 0) == 0)
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < DAEMON_FD_LOOP)
		max = (int)rl.rlim_cur;
	for (fd = 3; fd < max; fd++)
		close(fd);
	return 0;
}

/* The original process: wait for the daemon's word, then exit. */
static void __attribute__((noreturn))
detach_wait(int fd, pid_t child)
{
	ssize_t	n;
	char	c;

	while (waitpid(child, NULL, 0) == -1 && errno == EINTR)
		;
	do
		n = read(fd, &c, 1);
	while (n == -1 && errno == EINTR);
	if (n != 1)
		log_warnx("daemon exited during start-up; see the log");
	_exit(n == 1 ? 0 : 1);
}

/* The daemon: own session, no terminal, neutral directory and mask. */
static void
detach_child(void)
{
	int	fd;

	if (setsid() == -1)
		fatal("setsid");
	switch (fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		_exit(0);		/* the session leader goes */
	}
	if (chdir("/") == -1)
		fatal("chdir /");
	umask(DAEMON_UMASK);
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	if (dup2(fd, 0) == -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
		fatal("dup2 /dev/null");
	if (fd > 2)
		close(fd);
}

int
daemon_detach(char *err, size_t len)
{
	pid_t	pid;
	int	sv[2];

	/* A socket, not a pipe: MSG_NOSIGNAL if the parent is gone. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		snprintf(err, len, "socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		snprintf(err, len, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid != 0) {
		close(sv[1]);
		detach_wait(sv[0], pid);
	}
	close(sv[0]);
	detach_child();
	return sv[1];
}

void
daemon_ready(int fd)
{
	if (fd >= 0) {
		(void)send(fd, "R", 1, MSG_NOSIGNAL);
		close(fd);
	}
	if (daemon_notify("READY=1") == -1)
		log_warn("NOTIFY_SOCKET");
}

int
daemon_notify(const char *state)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sun;
	size_t			 plen;
	ssize_t			 n;
	int			 fd, saved;

	if (path == NULL || path[0] == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sun.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')		/* abstract namespace */
		sun.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	n = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un,
	    sun_path) + plen));
	saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(state) ? 0 : -1;
}
