/*
 * Per-kind log rate limiting (see amt/log.h).  A remote party that can
 * make a daemon log a line per packet could otherwise fill the disk and
 * drown the messages that matter: each kind says at most
 * LOG_LIMIT_BURST lines per window, then one summary of what it left
 * out.
 */
#include <stdarg.h>
#include <syslog.h>

#include "amt/clock.h"
#include "amt/log.h"

static void
log_limit_say(int pri, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
log_limit_say(int pri, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)log_vlevel(pri, 0, fmt, ap);
	va_end(ap);
}

/* A new window begins: say what the last one left out. */
static void
log_limit_roll(struct log_limit *l, unsigned long long now)
{
	if (now - l->window < LOG_LIMIT_WINDOW_MS)
		return;
	if (l->suppressed != 0)
		log_limit_say(LOG_ERR, "%u similar messages suppressed (%s)",
		    l->suppressed, l->kind != NULL ? l->kind : "log");
	l->window = now;
	l->n = 0;
	l->suppressed = 0;
}

void
log_limited(struct log_limit *l, int pri, int code, const char *fmt, ...)
{
	va_list	ap;

	log_limit_roll(l, clock_mono_ms());
	if (l->n >= LOG_LIMIT_BURST) {
		/* Only what would have been said counts as suppressed. */
		if (!log_enabled(pri))
			return;
		l->suppressed++;
		l->total++;
		return;
	}
	va_start(ap, fmt);
	if (log_vlevel(pri, code, fmt, ap))
		l->n++;
	va_end(ap);
}

void
log_limit_flush(struct log_limit *l)
{
	log_limit_roll(l, clock_mono_ms());
}
