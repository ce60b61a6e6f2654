/*
 * Daemon life: inherited descriptors, detaching, the pid file, the
 * privilege drop, readiness for init systems.
 *
 * Start-up order (errors before daemon_detach reach the caller's exit
 * code; daemon_ready tells the waiting parent and systemd):
 *
 *	daemon_close_inherited();	first thing in main()
 *	log_init(1, ...);		stderr until detached
 *	parse the configuration;
 *	pf = pidfile_open(path, ...);	a second instance fails here
 *	open and bind sockets, the tun;
 *	ready = daemon_detach(...);	unless -d (then ready = -1)
 *	log_init(debug, facility, ...);	syslog opened after detaching
 *	event_base_new(), sodium_init(), events;
 *	daemon_drop_privs(user, caps, ...);
 *	pidfile_write(pf, ...);
 *	daemon_ready(ready);
 *	event_base_dispatch();
 *	pidfile_remove(pf);
 *
 * Descriptors are closed once, at start-up, so that every descriptor
 * the program opens itself (sockets, the pid file, syslog's socket,
 * libevent's epoll and signal pipe) stays open across the detach: no
 * keep-list to maintain, nothing closed behind a library's back.
 */
#ifndef AMT_DAEMON_H
#define AMT_DAEMON_H

#include <stddef.h>

#include <event2/event.h>

struct pidfile;

/* Close every descriptor above 2 inherited from the parent. */
int	 daemon_close_inherited(void);

/*
 * Double fork, setsid, chdir /, umask 027, descriptors 0-2 on /dev/null.
 * Returns in the daemon a descriptor for daemon_ready(), or -1 (err)
 * before anything was forked.  The process that called it waits and
 * exits 0 when the daemon calls daemon_ready(), 1 if the daemon exits
 * before (its error is in the log).
 */
int	 daemon_detach(char *, size_t);
/* Ready: release the waiting parent (fd >= 0, then closed) and tell
 * systemd ($NOTIFY_SOCKET, Type=notify) READY=1. */
void	 daemon_ready(int);
/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET.
 * 0 if sent or no $NOTIFY_SOCKET, -1 (errno) on failure. */
int	 daemon_notify(const char *);

/*
 * Switch to user (setgroups, setgid, setuid; NULL: stay) keeping only
 * the capabilities caps[0..ncaps-1] (CAP_NET_RAW, ... of
 * <linux/capability.h>) permitted and effective, none inheritable or
 * ambient; then check: uid/gid as asked, setuid(0) fails, the
 * capability sets read back exactly.  Single-threaded callers only
 * (capabilities are per thread).  0, or -1 (err).
 */
int	 daemon_drop_privs(const char *, const int *, size_t, char *, size_t);

/*
 * The pid file, locked with flock(2) for the life of the process.
 * pidfile_open creates and locks it, before detaching; another instance
 * holding the lock fails with "PATH: already running (pid N)".  The lock
 * belongs to the open file and survives the fork of daemon_detach.
 * pidfile_write puts the pid in once the daemon is ready.
 * pidfile_remove unlinks it, or empties it when the directory is no
 * longer writable after the privilege drop, and frees pf.
 */
/*
 * Signals through libevent (lib/signals.c): an event for each of
 * sigs[0..n-1] in evs[], calling cb(sig, EV_SIGNAL, arg) in the loop;
 * SIGPIPE ignored.  0, or -1 (stop frees what was made).
 */
int	 daemon_signals_start(struct event_base *, const int *, size_t,
	    struct event **, event_callback_fn, void *);
void	 daemon_signals_stop(struct event **, size_t);

struct pidfile	*pidfile_open(const char *, char *, size_t);
int		 pidfile_write(struct pidfile *, char *, size_t);
void		 pidfile_remove(struct pidfile *);

#endif
