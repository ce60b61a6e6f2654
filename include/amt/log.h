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
/* Route libevent's messages into this log. */
void	log_libevent(void);

#endif
