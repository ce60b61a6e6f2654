/*
 * Logging in the manner of OpenBSD's log.c: stderr when running in the
 * foreground (-d), syslog otherwise; log_debug only when verbose;
 * log_warn adds strerror(errno); fatal and fatalx log and exit 1.
 * libevent's own messages are routed in (tmux does the same).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <event2/event.h>

#include "amt/log.h"

#define LOG_MAXLINE	1024

/*
 * The logging state, the one piece of static state in the library (as in
 * OpenBSD's log.c): where messages go and how much is said.  Set by
 * log_init and log_setverbose at start-up, read everywhere after.
 */
static struct {
	int	debug;		/* 1: stderr; 0: syslog */
	int	verbose;	/* < 0: warnings only; 0: info too;
				   > 0: log_debug too */
	char	last[256];	/* the last warning, for status pages */
	time_t	last_at;
} log_state = { 1, 0, "", 0 };

static void	vlog(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	logit(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	vlog_errno(int, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static void	vfatalc(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0), noreturn));

void
log_init(int debug, int facility, const char *ident)
{
	log_state.debug = debug;
	if (!debug)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
	tzset();
}

void
log_setverbose(int v)
{
	log_state.verbose = v;
}

const char *
log_last_warning(time_t *at)
{
	*at = log_state.last_at;
	return log_state.last;
}

int
log_getverbose(void)
{
	return log_state.verbose;
}

/*
 * The log-level option (LOG_WARNING, LOG_INFO, LOG_DEBUG) with -v given
 * v times: debug messages when either asks; "warning" keeps warnings
 * only, on stderr and in syslog (whose mask drops the rest).  Returns
 * the verbosity in effect.
 */
int
log_setlevel(int level, int v)
{
	if (v == 0 && level == LOG_DEBUG)
		v = 1;
	if (v == 0 && level <= LOG_WARNING)
		v = -1;
	log_setverbose(v);
	setlogmask(LOG_UPTO(v > 0 ? LOG_DEBUG : level));
	return v;
}

static void
vlog(int pri, const char *fmt, va_list ap)
{
	int	saved_errno = errno;
	va_list	copy;

	if (pri <= LOG_WARNING) {
		va_copy(copy, ap);
		vsnprintf(log_state.last, sizeof(log_state.last), fmt, copy);
		va_end(copy);
		log_state.last_at = time(NULL);
	}
	if (log_state.debug) {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		fflush(stderr);
	} else
		vsyslog(pri, fmt, ap);
	errno = saved_errno;
}

static void
logit(int pri, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

/* The message, then ": strerror(code)" when code is not 0. */
static void
vlog_errno(int pri, int code, const char *fmt, va_list ap)
{
	char	msg[LOG_MAXLINE];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (code != 0)
		logit(pri, "%s: %s", msg, strerror(code));
	else
		logit(pri, "%s", msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved_errno = errno;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, saved_errno, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (log_state.verbose < 0)
		return;
	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_state.verbose <= 0)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

/* Would a line at priority pri be said at the current verbosity? */
int
log_enabled(int pri)
{
	if (pri == LOG_INFO)
		return log_state.verbose >= 0;
	if (pri >= LOG_DEBUG)
		return log_state.verbose > 0;
	return 1;
}

/*
 * One line at priority pri (LOG_ERR, LOG_INFO or LOG_DEBUG), subject to
 * the verbosity as log_warnx, log_info and log_debug are, with
 * ": strerror(code)" when code is not 0.  Returns whether it was said.
 */
int
log_vlevel(int pri, int code, const char *fmt, va_list ap)
{
	if (!log_enabled(pri))
		return 0;
	vlog_errno(pri, code, fmt, ap);
	return 1;
}

static void
vfatalc(int code, const char *fmt, va_list ap)
{
	char	msg[LOG_MAXLINE];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (code != 0)
		logit(LOG_CRIT, "fatal: %s: %s", msg, strerror(code));
	else
		logit(LOG_CRIT, "fatal: %s", msg);
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfatalc(errno, fmt, ap);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfatalc(0, fmt, ap);
	va_end(ap);
}

static void
log_event_cb(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG:
		log_debug("libevent: %s", msg);
		break;
	case EVENT_LOG_MSG:
		log_info("libevent: %s", msg);
		break;
	default:
		log_warnx("libevent: %s", msg);
		break;
	}
}

static void
log_event_fatal_cb(int err)
{
	fatalx("libevent: fatal error %d", err);
}

void
log_libevent(void)
{
	event_set_log_callback(log_event_cb);
	event_set_fatal_callback(log_event_fatal_cb);
}
