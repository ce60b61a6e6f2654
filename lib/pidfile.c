/*
 * The pid file, locked with flock(2) while the daemon lives.  The lock
 * belongs to the open file description, so it is taken before
 * daemon_detach() (a second instance fails before forking, in the
 * caller's exit code) and held by the daemon after the fork.
 */
#include <sys/file.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amt/daemon.h"

struct pidfile {
	int	 fd;
	char	*path;
};

/* Who holds the lock, for the message. */
static long
pidfile_holder(int fd)
{
	char	buf[32];
	ssize_t	n;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static void
pidfile_error(const char *path, int fd, char *err, size_t len)
{
	long	pid;

	if (errno != EWOULDBLOCK) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return;
	}
	if ((pid = pidfile_holder(fd)) > 0)
		snprintf(err, len, "%s: already running (pid %ld)", path, pid);
	else
		snprintf(err, len, "%s: already running (locked)", path);
}

struct pidfile *
pidfile_open(const char *path, char *err, size_t len)
{
	struct pidfile	*pf;
	int		 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644)) == -1 || flock(fd, LOCK_EX | LOCK_NB) == -1 ||
	    ftruncate(fd, 0) == -1) {
		pidfile_error(path, fd, err, len);
		if (fd != -1)
			close(fd);
		return NULL;
	}
	if ((pf = calloc(1, sizeof(*pf))) == NULL ||
	    (pf->path = strdup(path)) == NULL) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		free(pf);
		close(fd);
		return NULL;
	}
	pf->fd = fd;
	return pf;
}

int
pidfile_write(struct pidfile *pf, char *err, size_t len)
{
	char	buf[32];
	int	n;

	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(pf->fd, 0) == -1 ||
	    pwrite(pf->fd, buf, (size_t)n, 0) != n) {
		snprintf(err, len, "%s: %s", pf->path, strerror(errno));
		return -1;
	}
	return 0;
}

void
pidfile_remove(struct pidfile *pf)
{
	if (pf == NULL)
		return;
	/* After the privilege drop /run is not ours: leave it empty. */
	if (unlink(pf->path) == -1)
		(void)ftruncate(pf->fd, 0);
	close(pf->fd);
	free(pf->path);
	free(pf);
}
