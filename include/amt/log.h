/*
 * Logging in the OpenBSD log.c manner: stderr in the foreground (-d),
 * syslog otherwise; libevent's own messages routed in.
 */
#ifndef AMT_LOG_H
#define AMT_LOG_H

#include <stdarg.h>
#include <time.h>

void	log_init(int, int, const char *);	/* debug, facility, ident */
/* Level: -1 warnings only, 0 info (default), 1 and more debug. */
void	log_setverbose(int);
int	log_getverbose(void);
/* The log-level option and the -v count together; the verbosity set. */
int	log_setlevel(int, int);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/* The last warning or error logged ("" if none) and when (epoch). */
const char	*log_last_warning(time_t *);
/*
 * A line at a syslog priority (LOG_ERR, LOG_INFO, LOG_DEBUG) under the
 * verbosity, ": strerror(code)" added unless code is 0; 1 if said.
 */
int	log_enabled(int);
int	log_vlevel(int, int, const char *, va_list)
	    __attribute__((format(printf, 3, 0)));

/*
 * Rate limiting per kind of message (log_limit.c), for every line a
 * remote party can cause: at most LOG_LIMIT_BURST lines of one kind per
 * second; the rest are counted and summarised as "N similar messages
 * suppressed" by the next line of that kind after the second or by
 * log_limit_flush(), which a daemon calls from a timer.  The state is
 * the caller's (one struct per kind in the daemon context).
 */
#define LOG_LIMIT_BURST		3
#define LOG_LIMIT_WINDOW_MS	1000
struct log_limit {
	const char		*kind;		/* named in the summary */
	unsigned long long	 window;	/* ms, start of the window */
	unsigned		 n;		/* lines said in the window */
	unsigned		 suppressed;	/* not said, not summarised */
	unsigned long long	 total;		/* suppressed, ever */
};
void	log_limited(struct log_limit *, int, int, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
void	log_limit_flush(struct log_limit *);

/* Route libevent's messages into this log. */
void	log_libevent(void);

#endif
