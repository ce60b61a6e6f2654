/*
 * The log options both daemons take (amt/conf.h): syslog levels and
 * facilities by name, and the option kinds CONF_LOG_LEVEL and
 * CONF_LOG_FACILITY that parse and print them.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "amt/conf.h"
#include "conf_priv.h"

/* The syslog levels and facilities the daemons take by name. */
struct conf_syslog_name {
	const char	*name;
	int		 value;
};

static const struct conf_syslog_name conf_levels[] = {
	{ "debug", LOG_DEBUG }, { "info", LOG_INFO },
	{ "warning", LOG_WARNING }, { NULL, 0 }
};

static const struct conf_syslog_name conf_facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 }, { NULL, 0 }
};

static int
conf_syslog_value(const struct conf_syslog_name *t, const char *s)
{
	for (; t->name != NULL; t++)
		if (strcasecmp(s, t->name) == 0)
			return t->value;
	return -1;
}

static const char *
conf_syslog_name(const struct conf_syslog_name *t, int value)
{
	for (; t->name != NULL; t++)
		if (t->value == value)
			return t->name;
	return NULL;
}

int
conf_syslog_level(const char *s)
{
	return conf_syslog_value(conf_levels, s);
}

const char *
conf_syslog_level_name(int level)
{
	return conf_syslog_name(conf_levels, level);
}

int
conf_syslog_facility(const char *s)
{
	return conf_syslog_value(conf_facilities, s);
}

const char *
conf_syslog_facility_name(int facility)
{
	return conf_syslog_name(conf_facilities, facility);
}

/* CONF_LOG_LEVEL, CONF_LOG_FACILITY: an int member, set by name. */
int
conf_log_set(const struct conf_opt *o, int *v, const char *s, char *err,
    size_t len)
{
	int	n;

	if (o->kind == CONF_LOG_LEVEL)
		n = conf_syslog_level(s);
	else
		n = conf_syslog_facility(s);
	if (n == -1) {
		snprintf(err, len, "'%s' is not %s", s, o->kind ==
		    CONF_LOG_LEVEL ? "warning, info or debug" :
		    "daemon, user or local0..local7");
		return -1;
	}
	*v = n;
	return 0;
}

void
conf_log_print(const struct conf_opt *o, int v, FILE *f)
{
	const char	*name;

	if (o->kind == CONF_LOG_LEVEL)
		name = conf_syslog_level_name(v);
	else
		name = conf_syslog_facility_name(v);
	if (name != NULL)
		fprintf(f, "%s %s\n", o->name, name);
}
